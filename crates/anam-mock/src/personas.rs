//! Personas: the rules the fake applies to them (validation, references, partial update,
//! paging) and their handlers. Request bodies are read with the generated `anam-api` types and
//! checked against the spec's ranges (`anam_api::facts`), so the fake accepts exactly the shapes
//! the spec describes; a persona may only reference an avatar, voice, LLM or tool the fake
//! holds, and answers carry those, and its share links, as whole objects.

use anam_api::facts::{check_create_persona, check_update_persona};
use anam_api::types::{
    AvatarModel, CartesiaEmotion, Persona, PersonaCreate, PersonaList, PersonaSummary, PersonaUpdate, PrimaryShareLink,
    ShareLink, VoiceGenerationOptions, WidgetConfig, WidgetInitialState, WidgetLayout,
};
use serde_json::{Map, Value, json};

use crate::catalog::{References, check_model};
use crate::collection::paginate;
use crate::input::Input;
use crate::reply::{Answer, created, deleted, not_found, ok};
use crate::state::State;
use crate::validate::{Invalid, check_known, out_of_range, read, to_map};

/// The update fields whose `null` clears them (nullable in the spec's `PersonaUpdate`).
const CLEARED_BY_NULL: [&str; 2] = ["avatarModel", "initialMessage"];

/// The handlers of the persona operations.
pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    let (page, per_page) = input.paging(10)?;
    ok(state.list_personas(page, per_page, input.text("search")))
}

pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    ok(state.persona(&input.id).ok_or_else(|| not_found("Persona"))?)
}

pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    created(state.create_persona(&input.json()?)?)
}

pub(crate) fn update(state: &mut State, input: &Input) -> Answer {
    ok(state.update_persona(&input.id, &input.json()?)?.ok_or_else(|| not_found("Persona"))?)
}

/// Deletes a persona and its share links (Anam does not say what becomes of them; a link to
/// nothing could not be used).
pub(crate) fn delete(state: &mut State, input: &Input) -> Answer {
    if !state.delete_persona(&input.id) {
        return Err(not_found("Persona"));
    }
    state.share_links.remove_where(|link| link.persona_id.as_ref().is_some_and(|p| p.as_str() == input.id));
    deleted("Persona deleted")
}

/// A persona is kept with the ids it references and answered with the objects the fake holds
/// for them, so an answer shows the avatar, voice, tools and share links as they are now.
impl State {
    pub fn all_personas(&self) -> Vec<Persona> {
        self.personas.iter().map(|persona| self.resolved(persona)).collect()
    }

    pub fn persona(&self, id: &str) -> Option<Persona> {
        self.personas.get(id).map(|persona| self.resolved(persona))
    }

    /// A persona as answered: its avatar, voice and tools replaced by the catalogue's objects.
    fn resolved(&self, persona: &Persona) -> Persona {
        let mut persona = persona.clone();
        if let Some(avatar) = persona.avatar.as_ref().and_then(|a| self.catalog.avatar(&a.id)) {
            persona.avatar = Some(avatar.clone());
        }
        if let Some(voice) = persona.voice.as_ref().and_then(|v| self.catalog.voice(&v.id)) {
            persona.voice = Some(voice.clone());
        }
        for tool in persona.tools.iter_mut().flatten() {
            if let Some(found) = self.catalog.tool(&tool.id) {
                *tool = found.clone();
            }
        }
        let links: Vec<ShareLink> = self
            .share_links
            .iter()
            .filter(|link| link.persona_id.as_ref().is_some_and(|p| *p == persona.id.as_str()))
            .map(crate::share_links::without_persona)
            .collect();
        persona.primary_share_link = links
            .iter()
            .find(|link| link.is_primary == Some(true))
            .map(|link| PrimaryShareLink { token: link.token.clone(), enabled: link.enabled });
        persona.share_links = Some(links);
        persona
    }

    pub fn delete_persona(&mut self, id: &str) -> bool {
        self.personas.remove(id).is_some()
    }

    /// Creates a persona from a request body (a JSON object, the `PersonaCreate` shape).
    pub fn create_persona(&mut self, body: &Value) -> Result<Persona, Invalid> {
        let request: PersonaCreate = read(body)?;
        check_create_persona(&request).map_err(out_of_range)?;
        check_known(
            "avatarModel",
            request.avatar_model.as_ref().map(|m| (m.as_str(), m.is_known())),
            AvatarModel::KNOWN,
        )?;
        check_option_enums(request.voice_generation_options.as_ref(), None)?;
        let references = References::of_create(&request);
        self.catalog.check_references(&references)?;
        let avatar = request.avatar_id.as_ref().and_then(|id| self.catalog.avatar(id));
        check_model(avatar, request.avatar_model.as_ref())?;
        let persona = self.keep(new_persona(request)?);
        Ok(self.resolved(&persona))
    }

    /// Creates a persona from a request that the caller vouches for (no range, enum or
    /// reference checks).
    pub fn insert_persona(&mut self, request: PersonaCreate) -> Result<Persona, Invalid> {
        let persona = self.keep(new_persona(request)?);
        Ok(self.resolved(&persona))
    }

    fn keep(&mut self, persona: Persona) -> Persona {
        self.personas.insert(persona.clone());
        persona
    }

    /// Applies a partial update; `Ok(None)` when no persona has this id.
    pub fn update_persona(&mut self, id: &str, body: &Value) -> Result<Option<Persona>, Invalid> {
        let request: PersonaUpdate = read(body)?;
        check_update_persona(&request).map_err(out_of_range)?;
        let model = request.avatar_model.as_ref().and_then(|m| m.0.as_ref());
        check_known("avatarModel", model.map(|m| (m.as_str(), m.is_known())), AvatarModel::KNOWN)?;
        check_option_enums(request.voice_generation_options.as_ref(), request.widget_config.as_ref())?;
        self.catalog.check_references(&References::of_update(&request))?;
        let Some(persona) = self.personas.get_mut(id) else {
            return Ok(None);
        };
        // The model must suit the avatar the persona will have; a new avatar that does not
        // support the model it had resets it (as Anam documents).
        let avatar_id = request.avatar_id.as_ref().or(persona.avatar.as_ref().map(|a| &a.id));
        let avatar = avatar_id.and_then(|id| self.catalog.avatar(id));
        check_model(avatar, model)?;
        let keeps_model = request.avatar_model.is_some() || check_model(avatar, persona.avatar_model.as_ref()).is_ok();
        // The typed request, written back (serde reads `null` as "not sent"), plus the `null`s
        // that the spec gives a meaning: they clear the field.
        let mut changes = to_map(request);
        for key in CLEARED_BY_NULL {
            if body.get(key).is_some_and(Value::is_null) {
                changes.insert(key.to_string(), Value::Null);
            }
        }
        if !keeps_model {
            changes.insert("avatarModel".into(), Value::Null);
        }
        let mut updated = serde_json::to_value(&*persona).unwrap_or_default();
        apply(&mut updated, &changes);
        updated["updatedAt"] = json!(chrono::Utc::now());
        *persona = serde_json::from_value(updated)
            .map_err(|e| Invalid::new("", format!("the update does not make a persona: {e}"), "invalid_type"))?;
        let persona = persona.clone();
        Ok(Some(self.resolved(&persona)))
    }

    /// One page of personas whose name contains `search` (case-insensitive).
    pub fn list_personas(&self, page: u64, per_page: u64, search: Option<&str>) -> PersonaList {
        let search = search.map(str::to_lowercase);
        let matches = |p: &&Persona| match &search {
            Some(text) => p.name.as_deref().is_some_and(|name| name.to_lowercase().contains(text.as_str())),
            None => true,
        };
        let matching: Vec<&Persona> = self.personas.iter().filter(matches).collect();
        let (personas, meta) = paginate(&matching, page, per_page);
        PersonaList { data: personas.iter().map(|p| summary(&self.resolved(p))).collect(), meta }
    }
}

/// The trimmed list shape of a persona.
fn summary(persona: &Persona) -> PersonaSummary {
    PersonaSummary {
        id: persona.id.clone(),
        name: persona.name.clone(),
        description: Some(persona.description.clone().unwrap_or_default()),
        persona_preset: persona.persona_preset.clone(),
        avatar: persona.avatar.clone(),
        voice: persona.voice.clone(),
        voice_speed: None,
        is_default_persona: Some(false),
        language_code: Some(persona.language_code.clone().unwrap_or_else(|| "inherit".into())),
        created_at: persona.created_at,
        updated_at: persona.updated_at,
    }
}

/// A new persona: the request applied to an empty one, with a new id, made now.
fn new_persona(request: PersonaCreate) -> Result<Persona, Invalid> {
    persona_from(&uuid::Uuid::new_v4().to_string(), request, chrono::Utc::now())
}

/// The persona `request` makes when applied to an empty one with the id `id`, made (and last
/// changed) at `at`. Nothing it references is checked.
pub(crate) fn persona_from(
    id: &str,
    request: PersonaCreate,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Persona, Invalid> {
    let mut persona = json!({
        "id": id, "personaPreset": "", "brain": {}, "tools": [], "knowledge": [],
        "enableAudioPassthrough": false, "skipGreeting": false, "zeroDataRetention": false,
        "widgetConfig": {}, "createdAt": at, "updatedAt": at,
    });
    apply(&mut persona, &to_map(request));
    serde_json::from_value(persona)
        .map_err(|e| Invalid::new("", format!("the request does not make a persona: {e}"), "invalid_type"))
}

/// Applies the fields of a create or update body to a persona, as JSON: most fields keep their
/// name in the persona; the ids become nested objects, the prompt goes into `brain`, a new voice
/// resets the voice options unless new ones come with it, and `widgetConfig` is merged.
fn apply(persona: &mut Value, changes: &Map<String, Value>) {
    for (key, value) in changes {
        match key.as_str() {
            "avatarId" => persona["avatar"] = json!({ "id": value }),
            "voiceId" => {
                persona["voice"] = json!({ "id": value });
                if !changes.contains_key("voiceGenerationOptions") {
                    persona["voiceGenerationOptions"] = Value::Null;
                }
            }
            "systemPrompt" => persona["brain"]["systemPrompt"] = value.clone(),
            "toolIds" => {
                if let Some(ids) = value.as_array() {
                    persona["tools"] = ids.iter().map(|id| json!({ "id": id, "type": "CLIENT" })).collect();
                }
            }
            "widgetConfig" => {
                let mut merged = persona["widgetConfig"].as_object().cloned().unwrap_or_default();
                merged.extend(value.as_object().cloned().unwrap_or_default());
                persona["widgetConfig"] = Value::Object(merged);
            }
            _ => persona[key.as_str()] = value.clone(),
        }
    }
}

pub(crate) fn check_option_enums(
    voice: Option<&VoiceGenerationOptions>,
    widget: Option<&WidgetConfig>,
) -> Result<(), Invalid> {
    let emotion = voice.and_then(|v| v.emotion.as_ref()).map(|e| (e.as_str(), e.is_known()));
    check_known("voiceGenerationOptions.emotion", emotion, CartesiaEmotion::KNOWN)?;
    let layout = widget.and_then(|w| w.layout.as_ref()).map(|l| (l.as_str(), l.is_known()));
    check_known("widgetConfig.layout", layout, WidgetLayout::KNOWN)?;
    let state = widget.and_then(|w| w.initial_state.as_ref()).map(|s| (s.as_str(), s.is_known()));
    check_known("widgetConfig.initialState", state, WidgetInitialState::KNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIV: &str = "071b0286-4cce-4808-bee2-e642f1062de3";
    const CARA_AVATAR: &str = "30fa96d0-26c4-4e55-94a0-517025942e18";
    const LUCY: &str = "de23e340-1416-4dd8-977d-065a7ca11697";
    const CARA_VOICE: &str = "6bfbe25a-979d-40f3-a92b-5394170af54b";
    const TOOL: &str = "00000000-0000-0000-0000-000000000000";

    fn stocked() -> State {
        State::default()
    }

    #[test]
    fn out_of_range_values_name_the_field() {
        let mut store = stocked();
        let err = store.create_persona(&json!({"voiceDetectionOptions": {"speechEnhancementLevel": 1.5}})).unwrap_err();
        assert_eq!(err.path, "voiceDetectionOptions.speechEnhancementLevel");
        assert_eq!(err.code, "too_big");
        let err = store.create_persona(&json!({"voiceGenerationOptions": {"volume": 0.1}})).unwrap_err();
        assert_eq!((err.path.as_str(), err.code), ("voiceGenerationOptions.volume", "too_small"));
        assert_eq!(store.personas.len(), 0);
    }

    #[test]
    fn values_outside_the_spec_enums_are_refused() {
        let mut store = stocked();
        let err = store.create_persona(&json!({"avatarModel": "cara-9"})).unwrap_err();
        assert_eq!((err.path.as_str(), err.code), ("avatarModel", "invalid_enum_value"));
        assert!(err.message.contains("cara-4-latest"), "{}", err.message);
        assert_eq!(
            store.create_persona(&json!({"voiceGenerationOptions": {"emotion": "AAA"}})).unwrap_err().path,
            "voiceGenerationOptions.emotion"
        );
        let id = store.create_persona(&json!({})).unwrap().id;
        let err = store.update_persona(&id, &json!({"widgetConfig": {"initialState": "AAA"}})).unwrap_err();
        assert_eq!(err.path, "widgetConfig.initialState");
        assert!(store.update_persona(&id, &json!({"avatarModel": null, "widgetConfig": {"layout": "inline"}})).is_ok());
    }

    #[test]
    fn wrong_types_and_unknown_update_fields_name_the_field() {
        let mut store = stocked();
        assert_eq!(store.create_persona(&json!({"name": 5})).unwrap_err().path, "name");
        assert_eq!(store.create_persona(&json!([1])).unwrap_err().code, "invalid_type");
        let id = store.create_persona(&json!({"name": "a"})).unwrap().id;
        let err = store.update_persona(&id, &json!({"colour": "red"})).unwrap_err();
        assert_eq!((err.path.as_str(), err.code), ("colour", "unrecognized_keys"));
    }

    #[test]
    fn update_changes_only_what_is_sent_and_null_clears_the_model() {
        let mut store = stocked();
        let body = json!({"name": "Cara", "avatarId": CARA_AVATAR, "avatarModel": "cara-4", "voiceId": LUCY,
            "voiceGenerationOptions": {"speed": 1.0}, "systemPrompt": "p"});
        let id = store.create_persona(&body).unwrap().id;
        let updated = store.update_persona(&id, &json!({"description": "d"})).unwrap().unwrap();
        assert_eq!(updated.name.as_deref(), Some("Cara"));
        assert_eq!(updated.avatar_model.as_ref().map(|m| m.as_str()), Some("cara-4"));
        let cleared = store.update_persona(&id, &json!({"avatarModel": null})).unwrap().unwrap();
        assert_eq!(cleared.avatar_model, None);
        assert_eq!(cleared.brain.unwrap().system_prompt.as_deref(), Some("p"));
        let revoiced = store.update_persona(&id, &json!({"voiceId": CARA_VOICE})).unwrap().unwrap();
        assert_eq!(revoiced.voice_generation_options, None, "a new voice resets its options");
        assert_eq!(revoiced.voice.unwrap().display_name.as_deref(), Some("Cara"), "the whole voice");
        let tooled = store.update_persona(&id, &json!({"toolIds": [TOOL]})).unwrap().unwrap();
        assert_eq!(tooled.tools.unwrap()[0].name.as_deref(), Some("open_calendar"), "the whole tool");
        let untooled = store.update_persona(&id, &json!({"toolIds": []})).unwrap().unwrap();
        assert_eq!(untooled.tools, Some(Vec::new()), "an empty list detaches every tool");
        assert_eq!(store.update_persona("nope", &json!({})).unwrap(), None);
    }

    #[test]
    fn references_must_exist_and_answers_carry_whole_objects() {
        let mut store = stocked();
        for (body, field) in [
            (json!({"avatarId": ""}), "avatarId"),
            (json!({"voiceId": "\u{1F600}"}), "voiceId"),
            (json!({"llmId": "gpt-9"}), "llmId"),
            (json!({"toolIds": [TOOL, "t-404"]}), "toolIds[1]"),
        ] {
            let err = store.create_persona(&body).unwrap_err();
            assert_eq!((err.path.as_str(), err.code), (field, "invalid_reference"), "{body}");
        }
        assert_eq!(store.personas.len(), 0);
        let persona =
            store.create_persona(&json!({"avatarId": LIV, "voiceId": LUCY, "llmId": "CUSTOMER_CLIENT_V1"})).unwrap();
        assert_eq!(persona.avatar.as_ref().and_then(|a| a.display_name.as_deref()), Some("Liv"));
        assert_eq!(persona.voice.as_ref().and_then(|v| v.provider.as_ref()).map(|p| p.as_str()), Some("ELEVENLABS"));
        let summary = &store.list_personas(1, 10, None).data[0];
        assert_eq!(summary.avatar, persona.avatar, "lists carry the whole avatar too");
        assert_eq!(store.update_persona(&persona.id, &json!({"voiceId": "gone"})).unwrap_err().path, "voiceId");
        // Liv supports cara-3 only; a persona on Cara with cara-4 that moves to Liv loses the model.
        assert_eq!(
            store.update_persona(&persona.id, &json!({"avatarModel": "cara-4"})).unwrap_err().path,
            "avatarModel"
        );
        let on_cara = store.create_persona(&json!({"avatarId": CARA_AVATAR, "avatarModel": "cara-4"})).unwrap();
        let moved = store.update_persona(&on_cara.id, &json!({"avatarId": LIV})).unwrap().unwrap();
        assert_eq!((moved.avatar_model, moved.avatar.map(|a| a.id)), (None, Some(LIV.into())));
    }

    #[test]
    fn pages_are_counted_and_searched() {
        let mut store = stocked();
        for i in 0..25 {
            store
                .create_persona(&json!({"name": if i % 5 == 0 { format!("Cara {i}") } else { format!("Other {i}") }}))
                .unwrap();
        }
        let page = store.list_personas(3, 10, None);
        assert_eq!((page.data.len(), page.meta.total, page.meta.last_page, page.meta.next), (5, 25, 3, None));
        assert_eq!(page.meta.prev, Some(2));
        let found = store.list_personas(1, 10, Some("cara"));
        assert_eq!((found.data.len(), found.meta.total), (5, 5));
        let empty = store.list_personas(9, 10, None);
        assert_eq!((empty.data.len(), empty.meta.last_page), (0, 3));
        assert_eq!(stocked().list_personas(1, 10, None).meta.last_page, 1);
    }
}
