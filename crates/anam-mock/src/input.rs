//! A request as the fake's handlers see it: the operation, the path's `{id}`, the query, and the
//! body (JSON, or a `multipart/form-data` form), read within the size the operation allows so
//! that memory stays bounded. Query parameters are read against the spec's ranges.

use std::collections::HashMap;

use anam_api::Operation;
use anam_api::facts::Location;
use axum::body::{Body as HttpBody, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Query};
use http::request::Parts;
use http_body_util::{BodyExt, Limited};
use serde_json::Value;

use crate::validate::Invalid;

/// The largest JSON body the fake reads (Anam documents none; 2 MiB is far above any body of the
/// spec and is axum's default).
const JSON_LIMIT: usize = 2 * 1024 * 1024;
/// Room for a form's boundaries and text fields beside its file.
const FORM_OVERHEAD: usize = 64 * 1024;

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// The body of a request.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// No body at all.
    Empty,
    /// A JSON value (or text that is not JSON, kept to refuse it where JSON is needed).
    Json(Result<Value, String>),
    /// A `multipart/form-data` form.
    Form(Vec<Part>),
}

/// A request, read.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub op: Operation,
    /// The path's `{id}`, decoded; empty for the operations without one.
    pub id: String,
    /// The bearer credential sent (the API key, or a session token for the engine session).
    pub bearer: Option<String>,
    pub query: HashMap<String, String>,
    pub body: Body,
}

/// The largest body `op` takes: its file's limit (the spec's `x-anam-max-bytes`) and room for
/// the form around it, or the JSON limit, whichever is larger.
fn body_limit(op: Operation) -> usize {
    let file = op.form_fields().filter_map(|f| f.max_bytes).max().unwrap_or(0);
    usize::try_from(file).unwrap_or(usize::MAX).saturating_add(FORM_OVERHEAD).max(JSON_LIMIT)
}

/// Refuses a file over its form field's size limit (the spec's `x-anam-max-bytes`, which the SDK
/// checks before sending).
pub(crate) fn check_file_size(op: Operation, part: &Part) -> Result<(), Invalid> {
    let limit = op.form_fields().find(|f| f.field == part.name).and_then(|f| f.max_bytes);
    match limit {
        Some(limit) if part.data.len() as u64 > limit => {
            Err(Invalid::new(part.name.as_str(), format!("must be at most {limit} bytes"), "too_big"))
        }
        _ => Ok(()),
    }
}

impl Input {
    /// Reads a request of `op`; a body over the limit, a form that does not parse or a query
    /// that does not decode is refused with what is wrong.
    pub async fn read(op: Operation, request: http::Request<HttpBody>) -> Result<Input, Invalid> {
        let (mut parts, body) = request.into_parts();
        let id = path_id(&mut parts).await;
        let bearer = bearer(&parts.headers);
        let query = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|e| Invalid::new("", format!("the query does not decode: {e}"), "invalid_type"))?
            .0
            .into_iter()
            .collect();
        let limited = HttpBody::new(Limited::new(body, body_limit(op)));
        let request = http::Request::from_parts(parts, limited);
        let is_form = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
        let body = if is_form { Body::Form(read_form(request).await?) } else { read_json(request).await? };
        Ok(Input { op, id, bearer, query, body })
    }

    /// The JSON body; no body reads as `{}` (the engine session's body is optional).
    pub fn json(&self) -> Result<Value, Invalid> {
        match &self.body {
            Body::Empty => Ok(Value::Object(Default::default())),
            Body::Json(Ok(value)) => Ok(value.clone()),
            Body::Json(Err(why)) => Err(Invalid::new("", format!("the body is not JSON: {why}"), "invalid_type")),
            Body::Form(_) => Err(Invalid::new("", "the body must be JSON (application/json)", "invalid_type")),
        }
    }

    /// A text query parameter, if sent.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// A boolean query parameter (`true` or `false`); absent gives `None`.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, Invalid> {
        match self.text(name) {
            None => Ok(None),
            Some(text) => parse_bool(name, text).map(Some),
        }
    }

    /// A query parameter that must be one of an enum's values.
    pub fn one_of(&self, name: &str, known: &[&str]) -> Result<Option<&str>, Invalid> {
        match self.text(name) {
            Some(value) if !known.contains(&value) => {
                let message = format!("{value:?} is not one of {}", known.join(", "));
                Err(Invalid::new(name, message, "invalid_enum_value"))
            }
            value => Ok(value),
        }
    }

    /// A date-time query parameter (RFC 3339).
    pub fn date_time(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, Invalid> {
        let Some(text) = self.text(name) else { return Ok(None) };
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|_| Invalid::new(name, format!("must be an RFC 3339 date-time, got {text:?}"), "invalid_type"))
    }

    /// `page` and `perPage` in the spec's ranges for this list (`per_page` when absent).
    pub fn paging(&self, per_page: u64) -> Result<(u64, u64), Invalid> {
        Ok((self.page_param("page", 1)?, self.page_param("perPage", per_page)?))
    }

    fn page_param(&self, name: &str, default: u64) -> Result<u64, Invalid> {
        let Some(raw) = self.text(name) else { return Ok(default) };
        let bound = self.op.bound(Location::Query, name);
        let expected =
            bound.map_or_else(|| "a whole number".to_owned(), |b| format!("a whole number {}", b.expected()));
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

    /// The form's parts (empty for a body that is not a form).
    pub fn parts(&self) -> &[Part] {
        match &self.body {
            Body::Form(parts) => parts,
            _ => &[],
        }
    }

    /// A text field of the form, if sent.
    pub fn field(&self, name: &str) -> Result<Option<String>, Invalid> {
        let Some(part) = self.parts().iter().find(|p| p.name == name) else { return Ok(None) };
        String::from_utf8(part.data.to_vec())
            .map(Some)
            .map_err(|_| Invalid::new(name, "must be UTF-8 text", "invalid_type"))
    }

    /// A file field of the form, if sent.
    pub fn file(&self, name: &str) -> Option<&Part> {
        self.parts().iter().find(|p| p.name == name)
    }

    /// A boolean field of the form, if sent.
    pub fn form_flag(&self, name: &str) -> Result<Option<bool>, Invalid> {
        self.field(name)?.map(|text| parse_bool(name, &text)).transpose()
    }

    /// A whole-number field of the form, if sent.
    pub fn form_integer(&self, name: &str) -> Result<Option<i64>, Invalid> {
        self.field(name)?
            .map(|text| {
                text.trim()
                    .parse::<i64>()
                    .map_err(|_| Invalid::new(name, format!("must be a whole number, got {text:?}"), "invalid_type"))
            })
            .transpose()
    }
}

fn parse_bool(name: &str, text: &str) -> Result<bool, Invalid> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(Invalid::new(name, format!("must be true or false, got {other:?}"), "invalid_type")),
    }
}

async fn path_id(parts: &mut Parts) -> String {
    match Path::<HashMap<String, String>>::from_request_parts(parts, &()).await {
        Ok(Path(params)) => params.get("id").cloned().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The credential of `Authorization: Bearer <credential>`.
pub(crate) fn bearer(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_owned)
}

fn too_large(path: &str) -> Invalid {
    Invalid::new(path, "the request body is larger than this operation accepts", "too_big")
}

async fn read_json(request: http::Request<HttpBody>) -> Result<Body, Invalid> {
    let bytes = request.into_body().collect().await.map_err(|_| too_large(""))?.to_bytes();
    if bytes.is_empty() {
        return Ok(Body::Empty);
    }
    Ok(Body::Json(serde_json::from_slice(&bytes).map_err(|e| e.to_string())))
}

async fn read_form(request: http::Request<HttpBody>) -> Result<Vec<Part>, Invalid> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large("")
        } else {
            Invalid::new("", format!("the form does not parse: {}", e.body_text()), "invalid_type")
        }
    };
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| Invalid::new("", format!("the form does not parse: {}", e.body_text()), "invalid_type"))?;
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let data = field.bytes().await.map_err(malformed)?;
        parts.push(Part { name, file_name, content_type, data });
    }
    Ok(parts)
}
