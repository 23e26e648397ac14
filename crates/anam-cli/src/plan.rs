//! `plan` and `apply`: what a personas file would change on the server, field by field, and
//! carrying it out.
//!
//! A persona of the file is matched with the server's persona of the same name. Only the fields
//! the file sets are compared (names of avatars, voices, LLMs and tools resolved to ids first);
//! numbers compare by value (`60` is `60.0`), tools as a set. An update sends the changed fields,
//! and a new voice's settings or a new avatar's model along with a new voice or avatar, since the
//! API resets those when the voice or avatar changes.

use std::fmt::Write as _;

use anam::types::{AvatarModel, Persona};
use anam::{Client, CreatePersona, PersonaId, PersonaSummary, UpdatePersona};
use serde_json::{Value, json};

use crate::advice;
use crate::file::{Detection, File, PersonaSpec, file_field, in_file_terms};
use crate::resolve::{self, Catalog, Named};
use crate::text;

/// One field that would change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// As the file names it (`voiceDetection.endOfSpeechSensitivity`).
    pub field: String,
    /// The server's value (`null` when it has none).
    pub from: Value,
    /// The file's value.
    pub to: Value,
}

/// What happens to one persona. `at` is the persona's index in the file (`personas[at]`).
#[derive(Debug, Clone)]
pub enum Action {
    Create { at: usize, name: String, request: CreatePersona },
    Update { at: usize, id: PersonaId, name: String, changes: Vec<Change>, request: UpdatePersona },
    Unchanged { id: PersonaId, name: String },
    Delete { id: PersonaId, name: String },
}

impl Action {
    /// Whether carrying it out changes anything.
    pub fn changes_something(&self) -> bool {
        !matches!(self, Action::Unchanged { .. })
    }
}

/// The plan for `file` (read from `shown`): an action per persona of the file, in its order, and
/// with `prune` a delete for every persona of the server the file does not name.
pub async fn plan(client: &Client, file: &File, shown: &str, prune: bool) -> Result<Vec<Action>, String> {
    let catalog = Catalog::load(client).await.map_err(|e| advice::sdk(&e))?;
    let existing = resolve::personas(client).await.map_err(|e| advice::sdk(&e))?;
    let mut actions = Vec::new();
    for (i, spec) in file.personas.iter().enumerate() {
        let at = |problem: String| format!("{shown}: personas[{i}].{problem}");
        let ids = Ids::resolve(spec, &catalog).map_err(at)?;
        let same_name: Vec<&PersonaSummary> =
            existing.iter().filter(|p| p.name.as_deref() == Some(&spec.name)).collect();
        let action = match same_name.as_slice() {
            [] => {
                check_catalog(spec, &ids, None, &catalog).map_err(at)?;
                Action::Create { at: i, name: spec.name.clone(), request: create(spec, &ids).map_err(at)? }
            }
            [one] => {
                let current = client.personas().get(&one.id).await.map_err(|e| advice::sdk(&e))?;
                let changes = diff(spec, &ids, &current);
                check_catalog(spec, &ids, Some((&current, &changes)), &catalog).map_err(at)?;
                if changes.is_empty() {
                    Action::Unchanged { id: one.id.clone(), name: spec.name.clone() }
                } else {
                    let request = update(spec, &ids, &changes, &current).map_err(at)?;
                    Action::Update { at: i, id: one.id.clone(), name: spec.name.clone(), changes, request }
                }
            }
            many => return Err(at(shared_name(&spec.name, many))),
        };
        actions.push(action);
    }
    if prune {
        for persona in &existing {
            if !file.personas.iter().any(|spec| persona.name.as_deref() == Some(spec.name.as_str())) {
                let name = persona.name.clone().unwrap_or_default();
                actions.push(Action::Delete { id: persona.id.clone(), name });
            }
        }
    }
    Ok(actions)
}

/// The error for a file's persona whose name two or more of the server's personas share: the
/// file finds a persona by its name, so one must be renamed or deleted.
fn shared_name(name: &str, many: &[&PersonaSummary]) -> String {
    let shown: Vec<&str> = many.iter().take(5).map(|p| p.id.as_str()).collect();
    let more = if many.len() > 5 { format!(", and {} more", many.len() - 5) } else { String::new() };
    format!(
        "name: {name:?} matches {} personas on the server: {}{more}; the file finds a persona by its name, so \
         rename one or delete one (anam personas delete <ID>)",
        many.len(),
        shown.join(", ")
    )
}

/// The ids a persona of the file names, resolved.
struct Ids {
    avatar: Option<String>,
    voice: Option<String>,
    llm: Option<String>,
    tools: Option<Vec<String>>,
}

impl Ids {
    fn resolve(spec: &PersonaSpec, catalog: &Catalog) -> Result<Ids, String> {
        let one = |items, what: &str, field: &str, text: &Option<String>| {
            text.as_deref().map(|t| resolve::resolve(items, what, t).map_err(|e| format!("{field}: {e}"))).transpose()
        };
        let llm = match spec.llm.as_deref() {
            Some(no_llm) if no_llm == anam::ids::llm_customer_client().as_str() => Some(no_llm.to_owned()),
            _ => one(&catalog.llms, "LLM", "llm", &spec.llm)?,
        };
        let tools = spec
            .tools
            .as_ref()
            .map(|tools| {
                let each = tools.iter().enumerate();
                each.map(|(i, t)| resolve::resolve(&catalog.tools, "tool", t).map_err(|e| format!("tools[{i}]: {e}")))
                    .collect()
            })
            .transpose()?;
        Ok(Ids {
            avatar: one(&catalog.avatars, "avatar", "avatar", &spec.avatar)?,
            voice: one(&catalog.voices, "voice", "voice", &spec.voice)?,
            llm,
            tools,
        })
    }
}

/// Checks what the catalogue can tell of the settings a create sends, or an update (`current`,
/// with its changes) sends: that the avatar offers the `avatarModel`, and that the
/// `voiceGeneration.engine` is one for the voice's provider. The avatar and voice are the
/// file's, else the server's persona's. Returns the problem as `field: ...`.
fn check_catalog(
    spec: &PersonaSpec,
    ids: &Ids,
    current: Option<(&Persona, &[Change])>,
    catalog: &Catalog,
) -> Result<(), String> {
    let sent = |field: &str| match current {
        None => true,
        Some((_, changes)) => changes.iter().any(|c| c.field == field || c.field.starts_with(&format!("{field}."))),
    };
    let server = current.map(|(persona, _)| persona);
    if let Some(model) = &spec.avatar_model
        && (sent("avatarModel") || sent("avatar"))
    {
        let avatar = ids.avatar.clone().or_else(|| server.and_then(|p| p.avatar.as_ref()).map(|a| a.id.to_string()));
        if let Some(avatar) = avatar.and_then(|id| catalog.avatars.iter().find(|a| a.id == id)) {
            check_model(avatar, model)?;
        }
    }
    if let Some(generation) = &spec.voice_generation
        && (sent("voiceGeneration") || sent("voice"))
    {
        let voice = ids.voice.clone().or_else(|| server.and_then(|p| p.voice.as_ref()).map(|v| v.id.to_string()));
        if let Some(voice) = voice.and_then(|id| catalog.voices.iter().find(|v| v.id == id)) {
            check_engine(voice, &generation.engine)?;
        }
    }
    Ok(())
}

/// That `avatar` offers `model`. An avatar listing no public model name (none, or only the
/// internal ids of older answers) is not checked: the catalogue cannot tell.
fn check_model(avatar: &Named, model: &str) -> Result<(), String> {
    let public = avatar.versions.iter().any(|v| AvatarModel::KNOWN.contains(&v.as_str()));
    if !public || avatar.versions.iter().any(|v| v == model) {
        return Ok(());
    }
    Err(format!(
        "avatarModel is {model:?}, but the avatar {} ({}) offers only {}",
        text::shorten(avatar.name.as_deref().unwrap_or("-")),
        avatar.id,
        avatar.versions.join(", ")
    ))
}

/// The engines a voice of each provider takes (`VoiceProvider` to `voiceGeneration.engine`).
const ENGINES_OF: [(&str, &[&str]); 3] =
    [("CARTESIA", &["cartesia"]), ("ELEVENLABS", &["elevenlabs-v1", "elevenlabs-v2"]), ("FISH_AUDIO", &["fish-audio"])];

/// That `engine` fits the provider of `voice`. A provider this table does not know is not checked.
fn check_engine(voice: &Named, engine: &str) -> Result<(), String> {
    let Some(provider) = voice.provider.as_deref() else { return Ok(()) };
    let Some((_, engines)) = ENGINES_OF.iter().find(|(p, _)| *p == provider) else { return Ok(()) };
    if engines.contains(&engine) {
        return Ok(());
    }
    Err(format!(
        "voiceGeneration.engine is {engine:?}, but the voice {} ({}) is a {provider} voice, which takes {}",
        text::shorten(voice.name.as_deref().unwrap_or("-")),
        voice.id,
        engines.join(" or ")
    ))
}

/// The fields the file sets, with the values it wants, as the file names them.
fn wanted(spec: &PersonaSpec, ids: &Ids) -> Vec<(String, Value)> {
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut put = |field: &str, value: Option<Value>| {
        if let Some(value) = value {
            fields.push((field.to_owned(), value));
        }
    };
    put("description", spec.description.clone().map(Value::from));
    put("avatar", ids.avatar.clone().map(Value::from));
    put("avatarModel", spec.avatar_model.clone().map(Value::from));
    put("voice", ids.voice.clone().map(Value::from));
    put("llm", ids.llm.clone().map(Value::from));
    put("systemPrompt", spec.system_prompt.clone().map(Value::from));
    put("skipGreeting", spec.skip_greeting.map(Value::from));
    put("uninterruptibleGreeting", spec.uninterruptible_greeting.map(Value::from));
    put("initialMessage", spec.initial_message.clone().map(Value::from));
    put("zeroDataRetention", spec.zero_data_retention.map(Value::from));
    put("languageCode", spec.language_code.clone().map(Value::from));
    for (section, value) in
        [("voiceDetection", json!(spec.voice_detection)), ("voiceGeneration", json!(spec.voice_generation))]
    {
        for (key, value) in value.as_object().into_iter().flatten().filter(|(key, _)| *key != "engine") {
            put(&format!("{section}.{key}"), Some(value.clone()));
        }
    }
    put("tools", ids.tools.as_ref().map(|tools| sorted(tools.iter().map(|t| Value::from(t.as_str())))));
    fields
}

/// The server's value of a field, as the file names it.
fn current(persona: &Value, field: &str) -> Value {
    let pointer = match field {
        "avatar" => "/avatar/id".to_owned(),
        "voice" => "/voice/id".to_owned(),
        "llm" => "/llmId".to_owned(),
        "systemPrompt" => "/brain/systemPrompt".to_owned(),
        "tools" => {
            let ids = persona["tools"].as_array().into_iter().flatten().map(|tool| tool["id"].clone());
            return sorted(ids);
        }
        other => match other.split_once('.') {
            Some(("voiceDetection", key)) => format!("/voiceDetectionOptions/{key}"),
            Some(("voiceGeneration", key)) => format!("/voiceGenerationOptions/{key}"),
            _ => format!("/{other}"),
        },
    };
    persona.pointer(&pointer).cloned().unwrap_or(Value::Null)
}

fn sorted(values: impl Iterator<Item = Value>) -> Value {
    let mut values: Vec<Value> = values.collect();
    values.sort_by_key(|v| v.to_string());
    Value::Array(values)
}

/// Whether two JSON values are the same, numbers compared by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        _ => a == b,
    }
}

/// The fields whose server value differs from the file's.
fn diff(spec: &PersonaSpec, ids: &Ids, persona: &Persona) -> Vec<Change> {
    let server = serde_json::to_value(persona).unwrap_or_default();
    wanted(spec, ids)
        .into_iter()
        .filter_map(|(field, to)| {
            let from = current(&server, &field);
            (!same(&from, &to)).then_some(Change { field, from, to })
        })
        .collect()
}

/// The request that creates the file's persona.
fn create(spec: &PersonaSpec, ids: &Ids) -> Result<CreatePersona, String> {
    let mut request = CreatePersona::new().name(spec.name.clone());
    if let Some(v) = &spec.description {
        request = request.description(v.clone());
    }
    if let Some(v) = &ids.avatar {
        request = request.avatar_id(v.as_str());
    }
    if let Some(v) = &spec.avatar_model {
        request = request.avatar_model(v.as_str());
    }
    if let Some(v) = &ids.voice {
        request = request.voice_id(v.as_str());
    }
    if let Some(v) = &ids.llm {
        request = request.llm_id(v.as_str());
    }
    if let Some(v) = &spec.system_prompt {
        request = request.system_prompt(v.clone());
    }
    if let Some(v) = spec.skip_greeting {
        request = request.skip_greeting(v);
    }
    if let Some(v) = spec.uninterruptible_greeting {
        request = request.uninterruptible_greeting(v);
    }
    if let Some(v) = &spec.initial_message {
        request = request.initial_message(v.clone());
    }
    if let Some(v) = spec.zero_data_retention {
        request = request.zero_data_retention(v);
    }
    if let Some(v) = &spec.language_code {
        request = request.language_code(v.clone());
    }
    if let Some(v) = &spec.voice_detection {
        request = request.voice_detection(v.builder());
    }
    if let Some(v) = &spec.voice_generation {
        request = request.voice_generation(v.builder()?);
    }
    if let Some(v) = &ids.tools {
        request = request.tool_ids(v.iter().map(String::as_str));
    }
    request.clone().build().map_err(|e| in_file_terms(&e))?;
    Ok(request)
}

/// The request that makes the server's persona what the file says, from the changes.
fn update(spec: &PersonaSpec, ids: &Ids, changes: &[Change], persona: &Persona) -> Result<UpdatePersona, String> {
    let changed = |field: &str| changes.iter().any(|c| c.field == field || c.field.starts_with(&format!("{field}.")));
    let mut request = UpdatePersona::new();
    if changed("description") {
        request = request.description(spec.description.clone().unwrap_or_default());
    }
    if changed("avatar")
        && let Some(v) = &ids.avatar
    {
        request = request.avatar_id(v.as_str());
    }
    // A new avatar may reset the model: send the file's with it.
    if (changed("avatarModel") || changed("avatar"))
        && let Some(v) = &spec.avatar_model
    {
        request = request.avatar_model(v.as_str());
    }
    if changed("voice")
        && let Some(v) = &ids.voice
    {
        request = request.voice_id(v.as_str());
    }
    if changed("llm")
        && let Some(v) = &ids.llm
    {
        request = request.llm_id(v.as_str());
    }
    if changed("systemPrompt")
        && let Some(v) = &spec.system_prompt
    {
        request = request.system_prompt(v.clone());
    }
    if changed("skipGreeting")
        && let Some(v) = spec.skip_greeting
    {
        request = request.skip_greeting(v);
    }
    if changed("uninterruptibleGreeting")
        && let Some(v) = spec.uninterruptible_greeting
    {
        request = request.uninterruptible_greeting(v);
    }
    if changed("initialMessage")
        && let Some(v) = &spec.initial_message
    {
        request = request.initial_message(v.clone());
    }
    if changed("zeroDataRetention")
        && let Some(v) = spec.zero_data_retention
    {
        request = request.zero_data_retention(v);
    }
    if changed("languageCode")
        && let Some(v) = &spec.language_code
    {
        request = request.language_code(v.clone());
    }
    // The file's detection settings over the server's, so that fields the file leaves out stay.
    if changed("voiceDetection")
        && let Some(wanted) = &spec.voice_detection
    {
        request = request.voice_detection(merged(persona, wanted).builder());
    }
    // A new voice resets its settings: send the file's with it.
    if (changed("voiceGeneration") || changed("voice"))
        && let Some(v) = &spec.voice_generation
    {
        request = request.voice_generation(v.builder()?);
    }
    if changed("tools")
        && let Some(v) = &ids.tools
    {
        request = request.tool_ids(v.iter().map(String::as_str));
    }
    request.clone().build().map_err(|e| in_file_terms(&e))?;
    Ok(request)
}

/// The server's detection settings with the file's set over them.
fn merged(persona: &Persona, wanted: &Detection) -> Detection {
    let server = persona.voice_detection_options.clone().unwrap_or_default();
    Detection {
        end_of_speech_sensitivity: wanted.end_of_speech_sensitivity.or(server.end_of_speech_sensitivity),
        silence_before_skip_turn_seconds: wanted
            .silence_before_skip_turn_seconds
            .or(server.silence_before_skip_turn_seconds),
        silence_before_session_end_seconds: wanted
            .silence_before_session_end_seconds
            .or(server.silence_before_session_end_seconds),
        silence_before_auto_end_turn_seconds: wanted
            .silence_before_auto_end_turn_seconds
            .or(server.silence_before_auto_end_turn_seconds),
        speech_enhancement_level: wanted.speech_enhancement_level.or(server.speech_enhancement_level),
    }
}

/// The plan for people: a line per persona, the changed fields under an update, and a total.
/// Every line is one clean line ([`text::line`]): names and values come from the file and the
/// server.
pub fn render(actions: &[Action]) -> String {
    let mut lines = Vec::new();
    let short = |v: &Value| match v {
        Value::Null => "(unset)".to_owned(),
        other => other.to_string(),
    };
    for action in actions {
        match action {
            Action::Create { name, .. } => lines.push(format!("+ create     {}", text::shorten(name))),
            Action::Update { id, name, changes, .. } => {
                lines.push(format!("~ update     {} ({id})", text::shorten(name)));
                for change in changes {
                    lines.push(format!("      {}: {} -> {}", change.field, short(&change.from), short(&change.to)));
                }
            }
            Action::Unchanged { id, name } => lines.push(format!("= unchanged  {} ({id})", text::shorten(name))),
            Action::Delete { id, name } => lines.push(format!("- delete     {} ({id})", text::shorten(name))),
        }
    }
    let count = |f: fn(&Action) -> bool| actions.iter().filter(|a| f(a)).count();
    lines.push(format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
        count(|a| matches!(a, Action::Create { .. })),
        count(|a| matches!(a, Action::Update { .. })),
        count(|a| matches!(a, Action::Delete { .. })),
        count(|a| matches!(a, Action::Unchanged { .. })),
    ));
    lines.iter().map(|line| text::line(line) + "\n").collect()
}

/// Carries out the actions in order, reporting each on `done` (`progress` ticks per action).
/// On a failure it stops and says what failed, what to do next ([`failure`]), what was done
/// and what was not attempted; a second run plans again from what the server holds, so once the
/// cause is gone it completes the rest. `shown` is the file's name, for the advice.
pub async fn apply(
    client: &Client,
    actions: Vec<Action>,
    shown: &str,
    progress: &indicatif::ProgressBar,
) -> Result<String, String> {
    let mut done = Vec::new();
    let total = actions.iter().filter(|a| a.changes_something()).count();
    let mut pending = actions.into_iter().filter(Action::changes_something).peekable();
    while let Some(action) = pending.next() {
        let outcome = match &action {
            Action::Create { name, request, .. } => {
                progress.set_message(text::line(&format!("creating {}", text::shorten(name))));
                client.personas().create(request.clone()).await.map(|p| p.id.to_string())
            }
            Action::Update { id, name, request, .. } => {
                progress.set_message(text::line(&format!("updating {}", text::shorten(name))));
                client.personas().update(id, request.clone()).await.map(|_| id.to_string())
            }
            Action::Delete { id, name } => {
                progress.set_message(text::line(&format!("deleting {}", text::shorten(name))));
                client.personas().delete(id).await.map(|()| id.to_string())
            }
            Action::Unchanged { .. } => continue,
        };
        progress.inc(1);
        match outcome {
            Ok(id) => done.push((past(&action), id)),
            Err(error) => {
                let not_attempted: Vec<String> = pending.map(|a| describe(&a)).collect();
                // The report names what was done without ids, to stay one line; stdout has them.
                let done: Vec<String> = done.into_iter().map(|(what, _)| what).collect();
                let mut report = format!(
                    "apply stopped after {} of {total} change(s): {} failed: {}",
                    done.len(),
                    describe(&action),
                    failure(&error, &action, shown)
                );
                if !done.is_empty() {
                    let _ = write!(report, "; done: {}", few(&done));
                }
                if !not_attempted.is_empty() {
                    let _ = write!(report, "; not attempted: {}", few(&not_attempted));
                }
                return Err(report);
            }
        }
    }
    Ok(done.iter().map(|(what, id)| text::line(&format!("{what} ({id})"))).collect::<Vec<_>>().join("\n"))
}

/// Why `action` failed and what to do next. Running apply again helps only when a retry can
/// ([`anam::Error::is_retryable`]: timeouts, lost connections, 408, 429, 5xx). A refusal
/// (another 4xx) comes back until the file changes, so it names the field the server refused
/// as the file names it (`personas[1].avatarModel`, else `personas[1]`), with the server's
/// reason, and says to change it there.
fn failure(error: &anam::Error, action: &Action, shown: &str) -> String {
    let said = advice::sdk(error);
    if error.is_retryable() {
        return format!("{}; run apply again to finish", text::clip(&said, 120));
    }
    let status = error.status().map(|s| s.as_u16());
    match (status, action) {
        (Some(401), _) => format!("{}; then run apply again", text::clip(&said, 160)),
        (Some(400..=499), Action::Create { at, .. } | Action::Update { at, .. }) => {
            let code = status.unwrap_or_default();
            let (field, reason) = match refused(error) {
                Some((field, reason)) => (format!("personas[{at}].{field}"), format!("{code}: {reason}")),
                None => (format!("personas[{at}]"), said),
            };
            format!("the server refuses {field} ({}); change it in {shown}, then run plan", text::clip(&reason, 110))
        }
        (Some(404), Action::Delete { .. }) => {
            format!("{}; it is no longer on the server: run plan", text::clip(&said, 120))
        }
        (Some(400..=499), Action::Delete { id, .. }) => {
            format!("{}; see it with `anam personas get {id}`", text::clip(&said, 120))
        }
        _ => format!("{}; run plan to see what is left", text::clip(&said, 160)),
    }
}

/// The field the server's error answer names (its first detail's path), as the file names it,
/// and the detail's message.
fn refused(error: &anam::Error) -> Option<(String, String)> {
    let detail = error.as_api()?.details.first()?;
    let wire = match detail.path.as_ref()? {
        Value::Array(parts) => {
            parts.iter().map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned)).collect::<Vec<_>>().join(".")
        }
        Value::String(path) => path.clone(),
        _ => return None,
    };
    let reason = detail.message.clone().unwrap_or_else(|| "refused".to_owned());
    (!wire.is_empty()).then(|| (file_field(&wire), reason))
}

/// At most three items of a list, then how many more there are.
fn few(items: &[String]) -> String {
    if items.len() <= 3 {
        return items.join(", ");
    }
    format!("{}, and {} more", items[..3].join(", "), items.len() - 3)
}

/// A carried-out action in a few words (`created Front desk`).
fn past(action: &Action) -> String {
    match action {
        Action::Create { name, .. } => format!("created {}", text::shorten(name)),
        Action::Update { name, .. } => format!("updated {}", text::shorten(name)),
        Action::Delete { name, .. } => format!("deleted {}", text::shorten(name)),
        Action::Unchanged { name, .. } => format!("kept {}", text::shorten(name)),
    }
}

/// An action in a few words, for the report of a stopped apply.
fn describe(action: &Action) -> String {
    match action {
        Action::Create { name, .. } => format!("create {}", text::shorten(name)),
        Action::Update { name, .. } => format!("update {}", text::shorten(name)),
        Action::Delete { name, .. } => format!("delete {}", text::shorten(name)),
        Action::Unchanged { name, .. } => format!("keep {}", text::shorten(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_and_tools_as_a_set() {
        assert!(same(&json!(60), &json!(60.0)));
        assert!(!same(&json!(0.5), &json!(0.6)));
        let persona =
            json!({"tools": [{"id": "b"}, {"id": "a"}], "voiceDetectionOptions": {"endOfSpeechSensitivity": 0.5}});
        assert_eq!(current(&persona, "tools"), json!(["a", "b"]));
        assert_eq!(current(&persona, "voiceDetection.endOfSpeechSensitivity"), json!(0.5));
        assert_eq!(current(&persona, "voice"), Value::Null);
    }

    #[test]
    fn the_catalogue_tells_models_and_engines_that_do_not_fit() {
        let liv =
            Named { id: "a-1".into(), name: Some("Liv".into()), versions: vec!["cara-3".into()], ..Named::default() };
        assert_eq!(
            check_model(&liv, "cara-4").unwrap_err(),
            "avatarModel is \"cara-4\", but the avatar Liv (a-1) offers only cara-3"
        );
        assert!(check_model(&liv, "cara-3").is_ok());
        let old = Named { versions: vec!["v-7f3a".into()], ..liv.clone() };
        assert!(check_model(&old, "cara-4").is_ok(), "internal ids only: the catalogue cannot tell");
        let cara = Named {
            id: "v-1".into(),
            name: Some("Cara".into()),
            provider: Some("CARTESIA".into()),
            ..Named::default()
        };
        assert_eq!(
            check_engine(&cara, "elevenlabs-v1").unwrap_err(),
            "voiceGeneration.engine is \"elevenlabs-v1\", but the voice Cara (v-1) is a CARTESIA voice, which takes cartesia"
        );
        let lucy = Named { provider: Some("ELEVENLABS".into()), ..cara.clone() };
        assert!(check_engine(&lucy, "elevenlabs-v2").is_ok() && check_engine(&lucy, "fish-audio").is_err());
        let other = Named { provider: Some("OPENAI_ADVANCED_VOICE".into()), ..cara };
        assert!(check_engine(&other, "cartesia").is_ok(), "an unknown provider is not checked");
    }

    #[test]
    fn a_stopped_apply_lists_a_few_and_counts_the_rest() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
        assert_eq!(few(&items[..3]), "a, b, c");
        assert_eq!(few(&items), "a, b, c, and 2 more");
        assert_eq!(file_field("voiceGenerationOptions.speed"), "voiceGeneration.speed");
        assert_eq!(file_field("toolIds[1]"), "tools[1]");
        assert_eq!(file_field("avatarModel"), "avatarModel");
    }
}
