//! What happened in sessions, and their live state: transcripts, recordings, per-session and
//! aggregated analytics, stopping a session, and the plan's concurrency. The session list and
//! get are the generic handle's (`client.sessions()`); tokens are in `sessions.rs`.

use std::time::Duration;

use anam_api::facts::PERIODS;
use anam_api::types::{
    AggregatedSessionAnalytics, ConcurrencyStatus, SessionAnalytics, SessionTranscript, SessionType,
};
use anam_api::{Operation, Secret, resources};
use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::error::{Result, ValidationError};
use crate::ids::{PersonaId, SessionId};
use crate::resource::Resource;

/// How long a recording URL lasts, as Anam documents it ("expires in 1 hour").
pub const RECORDING_URL_LIFETIME: Duration = Duration::from_secs(3600);

/// The longest period aggregated analytics cover, as Anam documents it ("at most 31 days"; the
/// spec's `x-anam-period`, which `Client::send` checks too).
pub const LONGEST_ANALYTICS_PERIOD: Duration = longest_analytics_period();

/// [`LONGEST_ANALYTICS_PERIOD`], read from the spec's periods.
const fn longest_analytics_period() -> Duration {
    let mut i = 0;
    while i < PERIODS.len() {
        if matches!(PERIODS[i].operation, Operation::GetAggregatedSessionAnalytics) {
            return Duration::from_secs(PERIODS[i].max_days * 24 * 3600);
        }
        i += 1;
    }
    Duration::MAX
}

/// A session's recording: a presigned URL (a [`Secret`]: whoever holds it can watch the
/// session) and when it stops working (an hour after it was fetched).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Recording {
    /// The presigned URL of the recording.
    pub url: Secret,
    /// When the URL was fetched.
    pub fetched_at: DateTime<Utc>,
    /// When it expires: [`RECORDING_URL_LIFETIME`] after it was fetched.
    pub expires_at: DateTime<Utc>,
}

/// The period and filters of aggregated session analytics. Anam's defaults: the 24 hours
/// before `to`, which defaults to now.
///
/// ```
/// use chrono::{Duration, Utc};
///
/// let week = anam::SessionAnalyticsQuery::between(Utc::now() - Duration::days(7), Utc::now()).client_label("web");
/// assert!(week.check().is_ok());
/// let year = anam::SessionAnalyticsQuery::between(Utc::now() - Duration::days(365), Utc::now());
/// assert_eq!(year.check().unwrap_err().field, "from");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionAnalyticsQuery {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    persona: Option<PersonaId>,
    api_key_id: Option<String>,
    client_label: Option<String>,
    session_type: Option<SessionType>,
}

impl SessionAnalyticsQuery {
    /// The server's default period: the last 24 hours.
    pub fn new() -> Self {
        Self::default()
    }

    /// The sessions that started between `from` and `to` (at most 31 days apart).
    pub fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        SessionAnalyticsQuery { from: Some(from), to: Some(to), ..Self::default() }
    }

    /// Only the sessions of this persona.
    pub fn persona(mut self, persona: impl Into<PersonaId>) -> Self {
        self.persona = Some(persona.into());
        self
    }

    /// Only the sessions started with this API key (its id).
    pub fn api_key_id(mut self, id: impl Into<String>) -> Self {
        self.api_key_id = Some(id.into());
        self
    }

    /// Only the sessions with exactly this client label.
    pub fn client_label(mut self, label: impl Into<String>) -> Self {
        self.client_label = Some(label.into());
        self
    }

    /// Only sessions of this type.
    pub fn session_type(mut self, session_type: impl Into<SessionType>) -> Self {
        self.session_type = Some(session_type.into());
        self
    }

    /// Checks the period as `Client::send` does (the spec's `x-anam-period`): `from` before
    /// `to`, at most 31 days before it; `to` unset is now, by this machine's clock.
    pub fn check(&self) -> Result<(), ValidationError> {
        anam_api::call::check_period(Operation::GetAggregatedSessionAnalytics, self.from.as_ref(), self.to.as_ref())
    }
}

impl Resource<resources::Session> {
    /// A session's transcript (`GET /v1/sessions/{id}/transcript`): every message, whole (not
    /// paged). Messages come in the order of their timestamps; untimed ones keep Anam's order.
    /// A session without transcripts (disabled, or zero data retention) answers 404.
    pub fn transcript(&self, id: impl Into<SessionId>) -> BoxFuture<'static, Result<SessionTranscript>> {
        let (client, id) = (self.client().clone(), id.into());
        async move {
            let mut transcript = client.send(client.api().get_session_transcript().id(id)).await?;
            if let Some(messages) = transcript.messages.as_mut()
                && messages.iter().all(|m| m.timestamp.is_some())
            {
                messages.sort_by_key(|m| m.timestamp);
            }
            Ok(transcript)
        }
        .boxed()
    }

    /// Where to watch a session's recording (`GET /v1/sessions/{id}/recording`), with when the
    /// URL expires.
    pub fn recording(&self, id: impl Into<SessionId>) -> BoxFuture<'static, Result<Recording>> {
        let (client, id) = (self.client().clone(), id.into());
        async move {
            let answer = client.send(client.api().get_session_recording().id(id)).await?;
            let fetched_at = Utc::now();
            let lifetime = chrono::Duration::from_std(RECORDING_URL_LIFETIME).unwrap_or(chrono::Duration::zero());
            Ok(Recording { url: answer.recording_url, fetched_at, expires_at: fetched_at + lifetime })
        }
        .boxed()
    }

    /// A session's analytics (`GET /v1/sessions/{id}/analytics`), with each turn's messages
    /// when `with_messages` (and transcripts were on). They exist only once the session has
    /// ended and its report has arrived: before that Anam answers 404.
    pub fn analytics(
        &self,
        id: impl Into<SessionId>,
        with_messages: bool,
    ) -> BoxFuture<'static, Result<SessionAnalytics>> {
        let (client, id) = (self.client().clone(), id.into());
        async move { client.send(client.api().get_session_analytics().id(id).include_messages(with_messages)).await }
            .boxed()
    }

    /// Analytics over many sessions (`GET /v1/sessions/analytics`): counts, latencies, rates
    /// and the slowest turns of the sessions `query` selects. At most the 1000 most recent
    /// sessions with a report are aggregated (`truncated` says when there were more).
    pub fn aggregated_analytics(
        &self,
        query: SessionAnalyticsQuery,
    ) -> BoxFuture<'static, Result<AggregatedSessionAnalytics>> {
        let client = self.client().clone();
        async move {
            query.check()?;
            let mut call = client.api().get_aggregated_session_analytics();
            if let Some(from) = query.from {
                call = call.from(from);
            }
            if let Some(to) = query.to {
                call = call.to(to);
            }
            if let Some(persona) = query.persona {
                call = call.persona_id(persona);
            }
            if let Some(id) = query.api_key_id {
                call = call.api_key_id(id);
            }
            if let Some(label) = query.client_label {
                call = call.client_label(label);
            }
            if let Some(session_type) = query.session_type {
                call = call.session_type(session_type);
            }
            client.send(call).await
        }
        .boxed()
    }

    /// Stops a session (`POST /v1/sessions/{id}/stop`). The engine stops it at once but the
    /// session's end time, exit status and report arrive shortly after, so a get right away may
    /// still show it active.
    pub fn stop(&self, id: impl Into<SessionId>) -> BoxFuture<'static, Result<()>> {
        let (client, id) = (self.client().clone(), id.into());
        async move { client.send(client.api().stop_session().id(id)).await.map(drop) }.boxed()
    }

    /// How many sessions run now and how many the plan allows (`GET /v1/sessions/concurrency`).
    /// A pre-check only: minting a token or starting a session can still fail with
    /// [`Error::is_concurrency_limit`](crate::Error::is_concurrency_limit).
    pub fn concurrency(&self) -> BoxFuture<'static, Result<ConcurrencyStatus>> {
        let client = self.client().clone();
        async move { client.send(client.api().get_session_concurrency()).await }.boxed()
    }
}
