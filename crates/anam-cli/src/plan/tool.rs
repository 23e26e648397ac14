//! The tools' plan. A tool of the file is matched with the server's tool of the same name (tool
//! names are unique). Only the fields the file writes are compared; header values are secrets,
//! compared but shown only as changed. When a setting of `config` changes, the whole config is
//! sent (the file's settings over the server's), since Anam does not say whether it merges an
//! update's config or replaces it; when the type changes, only the file's settings are sent.

use std::collections::HashSet;
use std::sync::Arc;

use anam::UpdateTool;
use anam::types::{Tool, ToolConfig};
use futures::FutureExt;
use serde_json::Value;

use crate::plan::compare::{self, sorted, touches};
use crate::plan::{Action, Change, Created, Id, Refs, Run, Verb};
use crate::spec::tool::{ToolSpec, file_field, in_file_types, seconds};
use crate::spec::{File, Kind, in_file_terms};

/// The settings inside `config`, as the file names them.
pub(crate) const CONFIG: [&str; 9] = [
    "url",
    "method",
    "headers",
    "bodyTemplate",
    "parameters",
    "awaitResult",
    "toolTimeoutSeconds",
    "knowledgeGroups",
    "action",
];

/// The tools' actions: one per tool of the file, in its order, and with `prune` a delete for
/// every tool of the server the file does not name.
pub fn plan(file: &File, refs: &Refs<'_>, shown: &str, prune: &HashSet<Kind>) -> Result<Vec<Action>, String> {
    let account = refs.account();
    let (mut actions, mut problems) = (Vec::new(), Vec::new());
    for (i, spec) in file.tools().iter().enumerate() {
        let at = |problem: String| format!("{shown}: tools[{i}].{problem}");
        let groups = spec
            .knowledge_groups
            .iter()
            .flatten()
            .enumerate()
            .map(|(j, g)| refs.group(g).map_err(|e| format!("knowledgeGroups[{j}]: {e}")))
            .collect::<Result<Vec<Id>, String>>();
        let server = account.tools.iter().find(|t| t.name.as_deref() == Some(&spec.name));
        match groups.and_then(|groups| action(i, spec, groups, server)) {
            Ok(action) => actions.push(action),
            Err(problem) => problems.push(at(problem)),
        }
    }
    if prune.contains(&Kind::Tool) {
        for tool in &account.tools {
            if !file.tools().iter().any(|t| tool.name.as_deref() == Some(t.name.as_str())) {
                actions.push(delete_action(tool));
            }
        }
    }
    super::all_or_problems(actions, problems)
}

/// The action for the file's tool `i`: a create, or an update of (or no change to) `server`.
fn action(i: usize, spec: &ToolSpec, groups: Vec<Id>, server: Option<&Tool>) -> Result<Action, String> {
    let at = format!("tools[{i}]");
    let shown: Vec<Value> = groups.iter().map(Id::shown).collect();
    let uses = groups.iter().filter_map(Id::new_ref).collect();
    let Some(server) = server else {
        let changes: Vec<Change> =
            compare::created(wanted(spec, &shown)).into_iter().chain(headers(spec, None)).collect();
        let name = spec.name.clone();
        let spec = spec.clone();
        let run: Run = Arc::new(move |client, created| {
            let request = spec.create(resolve(&groups, created)?)?;
            let tools = client.tools();
            Ok(async move { tools.create(request).await.map(|t| Some(t.id.to_string())) }.boxed())
        });
        return Ok(Action {
            kind: Kind::Tool,
            name,
            at: Some(at),
            id: None,
            verb: Verb::Create,
            changes,
            uses,
            refers_to: Some(Vec::new()),
            run: Some(run),
        });
    };
    let json = serde_json::to_value(server).unwrap_or_default();
    let mut changes = compare::changes(wanted(spec, &shown), |field| current(&json, field));
    changes.extend(headers(spec, server.config.as_ref()));
    let id = server.id.to_string();
    let refers_to = Some(
        server.config.iter().flat_map(|c| c.document_folder_ids.iter().flatten()).map(|g| g.to_string()).collect(),
    );
    if changes.is_empty() {
        let mut unchanged = Action::unchanged(Kind::Tool, &spec.name, at, &id);
        unchanged.refers_to = refers_to;
        return Ok(unchanged);
    }
    let placeholders: Vec<String> = groups.iter().map(Id::or_placeholder).collect();
    let request = update(spec, &changes, server.config.as_ref(), placeholders)?;
    request.build().map_err(|e| in_file_terms(&in_file_types(e), file_field))?;
    let (spec_run, changes_run, config, id_run) = (spec.clone(), changes.clone(), server.config.clone(), id.clone());
    let run: Run = Arc::new(move |client, created| {
        let request = update(&spec_run, &changes_run, config.as_ref(), resolve(&groups, created)?)?;
        let (tools, id) = (client.tools(), id_run.clone());
        Ok(async move { tools.update(id, request).await.map(|_| None) }.boxed())
    });
    let name = spec.name.clone();
    Ok(Action {
        kind: Kind::Tool,
        name,
        at: Some(at),
        id: Some(id),
        verb: Verb::Update,
        changes,
        uses,
        refers_to,
        run: Some(run),
    })
}

/// The knowledge groups' ids, once what they need was created.
fn resolve(groups: &[Id], created: &Created) -> Result<Vec<String>, String> {
    groups.iter().map(|g| g.get(created)).collect()
}

/// The fields the file sets (headers aside), with the values it wants, as the file names them.
fn wanted(spec: &ToolSpec, groups: &[Value]) -> Vec<(String, Value)> {
    let mut fields = vec![("name".to_owned(), Value::from(spec.name.as_str()))];
    let mut put = |field: &str, value: Option<Value>| {
        if let Some(value) = value {
            fields.push((field.to_owned(), value));
        }
    };
    put("type", spec.tool_type().ok().map(|t| Value::from(t.to_string())));
    put("description", Some(Value::from(spec.description.as_str())));
    put("disableInterruptions", spec.disable_interruptions.map(Value::from));
    put("url", spec.url.clone().map(Value::from));
    put("method", spec.method.clone().map(Value::from));
    put("bodyTemplate", spec.body_template.clone().map(Value::from));
    put("parameters", spec.parameters.clone());
    put("awaitResult", spec.await_result.map(Value::from));
    put("toolTimeoutSeconds", spec.tool_timeout_seconds.map(Value::from));
    put("knowledgeGroups", spec.knowledge_groups.as_ref().map(|_| sorted(groups.iter().cloned())));
    put("action", spec.action.clone().map(Value::from));
    fields
}

/// The server's value of a field, as the file names it.
fn current(tool: &Value, field: &str) -> Value {
    let pointer = match field {
        "name" | "type" | "description" | "disableInterruptions" => format!("/{field}"),
        "knowledgeGroups" => {
            let ids = tool.pointer("/config/documentFolderIds").and_then(Value::as_array).cloned().unwrap_or_default();
            return sorted(ids.into_iter());
        }
        other => format!("/config/{other}"),
    };
    tool.pointer(&pointer).cloned().unwrap_or(Value::Null)
}

/// The changes of the headers the file writes (compared by value, names without case), and,
/// when it writes `headers`, of the server's headers it leaves out (removed). Values are never
/// shown: a change says `(secret)`, or `null` where there is none.
fn headers(spec: &ToolSpec, server: Option<&ToolConfig>) -> Vec<Change> {
    let Some(wanted) = &spec.headers else { return Vec::new() };
    let secret = || Value::from("(secret)");
    let held: Vec<(&String, &anam::Secret)> = server.iter().flat_map(|c| c.headers.iter().flatten()).collect();
    let find = |name: &str| held.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.expose_secret());
    let mut changes = Vec::new();
    for (name, value) in wanted {
        let field = format!("headers.{name}");
        match find(name) {
            None => changes.push(Change { field, from: Value::Null, to: secret(), secret: true }),
            Some(current) if current != value.0 => {
                changes.push(Change { field, from: secret(), to: secret(), secret: true })
            }
            Some(_) => {}
        }
    }
    let mut removed: Vec<&String> =
        held.iter().map(|(n, _)| *n).filter(|n| !wanted.keys().any(|w| w.eq_ignore_ascii_case(n))).collect();
    removed.sort();
    for name in removed {
        changes.push(Change { field: format!("headers.{name}"), from: secret(), to: Value::Null, secret: true });
    }
    changes
}

/// The update that makes the server's tool what the file says: the changed fields, and the
/// whole config when a setting of it changed (the file's over `config`, the server's).
fn update(
    spec: &ToolSpec,
    changes: &[Change],
    config: Option<&ToolConfig>,
    groups: Vec<String>,
) -> Result<UpdateTool, String> {
    let mut request = UpdateTool::new();
    if touches(changes, "description") {
        request = request.description(spec.description.clone());
    }
    if let Some(v) = spec.disable_interruptions.filter(|_| touches(changes, "disableInterruptions")) {
        request = request.disable_interruptions(v);
    }
    let retyped = touches(changes, "type");
    if retyped {
        request = request.tool_type(spec.tool_type()?);
    }
    if !retyped && !CONFIG.iter().any(|field| touches(changes, field)) {
        return Ok(request);
    }
    let server = if retyped { None } else { config };
    let pick = |mine: Option<String>, theirs: Option<String>| mine.or(theirs);
    let url = pick(spec.url.clone(), server.and_then(|c| c.url.clone()));
    let method = pick(spec.method.clone(), server.and_then(|c| c.method.as_ref()).map(|m| m.to_string()));
    let template = pick(spec.body_template.clone(), server.and_then(|c| c.body_template.clone()));
    let action = pick(spec.action.clone(), server.and_then(|c| c.action.as_ref()).map(|a| a.to_string()));
    if let Some(v) = url {
        request = request.url(v);
    }
    if let Some(v) = method {
        request = request.method(v.as_str());
    }
    match &spec.headers {
        Some(headers) => {
            for (name, value) in headers {
                request = request.header(name.clone(), value.0.clone());
            }
        }
        None => {
            for (name, value) in server.iter().flat_map(|c| c.headers.iter().flatten()) {
                request = request.header(name.clone(), value.clone());
            }
        }
    }
    if let Some(v) = template {
        request = request.body_template(v);
    }
    if let Some(v) = spec.parameters.clone().or_else(|| server.and_then(|c| c.parameters.clone()).map(Value::Object)) {
        request = request.parameters(v);
    }
    if let Some(v) = spec.await_result.or(server.and_then(|c| c.await_result)) {
        request = request.await_result(v);
    }
    if let Some(v) = spec.tool_timeout_seconds.or(server.and_then(|c| c.tool_timeout_seconds)) {
        request = request.tool_timeout(seconds(v)?);
    }
    if spec.knowledge_groups.is_some() {
        request = request.knowledge_groups(groups);
    } else if let Some(v) = server.and_then(|c| c.document_folder_ids.clone()) {
        request = request.knowledge_groups(v);
    }
    if let Some(v) = action {
        request = request.action(v.as_str());
    }
    Ok(request)
}

/// The action that deletes a tool the file does not name (`--prune`).
fn delete_action(tool: &Tool) -> Action {
    let id = tool.id.to_string();
    let run_id = id.clone();
    let run: Run = Arc::new(move |client, _| {
        let (tools, id) = (client.tools(), run_id.clone());
        Ok(async move { tools.delete(id).await.map(|()| None) }.boxed())
    });
    let refers_to =
        tool.config.iter().flat_map(|c| c.document_folder_ids.iter().flatten()).map(|g| g.to_string()).collect();
    Action {
        kind: Kind::Tool,
        name: tool.name.clone().unwrap_or_default(),
        at: None,
        id: Some(id),
        verb: Verb::Delete,
        changes: Vec::new(),
        uses: Vec::new(),
        refers_to: Some(refers_to),
        run: Some(run),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::tool::Hidden;
    use std::collections::BTreeMap;

    #[test]
    fn headers_are_compared_without_case_and_never_shown() {
        let spec = ToolSpec {
            headers: Some(BTreeMap::from([
                ("Authorization".to_owned(), Hidden("Bearer n3w".into())),
                ("X-Same".to_owned(), Hidden("1".into())),
            ])),
            ..ToolSpec::default()
        };
        let server: ToolConfig = serde_json::from_value(serde_json::json!({
            "headers": {"authorization": "Bearer 0ld", "x-same": "1", "X-Gone": "g0ne"}
        }))
        .unwrap();
        let changes = headers(&spec, Some(&server));
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["headers.Authorization", "headers.X-Gone"]);
        assert!(changes.iter().all(|c| c.secret));
        let shown = format!("{changes:?}");
        assert!(!shown.contains("n3w") && !shown.contains("0ld") && !shown.contains("g0ne"), "{shown}");
        assert_eq!(changes[1].to, Value::Null, "a header the file leaves out is removed");
        assert!(headers(&ToolSpec::default(), Some(&server)).is_empty(), "headers not written are not managed");
    }

    #[test]
    fn a_changed_setting_sends_the_whole_config() {
        let spec = ToolSpec {
            name: "crm".into(),
            kind: "webhook".into(),
            description: "d".into(),
            url: Some("https://crm.example.com/v2".into()),
            ..ToolSpec::default()
        };
        let server: ToolConfig = serde_json::from_value(serde_json::json!({
            "url": "https://crm.example.com/v1", "method": "POST", "headers": {"A": "s3cret"}
        }))
        .unwrap();
        let changes = vec![Change { field: "url".into(), from: Value::Null, to: Value::Null, secret: false }];
        let body = update(&spec, &changes, Some(&server), Vec::new()).unwrap().build().unwrap();
        let wire = serde_json::to_value(body.config.unwrap()).unwrap();
        assert_eq!(wire["url"], "https://crm.example.com/v2");
        assert_eq!(wire["method"], "POST", "the server's settings are kept");
        assert!(wire["headers"]["A"].is_string(), "and its headers");
    }
}
