//! Knowledge for people: groups and documents as tables, a search's hits with their
//! documents, and documents uploaded several at once and waited for until they are processed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anam::api::facts::InputKind;
use anam::{Operation, Upload, WaitForDocument};
use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Value;

use super::{cell, items};
use crate::operations::{self, Context};
use crate::{advice, names, output, text};

const FILES: &str = "files";
const NO_WAIT: &str = "no-wait";

/// Knowledge groups: id, name, documents, description.
pub fn groups<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let rows: Vec<Vec<String>> = items(&answer)
        .iter()
        .map(|g| vec![cell(g.get("id")), cell(g.get("name")), cell(g.get("documentCount")), cell(g.get("description"))])
        .collect();
    std::future::ready(Ok(output::table(&["ID", "NAME", "DOCUMENTS", "DESCRIPTION"], &rows))).boxed()
}

/// A document's size for people: `12.3 KB`.
fn size(value: Option<&Value>) -> String {
    match value.and_then(Value::as_f64) {
        Some(bytes) if bytes >= 1e6 => format!("{:.1} MB", bytes / 1e6),
        Some(bytes) if bytes >= 1e3 => format!("{:.1} KB", bytes / 1e3),
        Some(bytes) => format!("{bytes} B"),
        None => "-".to_owned(),
    }
}

/// Documents: id, file name, status (with the reason it failed), size.
fn document_rows(documents: &[Value]) -> String {
    let rows: Vec<Vec<String>> = documents
        .iter()
        .map(|d| {
            let status = match d.get("errorMessage").and_then(Value::as_str) {
                Some(why) => format!("{} ({why})", cell(d.get("status"))),
                None => cell(d.get("status")),
            };
            vec![cell(d.get("id")), cell(d.get("filename")), status, size(d.get("fileSize"))]
        })
        .collect();
    output::table(&["ID", "FILE", "STATUS", "SIZE"], &rows)
}

/// A group's documents.
pub fn documents<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    std::future::ready(Ok(document_rows(items(&answer)))).boxed()
}

/// A search's hits, the best first: score, document and chunk, then the chunk's text.
pub fn search<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let hits = items(&answer);
    let mut out = String::new();
    if hits.is_empty() {
        out.push_str("no hits: nothing in the group's ready documents matches\n");
    }
    for hit in hits {
        let score = hit.get("score").and_then(Value::as_f64).map_or_else(|| "-".to_owned(), |s| format!("{s:.2}"));
        let chunk = hit.get("chunkIndex").map_or(String::new(), |c| format!(", chunk {}", cell(Some(c))));
        out.push_str(&text::line(&format!("{score}  {}{chunk}", cell(hit.get("filename")))));
        out.push('\n');
        let content = cell(hit.get("content")).split_whitespace().collect::<Vec<_>>().join(" ");
        for piece in text::wrap(&text::clip(&content, 400), 96) {
            out.push_str(&text::line(&format!("      {piece}")));
            out.push('\n');
        }
    }
    std::future::ready(Ok(out)).boxed()
}

/// `knowledge documents upload GROUP FILE...`: several files, waited for unless `--no-wait`.
pub fn upload_command(command: Command) -> Command {
    let file = Operation::UploadKnowledgeGroupDocument.inputs().iter().find(|i| i.kind == InputKind::File);
    let command = match file {
        Some(file) => command.mut_arg(file.name, |arg| arg.hide(true)),
        None => command,
    };
    command
        .arg(
            Arg::new(FILES)
                .index(2) // after the group
                .num_args(1..)
                .required(true)
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("The documents to upload (PDF, TXT, MD, DOCX or CSV, at most 50 MB each)"),
        )
        .arg(Arg::new(NO_WAIT).long(NO_WAIT).action(ArgAction::SetTrue).help("Do not wait until they are processed"))
        .after_help(
            "Uploads each file, then waits until every document is processed (READY, or FAILED with its reason), \
             with a progress line when standard error is a terminal; exits 1 if a document failed.",
        )
}

/// Runs `knowledge documents upload`.
pub fn upload<'a>(context: &'a Context, matches: &'a ArgMatches) -> BoxFuture<'a, Result<ExitCode, String>> {
    async move {
        let op = Operation::UploadKnowledgeGroupDocument;
        let request = names::resolve_inputs(context, operations::request(op, matches)?).await?;
        let files: Vec<&PathBuf> = matches.get_many::<PathBuf>(FILES).into_iter().flatten().collect();
        let progress = Progress::new();
        let mut documents = Vec::new();
        for (n, path) in files.iter().enumerate() {
            progress.say(&format!("uploading {} of {}: {}", n + 1, files.len(), text::file_name(path)));
            let document = context.client.call(request.clone().file(Upload::path(path))).await;
            documents.push(document.map_err(|e| format!("{}: {}", text::file_name(path), advice::sdk(&e)))?);
        }
        if !matches.get_flag(NO_WAIT) {
            documents = wait(context, documents, &progress).await;
        }
        progress.clear();
        let shown = match matches.get_flag("json") {
            true => output::json(&documents)?,
            false => document_rows(&documents),
        };
        operations::print(shown)?;
        let waited = !matches.get_flag(NO_WAIT);
        let not_ready: Vec<String> = documents
            .iter()
            .filter(|d| waited && d.get("status").and_then(Value::as_str) != Some("READY"))
            .map(|d| cell(d.get("filename")))
            .collect();
        match not_ready.is_empty() {
            true => Ok(ExitCode::SUCCESS),
            false => Err(format!("{} document(s) not ready: {}", not_ready.len(), not_ready.join(", "))),
        }
    }
    .boxed()
}

/// Each document once it is processed (or its last state, when waiting failed), in order.
async fn wait(context: &Context, documents: Vec<Value>, progress: &Progress) -> Vec<Value> {
    let total = documents.len();
    let mut done = Vec::with_capacity(total);
    for (n, document) in documents.into_iter().enumerate() {
        progress.say(&format!("processing: {n} of {total} ready"));
        let Some(id) = document.get("id").and_then(Value::as_str).map(str::to_owned) else {
            done.push(document);
            continue;
        };
        let waited =
            context.client.knowledge_documents().wait_until_processed(id.as_str(), WaitForDocument::default()).await;
        let now = match waited {
            Ok(ready) => serde_json::to_value(ready).unwrap_or(document),
            Err(anam::Error::Processing(failed)) => {
                let mut failed_doc = document;
                let status = failed.status.map_or_else(|| "PROCESSING".to_owned(), |s| s.to_string());
                failed_doc["status"] = Value::from(status);
                if let Some(why) = failed.reason {
                    failed_doc["errorMessage"] = Value::from(why);
                } else if !failed.failed {
                    failed_doc["errorMessage"] = Value::from(format!("not ready after {} s", failed.waited.as_secs()));
                }
                failed_doc
            }
            Err(_) => document,
        };
        done.push(now);
    }
    done
}

/// A progress line on standard error, redrawn in place, only when it is a terminal.
struct Progress {
    shown: bool,
}

impl Progress {
    fn new() -> Self {
        Progress { shown: operations::stderr_is_terminal() }
    }

    fn say(&self, what: &str) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\u{1b}[2K{}", text::line(what));
            let _ = err.flush();
        }
    }

    fn clear(&self) {
        if self.shown {
            let _ = write!(std::io::stderr().lock(), "\r\u{1b}[2K");
        }
    }
}
