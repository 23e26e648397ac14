//! The commands finished by hand, where a person reads the output: the seam the generic
//! commands of `operations` leave. For an operation it can give inputs taken as positional
//! arguments, change its command's arguments, change the request from its own flags, show the
//! answer for people (a table, a transcript, a link) instead of JSON, or run the command itself.
//! Everything not listed here is the generic command, whose answer is JSON.
//!
//! Every table shows names, not bare ids, where a name exists, and `--json` prints the answer
//! as scripts want it.

mod catalog;
mod knowledge;
mod sessions;
mod share_links;

use std::process::ExitCode;

use anam::Operation;
use anam::dynamic::Request;
use clap::{ArgMatches, Command};
use futures::future::BoxFuture;
use serde_json::Value;

use crate::operations::Context;

pub use sessions::{parse_when, persona_name, started};

/// Shows an answer for people.
pub type Show = for<'a> fn(&'a Context, Value, &'a ArgMatches) -> BoxFuture<'a, Result<String, String>>;

/// Runs a command whole, in place of the generic run.
pub type Run = for<'a> fn(&'a Context, &'a ArgMatches) -> BoxFuture<'a, Result<ExitCode, String>>;

/// Inputs a command takes as positional arguments, after the path's id.
pub fn positional(op: Operation) -> &'static [&'static str] {
    match op {
        Operation::SearchKnowledgeGroup => &["query"],
        Operation::CreateShareLink => &["personaId"],
        _ => &[],
    }
}

/// The command of `op` with its hand-made arguments and help.
pub fn command(op: Operation, command: Command) -> Command {
    match op {
        Operation::CreateSessionToken => sessions::token_command(command),
        Operation::ListSessions => sessions::list_command(command),
        Operation::GetSessionAnalytics => sessions::analytics_command(command),
        Operation::UploadKnowledgeGroupDocument => knowledge::upload_command(command),
        Operation::ListShareLinks | Operation::GetShareLink | Operation::CreateShareLink => {
            share_links::command(command)
        }
        _ => command,
    }
}

/// A resource's command with what is added to it by hand: `personas` keeps the old spellings
/// of the account commands, hidden.
pub fn resource(command: Command) -> Command {
    match command.get_name() {
        "personas" => crate::old_spellings(command),
        _ => command,
    }
}

/// Which items of a list a command keeps (a filter the API does not have).
pub type Keep = Box<dyn Fn(&Value) -> bool>;

/// The items of a list `op`'s command keeps, from its own flags.
pub fn keep(op: Operation, matches: &ArgMatches) -> Result<Option<Keep>, String> {
    Ok(match op {
        Operation::ListSessions => Some(Box::new(sessions::in_period(matches)?)),
        _ => None,
    })
}

/// A command run whole by hand.
pub fn run(op: Operation) -> Option<Run> {
    Some(match op {
        Operation::GetSessionAnalytics => sessions::analytics,
        Operation::UploadKnowledgeGroupDocument => knowledge::upload,
        _ => return None,
    })
}

/// `request` changed by the command's own flags, before it is sent.
pub async fn prepare(
    context: &Context,
    op: Operation,
    matches: &ArgMatches,
    request: Request,
) -> Result<Request, String> {
    match op {
        Operation::CreateSessionToken => sessions::token_request(context, matches, request).await,
        // Anam's built-in LLMs are listed too, unless the flag says otherwise.
        Operation::ListLlms if !request.values().contains_key("includeDefaults") => {
            Ok(request.arg("includeDefaults", true))
        }
        _ => Ok(request),
    }
}

/// How an answer of `op` is shown for people, if not as JSON.
pub fn show(op: Operation) -> Option<Show> {
    Some(match op {
        Operation::ListPersonas => catalog::personas,
        Operation::GetPersona => catalog::persona,
        Operation::ListAvatars => catalog::avatars,
        Operation::ListVoices => catalog::voices,
        Operation::ListLlms => catalog::llms,
        Operation::ListTools => catalog::tools,
        Operation::ListKnowledgeGroups => knowledge::groups,
        Operation::ListKnowledgeGroupDocuments => knowledge::documents,
        Operation::SearchKnowledgeGroup => knowledge::search,
        Operation::ListMeetingInvites => catalog::meeting_invites,
        Operation::ListSessions => sessions::list,
        Operation::GetSession => sessions::session,
        Operation::GetSessionTranscript => sessions::transcript,
        Operation::GetSessionRecording => sessions::recording,
        Operation::GetSessionConcurrency => sessions::concurrency,
        Operation::GetAggregatedSessionAnalytics => sessions::aggregate,
        Operation::CreateSessionToken => sessions::token,
        Operation::ListShareLinks | Operation::GetShareLink | Operation::CreateShareLink => share_links::show,
        _ => return None,
    })
}

/// The answer of `op` as `--json` prints it: as the API gives it, with a share link's URL added.
pub fn for_scripts(op: Operation, answer: Value) -> Value {
    match op {
        Operation::ListShareLinks | Operation::GetShareLink | Operation::CreateShareLink => {
            share_links::with_urls(answer)
        }
        _ => answer,
    }
}

/// A value for a table cell, `-` when there is none.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// A time as tables show it: `2026-12-01 10:00 UTC`.
fn time(value: Option<&Value>) -> String {
    use anam::chrono::{DateTime, Utc};
    let parsed = value.and_then(Value::as_str).and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    match parsed {
        Some(t) => t.with_timezone(&Utc).format("%Y-%m-%d %H:%M UTC").to_string(),
        None => cell(value),
    }
}

/// The items of a list answer: an array, or `data` of a page.
fn items(answer: &Value) -> &[Value] {
    match answer {
        Value::Array(items) => items,
        other => other.get("data").and_then(Value::as_array).map_or(&[], Vec::as_slice),
    }
}
