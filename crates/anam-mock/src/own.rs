//! The fake's own endpoints, outside the API's paths (under [`OWN_PREFIX`]), and the count of
//! requests in flight they report:
//!
//! - `GET /_mock/storage/knowledge/{id}?X-Amz-Signature=S`: a document's file, as Anam's storage
//!   serves a presigned download URL: without the API key, but only with the document's
//!   signature (403 otherwise, 404 for a document the fake does not hold). The knowledge
//!   document download operation answers these URLs.
//! - `GET /_mock/stats`: `{"inFlight", "maxInFlight", "requests", "unmatched"}` as JSON, for a
//!   program that runs the fake's binary (a benchmark reads the most requests it had in flight).
//! - `POST /_mock/stats/reset`: the same answer, then the most in flight starts again from the
//!   requests in flight now.
//!
//! These requests are not API operations: they are not counted in `requests`, `total_requests`
//! or `unmatched_requests`, and the stats requests are not counted in flight either (a storage
//! download is: a client downloading a document has a request in flight).

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use http::{Method, Response, StatusCode};
use serde_json::json;

use crate::Shared;
use crate::reply::error;

/// Where the fake's own endpoints live: no path of the API starts so.
pub const OWN_PREFIX: &str = "/_mock/";

/// The path of a document's file under [`OWN_PREFIX`], before its id.
const STORAGE: &str = "/_mock/storage/knowledge/";

/// The query parameter that carries a document's signature, named as S3's presigned URLs do.
const SIGNATURE: &str = "X-Amz-Signature";

/// The count of requests being answered now, and the most there were at once.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// One request in flight; dropping it (the answer is ready, or the connection was dropped)
/// ends it.
pub(crate) struct Entered<'a>(&'a InFlight);

impl InFlight {
    /// Counts one more request in flight until the guard is dropped.
    pub(crate) fn enter(&self) -> Entered<'_> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        Entered(self)
    }

    /// The requests in flight now.
    pub(crate) fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }

    /// The most requests that were in flight at once.
    pub(crate) fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }

    /// Starts the most in flight again from the requests in flight now.
    pub(crate) fn reset_max(&self) {
        self.max.store(self.now(), Ordering::SeqCst);
    }
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The download URL of a document on the fake at `base_url`.
pub(crate) fn storage_url(base_url: &str, id: &str, signature: &str) -> String {
    format!("{base_url}{STORAGE}{id}?X-Amz-Expires=900&{SIGNATURE}={signature}")
}

/// Whether a path is one of the fake's stats endpoints (answered at once, not counted).
pub(crate) fn is_stats(path: &str) -> bool {
    path == "/_mock/stats" || path == "/_mock/stats/reset"
}

/// Whether a path is the fake's own rather than the API's.
pub(crate) fn is_own(path: &str) -> bool {
    path.starts_with(OWN_PREFIX)
}

/// The answer to a request of the fake's own (`is_own`).
pub(crate) fn answer(shared: &Shared, method: &Method, path: &str, query: Option<&str>) -> Response<Body> {
    match (method.clone(), path) {
        (Method::GET, "/_mock/stats") => stats(shared),
        (Method::POST, "/_mock/stats/reset") => {
            let answer = stats(shared);
            shared.in_flight.reset_max();
            answer
        }
        (Method::GET, _) if path.starts_with(STORAGE) => storage(shared, &path[STORAGE.len()..], query),
        _ => error(StatusCode::NOT_FOUND, "No endpoint of the fake has this method and path"),
    }
}

/// The stats as JSON.
fn stats(shared: &Shared) -> Response<Body> {
    let body = json!({
        "inFlight": shared.in_flight.now(),
        "maxInFlight": shared.in_flight.max(),
        "requests": shared.total_requests(),
        "unmatched": shared.unmatched(),
    });
    let mut response = Response::new(Body::from(body.to_string()));
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    response
}

/// A document's file, when the query holds its signature.
fn storage(shared: &Shared, id: &str, query: Option<&str>) -> Response<Body> {
    let state = shared.state();
    let Some(document) = state.documents.get(id) else {
        return error(StatusCode::NOT_FOUND, "NoSuchKey");
    };
    let signed = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .any(|pair| pair.split_once('=') == Some((SIGNATURE, document.signature.as_str())));
    if !signed {
        return error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch");
    }
    let content_type = document.record.file_type.clone().unwrap_or_else(|| "application/octet-stream".into());
    let mut response = Response::new(Body::from(document.data.clone()));
    if let Ok(value) = http::HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(http::header::CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_counts_until_dropped_and_keeps_its_peak() {
        let gauge = InFlight::default();
        let (a, b) = (gauge.enter(), gauge.enter());
        assert_eq!((gauge.now(), gauge.max()), (2, 2));
        drop(a);
        let c = gauge.enter();
        assert_eq!((gauge.now(), gauge.max()), (2, 2));
        drop((b, c));
        assert_eq!((gauge.now(), gauge.max()), (0, 2));
        gauge.reset_max();
        assert_eq!(gauge.max(), 0);
    }

    #[test]
    fn only_the_prefix_is_the_fakes_own() {
        assert!(is_own("/_mock/stats") && is_stats("/_mock/stats") && is_stats("/_mock/stats/reset"));
        assert!(!is_own("/v1/personas") && !is_stats("/_mock/storage/knowledge/x"));
        assert_eq!(
            storage_url("http://h", "d", "s"),
            "http://h/_mock/storage/knowledge/d?X-Amz-Expires=900&X-Amz-Signature=s"
        );
    }
}
