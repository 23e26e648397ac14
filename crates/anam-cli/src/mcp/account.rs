//! `plan_account` and `apply_account`: the CLI's account file (see `file`, `plan`, `apply`,
//! `render`) for an assistant, behind two functions, [`plan`] and [`apply`]. Everything of
//! `anam mcp` that touches the account file's code is in this file.
//!
//! The file comes as YAML text. Its `${VARIABLES}` are not read: this server's environment holds
//! the API key, and a model must not be able to write it into a persona. Its documents are read
//! only inside the folder `--allow-files` gives (as `docs::Local::read` checks: no absolute path,
//! no `..`, no symbolic link out of it), and from an empty folder without it.
//!
//! A plan has a digest: the SHA-256 of the canonical JSON (keys sorted, no spaces) of the file's
//! text, the kinds pruned and the plan `render::json` writes. `apply` plans again and carries the
//! plan out only when its digest is the one given: what the user reviewed is what is applied,
//! and a change to the account since (or to the file) refuses the apply.
//!
//! The work runs on a thread of its own with its own single-threaded runtime: `apply`'s futures
//! share state without being `Send`, and rmcp runs each call as a task that must be.

use std::collections::HashSet;
use std::future::Future;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub use crate::account_commands::Connection;
use crate::account_commands::Session;
use crate::file::{self, Loaded};
use crate::gate::{DEFAULT_PARALLELISM, Gate};
use crate::spec::{File, Kind};
use crate::{apply as applying, plan as planning, render};

/// The file's name in messages (`file:3:5: personas[0].colour: unknown field ...`).
const SHOWN: &str = "file";

/// What `apply` did: the plan with each action's result, and, when an action failed, the
/// one-line report of what failed, what was done and what was not attempted.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The plan with results (`render::json` with outcomes), its digest and how many changes
    /// were applied.
    pub document: Value,
    /// What failed, if anything did.
    pub failure: Option<String>,
}

/// The plan of the file `text` (pruning the kinds `prune` names, as the file's sections name
/// them; documents read under `documents`): `{digest, changes, actions, summary}`.
pub async fn plan(
    connection: &Connection,
    documents: Option<&Path>,
    text: String,
    prune: Vec<String>,
) -> Result<Value, String> {
    let (connection, documents) = (connection.clone(), documents.map(Path::to_path_buf));
    on_own_thread(move || async move {
        let planned = planned(&connection, documents, &text, &prune).await?;
        Ok(planned.document)
    })
    .await
}

/// Carries out the plan of `text` when its digest is `digest` (the one [`plan`] returned for
/// the same file, prune and account); refused otherwise, with nothing done.
pub async fn apply(
    connection: &Connection,
    documents: Option<&Path>,
    text: String,
    prune: Vec<String>,
    digest: String,
) -> Result<Applied, String> {
    let (connection, documents) = (connection.clone(), documents.map(Path::to_path_buf));
    on_own_thread(move || async move {
        let Planned { actions, document, digest: now, client, gate, .. } =
            planned(&connection, documents, &text, &prune).await?;
        if now != digest {
            return Err(format!(
                "digest is {:?}, but that is not the plan of this file now: the account or the file changed since \
                 plan_account, or the digest is another plan's. Nothing was changed: call plan_account again, show its \
                 plan to the user, and apply with its digest",
                crate::text::shorten(&digest)
            ));
        }
        let changes = actions.iter().filter(|a| a.changes_something()).count();
        if changes == 0 {
            return Ok(Applied { document: with(document, "applied", Value::from(0)), failure: None });
        }
        let (stop, record) = (applying::Stop::default(), applying::Record::new(actions.len()));
        let context = applying::Context {
            client: &client,
            gate: &gate,
            shown: SHOWN,
            stop: &stop,
            record: &record,
            started: &|_| {},
            done: &|_, _| {},
        };
        let outcomes = applying::apply(&context, &actions).await;
        let done = outcomes
            .iter()
            .zip(&actions)
            .filter(|(o, a)| a.changes_something() && matches!(o, applying::Outcome::Done(_)))
            .count();
        let mut document = parse(&render::json(&actions, Some(&outcomes))?)?;
        document = with(document, "digest", Value::from(now));
        document = with(document, "applied", Value::from(done));
        let failure = applying::report(&actions, &outcomes, false).map(|lines| lines.join("\n"));
        Ok(Applied { document, failure })
    })
    .await
}

/// A plan and what carrying it out needs.
struct Planned {
    /// The actions, in the plan's order.
    actions: Vec<planning::Action>,
    /// The plan as JSON, with its digest and how many changes it has.
    document: Value,
    /// The digest.
    digest: String,
    /// The client it was planned with (its retries tell the gate).
    client: anam::Client,
    /// The gate of its requests.
    gate: std::sync::Arc<Gate>,
    /// The empty folder documents were read from, when no folder was given: kept until the
    /// plan is carried out.
    _empty: Option<tempfile::TempDir>,
}

/// The plan of `text`: the file checked (no variables read; documents under `documents`, else
/// under an empty folder), the account read, the actions planned, and the digest.
async fn planned(
    connection: &Connection,
    documents: Option<PathBuf>,
    text: &str,
    prune: &[String],
) -> Result<Planned, String> {
    if text.len() > file::MAX_FILE_BYTES {
        return Err(format!("file is larger than {} MiB, the limit of an account file", file::MAX_FILE_BYTES >> 20));
    }
    let (dir, empty) = match &documents {
        Some(dir) => (dir.clone(), None),
        None => {
            let empty = tempfile::tempdir().map_err(|e| format!("cannot make an empty folder: {e}"))?;
            (empty.path().to_path_buf(), Some(empty))
        }
    };
    let (file, read) = file::check(text, SHOWN, &dir, &|_| None).map_err(|e| in_mcp_terms(e, documents.is_some()))?;
    let kinds = pruned(prune, &file)?;
    let Session { client, gate, downloads } = connection.open(DEFAULT_PARALLELISM)?;
    let loaded = Loaded { file, documents: read, shown: SHOWN.to_owned() };
    let actions = planning::plan(&client, &gate, &loaded, &kinds, &downloads).await?;
    let plan = parse(&render::json(&actions, None)?)?;
    let digest = digest(text, &kinds, &plan);
    let changes = actions.iter().filter(|a| a.changes_something()).count();
    let document = with(with(plan, "changes", Value::from(changes)), "digest", Value::from(digest.clone()));
    Ok(Planned { actions, document, digest, client, gate, _empty: empty })
}

/// A message of the file's checks in `anam mcp`'s terms: a variable is not read from the
/// environment; documents are read only with `--allow-files`.
fn in_mcp_terms(message: String, reads_files: bool) -> String {
    // A file's problems come a line each.
    let lines = message.split('\n').map(|line| match line.find(" is not set: set the environment variable ") {
        Some(at) => format!(
            "{} is a variable, which anam mcp does not read from its environment: write the value in the file ($${{ is a literal ${{)",
            &line[..at]
        ),
        None => line.to_owned(),
    });
    let message = lines.collect::<Vec<_>>().join("\n");
    match reads_files || !message.contains("documents") {
        true => message,
        false => format!(
            "{message} (anam mcp reads documents only inside the folder --allow-files gives, and it was started without one)"
        ),
    }
}

/// The kinds `prune` names, each of which needs its section in the file (pruning a kind the
/// file does not describe would delete all of it).
fn pruned(prune: &[String], file: &File) -> Result<HashSet<Kind>, String> {
    let mut kinds = HashSet::new();
    for (i, name) in prune.iter().enumerate() {
        let kind = Kind::from_str(name, false).map_err(|_| {
            format!("prune[{i}] is {name:?}, but must be one of knowledgeGroups, tools, personas, shareLinks")
        })?;
        file.prunable(kind).map_err(|why| format!("prune[{i}] is {:?}, but {why}", kind.section()))?;
        kinds.insert(kind);
    }
    Ok(kinds)
}

/// The digest of a plan: `sha256:` and the hex SHA-256 of the canonical JSON of the file's
/// text, the kinds pruned (sorted) and the plan.
fn digest(text: &str, prune: &HashSet<Kind>, plan: &Value) -> String {
    let mut kinds: Vec<&str> = prune.iter().map(|k| k.section()).collect();
    kinds.sort_unstable();
    let whole = json!({"file": text, "prune": kinds, "plan": plan});
    let mut canonical = String::new();
    write_canonical(&whole, &mut canonical);
    let hash = Sha256::digest(canonical.as_bytes());
    format!("sha256:{}", hash.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// `value` as JSON with every object's keys sorted and no spaces, whatever order it holds them in.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// `document` (an object) with `key` set to `value` first.
fn with(document: Value, key: &str, value: Value) -> Value {
    let mut out = Map::new();
    out.insert(key.to_owned(), value);
    if let Value::Object(map) = document {
        out.extend(map.into_iter().filter(|(k, _)| k != key));
    }
    Value::Object(out)
}

/// The JSON `render::json` wrote.
fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("cannot read the plan back as JSON: {e}"))
}

/// `work` on a thread of its own, on a single-threaded runtime of its own (see the module's
/// documentation), awaited without blocking the server.
async fn on_own_thread<T, F, Fut>(work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, String>>,
{
    let run = move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the account file's runtime: {e}"))?;
        runtime.block_on(work())
    };
    tokio::task::spawn_blocking(run).await.map_err(|e| format!("the account file's work stopped: {e}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_the_same_for_the_same_plan_in_any_key_order_and_differs_otherwise() {
        let plan = json!({"actions": [{"kind": "persona", "name": "a", "changes": []}], "summary": {"create": 1}});
        let reordered: Value = serde_json::from_str(
            r#"{"summary": {"create": 1}, "actions": [{"changes": [], "name": "a", "kind": "persona"}]}"#,
        )
        .unwrap();
        let none = HashSet::new();
        let tools = HashSet::from([Kind::Tool]);
        let first = digest("personas: []", &none, &plan);
        assert!(first.starts_with("sha256:") && first.len() == 7 + 64, "{first}");
        assert_eq!(first, digest("personas: []", &none, &reordered));
        assert_ne!(first, digest("personas: [] ", &none, &plan), "the file's text counts");
        assert_ne!(first, digest("personas: []", &tools, &plan), "the kinds pruned count");
        let other = json!({"actions": [{"kind": "persona", "name": "b", "changes": []}], "summary": {"create": 1}});
        assert_ne!(first, digest("personas: []", &none, &other), "the plan counts");
        let mut canonical = String::new();
        write_canonical(&json!({"b": [1, "x\"y"], "a": null}), &mut canonical);
        assert_eq!(canonical, r#"{"a":null,"b":[1,"x\"y"]}"#);
    }

    #[test]
    fn variables_are_not_read_and_documents_need_a_folder() {
        let empty = tempfile::tempdir().unwrap();
        let text = "tools:\n  - {name: t, type: webhook, description: d, url: '${ANAM_API_KEY}', method: GET}\n  - {name: u, type: client, description: '${HOME}'}\n";
        let err = file::check(text, SHOWN, empty.path(), &|_| None).map_err(|e| in_mcp_terms(e, false)).unwrap_err();
        let variable = "is a variable, which anam mcp does not read from its environment: write the value in the file ($${ is a literal ${)";
        assert_eq!(
            err,
            format!(
                "file:2:46: tools[0].url: ${{ANAM_API_KEY}} {variable}\nfile:3:29: tools[1].description: ${{HOME}} {variable}"
            ),
            "every problem, each in anam mcp's terms"
        );
        let text = "knowledgeGroups:\n  - name: Handbook\n    documents: [hours.md]\n";
        let err = file::check(text, SHOWN, empty.path(), &|_| None).map_err(|e| in_mcp_terms(e, false)).unwrap_err();
        assert!(err.contains("documents") && err.ends_with("and it was started without one)"), "{err}");
        let file = file::check("personas: []\n", SHOWN, empty.path(), &|_| None).unwrap().0;
        assert_eq!(pruned(&["personas".into()], &file).unwrap(), HashSet::from([Kind::Persona]));
        let err = pruned(&["tools".into()], &file).unwrap_err();
        assert_eq!(
            err,
            "prune[0] is \"tools\", but the file has no `tools:` section; write `tools: []` to delete every tool"
        );
        assert_eq!(with(json!({"a": 1, "b": 2}), "b", json!(3)), json!({"b": 3, "a": 1}));
    }
}
