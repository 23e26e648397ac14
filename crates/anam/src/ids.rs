//! Typed ids, the ids Anam documents, and the check an id passes before it goes into a URL.
//!
//! Each resource's id is its own type, generated from its own schema in the spec
//! ([`PersonaId`], [`AvatarId`], [`VoiceId`], [`LlmId`], [`ToolId`], [`SessionId`],
//! [`ShareLinkId`], [`KnowledgeGroupId`], [`KnowledgeDocumentId`], [`MeetingInviteId`]): one
//! converts from a string (`"…".into()`, `String`, `&str`), but never into another, so a voice
//! id passed where an avatar id belongs does not compile:
//!
//! ```compile_fail,E0277
//! let voice = anam::VoiceId::from("de23e340-1416-4dd8-977d-065a7ca11697");
//! let request = anam::CreatePersona::new().avatar_id(voice); // a VoiceId is no AvatarId
//! ```
//!
//! and a session id given for a knowledge group, or a share link's for a persona, neither:
//!
//! ```compile_fail,E0277
//! # async fn demo(client: anam::Client, session: anam::SessionId) {
//! client.knowledge_groups().get(session); // a SessionId is no KnowledgeGroupId
//! # }
//! ```
//!
//! ```compile_fail,E0277
//! # async fn demo(client: anam::Client, link: anam::ShareLinkId) {
//! client.personas().delete(link); // a ShareLinkId is no PersonaId
//! # }
//! ```
//!
//! ```compile_fail,E0277
//! # async fn demo(client: anam::Client, document: anam::KnowledgeDocumentId) {
//! client.meeting_invites().get(document); // a KnowledgeDocumentId is no MeetingInviteId
//! # }
//! ```
//!
//! The same calls with the right types compile:
//!
//! ```
//! # async fn demo(client: anam::Client) {
//! let _ = client.knowledge_groups().get(anam::KnowledgeGroupId::from("67d27a9f-0ce1-4432-848b-8ab2b97f024b"));
//! let _ = client.sessions().get("00000000-0000-0000-0000-000000000000"); // a string converts
//! # }
//! let avatar = anam::AvatarId::from("071b0286-4cce-4808-bee2-e642f1062de3");
//! let request = anam::CreatePersona::new().avatar_id(avatar).voice_id("de23e340-1416-4dd8-977d-065a7ca11697");
//! assert_eq!(request.build().unwrap().avatar_id.unwrap().as_str(), "071b0286-4cce-4808-bee2-e642f1062de3");
//! ```

pub use anam_api::types::{
    AvatarId, KnowledgeDocumentId, KnowledgeGroupId, LlmId, MeetingInviteId, PersonaId, SessionId, ShareLinkId, ToolId,
    VoiceId,
};

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
