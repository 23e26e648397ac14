//! Names wherever an id goes: a persona, avatar, voice, LLM, tool or knowledge group given on
//! the command line by name is found in its list (`anam_api::facts::list_for_id`) and replaced
//! by its id before the call. An id is used as it is, without a list call.
//!
//! A name matches exactly, else case-insensitively when only one item has it that way. A name
//! two items share is an error listing their ids; a name nothing has is an error that suggests
//! the closest names ("did you mean").

use std::collections::HashMap;
use std::sync::Mutex;

use anam::Operation;
use anam::api::facts::{NO_LLM_ID, list_for_id};
use anam::dynamic::Request;
use futures::TryStreamExt;
use serde_json::Value;

use crate::advice;
use crate::operations::Context;

/// The lists read in this run, by id schema, so that two inputs of one kind read it once.
#[derive(Debug, Default)]
pub struct Cache(Mutex<HashMap<&'static str, Vec<Named>>>);

/// An item of a list: its id and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Its id.
    pub id: String,
    /// Its name (`name`, or `displayName`), if it has one.
    pub name: Option<String>,
}

/// What a person calls the items of an id schema that have names; `None` for ids without a
/// name to find them by (sessions, share links, documents, meeting invites).
pub fn noun(id_schema: &str) -> Option<&'static str> {
    Some(match id_schema {
        "PersonaId" => "persona",
        "AvatarId" => "avatar",
        "VoiceId" => "voice",
        "LlmId" => "LLM",
        "ToolId" => "tool",
        "KnowledgeGroupId" => "knowledge group",
        _ => return None,
    })
}

/// `request` with every name given for an id (or a list of ids) replaced by the id.
pub async fn resolve_inputs(context: &Context, mut request: Request) -> Result<Request, String> {
    let op = request.operation();
    for input in op.inputs() {
        let Some(schema) = input.id_of.filter(|s| noun(s).is_some()) else { continue };
        let Some(value) = request.values().get(input.name).cloned() else { continue };
        let resolved = match value {
            Value::String(text) => Value::from(id(context, schema, &text).await?),
            Value::Array(items) => {
                let mut ids = Vec::with_capacity(items.len());
                for item in items {
                    ids.push(match item {
                        Value::String(text) => Value::from(id(context, schema, &text).await?),
                        other => other,
                    });
                }
                Value::Array(ids)
            }
            other => other,
        };
        request = request.arg(input.name, resolved);
    }
    Ok(request)
}

/// The id `text` stands for, an item of the id schema `schema` (`PersonaId`): `text` itself
/// when it is shaped like an id, else the item named so.
pub async fn id(context: &Context, schema: &'static str, text: &str) -> Result<String, String> {
    if looks_like_id(text) || (schema == "LlmId" && text == NO_LLM_ID) {
        return Ok(text.to_owned());
    }
    let items = list(context, schema).await?;
    find(&items, noun(schema).unwrap_or("item"), text)
}

/// Every item of the list of `schema`'s ids, read once per run.
pub async fn list(context: &Context, schema: &'static str) -> Result<Vec<Named>, String> {
    if let Some(items) = context.names.0.lock().ok().and_then(|cache| cache.get(schema).cloned()) {
        return Ok(items);
    }
    let op = list_for_id(schema).ok_or_else(|| format!("no list finds a {schema} by name"))?;
    let items = read(context, op).await?;
    if let Ok(mut cache) = context.names.0.lock() {
        cache.insert(schema, items.clone());
    }
    Ok(items)
}

/// Every item of the list `op` (Anam's built-in LLMs included), as ids and names.
async fn read(context: &Context, op: Operation) -> Result<Vec<Named>, String> {
    let mut request = Request::new(op);
    if op.input("includeDefaults").is_some() {
        request = request.arg("includeDefaults", true);
    }
    let items: Vec<Value> = context.client.call_pages(request).try_collect().await.map_err(|e| advice::sdk(&e))?;
    Ok(items.iter().filter_map(named).collect())
}

/// An item's id and name, from its JSON.
pub fn named(item: &Value) -> Option<Named> {
    let id = item.get("id")?.as_str()?.to_owned();
    let name = item.get("name").or_else(|| item.get("displayName")).and_then(Value::as_str).map(str::to_owned);
    Some(Named { id, name })
}

/// The name of the item with id `id` among `items`, else the id.
pub fn name_of(items: &[Named], id: &str) -> String {
    items.iter().find(|i| i.id == id).and_then(|i| i.name.clone()).unwrap_or_else(|| id.to_owned())
}

/// Whether `text` is shaped like a UUID, as every id of the API is.
pub fn looks_like_id(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The id `text` names among `items`: an item with that id; else the one with that name; else
/// the one with that name in another case. `what` names the kind in errors.
pub fn find(items: &[Named], what: &str, text: &str) -> Result<String, String> {
    if items.iter().any(|i| i.id == text) {
        return Ok(text.to_owned());
    }
    let exact: Vec<&Named> = items.iter().filter(|i| i.name.as_deref() == Some(text)).collect();
    let matches = match exact.is_empty() {
        false => exact,
        true => {
            let lower = text.to_lowercase();
            items.iter().filter(|i| i.name.as_ref().is_some_and(|n| n.to_lowercase() == lower)).collect()
        }
    };
    match matches.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => {
            let near = near_misses(items, text);
            let hint = match near.as_slice() {
                [] => String::new(),
                [one] => format!("; did you mean {one:?}?"),
                many => format!("; did you mean one of {}?", quoted(many)),
            };
            Err(format!("no {what} has the id or name {text:?}{hint}"))
        }
        many => Err(format!(
            "{text:?} matches {} {what}s: {}; give one of these ids instead of the name",
            many.len(),
            ids(many.iter().map(|m| m.id.as_str()))
        )),
    }
}

/// The names closest to `text` (at most three): those that contain it or that it contains,
/// in any case, and those a few edits away.
pub fn near_misses(items: &[Named], text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut scored: Vec<(f64, &str)> = items
        .iter()
        .filter_map(|i| i.name.as_deref())
        .map(|name| {
            let name_lower = name.to_lowercase();
            let score = if name_lower.contains(&lower) || lower.contains(&name_lower) {
                1.0
            } else {
                strsim::normalized_damerau_levenshtein(&lower, &name_lower)
            };
            (score, name)
        })
        .filter(|(score, _)| *score >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, name)| name.to_owned()).collect()
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

/// Ids for a message: at most five, then how many more.
fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    match ids.len() {
        0..=5 => ids.join(", "),
        n => format!("{}, and {} more", ids[..5].join(", "), n - 5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, name: &str) -> Named {
        Named { id: id.into(), name: Some(name.into()) }
    }

    #[test]
    fn ids_then_exact_names_then_names_in_any_case() {
        let items = [
            item("a-1", "Cara"),
            item("a-2", "Liv"),
            item("a-3", "Liv"),
            item("a-4", "cara"),
            item("a-5", "Night shift"),
        ];
        assert_eq!(find(&items, "avatar", "a-2").unwrap(), "a-2");
        assert_eq!(find(&items, "avatar", "Cara").unwrap(), "a-1", "exact beats any case");
        assert_eq!(find(&items, "avatar", "NIGHT SHIFT").unwrap(), "a-5");
        assert_eq!(
            find(&items, "avatar", "Liv").unwrap_err(),
            "\"Liv\" matches 2 avatars: a-2, a-3; give one of these ids instead of the name"
        );
        assert_eq!(
            find(&items, "avatar", "CARA").unwrap_err(),
            "\"CARA\" matches 2 avatars: a-1, a-4; give one of these ids instead of the name"
        );
        assert_eq!(
            find(&items, "avatar", "Nigth shift").unwrap_err(),
            "no avatar has the id or name \"Nigth shift\"; did you mean \"Night shift\"?"
        );
        assert_eq!(
            find(&items, "avatar", "Night").unwrap_err(),
            "no avatar has the id or name \"Night\"; did you mean \"Night shift\"?"
        );
        assert_eq!(find(&items, "avatar", "Zed").unwrap_err(), "no avatar has the id or name \"Zed\"");
    }

    #[test]
    fn only_uuids_skip_the_list() {
        assert!(looks_like_id("30fa96d0-26c4-4e55-94a0-517025942e18"));
        for not in ["Cara", "30fa96d0-26c4-4e55-94a0", "30fa96d0-26c4-4e55-94a0-517025942e1g", ""] {
            assert!(!looks_like_id(not), "{not}");
        }
    }
}
