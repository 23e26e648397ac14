//! The HTTP surface: one handler per operation of `openapi/anam.yaml`, behind a bearer check.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::Shared;
use crate::store::Invalid;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/personas", get(list).post(create))
        .route("/v1/personas/{id}", get(fetch).put(update).delete(remove))
        .layer(middleware::from_fn_with_state(shared.clone(), authenticate))
        .with_state(shared)
}

/// A JSON error body in the shape Anam's other endpoints use: `{"error": "..."}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn invalid(problem: Invalid) -> Response {
    let summary = if problem.path.is_empty() {
        problem.message.clone()
    } else {
        format!("{}: {}", problem.path, problem.message)
    };
    let body = json!({
        "error": "Validation error",
        "details": [{ "path": problem.path, "message": problem.message, "code": problem.code }],
        "summary": summary,
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

async fn authenticate(State(shared): State<Arc<Shared>>, headers: HeaderMap, request: Request, next: Next) -> Response {
    let expected = format!("Bearer {}", shared.api_key);
    match headers.get(header::AUTHORIZATION) {
        Some(value) if value.as_bytes() == expected.as_bytes() => next.run(request).await,
        _ => error(StatusCode::UNAUTHORIZED, "Invalid or missing API key"),
    }
}

fn parse_body(body: &Bytes) -> Result<Value, Invalid> {
    serde_json::from_slice(body).map_err(|e| Invalid {
        path: String::new(),
        message: format!("the body is not JSON: {e}"),
        code: "invalid_type",
    })
}

/// A page parameter: absent gives `default`; otherwise a whole number in `min..=max`.
fn page_param(query: &HashMap<String, String>, name: &str, default: u64, max: u64) -> Result<u64, Invalid> {
    let Some(raw) = query.get(name) else { return Ok(default) };
    match raw.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => {
            let bounds = if max == u64::MAX { "at least 1".to_string() } else { format!("from 1 to {max}") };
            let message = format!("must be a whole number {bounds}, got {raw:?}");
            let code = if raw.parse::<u64>().is_ok_and(|n| n > max) { "too_big" } else { "too_small" };
            Err(Invalid { path: name.to_string(), message, code })
        }
    }
}

async fn list(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let pages = page_param(&query, "page", 1, u64::MAX).and_then(|p| Ok((p, page_param(&query, "perPage", 10, 100)?)));
    let (page, per_page) = match pages {
        Ok(pages) => pages,
        Err(problem) => return invalid(problem),
    };
    let listed = shared.store().list(page, per_page, query.get("search").map(String::as_str));
    Json(listed).into_response()
}

async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(body) => body,
        Err(problem) => return invalid(problem),
    };
    let created = shared.store().create(&body);
    match created {
        Ok(persona) => (StatusCode::CREATED, Json(persona)).into_response(),
        Err(problem) => invalid(problem),
    }
}

async fn fetch(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let found = shared.store().get(&id);
    match found {
        Some(persona) => Json(persona).into_response(),
        None => error(StatusCode::NOT_FOUND, "Persona not found"),
    }
}

async fn update(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(body) => body,
        Err(problem) => return invalid(problem),
    };
    let updated = shared.store().update(&id, &body);
    match updated {
        Ok(Some(persona)) => Json(persona).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "Persona not found"),
        Err(problem) => invalid(problem),
    }
}

async fn remove(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let deleted = shared.store().delete(&id);
    if deleted {
        Json(json!({ "message": "Persona deleted" })).into_response()
    } else {
        error(StatusCode::NOT_FOUND, "Persona not found")
    }
}
