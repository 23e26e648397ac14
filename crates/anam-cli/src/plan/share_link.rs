//! The share links' plan. A link of the file is found by its persona: it is the persona's
//! primary link on the server, else its newest. `usageLimit` compares as a number, `expiresAt`
//! to the minute (the server counts a lifetime from when it receives it). The API takes a
//! lifetime in hours, so a create or update sends the hours from now to `expiresAt`, counted
//! when it is sent. With `--prune`, every link the file does not match is deleted.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anam::chrono::{DateTime, Utc};
use anam::types::PersonaShareLink;
use anam::{CreateShareLink, UpdateShareLink};
use futures::FutureExt;
use serde_json::Value;

use crate::plan::compare::touches;
use crate::plan::{Action, Change, Id, Refs, Run, Verb};
use crate::spec::{File, Kind, ShareLinkSpec, in_file_terms};

/// How far apart the file's `expiresAt` and the server's may be and still be the same.
const SAME_EXPIRY: i64 = 60;

/// The share links' actions: one per link of the file, in its order, and with `prune` a delete
/// for every link of the server the file does not match.
pub fn plan(file: &File, refs: &Refs<'_>, shown: &str, prune: &HashSet<Kind>) -> Result<Vec<Action>, String> {
    let account = refs.account();
    let (mut actions, mut problems) = (Vec::new(), Vec::new());
    let mut matched: HashSet<String> = HashSet::new();
    for (i, spec) in file.share_links().iter().enumerate() {
        let at = |problem: String| format!("{shown}: shareLinks[{i}].{problem}");
        let persona = match refs.persona(&spec.persona) {
            Ok(persona) => persona,
            Err(e) => {
                problems.push(at(format!("persona: {e}")));
                continue;
            }
        };
        let server = match &persona {
            Id::Known(id) => link_of(&account.share_links, id),
            Id::New(_) => None,
        };
        if let Some(link) = server {
            matched.insert(link.id.to_string());
        }
        match action(i, spec, persona, server) {
            Ok(action) => actions.push(action),
            Err(problem) => problems.push(at(problem)),
        }
    }
    if prune.contains(&Kind::ShareLink) {
        for link in account.share_links.iter().filter(|l| !matched.contains(l.id.as_str())) {
            actions.push(delete_action(link));
        }
    }
    super::all_or_problems(actions, problems)
}

/// The link of a persona that the file's describes: its primary one, else its newest.
pub fn link_of<'a>(links: &'a [PersonaShareLink], persona: &str) -> Option<&'a PersonaShareLink> {
    let mine: Vec<&PersonaShareLink> =
        links.iter().filter(|l| l.persona_id.as_ref().is_some_and(|p| *p == persona)).collect();
    mine.iter().find(|l| l.is_primary == Some(true)).or_else(|| mine.iter().max_by_key(|l| l.created_at)).copied()
}

/// The action for the file's link `i` of `persona`: a create, or an update of (or no change
/// to) `server`.
fn action(i: usize, spec: &ShareLinkSpec, persona: Id, server: Option<&PersonaShareLink>) -> Result<Action, String> {
    let at = format!("shareLinks[{i}]");
    let expiry = spec.expiry()?;
    let mut wanted = Vec::new();
    if let Some(limit) = spec.usage_limit {
        wanted.push(("usageLimit".to_owned(), Value::from(limit)));
    }
    if let Some(at) = expiry {
        wanted.push(("expiresAt".to_owned(), Value::from(at.to_rfc3339())));
    }
    let name = spec.persona.clone();
    let Some(server) = server else {
        if let Some(when) = expiry {
            lifetime(when)?;
        }
        let changes =
            wanted.into_iter().map(|(field, to)| Change { field, from: Value::Null, to, secret: false }).collect();
        let (limit, uses) = (spec.usage_limit, persona.new_ref().into_iter().collect());
        let run: Run = Arc::new(move |client, created| {
            let mut request = CreateShareLink::new(persona.get(created)?);
            if let Some(limit) = limit {
                request = request.usage_limit(limit);
            }
            if let Some(when) = expiry {
                request = request.expires_in(lifetime(when)?);
            }
            let links = client.share_links();
            Ok(async move { links.create(request).await.map(|l| Some(l.id.to_string())) }.boxed())
        });
        return Ok(Action {
            kind: Kind::ShareLink,
            name,
            at: Some(at),
            id: None,
            verb: Verb::Create,
            changes,
            uses,
            refers_to: Some(Vec::new()),
            run: Some(run),
        });
    };
    let changes = changes(&wanted, server);
    let id = server.id.to_string();
    let refers_to = Some(server.persona_id.iter().map(|p| p.to_string()).collect());
    if changes.is_empty() {
        let mut unchanged = Action::unchanged(Kind::ShareLink, &name, at, &id);
        unchanged.refers_to = refers_to;
        return Ok(unchanged);
    }
    let (limit, when) = (
        spec.usage_limit.filter(|_| touches(&changes, "usageLimit")),
        expiry.filter(|_| touches(&changes, "expiresAt")),
    );
    if let Some(when) = when {
        lifetime(when)?;
    }
    let run_id = id.clone();
    let run: Run = Arc::new(move |client, _| {
        let mut request = UpdateShareLink::new();
        if let Some(limit) = limit {
            request = request.usage_limit(limit);
        }
        if let Some(when) = when {
            request = request.expires_in(lifetime(when)?);
        }
        request.clone().build().map_err(|e| in_file_terms(&e, str::to_owned))?;
        let (links, id) = (client.share_links(), run_id.clone());
        Ok(async move { links.update(id, request).await.map(|_| None) }.boxed())
    });
    Ok(Action {
        kind: Kind::ShareLink,
        name,
        at: Some(at),
        id: Some(id),
        verb: Verb::Update,
        changes,
        uses: Vec::new(),
        refers_to,
        run: Some(run),
    })
}

/// The fields of `wanted` whose server value differs: the usage limit by value, the expiry by
/// more than a minute.
fn changes(wanted: &[(String, Value)], server: &PersonaShareLink) -> Vec<Change> {
    let mut changes = Vec::new();
    for (field, to) in wanted {
        let (from, same) = match field.as_str() {
            "usageLimit" => (
                server.usage_limit.map_or(Value::Null, Value::from),
                server.usage_limit.map(|n| n as f64) == to.as_f64(),
            ),
            _ => {
                let held = server.expires_at;
                let wanted =
                    to.as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc));
                let close = matches!((held, wanted), (Some(a), Some(b)) if (a - b).num_seconds().abs() <= SAME_EXPIRY);
                (held.map_or(Value::Null, |t| Value::from(t.to_rfc3339())), close)
            }
        };
        if !same {
            changes.push(Change { field: field.clone(), from, to: to.clone(), secret: false });
        }
    }
    changes
}

/// The lifetime from now to `when`: what the API takes. A date in the past cannot be one.
fn lifetime(when: DateTime<Utc>) -> Result<Duration, String> {
    let seconds = (when - Utc::now()).num_milliseconds();
    if seconds <= 0 {
        return Err(format!(
            "expiresAt is {}, but must be in the future to create or change a link",
            when.to_rfc3339()
        ));
    }
    Ok(Duration::from_millis(seconds as u64))
}

/// The action that deletes a link the file does not match (`--prune`).
fn delete_action(link: &PersonaShareLink) -> Action {
    let id = link.id.to_string();
    let run_id = id.clone();
    let run: Run = Arc::new(move |client, _| {
        let (links, id) = (client.share_links(), run_id.clone());
        Ok(async move { links.delete(id).await.map(|()| None) }.boxed())
    });
    let name = link
        .persona_name
        .clone()
        .unwrap_or_else(|| link.persona_id.as_ref().map(|p| p.to_string()).unwrap_or_default());
    let refers_to = Some(link.persona_id.iter().map(|p| p.to_string()).collect());
    Action {
        kind: Kind::ShareLink,
        name,
        at: None,
        id: Some(id),
        verb: Verb::Delete,
        changes: Vec::new(),
        uses: Vec::new(),
        refers_to,
        run: Some(run),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_expiry_compares_to_the_minute_and_the_primary_link_is_the_files() {
        let link: PersonaShareLink = serde_json::from_value(json!({
            "id": "l1", "personaId": "p", "usageLimit": 10, "expiresAt": "2027-01-31T18:00:30Z", "isPrimary": true
        }))
        .unwrap();
        let wanted =
            vec![("usageLimit".to_owned(), json!(10)), ("expiresAt".to_owned(), json!("2027-01-31T18:00:00+00:00"))];
        assert!(changes(&wanted, &link).is_empty(), "30 seconds apart is the same");
        let later =
            vec![("expiresAt".to_owned(), json!("2027-02-01T18:00:00+00:00")), ("usageLimit".to_owned(), json!(5))];
        let fields: Vec<String> = changes(&later, &link).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["expiresAt", "usageLimit"]);
        let newer: PersonaShareLink =
            serde_json::from_value(json!({"id": "l2", "personaId": "p", "createdAt": "2027-01-01T00:00:00Z"})).unwrap();
        let links = [newer.clone(), link.clone()];
        assert_eq!(link_of(&links, "p").map(|l| l.id.to_string()), Some("l1".into()), "the primary one");
        assert_eq!(link_of(&[newer], "p").map(|l| l.id.to_string()), Some("l2".into()));
        assert!(link_of(&links, "q").is_none());
        assert!(lifetime(Utc::now() - anam::chrono::Duration::hours(1)).unwrap_err().contains("must be in the future"));
    }
}
