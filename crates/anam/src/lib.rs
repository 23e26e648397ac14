//! Rust SDK for the [Anam AI](https://anam.ai) API: every operation of its spec.
//!
//! A persona is a talking avatar: an avatar, a voice, a language model, a system prompt and
//! voice-detection settings. This crate creates and manages them ([`Personas`]) and what they
//! are built from ([`Avatars`], [`Voices`], [`Llms`], [`Tools`], knowledge bases:
//! [`KnowledgeGroups`], [`KnowledgeDocuments`]), mints the session tokens a browser or app
//! streams them with and reads what happened in sessions afterwards ([`Sessions`]), and hands
//! out [`ShareLinks`] and [`MeetingInvites`]. It wraps the client that `anam-api` generates from
//! the OpenAPI spec and adds what a generated client cannot know:
//!
//! - [`Client`]: the API key from `ANAM_API_KEY` (or explicit), timeouts (30 s per attempt, 5 s to
//!   connect), retries ([`RetryConfig`]: 2, with backoff and `Retry-After`), response bodies capped
//!   at 4 MiB, no redirects followed, a `tracing` span per call, and a key that never appears in
//!   `Debug`, errors or logs; [`Client::send`] sends any generated operation through that one
//!   path, and [`Client::with_options`] changes a few calls' timeout, retries or headers;
//! - [`Resource`]: one handle for every resource, with `list`, `stream`, `get`, `get_opt`,
//!   `create`, `update` and `delete` where the spec has them;
//! - [`CreatePersona`], [`CreateTool`], [`CreateLlm`], [`CreateShareLink`],
//!   [`CreateMeetingInvite`], [`UploadDocument`], [`UploadVoice`], [`CreateSessionToken`], ...:
//!   builders that check every documented range, length and cross-field rule before anything is
//!   sent; [`Upload`]: a file streamed from disk, bytes or a stream;
//! - typed ids ([`PersonaId`], [`SessionId`], [`KnowledgeGroupId`], ..., see [`ids`]): strings
//!   convert into them, one kind never into another;
//! - [`Secret`]: tokens, signed URLs and credentials, redacted in `Debug` and never traced;
//! - [`Error`]: one error type whose `Display` reads like `404 Not Found: Persona not found`,
//!   never holding a secret, with helpers to branch on (`is_not_found`, `limit`, ...);
//! - `stream` on every list: every item, page after page, as a `Stream`.
//!
//! ```no_run
//! use anam::{Client, CreatePersona, ListPersonas, UpdatePersona, VoiceDetection};
//! use futures::TryStreamExt;
//!
//! # async fn demo() -> anam::Result<()> {
//! let client = Client::from_env()?; // ANAM_API_KEY, and ANAM_API_URL if set
//! let personas = client.personas();
//!
//! let cara = personas
//!     .create(
//!         CreatePersona::cara()
//!             .name("Front desk")
//!             .system_prompt("You greet visitors and answer questions about opening hours.")
//!             .voice_detection(VoiceDetection::new().end_of_speech_sensitivity(0.6)),
//!     )
//!     .await?;
//! println!("created {}", cara.id);
//!
//! let updated = personas.update(&cara.id, UpdatePersona::new().clear_avatar_model()).await?;
//! assert_eq!(updated.avatar_model, None);
//!
//! let all: Vec<_> = personas.stream(ListPersonas::new().search("Front")).try_collect().await?;
//! println!("{} matching personas", all.len());
//!
//! personas.delete(&cara.id).await?;
//! # Ok(()) }
//! ```
//!
//! For tests, the `anam-mock` crate runs an in-memory fake of the API on 127.0.0.1.

#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]

mod call_options;
mod checks;
mod client;
pub mod dynamic;
mod error;
pub mod ids;
mod knowledge;
mod llms;
mod media;
mod meeting_invites;
mod options;
mod pagination;
mod personas;
mod redact;
mod request;
mod resource;
mod retry;
mod session_reports;
mod sessions;
mod share_links;
mod tools;
mod upload;

pub use anam_api as api;
pub use anam_api::Secret;
pub use anam_api::query::{
    ListAvatars, ListKnowledgeGroups, ListLlms, ListMeetingInvites, ListPersonas, ListSessions, ListShareLinks,
    ListTools, ListVoices,
};
pub use anam_api::resources;
pub use anam_api::types;
pub use anam_api::types::{
    Avatar, AvatarList, AvatarModel, Llm, LlmList, Pagination, Persona, PersonaList, PersonaSummary, SessionToken,
    Tool, ToolList, Voice, VoiceList,
};
pub use anam_api::{Call, Operation};
pub use call_options::CallOptions;
/// The date and time crate of the generated types (`DateTime<Utc>`), re-exported.
pub use chrono;
pub use client::{
    API_KEY_ENV, API_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};
pub use error::{
    ApiError, ConfigError, ConfigErrorKind, DecodeError, ERROR_BODY_LIMIT, Error, Limit, Result, ValidationError,
};
pub use ids::{
    AvatarId, KnowledgeDocumentId, KnowledgeGroupId, LlmId, MeetingInviteId, PersonaId, SessionId, ShareLinkId, ToolId,
    VoiceId,
};
pub use knowledge::{CreateKnowledgeGroup, ProcessingError, SearchKnowledge, UploadDocument, WaitForDocument};
pub use llms::{CreateLlm, UpdateLlm};
pub use media::{CloneVoice, CreateAvatar, UploadAvatar, UploadVoice};
pub use meeting_invites::CreateMeetingInvite;
pub use options::{VoiceDetection, VoiceEngine, VoiceGeneration};
pub use personas::{CreatePersona, EphemeralPersona, UpdatePersona};
/// The HTTP status type of [`Error::status`] and [`ApiError::status`], and the header map of
/// [`ApiError::headers`] (re-exported, so that matching on them takes no other crate).
pub use reqwest::{StatusCode, header::HeaderMap};
pub use resource::{IntoBody, Resource};
pub use retry::{Failure, RetryConfig, RetryEvent};
pub use session_reports::{LONGEST_ANALYTICS_PERIOD, RECORDING_URL_LIFETIME, Recording, SessionAnalyticsQuery};
pub use sessions::{CreateSessionToken, Direction, SessionSettings, SessionTool};
pub use share_links::{CreateShareLink, UpdateShareLink};
pub use tools::{CreateTool, UpdateTool};
pub use upload::Upload;

/// The persona operations (`client.personas()`).
pub type Personas = Resource<resources::Persona>;
/// The avatar operations (`client.avatars()`).
pub type Avatars = Resource<resources::Avatar>;
/// The voice operations (`client.voices()`).
pub type Voices = Resource<resources::Voice>;
/// The LLM operations (`client.llms()`).
pub type Llms = Resource<resources::Llm>;
/// The tool operations (`client.tools()`).
pub type Tools = Resource<resources::Tool>;
/// The session operations (`client.sessions()`), session tokens included.
pub type Sessions = Resource<resources::Session>;
/// The share-link operations (`client.share_links()`).
pub type ShareLinks = Resource<resources::ShareLink>;
/// The meeting-invite operations (`client.meeting_invites()`).
pub type MeetingInvites = Resource<resources::MeetingInvite>;
/// The knowledge-group operations (`client.knowledge_groups()`).
pub type KnowledgeGroups = Resource<resources::KnowledgeGroup>;
/// The knowledge-document operations (`client.knowledge_documents()`).
pub type KnowledgeDocuments = Resource<resources::KnowledgeDocument>;

/// This crate's README examples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
