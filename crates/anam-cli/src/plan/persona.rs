//! The personas' plan. A persona of the file is matched with the server's persona of the same
//! name. Only the fields the file sets are compared (names of avatars, voices, LLMs and tools
//! resolved to ids first); numbers compare by value (`60` is `60.0`), tools as a set. An update
//! sends the changed fields, and a new voice's settings or a new avatar's model along with a new
//! voice or avatar, since the API resets those when the voice or avatar changes.

use std::collections::HashSet;
use std::sync::Arc;

use anam::types::{AvatarModel, Persona};
use anam::{CreatePersona, PersonaSummary, UpdatePersona};
use futures::FutureExt;
use serde_json::{Value, json};

use crate::plan::compare::{self, sorted, touches};
use crate::plan::{Action, Change, Id, Ref, Refs, Run, Verb};
use crate::resolve::{self, Catalog, Named};
use crate::spec::persona::{Detection, PersonaSpec, in_file_terms};
use crate::spec::{File, Kind};
use crate::text;

/// The personas' actions: one per persona of the file, in its order, and with `prune` a delete
/// for every persona of the server the file does not name.
pub fn plan(file: &File, refs: &Refs<'_>, shown: &str, prune: &HashSet<Kind>) -> Result<Vec<Action>, String> {
    let account = refs.account();
    let (mut actions, mut problems) = (Vec::new(), Vec::new());
    for (i, spec) in file.personas().iter().enumerate() {
        let at = |problem: String| format!("{shown}: personas[{i}].{problem}");
        let action = Ids::resolve(spec, &account.catalog, refs).and_then(|ids| {
            let same_name: Vec<&PersonaSummary> =
                account.personas.iter().filter(|p| p.name.as_deref() == Some(&spec.name)).collect();
            match same_name.as_slice() {
                [] => create_action(i, spec, ids, &account.catalog),
                [one] => match account.full.get(one.id.as_str()) {
                    Some(current) => update_action(i, spec, ids, current, &account.catalog),
                    None => Err(format!("name: the persona {} was not read", one.id)),
                },
                many => Err(shared_name(&spec.name, many)),
            }
        });
        match action {
            Ok(action) => actions.push(action),
            Err(problem) => problems.push(at(problem)),
        }
    }
    if prune.contains(&Kind::Persona) {
        for persona in &account.personas {
            if !file.personas().iter().any(|spec| persona.name.as_deref() == Some(spec.name.as_str())) {
                actions.push(delete_action(persona));
            }
        }
    }
    super::all_or_problems(actions, problems)
}

/// The action that creates the file's persona `i`.
fn create_action(i: usize, spec: &PersonaSpec, ids: Ids, catalog: &Catalog) -> Result<Action, String> {
    check_catalog(spec, &ids, None, catalog)?;
    create(spec, &ids, ids.placeholder_tools())?;
    let changes = compare::created(wanted(spec, &ids));
    let uses = ids.uses();
    let name = spec.name.clone();
    let spec = spec.clone();
    let run: Run = Arc::new(move |client, created| {
        let request = create(&spec, &ids, ids.resolved_tools(created)?)?;
        let personas = client.personas();
        Ok(async move { personas.create(request).await.map(|p| Some(p.id.to_string())) }.boxed())
    });
    Ok(Action {
        kind: Kind::Persona,
        name,
        at: Some(format!("personas[{i}]")),
        id: None,
        verb: Verb::Create,
        changes,
        uses,
        refers_to: Some(Vec::new()),
        run: Some(run),
    })
}

/// The action that makes the server's persona `current` what the file's persona `i` says.
fn update_action(
    i: usize,
    spec: &PersonaSpec,
    ids: Ids,
    current: &Persona,
    catalog: &Catalog,
) -> Result<Action, String> {
    check_catalog(spec, &ids, Some(current), catalog)?;
    let changes = diff(spec, &ids, current);
    let id = current.id.to_string();
    let refers_to = current.tools.iter().flatten().map(|t| t.id.to_string());
    let refers_to = Some(refers_to.collect());
    if changes.is_empty() {
        let mut action = Action::unchanged(Kind::Persona, &spec.name, format!("personas[{i}]"), &id);
        action.refers_to = refers_to;
        return Ok(action);
    }
    update(spec, &ids, ids.placeholder_tools(), &changes, current)?;
    let uses = ids.uses();
    let (spec_run, current, changes_run, id_run) = (spec.clone(), current.clone(), changes.clone(), id.clone());
    let run: Run = Arc::new(move |client, created| {
        let request = update(&spec_run, &ids, ids.resolved_tools(created)?, &changes_run, &current)?;
        let (personas, id) = (client.personas(), id_run.clone());
        Ok(async move { personas.update(id, request).await.map(|_| None) }.boxed())
    });
    Ok(Action {
        kind: Kind::Persona,
        name: spec.name.clone(),
        at: Some(format!("personas[{i}]")),
        id: Some(id),
        verb: Verb::Update,
        changes,
        uses,
        refers_to,
        run: Some(run),
    })
}

/// The action that deletes a persona the file does not name (`--prune`). What it refers to is
/// not read (a list holds no tools), so deletes of what it may use wait for it.
fn delete_action(persona: &PersonaSummary) -> Action {
    let id = persona.id.to_string();
    let run_id = id.clone();
    let run: Run = Arc::new(move |client, _| {
        let (personas, id) = (client.personas(), run_id.clone());
        Ok(async move { personas.delete(id).await.map(|()| None) }.boxed())
    });
    Action {
        kind: Kind::Persona,
        name: persona.name.clone().unwrap_or_default(),
        at: None,
        id: Some(id),
        verb: Verb::Delete,
        changes: Vec::new(),
        uses: Vec::new(),
        refers_to: None,
        run: Some(run),
    }
}

/// The error for a file's persona whose name two or more of the server's personas share: the
/// file finds a persona by its name, so one must be renamed or deleted.
fn shared_name(name: &str, many: &[&PersonaSummary]) -> String {
    let shown: Vec<&str> = many.iter().take(5).map(|p| p.id.as_str()).collect();
    let more = if many.len() > 5 { format!(", and {} more", many.len() - 5) } else { String::new() };
    format!(
        "name: {name:?} matches {} personas ({}{more}); a file finds a persona by its name: rename one (anam \
         personas update <ID> --name NEW) or delete one (anam personas delete <ID>)",
        many.len(),
        shown.join(", ")
    )
}

/// The ids a persona of the file names, resolved: the catalogue's by name or id, and its tools
/// the file's or the server's ([`Refs`]).
struct Ids {
    avatar: Option<String>,
    voice: Option<String>,
    llm: Option<String>,
    tools: Option<Vec<Id>>,
}

impl Ids {
    /// The ids `spec` names; an error names the field (`tools[1]: ...`).
    fn resolve(spec: &PersonaSpec, catalog: &Catalog, refs: &Refs<'_>) -> Result<Ids, String> {
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
                each.map(|(i, t)| refs.tool(t).map_err(|e| format!("tools[{i}]: {e}"))).collect()
            })
            .transpose()?;
        Ok(Ids {
            avatar: one(&catalog.avatars, "avatar", "avatar", &spec.avatar)?,
            voice: one(&catalog.voices, "voice", "voice", &spec.voice)?,
            llm,
            tools,
        })
    }

    /// The tools this run creates first.
    fn uses(&self) -> Vec<Ref> {
        self.tools.iter().flatten().filter_map(Id::new_ref).collect()
    }

    /// The tools' ids, placeholders for those not created yet (for a check).
    fn placeholder_tools(&self) -> Option<Vec<String>> {
        self.tools.as_ref().map(|tools| tools.iter().map(Id::or_placeholder).collect())
    }

    /// The tools' ids once what they need was created.
    fn resolved_tools(&self, created: &crate::plan::Created) -> Result<Option<Vec<String>>, String> {
        self.tools.as_ref().map(|tools| tools.iter().map(|t| t.get(created)).collect()).transpose()
    }
}

/// Checks what the catalogue can tell of what the file says, whether or not it differs from the
/// server: that the avatar offers the `avatarModel`, and that the `voiceGeneration.engine` is one
/// for the voice's provider. The avatar and voice are the file's, else those of the server's
/// persona (`server`, for an update). Returns the problem as `field: ...`.
fn check_catalog(spec: &PersonaSpec, ids: &Ids, server: Option<&Persona>, catalog: &Catalog) -> Result<(), String> {
    if let Some(model) = &spec.avatar_model {
        let avatar = ids.avatar.clone().or_else(|| server.and_then(|p| p.avatar.as_ref()).map(|a| a.id.to_string()));
        if let Some(avatar) = avatar.and_then(|id| catalog.avatars.iter().find(|a| a.id == id)) {
            check_model(avatar, model)?;
        }
    }
    if let Some(generation) = &spec.voice_generation {
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
    put("tools", ids.tools.as_ref().map(|tools| sorted(tools.iter().map(Id::shown))));
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

/// The fields whose server value differs from the file's.
fn diff(spec: &PersonaSpec, ids: &Ids, persona: &Persona) -> Vec<Change> {
    let server = serde_json::to_value(persona).unwrap_or_default();
    compare::changes(wanted(spec, ids), |field| current(&server, field))
}

/// The request that creates the file's persona.
fn create(spec: &PersonaSpec, ids: &Ids, tools: Option<Vec<String>>) -> Result<CreatePersona, String> {
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
    if let Some(v) = &tools {
        request = request.tool_ids(v.iter().map(String::as_str));
    }
    request.clone().build().map_err(|e| in_file_terms(&e))?;
    Ok(request)
}

/// The request that makes the server's persona what the file says, from the changes.
fn update(
    spec: &PersonaSpec,
    ids: &Ids,
    tools: Option<Vec<String>>,
    changes: &[Change],
    persona: &Persona,
) -> Result<UpdatePersona, String> {
    let changed = |field: &str| touches(changes, field);
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
        && let Some(v) = &tools
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_compare_as_a_set() {
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
    fn wire_fields_are_named_as_the_file_names_them() {
        use crate::spec::persona::file_field;
        assert_eq!(file_field("voiceGenerationOptions.speed"), "voiceGeneration.speed");
        assert_eq!(file_field("toolIds[1]"), "tools[1]");
        assert_eq!(file_field("avatarModel"), "avatarModel");
    }
}
