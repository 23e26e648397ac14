//! [`Call`]: what a call path needs to send any operation of the spec, implemented by `cargo
//! xtask codegen` for every builder of the generated client (`builder::GetPersona`, ...).
//!
//! With it, one generic function (the `anam` crate's `Client::send`) sends every operation with
//! the same retries, errors, tracing and checks, and an operation added to the spec gets all of
//! them by being generated.

use std::future::Future;

use chrono::{DateTime, Utc};
use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

use crate::facts::{Location, Operation, ToF64};
use crate::invalid::ValidationError;

/// One operation of the spec with its parameters set, ready to send.
///
/// ```
/// use anam_api::{Call, Operation};
/// use anam_api::hooks::RequestSettings;
///
/// let client = anam_api::Client::new("https://api.anam.ai", RequestSettings::default());
/// let call = client.get_persona().id("..");
/// assert_eq!(anam_api::builder::GetPersona::OPERATION, Operation::GetPersona);
/// assert_eq!(call.check().unwrap_err().field, "id");
/// ```
pub trait Call: Clone + Send + Sync {
    /// What a success answer decodes to (`()` for an answer without a body).
    type Output: Send;

    /// The operation this sends.
    const OPERATION: Operation;

    /// Sends it once: the generated builder's own `send`.
    fn send(self) -> impl Future<Output = Result<ResponseValue<Self::Output>, Error<()>>> + Send;

    /// Decodes a success body the generated client did not expect (a 200 where the spec says
    /// 201). An operation without an answer body takes any body.
    fn decode(body: &[u8]) -> serde_json::Result<Self::Output>;

    /// Checks what the spec says of the parameters before anything is sent: each path
    /// parameter stays one path segment, and every documented range of the query and the
    /// JSON body holds.
    fn check(&self) -> Result<(), ValidationError>;
}

/// Decodes a JSON answer (the generated [`Call::decode`] of an operation with a body).
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice(body)
}

/// Takes any answer (the generated [`Call::decode`] of an operation without a body).
pub fn decode_nothing(_body: &[u8]) -> serde_json::Result<()> {
    Ok(())
}

/// Checks a path parameter's value: it must stay exactly one path segment. The generated
/// client percent-encodes `/`, `?`, `#`, `%`, spaces and control characters; what it leaves as
/// is and a URL parser would still read as a step elsewhere (`.`, `..`, `\`), and an empty or
/// blank value, is refused.
pub fn check_path_segment(parameter: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() || value == "." || value == ".." || value.contains('\\') {
        let expected = "one path segment: not empty, not `.` or `..`, and without `\\`";
        return Err(ValidationError::new(parameter, format!("{value:?}"), expected));
    }
    Ok(())
}

/// Checks the period between an operation's two date-time query parameters against the spec's
/// `x-anam-period` ([`Operation::period`]), if it gives one: `from` before `to`, and at most the
/// period's days before it; `to` unset is now (by this machine's clock), as the server reads it.
///
/// ```
/// use anam_api::Operation;
/// use chrono::{Duration, Utc};
///
/// let op = Operation::GetAggregatedSessionAnalytics;
/// let year_ago = Utc::now() - Duration::days(365);
/// let err = anam_api::call::check_period(op, Some(&year_ago), None).unwrap_err();
/// assert_eq!(err.field, "from");
/// assert!(anam_api::call::check_period(op, None, Some(&year_ago)).is_ok(), "from defaults to a day before to");
/// ```
pub fn check_period(
    operation: Operation,
    from: Option<&DateTime<Utc>>,
    to: Option<&DateTime<Utc>>,
) -> Result<(), ValidationError> {
    let (Some(period), Some(from)) = (operation.period(), from) else { return Ok(()) };
    let (to, named) = match to {
        Some(to) => (*to, format!("{} ({})", period.to, to.to_rfc3339())),
        None => (Utc::now(), format!("now ({} is unset)", period.to)),
    };
    if *from >= to {
        return Err(ValidationError::new(period.from, from.to_rfc3339(), format!("before {named}")));
    }
    let longest =
        i64::try_from(period.max_days).ok().and_then(chrono::Duration::try_days).unwrap_or(chrono::Duration::MAX);
    if to - *from > longest {
        let expected = format!("at most {} days before {named}", period.max_days);
        return Err(ValidationError::new(period.from, from.to_rfc3339(), expected));
    }
    Ok(())
}

/// Checks a query parameter of `operation` against its documented range, if it has one.
pub fn check_query<N: ToF64 + Copy>(
    operation: Operation,
    name: &str,
    value: Option<&N>,
) -> Result<(), ValidationError> {
    match (operation.bound(Location::Query, name), value.map(|v| v.to_f64())) {
        (Some(bound), Some(value)) if !bound.contains(value) => {
            Err(ValidationError::new(name, value, bound.expected()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_would_leave_their_path_segment_are_refused() {
        for bad in ["", " ", ".", "..", "..\\avatars\\X", "a\\b"] {
            assert_eq!(check_path_segment("id", bad).unwrap_err().field, "id", "{bad:?}");
        }
        for fine in ["2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31", "...", "a.b", "../x", "%2e%2e", "a?b#c"] {
            assert!(check_path_segment("id", fine).is_ok(), "{fine:?} is encoded into one segment");
        }
    }

    #[test]
    fn query_ranges_come_from_the_spec() {
        let err = check_query(Operation::ListPersonas, "perPage", Some(&101u64)).unwrap_err();
        assert_eq!(err.to_string(), "perPage is 101, but must be between 1 and 100");
        assert!(check_query(Operation::ListPersonas, "perPage", Some(&100u64)).is_ok());
        assert!(check_query::<u64>(Operation::ListPersonas, "page", None).is_ok());
        assert!(check_query(Operation::ListPersonas, "search", Some(&5u64)).is_ok(), "no bound, no check");
    }
}
