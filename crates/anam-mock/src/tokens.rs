//! Session tokens: the fake reads a request, checks it as the spec describes, and issues a
//! JWT-shaped token (not signed: the fake is no authority) for a stored persona it holds or for
//! a valid ephemeral persona. A token starts no session: `POST /v1/engine/session` with it does,
//! under the session id its payload names.

use anam_api::Secret;
use anam_api::facts::{check_create_session_token, json_size_limit};
use anam_api::types::{AvatarModel, EphemeralPersonaConfig, PersonaConfig, SessionTokenRequest, StoredPersonaConfig};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::catalog::{Catalog, References, check_model};
use crate::input::Input;
use crate::personas::check_option_enums;
use crate::reply::{Answer, not_found, ok};
use crate::state::State;
use crate::validate::{Invalid, check_known, out_of_range, read};

/// A token the fake issued, with the request it was issued for.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IssuedSessionToken {
    /// The token, as sent back.
    pub token: Secret,
    /// The request it answered.
    pub request: SessionTokenRequest,
}

/// `POST /v1/auth/session-token`: a token for a stored persona the fake holds (404 otherwise) or
/// for a valid ephemeral persona, kept for `MockServer::issued_session_tokens`.
pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    let request = read_request(&input.json()?, &state.catalog)?;
    if let PersonaConfig::StoredPersonaConfig(stored) = &request.persona_config
        && !state.personas.contains(&stored.persona_id)
    {
        return Err(not_found("Persona"));
    }
    let token = new_token();
    state.tokens.push(IssuedSessionToken { token: token.clone(), request });
    ok(anam_api::types::SessionToken { session_token: token })
}

/// Reads a session-token body and checks it against the spec and `catalog` (an ephemeral
/// persona's references must exist, and its model suit its avatar). The persona's form is chosen
/// by `personaId`, as the spec's two forms do, so an error names the field inside the form
/// instead of "no variant matched".
pub(crate) fn read_request(body: &Value, catalog: &Catalog) -> Result<SessionTokenRequest, Invalid> {
    let Some(config) = body.get("personaConfig") else {
        return Err(Invalid::new("personaConfig", "missing field `personaConfig`", "invalid_type"));
    };
    let within = |problem: Invalid| {
        let path =
            if problem.path.is_empty() { "personaConfig".into() } else { format!("personaConfig.{}", problem.path) };
        Invalid { path, ..problem }
    };
    let persona_config = if config.get("personaId").is_some() {
        PersonaConfig::StoredPersonaConfig(read::<StoredPersonaConfig>(config).map_err(within)?)
    } else {
        PersonaConfig::EphemeralPersonaConfig(read::<EphemeralPersonaConfig>(config).map_err(within)?)
    };
    let mut rest = body.clone();
    rest["personaConfig"] = serde_json::to_value(&persona_config).unwrap_or(Value::Null);
    let request: SessionTokenRequest = read(&rest)?;
    check_create_session_token(&request).map_err(out_of_range)?;
    if let PersonaConfig::EphemeralPersonaConfig(persona) = &request.persona_config {
        let egress = request.session_options.as_ref().is_some_and(|o| o.egress.is_some());
        check_ephemeral(persona, egress).map_err(within)?;
        catalog.check_references(&References::of_ephemeral(persona)).map_err(within)?;
        let avatar = persona.avatar_id.as_ref().and_then(|id| catalog.avatar(id));
        check_model(avatar, persona.avatar_model.as_ref()).map_err(within)?;
    }
    Ok(request)
}

/// What the spec says of an ephemeral persona beyond types and ranges: known enum values, the
/// director's exclusive styles, the inline tools' size limit, and audio passthrough for egress.
fn check_ephemeral(persona: &EphemeralPersonaConfig, egress: bool) -> Result<(), Invalid> {
    let model = persona.avatar_model.as_ref().map(|m| (m.as_str(), m.is_known()));
    check_known("avatarModel", model, AvatarModel::KNOWN)?;
    check_option_enums(persona.voice_generation_options.as_ref(), None)?;
    let notes = persona.director_notes.as_ref();
    if notes.is_some_and(|n| n.preset_style.is_some() && n.custom_style_prompt.is_some()) {
        let message = "presetStyle and customStylePrompt exclude each other";
        return Err(Invalid::new("directorNotes", message, "invalid_combination"));
    }
    if let Some(limit) = json_size_limit("InlineTool", "parameters") {
        for (index, tool) in persona.tools.iter().enumerate() {
            let size = serde_json::to_vec(&tool.parameters).map_or(usize::MAX, |json| json.len());
            if size > limit.max_bytes {
                let message = format!("must be at most {} bytes as JSON, is {size}", limit.max_bytes);
                return Err(Invalid::new(format!("tools[{index}].parameters"), message, "too_big"));
            }
        }
    }
    if egress && persona.enable_audio_passthrough != Some(true) {
        return Err(Invalid::new(
            "enableAudioPassthrough",
            "must be true with sessionOptions.egress",
            "invalid_combination",
        ));
    }
    Ok(())
}

/// A JWT-shaped token (`header.payload.signature`) whose payload names a new session id, as
/// Anam's documented example token does.
pub(crate) fn new_token() -> Secret {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(json!({ "sessionId": uuid::Uuid::new_v4() }).to_string());
    Secret::from(format!("{header}.{payload}.anam-mock"))
}

/// The session id a token the fake issued names in its payload (a new one for any other text).
pub(crate) fn session_id(token: &Secret) -> String {
    let payload = token.expose_secret().split('.').nth(1).and_then(|p| URL_SAFE_NO_PAD.decode(p).ok());
    let id = payload
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
        .and_then(|v| v["sessionId"].as_str().map(str::to_owned));
    id.unwrap_or_else(crate::state::new_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_request_stock(body: &Value) -> Result<SessionTokenRequest, Invalid> {
        read_request(body, &Catalog::stock())
    }

    #[test]
    fn ephemeral_references_must_exist_and_the_model_suit_the_avatar() {
        let unknown = json!({"personaConfig": {"voiceId": "nope"}});
        assert_eq!(read_request_stock(&unknown).unwrap_err().path, "personaConfig.voiceId");
        let liv = "071b0286-4cce-4808-bee2-e642f1062de3";
        let unsupported = json!({"personaConfig": {"avatarId": liv, "avatarModel": "cara-4"}});
        assert_eq!(read_request_stock(&unsupported).unwrap_err().path, "personaConfig.avatarModel");
        let no_llm = json!({"personaConfig": {"avatarId": liv, "llmId": "CUSTOMER_CLIENT_V1"}});
        assert!(read_request_stock(&no_llm).is_ok());
    }

    #[test]
    fn each_body_reads_as_exactly_one_form_and_errors_name_the_field() {
        let stored = read_request_stock(&json!({"personaConfig": {"personaId": "p1"}})).unwrap();
        assert!(matches!(stored.persona_config, PersonaConfig::StoredPersonaConfig(_)));
        let ephemeral = read_request_stock(&json!({"personaConfig": {"name": "Cara"}})).unwrap();
        assert!(matches!(ephemeral.persona_config, PersonaConfig::EphemeralPersonaConfig(_)));
        let both = read_request_stock(&json!({"personaConfig": {"personaId": "p1", "name": "Cara"}})).unwrap_err();
        assert_eq!((both.path.as_str(), both.code), ("personaConfig.name", "unrecognized_keys"));
        assert_eq!(read_request_stock(&json!({})).unwrap_err().path, "personaConfig");
        let range = json!({"personaConfig": {"voiceDetectionOptions": {"endOfSpeechSensitivity": 2}}});
        assert_eq!(
            read_request_stock(&range).unwrap_err().path,
            "personaConfig.voiceDetectionOptions.endOfSpeechSensitivity"
        );
        let long = json!({"personaConfig": {"directorNotes": {"customStylePrompt": "x".repeat(2001)}}});
        assert_eq!(read_request_stock(&long).unwrap_err().path, "personaConfig.directorNotes.customStylePrompt");
        let both_styles =
            json!({"personaConfig": {"directorNotes": {"presetStyle": "warm", "customStylePrompt": "calm"}}});
        assert_eq!(read_request_stock(&both_styles).unwrap_err().path, "personaConfig.directorNotes");
        let big = json!({"personaConfig": {"tools": [{"type": "client", "name": "t", "parameters": {"d": "x".repeat(10_000)}}]}});
        assert_eq!(read_request_stock(&big).unwrap_err().path, "personaConfig.tools[0].parameters");
        let egress = json!({"personaConfig": {}, "sessionOptions": {"egress": {"mode": "daily", "daily": {"roomUrl": "https://x.daily.co/r"}}}});
        assert_eq!(read_request_stock(&egress).unwrap_err().path, "personaConfig.enableAudioPassthrough");
    }

    #[test]
    fn tokens_are_shaped_like_the_documented_jwt() {
        let token = new_token();
        let parts: Vec<&str> = token.expose_secret().split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
        let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert!(payload["sessionId"].is_string());
        assert_eq!(session_id(&token), payload["sessionId"].as_str().unwrap());
    }
}
