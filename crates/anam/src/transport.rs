//! How a request goes on the wire: headers, per-attempt timeout, retries with backoff and
//! `Retry-After`.
//!
//! Each [`Client`](crate::Client) builds one generated client, whose requests all go through a
//! [`Sender`] (its [`Exec`] hook). The sender notes what the last attempt got (status, attempt
//! count, and for an error answer its headers and body) in the record of the call being polled
//! ([`crate::call`]), so that errors can carry them even where the generated error type has no
//! room. A successful answer goes to the generated code untouched. Beyond what reqwest and the
//! generated code allocate, a successful call allocates only the copy of the request kept for a
//! retry (its URL and headers, and its body if any; none with `max_retries(0)`). The cost is
//! measured by `overhead_ratio` (BENCHMARKS.md).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anam_api::hooks::{Exec, ExecFuture};
use backon::{BackoffBuilder, ExponentialBuilder};
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};

use crate::call::{ErrorAnswer, note};
use crate::client::Settings;
use crate::error::is_retryable_status;

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

impl Transport {
    pub(crate) fn new(base_url: String, http: reqwest::Client, auth: HeaderValue, settings: Settings) -> Self {
        let sender = Sender { auth, settings: settings.clone() };
        let api = anam_api::Client::new_with_client(&base_url, http, Some(Arc::new(sender)));
        Transport { base_url, api, settings }
    }
}

/// Sends the requests of one client: headers, timeout, retries. The generated client's hook.
#[derive(Debug)]
struct Sender {
    auth: HeaderValue,
    settings: Settings,
}

impl Exec for Sender {
    fn prepare(&self, request: &mut reqwest::Request) -> Option<reqwest::Request> {
        let settings = &self.settings;
        if settings.caller_http_client {
            let headers = request.headers_mut();
            headers.insert(AUTHORIZATION, self.auth.clone());
            headers.insert(USER_AGENT, settings.user_agent.clone());
            *request.timeout_mut() = Some(settings.timeout);
        }
        if settings.max_retries > 0 { copy_for_retry(request) } else { None }
    }

    fn done(&self, outcome: &reqwest::Result<reqwest::Response>) -> bool {
        match outcome {
            Ok(response) if response.status().is_success() => {
                note(1, Some(response.status()), None);
                true
            }
            _ => false,
        }
    }

    fn settle<'a>(
        &'a self,
        client: &'a reqwest::Client,
        outcome: reqwest::Result<reqwest::Response>,
        spare: Option<reqwest::Request>,
    ) -> ExecFuture<'a> {
        Box::pin(self.retry_or_read(client, outcome, spare))
    }
}

impl Sender {
    /// Retries while the outcome calls for it and attempts remain, then returns the last outcome,
    /// an error answer read whole and noted.
    async fn retry_or_read(
        &self,
        client: &reqwest::Client,
        mut outcome: reqwest::Result<reqwest::Response>,
        mut spare: Option<reqwest::Request>,
    ) -> reqwest::Result<reqwest::Response> {
        let settings = &self.settings;
        // POST creates: it is retried only when the request never reached the server. (Without
        // a spare there is no retry, whatever the method.)
        let idempotent = spare.as_ref().is_some_and(|request| request.method() != Method::POST);
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
            spare = if attempts <= settings.max_retries { copy_for_retry(&request) } else { None };
            outcome = client.execute(request).await;
        }
    }
}

/// A copy of `request` to send again, or `None` for a body that cannot be replayed (a stream).
///
/// Like `reqwest::Request::try_clone`, which also allocates an extensions map on every call
/// (reqwest keeps the timeout there, even an absent one). The generated client's requests carry
/// no extension but that timeout, so it is the only one copied.
fn copy_for_retry(request: &reqwest::Request) -> Option<reqwest::Request> {
    let body = match request.body() {
        Some(body) => Some(reqwest::Body::from(Bytes::copy_from_slice(body.as_bytes()?))),
        None => None,
    };
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    *copy.body_mut() = body;
    if let Some(timeout) = request.timeout() {
        *copy.timeout_mut() = Some(*timeout);
    }
    Some(copy)
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
