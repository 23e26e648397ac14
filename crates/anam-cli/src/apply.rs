//! `apply`: carrying a plan out, in parallel where `order` allows, through the [`Gate`].
//!
//! Each action waits for what it depends on, then for a slot. On the first failure, or when the
//! run is interrupted ([`Stop`]), no action starts any more and those under way finish; the
//! caller hears of each change as it is done (to print a line for it), and [`report`] then says
//! what failed (with what to do next, see [`failure`]) and what was not attempted. The outcomes
//! are kept in a [`Record`] as they come, so that a run abandoned while requests are under way
//! (its future dropped) still says what it did. A second run plans again from what the server
//! holds, so once the cause is gone it completes the rest. A create the server refused with a
//! plain 429 (it did nothing) is tried again, twice at most, after the run's pause; the SDK
//! retries everything else itself.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use anam::{Client, Limit};
use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use serde_json::Value;
use tokio::sync::Notify;

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
    /// It was not started: an earlier failure or an interruption stopped the run, or what it
    /// waited for did not happen.
    NotAttempted,
    /// It was under way when the run was abandoned (a second interruption): it may or may not
    /// have happened.
    Abandoned,
}

/// What stops a run from starting actions: its first failure, or an interruption (Ctrl-C).
#[derive(Debug, Default)]
pub struct Stop {
    stopped: AtomicBool,
    interrupted: AtomicBool,
    notify: Notify,
}

impl Stop {
    /// Stops the run because it was interrupted.
    pub fn interrupt(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
        self.halt();
    }

    /// Whether the run was interrupted.
    pub fn was_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Stops the run: no action starts any more, and those waiting for a slot give up.
    fn halt(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Whether the run is stopped.
    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Waits until the run is stopped.
    async fn stopped(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }
}

/// Where each action of a run is, kept as it goes (one thread runs the whole apply).
#[derive(Debug)]
pub struct Record(RefCell<Vec<Step>>);

/// Where one action is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Not started.
    Waiting,
    /// Its request(s) are under way.
    UnderWay,
    /// Over.
    Over(Outcome),
}

impl Record {
    /// The record of a run of `actions` actions.
    pub fn new(actions: usize) -> Record {
        Record(RefCell::new(vec![Step::Waiting; actions]))
    }

    /// How many actions are under way.
    pub fn under_way(&self) -> usize {
        self.0.borrow().iter().filter(|s| **s == Step::UnderWay).count()
    }

    /// Each action's outcome so far, for a run abandoned now: what was under way is
    /// [`Outcome::Abandoned`], what had not started [`Outcome::NotAttempted`].
    pub fn abandoned(&self) -> Vec<Outcome> {
        let steps = self.0.borrow();
        steps
            .iter()
            .map(|step| match step {
                Step::Waiting => Outcome::NotAttempted,
                Step::UnderWay => Outcome::Abandoned,
                Step::Over(outcome) => outcome.clone(),
            })
            .collect()
    }

    /// Notes where action `i` is.
    fn set(&self, i: usize, step: Step) {
        if let Some(slot) = self.0.borrow_mut().get_mut(i) {
            *slot = step;
        }
    }
}

/// What a run needs besides its actions: where the API is, the gate, the file's name (for
/// advice), what stops it, where it records its outcomes, and whom it tells of each change that
/// starts and each change done (the action and, for a create, the new id).
pub struct Context<'a> {
    /// The client.
    pub client: &'a Client,
    /// The gate every request goes through.
    pub gate: &'a Gate,
    /// The file's name as messages show it.
    pub shown: &'a str,
    /// What stops the run.
    pub stop: &'a Stop,
    /// Where the outcomes are kept as they come.
    pub record: &'a Record,
    /// Told of each change as it starts (for the progress bar's message).
    pub started: &'a dyn Fn(&Action),
    /// Told of each change as soon as it is done.
    pub done: &'a dyn Fn(&Action, Option<&String>),
}

/// Carries out `actions`; returns each one's outcome, in the actions' order.
pub async fn apply(context: &Context<'_>, actions: &[Action]) -> Vec<Outcome> {
    let waits = order::dependencies(actions);
    let Some(sequence) = order::topological(&waits) else {
        let failed = Outcome::Failed("the plan's actions wait for each other in a circle; nothing was done".into());
        return actions.iter().map(|_| failed.clone()).collect();
    };
    let created = Created::default();
    let mut runs: Vec<Option<Shared<LocalBoxFuture<'_, Outcome>>>> = vec![None; actions.len()];
    for i in sequence {
        let before: Vec<_> = waits[i].iter().filter_map(|&j| runs[j].clone()).collect();
        let (action, created) = (&actions[i], &created);
        let run = async move {
            for earlier in before {
                if !matches!(earlier.await, Outcome::Done(_)) {
                    context.record.set(i, Step::Over(Outcome::NotAttempted));
                    return Outcome::NotAttempted;
                }
            }
            let outcome = carry_out(context, i, action, created).await;
            context.record.set(i, Step::Over(outcome.clone()));
            outcome
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

/// Action `i`, once what it waits for is done: a slot, then its request(s); a failure stops
/// the run, and a change done is told at once.
async fn carry_out(context: &Context<'_>, i: usize, action: &Action, created: &Created) -> Outcome {
    let Some(run) = action.run.as_ref().filter(|_| action.changes_something()) else {
        return Outcome::Done(None);
    };
    let Context { client, gate, stop, .. } = context;
    let mut attempt = 1;
    let outcome = loop {
        let slot = tokio::select! {
            slot = gate.admit() => slot,
            () = stop.stopped() => return Outcome::NotAttempted,
        };
        if stop.is_stopped() {
            return Outcome::NotAttempted;
        }
        context.record.set(i, Step::UnderWay);
        (context.started)(action);
        let request = match run(client, created) {
            Ok(request) => request,
            Err(reason) => break Err(Outcome::Failed(reason)),
        };
        let outcome = request.await;
        gate.learn(outcome.as_ref().err());
        drop(slot);
        match outcome {
            Err(error) if refused_for_now(&error, action) && attempt < REFUSED_CREATE_ATTEMPTS => attempt += 1,
            Err(error) => break Err(Outcome::Failed(failure(&error, action, context.shown))),
            Ok(id) => break Ok(id),
        }
    };
    match outcome {
        Ok(id) => {
            if let (Verb::Create, Some(id)) = (action.verb, &id) {
                created.put(Ref { kind: action.kind, name: action.name.clone() }, id.clone());
            }
            (context.done)(action, id.as_ref().or(action.id.as_ref()));
            Outcome::Done(id)
        }
        Err(failed) => {
            stop.halt();
            failed
        }
    }
}

/// Whether a create was refused with a plain 429 (too many requests, not a plan's limit): the
/// server did nothing, so sending it again after the pause is safe.
fn refused_for_now(error: &anam::Error, action: &Action) -> bool {
    action.verb == Verb::Create && error.limit() == Some(Limit::Requests)
}

/// The line printed for a change as soon as it is done: `created persona Front desk (ID)`.
pub fn done_line(action: &Action, id: Option<&String>) -> String {
    text::line(&format!("{} ({})", past(action), id.map_or("-", |s| s.as_str())))
}

/// What to say on stderr after a run that did not carry out every change (`None` when it did):
/// a first line with the counts, then a line per change that failed (why, and what to do) and
/// per change abandoned under way or not attempted, in the plan's order. Every change done was
/// told as it was (see [`done_line`]). Each line is one clean line.
pub fn report(actions: &[Action], outcomes: &[Outcome], interrupted: bool) -> Option<Vec<String>> {
    let changed: Vec<(&Action, &Outcome)> =
        actions.iter().zip(outcomes).filter(|(a, _)| a.changes_something()).collect();
    let count = |wanted: fn(&Outcome) -> bool| changed.iter().filter(|(_, o)| wanted(o)).count();
    let done = count(|o| matches!(o, Outcome::Done(_)));
    if done == changed.len() && !interrupted {
        return None;
    }
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let abandoned = count(|o| *o == Outcome::Abandoned);
    let skipped = count(|o| *o == Outcome::NotAttempted);
    let what = if interrupted { "interrupted" } else { "stopped" };
    let mut counts = vec![format!("{failed} failed"), format!("{skipped} not attempted")];
    if abandoned > 0 {
        counts.push(format!("{abandoned} abandoned under way"));
    }
    let mut lines = vec![format!(
        "error: apply {what} after {done} of {} change(s) were done (each printed on standard output as it was): {}",
        changed.len(),
        counts.join(", ")
    )];
    for (action, outcome) in &changed {
        match outcome {
            Outcome::Failed(why) => lines.push(format!("failed: {}: {why}", describe(action))),
            Outcome::Abandoned => lines.push(format!(
                "abandoned: {} (under way when the run was abandoned: it may or may not have been done; run plan)",
                describe(action)
            )),
            _ => {}
        }
    }
    for (action, outcome) in &changed {
        if **outcome == Outcome::NotAttempted {
            lines.push(format!("not attempted: {}", describe(action)));
        }
    }
    Some(lines.iter().map(|line| text::line(line)).collect())
}

/// Why `action` failed and what to do next. Running apply again helps only when a retry can
/// ([`anam::Error::is_retryable`]: timeouts, lost connections, 408, 429, 5xx). A refusal
/// (another 4xx) comes back until the file changes, so it names the field the server refused
/// as the file names it (`personas[1].avatarModel`, else `personas[1]`), with the server's
/// reason, and says to change it there.
pub fn failure(error: &anam::Error, action: &Action, shown: &str) -> String {
    let said = advice::sdk(error);
    if error.is_retryable() {
        return format!("{}; run apply again to finish", text::clip(&said, 200));
    }
    let status = error.status().map(|s| s.as_u16());
    match (status, action.verb, &action.at) {
        (Some(401), _, _) => format!("{}; then run apply again", text::clip(&said, 200)),
        (Some(404), Verb::Delete, _) => format!("{}; it is no longer on the server: run plan", text::clip(&said, 200)),
        (Some(400..=499), Verb::Create | Verb::Update, Some(at)) => {
            let code = status.unwrap_or_default();
            let (field, reason) = match refused(error, action.kind) {
                Some((field, reason)) => (format!("{at}.{field}"), format!("{code}: {reason}")),
                None => (at.clone(), said),
            };
            // The file's own name, not its path: the user knows where it is, and the line has room.
            let name = shown.rsplit(['/', '\\']).next().unwrap_or(shown);
            format!("the server refuses {field} ({}); change it in {name}, then run plan", text::clip(&reason, 180))
        }
        (Some(400..=499), Verb::Delete, _) => {
            let id = action.id.as_deref().unwrap_or("-");
            format!("{} (the {} {id}); run plan to see what is left", text::clip(&said, 200), action.kind.noun())
        }
        _ => format!("{}; run plan to see what is left", text::clip(&said, 200)),
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

/// An action in a few words, for the progress bar and the report of a stopped apply (`create
/// persona Night shift`).
pub fn describe(action: &Action) -> String {
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

    fn action(verb: Verb, name: &str) -> Action {
        Action {
            kind: Kind::Persona,
            name: name.into(),
            at: Some("personas[0]".into()),
            id: None,
            verb,
            changes: Vec::new(),
            uses: Vec::new(),
            refers_to: None,
            run: None,
        }
    }

    #[test]
    fn a_stopped_apply_says_each_failure_and_each_change_not_attempted_on_a_line() {
        let actions = [
            action(Verb::Update, "a"),
            action(Verb::Create, "b"),
            action(Verb::Create, "c"),
            action(Verb::Unchanged, "d"),
            action(Verb::Delete, "e"),
        ];
        let outcomes = [
            Outcome::Done(None),
            Outcome::Failed("500; run apply again to finish".into()),
            Outcome::NotAttempted,
            Outcome::Done(None),
            Outcome::NotAttempted,
        ];
        assert_eq!(
            report(&actions, &outcomes, false).unwrap(),
            [
                "error: apply stopped after 1 of 4 change(s) were done (each printed on standard output as it was): 1 \
                 failed, 2 not attempted",
                "failed: create persona b: 500; run apply again to finish",
                "not attempted: create persona c",
                "not attempted: delete persona e",
            ]
        );
        let interrupted =
            [Outcome::Done(None), Outcome::Abandoned, Outcome::NotAttempted, Outcome::Done(None), Outcome::Done(None)];
        let lines = report(&actions, &interrupted, true).unwrap();
        assert!(lines[0].starts_with("error: apply interrupted after 2 of 4 change(s)"), "{lines:?}");
        assert!(lines[0].ends_with("0 failed, 1 not attempted, 1 abandoned under way"), "{lines:?}");
        assert!(lines[1].starts_with("abandoned: create persona b (under way when"), "{lines:?}");
        let all = [
            Outcome::Done(None),
            Outcome::Done(Some("id-b".into())),
            Outcome::Done(None),
            Outcome::Done(None),
            Outcome::Done(None),
        ];
        assert_eq!(report(&actions, &all, false), None);
        assert_eq!(done_line(&actions[1], Some(&"id-b".to_owned())), "created persona b (id-b)");
    }

    #[test]
    fn a_record_tells_what_was_under_way_when_a_run_is_abandoned() {
        let record = Record::new(3);
        record.set(0, Step::Over(Outcome::Done(None)));
        record.set(1, Step::UnderWay);
        assert_eq!(record.under_way(), 1);
        assert_eq!(record.abandoned(), [Outcome::Done(None), Outcome::Abandoned, Outcome::NotAttempted]);
    }
}
