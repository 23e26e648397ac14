//! The request builder of meeting invites ([`CreateMeetingInvite`]): a persona sent into a
//! Google Meet, Zoom or Microsoft Teams call. The operations are the generic
//! [`Resource`](crate::Resource) handle's (`client.meeting_invites()`; its `delete` cancels a
//! pending invite).

use anam_api::Secret;
use anam_api::facts::check_create_meeting_invite;
use anam_api::types::{
    MeetingInviteCreate, MeetingInviteCreateClientLabel, MeetingInviteCreateDisplayName, MeetingInvitePersonaConfig,
    MeetingInviteSessionOptions, MeetingRegion, MeetingRegionPolicy, MeetingSessionReplay, builder,
};
use chrono::{DateTime, TimeDelta, Utc};
use url::Url;

use crate::checks::{constrained, json_object, not_blank};
use crate::error::ValidationError;
use crate::ids::PersonaId;
use crate::resource::IntoBody;

/// How far ahead `joinAt` may be, in days: "at most 7 days ahead", as the spec's description of
/// `MeetingInviteCreate.joinAt` says in prose (after Anam's document); written here, once.
const JOIN_AT_MAX_DAYS: i64 = 7;

/// The meeting hosts of the three services Anam supports, each with its subdomains. Anam's
/// document names the services ("Google Meet, Zoom or Microsoft Teams ... any other host is
/// refused with 400", in the create's description), not their hosts; these are the hosts of the services' own
/// meeting links (Zoom's regional and company subdomains such as `us02web.zoom.us` included).
const MEETING_HOSTS: &[&str] =
    &["meet.google.com", "zoom.us", "zoom.com", "zoomgov.com", "teams.microsoft.com", "teams.live.com"];

/// Who joins: a stored persona, or one described for this meeting (they exclude each other).
#[derive(Debug, Clone, PartialEq)]
enum Persona {
    Stored(PersonaId),
    Ephemeral(Box<MeetingInvitePersonaConfig>),
}

/// An invite for a persona to join a meeting (`POST /v1/meetings/invites`): of a stored persona
/// ([`CreateMeetingInvite::persona`]) or of one described for this meeting only
/// ([`CreateMeetingInvite::ephemeral`]); the spec asks for exactly one of `personaId` and
/// `personaConfig`, and a constructor each makes any other combination unrepresentable.
///
/// The meeting URL is a [`Secret`] (it can carry the meeting's passcode): `Debug`, errors and
/// traces never show it. Unset, `groupCall` is true and `regionPolicy` `preferred` (the spec's
/// defaults, which the generated body fills in and sends); the persona joins at once.
///
/// What [`Self::build`] checks: the meeting URL's host is Google Meet, Zoom or Microsoft Teams
/// (Anam refuses any other with 400; a URL without a scheme gets `https://`, as Anam does),
/// `displayName` at most 100 characters and `clientLabel` at most 128 (the spec's
/// `maxLength`s), `regionPolicy: strict` only with a `region` (the spec's prose), `joinAt` in
/// the future and at most 7 days ahead (the spec's prose), a persona id not blank, a persona
/// config with at least one field (`minProperties: 1`), its ranges (the generated
/// `check_create_meeting_invite`), a finite `voiceSpeed`, and each inline tool's `parameters` an
/// object within the spec's size limit.
///
/// ```
/// use anam::CreateMeetingInvite;
/// use anam::types::{MeetingInvitePersonaConfig, MeetingRegion, MeetingRegionPolicy};
///
/// let invite = CreateMeetingInvite::persona("https://meet.google.com/abc-defg-hij", "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31")
///     .display_name("Cara")
///     .region(MeetingRegion::Eu)
///     .region_policy(MeetingRegionPolicy::Strict)
///     .group_call(false);
/// let body = invite.build().unwrap();
/// assert_eq!(body.meeting_url.expose_secret(), "https://meet.google.com/abc-defg-hij");
///
/// let config = MeetingInvitePersonaConfig { name: Some("Cara".into()), voice_id: Some(anam::ids::lucy_voice()), ..Default::default() };
/// let zoom = CreateMeetingInvite::ephemeral("https://us02web.zoom.us/j/123?pwd=s3cret", config);
/// assert!(!format!("{zoom:?}").contains("s3cret"));
/// assert!(zoom.build().is_ok());
///
/// let err = CreateMeetingInvite::persona("https://example.com/call?pwd=s3cret", "p1").build().unwrap_err();
/// assert_eq!(err.field, "meetingUrl");
/// assert!(!err.to_string().contains("s3cret"));
/// let err = CreateMeetingInvite::persona("meet.google.com/abc", "p1").region_policy("strict").build().unwrap_err();
/// assert_eq!(err.field, "region");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateMeetingInvite {
    meeting_url: Secret,
    persona: Persona,
    display_name: Option<String>,
    region: Option<MeetingRegion>,
    region_policy: Option<MeetingRegionPolicy>,
    join_at: Option<DateTime<Utc>>,
    group_call: Option<bool>,
    client_label: Option<String>,
    session_replay: Option<bool>,
}

impl CreateMeetingInvite {
    /// An invite of the stored persona `persona` (`personaId`) into the meeting at `meeting_url`.
    pub fn persona(meeting_url: impl Into<Secret>, persona: impl Into<PersonaId>) -> Self {
        Self::with(meeting_url.into(), Persona::Stored(persona.into()))
    }

    /// An invite of a persona described for this meeting only (`personaConfig`: used to start
    /// the session, not kept on the invite). Include `voice_id` and `llm_id` for a persona that
    /// converses.
    pub fn ephemeral(meeting_url: impl Into<Secret>, config: impl Into<MeetingInvitePersonaConfig>) -> Self {
        Self::with(meeting_url.into(), Persona::Ephemeral(Box::new(config.into())))
    }

    fn with(meeting_url: Secret, persona: Persona) -> Self {
        CreateMeetingInvite {
            meeting_url,
            persona,
            display_name: None,
            region: None,
            region_policy: None,
            join_at: None,
            group_call: None,
            client_label: None,
            session_replay: None,
        }
    }

    /// `displayName`: the persona's name in the meeting, at most 100 characters; Anam adds an
    /// AI-disclosure suffix (`Cara (AI)`) unless one is there.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// `region`: where the persona joins from; pick the one nearest the participants. Unset,
    /// Anam chooses from the requester's location.
    pub fn region(mut self, region: impl Into<MeetingRegion>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// `regionPolicy`: `preferred` (the default) may serve the invite from another region;
    /// `strict` never does, answers a capacity error instead, and needs [`Self::region`].
    pub fn region_policy(mut self, policy: impl Into<MeetingRegionPolicy>) -> Self {
        self.region_policy = Some(policy.into());
        self
    }

    /// `joinAt`: when the persona joins, in the future and at most 7 days ahead (checked
    /// against this machine's clock when the request is built). At least ten minutes ahead
    /// reserves a guaranteed place; shorter notice can be refused at busy times.
    pub fn join_at(mut self, at: DateTime<Utc>) -> Self {
        self.join_at = Some(at);
        self
    }

    /// `groupCall`: when true (the default), the persona joins silently and answers only when
    /// addressed by its name; when false, it greets on joining and answers everything.
    pub fn group_call(mut self, group_call: bool) -> Self {
        self.group_call = Some(group_call);
        self
    }

    /// `clientLabel`: a label attached to the session the meeting starts, at most 128 characters.
    pub fn client_label(mut self, label: impl Into<String>) -> Self {
        self.client_label = Some(label.into());
        self
    }

    /// `sessionOptions.sessionReplay.enableSessionReplay`: record the session for replay
    /// (Anam declares no default for meetings).
    pub fn session_replay(mut self, enable: bool) -> Self {
        self.session_replay = Some(enable);
        self
    }

    /// The checked wire form, `joinAt` checked against the clock now.
    pub fn build(self) -> Result<MeetingInviteCreate, ValidationError> {
        self.build_at(Utc::now())
    }

    /// The checked wire form, `joinAt` checked against `now`.
    fn build_at(self, now: DateTime<Utc>) -> Result<MeetingInviteCreate, ValidationError> {
        check_meeting_url(self.meeting_url.expose_secret())?;
        let strict = self.region_policy.as_ref() == Some(&MeetingRegionPolicy::Strict);
        if strict && self.region.is_none() {
            return Err(ValidationError::new("region", "unset", "a region when regionPolicy is strict"));
        }
        if let Some(at) = self.join_at {
            check_join_at(at, now)?;
        }
        let mut body = with_defaults(self.meeting_url)?;
        match self.persona {
            Persona::Stored(id) => {
                not_blank("personaId", &id, "a persona id")?;
                body.persona_id = Some(id);
            }
            Persona::Ephemeral(config) => body.persona_config = Some(checked_config(*config)?),
        }
        let name = self.display_name.map(|n| constrained::<MeetingInviteCreateDisplayName>("displayName", n));
        body.display_name = name.transpose()?;
        let label = self.client_label.map(|l| constrained::<MeetingInviteCreateClientLabel>("clientLabel", l));
        body.client_label = label.transpose()?;
        body.region = self.region;
        body.region_policy = self.region_policy.unwrap_or(body.region_policy);
        body.join_at = self.join_at;
        body.group_call = self.group_call.unwrap_or(body.group_call);
        body.session_options = self.session_replay.map(|enable| MeetingInviteSessionOptions {
            session_replay: Some(MeetingSessionReplay { enable_session_replay: Some(enable) }),
        });
        check_create_meeting_invite(&body)?;
        Ok(body)
    }
}

impl IntoBody<MeetingInviteCreate> for CreateMeetingInvite {
    fn into_body(self) -> Result<MeetingInviteCreate, ValidationError> {
        self.build()
    }
}

/// A body for `meeting_url` with the spec's defaults (`groupCall`, `regionPolicy`), as the
/// generated body's builder fills them in.
fn with_defaults(meeting_url: Secret) -> Result<MeetingInviteCreate, ValidationError> {
    let defaults = builder::MeetingInviteCreate::default().meeting_url(meeting_url);
    MeetingInviteCreate::try_from(defaults)
        .map_err(|e| ValidationError::new("meetingUrl", e, "a meeting-invite body with a meeting URL"))
}

/// Checks that the meeting URL is an http(s) URL on a host of [`MEETING_HOSTS`] or one of its
/// subdomains, without a user name or password (no meeting link has one); one without a scheme
/// is read with `https://`, as Anam does. Errors show the host at most, never the URL (it can
/// hold a passcode).
fn check_meeting_url(text: &str) -> Result<(), ValidationError> {
    let expected = "a Google Meet, Zoom or Microsoft Teams URL (meet.google.com, zoom.us, teams.microsoft.com, ...)";
    let url = match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ if !text.contains("://") => Url::parse(&format!("https://{text}"))
            .map_err(|e| ValidationError::new("meetingUrl", format!("not a URL ({e})"), expected))?,
        _ => return Err(ValidationError::new("meetingUrl", "a URL of another scheme than http(s)", expected)),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ValidationError::new("meetingUrl", "a URL with a user name or password", expected));
    }
    let host = url.host_str().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
    let known = MEETING_HOSTS.iter().any(|known| host == *known || host.ends_with(&format!(".{known}")));
    if !known {
        return Err(ValidationError::new("meetingUrl", format!("a URL on {host:?}"), expected));
    }
    Ok(())
}

/// Checks `joinAt` against `now`: later than it, and at most [`JOIN_AT_MAX_DAYS`] after it.
fn check_join_at(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ValidationError> {
    let shown = at.to_rfc3339();
    if at <= now {
        return Err(ValidationError::new("joinAt", shown, "in the future (leave it unset to join at once)"));
    }
    let latest = TimeDelta::try_days(JOIN_AT_MAX_DAYS).and_then(|ahead| now.checked_add_signed(ahead));
    if latest.is_some_and(|latest| at > latest) {
        return Err(ValidationError::new("joinAt", shown, format!("at most {JOIN_AT_MAX_DAYS} days ahead")));
    }
    Ok(())
}

/// Checks a persona described for the meeting: at least one field (the spec's
/// `minProperties: 1`), a finite `voiceSpeed` (its one number without a range), and each inline
/// tool's `parameters` an object within the spec's size limit. Its ranges are checked with
/// the whole body.
fn checked_config(mut config: MeetingInvitePersonaConfig) -> Result<MeetingInvitePersonaConfig, ValidationError> {
    if config == MeetingInvitePersonaConfig::default() {
        return Err(ValidationError::new("personaConfig", "{}", "at least one field"));
    }
    if let Some(speed) = config.voice_speed.filter(|s| !s.is_finite()) {
        return Err(ValidationError::new("personaConfig.voiceSpeed", speed, "a finite number"));
    }
    for (i, tool) in config.tools.iter_mut().enumerate() {
        let field = format!("personaConfig.tools[{i}].parameters");
        let parameters = serde_json::Value::Object(std::mem::take(&mut tool.parameters));
        tool.parameters = json_object(&field, parameters, ("InlineTool", "parameters"))?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anam_api::facts::json_size_limit;
    use anam_api::types::{InlineTool, InlineToolType, VoiceDetectionOptions};
    use serde_json::{Value, json};

    const PERSONA: &str = "00000000-0000-0000-0000-000000000000";
    const MEET: &str = "https://meet.google.com/abc-defg-hij";

    fn wire<T: serde::Serialize>(body: T) -> Value {
        serde_json::to_value(body).unwrap()
    }

    fn field(result: Result<impl std::fmt::Debug, ValidationError>) -> String {
        result.unwrap_err().field
    }

    fn now() -> DateTime<Utc> {
        "2026-04-20T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_full_invite_on_the_wire() {
        let invite = CreateMeetingInvite::persona(MEET, PERSONA)
            .display_name("Cara")
            .region("us-east")
            .region_policy(MeetingRegionPolicy::Strict)
            .join_at("2026-04-20T15:00:00Z".parse().unwrap())
            .group_call(false)
            .client_label("crm")
            .session_replay(false);
        let expected = json!({
            "meetingUrl": MEET, "personaId": PERSONA, "displayName": "Cara", "region": "us-east",
            "regionPolicy": "strict", "joinAt": "2026-04-20T15:00:00Z", "groupCall": false, "clientLabel": "crm",
            "sessionOptions": {"sessionReplay": {"enableSessionReplay": false}}
        });
        assert_eq!(wire(invite.build_at(now()).unwrap()), expected);
    }

    #[test]
    fn the_documented_examples_and_defaults() {
        let saved = CreateMeetingInvite::persona(MEET, PERSONA).region(MeetingRegion::Eu).build().unwrap();
        let defaults = json!({"meetingUrl": MEET, "personaId": PERSONA, "region": "eu",
            "groupCall": true, "regionPolicy": "preferred"});
        assert_eq!(wire(saved), defaults, "the spec's defaults are filled in");
        let config = json!({"name": "Cara", "avatarId": "071b0286-4cce-4808-bee2-e642f1062de3",
            "voiceId": "de23e340-1416-4dd8-977d-065a7ca11697", "llmId": "a7cf662c-2ace-4de1-a21e-ef0fbf144bb7",
            "systemPrompt": "You are a helpful assistant."});
        let parsed: MeetingInvitePersonaConfig = serde_json::from_value(config.clone()).unwrap();
        let zoom = "https://zoom.us/j/1234567890?pwd=example";
        let body = CreateMeetingInvite::ephemeral(zoom, parsed).display_name("Cara").build().unwrap();
        let wire = wire(body);
        assert_eq!((&wire["personaConfig"], &wire["displayName"]), (&config, &json!("Cara")));
        assert_eq!(wire.get("personaId"), None, "exactly one of personaId and personaConfig");
    }

    #[test]
    fn meeting_hosts_are_the_three_services_and_the_url_is_never_shown() {
        for good in [
            MEET,
            "meet.google.com/abc-defg-hij",
            "https://us02web.zoom.us/j/1?pwd=x",
            "http://zoom.us/j/1",
            "https://teams.microsoft.com/l/meetup-join/x",
            "https://teams.live.com/meet/1",
            "https://MEET.GOOGLE.COM./abc",
            "zoom.us:443/j/1",
        ] {
            assert!(CreateMeetingInvite::persona(good, PERSONA).build().is_ok(), "{good}");
        }
        for bad in [
            "https://example.com/j/1?pwd=s3cret",
            "https://notzoom.us/j/1?pwd=s3cret",
            "https://zoom.us.evil.com/j/1?pwd=s3cret",
            "ftp://zoom.us/j/1?pwd=s3cret",
            "mailto:someone@zoom.us?pwd=s3cret",
            "https://user:s3cret@zoom.us/j/1",
            "",
            "https://[::1]/?pwd=s3cret",
        ] {
            let err = CreateMeetingInvite::persona(bad, PERSONA).build().unwrap_err();
            assert_eq!(err.field, "meetingUrl", "{bad}");
            assert!(!err.to_string().contains("s3cret") && !format!("{err:?}").contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn join_at_is_in_the_future_and_within_seven_days() {
        let at =
            |offset: TimeDelta| CreateMeetingInvite::persona(MEET, PERSONA).join_at(now() + offset).build_at(now());
        assert!(at(TimeDelta::seconds(1)).is_ok());
        assert!(at(TimeDelta::days(JOIN_AT_MAX_DAYS)).is_ok());
        let err = at(TimeDelta::zero()).unwrap_err();
        assert_eq!((err.field.as_str(), err.value.as_str()), ("joinAt", "2026-04-20T10:00:00+00:00"));
        assert_eq!(field(at(TimeDelta::hours(-1))), "joinAt");
        let err = at(TimeDelta::days(JOIN_AT_MAX_DAYS) + TimeDelta::seconds(1)).unwrap_err();
        assert_eq!(err.expected, "at most 7 days ahead");
        let end_of_time = CreateMeetingInvite::persona(MEET, PERSONA).join_at(DateTime::<Utc>::MAX_UTC);
        assert!(end_of_time.build_at(DateTime::<Utc>::MAX_UTC - TimeDelta::seconds(1)).is_ok(), "no overflow");
    }

    #[test]
    fn strict_needs_a_region() {
        let strict = || CreateMeetingInvite::persona(MEET, PERSONA).region_policy("strict");
        assert_eq!(field(strict().build()), "region");
        assert!(strict().region("eu").build().is_ok());
        assert!(CreateMeetingInvite::persona(MEET, PERSONA).region_policy("preferred").build().is_ok());
    }

    #[test]
    fn texts_have_the_spec_lengths() {
        let invite = || CreateMeetingInvite::persona(MEET, PERSONA);
        assert!(invite().display_name("d".repeat(100)).client_label("c".repeat(128)).build().is_ok());
        let err = invite().display_name("d".repeat(101)).build().unwrap_err();
        assert_eq!((err.field.as_str(), err.expected.as_str()), ("displayName", "at most 100 characters"));
        let err = invite().client_label("c".repeat(129)).build().unwrap_err();
        assert_eq!((err.field.as_str(), err.expected.as_str()), ("clientLabel", "at most 128 characters"));
        assert_eq!(field(CreateMeetingInvite::persona(MEET, "").build()), "personaId");
    }

    #[test]
    fn a_meeting_persona_is_checked() {
        let ephemeral = |config| CreateMeetingInvite::ephemeral(MEET, config).build();
        assert_eq!(field(ephemeral(MeetingInvitePersonaConfig::default())), "personaConfig");
        let short = MeetingInvitePersonaConfig { max_session_length_seconds: Some(0.5), ..Default::default() };
        assert_eq!(field(ephemeral(short)), "personaConfig.maxSessionLengthSeconds");
        let detection = VoiceDetectionOptions { end_of_speech_sensitivity: Some(2.0), ..Default::default() };
        let loud = MeetingInvitePersonaConfig { voice_detection_options: Some(detection), ..Default::default() };
        assert_eq!(field(ephemeral(loud)), "personaConfig.voiceDetectionOptions.endOfSpeechSensitivity");
        let fast = MeetingInvitePersonaConfig { voice_speed: Some(f64::NAN), ..Default::default() };
        assert_eq!(field(ephemeral(fast)), "personaConfig.voiceSpeed");
        let limit = json_size_limit("InlineTool", "parameters").unwrap().max_bytes;
        let Value::Object(big) = json!({"d": "x".repeat(limit)}) else { unreachable!() };
        let tool = InlineTool {
            type_: InlineToolType::Client,
            subtype: None,
            name: "t".into(),
            description: None,
            parameters: big,
        };
        let tools = MeetingInvitePersonaConfig { tools: vec![tool], ..Default::default() };
        assert_eq!(field(ephemeral(tools)), "personaConfig.tools[0].parameters");
    }
}
