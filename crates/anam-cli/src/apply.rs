//! `apply`: carrying a plan out, in parallel where `order` allows, through the [`Gate`].
//!
//! Each action waits for what it depends on, then for a slot; on the first failure no action
//! starts any more (those under way finish), and the report says what was done, what failed
//! (with what to do next, see [`failure`]) and what was not attempted. A second run plans again
//! from what the server holds, so once the cause is gone it completes the rest. A create the
//! server refused with a plain 429 (it did nothing) is tried again, twice at most, after the
//! run's pause; the SDK retries everything else itself.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use anam::{Client, Limit};
use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use serde_json::Value;

use crate::gate::Gate;
use crate::plan::{Action, Created, Ref, Verb};
use crate::spec::Kind;
use crate::{advice, order, text};

/// How many times a create refused with a plain 429 is sent in all.
const REFUSED_CREATE_ATTEMPTS: u32 = 3;

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Carried out (nothing to do for an unchanged one), with the id of what it created.
    Done(Option<String>),
    /// It failed, for this reason (with what to do next).
    Failed(String),
    /// It was not started: an earlier failure stopped the run, or what it waited for failed.
    NotAttempted,
}

/// Carries out `actions` (`progress` ticks per change); returns each one's outcome, in the
/// actions' order. `shown` is the file's name, for advice.
pub async fn apply(
    client: &Client,
    gate: &Gate,
    actions: &[Action],
    shown: &str,
    progress: &indicatif::ProgressBar,
) -> Vec<Outcome> {
    let waits = order::dependencies(actions);
    let Some(sequence) = order::topological(&waits) else {
        let failed = Outcome::Failed("the plan's actions wait for each other in a circle; nothing was done".into());
        return actions.iter().map(|_| failed.clone()).collect();
    };
    let (created, stop) = (Created::default(), AtomicBool::new(false));
    let mut runs: Vec<Option<Shared<LocalBoxFuture<'_, Outcome>>>> = vec![None; actions.len()];
    for i in sequence {
        let before: Vec<_> = waits[i].iter().filter_map(|&j| runs[j].clone()).collect();
        let (action, created, stop) = (&actions[i], &created, &stop);
        let run = async move {
            for earlier in before {
                if !matches!(earlier.await, Outcome::Done(_)) {
                    return Outcome::NotAttempted;
                }
            }
            carry_out(client, gate, action, created, stop, shown, progress).await
        };
        runs[i] = Some(run.boxed_local().shared());
    }
    futures::future::join_all(runs.into_iter().map(|run| async move {
        match run {
            Some(run) => run.await,
            None => Outcome::NotAttempted,
        }
    }))
    .await
}

/// One action, once what it waits for is done: a slot, then its request(s); a failure stops
/// the run.
async fn carry_out(
    client: &Client,
    gate: &Gate,
    action: &Action,
    created: &Created,
    stop: &AtomicBool,
    shown: &str,
    progress: &indicatif::ProgressBar,
) -> Outcome {
    let Some(run) = action.run.as_ref().filter(|_| action.changes_something()) else {
        return Outcome::Done(None);
    };
    let mut attempt = 1;
    let outcome = loop {
        let slot = gate.admit().await;
        if stop.load(Ordering::SeqCst) {
            return Outcome::NotAttempted;
        }
        progress.set_message(text::line(&describe(action)));
        let request = match run(client, created) {
            Ok(request) => request,
            Err(reason) => break Err(Outcome::Failed(reason)),
        };
        let outcome = request.await;
        gate.learn(outcome.as_ref().err());
        drop(slot);
        match outcome {
            Err(error) if refused_for_now(&error, action) && attempt < REFUSED_CREATE_ATTEMPTS => attempt += 1,
            Err(error) => break Err(Outcome::Failed(failure(&error, action, shown))),
            Ok(id) => break Ok(id),
        }
    };
    progress.inc(1);
    match outcome {
        Ok(id) => {
            if let (Verb::Create, Some(id)) = (action.verb, &id) {
                created.put(Ref { kind: action.kind, name: action.name.clone() }, id.clone());
            }
            Outcome::Done(id)
        }
        Err(failed) => {
            stop.store(true, Ordering::SeqCst);
            failed
        }
    }
}

/// Whether a create was refused with a plain 429 (too many requests, not a plan's limit): the
/// server did nothing, so sending it again after the pause is safe.
fn refused_for_now(error: &anam::Error, action: &Action) -> bool {
    action.verb == Verb::Create && error.limit() == Some(Limit::Requests)
}

/// What a finished apply printed: a line per change done, in the plan's order; or, if
/// something failed, the one-line report of what failed, what was done and what was not
/// attempted.
pub fn report(actions: &[Action], outcomes: &[Outcome]) -> Result<String, String> {
    let changed = || actions.iter().zip(outcomes).filter(|(a, _)| a.changes_something());
    let failed: Vec<(&Action, &String)> = changed()
        .filter_map(|(a, o)| match o {
            Outcome::Failed(why) => Some((a, why)),
            _ => None,
        })
        .collect();
    let done: Vec<(&Action, Option<&String>)> = changed()
        .filter_map(|(a, o)| match o {
            Outcome::Done(id) => Some((a, id.as_ref().or(a.id.as_ref()))),
            _ => None,
        })
        .collect();
    let Some((first, why)) = failed.first() else {
        let lines = done.iter().map(|(a, id)| text::line(&format!("{} ({})", past(a), id.map_or("-", |s| s.as_str()))));
        return Ok(lines.collect::<Vec<_>>().join("\n"));
    };
    let total = changed().count();
    let mut report =
        format!("apply stopped after {} of {total} change(s): {} failed: {why}", done.len(), describe(first));
    if failed.len() > 1 {
        let others: Vec<String> = failed[1..].iter().map(|(a, _)| describe(a)).collect();
        let _ = write!(report, "; also failed: {}", few(&others));
    }
    if !done.is_empty() {
        let _ = write!(report, "; done: {}", few(&done.iter().map(|(a, _)| past(a)).collect::<Vec<_>>()));
    }
    let skipped: Vec<String> =
        changed().filter(|(_, o)| **o == Outcome::NotAttempted).map(|(a, _)| describe(a)).collect();
    if !skipped.is_empty() {
        let _ = write!(report, "; not attempted: {}", few(&skipped));
    }
    Err(report)
}

/// Why `action` failed and what to do next. Running apply again helps only when a retry can
/// ([`anam::Error::is_retryable`]: timeouts, lost connections, 408, 429, 5xx). A refusal
/// (another 4xx) comes back until the file changes, so it names the field the server refused
/// as the file names it (`personas[1].avatarModel`, else `personas[1]`), with the server's
/// reason, and says to change it there.
pub fn failure(error: &anam::Error, action: &Action, shown: &str) -> String {
    let said = advice::sdk(error);
    if error.is_retryable() {
        return format!("{}; run apply again to finish", text::clip(&said, 120));
    }
    let status = error.status().map(|s| s.as_u16());
    match (status, action.verb, &action.at) {
        (Some(401), _, _) => format!("{}; then run apply again", text::clip(&said, 160)),
        (Some(404), Verb::Delete, _) => format!("{}; it is no longer on the server: run plan", text::clip(&said, 120)),
        (Some(400..=499), Verb::Create | Verb::Update, Some(at)) => {
            let code = status.unwrap_or_default();
            let (field, reason) = match refused(error, action.kind) {
                Some((field, reason)) => (format!("{at}.{field}"), format!("{code}: {reason}")),
                None => (at.clone(), said),
            };
            // The file's own name, not its path: the user knows where it is, and the line has room.
            let name = shown.rsplit(['/', '\\']).next().unwrap_or(shown);
            format!("the server refuses {field} ({}); change it in {name}, then run plan", text::clip(&reason, 110))
        }
        (Some(400..=499), Verb::Delete, _) => {
            let id = action.id.as_deref().unwrap_or("-");
            format!("{} (the {} {id}); run plan to see what is left", text::clip(&said, 120), action.kind.noun())
        }
        _ => format!("{}; run plan to see what is left", text::clip(&said, 160)),
    }
}

/// The field the server's error answer names (its first detail's path), as the file names it
/// for `kind`, and the detail's message.
fn refused(error: &anam::Error, kind: Kind) -> Option<(String, String)> {
    let detail = error.as_api()?.details.first()?;
    let wire = match detail.path.as_ref()? {
        Value::Array(parts) => {
            parts.iter().map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned)).collect::<Vec<_>>().join(".")
        }
        Value::String(path) => path.clone(),
        _ => return None,
    };
    let reason = detail.message.clone().unwrap_or_else(|| "refused".to_owned());
    let field = match kind {
        Kind::Persona => crate::spec::persona::file_field(&wire),
        Kind::Tool => crate::spec::tool::file_field(&wire),
        _ => wire.clone(),
    };
    (!wire.is_empty()).then_some((field, reason))
}

/// At most three items of a list, then how many more there are.
fn few(items: &[String]) -> String {
    if items.len() <= 3 {
        return items.join(", ");
    }
    format!("{}, and {} more", items[..3].join(", "), items.len() - 3)
}

/// A carried-out action in a few words (`created persona Front desk`).
fn past(action: &Action) -> String {
    let verb = match action.verb {
        Verb::Create => "created",
        Verb::Update => "updated",
        Verb::Delete => "deleted",
        Verb::Unchanged => "kept",
    };
    format!("{verb} {} {}", action.kind.noun(), text::shorten(&action.name))
}

/// An action in a few words, for the report of a stopped apply (`create persona Night shift`).
fn describe(action: &Action) -> String {
    let verb = match action.verb {
        Verb::Create => "create",
        Verb::Update => "update",
        Verb::Delete => "delete",
        Verb::Unchanged => "keep",
    };
    format!("{verb} {} {}", action.kind.noun(), text::shorten(&action.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_apply_lists_a_few_and_counts_the_rest() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
        assert_eq!(few(&items[..3]), "a, b, c");
        assert_eq!(few(&items), "a, b, c, and 2 more");
        let action = |verb, name: &str| Action {
            kind: Kind::Persona,
            name: name.into(),
            at: Some("personas[0]".into()),
            id: None,
            verb,
            changes: Vec::new(),
            uses: Vec::new(),
            refers_to: None,
            run: None,
        };
        let actions = [
            action(Verb::Update, "a"),
            action(Verb::Create, "b"),
            action(Verb::Create, "c"),
            action(Verb::Unchanged, "d"),
        ];
        let outcomes = [
            Outcome::Done(None),
            Outcome::Failed("500; run apply again to finish".into()),
            Outcome::NotAttempted,
            Outcome::Done(None),
        ];
        assert_eq!(
            report(&actions, &outcomes).unwrap_err(),
            "apply stopped after 1 of 3 change(s): create persona b failed: 500; run apply again to finish; done: updated \
             persona a; not attempted: create persona c"
        );
        let outcomes = [
            Outcome::Done(None),
            Outcome::Done(Some("id-b".into())),
            Outcome::Done(Some("id-c".into())),
            Outcome::Done(None),
        ];
        assert_eq!(
            report(&actions, &outcomes).unwrap(),
            "updated persona a (-)\ncreated persona b (id-b)\ncreated persona c (id-c)"
        );
    }
}
