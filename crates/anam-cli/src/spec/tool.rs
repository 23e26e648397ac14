//! A tool as the file describes it (`tools:`): its type, description and the settings of its
//! type, flat (`url`, not `config.url`). Header values are secrets: kept in [`Hidden`], never
//! shown, and written by `export` as `${...}` placeholders.

use std::collections::BTreeMap;
use std::time::Duration;

use anam::CreateTool;
use anam::types::{SystemToolAction, ToolType, ToolWebhookMethod};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::spec::in_file_terms;

/// The tool types, by the name the file uses, with the API's.
pub const TYPES: [(&str, &str); 4] =
    [("webhook", "SERVER_WEBHOOK"), ("client", "CLIENT"), ("knowledge", "SERVER_RAG"), ("system", "SYSTEM")];

/// A tool type as the file writes it (`webhook`, `client`, `knowledge`, `system`) for the API's
/// (`SERVER_WEBHOOK`, ...); a type this table does not know is kept as the API writes it. For
/// every place that shows a tool's type to people: `export`, and `anam tools list`.
pub fn file_type(wire: &str) -> &str {
    TYPES.iter().find(|(_, w)| *w == wire).map_or(wire, |(file, _)| file)
}

/// One tool. `None` means "not managed" for the optional settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ToolSpec {
    /// The key: a tool is found by its name (unique in an account).
    pub name: String,
    /// `webhook`, `client`, `knowledge` or `system`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What the tool does; the language model reads it.
    pub description: String,
    /// Whether the user cannot interrupt while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_interruptions: Option<bool>,
    /// Webhook: the URL it calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Webhook: GET, POST, PUT, PATCH or DELETE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Webhook: headers sent with each call; their values are secrets (`${CRM_TOKEN}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, Hidden>>,
    /// Webhook: a template of the request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_template: Option<String>,
    /// Client: the JSON Schema of the arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Client: whether the engine waits for the client's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_result: Option<bool>,
    /// Client: how long the engine waits, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_timeout_seconds: Option<f64>,
    /// Knowledge: the groups it searches, by name or id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_groups: Option<Vec<String>>,
    /// System: `end_call` or `interrupt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// A secret text of the file (a header value): read and written as a plain string, never shown
/// by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Hidden(pub String);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hidden(..)")
    }
}

impl ToolSpec {
    /// The API's type for the file's.
    pub fn tool_type(&self) -> Result<ToolType, String> {
        match TYPES.iter().find(|(file, _)| *file == self.kind) {
            Some((_, wire)) => Ok(ToolType::from(*wire)),
            None => {
                let names: Vec<&str> = TYPES.iter().map(|(file, _)| *file).collect();
                Err(format!("type is {:?}, but must be one of {}", self.kind, names.join(", ")))
            }
        }
    }

    /// The SDK's create request, with `groups` for the knowledge groups (their ids, resolved):
    /// the file's type and every setting the file writes, whatever the type, so that the SDK's
    /// builder checks them all (a setting the type does not take is refused there, naming it).
    pub fn create(&self, groups: Vec<String>) -> Result<CreateTool, String> {
        let mut tool = CreateTool::new(self.tool_type()?, self.name.clone(), self.description.clone());
        if let Some(url) = &self.url {
            tool = tool.url(url.clone());
        }
        if let Some(method) = &self.method {
            check_known("method", method, ToolWebhookMethod::KNOWN)?;
            tool = tool.method(method.as_str());
        }
        for (header, value) in self.headers.iter().flatten() {
            tool = tool.header(header.clone(), value.0.clone());
        }
        if let Some(v) = &self.body_template {
            tool = tool.body_template(v.clone());
        }
        if let Some(v) = &self.parameters {
            tool = tool.parameters(v.clone());
        }
        if let Some(v) = self.await_result {
            tool = tool.await_result(v);
        }
        if let Some(v) = self.tool_timeout_seconds {
            tool = tool.tool_timeout(seconds(v)?);
        }
        if self.knowledge_groups.is_some() {
            tool = tool.knowledge_groups(groups);
        }
        if let Some(action) = &self.action {
            check_known("action", action, SystemToolAction::KNOWN)?;
            tool = tool.action(action.as_str());
        }
        if let Some(v) = self.disable_interruptions {
            tool = tool.disable_interruptions(v);
        }
        Ok(tool)
    }
}

/// `value` among the API's `known` values (`method`, `action`).
fn check_known(field: &str, value: &str, known: &[&str]) -> Result<(), String> {
    if known.contains(&value) {
        return Ok(());
    }
    Err(format!("{field} is {value:?}, but must be one of {}", known.join(", ")))
}

/// `toolTimeoutSeconds` as a duration: a finite number of seconds of at least 0 (the SDK's
/// builder checks the spec's range); the error names that range.
pub fn seconds(value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        let range = anam::Operation::CreateTool.bound(anam::api::facts::Location::Body, "config.toolTimeoutSeconds");
        let range = range.map_or_else(|| "a number of seconds".to_owned(), |bound| bound.expected());
        format!("toolTimeoutSeconds is {value}, but must be {range}")
    })
}

/// Checks a tool with the SDK's builder, whose rules are the CLI's: its name, description, the
/// settings its type takes and needs (`x-anam-tool-types`), the URL, headers and timeout. The
/// knowledge groups are checked when planning (they are names); here a placeholder id stands
/// for each.
pub fn check(tool: &ToolSpec) -> Result<(), String> {
    let groups = tool.knowledge_groups.iter().flatten().map(|_| "placeholder".to_owned()).collect();
    tool.create(groups)?.build().map(drop).map_err(|e| in_file_terms(&in_file_types(e), file_field))
}

/// A validation error with the tool types named as the file names them (`webhook`, not
/// `SERVER_WEBHOOK`).
pub fn in_file_types(mut error: anam::ValidationError) -> anam::ValidationError {
    for (file, wire) in TYPES {
        error.expected = error.expected.replace(wire, file);
    }
    error
}

/// A field as the API names it (`config.documentFolderIds`, `config.headers.X`), as the file
/// names it (`knowledgeGroups`, `headers.X`).
pub fn file_field(wire: &str) -> String {
    let field = wire.strip_prefix("config.").unwrap_or(wire);
    match field.strip_prefix("documentFolderIds") {
        Some(rest) => format!("knowledgeGroups{rest}"),
        None => field.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook() -> ToolSpec {
        ToolSpec {
            name: "crm_lookup".into(),
            kind: "webhook".into(),
            description: "Find a customer.".into(),
            url: Some("https://crm.example.com/find".into()),
            method: Some("POST".into()),
            headers: Some(BTreeMap::from([("Authorization".into(), Hidden("Bearer s3cret".into()))])),
            ..ToolSpec::default()
        }
    }

    #[test]
    fn each_type_is_checked_with_the_sdk_and_named_as_the_file_names_it() {
        assert!(check(&webhook()).is_ok());
        assert!(!format!("{:?}", webhook()).contains("s3cret"), "a header value is never shown");
        let no_url = ToolSpec { url: None, ..webhook() };
        assert_eq!(check(&no_url).unwrap_err(), "url is unset, but must be set for webhook tools");
        let relative = ToolSpec { url: Some("/find".into()), ..webhook() };
        assert!(
            check(&relative).unwrap_err().starts_with("url is \"/find\" (relative URL without a base), but must be")
        );
        let client = ToolSpec { kind: "client".into(), url: None, method: None, headers: None, ..webhook() };
        let waits = ToolSpec { tool_timeout_seconds: Some(30.0), ..client.clone() };
        assert!(check(&waits).unwrap_err().starts_with("toolTimeoutSeconds is set, but must be set only with"));
        let on_client = ToolSpec { body_template: Some("{}".into()), ..client.clone() };
        assert_eq!(
            check(&on_client).unwrap_err(),
            "bodyTemplate is set, but must be absent for client tools (it applies to webhook)"
        );
        let odd = ToolSpec { kind: "robot".into(), ..client.clone() };
        assert_eq!(
            check(&odd).unwrap_err(),
            "type is \"robot\", but must be one of webhook, client, knowledge, system"
        );
        let rag = ToolSpec { kind: "knowledge".into(), knowledge_groups: Some(vec![]), ..client.clone() };
        assert!(check(&rag).unwrap_err().starts_with("knowledgeGroups is [], but must be at least one"));
        let method = ToolSpec { method: Some("FETCH".into()), ..webhook() };
        assert!(check(&method).unwrap_err().starts_with("method is \"FETCH\", but must be one of GET"));
        assert_eq!(file_field("config.documentFolderIds[1]"), "knowledgeGroups[1]");
        assert_eq!(
            (file_type("SERVER_WEBHOOK"), file_type("SERVER_RAG"), file_type("NEW_KIND")),
            ("webhook", "knowledge", "NEW_KIND")
        );
        let no_groups = ToolSpec { kind: "knowledge".into(), ..client.clone() };
        assert_eq!(check(&no_groups).unwrap_err(), "knowledgeGroups is unset, but must be set for knowledge tools");
        let timeout = ToolSpec { tool_timeout_seconds: Some(-1.0), await_result: Some(true), ..client };
        assert_eq!(check(&timeout).unwrap_err(), "toolTimeoutSeconds is -1, but must be between 1 and 600");
    }

    /// The file's settings.
    const SETTINGS: [&str; 9] = crate::plan::tool::CONFIG;

    /// `tool` with the setting `field` written.
    fn with(mut tool: ToolSpec, field: &str) -> ToolSpec {
        match field {
            "url" => tool.url = Some("https://example.com/hook".into()),
            "method" => tool.method = Some("POST".into()),
            "headers" => tool.headers = Some(BTreeMap::from([("X-Key".into(), Hidden("v".into()))])),
            "bodyTemplate" => tool.body_template = Some("{}".into()),
            "parameters" => tool.parameters = Some(serde_json::json!({"type": "object"})),
            "awaitResult" => tool.await_result = Some(true),
            "toolTimeoutSeconds" => tool.tool_timeout_seconds = Some(30.0),
            "knowledgeGroups" => tool.knowledge_groups = Some(vec!["Handbook".into()]),
            "action" => tool.action = Some("end_call".into()),
            other => panic!("no such setting: {other}"),
        }
        tool
    }

    /// The SDK's wire name of a setting of the file.
    fn wire(field: &str) -> &str {
        if field == "knowledgeGroups" { "documentFolderIds" } else { field }
    }

    #[test]
    fn every_setting_a_type_does_not_take_is_refused_naming_it() {
        let fields = anam::api::facts::tool_config_fields(&Default::default()).map(|(f, _)| f);
        assert_eq!(SETTINGS.map(wire).iter().filter(|f| fields.contains(f)).count(), fields.len(), "every field");
        let mut refused = 0;
        for (kind, wire_type) in TYPES {
            let rules: Vec<_> =
                anam::api::facts::TOOL_CONFIG_FIELDS.iter().filter(|r| r.tool_type == wire_type).collect();
            let base = ToolSpec { name: "t".into(), kind: kind.into(), description: "d".into(), ..ToolSpec::default() };
            let base = rules.iter().filter(|r| r.required).fold(base, |tool, rule| {
                let field = SETTINGS.iter().find(|f| wire(f) == rule.field).unwrap();
                with(tool, field)
            });
            assert_eq!(check(&base), Ok(()), "{kind} with what it requires");
            for field in SETTINGS {
                let taken = rules.iter().any(|r| r.field == wire(field));
                let tool = with(base.clone(), field);
                // A timeout is taken only with awaitResult (the SDK's create rule).
                let tool = if taken && field == "toolTimeoutSeconds" { with(tool, "awaitResult") } else { tool };
                match check(&tool) {
                    Ok(()) => assert!(taken, "{kind} with {field} is accepted, but the type does not take it"),
                    Err(error) if !taken => {
                        let expected = format!("{field} is set, but must be absent for {kind} tools");
                        assert!(error.starts_with(&expected), "{kind} with {field}: {error}");
                        refused += 1;
                    }
                    Err(error) => panic!("{kind} with {field}, which it takes: {error}"),
                }
            }
        }
        assert_eq!(refused, TYPES.len() * SETTINGS.len() - anam::api::facts::TOOL_CONFIG_FIELDS.len());
    }
}
