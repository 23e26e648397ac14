//! The one call path: a generated request is sent, its outcome classified, and the request
//! sent again while [`RetryConfig::should_retry`] says so, inside one `anam.request` span.
//!
//! The generated client (`anam-api`) decodes success answers itself and hands every other
//! answer over unread; this module reads those (at most [`ERROR_BODY_LIMIT`] bytes) and turns
//! every outcome into this crate's [`Error`]. Bodies, headers and the key are never traced.

use std::future::Future;
use std::time::Instant;

use anam_api::hooks::BodyTooLarge;
use anam_api::{Call, Operation};
use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{ApiError, DecodeError, ERROR_BODY_LIMIT, Error, Result};
use crate::redact::Redactor;
use crate::retry::{Failure, RetryConfig, RetryEvent, parse_retry_after};
use crate::upload::{Form, OverLimit};

/// What a generated operation's `send()` returns.
pub(crate) type Generated<T> = std::result::Result<ResponseValue<T>, progenitor_client::Error<()>>;

/// How an answer body is decoded when the generated client did not (an unexpected 2xx).
pub(crate) type Decode<T> = fn(&[u8]) -> serde_json::Result<T>;

/// Sends `call` with `client`'s settings: checked first (path parameters, documented ranges),
/// then sent again while the retry settings say so.
pub(crate) async fn send<C: Call>(client: &Client, call: C) -> Result<C::Output> {
    call.check()?;
    run(client, client.retry_config(), C::OPERATION, C::decode, || call.clone().send()).await
}

/// Sends a `multipart/form-data` `form` to `op` (an upload, which progenitor does not
/// generate), with `id` in the path's `{id}`, through the same loop as every call: the same
/// checks, retries, errors and span. The form is checked before anything is sent (a file must
/// be a regular file within its size limit). Each attempt builds the body again (a file is
/// opened again); a form whose file is a stream is sent once, never retried. A body cut off at
/// its limit ([`OverLimit`]) ends the call with the validation error of its field.
pub(crate) async fn send_form<T: DeserializeOwned>(
    client: &Client,
    op: Operation,
    id: Option<&str>,
    form: Form,
) -> Result<T> {
    let path = match id {
        Some(id) => {
            anam_api::call::check_path_segment("id", id)?;
            op.path().replace("{id}", &progenitor_client::encode_path(id))
        }
        None => op.path().to_owned(),
    };
    form.check().await?;
    let url = format!("{}{path}", client.base_url());
    let retry = if form.is_replayable() { *client.retry_config() } else { RetryConfig::disabled() };
    run(client, &retry, op, anam_api::call::decode_json, || form_attempt(client, op, &url, &form)).await
}

/// One attempt of an upload: the request built and sent through the generated client's hook
/// (headers, timeout, body limit), its answer handed over as a generated call's would be.
async fn form_attempt<T: DeserializeOwned>(client: &Client, op: Operation, url: &str, form: &Form) -> Generated<T> {
    use progenitor_client::Error as Gen;
    let body = form.to_multipart().await.map_err(|e| Gen::Custom(e.to_string()))?;
    let api = client.api();
    let method = reqwest::Method::from_bytes(op.method().as_bytes()).map_err(|e| Gen::Custom(e.to_string()))?;
    let request = api
        .client()
        .request(method, url)
        .header(reqwest::header::ACCEPT, "application/json")
        .header("api-version", <anam_api::Client as ClientInfo<_>>::api_version())
        .multipart(body)
        .build()
        .map_err(Gen::CommunicationError)?;
    let info = OperationInfo { operation_id: op.id() };
    let response = ClientHooks::exec(api, request, &info).await.map_err(Gen::CommunicationError)?;
    if !response.status().is_success() {
        return Err(Gen::UnexpectedResponse(response));
    }
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.map_err(Gen::ResponseBodyError)?;
    match anam_api::call::decode_json(&body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(error) => Err(Gen::InvalidResponsePayload(body, error)),
    }
}

/// Runs one call of `op` with the retry settings `retry`: `attempt` sends it once, and is called
/// again for each retry; `decode` reads a success body the generated client did not expect.
pub(crate) async fn run<T, F, Fut>(
    client: &Client,
    retry: &RetryConfig,
    op: Operation,
    decode: Decode<T>,
    mut attempt: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Generated<T>>,
{
    let span = tracing::info_span!(
        "anam.request",
        operation = op.id(),
        http.request.method = op.method(),
        url.template = op.path(),
        http.response.status_code = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        error.kind = tracing::field::Empty,
    );
    let idempotent = op.method() != "POST";
    let redactor = client.redactor();
    let calling = async {
        let started = Instant::now();
        let mut attempts: u32 = 0;
        let mut unanswered = false;
        let outcome = loop {
            attempts = attempts.saturating_add(1);
            let (error, failure) = match classify(op, redactor, decode, attempt().await).await {
                Ok(value) => break Ok(value),
                Err(failed) => failed,
            };
            match retry.should_retry(failure, idempotent, attempts) {
                Some(wait) => {
                    let reason = reason(&error);
                    tracing::info!(attempt = attempts, wait_ms = wait.as_millis() as u64, %reason, "retrying");
                    if let Some(observe) = client.retry_observer() {
                        let (status, retry_after) = match failure {
                            Failure::Answered(status, retry_after) => (Some(status), retry_after),
                            _ => (None, None),
                        };
                        observe(&RetryEvent { operation: op, attempt: attempts, wait, status, retry_after });
                    }
                    unanswered |= failure == Failure::Unanswered;
                    tokio::time::sleep(wait).await;
                }
                None => break Err(with_attempts(error, attempts, unanswered)),
            }
        };
        let span = tracing::Span::current();
        span.record("attempts", attempts);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &outcome {
            Ok(_) => {
                tracing::debug!("call succeeded");
            }
            Err(error) => {
                span.record("error.kind", kind(error));
                tracing::debug!(kind = kind(error), "call failed");
            }
        }
        outcome
    };
    calling.instrument(span).await
}

/// The value of one attempt of `op`, or its error with what it means for a retry. Every text
/// kept from an answer goes through `redactor`.
async fn classify<T>(
    op: Operation,
    redactor: &Redactor,
    decode: Decode<T>,
    outcome: Generated<T>,
) -> std::result::Result<T, (Error, Failure)> {
    use progenitor_client::Error as Gen;
    match outcome {
        Ok(value) => {
            tracing::Span::current().record("http.response.status_code", value.status().as_u16());
            Ok(value.into_inner())
        }
        Err(Gen::UnexpectedResponse(response)) => {
            let status = response.status();
            tracing::Span::current().record("http.response.status_code", status.as_u16());
            if status.is_success() {
                // A 2xx the spec does not list for the operation (200 for 201, 204 for 200).
                return match response.bytes().await {
                    Ok(body) => decoded(op, redactor, decode, &body),
                    Err(source) => Err(body_error(source)),
                };
            }
            let headers = response.headers().clone();
            let retry_after = parse_retry_after(&headers);
            let body = read_at_most(response, ERROR_BODY_LIMIT).await;
            let error = ApiError::new(status, headers, &body, retry_after, redactor);
            Err((error.into(), Failure::Answered(status, retry_after)))
        }
        Err(Gen::ErrorResponse(response)) => {
            // Not produced while the spec's error answers are left untyped; kept for safety.
            let status = response.status();
            let error = ApiError::new(status, response.headers().clone(), b"", None, redactor);
            Err((error.into(), Failure::Answered(status, None)))
        }
        Err(Gen::CommunicationError(source)) => {
            if let Some(over) = OverLimit::find(&source) {
                return Err((Error::Validation(over.to_validation()), Failure::Final));
            }
            let failure = if source.is_connect() { Failure::NotSent } else { Failure::Unanswered };
            Err((transport_error(source), failure))
        }
        Err(Gen::ResponseBodyError(source) | Gen::InvalidUpgrade(source)) => Err(body_error(source)),
        Err(Gen::InvalidResponsePayload(body, source)) => {
            if body.iter().all(u8::is_ascii_whitespace) {
                return decoded(op, redactor, decode, &body);
            }
            Err(decode_error(op, redactor, &body, &source))
        }
        Err(Gen::InvalidRequest(message) | Gen::Custom(message)) => {
            Err((Error::InvalidRequest(redactor.mask(&message)), Failure::Final))
        }
    }
}

/// Decodes a success body; an empty one reads as `{}` (a delete answered with no body).
fn decoded<T>(
    op: Operation,
    redactor: &Redactor,
    decode: Decode<T>,
    body: &[u8],
) -> std::result::Result<T, (Error, Failure)> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    decode(body).map_err(|source| decode_error(op, redactor, body, &source))
}

/// The error of a success body that does not decode. A JSON text that stops early is a body cut
/// off on the way: another try may do.
fn decode_error(op: Operation, redactor: &Redactor, body: &[u8], source: &serde_json::Error) -> (Error, Failure) {
    let failure = if source.is_eof() { Failure::Unanswered } else { Failure::Final };
    (Error::Decode(DecodeError::new(op, body, source, redactor)), failure)
}

/// A failure while reading a body: over the size limit (final), or cut off or stalled.
fn body_error(source: reqwest::Error) -> (Error, Failure) {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&source);
    while let Some(error) = cause {
        if let Some(too_large) = error.downcast_ref::<BodyTooLarge>() {
            return (Error::BodyTooLarge { limit: too_large.limit }, Failure::Final);
        }
        cause = error.source();
    }
    (transport_error(source), Failure::Unanswered)
}

/// A failure below HTTP: a timeout, or any other connection problem.
fn transport_error(source: reqwest::Error) -> Error {
    if source.is_timeout() { Error::Timeout { attempts: 1, source } } else { Error::Connection { attempts: 1, source } }
}

/// Reads at most `limit` bytes of a body; the rest is never read, and a read error ends it early.
async fn read_at_most(mut response: reqwest::Response, limit: usize) -> Bytes {
    let mut body = BytesMut::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())]),
            Ok(None) | Err(_) => break,
        }
    }
    body.freeze()
}

fn with_attempts(mut error: Error, count: u32, unanswered: bool) -> Error {
    match &mut error {
        Error::Api(api) => {
            api.attempts = count;
            api.earlier_attempt_unanswered = unanswered;
        }
        Error::Timeout { attempts, .. } | Error::Connection { attempts, .. } => *attempts = count,
        _ => {}
    }
    error
}

/// Why an attempt failed, for the `retrying` event: a status or a kind, never a body.
fn reason(error: &Error) -> String {
    match error {
        Error::Api(api) => api.status.to_string(),
        other => kind(other).to_string(),
    }
}

fn kind(error: &Error) -> &'static str {
    match error {
        Error::Config(_) => "config",
        Error::Validation(_) => "validation",
        Error::Api(_) => "api",
        Error::Timeout { .. } => "timeout",
        Error::Connection { .. } => "connection",
        Error::BodyTooLarge { .. } => "body_too_large",
        Error::Decode(_) => "decode",
        Error::Paging(_) => "paging",
        Error::InvalidRequest(_) => "invalid_request",
        Error::Processing(_) => "processing",
    }
}
