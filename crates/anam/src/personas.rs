//! The request builders of personas ([`CreatePersona`], [`UpdatePersona`]), including the
//! ephemeral persona a session token can carry ([`EphemeralPersona`]). The operations are the
//! generic [`Resource`](crate::Resource) handle's (`client.personas()`).

use std::time::Duration;

use anam_api::facts::{OutOfBounds, check_create_persona, check_create_session_token, check_update_persona};
use anam_api::types::{
    AvatarModel, EphemeralPersonaConfig, NullableAvatarModel, PersonaConfig, PersonaCreate, PersonaUpdate,
    SessionTokenRequest, WidgetConfig,
};

use crate::error::ValidationError;
use crate::ids::{self, AvatarId, LlmId, ToolId, VoiceId};
use crate::options::{VoiceDetection, VoiceGeneration, check_provider};
use crate::resource::IntoBody;
use crate::sessions::{Direction, SessionTool};

/// Checks what the ranges of the spec do not say: a language code is two lowercase ASCII letters
/// (ISO 639-1), and an id that is set is not blank.
fn check_texts(language_code: Option<&str>, ids: [(&str, Option<&str>); 3]) -> Result<(), ValidationError> {
    if let Some(code) = language_code
        && !(code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()))
    {
        let expected = "two lowercase ASCII letters (ISO 639-1, e.g. \"en\")";
        return Err(ValidationError::new("languageCode", format!("{code:?}"), expected));
    }
    for (field, value) in ids {
        if value.is_some_and(|v| v.trim().is_empty()) {
            return Err(ValidationError::new(field, "\"\"", "a non-empty id"));
        }
    }
    Ok(())
}

/// The setters create, update and the ephemeral persona share, on the field of the generated
/// body type they set.
macro_rules! persona_setters {
    () => {
        /// `name`: the persona's name.
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.body.name = Some(name.into());
            self
        }

        /// `avatarId`: an avatar of the organisation, or a stock avatar such as [`ids::cara_avatar`].
        pub fn avatar_id(mut self, id: impl Into<AvatarId>) -> Self {
            self.body.avatar_id = Some(id.into());
            self
        }

        /// `voiceId`: a voice of the organisation, or a stock voice such as [`ids::cara_voice`].
        pub fn voice_id(mut self, id: impl Into<VoiceId>) -> Self {
            self.body.voice_id = Some(id.into());
            self
        }

        /// `llmId`: the language model; [`ids::llm_customer_client`] turns Anam's LLM off.
        pub fn llm_id(mut self, id: impl Into<LlmId>) -> Self {
            self.body.llm_id = Some(id.into());
            self
        }

        /// `systemPrompt`: the system prompt (stored as `brain.systemPrompt`).
        pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
            self.body.system_prompt = Some(prompt.into());
            self
        }

        /// `skipGreeting`: skip the greeting when a session starts.
        pub fn skip_greeting(mut self, skip: bool) -> Self {
            self.body.skip_greeting = Some(skip);
            self
        }

        /// `uninterruptibleGreeting`: the user cannot interrupt the greeting.
        pub fn uninterruptible_greeting(mut self, uninterruptible: bool) -> Self {
            self.body.uninterruptible_greeting = Some(uninterruptible);
            self
        }

        /// `initialMessage`: the persona's first utterance (empty lets it generate its own).
        pub fn initial_message(mut self, message: impl Into<String>) -> Self {
            self.body.initial_message = Some(message.into());
            self
        }

        /// `voiceDetectionOptions`, checked against the spec's ranges when the request is built.
        pub fn voice_detection(mut self, options: VoiceDetection) -> Self {
            self.voice_detection = Some(options);
            self
        }

        /// `voiceGenerationOptions`, checked against the provider's ranges when the request is built.
        pub fn voice_generation(mut self, options: VoiceGeneration) -> Self {
            self.voice_generation = Some(options);
            self
        }

        /// `languageCode`: the ISO 639-1 code (two lowercase letters) of the language to transcribe.
        pub fn language_code(mut self, code: impl Into<String>) -> Self {
            self.body.language_code = Some(code.into());
            self
        }
    };
}

/// The setters of a stored persona (create and update) that an ephemeral one does not have.
macro_rules! stored_persona_setters {
    () => {
        /// `description`: a description for people; it does not change the persona's behaviour.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.body.description = Some(description.into());
            self
        }

        /// `zeroDataRetention`: when true, session data is not stored after the conversation.
        /// Needs a ZDR-capable voice and LLM and an enterprise plan.
        pub fn zero_data_retention(mut self, zdr: bool) -> Self {
            self.body.zero_data_retention = Some(zdr);
            self
        }
    };
}

/// Fills the options into a body and checks it: the texts, the spec's ranges (`$check`, generated
/// from the spec) and the voice provider's.
macro_rules! build_body {
    ($self:ident, $check:path) => {{
        let mut body = $self.body;
        if let Some(options) = $self.voice_detection {
            body.voice_detection_options = Some(options.into_options());
        }
        let engine = $self.voice_generation.as_ref().map(VoiceGeneration::engine);
        if let Some(options) = $self.voice_generation {
            body.voice_generation_options = Some(options.into_options());
        }
        let ids = [
            ("avatarId", body.avatar_id.as_deref().map(String::as_str)),
            ("voiceId", body.voice_id.as_deref().map(String::as_str)),
            ("llmId", body.llm_id.as_deref().map(String::as_str)),
        ];
        check_texts(body.language_code.as_deref(), ids)?;
        $check(&body).map_err(ValidationError::from)?;
        if let (Some(engine), Some(options)) = (engine, &body.voice_generation_options) {
            check_provider(engine, options)?;
        }
        Ok(body)
    }};
}

/// A persona to create. Only the fields you set are sent; the schema requires none, but the
/// server needs at least an avatar and a voice to run a session.
///
/// [`CreatePersona::cara`] starts from Anam's documented example persona:
///
/// ```
/// use anam::{CreatePersona, VoiceDetection, VoiceGeneration};
///
/// let request = CreatePersona::cara()
///     .system_prompt("You are a concise support agent.")
///     .language_code("en")
///     .voice_detection(VoiceDetection::new().end_of_speech_sensitivity(0.7))
///     .voice_generation(VoiceGeneration::eleven_labs_v1().speed(1.1));
/// let body = request.build().unwrap();
/// assert_eq!(body.avatar_id, Some(anam::ids::cara_avatar()));
///
/// let err = CreatePersona::new().language_code("EN").build().unwrap_err();
/// assert_eq!(err.field, "languageCode");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreatePersona {
    body: PersonaCreate,
    voice_detection: Option<VoiceDetection>,
    voice_generation: Option<VoiceGeneration>,
}

impl CreatePersona {
    /// An empty request: the server's defaults apply to every field.
    pub fn new() -> Self {
        Self::default()
    }

    /// Anam's documented example persona: "Cara" with the stock Cara avatar (model `cara-3`) and
    /// voice, the documented example LLM ([`ids::llm_example`]) and the prompt "You are a helpful
    /// assistant".
    pub fn cara() -> Self {
        CreatePersona::new()
            .name("Cara")
            .avatar_id(ids::cara_avatar())
            .avatar_model(AvatarModel::Cara3)
            .voice_id(ids::cara_voice())
            .llm_id(ids::llm_example())
            .system_prompt("You are a helpful assistant")
    }

    /// Anam's documented example request, field for field: [`Self::cara`] plus a placeholder
    /// description, greeting and retention flags, every voice-detection option, English, and
    /// ElevenLabs v1 voice settings. It serializes to exactly the JSON on Anam's API reference page.
    pub fn documented_example() -> Self {
        CreatePersona::cara()
            .description("<string>")
            .skip_greeting(false)
            .zero_data_retention(false)
            .voice_detection(
                VoiceDetection::new()
                    .end_of_speech_sensitivity(0.5)
                    .silence_before_skip_turn_seconds(5.0)
                    .silence_before_session_end_seconds(60.0)
                    .silence_before_auto_end_turn_seconds(5.0)
                    .speech_enhancement_level(0.8),
            )
            .language_code("en")
            .voice_generation(VoiceGeneration::eleven_labs_v1().stability(0.5).similarity_boost(0.0).speed(1.0))
    }

    persona_setters!();
    stored_persona_setters!();

    /// `avatarModel`: the rendering model; any value is accepted, known ones are
    /// [`AvatarModel::KNOWN`]. Unset means the avatar's default.
    pub fn avatar_model(mut self, model: impl Into<AvatarModel>) -> Self {
        self.body.avatar_model = Some(model.into());
        self
    }

    /// `toolIds`: the tools to attach.
    pub fn tool_ids<I: IntoIterator<Item = S>, S: Into<ToolId>>(mut self, ids: I) -> Self {
        self.body.tool_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<PersonaCreate, ValidationError> {
        build_body!(self, check_create_persona)
    }
}

impl IntoBody<PersonaCreate> for CreatePersona {
    fn into_body(self) -> Result<PersonaCreate, ValidationError> {
        self.build()
    }
}

/// A partial update: only the fields you set change.
///
/// `avatarModel` has three states: left alone (the default), set
/// ([`UpdatePersona::avatar_model`]) or cleared ([`UpdatePersona::clear_avatar_model`], sent as
/// `null`, which older Anam documentation says restores the avatar's default). `toolIds` is sent
/// only when set, and then replaces every association: `tool_ids([])` detaches every tool.
///
/// ```
/// use anam::UpdatePersona;
/// use serde_json::json;
///
/// let wire = |u: UpdatePersona| serde_json::to_value(u.build().unwrap()).unwrap();
/// assert_eq!(wire(UpdatePersona::new().name("Ada")), json!({"name": "Ada"}));
/// assert_eq!(wire(UpdatePersona::new().clear_avatar_model()), json!({"avatarModel": null}));
/// assert_eq!(wire(UpdatePersona::new().avatar_model("cara-4")), json!({"avatarModel": "cara-4"}));
/// assert_eq!(wire(UpdatePersona::new().tool_ids(Vec::<anam::ToolId>::new())), json!({"toolIds": []}));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdatePersona {
    body: PersonaUpdate,
    voice_detection: Option<VoiceDetection>,
    voice_generation: Option<VoiceGeneration>,
}

impl UpdatePersona {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    persona_setters!();
    stored_persona_setters!();

    /// `avatarModel`: set a new rendering model.
    pub fn avatar_model(mut self, model: impl Into<AvatarModel>) -> Self {
        self.body.avatar_model = Some(NullableAvatarModel(Some(model.into())));
        self
    }

    /// `avatarModel: null`: clear the model so the avatar's default applies.
    pub fn clear_avatar_model(mut self) -> Self {
        self.body.avatar_model = Some(NullableAvatarModel(None));
        self
    }

    /// `toolIds`: the tools to attach, replacing every existing association (`[]` detaches all).
    pub fn tool_ids<I: IntoIterator<Item = S>, S: Into<ToolId>>(mut self, ids: I) -> Self {
        self.body.tool_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// `widgetConfig`: merged into the embeddable widget's existing settings.
    pub fn widget_config(mut self, config: WidgetConfig) -> Self {
        self.body.widget_config = Some(config);
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<PersonaUpdate, ValidationError> {
        build_body!(self, check_update_persona)
    }
}

impl IntoBody<PersonaUpdate> for UpdatePersona {
    fn into_body(self) -> Result<PersonaUpdate, ValidationError> {
        self.build()
    }
}

/// A persona defined for one session only (`personaConfig` of a session token, the ephemeral
/// form): the settings of a stored persona, plus a session length, director notes and inline
/// tools. Built and checked like [`CreatePersona`]; errors name the field under `personaConfig`.
///
/// ```
/// use std::time::Duration;
/// use anam::{Direction, EphemeralPersona, SessionTool};
/// use anam::types::DirectorPresetStyle;
///
/// let persona = EphemeralPersona::new()
///     .name("Cara")
///     .avatar_id(anam::ids::cara_avatar())
///     .avatar_model("cara-4")
///     .voice_id(anam::ids::lucy_voice())
///     .system_prompt("You are a helpful assistant.")
///     .max_session_length(Duration::from_secs(600))
///     .director_notes(Direction::preset(DirectorPresetStyle::Warm).expressivity(0.5))
///     .tool(SessionTool::client("open_calendar").description("Open the calendar UI."));
/// assert!(persona.clone().build().is_ok());
///
/// let err = persona.language_code("english").build().unwrap_err();
/// assert_eq!(err.field, "personaConfig.languageCode");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EphemeralPersona {
    body: EphemeralPersonaConfig,
    voice_detection: Option<VoiceDetection>,
    voice_generation: Option<VoiceGeneration>,
    director: Option<Direction>,
    tools: Vec<SessionTool>,
}

impl EphemeralPersona {
    /// A persona with no setting yet: the server's defaults apply.
    pub fn new() -> Self {
        Self::default()
    }

    persona_setters!();

    /// `avatarModel`: the rendering model (cara-4 models take director notes).
    pub fn avatar_model(mut self, model: impl Into<AvatarModel>) -> Self {
        self.body.avatar_model = Some(model.into());
        self
    }

    /// `maxSessionLengthSeconds`: the longest the session may stream. Unset, the plan's cap applies.
    pub fn max_session_length(mut self, length: Duration) -> Self {
        self.body.max_session_length_seconds = Some(length.as_secs_f64());
        self
    }

    /// `directorNotes`: how a cara-4 avatar acts (a cara-3 avatar ignores them).
    pub fn director_notes(mut self, notes: Direction) -> Self {
        self.director = Some(notes);
        self
    }

    /// Adds a tool defined for this session only (`tools`).
    pub fn tool(mut self, tool: SessionTool) -> Self {
        self.tools.push(tool);
        self
    }

    /// `toolIds`: stored tools to attach.
    pub fn tool_ids<I: IntoIterator<Item = S>, S: Into<ToolId>>(mut self, ids: I) -> Self {
        self.body.tool_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// `enableAudioPassthrough`: pass the audio through unchanged; egress needs it.
    pub fn enable_audio_passthrough(mut self, enable: bool) -> Self {
        self.body.enable_audio_passthrough = Some(enable);
        self
    }

    /// Whether `enableAudioPassthrough` is set to true.
    pub(crate) fn passes_audio_through(&self) -> bool {
        self.body.enable_audio_passthrough == Some(true)
    }

    /// The checked wire form.
    pub fn build(mut self) -> Result<EphemeralPersonaConfig, ValidationError> {
        let within = |error: ValidationError| error.within("personaConfig");
        let director = self.director.take().map(Direction::build).transpose().map_err(within)?;
        let tools = std::mem::take(&mut self.tools).into_iter().map(SessionTool::build).collect::<Result<_, _>>();
        let tools = tools.map_err(within)?;
        let mut body = self.fill().map_err(within)?;
        body.director_notes = director;
        body.tools = tools;
        in_a_session_token(&body).map_err(ValidationError::from)?;
        Ok(body)
    }

    /// The body with its options, checked but for the spec's ranges (which [`Self::build`]
    /// checks on the whole body, so that they name the field from the request's root).
    fn fill(self) -> Result<EphemeralPersonaConfig, ValidationError> {
        let no_ranges = |_: &EphemeralPersonaConfig| Ok::<(), OutOfBounds>(());
        build_body!(self, no_ranges)
    }
}

/// The spec's ranges for an ephemeral persona, as a session-token body holds it (the bounds
/// name the field from the body's root, `personaConfig.…`).
fn in_a_session_token(config: &EphemeralPersonaConfig) -> Result<(), OutOfBounds> {
    let request = SessionTokenRequest {
        client_label: None,
        persona_config: PersonaConfig::EphemeralPersonaConfig(config.clone()),
        session_options: None,
    };
    check_create_session_token(&request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn wire<T: serde::Serialize>(body: T) -> Value {
        serde_json::to_value(body).unwrap()
    }

    #[test]
    fn the_documented_example_request_comes_out_of_the_builder() {
        let request = CreatePersona::documented_example();
        let expected: Value =
            serde_json::from_str(include_str!("../tests/fixtures/create_persona_request.json")).unwrap();
        assert_eq!(wire(request.build().unwrap()), expected);
    }

    #[test]
    fn an_empty_create_sends_an_empty_object() {
        assert_eq!(wire(CreatePersona::new().build().unwrap()), json!({}));
    }

    #[test]
    fn update_sends_only_what_was_set_and_shares_the_checks() {
        let body = UpdatePersona::new().system_prompt("p").tool_ids(["t1", "t2"]).build().unwrap();
        assert_eq!(wire(body), json!({"systemPrompt": "p", "toolIds": ["t1", "t2"]}));
        assert_eq!(wire(UpdatePersona::new().tool_ids(Vec::<String>::new()).build().unwrap()), json!({"toolIds": []}));
        assert_eq!(wire(CreatePersona::new().tool_ids(Vec::<String>::new()).build().unwrap()), json!({}));
        let err = UpdatePersona::new().voice_detection(VoiceDetection::new().speech_enhancement_level(2.0)).build();
        assert_eq!(err.unwrap_err().field, "voiceDetectionOptions.speechEnhancementLevel");
    }

    #[test]
    fn unknown_avatar_models_can_be_sent() {
        let body = CreatePersona::new().avatar_model("cara-9-beta").build().unwrap();
        assert_eq!(wire(body), json!({"avatarModel": "cara-9-beta"}));
    }

    #[test]
    fn language_codes_are_two_lowercase_letters() {
        for good in ["en", "fr", "cy"] {
            assert!(CreatePersona::new().language_code(good).build().is_ok(), "{good}");
        }
        for bad in ["EN", "eng", "e", "", "en-GB", "é1"] {
            let err = CreatePersona::new().language_code(bad).build().unwrap_err();
            assert_eq!(err.field, "languageCode", "{bad}");
        }
    }

    #[test]
    fn empty_ids_are_refused() {
        assert_eq!(CreatePersona::new().voice_id(" ").build().unwrap_err().field, "voiceId");
    }

    #[test]
    fn non_finite_numbers_are_refused_by_field_not_sent_as_null() {
        let err = CreatePersona::new().voice_detection(VoiceDetection::new().speech_enhancement_level(f64::NAN));
        let err = err.build().unwrap_err();
        assert_eq!((err.field.as_str(), err.value.as_str()), ("voiceDetectionOptions.speechEnhancementLevel", "NaN"));
    }
}
