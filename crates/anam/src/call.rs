//! The future every operation returns: it polls the generated call inside the call's tracing
//! span, keeps the call's [`Record`] where the transport's hook can note each attempt, and maps
//! the outcome to this crate's types.
//!
//! It is written by hand, not as an `async fn` wrapped in `tokio::task_local!` and
//! `tracing::Instrument`, because each of those layers moved the operation's output (a 1.4 KB
//! `Persona`) through temporaries of its own: those copies were the largest part of the SDK's
//! cost per call (`overhead_ratio` in BENCHMARKS.md). Here the answer goes from the generated
//! call to the caller through one `poll`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, Result, ValidationError, excerpt};

/// What a generated operation returns.
pub(crate) type GeneratedResult<T> = std::result::Result<progenitor_client::ResponseValue<T>, GeneratedError>;

/// The generated client's error.
type GeneratedError = progenitor_client::Error<anam_api::types::ApiError>;

/// An operation, as named in traces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation {
    pub id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
}

pin_project_lite::pin_project! {
    /// One call of an operation: see the module's documentation.
    pub(crate) struct Call<Fut, T> {
        span: tracing::Span,
        started: Option<Instant>,
        record: Record,
        #[pin]
        state: State<Fut, T>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    #[project_replace = StateOwned]
    enum State<Fut, T> {
        /// The input failed its checks; nothing is sent.
        Invalid { error: ValidationError },
        /// The generated call is under way.
        Sending { #[pin] call: Fut },
        /// The call failed; the error is being mapped (boxed: rare, and it must not grow the rest).
        Failing { mapping: Pin<Box<dyn Future<Output = Result<T>> + Send>> },
        Done,
    }
}

impl<Fut, T> Call<Fut, T> {
    /// The call of `op` that `make` makes. (A closure, called last, so that the generated call
    /// is built in place rather than moved into the `Call`: ~1.7 KB a move.)
    fn new(op: Operation, make: impl FnOnce() -> Fut) -> Self {
        let span = new_span(op);
        Call { span, started: None, record: Record::default(), state: State::Sending { call: make() } }
    }

    /// The call of `op` that `make` makes from the checked `input`, or, when the check failed,
    /// a call whose output is that failure (and which sends nothing).
    pub(crate) fn checked<I>(
        op: Operation,
        input: std::result::Result<I, ValidationError>,
        make: impl FnOnce(I) -> Fut,
    ) -> Self {
        match input {
            Ok(input) => Self::new(op, || make(input)),
            Err(error) => Call {
                span: tracing::Span::none(),
                started: None,
                record: Record::default(),
                state: State::Invalid { error },
            },
        }
    }
}

fn new_span(op: Operation) -> tracing::Span {
    tracing::info_span!(
        "anam.request",
        operation = op.id,
        http.request.method = op.method,
        url.template = op.path,
        http.response.status_code = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        error.kind = tracing::field::Empty,
    )
}

impl<Fut, T> Future for Call<Fut, T>
where
    Fut: Future<Output = GeneratedResult<T>>,
    T: DeserializeOwned + Send + 'static,
{
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let mut this = self.project();
        // Nobody listens to a disabled span: its bookkeeping is skipped.
        let traced = !this.span.is_disabled();
        let _entered = traced.then(|| this.span.enter());
        loop {
            let error = match this.state.as_mut().project() {
                StateProj::Sending { call } => {
                    if traced && this.started.is_none() {
                        *this.started = Some(Instant::now());
                    }
                    let result = {
                        let _installed = Installed::new(this.record);
                        ready!(call.poll(cx))
                    };
                    match result {
                        Ok(value) => {
                            this.state.set(State::Done);
                            close_span(this.span, this.record, *this.started, None);
                            return Poll::Ready(Ok(value.into_inner()));
                        }
                        Err(error) => error,
                    }
                }
                StateProj::Failing { mapping } => {
                    let outcome = ready!(mapping.as_mut().poll(cx));
                    this.state.set(State::Done);
                    close_span(this.span, this.record, *this.started, outcome.as_ref().err());
                    return Poll::Ready(outcome);
                }
                StateProj::Invalid { .. } => match this.state.as_mut().project_replace(State::Done) {
                    StateOwned::Invalid { error } => return Poll::Ready(Err(error.into())),
                    _ => unreachable!("the state was just matched as Invalid"),
                },
                StateProj::Done => panic!("an `anam` call was polled after it completed"),
            };
            // The record's answer goes to the mapping; its status and attempts stay for the span.
            let answer = this.record.error.take();
            let (status, attempts) = (this.record.status, this.record.attempts);
            let mapping = Box::pin(map_error(error, Record { attempts, status, error: answer }));
            this.state.set(State::Failing { mapping });
        }
    }
}

/// Records how a call ended in its span, and logs it there (when someone listens).
fn close_span(span: &tracing::Span, record: &Record, started: Option<Instant>, error: Option<&Error>) {
    let Some(started) = started else { return };
    if let Some(status) = record.status {
        span.record("http.response.status_code", status.as_u16());
    }
    span.record("attempts", record.attempts);
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    if let Some(error) = error {
        span.record("error.kind", error_kind(error));
    }
    match error {
        None => tracing::debug!("call succeeded"),
        Some(error) => tracing::debug!(%error, "call failed"),
    }
}

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
pub(crate) struct ErrorAnswer {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub retry_after: Option<Duration>,
}

thread_local! {
    /// The record of the call being polled on this thread, if any: installed by [`Call`] while
    /// it polls, filled by [`note`].
    static CURRENT: RefCell<Option<Record>> = const { RefCell::new(None) };
}

/// Notes what the last attempt got in the record of the call being polled. Outside a [`Call`]
/// (the generated client from [`crate::Client::api`]) there is none, and nothing is noted.
pub(crate) fn note(attempts: u32, status: Option<StatusCode>, error: Option<ErrorAnswer>) {
    let _ = CURRENT.try_with(|cell| {
        if let Some(record) = cell.borrow_mut().as_mut() {
            *record = Record { attempts, status, error: error.map(Box::new) };
        }
    });
}

/// While alive, a call's record is this thread's current one; dropping it (also on a panic)
/// puts the record back in its call and restores whatever was current before.
struct Installed<'r> {
    record: &'r mut Record,
    previous: Option<Record>,
}

impl<'r> Installed<'r> {
    fn new(record: &'r mut Record) -> Self {
        let current = Some(std::mem::take(record));
        let previous = CURRENT.try_with(|cell| cell.replace(current)).ok().flatten();
        Installed { record, previous }
    }
}

impl Drop for Installed<'_> {
    fn drop(&mut self) {
        let previous = self.previous.take();
        if let Ok(Some(record)) = CURRENT.try_with(|cell| cell.replace(previous)) {
            *self.record = record;
        }
    }
}

/// Maps the generated client's error to this crate's, using what the attempts recorded. (Async
/// only for a 2xx the spec does not list, whose body must still be read.)
async fn map_error<T: DeserializeOwned>(error: GeneratedError, record: Record) -> Result<T> {
    use progenitor_client::Error as Gen;
    let answer = record.error.unwrap_or_default();
    let attempts = record.attempts;
    let api_error = |status: StatusCode| {
        Error::from(ApiError::from_parts(status, &answer.headers, &answer.body, answer.retry_after, attempts))
    };
    match error {
        Gen::ErrorResponse(response) => Err(api_error(response.status())),
        Gen::UnexpectedResponse(response) if !response.status().is_success() => Err(api_error(response.status())),
        Gen::UnexpectedResponse(response) => read_unlisted_success(response, attempts).await,
        Gen::InvalidResponsePayload(body, source) => match record.status {
            Some(status) if status.is_success() && body.iter().all(u8::is_ascii_whitespace) => {
                decode_success(status, &body)
            }
            Some(status) if status.is_success() => Err(Error::Decode { status, excerpt: excerpt(&body, 200), source }),
            Some(status) => Err(api_error(status)),
            None => Err(Error::InvalidRequest(format!("response without a recorded status: {source}"))),
        },
        Gen::CommunicationError(source) | Gen::ResponseBodyError(source) | Gen::InvalidUpgrade(source) => {
            Err(transport_error(source, attempts))
        }
        Gen::InvalidRequest(message) | Gen::Custom(message) => Err(Error::InvalidRequest(message)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_go_to_the_innermost_installed_record_and_nothing_leaks_outside() {
        note(9, Some(StatusCode::OK), None); // no call: nothing to note, nothing kept
        let (mut outer, mut inner) = (Record::default(), Record::default());
        {
            let _outer = Installed::new(&mut outer);
            note(1, Some(StatusCode::OK), None);
            {
                let _inner = Installed::new(&mut inner);
                note(2, Some(StatusCode::NOT_FOUND), None);
            }
            note(3, Some(StatusCode::CREATED), None);
        }
        assert_eq!((outer.attempts, outer.status), (3, Some(StatusCode::CREATED)));
        assert_eq!((inner.attempts, inner.status), (2, Some(StatusCode::NOT_FOUND)));
        assert!(CURRENT.with(|cell| cell.borrow().is_none()), "no record stays installed");
    }
}
