//! Everything the fake holds, behind one lock: one [`Collection`] per resource, and the few
//! things only Anam produces that tests set (the concurrency status, how documents move on).

use std::collections::{HashMap, HashSet};

use anam_api::Secret;
use anam_api::types::{KnowledgeGroup, MeetingInvite, Persona, PersonaShareLink};

use crate::catalog::Catalog;
use crate::collection::Collection;
use crate::knowledge::Document;
use crate::sessions::SessionRecord;
use crate::tokens::IssuedSessionToken;

/// The organisation the fake's API key belongs to: the `createdByOrganizationId` of what it
/// creates and the `organizationId` of its sessions and share links.
pub const ORGANIZATION_ID: &str = "6f1d3c2a-9b7e-4f10-8a55-0c1e2d3f4a5b";

/// The id of the fake's API key, as sessions name it (`apiKeyId`); not the key itself.
pub const API_KEY_ID: &str = "0b8e3f4c-5d6a-4e7b-9c8d-1a2b3c4d5e6f";

/// The concurrency status `GET /v1/sessions/concurrency` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    /// The plan's limit of concurrent sessions (default 10, the documented example).
    pub limit: i64,
    /// The sessions in use; `None` counts the sessions the fake holds that have not ended.
    pub active: Option<i64>,
}

impl Default for Concurrency {
    fn default() -> Self {
        Concurrency { limit: 10, active: None }
    }
}

/// What the fake holds.
#[derive(Debug)]
pub(crate) struct State {
    pub personas: Collection<Persona>,
    pub catalog: Catalog,
    pub share_links: Collection<PersonaShareLink>,
    pub invites: Collection<MeetingInvite>,
    pub groups: Collection<KnowledgeGroup>,
    pub documents: Collection<Document>,
    pub sessions: Collection<SessionRecord>,
    pub tokens: Vec<IssuedSessionToken>,
    /// The audio keys the presigned upload handed out, which a voice clone may name.
    pub audio_keys: HashSet<String>,
    /// The LLMs' upstream credentials, by LLM id: write-only in the API, readable by a test.
    pub llm_secrets: HashMap<String, Secret>,
    pub concurrency: Concurrency,
    /// How many reads a new document answers `PROCESSING` to before it is `READY`.
    pub reads_until_ready: u32,
    /// The fake's own address (`http://127.0.0.1:PORT`), where its download URLs point.
    pub base_url: String,
}

impl Default for State {
    fn default() -> Self {
        State {
            personas: Collection::default(),
            catalog: Catalog::stock(),
            share_links: Collection::default(),
            invites: Collection::default(),
            groups: Collection::default(),
            documents: Collection::default(),
            sessions: Collection::default(),
            tokens: Vec::new(),
            audio_keys: HashSet::new(),
            llm_secrets: HashMap::new(),
            concurrency: Concurrency::default(),
            reads_until_ready: 1,
            base_url: String::new(),
        }
    }
}

impl State {
    /// The sessions in use now: the count a test set, or the sessions that have not ended.
    pub fn active_sessions(&self) -> i64 {
        self.concurrency.active.unwrap_or_else(|| {
            let running = self.sessions.iter().filter(|s| s.session.end_time.is_none()).count();
            i64::try_from(running).unwrap_or(i64::MAX)
        })
    }
}

/// A new UUID, as every id the fake makes.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Now, for timestamps.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
