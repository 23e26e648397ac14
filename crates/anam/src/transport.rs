//! How one call goes on the wire: headers, per-attempt timeout, retries with backoff and
//! `Retry-After`, tracing, and the mapping of the generated client's errors to [`Error`].
//!
//! Each [`Client`](crate::Client) builds one generated client, whose requests all go through a
//! [`Sender`] (its [`Exec`] hook). A call runs inside a task-local [`Record`] scope: the sender
//! notes there what the last attempt got (status, attempt count, and for an error answer its
//! headers and body), so that errors can carry them even where the generated error type has no
//! room. A successful answer goes to the generated code untouched. Beyond what reqwest and the
//! generated code allocate, a successful call allocates the hook's (small) future and the copy of
//! the request kept for a retry (its URL and headers; none with `max_retries(0)`). The cost is
//! measured by `overhead_ratio` (BENCHMARKS.md).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anam_api::hooks::{Exec, ExecFuture};
use backon::{BackoffBuilder, ExponentialBuilder};
use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Settings;
use crate::error::{ApiError, Error, Result, excerpt, is_retryable_status};

tokio::task_local! {
    /// What the attempts of the current call got; set by [`Transport::run`], filled by [`Sender`].
    static CALL: RefCell<Record>;
}

/// What every call of one client shares: the generated client, wired to a [`Sender`].
pub(crate) struct Transport {
    pub base_url: String,
    pub api: anam_api::Client,
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
    pub(crate) fn new(base_url: String, http: reqwest::Client, auth: HeaderValue, settings: Settings) -> Self {
        let sender = Sender { auth, settings: settings.clone() };
        let api = anam_api::Client::new_with_client(&base_url, http, Some(Arc::new(sender)));
        Transport { base_url, api, settings }
    }

    /// Runs one operation: `send` makes the generated call with the given client; its result is
    /// mapped to this crate's types inside a tracing span. (`send` is a closure rather than the
    /// call's future because a future passed by value is stored twice in this one.)
    pub(crate) async fn run<'a, T, F, Fut>(&'a self, op: Operation, send: F) -> Result<T>
    where
        T: DeserializeOwned,
        F: FnOnce(&'a anam_api::Client) -> Fut,
        Fut: Future<Output = GeneratedResult<T>>,
    {
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
        if span.is_disabled() {
            // Nobody listens: skip the span's bookkeeping.
            return self.call(send).await.0;
        }
        let started = Instant::now();
        let (outcome, record) = self.call(send).instrument(span.clone()).await;
        if let Some(status) = record.status {
            span.record("http.response.status_code", status.as_u16());
        }
        span.record("attempts", record.attempts);
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

    /// Makes the call in a [`Record`] scope and maps its result; returns what the attempts recorded.
    async fn call<'a, T, F, Fut>(&'a self, send: F) -> (Result<T>, Record)
    where
        T: DeserializeOwned,
        F: FnOnce(&'a anam_api::Client) -> Fut,
        Fut: Future<Output = GeneratedResult<T>>,
    {
        let call = async {
            let result = send(&self.api).await;
            let record = CALL.with(RefCell::take);
            let outcome = match finish(result, &record) {
                Finished::Done(outcome) => outcome,
                // Rare (a 2xx the spec does not list): boxed, so it does not grow every call's future.
                Finished::ReadBody(response) => Box::pin(read_unlisted_success(response, record.attempts)).await,
            };
            (outcome, record)
        };
        CALL.scope(RefCell::new(Record::default()), call).await
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
/// the rest of it.
#[derive(Debug, Default)]
struct Record {
    attempts: u32,
    status: Option<StatusCode>,
    error: Option<Box<ErrorAnswer>>,
}

/// An error answer, read whole so that it can go into the [`Error`].
#[derive(Debug, Default)]
struct ErrorAnswer {
    headers: HeaderMap,
    body: Bytes,
    retry_after: Option<Duration>,
}

/// Notes the last attempt in the current call's [`Record`]; outside [`Transport::run`] (a
/// generated client from [`crate::Client::api`]) there is none, and nothing is noted.
fn note(attempts: u32, status: Option<StatusCode>, error: Option<ErrorAnswer>) {
    let _ = CALL.try_with(|cell| *cell.borrow_mut() = Record { attempts, status, error: error.map(Box::new) });
}

/// Sends the requests of one client: headers, timeout, retries. The generated client's hook.
#[derive(Debug)]
struct Sender {
    auth: HeaderValue,
    settings: Settings,
}

impl Exec for Sender {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation_id: &'static str,
    ) -> ExecFuture<'a> {
        self.send(client, request)
    }
}

impl Sender {
    /// Sends the first attempt; a success goes back at once. Anything else (retries, error
    /// answers) goes to [`Self::settle`], boxed, so that it does not grow every call's future.
    /// The request is prepared before the future is made, which keeps the future small.
    fn send<'a>(&'a self, client: &'a reqwest::Client, mut request: reqwest::Request) -> ExecFuture<'a> {
        let settings = &self.settings;
        if settings.caller_http_client {
            let headers = request.headers_mut();
            headers.insert(AUTHORIZATION, self.auth.clone());
            headers.insert(USER_AGENT, settings.user_agent.clone());
            *request.timeout_mut() = Some(settings.timeout);
        }
        // POST creates: it is retried only when the request never reached the server.
        let idempotent = request.method() != Method::POST;
        let spare = if settings.max_retries > 0 { request.try_clone() } else { None };
        let sent = client.execute(request);
        Box::pin(async move {
            match sent.await {
                Ok(response) if response.status().is_success() => {
                    note(1, Some(response.status()), None);
                    Ok(response)
                }
                outcome => Box::pin(self.settle(client, outcome, spare, idempotent)).await,
            }
        })
    }

    /// Retries while the outcome calls for it and attempts remain, then returns the last outcome,
    /// an error answer read whole and noted.
    async fn settle(
        &self,
        client: &reqwest::Client,
        mut outcome: reqwest::Result<reqwest::Response>,
        mut spare: Option<reqwest::Request>,
        idempotent: bool,
    ) -> reqwest::Result<reqwest::Response> {
        let settings = &self.settings;
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(settings.initial_backoff)
            .with_max_delay(settings.max_backoff)
            .with_factor(2.0)
            .without_max_times()
            .build();
        let mut attempts = 1;
        loop {
            let server_wait = match &outcome {
                Ok(response) if !response.status().is_success() => parse_retry_after(response.headers()),
                _ => None,
            };
            let retry = match &outcome {
                Ok(response) => {
                    idempotent
                        && is_retryable_status(response.status())
                        && server_wait.is_none_or(|wait| wait <= settings.max_retry_after)
                }
                Err(error) => error.is_connect() || idempotent,
            };
            let request = match spare.take() {
                Some(request) if retry => request,
                _ => {
                    return match outcome {
                        Ok(response) if response.status().is_success() => {
                            note(attempts, Some(response.status()), None);
                            Ok(response)
                        }
                        Ok(response) => read_error_answer(response, attempts, server_wait).await,
                        Err(error) => {
                            note(attempts, None, None);
                            Err(error)
                        }
                    };
                }
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
            attempts += 1;
            spare = if attempts <= settings.max_retries { request.try_clone() } else { None };
            outcome = client.execute(request).await;
        }
    }
}

/// Reads an error answer whole and notes it, then hands the generated code an identical copy.
async fn read_error_answer(
    response: reqwest::Response,
    attempts: u32,
    retry_after: Option<Duration>,
) -> reqwest::Result<reqwest::Response> {
    let (status, version, headers) = (response.status(), response.version(), response.headers().clone());
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => {
            note(attempts, Some(status), None);
            return Err(error);
        }
    };
    note(attempts, Some(status), Some(ErrorAnswer { headers: headers.clone(), body: body.clone(), retry_after }));
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    Ok(reqwest::Response::from(response))
}

/// The outcome of a call, or an unlisted success whose body must still be read.
enum Finished<T> {
    Done(Result<T>),
    ReadBody(reqwest::Response),
}

/// Maps the generated client's result to this crate's, using what the attempts recorded.
fn finish<T: DeserializeOwned>(result: GeneratedResult<T>, record: &Record) -> Finished<T> {
    use progenitor_client::Error as Gen;
    let error = match result {
        Ok(value) => return Finished::Done(Ok(value.into_inner())),
        Err(error) => error,
    };
    let none = ErrorAnswer::default();
    let api_error = |status: StatusCode| {
        let answer = record.error.as_deref().unwrap_or(&none);
        Error::from(ApiError::from_parts(status, &answer.headers, &answer.body, answer.retry_after, record.attempts))
    };
    Finished::Done(match error {
        Gen::ErrorResponse(response) => Err(api_error(response.status())),
        Gen::UnexpectedResponse(response) if !response.status().is_success() => Err(api_error(response.status())),
        Gen::UnexpectedResponse(response) => return Finished::ReadBody(response),
        Gen::InvalidResponsePayload(body, source) => match record.status {
            Some(status) if status.is_success() && body.iter().all(u8::is_ascii_whitespace) => {
                decode_success(status, &body)
            }
            Some(status) if status.is_success() => Err(Error::Decode { status, excerpt: excerpt(&body, 200), source }),
            Some(status) => Err(api_error(status)),
            None => Err(Error::InvalidRequest(format!("response without a recorded status: {source}"))),
        },
        Gen::CommunicationError(source) | Gen::ResponseBodyError(source) | Gen::InvalidUpgrade(source) => {
            Err(transport_error(source, record.attempts))
        }
        Gen::InvalidRequest(message) | Gen::Custom(message) => Err(Error::InvalidRequest(message)),
    })
}

/// A 2xx the spec did not list for the operation (200 for 201, 204 for 200): read and decoded.
async fn read_unlisted_success<T: DeserializeOwned>(response: reqwest::Response, attempts: u32) -> Result<T> {
    let status = response.status();
    match response.bytes().await {
        Ok(body) => decode_success(status, &body),
        Err(source) => Err(transport_error(source, attempts)),
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
