//! Session tokens ([`Sessions`]): what a server mints for a persona and hands to the browser or
//! app that streams it, and the builders of the request.

use futures::FutureExt;
use futures::future::BoxFuture;

use anam_api::facts::check_create_session_token;
use anam_api::types::{
    DailyEgress, DirectorNotes, DirectorNotesCustomStylePrompt, DirectorPresetStyle, Egress, EgressMode, InlineTool,
    InlineToolDescription, InlineToolType, PersonaConfig, SessionOptions, SessionReplay, SessionToken,
    SessionTokenRequest, StoredPersonaConfig, VideoQuality,
};
use anam_api::{Secret, resources};

use crate::checks::{constrained, json_object, not_blank};
use crate::error::{Result, ValidationError};
use crate::ids::PersonaId;
use crate::personas::EphemeralPersona;
use crate::resource::Resource;

impl Resource<resources::Session> {
    /// Mints a session token (`POST /v1/auth/session-token`). Call it from your server, with
    /// the API key; give the browser or app only the token. The token
    /// ([`SessionToken::session_token`], an [`anam_api::Secret`]) is valid for one hour and
    /// bound to the configuration it was minted with; `Debug` and traces never show it. The
    /// request is checked first, and retried only when it provably never reached the server,
    /// as for every `POST`.
    ///
    /// ```no_run
    /// # async fn demo(client: anam::Client, persona: anam::PersonaId) -> anam::Result<()> {
    /// let token = client.sessions().token(anam::CreateSessionToken::persona(&persona)).await?;
    /// let for_the_browser: String = token.session_token.expose_secret().to_owned();
    /// # Ok(()) }
    /// ```
    pub fn token(&self, request: CreateSessionToken) -> BoxFuture<'static, Result<SessionToken>> {
        let (client, body) = (self.client().clone(), request.build());
        async move { client.send(client.api().create_session_token().body(body?)).await }.boxed()
    }
}

/// A session-token request: for a stored persona ([`CreateSessionToken::persona`]) or for an
/// ephemeral one described in the request ([`CreateSessionToken::ephemeral`]), with an optional
/// client label and session settings.
///
/// ```
/// use anam::{CreateSessionToken, EphemeralPersona, SessionSettings};
/// use anam::types::VideoQuality;
/// use serde_json::json;
///
/// let stored = CreateSessionToken::persona("2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31").client_label("web");
/// let wire = serde_json::to_value(stored.build().unwrap()).unwrap();
/// assert_eq!(wire, json!({"clientLabel": "web", "personaConfig": {"personaId": "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31"}}));
///
/// let ephemeral = CreateSessionToken::ephemeral(EphemeralPersona::new().voice_id(anam::ids::lucy_voice()))
///     .settings(SessionSettings::new().video_quality(VideoQuality::Auto).video_size(1152, 768));
/// assert!(ephemeral.build().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateSessionToken {
    persona: Persona,
    client_label: Option<String>,
    settings: Option<SessionSettings>,
}

/// The two forms of `personaConfig`.
#[derive(Debug, Clone, PartialEq)]
enum Persona {
    Stored(PersonaId),
    Ephemeral(Box<EphemeralPersona>),
}

impl CreateSessionToken {
    /// A token for a stored persona (`personaConfig: {personaId}`).
    pub fn persona(id: impl Into<PersonaId>) -> Self {
        Self::with(Persona::Stored(id.into()))
    }

    /// A token for a persona defined for this session only.
    pub fn ephemeral(persona: EphemeralPersona) -> Self {
        Self::with(Persona::Ephemeral(Box::new(persona)))
    }

    fn with(persona: Persona) -> Self {
        CreateSessionToken { persona, client_label: None, settings: None }
    }

    /// `clientLabel`: a free-form label attached to the session.
    pub fn client_label(mut self, label: impl Into<String>) -> Self {
        self.client_label = Some(label.into());
        self
    }

    /// `sessionOptions`: how the session streams.
    pub fn settings(mut self, settings: SessionSettings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// The checked wire form. Egress needs an ephemeral persona with
    /// [`EphemeralPersona::enable_audio_passthrough`] (a stored persona cannot say so here).
    pub fn build(self) -> Result<SessionTokenRequest, ValidationError> {
        let egress = self.settings.as_ref().is_some_and(|s| s.options.egress.is_some());
        let persona_config = match self.persona {
            Persona::Stored(id) if id.trim().is_empty() => {
                return Err(ValidationError::new("personaConfig.personaId", "\"\"", "a non-empty persona id"));
            }
            Persona::Stored(_) if egress => return Err(egress_needs_passthrough()),
            Persona::Stored(id) => PersonaConfig::StoredPersonaConfig(StoredPersonaConfig { persona_id: id }),
            Persona::Ephemeral(persona) if egress && !persona.passes_audio_through() => {
                return Err(egress_needs_passthrough());
            }
            Persona::Ephemeral(persona) => PersonaConfig::EphemeralPersonaConfig(persona.build()?),
        };
        let session_options = self.settings.map(SessionSettings::build).transpose()?;
        let body = SessionTokenRequest { client_label: self.client_label, persona_config, session_options };
        check_create_session_token(&body).map_err(ValidationError::from)?;
        Ok(body)
    }
}

fn egress_needs_passthrough() -> ValidationError {
    let expected = "true when sessionOptions.egress is set (an ephemeral persona with enable_audio_passthrough)";
    ValidationError::new("personaConfig.enableAudioPassthrough", "unset", expected)
}

/// How the session streams (`sessionOptions`). Unset fields are left to the server.
///
/// ```
/// use anam::SessionSettings;
///
/// let settings = SessionSettings::new().session_replay(false).video_size(720, 480);
/// assert!(settings.clone().build().is_ok());
/// assert_eq!(SessionSettings::new().video_size(0, 480).build().unwrap_err().field, "sessionOptions.videoWidth");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionSettings {
    options: SessionOptions,
}

impl SessionSettings {
    /// No setting: the server's defaults apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// `sessionReplay.enableSessionReplay`: record the session for replay (the server's default is on).
    pub fn session_replay(mut self, enable: bool) -> Self {
        self.options.session_replay = Some(SessionReplay { enable_session_replay: enable });
        self
    }

    /// `videoQuality`: `high` holds the top bitrate, `auto` adapts it.
    pub fn video_quality(mut self, quality: impl Into<VideoQuality>) -> Self {
        self.options.video_quality = Some(quality.into());
        self
    }

    /// `videoWidth` and `videoHeight`, which go together: 720x480 for cara-3, 1152x768 for cara-4.
    pub fn video_size(mut self, width: u32, height: u32) -> Self {
        self.options.video_width = Some(width.into());
        self.options.video_height = Some(height.into());
        self
    }

    /// `egress`: publish the avatar into a Daily room instead of the WebRTC media tracks
    /// (`token` for private rooms only). Needs an ephemeral persona that passes audio through.
    pub fn daily_egress(mut self, room_url: impl Into<String>, token: Option<Secret>) -> Self {
        let daily = DailyEgress { room_url: room_url.into(), token, user_name: None };
        self.options.egress = Some(Egress { mode: EgressMode::Daily, daily: Some(daily) });
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<SessionOptions, ValidationError> {
        for (field, value) in [("videoWidth", self.options.video_width), ("videoHeight", self.options.video_height)] {
            if value == Some(0) {
                return Err(ValidationError::new(format!("sessionOptions.{field}"), 0, "at least 1 pixel"));
            }
        }
        let daily = self.options.egress.as_ref().and_then(|e| e.daily.as_ref());
        if daily.is_some_and(|d| d.room_url.trim().is_empty()) {
            return Err(ValidationError::new("sessionOptions.egress.daily.roomUrl", "\"\"", "a room URL"));
        }
        Ok(self.options)
    }
}

/// How a cara-4 avatar acts (`directorNotes`): a preset style or a free-text direction (they
/// exclude each other, so each has its own constructor), and how strongly to follow it.
///
/// ```
/// use anam::Direction;
/// use anam::types::DirectorPresetStyle;
///
/// assert!(Direction::preset(DirectorPresetStyle::Playful).expressivity(1.0).build().is_ok());
/// let err = Direction::custom("x".repeat(2001)).build().unwrap_err();
/// assert_eq!(err.field, "directorNotes.customStylePrompt");
/// assert_eq!(err.expected, "at most 2000 characters");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Direction {
    preset: Option<DirectorPresetStyle>,
    custom: Option<String>,
    expressivity: Option<f64>,
}

impl Direction {
    /// A built-in acting style (`presetStyle`).
    pub fn preset(style: impl Into<DirectorPresetStyle>) -> Self {
        Direction { preset: Some(style.into()), custom: None, expressivity: None }
    }

    /// A free-text acting direction (`customStylePrompt`), at most 2000 characters.
    pub fn custom(prompt: impl Into<String>) -> Self {
        Direction { preset: None, custom: Some(prompt.into()), expressivity: None }
    }

    /// `expressivity`: from 0 (subtle) to 1 (strongest, may be unstable); unset, the server's default.
    pub fn expressivity(mut self, value: f64) -> Self {
        self.expressivity = Some(value);
        self
    }

    /// The wire form; the prompt's length is checked here (the spec's `maxLength`, enforced by the
    /// generated type), the expressivity's range with the whole request.
    pub fn build(self) -> Result<DirectorNotes, ValidationError> {
        let custom_style_prompt = self
            .custom
            .map(|prompt| constrained::<DirectorNotesCustomStylePrompt>("customStylePrompt", prompt))
            .transpose()
            .map_err(|error| error.within("directorNotes"))?;
        Ok(DirectorNotes { preset_style: self.preset, custom_style_prompt, expressivity: self.expressivity })
    }
}

/// A tool defined for one session only (an entry of `tools`).
///
/// ```
/// use anam::SessionTool;
/// use serde_json::json;
///
/// let tool = SessionTool::client("open_calendar")
///     .description("Open the calendar UI in the client app.")
///     .parameters(json!({"type": "object", "properties": {"date": {"type": "string"}}}));
/// assert!(tool.build().is_ok());
///
/// let huge = json!({"type": "object", "description": "x".repeat(10_000)});
/// let err = SessionTool::client("big").parameters(huge).build().unwrap_err();
/// assert_eq!(err.field, "tools.parameters");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SessionTool {
    kind: InlineToolType,
    subtype: Option<String>,
    name: String,
    description: Option<String>,
    parameters: Option<serde_json::Value>,
}

impl SessionTool {
    /// A tool the client app carries out (`type: client`).
    pub fn client(name: impl Into<String>) -> Self {
        Self::of(InlineToolType::Client, name)
    }

    /// A tool Anam's servers carry out (`type: server`), of a `subtype` such as `webhook` or
    /// `knowledge`.
    pub fn server(name: impl Into<String>, subtype: impl Into<String>) -> Self {
        SessionTool { subtype: Some(subtype.into()), ..Self::of(InlineToolType::Server, name) }
    }

    /// A built-in tool (`type: system`).
    pub fn system(name: impl Into<String>) -> Self {
        Self::of(InlineToolType::System, name)
    }

    fn of(kind: InlineToolType, name: impl Into<String>) -> Self {
        SessionTool { kind, subtype: None, name: name.into(), description: None, parameters: None }
    }

    /// `description`: what the tool does, at most 1024 characters.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// `parameters`: the tool's parameters as a JSON Schema object, at most 10,000 bytes as JSON.
    pub fn parameters(mut self, schema: serde_json::Value) -> Self {
        self.parameters = Some(schema);
        self
    }

    /// The checked wire form; errors name the field under `tools`.
    pub fn build(self) -> Result<InlineTool, ValidationError> {
        let within = |error: ValidationError| error.within("tools");
        not_blank("name", &self.name, "a non-empty name").map_err(within)?;
        let description = self
            .description
            .map(|text| constrained::<InlineToolDescription>("description", text))
            .transpose()
            .map_err(within)?;
        let parameters = match self.parameters {
            None => serde_json::Map::new(),
            Some(value) => json_object("parameters", value, ("InlineTool", "parameters")).map_err(within)?,
        };
        Ok(InlineTool { type_: self.kind, subtype: self.subtype, name: self.name, description, parameters })
    }
}
