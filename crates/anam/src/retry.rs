//! When a call is tried again, and after how long: [`RetryConfig`].

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anam_api::Operation;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// What one failed attempt tells the retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The request provably never reached the server: the connection was not made.
    NotSent,
    /// The request was sent and no whole answer came back (a reset, a timeout, a body cut off or
    /// stalled): the server may have acted on it.
    Unanswered,
    /// The server answered this status, asking to wait this long (`Retry-After`), if it did.
    Answered(StatusCode, Option<Duration>),
    /// Trying again cannot help (a body over the size limit, a body that is not the documented
    /// shape, a request the client could not build).
    Final,
}

/// Retry settings, a plain value: which failures are retried, the backoff between attempts, and
/// how a server's `Retry-After` is honoured.
///
/// - A request that never reached the server is retried, whatever the operation.
/// - Reads, updates and deletes are also retried on timeouts, resets, cut-off bodies and the
///   statuses 408, 429 and 5xx. A create (`POST`) is not: the server may have created it.
/// - The wait is the server's `Retry-After` (or `retry-after-ms`) when it sent one; a wait above
///   [`max_retry_after`](Self::max_retry_after) is not waited for: the error is returned at once,
///   with [`Error::retry_after`](crate::Error::retry_after) set.
/// - Otherwise the wait is `initial_backoff`, doubling on each retry, at most `max_backoff`, then
///   shortened by up to 25 % at random, so that clients that failed together spread out.
///
/// ```
/// use std::time::Duration;
///
/// let retry = anam::RetryConfig::default().max_retries(4).initial_backoff(Duration::from_millis(100));
/// let client = anam::Client::builder().api_key("sk-test").retry(retry).build().unwrap();
/// # drop(client);
/// assert_eq!(anam::RetryConfig::disabled().max_retries, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after the first attempt (0 turns retries off). Default 2.
    pub max_retries: u32,
    /// The first backoff delay. Default 0.5 s.
    pub initial_backoff: Duration,
    /// The longest backoff delay. Default 8 s.
    pub max_backoff: Duration,
    /// The longest `Retry-After` waited for. Default 60 s.
    pub max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        RetryConfig { max_retries: 0, ..RetryConfig::default() }
    }

    /// Sets [`max_retries`](Self::max_retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets [`initial_backoff`](Self::initial_backoff).
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Sets [`max_backoff`](Self::max_backoff).
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Sets [`max_retry_after`](Self::max_retry_after).
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// How long to wait before trying again after `attempts` attempts, the last of which ended in
    /// `failure`, or `None` to give up. `idempotent` says whether repeating the request is safe
    /// once the server may have received it (true for everything but a create).
    pub fn should_retry(&self, failure: Failure, idempotent: bool, attempts: u32) -> Option<Duration> {
        if attempts > self.max_retries {
            return None;
        }
        match failure {
            Failure::NotSent => Some(self.backoff(attempts)),
            Failure::Unanswered if idempotent => Some(self.backoff(attempts)),
            Failure::Answered(status, wait) if idempotent && is_retryable_status(status) => match wait {
                Some(wait) if wait > self.max_retry_after => None,
                Some(wait) => Some(wait),
                None => Some(self.backoff(attempts)),
            },
            _ => None,
        }
    }

    /// The backoff before retry number `retry` (from 1): doubling from `initial_backoff`, at most
    /// `max_backoff`, shortened by up to 25 % at random.
    pub fn backoff(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(63);
        let delay = self.initial_backoff.saturating_mul(1u32 << doublings.min(31)).min(self.max_backoff);
        // `try_from`: near `Duration::MAX` the float product can round above it.
        Duration::try_from_secs_f64(delay.as_secs_f64() * (1.0 - 0.25 * fastrand::f64())).unwrap_or(delay)
    }
}

/// A retry about to happen, as an observer given to
/// [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry) sees it: for metrics, or for a
/// program that slows all its work down when the server asks one call to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryEvent {
    /// The operation being retried.
    pub operation: Operation,
    /// The attempt that failed (from 1).
    pub attempt: u32,
    /// How long the SDK waits before the next attempt.
    pub wait: Duration,
    /// The status of the failed attempt, when the server answered.
    pub status: Option<StatusCode>,
    /// The server's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

/// What [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry) keeps: called before each
/// retry's wait.
pub(crate) type RetryObserver = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// Whether a status is worth another attempt: 408, 429 and 5xx.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The wait a server asks for: `retry-after-ms` (milliseconds), else `Retry-After` (seconds or an
/// HTTP date). A header that is not a number or a date is ignored, so a malformed one does not
/// hide the other; a number too large for a `Duration` is the longest `Duration`, so that it is
/// over any limit rather than absent.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(seconds) {
        return Some(ms / 1000);
    }
    let value = text(RETRY_AFTER.as_str())?;
    if let Some(wait) = seconds(value) {
        return Some(wait);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// A non-negative decimal number (`2`, `1.5`) as that many seconds, saturating.
fn seconds(text: &str) -> Option<Duration> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let well_formed =
        digits > 0 && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') && text.matches('.').count() <= 1;
    if !well_formed {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    Some(Duration::try_from_secs_f64(value).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
    fn retry_after_ignores_garbage_and_saturates_huge_numbers() {
        for bad in ["soon", "-1", "NaN", "inf", "1e3", "1.2.3", "", "."] {
            assert_eq!(parse_retry_after(&headers(&[("retry-after", bad)])), None, "{bad}");
        }
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
        for huge in ["99999999999999999999999", "18446744073709551616"] {
            assert_eq!(parse_retry_after(&headers(&[("retry-after", huge)])), Some(Duration::MAX), "{huge}");
        }
    }

    #[test]
    fn a_malformed_retry_after_ms_does_not_hide_retry_after() {
        let both = headers(&[("retry-after-ms", "soon"), ("retry-after", "3")]);
        assert_eq!(parse_retry_after(&both), Some(Duration::from_secs(3)));
    }

    #[test]
    fn a_huge_retry_after_is_not_retried_at_once() {
        let config = RetryConfig::default();
        let wait = parse_retry_after(&headers(&[("retry-after", "99999999999999999999999")]));
        assert_eq!(config.should_retry(Failure::Answered(StatusCode::SERVICE_UNAVAILABLE, wait), true, 1), None);
        let ok = Some(Duration::from_secs(3));
        assert_eq!(config.should_retry(Failure::Answered(StatusCode::TOO_MANY_REQUESTS, ok), true, 1), ok);
    }

    #[test]
    fn what_is_retried() {
        let config = RetryConfig::default();
        let status = |code| Failure::Answered(StatusCode::from_u16(code).unwrap(), None);
        assert!(config.should_retry(Failure::NotSent, false, 1).is_some(), "never sent: safe even for a create");
        assert!(config.should_retry(Failure::Unanswered, true, 1).is_some());
        assert!(config.should_retry(Failure::Unanswered, false, 1).is_none(), "a create may have happened");
        assert!(config.should_retry(status(503), true, 2).is_some());
        assert!(config.should_retry(status(503), true, 3).is_none(), "2 retries = 3 attempts");
        assert!(config.should_retry(status(503), false, 1).is_none());
        for code in [301, 400, 401, 404, 409] {
            assert!(config.should_retry(status(code), true, 1).is_none(), "{code}");
        }
        assert!(config.should_retry(Failure::Final, true, 1).is_none());
        assert!(RetryConfig::disabled().should_retry(Failure::NotSent, true, 1).is_none());
    }

    #[test]
    fn backoff_doubles_is_capped_even_at_first_and_never_panics() {
        let config = RetryConfig::default().initial_backoff(Duration::from_secs(1)).max_backoff(Duration::from_secs(3));
        for _ in 0..200 {
            let first = config.backoff(1);
            assert!(first <= Duration::from_secs(1) && first >= Duration::from_millis(750), "{first:?}");
            let second = config.backoff(2);
            assert!(second <= Duration::from_secs(2) && second >= Duration::from_millis(1500), "{second:?}");
            assert!(config.backoff(9) <= Duration::from_secs(3));
        }
        let capped =
            RetryConfig::default().initial_backoff(Duration::from_secs(20)).max_backoff(Duration::from_secs(8));
        assert!(capped.backoff(1) <= Duration::from_secs(8), "a first backoff above the maximum is capped");
        let extreme = RetryConfig::default().initial_backoff(Duration::MAX).max_backoff(Duration::MAX);
        assert!(extreme.backoff(u32::MAX) <= Duration::MAX);
    }
}
