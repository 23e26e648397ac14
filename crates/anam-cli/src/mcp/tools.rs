//! The tools, built at run time: one per operation of the operation table (`Operation::ALL`),
//! named as the operation in snake case, described from the spec, its input schema the
//! operation's (`Operation::input_schema`) and its annotations from what the operation does
//! (`Operation::effect`, `is_idempotent`); then the task tools of `tasks` and `account`.
//!
//! An operation added to the spec and regenerated has its tool with no line written here.

use std::sync::Arc;

use anam::Operation;
use anam::api::facts::{Effect, InputKind};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::names;

/// What a tool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// An operation of the API, through `anam::dynamic`.
    Operation(Operation),
    /// `find`: a persona, avatar, voice, LLM, tool or knowledge group by name.
    Find,
    /// `session_report`: the sessions of a period, condensed.
    SessionReport,
    /// `plan_account`: what applying an account file would change.
    PlanAccount,
    /// `apply_account`: carries out a plan reviewed with `plan_account`.
    ApplyAccount,
}

/// The task tools, by name.
pub const TASKS: [(&str, Task); 4] = [
    ("find", Task::Find),
    ("session_report", Task::SessionReport),
    ("plan_account", Task::PlanAccount),
    ("apply_account", Task::ApplyAccount),
];

impl Task {
    /// Whether it only reads (`--read-only` keeps it).
    pub fn reads_only(self) -> bool {
        match self {
            Task::Operation(op) => op.effect() == Effect::Reads,
            Task::Find | Task::SessionReport | Task::PlanAccount => true,
            Task::ApplyAccount => false,
        }
    }
}

/// Which tools a server offers: `--read-only` and `--tools`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only the tools that only read.
    pub read_only: bool,
    /// Only the operations of these resources (the first word of `Operation::command`); the
    /// task tools are kept whatever it says.
    pub resources: Option<Vec<String>>,
}

impl Selection {
    /// Whether the tool of `task` is offered.
    pub fn keeps(&self, task: Task) -> bool {
        if self.read_only && !task.reads_only() {
            return false;
        }
        match (task, &self.resources) {
            (Task::Operation(op), Some(resources)) => {
                resources.iter().any(|r| Some(&r.as_str()) == op.command().first())
            }
            _ => true,
        }
    }

    /// Why the tool of `task` is not offered, for an error naming it.
    pub fn why_not(&self, task: Task) -> &'static str {
        if self.read_only && !task.reads_only() { "--read-only" } else { "--tools" }
    }
}

/// The resources `--tools` takes: the first words of the operations' commands, in the table's
/// order, each once.
pub fn resources() -> Vec<String> {
    let mut resources: Vec<String> = Vec::new();
    for op in Operation::ALL {
        if let Some(first) = op.command().first()
            && !resources.iter().any(|r| r == first)
        {
            resources.push((*first).to_owned());
        }
    }
    resources
}

/// An operation's tool name: its operationId in snake case (`getSessionTranscript` is
/// `get_session_transcript`).
pub fn tool_name(op: Operation) -> String {
    let mut name = String::new();
    for c in op.id().chars() {
        if c.is_ascii_uppercase() {
            if !name.is_empty() {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

/// Every tool, operations first in the table's order, then the task tools; each with what it
/// runs. `files` says whether the server reads files (`--allow-files`), which the file inputs'
/// descriptions tell.
pub fn all(files: bool) -> Vec<(Task, Tool)> {
    let operations = Operation::ALL.iter().map(|&op| (Task::Operation(op), operation_tool(op, files)));
    let tasks = TASKS.iter().map(|&(name, task)| (task, task_tool(name, task, files)));
    operations.chain(tasks).collect()
}

/// The tool of `op`.
fn operation_tool(op: Operation, files: bool) -> Tool {
    let annotations = ToolAnnotations::with_title(op.summary())
        .read_only(op.effect() == Effect::Reads)
        .destructive(op.effect() == Effect::Destroys)
        .idempotent(op.is_idempotent())
        .open_world(false);
    Tool::new(tool_name(op), description(op), Arc::new(input_schema(op, files)))
        .with_title(op.summary())
        .with_annotations(annotations)
}

/// The operation's summary and description, what it does to the account, and what its answer
/// shows of secrets.
fn description(op: Operation) -> String {
    let effect = match op.effect() {
        Effect::Reads => "It only reads.",
        Effect::Changes => "It changes the account.",
        Effect::Destroys => "It destroys something (a delete, a stop or a cancel): ask the user first.",
    };
    let secrets = match (op.hands_out_secret(), op.answer_secrets().is_empty()) {
        (true, _) => " Its answer holds a secret (a token or a signed URL) in clear: it exists to hand one out.",
        (false, false) => " Secrets in its answer are shown as [redacted].",
        (false, true) => "",
    };
    let names = match op.inputs().iter().any(|i| i.id_of.is_some_and(|s| names::noun(s).is_some())) {
        true => " Ids of personas, avatars, voices, LLMs, tools and knowledge groups can be given by name.",
        false => "",
    };
    let summary = op.summary().trim_end_matches('.');
    format!("{summary}.\n\n{}\n\n{effect}{secrets}{names} (`{} {}`)", op.description().trim(), op.method(), op.path())
}

/// The operation's input schema, each input that takes an id also said to take a name, and a
/// file input said to be a path inside `--allow-files`.
fn input_schema(op: Operation, files: bool) -> JsonObject {
    let mut schema: JsonObject = match serde_json::from_str(op.input_schema()) {
        Ok(Value::Object(schema)) => schema,
        // The generator writes an object for every operation (a test reads them all).
        _ => JsonObject::from_iter([("type".to_owned(), Value::from("object"))]),
    };
    let Some(Value::Object(properties)) = schema.get_mut("properties") else { return schema };
    for input in op.inputs() {
        let Some(Value::Object(property)) = properties.get_mut(input.name) else { continue };
        let note = if let Some(noun) = input.id_of.and_then(names::noun) {
            format!("An id, or the {noun}'s name (matched exactly, else in any case).")
        } else if input.kind == InputKind::File {
            match files {
                true => {
                    "A path to the file, inside the folder `anam mcp --allow-files` gives (relative to it).".to_owned()
                }
                false => "A path to the file; this server reads none: it was started without --allow-files.".to_owned(),
            }
        } else {
            continue;
        };
        let described = match property.get("description").and_then(Value::as_str) {
            Some(text) => format!("{} {note}", text.trim_end()),
            None => note,
        };
        property.insert("description".to_owned(), Value::from(described));
    }
    schema
}

/// A task tool.
fn task_tool(name: &'static str, task: Task, files: bool) -> Tool {
    let (title, description, schema) = match task {
        Task::Find => (
            "Find by name",
            "Finds a persona, avatar, voice, LLM, tool or knowledge group by name (case-insensitive), in one kind or \
             in all of them: the items of that name with their ids, and the near misses (names that contain it, or \
             a few letters away) when none has it exactly. It only reads.",
            find_schema(),
        ),
        Task::SessionReport => (
            "Report on sessions",
            "The sessions of a period (by default the last 7 days), newest first, each as one compact object: \
             when, how long, which persona, how it ended, its transcript (each message cut to a few hundred \
             characters) and its analytics' totals. For a model's context: at most `limit` sessions. It only reads.",
            session_report_schema(),
        ),
        Task::PlanAccount => (
            "Plan an account file",
            "What applying an account file (YAML: knowledgeGroups, tools, personas, shareLinks, each optional) would \
             change, action by action and field by field, secrets masked; it changes nothing. Its `digest` is what \
             apply_account needs to carry this plan out. ${VARIABLES} are not read from this server's environment: \
             write values in the file.",
            account_schema(false, files),
        ),
        Task::ApplyAccount => (
            "Apply an account file",
            "Carries out the plan of an account file that plan_account returned, given that plan's `digest`: it \
             plans again and refuses when the plan differs (the account or the file changed since), so only a \
             reviewed plan is applied. Answers each action's result. It may create, change and delete personas, \
             tools, knowledge groups, documents and share links: show the plan to the user first.",
            account_schema(true, files),
        ),
        Task::Operation(op) => return operation_tool(op, files),
    };
    let annotations = ToolAnnotations::with_title(title)
        .read_only(task.reads_only())
        .destructive(task == Task::ApplyAccount)
        .idempotent(true)
        .open_world(false);
    Tool::new(name, description, Arc::new(object(schema))).with_title(title).with_annotations(annotations)
}

/// The object of a schema written with `json!` (each of those below is one).
fn object(schema: Value) -> JsonObject {
    match schema {
        Value::Object(schema) => schema,
        _ => JsonObject::new(),
    }
}

/// The kinds `find` looks in, with the id schema of each.
pub const FIND_KINDS: [(&str, &str); 6] = [
    ("persona", "PersonaId"),
    ("avatar", "AvatarId"),
    ("voice", "VoiceId"),
    ("llm", "LlmId"),
    ("tool", "ToolId"),
    ("knowledge_group", "KnowledgeGroupId"),
];

/// `find`'s input schema.
fn find_schema() -> Value {
    let kinds: Vec<&str> = FIND_KINDS.iter().map(|(kind, _)| *kind).collect();
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "The name to look for (or an id)."},
            "kind": {"type": "string", "enum": kinds, "description": "Where to look; every kind when left out."},
        },
        "required": ["name"],
        "additionalProperties": false,
    })
}

/// The most sessions `session_report` reports.
pub const MAX_REPORTED_SESSIONS: u64 = 50;

/// How many sessions `session_report` reports unless told.
pub const DEFAULT_REPORTED_SESSIONS: u64 = 10;

/// `session_report`'s input schema.
fn session_report_schema() -> Value {
    let when = "7d, 24h, 30m or 2w (that long ago), a date (2026-12-01, midnight UTC) or an RFC 3339 time";
    json!({
        "type": "object",
        "properties": {
            "since": {"type": "string", "description": format!("The period's start: {when}. Default: 7d.")},
            "until": {"type": "string", "description": format!("The period's end: {when}. Default: now.")},
            "persona": {"type": "string", "description": "Only this persona's sessions: an id or the persona's name."},
            "limit": {
                "type": "integer", "minimum": 1, "maximum": MAX_REPORTED_SESSIONS, "default": DEFAULT_REPORTED_SESSIONS,
                "description": "The most sessions reported (the newest).",
            },
        },
        "additionalProperties": false,
    })
}

/// The kinds `prune` takes, as the file's sections name them.
pub const PRUNE_KINDS: [&str; 4] = ["knowledgeGroups", "tools", "personas", "shareLinks"];

/// The input schema of `plan_account`, or with `apply` of `apply_account` (which adds the
/// digest); `files` says whether documents can be read.
fn account_schema(apply: bool, files: bool) -> Value {
    let documents = match files {
        true => "Documents are read relative to the folder `anam mcp --allow-files` gives, and only inside it.",
        false => "This server reads no documents: it was started without --allow-files.",
    };
    let mut schema = json!({
        "type": "object",
        "properties": {
            "file": {
                "type": "string", "minLength": 1,
                "description": format!("The account file's YAML text (at most 4 MiB). {documents}"),
            },
            "prune": {
                "type": "array", "items": {"type": "string", "enum": PRUNE_KINDS}, "uniqueItems": true,
                "description": "Also delete what the file does not name, of these kinds (each needs its section in the file).",
            },
        },
        "required": ["file"],
        "additionalProperties": false,
    });
    if apply {
        schema["properties"]["digest"] = json!({
            "type": "string", "pattern": "^sha256:[0-9a-f]{64}$",
            "description": "The digest plan_account returned for this file and prune: the plan the user reviewed.",
        });
        schema["required"] = json!(["file", "digest"]);
    }
    schema
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The README's table of the tools, between these two lines.
    const README_START: &str = "<!-- mcp-tools: written by `UPDATE_README=1 cargo test -p anam-cli mcp::tools` -->";
    /// The line after the README's table.
    const README_END: &str = "<!-- /mcp-tools -->";

    /// The table of every tool, as the README shows it.
    fn readme_table() -> String {
        let mut table = String::from("| tool | operation | what it does | hints |\n|---|---|---|---|\n");
        for (task, tool) in all(true) {
            let a = tool.annotations.clone().unwrap_or_default();
            let mut hints = match (a.read_only_hint, a.destructive_hint) {
                (Some(true), _) => "read-only".to_owned(),
                (_, Some(true)) => "destructive".to_owned(),
                _ => "changes".to_owned(),
            };
            if a.read_only_hint != Some(true) && a.idempotent_hint == Some(true) {
                hints.push_str(", idempotent");
            }
            let operation = match task {
                Task::Operation(op) => {
                    if op.hands_out_secret() {
                        hints.push_str("; hands out a secret");
                    }
                    format!("`{}`", op.id())
                }
                _ => "(task)".to_owned(),
            };
            let title = tool.title.clone().unwrap_or_default().replace('|', "\\|");
            table.push_str(&format!("| `{}` | {operation} | {} | {hints} |\n", tool.name, title.trim_end_matches('.')));
        }
        table
    }

    #[test]
    fn the_readme_lists_every_tool_as_the_table_gives_it() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let start = readme.find(README_START).expect("the README has the table's start line") + README_START.len() + 1;
        let end = readme.find(README_END).expect("the README has the table's end line");
        let expected = readme_table();
        if readme[start..end] != expected {
            if std::env::var_os("UPDATE_README").is_some() {
                std::fs::write(&path, format!("{}{expected}{}", &readme[..start], &readme[end..])).unwrap();
            } else {
                panic!(
                    "the README's table of MCP tools differs from the tools: run UPDATE_README=1 cargo test -p anam-cli mcp::tools, and review the diff"
                );
            }
        }
        let readme = std::fs::read_to_string(&path).unwrap();
        for &op in Operation::ALL {
            assert!(readme.contains(&format!("| `{}` |", tool_name(op))), "{} is not in the README", tool_name(op));
        }
    }

    #[test]
    fn every_operation_has_one_tool_named_after_it_and_every_name_is_unique() {
        let tools = all(false);
        for &op in Operation::ALL {
            let found: Vec<&Tool> =
                tools.iter().filter(|(t, _)| *t == Task::Operation(op)).map(|(_, tool)| tool).collect();
            assert_eq!(found.len(), 1, "{}", op.id());
            assert_eq!(found[0].name, tool_name(op));
        }
        let names: HashSet<&str> = tools.iter().map(|(_, tool)| tool.name.as_ref()).collect();
        assert_eq!(names.len(), tools.len(), "tool names are unique");
        assert_eq!(tools.len(), Operation::ALL.len() + TASKS.len());
        for name in &names {
            let valid = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            assert!(valid && name.len() <= 64, "{name}");
        }
        assert_eq!(tool_name(Operation::GetSessionTranscript), "get_session_transcript");
        assert_eq!(tool_name(Operation::ListLlms), "list_llms");
        assert_eq!(tool_name(Operation::CreateVoicePresignedUpload), "create_voice_presigned_upload");
    }

    #[test]
    fn annotations_follow_what_each_operation_does() {
        for (task, tool) in all(true) {
            let a = tool.annotations.as_ref().expect("annotations");
            let Task::Operation(op) = task else { continue };
            assert_eq!(a.read_only_hint, Some(op.effect() == Effect::Reads), "{}", op.id());
            assert_eq!(a.destructive_hint, Some(op.effect() == Effect::Destroys), "{}", op.id());
            assert_eq!(a.idempotent_hint, Some(op.is_idempotent()), "{}", op.id());
            assert_eq!(a.open_world_hint, Some(false));
            assert!(tool.description.as_deref().is_some_and(|d| d.starts_with(op.summary().trim_end_matches('.'))));
        }
        let destroys = |name: &str| {
            let tools = all(false);
            let tool = tools.iter().find(|(_, t)| t.name == name).map(|(_, t)| t.clone()).unwrap();
            tool.annotations.unwrap().destructive_hint
        };
        for name in ["delete_persona", "stop_session", "cancel_meeting_invite", "apply_account"] {
            assert_eq!(destroys(name), Some(true), "{name}");
        }
        for name in ["create_persona", "update_persona", "list_personas", "plan_account", "find"] {
            assert_eq!(destroys(name), Some(false), "{name}");
        }
    }

    #[test]
    fn schemas_are_objects_and_say_where_names_and_files_go() {
        for (task, tool) in all(false) {
            assert_eq!(tool.input_schema.get("type"), Some(&Value::from("object")), "{}", tool.name);
            if let Task::Operation(op) = task {
                let generated: Value = serde_json::from_str(op.input_schema()).unwrap();
                assert_eq!(
                    generated["properties"].as_object().map(|p| p.len()),
                    tool.input_schema["properties"].as_object().map(|p| p.len())
                );
                assert_eq!(generated["required"], tool.input_schema.get("required").cloned().unwrap_or(Value::Null));
            }
        }
        let tools = all(false);
        let schema = |name: &str| {
            tools.iter().find(|(_, t)| t.name == name).map(|(_, t)| Value::Object((*t.input_schema).clone())).unwrap()
        };
        let id = schema("get_persona")["properties"]["id"]["description"].as_str().unwrap().to_owned();
        assert!(id.ends_with("An id, or the persona's name (matched exactly, else in any case)."), "{id}");
        let file =
            schema("upload_knowledge_group_document")["properties"]["file"]["description"].as_str().unwrap().to_owned();
        assert!(file.ends_with("this server reads none: it was started without --allow-files."), "{file}");
        let session = schema("get_session")["properties"]["id"]["description"].as_str().unwrap().to_owned();
        assert!(!session.contains("name"), "sessions have no names: {session}");
    }

    #[test]
    fn read_only_keeps_the_readers_and_tools_keeps_resources_and_tasks() {
        let read_only = Selection { read_only: true, resources: None };
        let kept: Vec<String> =
            all(false).into_iter().filter(|(t, _)| read_only.keeps(*t)).map(|(_, t)| t.name.into_owned()).collect();
        assert!(kept.contains(&"list_personas".to_owned()) && kept.contains(&"plan_account".to_owned()));
        assert!(kept.contains(&"find".to_owned()) && kept.contains(&"session_report".to_owned()));
        for gone in ["create_persona", "delete_persona", "apply_account", "create_session_token"] {
            assert!(!kept.contains(&gone.to_owned()), "{gone}");
        }
        let personas = Selection { read_only: false, resources: Some(vec!["personas".into(), "knowledge".into()]) };
        assert!(personas.keeps(Task::Operation(Operation::DeletePersona)));
        assert!(personas.keeps(Task::Operation(Operation::SearchKnowledgeGroup)));
        assert!(personas.keeps(Task::ApplyAccount) && personas.keeps(Task::Find));
        assert!(!personas.keeps(Task::Operation(Operation::ListVoices)));
        assert_eq!(personas.why_not(Task::Operation(Operation::ListVoices)), "--tools");
        assert_eq!(read_only.why_not(Task::ApplyAccount), "--read-only");
        assert!(resources().contains(&"share-links".to_owned()) && resources().len() < Operation::ALL.len());
    }
}
