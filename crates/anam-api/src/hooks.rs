//! The generated client's one hook, hand-written here because the orphan rule keeps a
//! `ClientHooks` impl in the crate that defines [`Client`]. It sends each request with the
//! settings the generated client carries ([`RequestSettings`]) and caps the response body.
//!
//! progenitor can generate a client without a hook of ours; this one exists because nothing
//! else sees a response between reqwest and the generated code, which reads a success body
//! whole: without it, a 256 MiB answer would be read into memory before anyone could refuse it.

use std::time::Duration;

use futures::StreamExt;
use http_body_util::BodyExt;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::HeaderMap;

use crate::Client;

/// How the generated client sends every request. Build a client with it through
/// `Client::new_with_client(base_url, http_client, settings)`.
///
/// ```
/// use anam_api::hooks::RequestSettings;
///
/// let settings = RequestSettings { max_body_bytes: Some(1 << 20), ..RequestSettings::default() };
/// let client = anam_api::Client::new_with_client("https://api.anam.ai", reqwest::Client::new(), settings);
/// # drop(client);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestSettings {
    /// Headers set on every request, replacing any of the same name (mark secrets sensitive:
    /// `Debug` then hides them).
    pub headers: HeaderMap,
    /// The timeout of each request, from sending it to the end of the response body.
    pub timeout: Option<Duration>,
    /// The largest success body that is read. A success whose `Content-Length` is larger fails
    /// at once, and a body that grows past it fails when it does; either way reading it gives an
    /// error whose source is a [`BodyTooLarge`], and the rest is never read. Error answers are
    /// left as they are: whoever reads one reads only as much as it needs (the `anam` crate
    /// reads the first 4 KiB).
    pub max_body_bytes: Option<u64>,
}

/// The error a response body gives when it is larger than [`RequestSettings::max_body_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTooLarge {
    /// The limit it broke, in bytes.
    pub limit: u64,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the response body is larger than the limit of {} bytes", self.limit)
    }
}

impl std::error::Error for BodyTooLarge {}

impl ClientHooks<RequestSettings> for Client {
    async fn exec(&self, mut request: reqwest::Request, _info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        let settings = self.inner();
        for (name, value) in &settings.headers {
            request.headers_mut().insert(name, value.clone());
        }
        if let Some(timeout) = settings.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let response = self.client().execute(request).await?;
        Ok(match settings.max_body_bytes {
            Some(limit) if response.status().is_success() => limit_body(response, limit),
            _ => response,
        })
    }
}

/// `response` with a body that fails at once when its `Content-Length` is over `limit`, and
/// otherwise, when it declares no length, once more than `limit` bytes arrive. (A body that
/// declares a length within the limit is left as it is: hyper reads exactly that many bytes.)
pub fn limit_body(response: reqwest::Response, limit: u64) -> reqwest::Response {
    type BoxError = Box<dyn std::error::Error + Send + Sync>;
    let declared = response.content_length();
    if declared.is_some_and(|length| length <= limit) {
        return response;
    }
    let too_large = declared.is_some();
    let (parts, body) = http::Response::from(response).into_parts();
    let body = if too_large {
        drop(body); // closes the connection without reading the body
        let failed = futures::stream::iter([Err::<bytes::Bytes, BoxError>(Box::new(BodyTooLarge { limit }))]);
        reqwest::Body::wrap_stream(failed)
    } else {
        let mut read = 0u64;
        let limited = body.into_data_stream().map(move |chunk| {
            let chunk = chunk?;
            read = read.saturating_add(chunk.len() as u64);
            if read > limit { Err(BoxError::from(BodyTooLarge { limit })) } else { Ok(chunk) }
        });
        reqwest::Body::wrap_stream(limited)
    };
    reqwest::Response::from(http::Response::from_parts(parts, body))
}
