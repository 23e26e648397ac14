//! How one call goes on the wire: headers, per-attempt timeout, retries with backoff and
//! `Retry-After`, tracing, and the mapping of the generated client's errors to [`Error`].
//!
//! Every call gets its own [`Call`], handed to the generated client as its [`Exec`] hook. The hook
//! sends each attempt and records what the last one got, so that errors can carry the status,
//! the request id, `Retry-After`, the body and the attempt count even where the generated error
//! type has no room for them. A successful answer goes to the generated code untouched.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use anam_api::hooks::{Exec, ExecFuture};
use backon::{BackoffBuilder, ExponentialBuilder};
use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Settings;
use crate::error::{ApiError, Error, Result, excerpt, is_retryable_status};

/// What every call of one client shares.
pub(crate) struct Transport {
    pub base_url: String,
    pub http: reqwest::Client,
    pub auth: HeaderValue,
    pub settings: Settings,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport").field("base_url", &self.base_url).field("settings", &self.settings).finish()
    }
}

/// An operation, as named in traces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation {
    pub id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
}

impl Transport {
    /// A generated client whose requests go through a fresh [`Call`].
    pub(crate) fn api(self: &Arc<Self>, call: Option<Arc<Call>>) -> anam_api::Client {
        let call = call.unwrap_or_else(|| Arc::new(Call::new(self.clone())));
        anam_api::Client::new_with_client(&self.base_url, self.http.clone(), Some(call))
    }

    /// Runs one operation: `send` gets a generated client wired to a new [`Call`]; the result is
    /// mapped to this crate's types inside a tracing span.
    pub(crate) async fn run<T, F, Fut>(self: &Arc<Self>, op: Operation, send: F) -> Result<T>
    where
        T: DeserializeOwned,
        F: FnOnce(anam_api::Client) -> Fut,
        Fut: Future<Output = GeneratedResult<T>>,
    {
        let call = Arc::new(Call::new(self.clone()));
        let span = tracing::info_span!(
            "anam.request",
            operation = op.id,
            http.request.method = op.method,
            url.template = op.path,
            http.response.status_code = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            error.kind = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = send(self.api(Some(call.clone()))).instrument(span.clone()).await;
        let outcome = call.finish(result).await;
        let (status, attempts) = call.outcome();
        if let Some(status) = status {
            span.record("http.response.status_code", status.as_u16());
        }
        span.record("attempts", attempts);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Err(error) = &outcome {
            span.record("error.kind", error_kind(error));
        }
        span.in_scope(|| match &outcome {
            Ok(_) => tracing::debug!("call succeeded"),
            Err(error) => tracing::debug!(%error, "call failed"),
        });
        outcome
    }
}

/// What a generated operation returns.
pub(crate) type GeneratedResult<T> =
    std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<anam_api::types::ApiError>>;

fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::Config(_) => "config",
        Error::Validation(_) => "validation",
        Error::Api(_) => "api",
        Error::Timeout { .. } => "timeout",
        Error::Connection { .. } => "connection",
        Error::Decode { .. } => "decode",
        Error::InvalidRequest(_) => "invalid_request",
    }
}

/// What the last attempt of a call got: its status and attempt count, and for an error answer
/// its headers and body.
#[derive(Debug, Default, Clone)]
pub(crate) struct Record {
    pub attempts: u32,
    pub status: Option<StatusCode>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub retry_after: Option<Duration>,
}

/// One call: the shared transport and the record of its attempts.
#[derive(Debug)]
pub(crate) struct Call {
    transport: Arc<Transport>,
    record: Mutex<Record>,
}

impl Exec for Call {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation_id: &'static str,
    ) -> ExecFuture<'a> {
        Box::pin(self.send(client, request))
    }
}

/// The final answer of a call: a success passed on untouched, or an error answer read whole.
enum Answer {
    Passed(reqwest::Response),
    Read { status: StatusCode, version: reqwest::Version, headers: HeaderMap, body: Bytes },
}

impl Answer {
    async fn read(response: reqwest::Response) -> reqwest::Result<Answer> {
        let (status, version, headers) = (response.status(), response.version(), response.headers().clone());
        let body = response.bytes().await?;
        Ok(Answer::Read { status, version, headers, body })
    }
}

impl Call {
    fn new(transport: Arc<Transport>) -> Self {
        Call { transport, record: Mutex::new(Record::default()) }
    }

    fn record(&self) -> Record {
        self.record.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The final status and the number of attempts, without copying the rest.
    fn outcome(&self) -> (Option<StatusCode>, u32) {
        let record = self.record.lock().unwrap_or_else(PoisonError::into_inner);
        (record.status, record.attempts)
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let settings = &self.transport.settings;
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.transport.auth.clone());
        headers.insert(USER_AGENT, settings.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        *request.timeout_mut() = Some(settings.timeout);
        // POST creates: it is retried only when the request never reached the server.
        let idempotent = request.method() != Method::POST;
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(settings.initial_backoff)
            .with_max_delay(settings.max_backoff)
            .with_factor(2.0)
            .without_max_times()
            .build();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let spare = if attempts <= settings.max_retries { request.try_clone() } else { None };
            let outcome = client.execute(request).await;
            let server_wait = outcome.as_ref().ok().and_then(|response| parse_retry_after(response.headers()));
            let retry = match &outcome {
                Ok(response) => {
                    idempotent
                        && is_retryable_status(response.status())
                        && server_wait.is_none_or(|wait| wait <= settings.max_retry_after)
                }
                Err(error) => error.is_connect() || idempotent,
            };
            let Some(next) = spare.filter(|_| retry) else {
                return self.settle(outcome, attempts, server_wait).await;
            };
            let (wait, reason) = match outcome {
                Ok(response) => {
                    let reason = response.status().to_string();
                    let _ = response.bytes().await; // read it, so the connection can be reused
                    (server_wait.unwrap_or_else(|| jitter(backoff.next())), reason)
                }
                Err(error) => (jitter(backoff.next()), transport_reason(&error)),
            };
            tracing::info!(attempt = attempts, wait_ms = wait.as_millis() as u64, %reason, "retrying");
            tokio::time::sleep(wait).await;
            request = next;
        }
    }

    /// Records the last attempt. A success goes to the generated code untouched; an error
    /// answer is read whole, so its status, headers and body can go into the [`Error`].
    async fn settle(
        &self,
        outcome: reqwest::Result<reqwest::Response>,
        attempts: u32,
        server_wait: Option<Duration>,
    ) -> reqwest::Result<reqwest::Response> {
        let answer = match outcome {
            Ok(response) if !response.status().is_success() => Answer::read(response).await,
            other => other.map(Answer::Passed),
        };
        let mut record = self.record.lock().unwrap_or_else(PoisonError::into_inner);
        record.attempts = attempts;
        record.retry_after = server_wait;
        match answer? {
            Answer::Passed(response) => {
                record.status = Some(response.status());
                Ok(response)
            }
            Answer::Read { status, version, headers, body } => {
                record.status = Some(status);
                record.headers = headers.clone();
                record.body = body.clone();
                let mut response = http::Response::new(body);
                *response.status_mut() = status;
                *response.version_mut() = version;
                *response.headers_mut() = headers;
                Ok(reqwest::Response::from(response))
            }
        }
    }

    /// Maps the generated client's result to this crate's, using what the attempts recorded.
    async fn finish<T: DeserializeOwned>(&self, result: GeneratedResult<T>) -> Result<T> {
        use progenitor_client::Error as Gen;
        let error = match result {
            Ok(value) => return Ok(value.into_inner()),
            Err(error) => error,
        };
        let record = self.record();
        let api_error = |status: StatusCode| {
            Error::from(ApiError::from_parts(
                status,
                &record.headers,
                &record.body,
                record.retry_after,
                record.attempts,
            ))
        };
        match error {
            Gen::ErrorResponse(response) => Err(api_error(response.status())),
            Gen::UnexpectedResponse(response) if !response.status().is_success() => Err(api_error(response.status())),
            Gen::UnexpectedResponse(response) => {
                let status = response.status();
                match response.bytes().await {
                    Ok(body) => decode_success(status, &body),
                    Err(source) => Err(transport_error(source, record.attempts)),
                }
            }
            Gen::InvalidResponsePayload(body, source) => match record.status {
                Some(status) if status.is_success() && body.iter().all(u8::is_ascii_whitespace) => {
                    decode_success(status, &body)
                }
                Some(status) if status.is_success() => {
                    Err(Error::Decode { status, excerpt: excerpt(&body, 200), source })
                }
                Some(status) => Err(api_error(status)),
                None => Err(Error::InvalidRequest(format!("response without a recorded status: {source}"))),
            },
            Gen::CommunicationError(source) | Gen::ResponseBodyError(source) | Gen::InvalidUpgrade(source) => {
                Err(transport_error(source, record.attempts))
            }
            Gen::InvalidRequest(message) | Gen::Custom(message) => Err(Error::InvalidRequest(message)),
        }
    }
}

/// A failure below HTTP: a timeout, or any other connection problem.
fn transport_error(source: reqwest::Error, attempts: u32) -> Error {
    let attempts = attempts.max(1);
    if source.is_timeout() { Error::Timeout { attempts, source } } else { Error::Connection { attempts, source } }
}

/// A 2xx the spec did not list (200 for 201, 204 for 200) or an empty body: an empty body reads
/// as `{}`, anything else must have the documented shape.
fn decode_success<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|source| Error::Decode { status, excerpt: excerpt(body, 200), source })
}

/// Shortens a backoff delay by up to 25 % at random, so clients that failed together do not
/// retry together, without ever exceeding the configured maximum.
fn jitter(delay: Option<Duration>) -> Duration {
    let delay = delay.unwrap_or_default();
    // `try_from`: a configured delay near `Duration::MAX` must not panic on the way.
    Duration::try_from_secs_f64(delay.as_secs_f64() * (1.0 - 0.25 * fastrand::f64())).unwrap_or(delay)
}

fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timeout".into()
    } else if error.is_connect() {
        "connect failed".into()
    } else {
        "connection error".into()
    }
}

/// The server's requested wait: `retry-after-ms`, then `Retry-After` as seconds or an HTTP date.
/// Anything unparseable or absurd counts as absent; nothing here can panic.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::trim);
    let seconds = |value: f64| Duration::try_from_secs_f64(value).ok();
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return seconds(ms / 1000.0);
    }
    let value = text(RETRY_AFTER.as_str())?;
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_milliseconds() {
        assert_eq!(parse_retry_after(&headers(&[("retry-after", "2")])), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(&headers(&[("retry-after", " 1.5 ")])), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after(&headers(&[("retry-after-ms", "250")])), Some(Duration::from_millis(250)));
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = parse_retry_after(&headers(&[("retry-after", &soon)])).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30), "{wait:?}");
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&headers(&[("retry-after", &past)])), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_ignores_garbage_without_panicking() {
        for bad in ["soon", "-1", "NaN", "inf", "1e400", "99999999999999999999999", ""] {
            assert_eq!(parse_retry_after(&headers(&[("retry-after", bad)])), None, "{bad}");
        }
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn jitter_survives_extreme_delays() {
        assert!(jitter(Some(Duration::MAX)) <= Duration::MAX);
        assert_eq!(jitter(None), Duration::ZERO);
    }

    #[test]
    fn jitter_never_exceeds_the_delay_and_takes_at_most_a_quarter() {
        for _ in 0..1000 {
            let d = jitter(Some(Duration::from_secs(8)));
            assert!(d <= Duration::from_secs(8) && d >= Duration::from_secs(6), "{d:?}");
        }
    }
}
