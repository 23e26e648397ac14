//! Sessions: what only Anam's engine produces (a session's transcript, tool calls, recording
//! and analytics turns) comes from [`SessionRecord`]s a test inserts
//! (`MockServer::insert_session`) or from `POST /v1/engine/session`, which starts a session.
//! The handlers: list (filters and paging), get (with tool calls once ended), transcript,
//! stop, recording, concurrency and the engine session.

use anam_api::types::{
    ConcurrencyStatus, EngineSession, EngineSessionRequest, PersonaConfig, Session, SessionDetail, SessionList,
    SessionRecording, SessionToolCallDetail, SessionTranscript, SessionType, TranscriptMessage,
};
use http::StatusCode;
use serde_json::{Value, json};

use crate::collection::{Keyed, paginate};
use crate::input::Input;
use crate::reply::{Answer, Failure, not_found, ok, refuse};
use crate::state::{API_KEY_ID, ORGANIZATION_ID, State, now};
use crate::tokens;
use crate::validate::{Invalid, read, to_map};

/// A session as the fake holds it: what `GET /v1/sessions/{id}` answers, and what only the
/// engine produces. Make one with [`SessionRecord::new`] and the builder methods, and insert it
/// with `MockServer::insert_session`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SessionRecord {
    /// The session's metadata. One that has not ended (`endTime` null) is running.
    pub session: Session,
    /// How it was run (default `turnkey`); `livekit` sessions have no analytics and cannot be stopped.
    pub session_type: SessionType,
    /// The transcript; `None` (the default) answers 404 "no transcript available".
    pub transcript: Option<Vec<TranscriptMessage>>,
    /// The tool calls, answered by get once the session has ended.
    pub tool_calls: Vec<SessionToolCallDetail>,
    /// The analytics report's turns; `None` (the default) means no report arrived (404).
    pub turns: Option<Vec<anam_api::types::SessionAnalyticsTurn>>,
    /// The report's warning and error counts.
    pub warnings: i64,
    /// See `warnings`.
    pub errors: i64,
    /// Whether a recording exists once the session has ended (default true).
    pub recording: bool,
    /// Whether transcripts were on (default true); off, analytics never carry message texts.
    pub transcripts_enabled: bool,
}

impl SessionRecord {
    /// A record of `session`, `turnkey`, with a recording, transcripts on, and no transcript,
    /// tool calls or analytics yet.
    pub fn new(session: Session) -> SessionRecord {
        SessionRecord {
            session,
            session_type: SessionType::Turnkey,
            transcript: None,
            tool_calls: Vec::new(),
            turns: None,
            warnings: 0,
            errors: 0,
            recording: true,
            transcripts_enabled: true,
        }
    }

    /// How the session was run.
    pub fn session_type(mut self, session_type: SessionType) -> Self {
        self.session_type = session_type;
        self
    }

    /// The transcript's messages, in order.
    pub fn transcript(mut self, messages: Vec<TranscriptMessage>) -> Self {
        self.transcript = Some(messages);
        self
    }

    /// The tool calls made in the session.
    pub fn tool_calls(mut self, calls: Vec<SessionToolCallDetail>) -> Self {
        self.tool_calls = calls;
        self
    }

    /// The analytics report's turns (its summary is computed from them).
    pub fn turns(mut self, turns: Vec<anam_api::types::SessionAnalyticsTurn>) -> Self {
        self.turns = Some(turns);
        self
    }

    /// The report's warning and error counts.
    pub fn problems(mut self, warnings: i64, errors: i64) -> Self {
        (self.warnings, self.errors) = (warnings, errors);
        self
    }

    /// Whether a recording exists once the session has ended.
    pub fn recording(mut self, recording: bool) -> Self {
        self.recording = recording;
        self
    }

    /// Whether transcripts were on.
    pub fn transcripts_enabled(mut self, enabled: bool) -> Self {
        self.transcripts_enabled = enabled;
        self
    }

    /// Whether the session has ended.
    pub fn ended(&self) -> bool {
        self.session.end_time.is_some()
    }
}

impl Keyed for SessionRecord {
    fn key(&self) -> &str {
        self.session.id.as_str()
    }
}

/// Where the fake says its sessions run (a name that never resolves: the fake runs no engine).
pub(crate) const ENGINE_HOST: &str = "engine.anam-mock.invalid";

pub(crate) fn find<'a>(state: &'a State, id: &str) -> Result<&'a SessionRecord, Failure> {
    state.sessions.get(id).ok_or_else(|| not_found("Session"))
}

/// `organizationId` is for Anam's admin keys only: the fake's key is not one (403, as documented).
pub(crate) fn refuse_organization(input: &Input) -> Result<(), Failure> {
    match input.text("organizationId") {
        Some(_) => Err(refuse(StatusCode::FORBIDDEN, "organizationId is restricted to Anam-internal admin API keys")),
        None => Ok(()),
    }
}

/// The sessions, the most recently started first (Anam does not document the order), filtered
/// by `search` (in the id or the client label), `apiKeyId` and `personaId`.
pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    refuse_organization(input)?;
    let (page, per_page) = input.paging(10)?;
    let search = input.text("search").map(str::to_lowercase);
    let contains = |text: Option<&str>, search: &str| text.is_some_and(|t| t.to_lowercase().contains(search));
    let mut sessions: Vec<&Session> = state
        .sessions
        .iter()
        .map(|r| &r.session)
        .filter(|s| input.text("apiKeyId").is_none_or(|k| s.api_key_id.as_deref() == Some(k)))
        .filter(|s| input.text("personaId").is_none_or(|p| s.persona_id.as_ref().is_some_and(|id| *id == p)))
        .filter(|s| {
            search.as_deref().is_none_or(|q| contains(Some(s.id.as_str()), q) || contains(s.client_label.as_deref(), q))
        })
        .collect();
    sessions.sort_by_key(|s| std::cmp::Reverse(s.start_time));
    let (data, meta) = paginate(&sessions, page, per_page);
    ok(SessionList { data, meta })
}

/// The session with its tool calls, which stay empty until it has ended (as Anam documents).
pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    let record = find(state, &input.id)?;
    let mut detail: SessionDetail = serde_json::from_value(Value::Object(to_map(&record.session)))
        .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    detail.tool_calls = Some(if record.ended() { record.tool_calls.clone() } else { Vec::new() });
    ok(detail)
}

pub(crate) fn transcript(state: &mut State, input: &Input) -> Answer {
    let record = find(state, &input.id)?;
    let messages = record.transcript.clone().ok_or_else(|| not_found("Transcript"))?;
    let persona = record.session.persona_id.as_ref().and_then(|id| state.personas.get(id));
    ok(SessionTranscript {
        session_id: Some(record.session.id.clone()),
        persona_name: persona.and_then(|p| p.name.clone()),
        start_time: record.session.start_time,
        end_time: record.session.end_time,
        duration_ms: record.session.session_length_ms,
        total_messages: Some(i64::try_from(messages.len()).unwrap_or(i64::MAX)),
        transcripts_enabled: Some(record.transcripts_enabled),
        messages: Some(messages),
    })
}

/// Ends a running session at once (Anam's stop is asynchronous; the fake's is done when it
/// answers): `endTime` now, its length, and the exit status `CLOSED_BY_ENGINE`. A session that
/// has ended is refused with 400, as the engine refuses it; a LiveKit one, which has no
/// engine, is 404.
pub(crate) fn stop(state: &mut State, input: &Input) -> Answer {
    let record = state.sessions.get_mut(&input.id).ok_or_else(|| not_found("Session"))?;
    if record.session_type == SessionType::Livekit {
        return Err(not_found("Session with an engine"));
    }
    if record.ended() {
        return Err(refuse(StatusCode::BAD_REQUEST, "The session has already ended"));
    }
    let end = now();
    let session = &mut record.session;
    session.end_time = Some(end);
    session.session_length_ms = session.start_time.map(|start| (end - start).num_milliseconds().max(0));
    session.exit_status = Some("CLOSED_BY_ENGINE".into());
    session.updated_at = Some(end);
    ok(json!({}))
}

pub(crate) fn recording(state: &mut State, input: &Input) -> Answer {
    let record = find(state, &input.id)?;
    if !(record.ended() && record.recording) {
        return Err(not_found("Recording"));
    }
    let url = format!(
        "https://storage.anam-mock.invalid/recordings/{}.mp4?X-Amz-Expires=3600&X-Amz-Signature=mock",
        record.session.id
    );
    ok(SessionRecording { recording_url: url.into() })
}

/// The limit and active count (set by a test, or the fake's running sessions); a session can
/// start while the count is under the limit. The wait is 0 then, and unknown (null) otherwise.
pub(crate) fn concurrency(state: &mut State, input: &Input) -> Answer {
    refuse_organization(input)?;
    let (limit, active) = (state.concurrency.limit, state.active_sessions());
    let can_start = active < limit;
    ok(ConcurrencyStatus {
        limit: Some(limit),
        active: Some(active),
        can_start_session: Some(can_start),
        estimated_wait_seconds: can_start.then_some(0),
    })
}

/// `POST /v1/engine/session`: starts a session and records it. With a session token the fake
/// issued as the credential, the body may carry only `clientMetadata` and the session is the
/// token's (its id is the one in the token); with the API key, the body's `personaConfig` is
/// checked as a session token's is (a stored persona the fake does not hold is a 400 here,
/// since no 404 is documented). 429 when the running sessions reach the concurrency limit.
pub(crate) fn engine_session(state: &mut State, input: &Input) -> Answer {
    let body = input.json()?;
    let request: EngineSessionRequest = read(&body)?;
    let issued = state.tokens.iter().find(|t| Some(t.token.expose_secret()) == input.bearer.as_deref()).cloned();
    let (id, label, persona_config) = match issued {
        Some(token) => {
            if let Some(field) = body.as_object().into_iter().flatten().map(|(k, _)| k).find(|k| *k != "clientMetadata")
            {
                let message = "only clientMetadata may be sent with a session token";
                return Err(Invalid::new(field.as_str(), message, "unrecognized_keys").into());
            }
            (tokens::session_id(&token.token), token.request.client_label.clone(), token.request.persona_config)
        }
        None => {
            let config = body.get("personaConfig").ok_or_else(|| crate::avatars::missing("personaConfig"))?;
            let checked = tokens::read_request(
                &json!({"personaConfig": config, "sessionOptions": body.get("sessionOptions")}),
                &state.catalog,
            )?;
            if let PersonaConfig::StoredPersonaConfig(stored) = &checked.persona_config
                && !state.personas.contains(&stored.persona_id)
            {
                let message = format!("no persona has the id {:?}", stored.persona_id.as_str());
                return Err(Invalid::new("personaConfig.personaId", message, "invalid_reference").into());
            }
            (crate::state::new_id(), request.client_label.clone(), checked.persona_config)
        }
    };
    if state.sessions.contains(&id) {
        return Err(refuse(StatusCode::UNAUTHORIZED, "The session token has been used"));
    }
    if state.active_sessions() >= state.concurrency.limit {
        return Err(refuse(StatusCode::TOO_MANY_REQUESTS, "Concurrent session limit reached"));
    }
    let persona_id = match &persona_config {
        PersonaConfig::StoredPersonaConfig(stored) => Some(stored.persona_id.clone()),
        PersonaConfig::EphemeralPersonaConfig(_) => None,
    };
    let session: Session = serde_json::from_value(json!({
        "id": id, "personaId": persona_id, "clientLabel": label, "startTime": now(),
        "engineHost": ENGINE_HOST, "engineProtocol": "https",
        "engineVersion": concat!("anam-mock-", env!("CARGO_PKG_VERSION")),
        "clientMetadata": request.client_metadata, "personaConfig": persona_config,
        "apiKeyId": API_KEY_ID, "organizationId": ORGANIZATION_ID, "createdAt": now(), "updatedAt": now(),
    }))
    .map_err(|e| Invalid::new("", format!("the request does not make a session: {e}"), "invalid_type"))?;
    state.sessions.insert(SessionRecord::new(session));
    ok(EngineSession {
        session_id: id.into(),
        engine_host: Some(ENGINE_HOST.into()),
        engine_protocol: Some("https".into()),
        signalling_endpoint: Some("/ws".into()),
        client_config: Some(to_map(json!({ "iceServers": [] }))),
    })
}
