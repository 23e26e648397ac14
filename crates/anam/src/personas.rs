//! The persona operations ([`Personas`]) and their request builders.

use std::future::Future;
use std::num::NonZeroU64;

use anam_api::types::{
    AvatarModel, DeleteResult, NullableAvatarModel, Persona, PersonaCreate, PersonaList, PersonaSummary, PersonaUpdate,
    WidgetConfig,
};
use futures::Stream;

use crate::call::{Call, Operation};
use crate::client::Client;
use crate::error::{Result, ValidationError};
use crate::ids;
use crate::options::{VoiceDetection, VoiceGeneration};

const LIST: Operation = Operation { id: "listPersonas", method: "GET", path: "/v1/personas" };
const CREATE: Operation = Operation { id: "createPersona", method: "POST", path: "/v1/personas" };
const GET: Operation = Operation { id: "getPersona", method: "GET", path: "/v1/personas/{id}" };
const UPDATE: Operation = Operation { id: "updatePersona", method: "PUT", path: "/v1/personas/{id}" };
const DELETE: Operation = Operation { id: "deletePersona", method: "DELETE", path: "/v1/personas/{id}" };

/// The persona operations of a [`Client`]: `client.personas()`.
///
/// Each operation checks its input when it is called and returns a future: nothing is sent until
/// the future is awaited (or polled), and a failed check is its output, a
/// [`crate::Error::Validation`]. The futures are `Send`, so they can be spawned.
///
/// ```no_run
/// use anam::{CreatePersona, UpdatePersona};
///
/// # async fn demo() -> anam::Result<()> {
/// let client = anam::Client::from_env()?;
/// let personas = client.personas();
/// let cara = personas.create(CreatePersona::cara().name("Support Cara")).await?;
/// let cara = personas.update(&cara.id, UpdatePersona::new().system_prompt("Be brief.")).await?;
/// assert!(personas.get_opt(&cara.id).await?.is_some());
/// personas.delete(&cara.id).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Personas<'a> {
    client: &'a Client,
}

impl<'a> Personas<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Personas { client }
    }

    /// Creates a persona (`POST /v1/personas`). The request is checked first; it is retried
    /// only when it provably never reached the server, so a retry never creates a duplicate.
    pub fn create(&self, request: CreatePersona) -> impl Future<Output = Result<Persona>> + Send + use<'a> {
        Call::checked(CREATE, request.build(), |body| self.api().create_persona().body(body).send())
    }

    /// One page of personas (`GET /v1/personas`).
    pub fn list(&self, request: ListPersonas) -> impl Future<Output = Result<PersonaList>> + Send + use<'a> {
        Call::checked(LIST, request.validate().map(|()| request), |request| {
            let ListPersonas { page, per_page, search } = request;
            let mut call = self.api().list_personas();
            if let Some(page) = page.and_then(NonZeroU64::new) {
                call = call.page(page);
            }
            if let Some(per_page) = per_page.and_then(NonZeroU64::new) {
                call = call.per_page(per_page);
            }
            if let Some(search) = search {
                call = call.search(search);
            }
            call.send()
        })
    }

    /// Every persona matching `request`, page after page (100 a page unless `per_page` says
    /// otherwise, starting at `page` or 1). Only one page is held in memory at a time, and an
    /// item that shifts from one page onto the next while the stream reads is not yielded twice.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(client: anam::Client) -> anam::Result<()> {
    /// let mut personas = client.personas().stream(anam::ListPersonas::new().search("Cara"));
    /// while let Some(persona) = personas.try_next().await? {
    ///     println!("{} {}", persona.id, persona.name.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(&self, request: ListPersonas) -> impl Stream<Item = Result<PersonaSummary>> + Send + Unpin + 'static {
        crate::pagination::stream(self.client.clone(), request)
    }

    /// Every persona matching `request`, collected (see [`Self::stream`] to hold one page at a time).
    pub async fn list_all(&self, request: ListPersonas) -> Result<Vec<PersonaSummary>> {
        futures::TryStreamExt::try_collect(self.stream(request)).await
    }

    /// One persona (`GET /v1/personas/{id}`).
    pub fn get(&self, id: &str) -> impl Future<Output = Result<Persona>> + Send + use<'a> {
        Call::checked(GET, check_id(id), |id| self.api().get_persona().id(id).send())
    }

    /// One persona, or `None` when the server answers 404.
    pub async fn get_opt(&self, id: &str) -> Result<Option<Persona>> {
        match self.get(id).await {
            Ok(persona) => Ok(Some(persona)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Changes the fields set in `request` (`PUT /v1/personas/{id}`); the others keep their values.
    pub fn update(&self, id: &str, request: UpdatePersona) -> impl Future<Output = Result<Persona>> + Send + use<'a> {
        let input = check_id(id).and_then(|id| Ok((id, request.build()?)));
        Call::checked(UPDATE, input, |(id, body)| self.api().update_persona().id(id).body(body).send())
    }

    /// Deletes a persona (`DELETE /v1/personas/{id}`). Succeeds on 200 with or without a body and on 204.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let call = Call::checked(DELETE, check_id(id), |id| self.api().delete_persona().id(id).send());
        let _: DeleteResult = call.await?;
        Ok(())
    }

    /// The generated client every call goes through.
    fn api(&self) -> &'a anam_api::Client {
        &self.client.transport.api
    }
}

fn check_id(id: &str) -> Result<&str, ValidationError> {
    if id.trim().is_empty() {
        return Err(ValidationError::new("id", format!("{id:?}"), "a non-empty persona id"));
    }
    Ok(id)
}

/// Which page of personas to list.
///
/// ```
/// let request = anam::ListPersonas::new().page(2).per_page(50).search("Cara");
/// assert!(request.validate().is_ok());
/// let err = anam::ListPersonas::new().per_page(101).validate().unwrap_err();
/// assert_eq!(err.to_string(), "perPage is 101, but must be between 1 and 100");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPersonas {
    pub(crate) page: Option<u64>,
    pub(crate) per_page: Option<u64>,
    pub(crate) search: Option<String>,
}

impl ListPersonas {
    /// The first page with the server's page size (10).
    pub fn new() -> Self {
        Self::default()
    }

    /// The page, from 1.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// The page size, from 1 to 100.
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Only personas whose name matches this text.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Checks `page` (at least 1) and `perPage` (1 to 100).
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(page) = self.page.filter(|p| *p < 1) {
            return Err(ValidationError::new("page", page, "at least 1"));
        }
        if let Some(per_page) = self.per_page.filter(|p| !(1..=100).contains(p)) {
            return Err(ValidationError::new("perPage", per_page, "between 1 and 100"));
        }
        Ok(())
    }
}

/// Checks a language code: two lowercase ASCII letters (ISO 639-1).
fn check_language_code(code: &Option<String>) -> Result<(), ValidationError> {
    match code {
        Some(code) if !(code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())) => Err(ValidationError::new(
            "languageCode",
            format!("{code:?}"),
            "two lowercase ASCII letters (ISO 639-1, e.g. \"en\")",
        )),
        _ => Ok(()),
    }
}

/// The fields create and update share, with the options still unchecked.
#[derive(Debug, Clone, Default, PartialEq)]
struct Fields {
    body: PersonaCreate,
    voice_detection: Option<VoiceDetection>,
    voice_generation: Option<VoiceGeneration>,
}

impl Fields {
    /// The create body with the options checked and filled in.
    fn build(self) -> Result<PersonaCreate, ValidationError> {
        let mut body = self.body;
        check_language_code(&body.language_code)?;
        for (field, value) in [("avatarId", &body.avatar_id), ("voiceId", &body.voice_id), ("llmId", &body.llm_id)] {
            if value.as_deref().is_some_and(|v| v.chars().all(char::is_whitespace)) {
                return Err(ValidationError::new(field, "\"\"", "a non-empty id"));
            }
        }
        body.voice_detection_options = self.voice_detection.map(VoiceDetection::build).transpose()?;
        body.voice_generation_options = self.voice_generation.map(VoiceGeneration::build).transpose()?;
        Ok(body)
    }
}

/// The setters create and update share; each documents the wire field it sets.
macro_rules! persona_setters {
    () => {
        /// `name`: the persona's name.
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.fields.body.name = Some(name.into());
            self
        }

        /// `description`: a description for people; it does not change the persona's behaviour.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.fields.body.description = Some(description.into());
            self
        }

        /// `avatarId`: an avatar of the organisation, or a stock avatar such as [`ids::CARA_AVATAR`].
        pub fn avatar_id(mut self, id: impl Into<String>) -> Self {
            self.fields.body.avatar_id = Some(id.into());
            self
        }

        /// `voiceId`: a voice of the organisation, or a stock voice such as [`ids::CARA_VOICE`].
        pub fn voice_id(mut self, id: impl Into<String>) -> Self {
            self.fields.body.voice_id = Some(id.into());
            self
        }

        /// `llmId`: the language model; [`ids::LLM_CUSTOMER_CLIENT`] turns Anam's LLM off.
        pub fn llm_id(mut self, id: impl Into<String>) -> Self {
            self.fields.body.llm_id = Some(id.into());
            self
        }

        /// `systemPrompt`: the system prompt (stored as `brain.systemPrompt`).
        pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
            self.fields.body.system_prompt = Some(prompt.into());
            self
        }

        /// `skipGreeting`: skip the greeting when a session starts.
        pub fn skip_greeting(mut self, skip: bool) -> Self {
            self.fields.body.skip_greeting = Some(skip);
            self
        }

        /// `uninterruptibleGreeting`: the user cannot interrupt the greeting.
        pub fn uninterruptible_greeting(mut self, uninterruptible: bool) -> Self {
            self.fields.body.uninterruptible_greeting = Some(uninterruptible);
            self
        }

        /// `initialMessage`: the persona's first utterance (empty lets it generate its own).
        pub fn initial_message(mut self, message: impl Into<String>) -> Self {
            self.fields.body.initial_message = Some(message.into());
            self
        }

        /// `zeroDataRetention`: when true, session data is not stored after the conversation.
        /// Needs a ZDR-capable voice and LLM and an enterprise plan.
        pub fn zero_data_retention(mut self, zdr: bool) -> Self {
            self.fields.body.zero_data_retention = Some(zdr);
            self
        }

        /// `voiceDetectionOptions`, checked when the request is sent.
        pub fn voice_detection(mut self, options: VoiceDetection) -> Self {
            self.fields.voice_detection = Some(options);
            self
        }

        /// `voiceGenerationOptions`, checked against the provider's ranges when the request is sent.
        pub fn voice_generation(mut self, options: VoiceGeneration) -> Self {
            self.fields.voice_generation = Some(options);
            self
        }

        /// `languageCode`: the ISO 639-1 code (two lowercase letters) of the language to transcribe.
        pub fn language_code(mut self, code: impl Into<String>) -> Self {
            self.fields.body.language_code = Some(code.into());
            self
        }

        /// `toolIds`: the tools to attach (on update, replaces every existing association).
        pub fn tool_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
            self.fields.body.tool_ids = ids.into_iter().map(Into::into).collect();
            self
        }
    };
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
/// assert_eq!(body.avatar_id.as_deref(), Some(anam::ids::CARA_AVATAR));
///
/// let err = CreatePersona::new().language_code("EN").build().unwrap_err();
/// assert_eq!(err.field, "languageCode");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreatePersona {
    fields: Fields,
}

impl CreatePersona {
    /// An empty request: the server's defaults apply to every field.
    pub fn new() -> Self {
        Self::default()
    }

    /// Anam's documented example persona: "Cara" with the stock Cara avatar (model `cara-3`) and
    /// voice, the documented example LLM ([`ids::LLM_EXAMPLE`]) and the prompt "You are a helpful
    /// assistant".
    pub fn cara() -> Self {
        CreatePersona::new()
            .name("Cara")
            .avatar_id(ids::CARA_AVATAR)
            .avatar_model(AvatarModel::Cara3)
            .voice_id(ids::CARA_VOICE)
            .llm_id(ids::LLM_EXAMPLE)
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

    /// `avatarModel`: the rendering model; any value is accepted, known ones are
    /// [`AvatarModel::KNOWN`]. Unset means the avatar's default.
    pub fn avatar_model(mut self, model: impl Into<AvatarModel>) -> Self {
        self.fields.body.avatar_model = Some(model.into());
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<PersonaCreate, ValidationError> {
        self.fields.build()
    }
}

/// A partial update: only the fields you set change.
///
/// `avatarModel` has three states: left alone (the default), set
/// ([`UpdatePersona::avatar_model`]) or cleared ([`UpdatePersona::clear_avatar_model`], sent as
/// `null`, which older Anam documentation says restores the avatar's default).
///
/// ```
/// use anam::UpdatePersona;
/// use serde_json::json;
///
/// let wire = |u: UpdatePersona| serde_json::to_value(u.build().unwrap()).unwrap();
/// assert_eq!(wire(UpdatePersona::new().name("Ada")), json!({"name": "Ada"}));
/// assert_eq!(wire(UpdatePersona::new().clear_avatar_model()), json!({"avatarModel": null}));
/// assert_eq!(wire(UpdatePersona::new().avatar_model("cara-4")), json!({"avatarModel": "cara-4"}));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdatePersona {
    fields: Fields,
    avatar_model: Option<NullableAvatarModel>,
    widget_config: Option<WidgetConfig>,
}

impl UpdatePersona {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    persona_setters!();

    /// `avatarModel`: set a new rendering model.
    pub fn avatar_model(mut self, model: impl Into<AvatarModel>) -> Self {
        self.avatar_model = Some(NullableAvatarModel(Some(model.into())));
        self
    }

    /// `avatarModel: null`: clear the model so the avatar's default applies.
    pub fn clear_avatar_model(mut self) -> Self {
        self.avatar_model = Some(NullableAvatarModel(None));
        self
    }

    /// `widgetConfig`: merged into the embeddable widget's existing settings.
    pub fn widget_config(mut self, config: WidgetConfig) -> Self {
        self.widget_config = Some(config);
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<PersonaUpdate, ValidationError> {
        let body = self.fields.build()?;
        Ok(PersonaUpdate {
            name: body.name,
            description: body.description,
            avatar_id: body.avatar_id,
            avatar_model: self.avatar_model,
            voice_id: body.voice_id,
            llm_id: body.llm_id,
            system_prompt: body.system_prompt,
            skip_greeting: body.skip_greeting,
            uninterruptible_greeting: body.uninterruptible_greeting,
            initial_message: body.initial_message,
            zero_data_retention: body.zero_data_retention,
            voice_detection_options: body.voice_detection_options,
            language_code: body.language_code,
            voice_generation_options: body.voice_generation_options,
            tool_ids: body.tool_ids,
            widget_config: self.widget_config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn wire<T: serde::Serialize>(body: T) -> Value {
        serde_json::to_value(body).unwrap()
    }

    /// A call's future is moved at least once per `.await` layer: a regression that stores the
    /// generated future twice (passing it by value, see `Transport::run`) roughly doubles these.
    #[test]
    fn call_futures_hold_the_generated_future_once() {
        let client = crate::Client::builder().base_url("http://127.0.0.1:9").api_key("k").build().unwrap();
        let api = client.api();
        let generated = std::mem::size_of_val(&api.get_persona().id("x").send());
        let get = std::mem::size_of_val(&client.personas().get("x"));
        assert!(get < generated * 3 / 2, "get's future is {get} bytes, the generated call's {generated}");
        let generated = std::mem::size_of_val(&api.create_persona().body(PersonaCreate::default()).send());
        let create = std::mem::size_of_val(&client.personas().create(CreatePersona::cara()));
        assert!(create < generated * 3 / 2, "create's future is {create} bytes, the generated call's {generated}");
    }

    #[test]
    fn the_documented_example_request_comes_out_of_the_builder() {
        let request = CreatePersona::documented_example();
        let expected: Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/create_persona_request.json")).unwrap();
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
        assert_eq!(check_id("").unwrap_err().field, "id");
    }

    #[test]
    fn page_bounds_are_checked() {
        assert!(ListPersonas::new().page(1).per_page(1).validate().is_ok());
        assert!(ListPersonas::new().per_page(100).validate().is_ok());
        assert_eq!(
            ListPersonas::new().page(0).validate().unwrap_err().to_string(),
            "page is 0, but must be at least 1"
        );
        assert_eq!(ListPersonas::new().per_page(0).validate().unwrap_err().field, "perPage");
    }
}
