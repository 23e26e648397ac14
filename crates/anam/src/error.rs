//! The one error type of the SDK, what it carries, and how it classifies what went wrong.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, LOCATION};

pub use anam_api::ValidationError;
pub(crate) use anam_api::invalid::one_line;

use crate::redact::{Redactor, without_quoted_input};

/// The result type of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling the Anam API.
///
/// `Display` says what happened on one line, at most a few hundred characters, with any control
/// character from the server escaped, e.g. `404 Not Found: Persona not found`. It does not repeat
/// the text of [`std::error::Error::source`], so `anyhow` and `eyre` print each cause once.
///
/// No variant holds a secret, in `Display` or `Debug`: not the API key, not a `Bearer` value a
/// server echoes (both masked in every text, server messages included), and no text of an answer
/// whose schema holds a [`Secret`](crate::Secret) (a decode error of a session token says where
/// it failed, not what it read).
///
/// ```
/// # async fn demo(client: anam::Client) {
/// match client.personas().get("no-such-id").await {
///     Ok(persona) => println!("found {}", persona.id),
///     Err(e) if e.is_not_found() => println!("no such persona"),
///     Err(e) if e.is_concurrency_limit() => println!("every session slot is taken: {e}"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => println!("failed: {e} (request id {:?})", e.request_id()),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (a missing API key, a bad base URL, ...). Nothing was sent.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A value failed the SDK's own checks before anything was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The server answered with a status that is not a success (an error, or a redirect, which
    /// the SDK never follows).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// An attempt took longer than the configured timeout (after every allowed retry).
    #[error("{}", transport_text("request to", " timed out", .source, *.attempts))]
    Timeout {
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed: refused, reset, DNS, TLS, or the body was cut off.
    #[error("{}", transport_text("cannot reach", &cause(.source), .source, *.attempts))]
    Connection {
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The response body was larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)); the
    /// rest of it was not read.
    #[error("the response body is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A successful response whose body does not have the documented shape.
    #[error(transparent)]
    Decode(DecodeError),
    /// A paged listing stopped because the server's pages do not add up: it answered another
    /// page than the one asked for, or a page holding only items it had already sent.
    #[error("paging stopped: {}", one_line(.0, 200))]
    Paging(String),
    /// The generated client refused to build the request (a required field was not set), or
    /// a file to upload could not be read.
    #[error("invalid request: {}", one_line(.0, 200))]
    InvalidRequest(String),
    /// A knowledge document did not become ready: processing failed, or did not end in time
    /// ([`Resource::wait_until_processed`](crate::Resource::wait_until_processed)).
    #[error(transparent)]
    Processing(Box<crate::knowledge::ProcessingError>),
}

/// A limit of the account that an answer says was reached, as [`Error::limit`] reads it.
///
/// Anam documents none of these answers for most operations; the SDK reads them as Anam's own
/// Python SDK does: 402 means no active plan, and a 429 is told apart by its error text
/// (`Concurrent session limit reached`, `Spend cap reached`, `Usage limit ...`). A 429 with
/// another text is [`Limit::Requests`]; a 403 whose text names a plan is [`Limit::NotOnPlan`].
/// The texts are guessed from Anam's SDK, not documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// 402: the organisation has no active plan.
    NoPlan,
    /// 403 naming a plan: the feature is not part of the organisation's plan.
    NotOnPlan,
    /// 429: every concurrent-session slot of the plan is in use.
    ConcurrentSessions,
    /// 429: the organisation's spend cap was reached.
    SpendCap,
    /// 429: a usage limit of the plan was reached.
    UsageLimit,
    /// 429 for another reason: too many requests; try again later.
    Requests,
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        self.as_api().map(|api| api.status)
    }

    /// The request id the server sent with an error answer (`x-request-id` or `request-id`),
    /// for a support ticket or a log line.
    pub fn request_id(&self) -> Option<&str> {
        self.as_api().and_then(ApiError::request_id)
    }

    /// Whether the server said the resource does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the server refused the API key (401).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// Whether the key may not do this (403): a missing permission, or a feature not on the plan.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(StatusCode::FORBIDDEN)
    }

    /// Whether the server answered 429, for any reason ([`Error::limit`] says which).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether every concurrent-session slot of the plan is in use ([`Limit::ConcurrentSessions`]).
    pub fn is_concurrency_limit(&self) -> bool {
        self.limit() == Some(Limit::ConcurrentSessions)
    }

    /// Whether the plan stands in the way: none active, a feature not on it, its spend cap or a
    /// usage limit reached ([`Limit::NoPlan`], [`Limit::NotOnPlan`], [`Limit::SpendCap`],
    /// [`Limit::UsageLimit`]).
    pub fn is_plan_limit(&self) -> bool {
        matches!(self.limit(), Some(Limit::NoPlan | Limit::NotOnPlan | Limit::SpendCap | Limit::UsageLimit))
    }

    /// Which limit of the account the answer says was reached, if any (see [`Limit`] for how
    /// it is read).
    pub fn limit(&self) -> Option<Limit> {
        let api = self.as_api()?;
        let text = api.message().to_lowercase();
        match api.status.as_u16() {
            402 => Some(Limit::NoPlan),
            403 if text.contains("plan") => Some(Limit::NotOnPlan),
            429 if text.contains("concurren") => Some(Limit::ConcurrentSessions),
            429 if text.contains("spend cap") => Some(Limit::SpendCap),
            429 if text.contains("usage limit") => Some(Limit::UsageLimit),
            429 => Some(Limit::Requests),
            _ => None,
        }
    }

    /// Whether trying again later may succeed: timeouts, connection failures, 408, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connection { .. } => true,
            Error::Api(api) => crate::retry::is_retryable_status(api.status),
            _ => false,
        }
    }

    /// How long the server asked us to wait (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api().and_then(|api| api.retry_after)
    }

    /// The API error, when the server answered with an error status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }
}

/// What kind of misconfiguration a [`ConfigError`] is, for a program (a CLI, say) that gives
/// its own advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// No API key was given, in `ANAM_API_KEY` or explicitly.
    MissingApiKey,
    /// The API key holds characters that cannot go in an HTTP header.
    InvalidApiKey,
    /// The base URL is not a URL the client can use.
    InvalidBaseUrl,
    /// The base URL is plain `http` to a host that is not loopback.
    InsecureBaseUrl,
    /// Another setting is out of range (a zero timeout, a bad user agent, ...).
    InvalidSetting,
}

/// A client that cannot be built: what is wrong and what to do, on one line. It never holds the
/// API key, nor a password of the base URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {message}")]
#[non_exhaustive]
pub struct ConfigError {
    /// What kind of problem it is.
    pub kind: ConfigErrorKind,
    /// What is wrong and what to change.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, message: impl Into<String>) -> Self {
        ConfigError { kind, message: message.into() }
    }
}

/// A successful answer whose body does not have the documented shape: what failed, where, and
/// how long the body was. It never holds the decoder's raw error, which can quote the input.
///
/// For an operation whose answer holds a [`Secret`](crate::Secret) (a session token, a
/// share-link token, a signed URL, a tool's credentials), nothing of the body is kept: the
/// message has every quoted piece of input elided, and there is no excerpt. For other
/// operations the first 200 bytes are kept as an excerpt, with credential-like values masked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation whose answer it was (`createSessionToken`).
    pub operation: &'static str,
    /// What the decoder said, without the position (and, for a secret-bearing answer, without
    /// any input it quoted).
    pub message: String,
    /// The line (from 1) where decoding failed; 0 when unknown.
    pub line: usize,
    /// The column (from 1) where decoding failed; 0 when unknown.
    pub column: usize,
    /// The body's length in bytes.
    pub body_len: usize,
    /// The start of the body, masked; `None` for an answer that holds a secret.
    pub excerpt: Option<String>,
    /// Whether the body stopped early (a cut-off answer, which a retry may mend).
    pub is_eof: bool,
}

impl DecodeError {
    /// The error for a `body` of `operation` that serde could not decode.
    pub(crate) fn new(
        operation: anam_api::Operation,
        body: &[u8],
        error: &serde_json::Error,
        redactor: &Redactor,
    ) -> Self {
        let text = error.to_string();
        let message = match text.rfind(" at line ") {
            Some(at) if error.line() > 0 => text[..at].to_string(),
            _ => text,
        };
        let secret = operation.answer_holds_secret();
        let message = if secret { without_quoted_input(&message) } else { redactor.mask(&message) };
        let excerpt = (!secret).then(|| redactor.mask(&excerpt(body, 200)));
        DecodeError {
            operation: operation.id(),
            message,
            line: error.line(),
            column: error.column(),
            body_len: body.len(),
            excerpt,
            is_eof: error.is_eof(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot decode the answer of {} ({} bytes): {}",
            self.operation,
            self.body_len,
            one_line(&self.message, 160)
        )?;
        if self.line > 0 {
            write!(f, " at line {} column {}", self.line, self.column)?;
        }
        match &self.excerpt {
            Some(excerpt) => write!(f, "; it starts: {}", one_line(excerpt, 120)),
            None => f.write_str(" (it holds a secret, so none of it is shown)"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// `request to https://api.anam.ai/v1/personas timed out (3 attempts)`: what happened, to
/// which URL (without its query), after how many attempts.
fn transport_text(what: &str, happened: &str, source: &reqwest::Error, attempts: u32) -> String {
    let url = source.url().map(|url| {
        let mut url = url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.to_string()
    });
    let url = url.map_or_else(|| "the API".to_owned(), |u| one_line(&u, 120));
    let tries = if attempts == 1 { "1 attempt".to_owned() } else { format!("{attempts} attempts") };
    format!("{what} {url}{happened} ({tries})")
}

/// Why a connection failed, in a few words: refused, reset, DNS, TLS, cut off.
fn cause(source: &reqwest::Error) -> String {
    let mut texts = Vec::new();
    let mut io_kind = None;
    let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(source);
    while let Some(error) = next {
        texts.push(error.to_string().to_lowercase());
        if io_kind.is_none()
            && let Some(io) = error.downcast_ref::<std::io::Error>()
        {
            io_kind = Some(io.kind());
        }
        next = error.source();
    }
    let any = |words: &[&str]| texts.iter().any(|t| words.iter().any(|w| t.contains(w)));
    use std::io::ErrorKind;
    let cause = if any(&["dns error", "failed to lookup address", "name or service not known", "no such host"]) {
        "the host name did not resolve (DNS)".to_owned()
    } else if any(&["certificate", "tls", "ssl", "handshake"]) {
        format!("TLS failed: {}", texts.last().map_or("", String::as_str))
    } else {
        match io_kind {
            Some(ErrorKind::ConnectionRefused) => "connection refused (is anything listening there?)".to_owned(),
            Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => "the connection was reset".to_owned(),
            Some(ErrorKind::UnexpectedEof) => "the connection closed before the whole answer arrived".to_owned(),
            Some(ErrorKind::TimedOut) => "the connection timed out".to_owned(),
            _ if source.is_body() || source.is_decode() => "the answer was cut off".to_owned(),
            _ => texts.last().cloned().unwrap_or_else(|| source.to_string()),
        }
    };
    format!(": {}", one_line(&cause, 160))
}

/// An answer from the API that is not a success: its status, headers and (the start of) its
/// body as received, and what the body says, parsed once when the error is made.
///
/// Anam does not document the error body of the persona endpoints, so every parsed field is
/// optional; when the body is not JSON (a proxy's HTML page, say) [`ApiError::message`] is taken
/// from its text. The body is kept masked: the client's API key, any `Bearer` value and every
/// credential-like JSON value are replaced by `[redacted]` before anything reads it, and a
/// header value holding one is replaced the same way.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body as received (at most [`ERROR_BODY_LIMIT`] bytes of it), as text with every
    /// credential masked.
    pub raw_body: Bytes,
    /// The body's `error` field.
    pub error: Option<String>,
    /// The body's `message` field.
    pub message: Option<String>,
    /// The body's `details` (one entry per invalid field on validation errors).
    pub details: Vec<anam_api::types::ApiErrorDetail>,
    /// The body's `summary` field.
    pub summary: Option<String>,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether an earlier attempt of the same call got no answer, so the server may have acted
    /// on it (a 404 to a retried delete then means the first attempt deleted it).
    pub earlier_attempt_unanswered: bool,
}

/// How much of an error body is read and kept; the rest is never read.
pub const ERROR_BODY_LIMIT: usize = 4096;

impl ApiError {
    /// The error for an answer: its status, headers and body (already cut to
    /// [`ERROR_BODY_LIMIT`]), masked and parsed here and nowhere else.
    pub(crate) fn new(
        status: StatusCode,
        mut headers: HeaderMap,
        body: &[u8],
        retry_after: Option<Duration>,
        redactor: &Redactor,
    ) -> Self {
        let raw_body = Bytes::from(redactor.mask(&String::from_utf8_lossy(body)));
        for value in headers.values_mut() {
            let text = String::from_utf8_lossy(value.as_bytes());
            if redactor.mask(&text) != text {
                let mut masked = HeaderValue::from_static(crate::redact::MASK);
                masked.set_sensitive(true);
                *value = masked;
            }
        }
        let parsed: anam_api::types::ApiError = serde_json::from_slice(&raw_body).unwrap_or_default();
        ApiError {
            status,
            headers,
            raw_body,
            error: parsed.error,
            message: parsed.message,
            details: parsed.details,
            summary: parsed.summary,
            retry_after,
            attempts: 1,
            earlier_attempt_unanswered: false,
        }
    }

    /// The most useful message: `message`, `error`, `summary`, or the body's text (an HTML
    /// page's title), as received; [`Display`](fmt::Display) makes it safe to print.
    pub fn message(&self) -> String {
        if let Some(text) = [&self.message, &self.error, &self.summary].into_iter().flatten().find(|t| !t.is_empty()) {
            return text.clone();
        }
        readable(&String::from_utf8_lossy(&self.raw_body))
    }

    /// The request id header (`x-request-id` or `request-id`), if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        ["x-request-id", "request-id"].iter().find_map(|name| self.headers.get(*name)?.to_str().ok())
    }

    /// The host a redirect pointed to (`Location`), for a 3xx answer.
    pub fn redirect_host(&self) -> Option<String> {
        if !self.status.is_redirection() {
            return None;
        }
        let location = self.headers.get(LOCATION)?.to_str().ok()?;
        match url::Url::parse(location) {
            Ok(url) => url.host_str().map(str::to_owned),
            Err(_) => Some("the same host".to_owned()), // a relative Location
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(host) = self.redirect_host() {
            return write!(f, ": redirect to {} not followed", one_line(&host, 100));
        }
        let message = self.message();
        if !message.is_empty() {
            write!(f, ": {}", one_line(&message, 200))?;
        }
        if let Some(detail) = self.details.first() {
            let path = match &detail.path {
                Some(serde_json::Value::Array(parts)) => parts
                    .iter()
                    .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join("."),
                Some(serde_json::Value::String(path)) => path.clone(),
                _ => String::new(),
            };
            let text = detail.message.as_deref().unwrap_or_default();
            if !path.is_empty() || !text.is_empty() {
                write!(f, " ({}: {})", one_line(&path, 100), one_line(text, 200))?;
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            f.write_str(" [check the API key (ANAM_API_KEY)]")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " [retry after {} s]", wait.as_secs())?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " [request id {}]", one_line(id, 64))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
}

/// The first `limit` bytes of a body as text (lossy, cut at a character boundary).
pub(crate) fn excerpt(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(limit)]);
    text.trim_end_matches('\u{fffd}').to_string()
}

/// A body's readable text: an HTML page's `<title>` (or its text without tags), with white space
/// folded.
fn readable(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let text = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) if start + 7 <= end => body[start + 7..end].to_string(),
        _ if lower.trim_start().starts_with('<') => strip_tags(body),
        _ => body.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    const KEY: &str = "sk-live-0123456789abcdef";

    fn redactor() -> Redactor {
        Redactor::with_key(&SecretString::from(KEY.to_owned()))
    }

    fn api(status: u16, body: &str) -> ApiError {
        let status = StatusCode::from_u16(status).unwrap();
        ApiError::new(status, HeaderMap::new(), body.as_bytes(), None, &redactor())
    }

    #[test]
    fn display_reads_like_status_then_message() {
        assert_eq!(api(404, r#"{"message":"Persona not found"}"#).to_string(), "404 Not Found: Persona not found");
        assert_eq!(api(500, r#"{"error":"Internal error"}"#).to_string(), "500 Internal Server Error: Internal error");
        assert_eq!(api(403, "").to_string(), "403 Forbidden");
    }

    #[test]
    fn validation_details_name_the_field() {
        let body = r#"{"error":"Validation error","details":[{"path":["voiceDetectionOptions","speechEnhancementLevel"],"message":"Too big","code":"too_big"}]}"#;
        assert_eq!(
            api(400, body).to_string(),
            "400 Bad Request: Validation error (voiceDetectionOptions.speechEnhancementLevel: Too big)"
        );
    }

    #[test]
    fn html_pages_become_one_readable_line() {
        let page =
            "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>";
        assert_eq!(api(502, page).to_string(), "502 Bad Gateway: 502 Bad Gateway");
        assert_eq!(api(502, "<h1>Upstream\n  down</h1>").message(), "Upstream down");
        assert_eq!(api(503, "plain text").message(), "plain text");
    }

    #[test]
    fn hostile_messages_stay_on_one_bounded_line() {
        let body =
            serde_json::json!({ "message": format!("line one\nline two \u{1b}[31mred{}", "x".repeat(2_000_000)) });
        let shown = api(500, &body.to_string()).to_string();
        assert!(!shown.chars().any(char::is_control), "{:?}", &shown[..100]);
        assert!(shown.contains("line one\\nline two \\u{1b}[31mred"), "{:?}", &shown[..100]);
        assert!(shown.chars().count() < 300, "{} characters", shown.chars().count());
        let err = ValidationError::new("name", "a\nb", "short");
        assert_eq!(err.to_string(), "name is a\\nb, but must be short");
    }

    #[test]
    fn headers_give_the_request_id_and_the_redirect_host() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("req_1"));
        let e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            headers,
            br#"{"error":"Invalid API key"}"#,
            Some(Duration::from_secs(2)),
            &redactor(),
        );
        assert_eq!(
            e.to_string(),
            "401 Unauthorized: Invalid API key [check the API key (ANAM_API_KEY)] [retry after 2 s] [request id req_1]"
        );
        assert_eq!(Error::from(e).request_id(), Some("req_1"));
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("https://evil.example/v1/personas"));
        let redirect = ApiError::new(StatusCode::FOUND, headers, b"", None, &redactor());
        assert_eq!(redirect.to_string(), "302 Found: redirect to evil.example not followed");
    }

    #[test]
    fn an_echoed_key_or_bearer_value_is_masked_everywhere_it_is_kept() {
        let body = format!(r#"{{"error":"bad header Authorization: Bearer {KEY}","message":"key {KEY} refused"}}"#);
        let mut headers = HeaderMap::new();
        headers.insert("x-echo", HeaderValue::from_str(&format!("Bearer {KEY}")).unwrap());
        let e = ApiError::new(StatusCode::UNAUTHORIZED, headers, body.as_bytes(), None, &redactor());
        let error = Error::from(e);
        let api = error.as_api().unwrap();
        for shown in
            [error.to_string(), format!("{error:?}"), api.message(), String::from_utf8_lossy(&api.raw_body).into()]
        {
            assert!(!shown.contains(KEY) && !shown.contains("0123456789"), "{shown}");
        }
        assert!(error.to_string().contains("key [redacted] refused"), "{error}");
    }

    #[test]
    fn decode_errors_of_secret_answers_keep_nothing_of_the_body() {
        use anam_api::Operation;
        let token = "eyJhbGciOiJIUzI1NiJ9.SECRET-PAYLOAD.sig";
        for body in [
            format!(r#"{{"sessionToken":"{token}""#),
            format!(r#"{{"sessionToken":"{token}",}}"#),
            format!(r#"{{"token":"{token}"}}"#),
            format!(r#"{{"sessionToken":{{"value":"{token}"}}}}"#),
            format!(r#"{{"sessionToken":"{token}"}} trailing"#),
            format!(r#""{token}""#),
        ] {
            let source = serde_json::from_str::<anam_api::types::SessionToken>(&body).unwrap_err();
            let error =
                Error::Decode(DecodeError::new(Operation::CreateSessionToken, body.as_bytes(), &source, &redactor()));
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(!shown.contains("SECRET-PAYLOAD"), "{shown}");
            }
            assert!(error.to_string().contains(&format!("({} bytes)", body.len())), "{error}");
        }
        let body = br#"{"data":[{"id":"a","name":"x","sessionToken":"abc"}],"meta":1}"#;
        let source = serde_json::from_slice::<anam_api::types::PersonaList>(body).unwrap_err();
        let error = DecodeError::new(Operation::ListPersonas, body, &source, &redactor());
        assert!(error.excerpt.as_deref().is_some_and(|e| e.contains(r#""sessionToken":"[redacted]""#)), "{error}");
        assert!(std::error::Error::source(&Error::Decode(error)).is_none(), "no raw serde error is kept");
    }

    #[test]
    fn limits_are_read_from_the_status_and_the_text() {
        let limit = |status, body: &str| Error::from(api(status, body)).limit();
        assert_eq!(limit(402, "{}"), Some(Limit::NoPlan));
        assert_eq!(limit(429, r#"{"error":"Concurrent session limit reached"}"#), Some(Limit::ConcurrentSessions));
        assert_eq!(limit(429, r#"{"error":"Spend cap reached"}"#), Some(Limit::SpendCap));
        assert_eq!(limit(429, r#"{"message":"Usage limit exceeded"}"#), Some(Limit::UsageLimit));
        assert_eq!(limit(429, "Too many requests"), Some(Limit::Requests));
        assert_eq!(limit(403, r#"{"error":"Requires enterprise plan"}"#), Some(Limit::NotOnPlan));
        assert_eq!(limit(403, r#"{"error":"Forbidden"}"#), None);
        assert_eq!(limit(500, "{}"), None);
        let concurrent = Error::from(api(429, r#"{"error":"Concurrent session limit reached"}"#));
        assert!(concurrent.is_concurrency_limit() && concurrent.is_rate_limited() && !concurrent.is_plan_limit());
        assert!(Error::from(api(402, "")).is_plan_limit());
        assert!(Error::from(api(401, "")).is_unauthorized() && Error::from(api(403, "")).is_forbidden());
    }

    #[test]
    fn helpers_classify_errors() {
        let not_found = Error::from(api(404, "{}"));
        assert!(not_found.is_not_found() && !not_found.is_retryable());
        assert_eq!(not_found.status(), Some(StatusCode::NOT_FOUND));
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(Error::from(api(code, "")).is_retryable(), "{code}");
        }
        for code in [301, 400, 401, 403, 404, 409, 422] {
            assert!(!Error::from(api(code, "")).is_retryable(), "{code}");
        }
        let invalid = Error::from(ValidationError::new("perPage", 0, "between 1 and 100"));
        assert_eq!(invalid.to_string(), "perPage is 0, but must be between 1 and 100");
        assert_eq!(invalid.status(), None);
    }

    #[test]
    fn excerpt_cuts_at_a_character_boundary() {
        assert_eq!(excerpt("héllo".as_bytes(), 2), "h");
        assert_eq!(excerpt(b"abc", 10), "abc");
    }
}
