//! An in-memory, stateful fake of the Anam AI API, for your tests and examples.
//!
//! Spec-driven mocks (Prism, stripe-mock) are stateless: a persona you create never shows up in
//! the next list. This fake keeps state, so you can test real flows without the real service.
//! It serves every operation of `openapi/anam.yaml` (all 57 of Anam's), routed by the spec's
//! generated operation table and checked against its generated ranges (`anam_api::facts`):
//!
//! - **personas**: create, list (`page`, `perPage`, `search`), get, partial update, delete;
//!   answers carry the avatar, voice, tools and share links whole;
//! - **avatars, voices, LLMs, tools**: list (every documented filter) and get over Anam's stock
//!   ones (the ids Anam's documentation uses), and create, update and delete: avatars from a
//!   JSON `imageUrl` or a multipart `imageFile`; voices cloned from the `audioKey` of a presigned
//!   upload or a multipart `audioFile`; LLMs whose write-only `secret` is never answered
//!   ([`MockServer::llm_secret`] shows what arrived); tools whose `config` must suit their `type`;
//! - **share links** (`{data, meta}`, 20 a page) and **meeting invites** (most recent first);
//! - **knowledge**: groups, documents (multipart upload of `file`, `chunkSize`, `chunkOverlap`;
//!   rename; download URL; bare lists), and search over the `READY` documents' text;
//! - **sessions**: list (`search`, `apiKeyId`, `personaId`, paging), get with `toolCalls`,
//!   transcript, stop, recording, per-session and aggregated analytics, concurrency, and
//!   `POST /v1/engine/session`, which starts one (with the API key, or a session token the fake
//!   issued);
//! - **session tokens**: issued (a JWT-shaped text) and kept for
//!   [`MockServer::issued_session_tokens`].
//!
//! References are as strict as Anam's: a persona (and a session token's or a meeting's
//! ephemeral persona) may only name an avatar, voice, LLM or tool the fake holds, with an
//! `avatarModel` its avatar supports; a knowledge tool's `config.documentFolderIds` must name
//! knowledge groups it holds; a share link's persona must exist (404 "Persona not found", as
//! documented); a document belongs to an existing group (404).
//!
//! Errors are the documented ones: 401 without the right bearer key, 404 for unknown ids, 400
//! naming the field (`{"error": "Validation error", "details": [{path, message, code}],
//! "summary"}`) for a value out of range, a wrong type, an unknown enum value, an unknown id
//! referenced or an unknown field, 204 with no body and 200 `{message}` where the spec says so.
//! A body larger than the operation takes (50 MB for a document, about 4.5 MB for a voice or
//! avatar upload, 2 MiB of JSON) is refused with 400 as it arrives, so memory stays bounded.
//!
//! # Test hooks
//!
//! - Seeding: [`MockServer::insert`] (personas, unchecked), [`MockServer::insert_avatar`],
//!   [`insert_voice`](MockServer::insert_voice), [`insert_llm`](MockServer::insert_llm),
//!   [`insert_tool`](MockServer::insert_tool), and [`MockServer::insert_session`]: a
//!   [`SessionRecord`] with what only Anam's engine produces (transcript messages, tool calls,
//!   analytics turns, warning and error counts, whether a recording exists). Sessions,
//!   transcripts, recordings and both analytics answers come from these records. Records
//!   with the ids and times a test chooses: [`insert_persona`](MockServer::insert_persona),
//!   [`insert_share_link`](MockServer::insert_share_link),
//!   [`insert_meeting_invite`](MockServer::insert_meeting_invite),
//!   [`insert_knowledge_group`](MockServer::insert_knowledge_group) and
//!   [`insert_knowledge_document`](MockServer::insert_knowledge_document) (with its file, as
//!   processed as its status says). A whole account at once: [`demo::seed`] (below).
//! - The engine's and the meeting service's side: [`MockServer::set_concurrency`] (the limit,
//!   and a fixed active count or the running sessions), [`MockServer::update_meeting_invite`]
//!   (status, join state, session id), [`MockServer::set_document_reads_until_ready`] and
//!   [`MockServer::fail_document`].
//! - Reading back: [`MockServer::personas`], [`avatars`](MockServer::avatars),
//!   [`voices`](MockServer::voices), [`llms`](MockServer::llms), [`tools`](MockServer::tools),
//!   [`share_links`](MockServer::share_links), [`meeting_invites`](MockServer::meeting_invites),
//!   [`knowledge_groups`](MockServer::knowledge_groups),
//!   [`knowledge_documents`](MockServer::knowledge_documents), [`sessions`](MockServer::sessions),
//!   [`llm_secret`](MockServer::llm_secret), [`issued_session_tokens`](MockServer::issued_session_tokens).
//! - Faults: the next N requests (of one operation, or any) get a status with an optional
//!   `Retry-After`, a delay, a dropped connection (before or after processing), a truncated
//!   body, or a proxy's HTML error page ([`MockServer::inject_for`], [`Fault`]); request counts
//!   per operation ([`MockServer::requests`]) and of requests that matched no operation
//!   ([`MockServer::unmatched_requests`]); a fixed latency for every answer
//!   ([`MockServerBuilder::latency`]); and the most requests in flight at once
//!   ([`MockServer::max_in_flight`]; the program reports it at `GET /_mock/stats` and when it
//!   stops), to test a client that promises to send at most N at a time.
//!
//! # The fake's own endpoints
//!
//! Under [`OWN_PREFIX`] (`/_mock/`), outside the API's paths: a knowledge document's download
//! URL is `/_mock/storage/knowledge/{id}?X-Amz-Expires=900&X-Amz-Signature=...` on the fake's
//! own address, served without the API key but only with the document's signature (as a
//! presigned URL), answering the uploaded bytes; `GET /_mock/stats` answers `{"inFlight",
//! "maxInFlight", "requests", "unmatched"}` and `POST /_mock/stats/reset` also starts
//! `maxInFlight` again. None of them counts as an API request or an unmatched one.
//!
//! # The demo account
//!
//! [`demo::seed`] adds a small, realistic account: 3 personas on the stock avatars, voices and
//! LLMs ("Front desk", "Night shift", "Sales coach"), a webhook, a client and a knowledge tool
//! beside the stock `open_calendar`, the knowledge group "Handbook" with 3 `READY` documents,
//! 7 sessions of the last 7 days with transcripts, tool calls and analytics (one still
//! running), a share link and 2 meeting invites. Its ids are fixed and its times count back
//! from now, or from the instant [`demo::seed_at`] is given, so that tests and golden outputs
//! start the same account in-process. The program serves it with `--demo`.
//!
//! # Documents move on
//!
//! An upload answers `PROCESSING`. Each read of that document (its get, or a list of its
//! group's documents) uses up one of its reads, 1 by default
//! ([`MockServer::set_document_reads_until_ready`] sets it for later uploads): the first get
//! answers `PROCESSING`, the second `READY`, so code that waits for a document is tested
//! waiting. A document whose file name starts with `fail` becomes `FAILED` instead, with an
//! `errorMessage`; [`MockServer::fail_document`] fails one at once. Only `READY` documents are
//! searched: a search scores each chunk (`chunkSize` characters, `chunkOverlap` shared with the
//! next) by the share of the query's distinct words it holds, best first, at most `limit`. Only
//! UTF-8 files (TXT, MD, CSV) have text to search; the fake extracts none from PDF or DOCX.
//!
//! # Where Anam is silent, the fake chooses
//!
//! - Deleting a knowledge group deletes its documents and takes its id out of every knowledge
//!   tool's `documentFolderIds` (no status for "in use" is documented, and a tool then never
//!   names a missing group). Deleting a tool detaches it from the personas that use it ("no
//!   longer available"). Deleting a persona deletes its share links. Deleting an avatar, voice
//!   or LLM that personas use is allowed; they keep its id.
//! - A meeting invite for a persona the fake does not hold is a 403, as Anam answers for a
//!   persona the organisation cannot use (no 404 is documented). An invite stays `pending`
//!   until a test moves it on; cancelling an `active` invite cancels it too, and cancelling
//!   again changes nothing (204). The region defaults to `eu`; the display name to the
//!   persona's name; ` (AI)` is added unless it ends so. No rate-limit headers are sent.
//! - A session token starts no session; `POST /v1/engine/session` does, under the session id
//!   the token names, once (a token used again is a 401). With the API key it needs a
//!   `personaConfig` (a stored persona it does not hold is a 400 there: no 404 is documented).
//!   It answers 429 once the running sessions reach the concurrency limit (default 10).
//! - A stop ends a running session at once (Anam's is asynchronous), with the exit status
//!   `CLOSED_BY_ENGINE`; stopping an ended session is a 400 (the engine refuses it), a LiveKit
//!   one a 404. A recording exists once a session has ended. Analytics exist for ended,
//!   non-LiveKit sessions with turns; message texts only with `includeMessages` and
//!   transcripts on. Lists of sessions are the most recently started first.
//! - The aggregate takes the sessions that started in `[from, to]` (default the last 24
//!   hours; from after to, or more than 31 days, is a 400), at most the 1000 most recent with
//!   reports; percentiles are nearest-rank; rates divide by the turns that had a reply (or
//!   the sessions with reports, or the tool calls) and are null when that is zero; the five
//!   slowest turns are listed for each headline latency. `organizationId` (admin keys only)
//!   is a 403 on every operation that takes it.
//! - Share links: `search` matches the link's id or its persona's name; `expiresInHours` must
//!   be above 0 and counts from now on update; `usageLimit` must be a whole number from 1; a
//!   persona's first link is its primary one.
//! - Tools: names are unique and made of letters, digits, `_`, `.` and `-` (400, as no 409 is
//!   documented); an update's `config` replaces the stored one whole; system tools cannot be
//!   changed or deleted (403).
//! - LLMs: an update's `url` replaces the list of URLs; its `llmFormat` may not be `anthropic`
//!   or `custom`, which the LLM answer cannot hold; built-in defaults are a 403.
//! - Voices: a clone gets the provider `ELEVENLABS`. Avatars: the default model is `cara-3`,
//!   and every avatar made from a picture is one-shot (`onlyOneShot`); soft and hard deletes
//!   both remove it. Upload and recording URLs, and a document's `fileUrl`, name the
//!   `.invalid` domain: the fake does not serve them (a document's download URL it serves,
//!   above). `X-Upload-Token` is not accepted instead of the API key (Anam does
//!   not say how to get one).
//!
//! It listens on 127.0.0.1 on a free port and stops when dropped.
//!
//! ```
//! use anam_mock::{Fault, MockServer, Operation};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockServer::start().await;
//! let client = anam::Client::builder()
//!     .base_url(mock.base_url())
//!     .api_key(mock.api_key())
//!     .initial_backoff(std::time::Duration::from_millis(10))
//!     .build()
//!     .unwrap();
//!
//! // The next create fails with 503; the SDK does not retry a POST the server received.
//! mock.inject_for(Operation::CreatePersona, Fault::status(503), 1);
//! assert!(client.personas().create(anam::CreatePersona::cara()).await.is_err());
//! let persona = client.personas().create(anam::CreatePersona::cara()).await.unwrap();
//!
//! assert_eq!(mock.requests(Operation::CreatePersona), 2);
//! assert_eq!(mock.persona_count(), 1);
//! assert_eq!(client.personas().get(&persona.id).await.unwrap().name.as_deref(), Some("Cara"));
//! # }
//! ```
//!
//! Seeding a session that only Anam's engine could have produced, and reading it back:
//!
//! ```
//! use anam_mock::{MockServer, SessionRecord};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockServer::start().await;
//! let client = anam::Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build().unwrap();
//! let session = serde_json::from_value(json!({
//!     "id": "5e0b7a0e-0000-4000-8000-000000000001", "clientLabel": "crm",
//!     "startTime": "2026-07-01T10:00:00Z", "endTime": "2026-07-01T10:05:00Z",
//! }))
//! .unwrap();
//! let transcript = serde_json::from_value(json!([{"role": "user", "message": "Hello"}])).unwrap();
//! let id = mock.insert_session(SessionRecord::new(session).transcript(transcript));
//! let read = client.send(client.api().get_session_transcript().id(id)).await.unwrap();
//! assert_eq!(read.total_messages, Some(1));
//! # }
//! ```
//!
//! The same fake runs as a program for other tools:
//! `cargo run -p anam-mock --features cli -- --port 4010 [--demo] [--latency 50ms]`; with
//! `--demo` it starts with the demo account and prints the `ANAM_API_URL=... ANAM_API_KEY=...`
//! to export for the `anam` CLI.

#![forbid(unsafe_code)]

mod analytics;
mod avatars;
mod catalog;
mod collection;
pub mod demo;
mod faults;
mod input;
mod knowledge;
mod llms;
mod meetings;
mod own;
mod personas;
mod reply;
mod routes;
mod sessions;
mod share_links;
mod state;
mod tokens;
mod tools;
mod validate;
mod voices;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anam_api::Secret;
use anam_api::types::{
    Avatar, KnowledgeDocument, KnowledgeGroup, Llm, MeetingInvite, Persona, PersonaCreate, PersonaShareLink, SessionId,
    Tool, Voice,
};
use axum::body::Body;
use http::StatusCode;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tower::ServiceExt;

pub use anam_api::Operation;
pub use faults::Fault;
pub use own::OWN_PREFIX;
pub use sessions::SessionRecord;
pub use state::{API_KEY_ID, Concurrency, ORGANIZATION_ID};
pub use tokens::IssuedSessionToken;

/// The API key the fake accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "mock-api-key";

/// What the server's tasks share.
pub(crate) struct Shared {
    pub api_key: String,
    latency: Option<Duration>,
    state: Mutex<state::State>,
    faults: Mutex<Vec<faults::Planned>>,
    counts: Mutex<HashMap<Operation, usize>>,
    unmatched: Mutex<usize>,
    in_flight: own::InFlight,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(api_key: String, latency: Option<Duration>) -> Shared {
        Shared {
            api_key,
            latency,
            state: Mutex::default(),
            faults: Mutex::default(),
            counts: Mutex::default(),
            unmatched: Mutex::default(),
            in_flight: own::InFlight::default(),
        }
    }

    /// How many requests of the API arrived, over all operations.
    fn total_requests(&self) -> usize {
        lock(&self.counts).values().sum()
    }

    /// How many requests matched no operation and no endpoint of the fake's own.
    fn unmatched(&self) -> usize {
        *lock(&self.unmatched)
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, state::State> {
        lock(&self.state)
    }

    /// Counts the request and takes the first fault planned for it, if any.
    fn admit(&self, op: Option<Operation>) -> Option<Fault> {
        let Some(op) = op else {
            *lock(&self.unmatched) += 1;
            return None;
        };
        *lock(&self.counts).entry(op).or_default() += 1;
        let mut faults = lock(&self.faults);
        let index = faults.iter().position(|p| p.only.is_none_or(|only| only == op))?;
        let planned = &mut faults[index];
        planned.remaining -= 1;
        let fault = planned.fault.clone();
        if planned.remaining == 0 {
            faults.remove(index);
        }
        Some(fault)
    }
}

/// A running fake. Stops when dropped.
pub struct MockServer {
    base_url: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// Settings for a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    port: u16,
    api_key: String,
    latency: Option<Duration>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder { port: 0, api_key: DEFAULT_API_KEY.to_string(), latency: None }
    }
}

impl MockServerBuilder {
    /// The port on 127.0.0.1 (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The API key the fake accepts (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Delays every answer by `latency` (default none), as a network would; for benchmarks.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency).filter(|l| !l.is_zero());
        self
    }

    /// Binds 127.0.0.1 and starts serving in the background of the current tokio runtime.
    pub async fn start(self) -> io::Result<MockServer> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], self.port))).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::new(self.api_key, self.latency));
        let base_url = format!("http://{address}");
        shared.state().base_url = base_url.clone();
        let (shutdown, stopped) = oneshot::channel();
        tokio::spawn(serve(listener, shared.clone(), stopped));
        Ok(MockServer { base_url, shared, shutdown: Some(shutdown) })
    }
}

impl MockServer {
    /// Starts a fake on a free port of 127.0.0.1 with the key [`DEFAULT_API_KEY`].
    ///
    /// # Panics
    /// When 127.0.0.1 cannot be bound; use [`MockServer::builder`] to handle that as an error.
    pub async fn start() -> MockServer {
        match MockServer::builder().start().await {
            Ok(server) => server,
            Err(error) => panic!("anam-mock cannot listen on 127.0.0.1: {error}"),
        }
    }

    /// Settings for a fake: port, API key and latency.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL to give the client, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key the fake accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// The next `times` requests, of any operation, get `fault`.
    pub fn inject(&self, fault: Fault, times: usize) {
        self.plan(None, fault, times);
    }

    /// The next `times` requests of `operation` get `fault`.
    pub fn inject_for(&self, operation: Operation, fault: Fault, times: usize) {
        self.plan(Some(operation), fault, times);
    }

    fn plan(&self, only: Option<Operation>, fault: Fault, times: usize) {
        if times > 0 {
            lock(&self.shared.faults).push(faults::Planned { fault, only, remaining: times });
        }
    }

    /// Drops every planned fault that has not fired yet.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// How many requests of `operation` arrived (faulted ones included).
    pub fn requests(&self, operation: Operation) -> usize {
        lock(&self.shared.counts).get(&operation).copied().unwrap_or(0)
    }

    /// How many requests arrived, over all operations.
    pub fn total_requests(&self) -> usize {
        self.shared.total_requests()
    }

    /// How many requests matched no operation of the spec (a path or method the API does not
    /// have); the fake answers them 404 or 405. The fake's own endpoints under [`OWN_PREFIX`]
    /// (document downloads, `/_mock/stats`) are not API requests and are not counted here.
    pub fn unmatched_requests(&self) -> usize {
        self.shared.unmatched()
    }

    /// How many requests are being answered now (API requests and document downloads; the
    /// latency of [`MockServerBuilder::latency`] included).
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.now()
    }

    /// The most requests that were being answered at once, since the start or the last
    /// [`MockServer::reset_max_in_flight`]: what a client that promises to send at most N at
    /// a time is tested against. The program reports it at `GET /_mock/stats` and when it stops.
    pub fn max_in_flight(&self) -> usize {
        self.shared.in_flight.max()
    }

    /// Starts [`MockServer::max_in_flight`] again from the requests in flight now.
    pub fn reset_max_in_flight(&self) {
        self.shared.in_flight.reset_max();
    }

    /// How many personas exist.
    pub fn persona_count(&self) -> usize {
        self.shared.state().personas.len()
    }

    /// Every persona, in creation order.
    pub fn personas(&self) -> Vec<Persona> {
        self.shared.state().all_personas()
    }

    /// The avatars the fake holds: the stock ones (under the ids Anam's documentation uses), then
    /// those created or added with [`MockServer::insert_avatar`]. A persona may reference only these.
    pub fn avatars(&self) -> Vec<Avatar> {
        self.shared.state().catalog.avatars.iter().cloned().collect()
    }

    /// Adds an avatar, or replaces the one with the same id.
    pub fn insert_avatar(&self, avatar: Avatar) {
        self.shared.state().catalog.avatars.insert(avatar);
    }

    /// The voices the fake holds (stock, then created or added).
    pub fn voices(&self) -> Vec<Voice> {
        self.shared.state().catalog.voices.iter().cloned().collect()
    }

    /// Adds a voice, or replaces the one with the same id.
    pub fn insert_voice(&self, voice: Voice) {
        self.shared.state().catalog.voices.insert(voice);
    }

    /// The LLMs the fake holds (stock defaults, which lists show only with `includeDefaults`,
    /// then created or added).
    pub fn llms(&self) -> Vec<Llm> {
        self.shared.state().catalog.llms.iter().cloned().collect()
    }

    /// Adds an LLM, or replaces the one with the same id. One with `isDefault: true` is listed
    /// only with `includeDefaults`, and cannot be changed or deleted, as Anam's built-in
    /// defaults.
    pub fn insert_llm(&self, llm: Llm) {
        self.shared.state().catalog.llms.insert(llm);
    }

    /// The upstream credential last sent for an LLM (by create or update): the API never
    /// answers it, so this is how a test sees what the server received.
    pub fn llm_secret(&self, llm_id: &str) -> Option<Secret> {
        self.shared.state().llm_secrets.get(llm_id).cloned()
    }

    /// The tools the fake holds (stock, then created or added).
    pub fn tools(&self) -> Vec<Tool> {
        self.shared.state().catalog.tools.iter().cloned().collect()
    }

    /// Adds a tool, or replaces the one with the same id (no checks: a knowledge tool may name
    /// groups the fake does not hold).
    pub fn insert_tool(&self, tool: Tool) {
        self.shared.state().catalog.tools.insert(tool);
    }

    /// Every share link, in creation order, with its persona.
    pub fn share_links(&self) -> Vec<PersonaShareLink> {
        self.shared.state().share_links.iter().cloned().collect()
    }

    /// Adds a share link as given (its id, token, times and counts kept), or replaces the one
    /// with the same id. No checks: its `personaId` should name a persona the fake holds, whose
    /// answers then carry the link (the primary one when `isPrimary` is true).
    pub fn insert_share_link(&self, link: PersonaShareLink) {
        self.shared.state().share_links.insert(link);
    }

    /// Every meeting invite, in creation order.
    pub fn meeting_invites(&self) -> Vec<MeetingInvite> {
        self.shared.state().invites.iter().cloned().collect()
    }

    /// Adds a meeting invite as given (its status, join state and session id too), or
    /// replaces the one with the same id. No checks.
    pub fn insert_meeting_invite(&self, invite: MeetingInvite) {
        self.shared.state().invites.insert(invite);
    }

    /// Changes a meeting invite as Anam's meeting service would (its `status`, `joinState`,
    /// `statusReason`, `sessionId`): the fake joins no meeting, so an invite moves on only
    /// through this. False when no invite has this id.
    pub fn update_meeting_invite(&self, id: &str, change: impl FnOnce(&mut MeetingInvite)) -> bool {
        let mut state = self.shared.state();
        let Some(invite) = state.invites.get_mut(id) else { return false };
        change(invite);
        true
    }

    /// Every knowledge group, in creation order, with its current `documentCount`.
    pub fn knowledge_groups(&self) -> Vec<KnowledgeGroup> {
        let state = self.shared.state();
        state.groups.iter().map(|group| knowledge::group_answer(&state, group)).collect()
    }

    /// Adds a knowledge group as given, or replaces the one with the same id (its
    /// `documentCount` is always counted from the documents the fake holds).
    pub fn insert_knowledge_group(&self, group: KnowledgeGroup) {
        self.shared.state().groups.insert(group);
    }

    /// Every knowledge document, in upload order, as stored (reading them here does not move
    /// their processing on).
    pub fn knowledge_documents(&self) -> Vec<KnowledgeDocument> {
        self.shared.state().documents.iter().map(|d| d.record.clone()).collect()
    }

    /// Adds a document with its file's bytes, or replaces the one with the same id, without an
    /// upload: its record is kept as given, status included. A `READY` one is searched at once
    /// (its bytes as text, when they are UTF-8, in chunks of 1000 characters sharing 200, as an
    /// upload's default); a `PROCESSING` one moves on as an upload does
    /// ([`MockServer::set_document_reads_until_ready`]). Its download URL serves the bytes. No
    /// checks: its `knowledgeFolderId` should name a group the fake holds, or no list shows it.
    pub fn insert_knowledge_document(&self, document: KnowledgeDocument, file: impl Into<Vec<u8>>) {
        let mut state = self.shared.state();
        let reads = state.reads_until_ready;
        let data = axum::body::Bytes::from(file.into());
        state.documents.insert(knowledge::Document::with_default_chunks(document, data, reads));
    }

    /// How many reads of a document uploaded from now on (its get, or a list of its group's
    /// documents) answer `PROCESSING` before it is `READY` (default 1: the upload's answer and
    /// the first read say `PROCESSING`, the second `READY`; 0: ready at the first read). A
    /// document whose file name starts with `fail` becomes `FAILED` instead.
    pub fn set_document_reads_until_ready(&self, reads: u32) {
        self.shared.state().reads_until_ready = reads;
    }

    /// Makes a document `FAILED` now, with `message` as its `errorMessage`. False when no
    /// document has this id.
    pub fn fail_document(&self, id: &str, message: &str) -> bool {
        let mut state = self.shared.state();
        let Some(document) = state.documents.get_mut(id) else { return false };
        document.fail(message);
        true
    }

    /// Adds a session, or replaces the one with the same id: its metadata, and what only
    /// Anam's engine produces (transcript, tool calls, analytics turns, recording). Sessions,
    /// their transcripts, recordings and analytics, and the aggregated analytics are answered
    /// from these. Returns the session's id.
    pub fn insert_session(&self, record: SessionRecord) -> SessionId {
        let id = record.session.id.clone();
        self.shared.state().sessions.insert(record);
        id
    }

    /// Every session the fake holds (inserted, or started by `POST /v1/engine/session`).
    pub fn sessions(&self) -> Vec<SessionRecord> {
        self.shared.state().sessions.iter().cloned().collect()
    }

    /// The concurrency status the fake reports and enforces on `POST /v1/engine/session` (429
    /// at the limit). `active: None` (the default) counts the sessions that have not ended.
    pub fn set_concurrency(&self, concurrency: Concurrency) {
        self.shared.state().concurrency = concurrency;
    }

    /// Every session token the fake issued, oldest first, with the request it answered.
    pub fn issued_session_tokens(&self) -> Vec<IssuedSessionToken> {
        self.shared.state().tokens.clone()
    }

    /// Adds a persona as given (its id, times and fields kept), or replaces the one with the
    /// same id; no checks. Its `avatar`, `voice` and `tools` need only their ids: answers carry
    /// the objects the fake holds under them, and the persona's share links.
    pub fn insert_persona(&self, persona: Persona) {
        self.shared.state().personas.insert(persona);
    }

    /// Creates a persona directly, without HTTP and without checks, not even that its avatar,
    /// voice, LLM and tools exist (for seeding large data sets).
    ///
    /// # Panics
    /// When the request cannot make a persona; every `PersonaCreate` the generated type can hold
    /// does (the fields map onto `Persona`'s).
    pub fn insert(&self, request: PersonaCreate) -> Persona {
        match self.shared.state().insert_persona(request) {
            Ok(persona) => persona,
            Err(problem) => panic!("anam-mock cannot store this persona: {}: {}", problem.path, problem.message),
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

/// Accepts connections until told to stop; stopping aborts every open connection.
async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let router = routes::router(shared.clone());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let (router, shared) = (router.clone(), shared.clone());
                let service = hyper::service::service_fn(move |request| handle(router.clone(), shared.clone(), request));
                connections.spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
                while connections.try_join_next().is_some() {}
            }
        }
    }
}

/// The header every answer of the fake carries, as Anam's gateway would: a fresh id per answer.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// One request: count it in flight, wait the latency, then answer it (the fake's own endpoints
/// under [`OWN_PREFIX`], else a planned fault or the router), and give the answer a request id.
/// The stats endpoints answer at once and are not counted, so that reading them changes nothing.
async fn handle(
    router: axum::Router,
    shared: Arc<Shared>,
    request: hyper::Request<Incoming>,
) -> Result<http::Response<Body>, DropConnection> {
    let path = request.uri().path().to_owned();
    if own::is_stats(&path) {
        return Ok(own::answer(&shared, request.method(), &path, request.uri().query()));
    }
    let _in_flight = shared.in_flight.enter();
    if let Some(latency) = shared.latency {
        tokio::time::sleep(latency).await;
    }
    let mut response = if own::is_own(&path) {
        own::answer(&shared, request.method(), &path, request.uri().query())
    } else {
        answer(router, shared.clone(), request).await?
    };
    let id = format!("req_{}", uuid::Uuid::new_v4().simple());
    if let Ok(value) = http::HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}

/// The answer to one request: a planned fault, or the router's.
async fn answer(
    router: axum::Router,
    shared: Arc<Shared>,
    request: hyper::Request<Incoming>,
) -> Result<http::Response<Body>, DropConnection> {
    let op = Operation::classify(request.method().as_str(), request.uri().path());
    let respond = |request| async { router.oneshot(request).await.unwrap_or_else(|never| match never {}) };
    match shared.admit(op) {
        None => Ok(respond(request).await),
        Some(Fault::Status { status, retry_after }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = reply::error(status, status.canonical_reason().unwrap_or("Injected fault"));
            if let Some(value) = retry_after.and_then(|v| http::HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(http::header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Some(Fault::HtmlPage(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let page = faults::html_page(status.as_u16(), status.canonical_reason().unwrap_or("Error"));
            let mut response = http::Response::new(Body::from(page));
            *response.status_mut() = status;
            response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/html"));
            Ok(response)
        }
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            Ok(respond(request).await)
        }
        Some(Fault::DropBeforeProcessing) => Err(DropConnection),
        Some(Fault::DropAfterProcessing) => {
            drop(respond(request).await);
            Err(DropConnection)
        }
        Some(Fault::TruncatedBody) => {
            let (mut parts, body) = respond(request).await.into_parts();
            let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            parts.headers.remove(http::header::CONTENT_LENGTH);
            Ok(http::Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2))))
        }
    }
}
