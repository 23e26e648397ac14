//! The one error type of the SDK, and what it carries.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};

/// The result type of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling the Anam API.
///
/// `Display` says what happened on one line, at most a few hundred characters, with any control
/// character from the server escaped, e.g. `404 Not Found: Persona not found`. It does not repeat
/// the text of [`std::error::Error::source`], so `anyhow` and `eyre` print each cause once. No
/// variant ever contains the API key or request headers.
///
/// ```
/// # async fn demo(client: anam::Client) {
/// match client.personas().get("no-such-id").await {
///     Ok(persona) => println!("found {}", persona.id),
///     Err(e) if e.is_not_found() => println!("no such persona"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (a missing API key, a bad base URL, ...). Nothing was sent.
    #[error("configuration error: {0}")]
    Config(String),
    /// A value failed the SDK's own checks before anything was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The server answered with a status that is not a success (an error, or a redirect, which
    /// the SDK never follows).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// An attempt took longer than the configured timeout (after every allowed retry).
    #[error("request timed out after {attempts} attempt(s)")]
    Timeout {
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed: refused, reset, DNS, TLS, or the body was cut off.
    #[error("connection failed after {attempts} attempt(s)")]
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
    #[error("cannot decode the response body; it starts: {}", one_line(.excerpt, 120))]
    Decode {
        /// The first bytes of the body, as text.
        excerpt: String,
        /// What the decoder said.
        #[source]
        source: serde_json::Error,
    },
    /// A paged listing stopped because the server's pages do not add up: it answered another
    /// page than the one asked for, or a page holding only items it had already sent.
    #[error("paging stopped: {}", one_line(.0, 200))]
    Paging(String),
    /// The generated client refused to build the request (a bug in this SDK if it happens).
    #[error("invalid request: {}", one_line(.0, 200))]
    InvalidRequest(String),
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        self.as_api().map(|api| api.status)
    }

    /// Whether the server said the resource does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
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

/// An answer from the API that is not a success: its status, headers and (the start of) its
/// body as received, and what the body says, parsed once when the error is made.
///
/// Anam does not document the error body of the persona endpoints, so every parsed field is
/// optional; when the body is not JSON (a proxy's HTML page, say) [`ApiError::message`] is taken
/// from its text.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body as received, at most [`ERROR_BODY_LIMIT`] bytes of it.
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
    /// [`ERROR_BODY_LIMIT`]), parsed here and nowhere else.
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, raw_body: Bytes, retry_after: Option<Duration>) -> Self {
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
            f.write_str(" [check the API key: ANAM_API_KEY or ClientBuilder::api_key]")?;
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

/// `text` fit for one line of a terminal: control characters (newlines, escape codes) escaped,
/// at most `max` characters, with `…` where it was cut.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
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

/// A value that failed the SDK's checks: which field, what it was, and what is accepted.
///
/// ```
/// let err = anam::VoiceDetection::new().end_of_speech_sensitivity(1.5).validate().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "voiceDetectionOptions.endOfSpeechSensitivity is 1.5, but must be between 0 and 1"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} is {}, but must be {expected}", one_line(.value, 80))]
#[non_exhaustive]
pub struct ValidationError {
    /// The field, as named on the wire (`voiceDetectionOptions.endOfSpeechSensitivity`).
    pub field: String,
    /// The value that was given.
    pub value: String,
    /// What is accepted (`between 0 and 1`).
    pub expected: String,
}

impl ValidationError {
    pub(crate) fn new(field: impl Into<String>, value: impl fmt::Display, expected: impl Into<String>) -> Self {
        ValidationError { field: field.into(), value: value.to_string(), expected: expected.into() }
    }

    /// The same error for a field that sits inside `parent` (`personaConfig.languageCode`).
    pub(crate) fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn api(status: u16, body: &str) -> ApiError {
        let status = StatusCode::from_u16(status).unwrap();
        ApiError::new(status, HeaderMap::new(), Bytes::copy_from_slice(body.as_bytes()), None)
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
            Bytes::from_static(br#"{"error":"Invalid API key"}"#),
            Some(Duration::from_secs(2)),
        );
        assert_eq!(
            e.to_string(),
            "401 Unauthorized: Invalid API key [check the API key: ANAM_API_KEY or ClientBuilder::api_key] [retry after 2 s] [request id req_1]"
        );
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("https://evil.example/v1/personas"));
        let redirect = ApiError::new(StatusCode::FOUND, headers, Bytes::new(), None);
        assert_eq!(redirect.to_string(), "302 Found: redirect to evil.example not followed");
    }

    #[test]
    fn display_does_not_repeat_the_source() {
        let source = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let err = Error::Decode { excerpt: "{".into(), source };
        let source_text = std::error::Error::source(&err).unwrap().to_string();
        assert!(!err.to_string().contains(&source_text), "{err}");
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
