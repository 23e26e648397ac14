//! Tables of personas and what they are built from (avatars, voices, LLMs, tools), meeting
//! invites, and a persona described field by field.

use clap::ArgMatches;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Value;

use super::{cell, items, time};
use crate::operations::Context;
use crate::{output, text};

/// A column of a table: its header, and what a cell shows of an item.
type Column = (&'static str, fn(&Value) -> String);

/// A table of `answer`'s items, in `columns`.
fn table(answer: &Value, columns: &[Column]) -> String {
    let headers: Vec<&str> = columns.iter().map(|(header, _)| *header).collect();
    let rows: Vec<Vec<String>> =
        items(answer).iter().map(|item| columns.iter().map(|(_, show)| show(item)).collect()).collect();
    output::table(&headers, &rows)
}

fn id(item: &Value) -> String {
    cell(item.get("id"))
}

fn name(item: &Value) -> String {
    cell(item.get("name").or_else(|| item.get("displayName")))
}

/// The display name of the object at `key` (an avatar, a voice), else its id.
fn name_at(item: &Value, key: &str) -> String {
    let object = item.get(key);
    cell(object.and_then(|o| o.get("displayName").or_else(|| o.get("name")).or_else(|| o.get("id"))))
}

/// Personas: id, name, avatar, voice.
pub fn personas<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let columns: [Column; 4] =
        [("ID", id), ("NAME", name), ("AVATAR", |p| name_at(p, "avatar")), ("VOICE", |p| name_at(p, "voice"))];
    std::future::ready(Ok(table(&answer, &columns))).boxed()
}

/// Avatars: id, name, render style, tags.
pub fn avatars<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let tags = |a: &Value| {
        let tags: Vec<&str> =
            a.get("displayTags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if tags.is_empty() { "-".to_owned() } else { tags.join(",") }
    };
    let columns: [Column; 4] = [("ID", id), ("NAME", name), ("STYLE", |a| cell(a.get("renderStyle"))), ("TAGS", tags)];
    std::future::ready(Ok(table(&answer, &columns))).boxed()
}

/// Voices: id, name, provider, country.
pub fn voices<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let columns: [Column; 4] = [
        ("ID", id),
        ("NAME", name),
        ("PROVIDER", |v| cell(v.get("provider"))),
        ("COUNTRY", |v| cell(v.get("country"))),
    ];
    std::future::ready(Ok(table(&answer, &columns))).boxed()
}

/// LLMs: id, name, model, and whether it is one of Anam's.
pub fn llms<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let kind = |l: &Value| match l.get("isDefault").and_then(Value::as_bool) {
        Some(true) => "built-in".to_owned(),
        _ => "own".to_owned(),
    };
    let columns: [Column; 4] = [("ID", id), ("NAME", name), ("MODEL", |l| cell(l.get("modelName"))), ("KIND", kind)];
    std::future::ready(Ok(table(&answer, &columns))).boxed()
}

/// Tools: id, name, type (as an account file writes it: `webhook`, `client`, ...), description.
pub fn tools<'a>(_: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    let kind = |t: &Value| {
        let wire = cell(t.get("type"));
        crate::spec::tool::TYPES.iter().find(|(_, w)| *w == wire).map_or(wire, |(file, _)| (*file).to_owned())
    };
    let columns: [Column; 4] =
        [("ID", id), ("NAME", name), ("TYPE", kind), ("DESCRIPTION", |t| cell(t.get("description")))];
    std::future::ready(Ok(table(&answer, &columns))).boxed()
}

/// Meeting invites: id, status, persona, when it joins, the meeting's host (its URL is a secret).
pub fn meeting_invites<'a>(
    context: &'a Context,
    answer: Value,
    _: &'a ArgMatches,
) -> BoxFuture<'a, Result<String, String>> {
    async move {
        let personas = crate::names::list(context, "PersonaId").await?;
        let headers = ["ID", "STATUS", "PERSONA", "JOIN AT", "NAME"];
        let rows: Vec<Vec<String>> = items(&answer)
            .iter()
            .map(|invite| {
                let persona = invite.get("personaId").and_then(Value::as_str);
                vec![
                    id(invite),
                    cell(invite.get("status")),
                    persona.map_or_else(
                        || "(described in the invite)".to_owned(),
                        |p| crate::names::name_of(&personas, p),
                    ),
                    time(invite.get("joinAt")),
                    cell(invite.get("displayName")),
                ]
            })
            .collect();
        Ok(output::table(&headers, &rows))
    }
    .boxed()
}

/// One persona, a setting per line, its LLM by name.
pub fn persona<'a>(context: &'a Context, persona: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    async move {
        let named = |key: &str| match persona.get(key) {
            Some(object @ Value::Object(_)) => format!("{} ({})", name(object), id(object)),
            _ => "-".to_owned(),
        };
        let llm = match persona.get("llmId").and_then(Value::as_str) {
            Some(llm) if llm == anam::api::facts::NO_LLM_ID => format!("none: the client brings its own ({llm})"),
            Some(llm) => {
                format!("{} ({llm})", crate::names::name_of(&crate::names::list(context, "LlmId").await?, llm))
            }
            None => "-".to_owned(),
        };
        let tools: Vec<String> =
            persona.get("tools").and_then(Value::as_array).into_iter().flatten().map(name).collect();
        let rows = [
            ("id", id(&persona)),
            ("name", name(&persona)),
            ("description", cell(persona.get("description"))),
            ("avatar", named("avatar")),
            ("avatar model", cell(persona.get("avatarModel"))),
            ("voice", named("voice")),
            ("llm", llm),
            ("system prompt", cell(persona.pointer("/brain/systemPrompt"))),
            ("tools", if tools.is_empty() { "-".into() } else { tools.join(", ") }),
            ("updated", time(persona.get("updatedAt"))),
        ];
        Ok(rows.iter().map(|(key, value)| text::line(&format!("{key:<14}{value}")) + "\n").collect())
    }
    .boxed()
}
