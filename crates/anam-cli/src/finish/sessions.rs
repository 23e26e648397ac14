//! Sessions for people: a table of the sessions of a period with their personas' names, a
//! session described, a transcript read as a conversation, a recording's link, analytics as
//! a few lines; and session tokens minted for a persona named on the command line.

use std::process::ExitCode;

use anam::Operation;
use anam::chrono::{DateTime, Duration, NaiveDate, Utc};
use anam::dynamic::Request;
use clap::{Arg, ArgMatches, Command};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{cell, items, time};
use crate::operations::{self, Context};
use crate::{advice, names, output, text};

const SINCE: &str = "since";
const UNTIL: &str = "until";
const PERSONA: &str = "persona";
/// How far back `sessions analytics` looks without `--since`.
const DEFAULT_PERIOD_DAYS: i64 = 7;

/// `--since` and `--until`: the period of the sessions (or of the analytics).
fn period_args(command: Command, what: &str) -> Command {
    let when = "7d, 24h, 30m, 2w, a date (2026-12-01, midnight UTC) or a time (RFC 3339)";
    command
        .arg(
            Arg::new(SINCE)
                .long(SINCE)
                .value_name("WHEN")
                .help(format!("Only {what} that started at or after WHEN: {when}")),
        )
        .arg(Arg::new(UNTIL).long(UNTIL).value_name("WHEN").help(format!("Only {what} that started at or before WHEN")))
}

/// `sessions list`: a period and `--persona` (the list's `personaId`, by name or id).
pub fn list_command(command: Command) -> Command {
    let command = command.mut_arg("personaId", |arg| arg.visible_alias(PERSONA));
    period_args(command, "sessions")
        .after_help("The period is filtered here, from each session's start: the API's list has no date filter.")
}

/// Whether a session of the list started inside the command's period.
pub fn in_period(matches: &ArgMatches) -> Result<impl Fn(&Value) -> bool + use<>, String> {
    let (since, until) = (when(matches, SINCE)?, when(matches, UNTIL)?);
    Ok(move |session: &Value| match started(session) {
        Some(start) => since.is_none_or(|s| start >= s) && until.is_none_or(|u| start <= u),
        None => since.is_none() && until.is_none(),
    })
}

/// When a session (of the list, as JSON) started, if it says.
pub fn started(session: &Value) -> Option<DateTime<Utc>> {
    let start = session.get("startTime")?.as_str()?;
    DateTime::parse_from_rfc3339(start).ok().map(|t| t.with_timezone(&Utc))
}

/// The time a `--since`/`--until` flag gives, if it was given.
fn when(matches: &ArgMatches, flag: &str) -> Result<Option<DateTime<Utc>>, String> {
    match matches.try_get_one::<String>(flag).ok().flatten() {
        Some(text) => {
            parse_when(text, Utc::now()).map(Some).map_err(|e| format!("--{flag} {}: {e}", text::shorten(text)))
        }
        None => Ok(None),
    }
}

/// `7d` (that long before `now`), `2026-12-01` (midnight UTC) or an RFC 3339 time.
pub fn parse_when(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let expected = "write 7d, 24h, 30m or 2w, a date (2026-12-01) or a time (2026-12-01T09:30:00Z)";
    if let Some(unit) = text.chars().last().filter(|c| "mhdw".contains(*c)) {
        let amount: i64 = text[..text.len() - 1].parse().map_err(|_| expected.to_owned())?;
        let ago = match unit {
            'm' => Duration::try_minutes(amount),
            'h' => Duration::try_hours(amount),
            'd' => Duration::try_days(amount),
            _ => Duration::try_weeks(amount),
        };
        return ago
            .filter(|d| *d >= Duration::zero())
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| format!("not a period this clock can go back: {expected}"));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).ok_or_else(|| expected.to_owned());
    }
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|_| expected.to_owned())
}

/// A length in milliseconds as `4m 12s`.
fn length(ms: Option<i64>) -> String {
    match ms {
        None => "running".to_owned(),
        Some(ms) => {
            let seconds = ms.max(0) / 1000;
            match (seconds / 3600, seconds / 60 % 60, seconds % 60) {
                (0, 0, s) => format!("{s}s"),
                (0, m, s) => format!("{m}m {s:02}s"),
                (h, m, s) => format!("{h}h {m:02}m {s:02}s"),
            }
        }
    }
}

/// The persona a session ran, by name: `(ephemeral)` for a persona described in the token.
pub fn persona_name(personas: &[names::Named], session: &Value) -> String {
    match session.get("personaId").and_then(Value::as_str) {
        Some(id) => names::name_of(personas, id),
        None => "(ephemeral)".to_owned(),
    }
}

/// Sessions: start, duration, persona, status, id.
pub fn list<'a>(context: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    async move {
        let personas = names::list(context, "PersonaId").await?;
        let rows: Vec<Vec<String>> = items(&answer)
            .iter()
            .map(|s| {
                let ended = s.get("endTime").is_some_and(|t| !t.is_null());
                vec![
                    time(s.get("startTime")),
                    length(if ended { s.get("sessionLengthMs").and_then(Value::as_i64) } else { None }),
                    persona_name(&personas, s),
                    if ended { cell(s.get("exitStatus")) } else { "running".to_owned() },
                    cell(s.get("id")),
                ]
            })
            .collect();
        let mut shown = output::table(&["START", "DURATION", "PERSONA", "STATUS", "ID"], &rows);
        shown.push_str(&format!("{} session(s)\n", rows.len()));
        Ok(shown)
    }
    .boxed()
}

/// One session, a field per line.
pub fn session<'a>(context: &'a Context, s: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    async move {
        let personas = names::list(context, "PersonaId").await?;
        let ended = s.get("endTime").is_some_and(|t| !t.is_null());
        let rows = [
            ("id", cell(s.get("id"))),
            ("persona", persona_name(&personas, &s)),
            ("client label", cell(s.get("clientLabel"))),
            ("started", time(s.get("startTime"))),
            ("ended", if ended { time(s.get("endTime")) } else { "running".to_owned() }),
            ("duration", length(if ended { s.get("sessionLengthMs").and_then(Value::as_i64) } else { None })),
            ("status", if ended { cell(s.get("exitStatus")) } else { "running".to_owned() }),
            ("engine", cell(s.get("engineVersion"))),
        ];
        Ok(rows.iter().map(|(key, value)| text::line(&format!("{key:<14}{value}")) + "\n").collect())
    }
    .boxed()
}

/// A transcript as a conversation: `mm:ss role: message` lines, long messages wrapped.
pub fn transcript<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let messages = answer.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
    let start = answer.get("startTime").and_then(Value::as_str).and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let mut out = String::new();
    if messages.is_empty() {
        let why = match answer.get("transcriptsEnabled").and_then(Value::as_bool) {
            Some(false) => "no transcript: transcripts were off for this session",
            _ => "no messages",
        };
        out.push_str(why);
        out.push('\n');
    }
    for message in &messages {
        let at = message.get("timestamp").and_then(Value::as_str).and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        let offset = match (start, at) {
            (Some(start), Some(at)) => {
                let seconds = (at - start).num_seconds().max(0);
                format!("{:02}:{:02} ", seconds / 60, seconds % 60)
            }
            _ => String::new(),
        };
        let role = cell(message.get("role"));
        let interrupted = match message.get("wasInterrupted").and_then(Value::as_bool) {
            Some(true) => " (interrupted)",
            _ => "",
        };
        let said = cell(message.get("message"));
        let prefix = format!("{offset}{role:>7}: ");
        for (i, piece) in text::wrap(&format!("{said}{interrupted}"), 100).iter().enumerate() {
            let lead = if i == 0 { prefix.clone() } else { " ".repeat(prefix.chars().count()) };
            out.push_str(&text::line(&format!("{lead}{piece}")));
            out.push('\n');
        }
    }
    std::future::ready(Ok(out)).boxed()
}

/// A recording's link (a signed URL, valid about an hour), alone on its line.
pub fn recording<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let shown = match answer.get("recordingUrl").and_then(Value::as_str) {
        Some(url) => format!("{}\n", text::whole(url)),
        None => "no recording for this session\n".to_owned(),
    };
    std::future::ready(Ok(shown)).boxed()
}

/// How many sessions run, of how many the plan allows.
pub fn concurrency<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let can = match answer.get("canStartSession").and_then(Value::as_bool) {
        Some(true) => "a session can start now".to_owned(),
        Some(false) => match answer.get("estimatedWaitSeconds").and_then(Value::as_i64) {
            Some(wait) => format!("no session can start now (a slot frees in about {wait} s)"),
            None => "no session can start now".to_owned(),
        },
        None => "whether a session can start is not known".to_owned(),
    };
    let shown =
        format!("{} of {} session slots in use; {can}\n", cell(answer.get("active")), cell(answer.get("limit")));
    std::future::ready(Ok(shown)).boxed()
}

/// `sessions analytics [ID]`: the analytics of one session, or with no id, of the sessions of a
/// period (`--since`, default 7 days; `--until`, default now; `--persona`).
pub fn analytics_command(command: Command) -> Command {
    let command = command
        .mut_arg("id", |arg| arg.required(false).help("The session (leave it out for the analytics of a period)"))
        .arg(
            Arg::new(PERSONA)
                .long(PERSONA)
                .value_name("PERSONA|ID")
                .help("With no session: only this persona's sessions"),
        );
    period_args(command, "sessions").after_help(
        "With no session id, prints the aggregated analytics of the period (at most 31 days; 7 days by default).",
    )
}

/// Runs `sessions analytics`.
pub fn analytics<'a>(context: &'a Context, matches: &'a ArgMatches) -> BoxFuture<'a, Result<ExitCode, String>> {
    async move {
        let json = matches.get_flag("json");
        let id = matches.try_get_one::<String>("id").ok().flatten();
        let (op, request) = match id {
            Some(_) => {
                let op = Operation::GetSessionAnalytics;
                (op, operations::request(op, matches)?)
            }
            None => {
                let now = Utc::now();
                let from = when(matches, SINCE)?.unwrap_or(now - Duration::days(DEFAULT_PERIOD_DAYS));
                let to = when(matches, UNTIL)?.unwrap_or(now);
                let mut request = Request::new(Operation::GetAggregatedSessionAnalytics)
                    .arg("from", from.to_rfc3339())
                    .arg("to", to.to_rfc3339());
                if let Some(persona) = matches.try_get_one::<String>(PERSONA).ok().flatten() {
                    request = request.arg("personaId", names::id(context, "PersonaId", persona).await?);
                }
                (Operation::GetAggregatedSessionAnalytics, request)
            }
        };
        let answer = context.client.call(request).await.map_err(|e| advice::sdk(&e))?;
        let shown = match (json, op) {
            (true, _) => output::json(&answer)?,
            (false, Operation::GetSessionAnalytics) => one_session(context, &answer).await?,
            (false, _) => aggregate_lines(&answer),
        };
        operations::print(shown)?;
        Ok(ExitCode::SUCCESS)
    }
    .boxed()
}

/// A number of seconds, `0.95 s`.
fn seconds(value: Option<&Value>) -> String {
    match value.and_then(Value::as_f64) {
        Some(s) => format!("{s:.2} s"),
        None => "-".to_owned(),
    }
}

/// A rate of 0 to 1 as a percentage.
fn percent(value: Option<&Value>) -> String {
    match value.and_then(Value::as_f64) {
        Some(rate) => format!("{:.0}%", rate * 100.0),
        None => "-".to_owned(),
    }
}

/// Key-value lines.
fn lines(rows: &[(&str, String)]) -> String {
    rows.iter().map(|(key, value)| text::line(&format!("{key:<14}{value}")) + "\n").collect()
}

/// One session's analytics in a few lines.
async fn one_session(context: &Context, a: &Value) -> Result<String, String> {
    let personas = names::list(context, "PersonaId").await?;
    let summary = a.get("summary").cloned().unwrap_or(json!({}));
    let at = |key: &str| summary.get(key);
    let tools = summary.get("toolCalls").cloned().unwrap_or(json!({}));
    let latency = summary.get("averageLatencies").cloned().unwrap_or(json!({}));
    Ok(lines(&[
        ("session", cell(a.get("sessionId"))),
        ("persona", persona_name(&personas, a)),
        ("started", time(a.get("startTime"))),
        ("duration", length(a.get("durationSeconds").and_then(Value::as_f64).map(|s| (s * 1000.0) as i64))),
        ("status", cell(a.get("exitStatus"))),
        (
            "turns",
            format!(
                "{} ({} completed, {} interrupted: {})",
                cell(at("totalTurns")),
                cell(at("completedTurns")),
                cell(at("interruptedTurns")),
                percent(at("interruptionRate"))
            ),
        ),
        ("words", format!("user {}, persona {}", cell(at("totalUserWords")), cell(at("totalAssistantWords")))),
        (
            "tool calls",
            format!(
                "{} ({} succeeded, {} failed)",
                cell(tools.get("total")),
                cell(tools.get("succeeded")),
                cell(tools.get("failed"))
            ),
        ),
        (
            "latency",
            format!(
                "first audio {}, LLM first output {}, transcription {} (averages)",
                seconds(latency.get("firstAudioLatencySeconds")),
                seconds(latency.get("llmTimeToFirstOutputSeconds")),
                seconds(latency.get("transcriptionLatencySeconds"))
            ),
        ),
        ("problems", format!("{} warning(s), {} error(s)", cell(at("totalWarnings")), cell(at("totalErrors")))),
    ]))
}

/// `sessions aggregated-analytics` for people.
pub fn aggregate<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    std::future::ready(Ok(aggregate_lines(&answer))).boxed()
}

/// A period's analytics in a few lines.
fn aggregate_lines(a: &Value) -> String {
    let counts = a.get("counts").cloned().unwrap_or(json!({}));
    let rates = a.get("rates").cloned().unwrap_or(json!({}));
    let first_audio = a.pointer("/latencies/firstAudioLatencySeconds").cloned().unwrap_or(json!({}));
    let truncated = match a.get("truncated").and_then(Value::as_bool) {
        Some(true) => " (only the 1000 most recent were aggregated)",
        _ => "",
    };
    lines(&[
        ("period", format!("{} to {}", time(a.get("from")), time(a.get("to")))),
        (
            "sessions",
            format!("{} ({} with reports){truncated}", cell(a.get("sessionCount")), cell(a.get("sessionsWithReports"))),
        ),
        (
            "turns",
            format!(
                "{} ({} completed, {} interrupted: {})",
                cell(a.get("turnCount")),
                cell(counts.get("completedTurns")),
                cell(counts.get("interruptedTurns")),
                percent(rates.get("interruptionRate"))
            ),
        ),
        (
            "first audio",
            format!(
                "p50 {}, p90 {}, p99 {}, max {}",
                seconds(first_audio.get("p50")),
                seconds(first_audio.get("p90")),
                seconds(first_audio.get("p99")),
                seconds(first_audio.get("max"))
            ),
        ),
        (
            "tool calls",
            format!(
                "{} (failure rate {})",
                cell(counts.pointer("/toolCalls/total")),
                percent(rates.get("toolCallFailureRate"))
            ),
        ),
        (
            "problems",
            format!(
                "{} warning(s), {} error(s); sessions with errors: {}",
                cell(counts.get("totalWarnings")),
                cell(counts.get("totalErrors")),
                percent(rates.get("errorSessionRate"))
            ),
        ),
    ])
}

/// `session-token [PERSONA]`: a stored persona by name or id, or `--persona-config` / `--body`
/// for one described here.
pub fn token_command(command: Command) -> Command {
    command
        .arg(Arg::new(PERSONA).index(1).value_name("PERSONA|ID").help("The persona to mint a token for, by name or id"))
        .after_help("Prints the token alone on its line (with --json, {\"sessionToken\": ...}): give it to a browser or app, never log it.")
}

/// The token request for the persona named on the command line, labelled `anam-cli` unless
/// `--client-label` says otherwise.
pub async fn token_request(context: &Context, matches: &ArgMatches, mut request: Request) -> Result<Request, String> {
    if let Some(persona) = matches.try_get_one::<String>(PERSONA).ok().flatten() {
        let id = names::id(context, "PersonaId", persona).await?;
        request = request.arg("personaConfig", json!({"personaId": id}));
    }
    if !request.values().contains_key("personaConfig") {
        return Err(
            "name the persona (anam session-token <PERSONA>), or describe one with --persona-config or --body".into()
        );
    }
    if !request.values().contains_key("clientLabel") && Operation::CreateSessionToken.input("clientLabel").is_some() {
        request = request.arg("clientLabel", "anam-cli");
    }
    Ok(request)
}

/// The token alone on its line.
pub fn token<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let shown = match answer.get("sessionToken").and_then(Value::as_str) {
        Some(token) => Ok(format!("{}\n", text::whole(token))),
        None => Err("the answer holds no session token".to_owned()),
    };
    std::future::ready(shown).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_people_write_them() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z").unwrap().with_timezone(&Utc);
        let at = |text: &str| parse_when(text, now).map(|t| t.to_rfc3339());
        assert_eq!(at("7d").unwrap(), "2026-11-29T10:00:00+00:00");
        assert_eq!(at("24h").unwrap(), "2026-12-05T10:00:00+00:00");
        assert_eq!(at("2w").unwrap(), "2026-11-22T10:00:00+00:00");
        assert_eq!(at("2026-12-01").unwrap(), "2026-12-01T00:00:00+00:00");
        assert_eq!(at("2026-12-01T09:30:00+01:00").unwrap(), "2026-12-01T08:30:00+00:00");
        for bad in ["", "d", "-1d", "7x", "99999999999999d", "yesterday", "2026-13-01"] {
            assert!(at(bad).is_err(), "{bad:?}");
        }
        assert_eq!(length(Some(252_000)), "4m 12s");
        assert_eq!(length(Some(3_723_000)), "1h 02m 03s");
        assert_eq!(length(None), "running");
    }
}
