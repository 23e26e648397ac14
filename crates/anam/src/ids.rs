//! Typed ids, the ids Anam documents, and the check an id passes before it goes into a URL.
//!
//! Each resource's id is its own type, generated from its own schema in the spec
//! ([`PersonaId`], [`AvatarId`], [`VoiceId`], [`LlmId`], [`ToolId`]): one converts from a string
//! (`"…".into()`, `String`, `&str`), but never into another, so a voice id passed where an
//! avatar id belongs does not compile:
//!
//! ```compile_fail,E0277
//! let voice = anam::VoiceId::from("de23e340-1416-4dd8-977d-065a7ca11697");
//! let request = anam::CreatePersona::new().avatar_id(voice); // a VoiceId is no AvatarId
//! ```
//!
//! The same call with the right type compiles:
//!
//! ```
//! let avatar = anam::AvatarId::from("071b0286-4cce-4808-bee2-e642f1062de3");
//! let request = anam::CreatePersona::new().avatar_id(avatar).voice_id("de23e340-1416-4dd8-977d-065a7ca11697");
//! assert_eq!(request.build().unwrap().avatar_id.unwrap().as_str(), "071b0286-4cce-4808-bee2-e642f1062de3");
//! ```

pub use anam_api::types::{AvatarId, LlmId, PersonaId, ToolId, VoiceId};

use crate::error::ValidationError;

/// The stock "Cara" avatar of Anam's documented example persona.
pub fn cara_avatar() -> AvatarId {
    AvatarId::from("30fa96d0-26c4-4e55-94a0-517025942e18")
}

/// The stock "Cara" voice of Anam's documented example persona.
pub fn cara_voice() -> VoiceId {
    VoiceId::from("6bfbe25a-979d-40f3-a92b-5394170af54b")
}

/// The stock "Liv" avatar that Anam's newest reference uses in every example.
pub fn liv_avatar() -> AvatarId {
    AvatarId::from("071b0286-4cce-4808-bee2-e642f1062de3")
}

/// The stock "Lucy" voice that Anam's newest reference uses in every example.
pub fn lucy_voice() -> VoiceId {
    VoiceId::from("de23e340-1416-4dd8-977d-065a7ca11697")
}

/// The LLM of Anam's documented example persona (Anam's MCP server calls it GPT-4o-mini).
pub fn llm_example() -> LlmId {
    LlmId::from("7736a22f-2d79-4720-952c-25fdca55ad40")
}

/// The LLM older Anam guides name as the default when `llmId` is not sent ("OpenAI GPT-4 Mini").
pub fn llm_default() -> LlmId {
    LlmId::from("0934d97d-0c3a-4f33-91b0-5e136a0ef466")
}

/// The `llmId` that turns Anam's LLM off (`CUSTOMER_CLIENT_V1`): the client brings its own
/// through talk streams. It names no LLM of the list.
pub fn llm_customer_client() -> LlmId {
    LlmId::from(anam_api::facts::NO_LLM_ID)
}

/// Checks an id that goes into a path: it must stay exactly one path segment. The generated
/// client percent-encodes `/`, `?`, `#`, `%`, spaces and control characters; what it leaves as
/// is and a URL parser would still read as a step elsewhere (`.`, `..`, `\`) is refused.
pub(crate) fn check_path_id(what: &str, id: &str) -> Result<(), ValidationError> {
    if id.trim().is_empty() || id == "." || id == ".." || id.contains('\\') {
        let expected = format!("{what}: not empty, not `.` or `..`, and without `\\`");
        return Err(ValidationError::new("id", format!("{id:?}"), expected));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_would_leave_their_path_segment_are_refused() {
        for bad in ["", " ", ".", "..", "..\\avatars\\X", "a\\b"] {
            assert_eq!(check_path_id("a persona id", bad).unwrap_err().field, "id", "{bad:?}");
        }
        for fine in ["2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31", "...", "a.b", "../x", "%2e%2e", "a?b#c"] {
            assert!(check_path_id("a persona id", fine).is_ok(), "{fine:?} is encoded into one segment");
        }
    }
}
