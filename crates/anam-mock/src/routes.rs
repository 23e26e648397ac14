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
use axum::routing::{delete, get, post, put};
use serde_json::{Value, json};

use anam_api::Operation;
use anam_api::facts::Location;

use crate::Shared;
use crate::store::Invalid;

/// The routes: each operation of the spec at its path template (`anam_api::Operation`).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for op in Operation::ALL {
        let handler = match op {
            Operation::ListPersonas => get(list),
            Operation::CreatePersona => post(create),
            Operation::GetPersona => get(fetch),
            Operation::UpdatePersona => put(update),
            Operation::DeletePersona => delete(remove),
            _ => continue,
        };
        router = router.route(op.path(), handler);
    }
    router.layer(middleware::from_fn_with_state(shared.clone(), authenticate)).with_state(shared)
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
    serde_json::from_slice(body).map_err(|e| Invalid::new("", format!("the body is not JSON: {e}"), "invalid_type"))
}

/// A query parameter of `list` in the spec's range (`anam_api::facts`); absent gives `default`.
fn page_param(query: &HashMap<String, String>, name: &str, default: u64) -> Result<u64, Invalid> {
    let Some(raw) = query.get(name) else { return Ok(default) };
    let bound = Operation::ListPersonas.bound(Location::Query, name);
    let expected = bound.map_or_else(|| "a whole number".to_owned(), |b| format!("a whole number {}", b.expected()));
    let Ok(value) = raw.parse::<u64>() else {
        return Err(Invalid::new(name, format!("must be {expected}, got {raw:?}"), "invalid_type"));
    };
    match bound {
        Some(bound) if !bound.contains(value as f64) => {
            let code = if bound.minimum.is_some_and(|min| (value as f64) < min) { "too_small" } else { "too_big" };
            Err(Invalid::new(name, format!("must be {expected}, got {raw:?}"), code))
        }
        _ => Ok(value),
    }
}

async fn list(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let pages = page_param(&query, "page", 1).and_then(|page| Ok((page, page_param(&query, "perPage", 10)?)));
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
