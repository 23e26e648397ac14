//! What an operation answers: a [`Reply`] (a JSON body with its status, or 204 with none), or a
//! [`Failure`] (a status with Anam's error body). Every handler returns an [`Answer`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use crate::validate::Invalid;

/// A successful answer.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A JSON body with this status.
    Json(StatusCode, Value),
    /// 204 with no body.
    NoContent,
}

/// A refusal.
#[derive(Debug)]
pub(crate) enum Failure {
    /// 400 with the validation body, naming the field.
    Invalid(Invalid),
    /// Another status with `{"error": message}`.
    Status(StatusCode, String),
}

/// What a handler returns.
pub(crate) type Answer = Result<Reply, Failure>;

impl From<Invalid> for Failure {
    fn from(problem: Invalid) -> Self {
        Failure::Invalid(problem)
    }
}

fn json_of(status: StatusCode, value: impl Serialize) -> Answer {
    let value = serde_json::to_value(value).map_err(|e| {
        Failure::Status(StatusCode::INTERNAL_SERVER_ERROR, format!("the fake cannot write its answer: {e}"))
    })?;
    Ok(Reply::Json(status, value))
}

/// 200 with `value`.
pub(crate) fn ok(value: impl Serialize) -> Answer {
    json_of(StatusCode::OK, value)
}

/// 201 with `value`.
pub(crate) fn created(value: impl Serialize) -> Answer {
    json_of(StatusCode::CREATED, value)
}

/// 200 with `{"message": message}`, the answer of the deletes that have a body.
pub(crate) fn deleted(message: &str) -> Answer {
    ok(json!({ "message": message }))
}

/// 204 with no body.
pub(crate) fn no_content() -> Answer {
    Ok(Reply::NoContent)
}

/// 404 `{"error": "<what> not found"}`.
pub(crate) fn not_found(what: &str) -> Failure {
    Failure::Status(StatusCode::NOT_FOUND, format!("{what} not found"))
}

/// A status with `{"error": message}`.
pub(crate) fn refuse(status: StatusCode, message: impl Into<String>) -> Failure {
    Failure::Status(status, message.into())
}

/// A JSON error body in the shape Anam's other endpoints use: `{"error": "..."}`; a 400 has the
/// validation shape whatever its cause ([`invalid`], without a field), so that every status has
/// one shape and a client can tell a validation error from another error by its status alone.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    if status == StatusCode::BAD_REQUEST {
        return invalid(Invalid::new("", message, "custom"));
    }
    (status, Json(json!({ "error": message }))).into_response()
}

/// The 400 body of a validation error, as Anam's meetings endpoints document it
/// (`MeetingInviteValidationError` in the spec): the fake answers every 400 so.
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

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Json(status, value) => (status, Json(value)).into_response(),
            Reply::NoContent => StatusCode::NO_CONTENT.into_response(),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Invalid(problem) => invalid(problem),
            Failure::Status(status, message) => error(status, &message),
        }
    }
}
