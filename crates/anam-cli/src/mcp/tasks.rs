//! The task tools finished by hand, on top of the same generic call as every operation's tool:
//! `find` (names, with the CLI's matching and near misses: see `names`), `session_report` (a
//! period's sessions with their transcripts and analytics, condensed for a model's context),
//! and the arguments of `plan_account` and `apply_account` (which `account` carries out).

use anam::Operation;
use anam::chrono::{DateTime, Duration, Utc};
use anam::dynamic::Request;
use futures::{StreamExt, TryStreamExt};
use rmcp::model::JsonObject;
use serde_json::{Map, Value, json};

use super::tools::{DEFAULT_REPORTED_SESSIONS, FIND_KINDS, MAX_REPORTED_SESSIONS, PRUNE_KINDS};
use crate::operations::Context;
use crate::{advice, finish, names, text};

/// The longest message of a transcript a report keeps, in characters.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The most messages of one session a report keeps (the first ones, then how many more).
pub const MAX_MESSAGES: usize = 40;

/// How many sessions' transcripts and analytics are read at once.
const READ_AT_ONCE: usize = 4;

/// The arguments of a task tool, checked against the names it takes.
struct Arguments {
    tool: &'static str,
    values: JsonObject,
}

impl Arguments {
    /// `values`, refused when one is not among `known`.
    fn new(tool: &'static str, values: JsonObject, known: &[&str]) -> Result<Arguments, String> {
        if let Some(name) = values.keys().find(|name| !known.contains(&name.as_str())) {
            let name = text::shorten(name);
            return Err(format!("{name} is given, but must be one of the inputs of {tool}: {}", known.join(", ")));
        }
        Ok(Arguments { tool, values })
    }

    /// The text `name`, if given (`null` counts as not given).
    fn text(&self, name: &str) -> Result<Option<String>, String> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(format!("{name} is {}, but must be a text", shown(other))),
        }
    }

    /// The text `name`, which the tool needs (not empty).
    fn required_text(&self, name: &str) -> Result<String, String> {
        match self.text(name)? {
            Some(text) if !text.is_empty() => Ok(text),
            Some(_) => Err(format!("{name} is \"\", but must be a text that is not empty")),
            None => Err(format!("{name} is missing, but {} needs it", self.tool)),
        }
    }

    /// The whole number `name` (a number, or a text holding one), between `min` and `max`.
    fn whole(&self, name: &str, min: u64, max: u64) -> Result<Option<u64>, String> {
        let value = match self.values.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(value) => value,
        };
        let number = value.as_u64().or_else(|| value.as_str().and_then(|t| t.trim().parse().ok()));
        match number {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(format!("{name} is {}, but must be a whole number between {min} and {max}", shown(value))),
        }
    }

    /// The list of texts `name`, each one of `values`, each once.
    fn texts_among(&self, name: &str, values: &[&str]) -> Result<Vec<String>, String> {
        let items = match self.values.get(name) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(format!("{name} is {}, but must be a list of texts", shown(other))),
        };
        let mut texts: Vec<String> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) if values.contains(&text) && !texts.iter().any(|t| t == text) => texts.push(text.to_owned()),
                Some(text) if values.contains(&text) => {
                    return Err(format!("{name}[{i}] is {text:?} again, but each must be given once"));
                }
                _ => return Err(format!("{name}[{i}] is {}, but must be one of {}", shown(item), values.join(", "))),
            }
        }
        Ok(texts)
    }
}

/// A value as an error shows it: its JSON, shortened.
fn shown(value: &Value) -> String {
    text::shorten(&value.to_string())
}

/// `find`: the items of each kind asked (every kind when none is) whose id is `name` or whose
/// name is `name` in any case, and, when none is, the near misses.
pub async fn find(context: &Context, arguments: JsonObject) -> Result<Value, String> {
    let args = Arguments::new("find", arguments, &["name", "kind"])?;
    let name = args.required_text("name")?;
    let kinds: Vec<(&str, &'static str)> = match args.text("kind")? {
        None => FIND_KINDS.to_vec(),
        Some(kind) => match FIND_KINDS.iter().find(|(k, _)| *k == kind) {
            Some(found) => vec![*found],
            None => {
                let all: Vec<&str> = FIND_KINDS.iter().map(|(k, _)| *k).collect();
                return Err(format!("kind is {:?}, but must be one of {}", text::shorten(&kind), all.join(", ")));
            }
        },
    };
    let lower = name.to_lowercase();
    let (mut matches, mut near) = (Vec::new(), Vec::new());
    for (kind, schema) in kinds {
        let items = names::list(context, schema).await?;
        let item = |named: &names::Named| json!({"kind": kind, "id": named.id, "name": named.name});
        let found: Vec<Value> = items
            .iter()
            .filter(|i| i.id == name || i.name.as_ref().is_some_and(|n| n.to_lowercase() == lower))
            .map(item)
            .collect();
        if found.is_empty() {
            let close = names::near_misses(&items, &name);
            near.extend(items.iter().filter(|i| i.name.as_ref().is_some_and(|n| close.contains(n))).map(item));
        }
        matches.extend(found);
    }
    if !matches.is_empty() {
        near.clear();
    }
    Ok(json!({"name": name, "matches": matches, "nearMisses": near}))
}

/// `session_report`: the sessions that started in the period (by the list's `startTime`, as
/// `anam sessions list --since` filters them), newest first, at most `limit` of them, each with
/// its transcript and analytics condensed ([`condensed`]).
pub async fn session_report(context: &Context, arguments: JsonObject) -> Result<Value, String> {
    let args = Arguments::new("session_report", arguments, &["since", "until", "persona", "limit"])?;
    let now = Utc::now();
    let when = |name: &str, default: Option<&str>| -> Result<Option<DateTime<Utc>>, String> {
        match args.text(name)?.as_deref().or(default) {
            Some(text) => {
                finish::parse_when(text, now).map(Some).map_err(|e| format!("{name} is {:?}: {e}", text::shorten(text)))
            }
            None => Ok(None),
        }
    };
    let since = when("since", Some("7d"))?.unwrap_or(now - Duration::days(7));
    let until = when("until", None)?.unwrap_or(now);
    if since > until {
        return Err(format!("since is {since}, but must be before until ({until})"));
    }
    let limit = args.whole("limit", 1, MAX_REPORTED_SESSIONS)?.unwrap_or(DEFAULT_REPORTED_SESSIONS);
    let mut list = Request::new(Operation::ListSessions);
    if let Some(persona) = args.text("persona")? {
        list = names::resolve_inputs(context, list.arg("personaId", persona)).await?;
    }
    let sessions: Vec<Value> = context.client.call_pages(list).try_collect().await.map_err(|e| advice::sdk(&e))?;
    let mut in_period: Vec<(DateTime<Utc>, Value)> = sessions
        .into_iter()
        .filter_map(|s| {
            let start = finish::started(&s)?;
            (start >= since && start <= until).then_some((start, s))
        })
        .collect();
    in_period.sort_by_key(|(start, _)| std::cmp::Reverse(*start));
    let total = in_period.len();
    let personas = names::list(context, "PersonaId").await?;
    let reports: Vec<Value> = futures::stream::iter(in_period.into_iter().take(limit as usize))
        .map(|(_, session)| report(context, &personas, session))
        .buffered(READ_AT_ONCE)
        .collect()
        .await;
    Ok(json!({
        "since": since.to_rfc3339(),
        "until": until.to_rfc3339(),
        "sessions": total,
        "reported": reports.len(),
        "reports": reports,
    }))
}

/// One session's report: its transcript and (once it has ended) its analytics read, a
/// failure said in the report rather than for the whole period, and condensed.
async fn report(context: &Context, personas: &[names::Named], session: Value) -> Value {
    let id = session.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let ended = session.get("endTime").is_some_and(|t| !t.is_null());
    let read = |op: Operation| {
        let request = Request::new(op).arg("id", id.clone());
        async move { context.client.call(request).await.map_err(|e| advice::sdk(&e)) }
    };
    let analytics = async {
        match ended {
            true => read(Operation::GetSessionAnalytics).await,
            false => Ok(Value::Null),
        }
    };
    let (transcript, analytics) = futures::join!(read(Operation::GetSessionTranscript), analytics);
    condensed(personas, &session, transcript, analytics)
}

/// A session as one compact object: id, persona (by name), client label, start, seconds,
/// how it ended; the transcript as `role: message` lines (each at most [`MAX_MESSAGE_CHARS`],
/// at most [`MAX_MESSAGES`] of them); the analytics' totals without their empty fields.
pub fn condensed(
    personas: &[names::Named],
    session: &Value,
    transcript: Result<Value, String>,
    analytics: Result<Value, String>,
) -> Value {
    let mut out = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value.filter(|v| !v.is_null()) {
            out.insert(key.to_owned(), value);
        }
    };
    put("id", session.get("id").cloned());
    put("persona", Some(Value::from(finish::persona_name(personas, session))));
    put("clientLabel", session.get("clientLabel").cloned());
    put("start", session.get("startTime").cloned());
    let ended = session.get("endTime").is_some_and(|t| !t.is_null());
    let seconds = session.get("sessionLengthMs").and_then(Value::as_f64).map(|ms| (ms / 100.0).round() / 10.0);
    put("seconds", if ended { seconds.map(Value::from) } else { None });
    put(
        "ended",
        Some(if ended {
            session.get("exitStatus").cloned().unwrap_or(Value::from("ended"))
        } else {
            Value::from("running")
        }),
    );
    match transcript {
        Ok(transcript) => {
            let messages = transcript.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
            if messages.is_empty() && transcript.get("transcriptsEnabled").and_then(Value::as_bool) == Some(false) {
                put("transcript", Some(Value::from("transcripts were off for this session")));
            } else {
                let mut lines: Vec<Value> =
                    messages.iter().take(MAX_MESSAGES).map(message_line).map(Value::from).collect();
                if messages.len() > MAX_MESSAGES {
                    lines.push(Value::from(format!("… {} more message(s)", messages.len() - MAX_MESSAGES)));
                }
                put("transcript", Some(Value::Array(lines)));
            }
        }
        Err(error) => put("transcriptError", Some(Value::from(error))),
    }
    match analytics {
        Ok(analytics) => put("analytics", analytics.get("summary").map(without_nulls)),
        Err(error) => put("analyticsError", Some(Value::from(error))),
    }
    Value::Object(out)
}

/// `role: message`, the message cut at [`MAX_MESSAGE_CHARS`] characters, `(interrupted)` after
/// one that was.
fn message_line(message: &Value) -> String {
    let role = message.get("role").and_then(Value::as_str).unwrap_or("?");
    let said = message.get("message").and_then(Value::as_str).unwrap_or_default();
    let count = said.chars().count();
    let mut line = match count > MAX_MESSAGE_CHARS {
        true => format!("{role}: {}… ({count} characters)", said.chars().take(MAX_MESSAGE_CHARS).collect::<String>()),
        false => format!("{role}: {said}"),
    };
    if message.get("wasInterrupted").and_then(Value::as_bool) == Some(true) {
        line.push_str(" (interrupted)");
    }
    line
}

/// `value` without the fields that are `null`, at every level.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// The arguments of `plan_account` and `apply_account`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountArguments {
    /// The account file's YAML text.
    pub file: String,
    /// The kinds pruned, as the file's sections name them.
    pub prune: Vec<String>,
    /// The plan's digest (`apply_account`).
    pub digest: Option<String>,
}

/// The arguments of `plan_account` (or, with `apply`, `apply_account`, which needs a digest).
pub fn account_arguments(arguments: JsonObject, apply: bool) -> Result<AccountArguments, String> {
    let (tool, known): (&'static str, &[&str]) = match apply {
        true => ("apply_account", &["file", "prune", "digest"]),
        false => ("plan_account", &["file", "prune"]),
    };
    let args = Arguments::new(tool, arguments, known)?;
    let file = args.required_text("file")?;
    let prune = args.texts_among("prune", &PRUNE_KINDS)?;
    let digest = match apply {
        true => Some(args.required_text("digest")?),
        false => None,
    };
    Ok(AccountArguments { file, prune, digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The arguments of a call, from `json!`.
    fn object(value: Value) -> JsonObject {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn task_arguments_are_refused_with_the_field_and_what_it_takes() {
        let err = account_arguments(object(json!({"file": "personas: []", "colour": 1})), false).unwrap_err();
        assert_eq!(err, "colour is given, but must be one of the inputs of plan_account: file, prune");
        let err = account_arguments(object(json!({"file": "x", "prune": ["persons"]})), false).unwrap_err();
        assert_eq!(err, "prune[0] is \"persons\", but must be one of knowledgeGroups, tools, personas, shareLinks");
        let err = account_arguments(object(json!({"file": "x", "prune": ["tools", "tools"]})), false).unwrap_err();
        assert_eq!(err, "prune[1] is \"tools\" again, but each must be given once");
        let err = account_arguments(object(json!({"file": "x"})), true).unwrap_err();
        assert_eq!(err, "digest is missing, but apply_account needs it");
        assert_eq!(account_arguments(object(json!({"file": 3})), false).unwrap_err(), "file is 3, but must be a text");
        let ok = account_arguments(object(json!({"file": "x", "prune": ["personas"], "digest": "d"})), true).unwrap();
        assert_eq!(ok, AccountArguments { file: "x".into(), prune: vec!["personas".into()], digest: Some("d".into()) });

        let args = Arguments::new("session_report", object(json!({"limit": 500})), &["limit"]).unwrap();
        assert_eq!(
            args.whole("limit", 1, 50).unwrap_err(),
            "limit is 500, but must be a whole number between 1 and 50"
        );
        let args = Arguments::new("session_report", object(json!({"limit": "7"})), &["limit"]).unwrap();
        assert_eq!(args.whole("limit", 1, 50).unwrap(), Some(7));
    }

    #[test]
    fn a_session_is_condensed_to_one_compact_object() {
        let personas = vec![names::Named { id: "p1".into(), name: Some("Front desk".into()) }];
        let session = json!({"id": "s1", "personaId": "p1", "startTime": "2026-12-01T10:00:00Z",
            "endTime": "2026-12-01T10:04:12Z", "sessionLengthMs": 252_345, "exitStatus": "completed",
            "clientLabel": null, "engineHost": "e1"});
        let long = "x".repeat(MAX_MESSAGE_CHARS + 5);
        let mut messages = vec![
            json!({"role": "persona", "message": "Hello!"}),
            json!({"role": "user", "message": long, "wasInterrupted": true}),
        ];
        messages.extend((0..MAX_MESSAGES).map(|i| json!({"role": "user", "message": format!("m{i}")})));
        let transcript = json!({"messages": messages, "transcriptsEnabled": true});
        let analytics = json!({"summary": {"totalTurns": 2, "interruptionRate": null, "averageLatencies": {"a": 1, "b": null}}, "turns": [1, 2]});
        let report = condensed(&personas, &session, Ok(transcript), Ok(analytics));
        assert_eq!(report["persona"], "Front desk");
        assert_eq!(report["seconds"], 252.3);
        assert_eq!(report["ended"], "completed");
        assert!(report.get("clientLabel").is_none() && report.get("engineHost").is_none());
        let lines = report["transcript"].as_array().unwrap();
        assert_eq!(lines.len(), MAX_MESSAGES + 1);
        assert_eq!(lines[0], "persona: Hello!");
        assert!(
            lines[1].as_str().unwrap().ends_with(&format!("… ({} characters) (interrupted)", MAX_MESSAGE_CHARS + 5))
        );
        assert_eq!(lines[MAX_MESSAGES], "… 2 more message(s)");
        assert_eq!(report["analytics"], json!({"totalTurns": 2, "averageLatencies": {"a": 1}}));

        let running = json!({"id": "s2", "startTime": "2026-12-01T10:00:00Z", "endTime": null});
        let report = condensed(&personas, &running, Err("404 Not Found: no transcript".into()), Ok(json!({})));
        assert_eq!(report["persona"], "(ephemeral)");
        assert_eq!(report["ended"], "running");
        assert_eq!(report["transcriptError"], "404 Not Found: no transcript");
        assert!(report.get("seconds").is_none() && report.get("analytics").is_none());
    }
}
