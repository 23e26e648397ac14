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

use anam_api::types::{
    AvatarList, AvatarRenderStyleFilter, LlmList, Pagination, PersonaConfig, SessionToken, ToolList, VoiceList,
};

use crate::Shared;
use crate::catalog::{AvatarFilter, paginate};
use crate::sessions::{self, IssuedSessionToken};
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
            Operation::CreateSessionToken => post(session_token),
            Operation::ListAvatars => get(list_avatars),
            Operation::GetAvatar => get(get_avatar),
            Operation::ListVoices => get(list_voices),
            Operation::GetVoice => get(get_voice),
            Operation::ListLlms => get(list_llms),
            Operation::GetLlm => get(get_llm),
            Operation::ListTools => get(list_tools),
            Operation::GetTool => get(get_tool),
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

/// A paging parameter of the list `op` in the spec's range (`anam_api::facts`); absent gives `default`.
fn page_param(op: Operation, query: &HashMap<String, String>, name: &str, default: u64) -> Result<u64, Invalid> {
    let Some(raw) = query.get(name) else { return Ok(default) };
    let bound = op.bound(Location::Query, name);
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

/// `page` and `perPage` of the list `op` (defaults 1 and 10).
fn paging(op: Operation, query: &HashMap<String, String>) -> Result<(u64, u64), Invalid> {
    Ok((page_param(op, query, "page", 1)?, page_param(op, query, "perPage", 10)?))
}

/// A boolean query parameter (`true` or `false`); absent gives `false`.
fn flag(query: &HashMap<String, String>, name: &str) -> Result<bool, Invalid> {
    match query.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Invalid::new(name, format!("must be true or false, got {other:?}"), "invalid_type")),
    }
}

/// One page of `items` as a list answer (`list` makes it from `data` and `meta`), or the 400 of a
/// bad paging parameter.
fn page_answer<T: Clone, L: serde::Serialize>(
    paging: Result<(u64, u64), Invalid>,
    items: &[&T],
    list: impl FnOnce(Vec<T>, Pagination) -> L,
) -> Response {
    match paging {
        Ok((page, per_page)) => {
            let (data, meta) = paginate(items, page, per_page);
            Json(list(data, meta)).into_response()
        }
        Err(problem) => invalid(problem),
    }
}

/// The item found, or 404 naming what was looked for.
fn found<T: serde::Serialize>(item: Option<&T>, what: &str) -> Response {
    match item {
        Some(item) => Json(item).into_response(),
        None => error(StatusCode::NOT_FOUND, &format!("{what} not found")),
    }
}

async fn list(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let (page, per_page) = match paging(Operation::ListPersonas, &query) {
        Ok(pages) => pages,
        Err(problem) => return invalid(problem),
    };
    let listed = shared.store().list(page, per_page, query.get("search").map(String::as_str));
    Json(listed).into_response()
}

async fn list_avatars(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let style = query.get("renderStyle").map(String::as_str);
    if let Some(style) = style.filter(|s| !AvatarRenderStyleFilter::KNOWN.contains(s)) {
        let message = format!("{style:?} is not one of {}", AvatarRenderStyleFilter::KNOWN.join(", "));
        return invalid(Invalid::new("renderStyle", message, "invalid_enum_value"));
    }
    let only_one_shot = match flag(&query, "onlyOneShot") {
        Ok(only) => only,
        Err(problem) => return invalid(problem),
    };
    let filter = AvatarFilter {
        search: query.get("search").map(String::as_str),
        render_style: style,
        tags: query.get("tags").map(String::as_str),
        only_one_shot,
    };
    let store = shared.store();
    let catalog = &store.catalog;
    page_answer(paging(Operation::ListAvatars, &query), &catalog.find_avatars(&filter), |data, meta| AvatarList {
        data,
        meta,
    })
}

async fn get_avatar(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    found(shared.store().catalog.avatar(&id), "Avatar")
}

async fn list_voices(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let store = shared.store();
    let catalog = &store.catalog;
    let voices = catalog.find_voices(query.get("search").map(String::as_str));
    page_answer(paging(Operation::ListVoices, &query), &voices, |data, meta| VoiceList { data, meta })
}

async fn get_voice(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    found(shared.store().catalog.voice(&id), "Voice")
}

async fn list_llms(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let include_defaults = match flag(&query, "includeDefaults") {
        Ok(include) => include,
        Err(problem) => return invalid(problem),
    };
    let store = shared.store();
    let catalog = &store.catalog;
    let llms = catalog.find_llms(query.get("search").map(String::as_str), include_defaults);
    page_answer(paging(Operation::ListLlms, &query), &llms, |data, meta| LlmList { data, meta })
}

async fn get_llm(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    found(shared.store().catalog.llm(&id), "LLM")
}

async fn list_tools(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let store = shared.store();
    let catalog = &store.catalog;
    let tools = catalog.find_tools(query.get("search").map(String::as_str));
    page_answer(paging(Operation::ListTools, &query), &tools, |data, meta| ToolList { data, meta })
}

async fn get_tool(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    found(shared.store().catalog.tool(&id), "Tool")
}

/// `POST /v1/auth/session-token`: a token for a stored persona the fake holds (404 otherwise) or
/// for a valid ephemeral persona.
async fn session_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = {
        let store = shared.store();
        let request = match parse_body(&body).and_then(|body| sessions::read_request(&body, &store.catalog)) {
            Ok(request) => request,
            Err(problem) => return invalid(problem),
        };
        if let PersonaConfig::StoredPersonaConfig(stored) = &request.persona_config
            && store.get(&stored.persona_id).is_none()
        {
            return error(StatusCode::NOT_FOUND, "Persona not found");
        }
        request
    };
    let token = sessions::new_token();
    let answer = SessionToken { session_token: token.clone() };
    shared.issue(IssuedSessionToken { token, request });
    Json(answer).into_response()
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
