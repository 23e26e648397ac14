//! The one error type of the SDK, and what it carries.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// The result type of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling the Anam API.
///
/// `Display` always says what happened in one line, e.g. `404 Not Found: Persona not found`.
/// No variant ever contains the API key or request headers.
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
    /// The server answered with an error status.
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
    /// The connection failed: refused, reset, DNS, TLS, or the body could not be read.
    #[error("connection failed after {attempts} attempt(s): {}", connection_reason(.source))]
    Connection {
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// A successful response whose body does not have the documented shape.
    #[error("{status}: cannot decode the response body ({source}); body starts: {excerpt:?}")]
    Decode {
        /// The response status.
        status: StatusCode,
        /// The first bytes of the body, as text.
        excerpt: String,
        /// What the decoder said.
        #[source]
        source: serde_json::Error,
    },
    /// The generated client refused to build the request (a bug in this SDK if it happens).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

fn connection_reason(error: &reqwest::Error) -> String {
    // reqwest's own Display names the URL, which is fine (it never holds the key); the innermost
    // source says what actually failed.
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
    }
    reason
}

impl Error {
    /// The HTTP status of an API or decode error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the server said the resource does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether trying again later may succeed: timeouts, connection failures, 408, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connection { .. } => true,
            Error::Api(api) => is_retryable_status(api.status),
            _ => false,
        }
    }

    /// How long the server asked us to wait (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The API error, when the server answered with an error status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }
}

/// Whether a response status is worth another attempt.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// An error answer from the API: its status and whatever the body said.
///
/// Anam does not document the error body of the persona endpoints, so every body field is
/// optional; when the body is not JSON (a proxy's HTML page, say) [`ApiError::body`] holds its
/// text and the message is taken from it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body's `error` field.
    pub error: Option<String>,
    /// The body's `message` field.
    pub message: Option<String>,
    /// The body's `details` (one entry per invalid field on validation errors).
    pub details: Vec<anam_api::types::ApiErrorDetail>,
    /// The body's `summary` field.
    pub summary: Option<String>,
    /// The body as text (at most 4 KiB of it).
    pub body: String,
    /// The request id header (`x-request-id` or `request-id`), if the server sent one.
    pub request_id: Option<String>,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
    /// How many attempts were made.
    pub attempts: u32,
}

/// How much of a body an error keeps.
const BODY_LIMIT: usize = 4096;

impl ApiError {
    /// Builds the error from a response's parts, reading the JSON body when there is one.
    pub(crate) fn from_parts(
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
        retry_after: Option<Duration>,
        attempts: u32,
    ) -> Self {
        let parsed: Option<anam_api::types::ApiError> = serde_json::from_slice(body).ok();
        let parsed = parsed.unwrap_or_default();
        let request_id =
            ["x-request-id", "request-id"].iter().find_map(|name| headers.get(*name)?.to_str().ok()).map(str::to_owned);
        ApiError {
            status,
            error: parsed.error,
            message: parsed.message,
            details: parsed.details,
            summary: parsed.summary,
            body: excerpt(body, BODY_LIMIT),
            request_id,
            retry_after,
            attempts,
        }
    }

    /// The most useful human-readable message: `message`, `error`, `summary`, or the body's text.
    pub fn message(&self) -> String {
        if let Some(text) = [&self.message, &self.error, &self.summary].into_iter().flatten().find(|t| !t.is_empty()) {
            return text.clone();
        }
        readable(&self.body)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        let message = self.message();
        if !message.is_empty() {
            write!(f, ": {message}")?;
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
                write!(f, " ({path}: {text})")?;
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            f.write_str(" [check the API key: ANAM_API_KEY or ClientBuilder::api_key]")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " [retry after {} s]", wait.as_secs_f64())?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
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

/// Text fit for a one-line message: an HTML page's `<title>` (or its text without tags), with
/// white space folded, at most 200 characters.
fn readable(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let text = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) if start + 7 <= end => body[start + 7..end].to_string(),
        _ if lower.trim_start().starts_with('<') => strip_tags(body),
        _ => body.to_string(),
    };
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.chars().take(200).collect()
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
#[error("{field} is {value}, but must be {expected}")]
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn api(status: u16, body: &str) -> ApiError {
        let status = StatusCode::from_u16(status).unwrap();
        ApiError::from_parts(status, &HeaderMap::new(), body.as_bytes(), None, 1)
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
    fn unauthorized_names_the_variable_and_extras_show() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("req_1"));
        let e = ApiError::from_parts(
            StatusCode::UNAUTHORIZED,
            &headers,
            br#"{"error":"Invalid API key"}"#,
            Some(Duration::from_secs(2)),
            1,
        );
        assert_eq!(
            e.to_string(),
            "401 Unauthorized: Invalid API key [check the API key: ANAM_API_KEY or ClientBuilder::api_key] [retry after 2 s] [request id req_1]"
        );
    }

    #[test]
    fn helpers_classify_errors() {
        let not_found = Error::from(api(404, "{}"));
        assert!(not_found.is_not_found() && !not_found.is_retryable());
        assert_eq!(not_found.status(), Some(StatusCode::NOT_FOUND));
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(Error::from(api(code, "")).is_retryable(), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422] {
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
