//! A plan for people (one clean line per action and per changed field, then a total) and for
//! CI bots (`--json`: one JSON document). Secrets are never shown: a changed header says
//! `(secret, changed)` in text, and `"(secret)"` in JSON.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::apply::Outcome;
use crate::plan::{Action, Verb};
use crate::{diff, text};

/// The plan for people: a line per action (`+ create     tool crm_lookup`), the changed fields
/// under an update, and a total. Every line is one clean line: names and values come from the
/// file and the server ([`text::line`]). A changed long or multi-line text shows what changed in
/// it (see `diff`), its lines indented under the field and shown as written
/// ([`text::verbatim_line`]: their quotes are the text's own).
pub fn plan(actions: &[Action]) -> String {
    // The diffs of a whole plan share a deadline (see `diff`).
    let deadline = Instant::now() + DIFF_TIME;
    let mut out = String::new();
    let push = |out: &mut String, line: &str| out.push_str(&(text::line(line) + "\n"));
    let short = |v: &Value| match v {
        Value::Null => "(unset)".to_owned(),
        other => other.to_string(),
    };
    for action in actions {
        let what = format!("{} {}", action.kind.noun(), text::shorten(&action.name));
        let id = action.id.as_deref().map(|id| format!(" ({id})")).unwrap_or_default();
        match action.verb {
            Verb::Create => push(&mut out, &format!("+ create     {what}")),
            Verb::Update => {
                push(&mut out, &format!("~ update     {what}{id}"));
                for change in &action.changes {
                    let field = &change.field;
                    match (change.secret, &change.from, &change.to) {
                        (true, Value::Null, _) => push(&mut out, &format!("      {field}: (secret, added)")),
                        (true, _, Value::Null) => push(&mut out, &format!("      {field}: (secret, removed)")),
                        (true, _, _) => push(&mut out, &format!("      {field}: (secret, changed)")),
                        (false, Value::String(from), Value::String(to)) if diff::wanted(from, to) => {
                            let (summary, lines) = diff::diff(from, to, deadline);
                            push(&mut out, &format!("      {field} {summary}:"));
                            for line in lines {
                                out.push_str(&(text::verbatim_line(&format!("        {line}")) + "\n"));
                            }
                        }
                        (false, from, to) => {
                            push(&mut out, &format!("      {field}: {} -> {}", short(from), short(to)))
                        }
                    }
                }
            }
            Verb::Unchanged => push(&mut out, &format!("= unchanged  {what}{id}")),
            Verb::Delete => push(&mut out, &format!("- delete     {what}{id}")),
        }
    }
    let count = |verb: Verb| actions.iter().filter(|a| a.verb == verb).count();
    let total = format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
        count(Verb::Create),
        count(Verb::Update),
        count(Verb::Delete),
        count(Verb::Unchanged),
    );
    push(&mut out, &total);
    out
}

/// How long the diffs of one plan may take in all before they turn coarse.
const DIFF_TIME: Duration = Duration::from_secs(2);

/// The plan as one JSON document: `{"actions": [{kind, name, id, action, changes: [{field,
/// old, new, secret}]}], "summary": {create, update, delete, unchanged}}`, with each action's
/// `result` (`done`, `failed` with its `error`, `not attempted`, or `abandoned`: under way when
/// an interrupted run was abandoned) when `outcomes` are given
/// (apply). A create's changes are the fields it sets, from `null`.
pub fn json(actions: &[Action], outcomes: Option<&[Outcome]>) -> Result<String, String> {
    let verb = |v: Verb| match v {
        Verb::Create => "create",
        Verb::Update => "update",
        Verb::Unchanged => "unchanged",
        Verb::Delete => "delete",
    };
    let items: Vec<Value> = actions
        .iter()
        .enumerate()
        .map(|(i, action)| {
            let changes: Vec<Value> = action
                .changes
                .iter()
                .map(|c| json!({"field": c.field, "old": c.from, "new": c.to, "secret": c.secret}))
                .collect();
            let mut item = json!({
                "kind": action.kind.key(),
                "name": action.name,
                "id": action.id,
                "action": verb(action.verb),
                "changes": changes,
            });
            if let Some(outcome) = outcomes.and_then(|o| o.get(i)) {
                let (result, error, id) = match outcome {
                    Outcome::Done(id) => ("done", None, id.clone()),
                    Outcome::Failed(why) => ("failed", Some(why.clone()), None),
                    Outcome::NotAttempted => ("not attempted", None, None),
                    Outcome::Abandoned => ("abandoned", None, None),
                };
                item["result"] = Value::from(result);
                if let Some(error) = error {
                    item["error"] = Value::from(error);
                }
                if let (Verb::Create, Some(id)) = (action.verb, id) {
                    item["id"] = Value::from(id);
                }
            }
            item
        })
        .collect();
    let count = |v: Verb| actions.iter().filter(|a| a.verb == v).count();
    let document = json!({
        "actions": items,
        "summary": {"create": count(Verb::Create), "update": count(Verb::Update), "delete": count(Verb::Delete), "unchanged": count(Verb::Unchanged)},
    });
    crate::output::json(&document)
}
