//! Any operation of the spec chosen at run time, by its operation (or operationId), with its
//! inputs as JSON values and its answer as JSON: what the `anam` command line and MCP server
//! run every operation through, and what a program that forwards calls (a proxy, a bot, a
//! scripting bridge) needs.
//!
//! A [`Request`] names the operation and gives its inputs flat, by their names on the wire
//! ([`Operation::inputs`]: path and query parameters, the JSON body's top-level fields, and for
//! an upload its form fields and the file). [`Client::call`] checks that every name is one of
//! the operation's, that an enum input holds one of its values, decodes the parameters and the
//! body into the generated types (a wrong type is refused, naming the field, before anything is
//! sent) and sends the generated builder through [`Client::send`], with its checks, retries,
//! errors and tracing. An upload goes as `multipart/form-data` through the same loop. Every
//! `Secret` of the answer ([`Operation::answer_secrets`]) is masked as `[redacted]` unless the
//! request asks to see them.
//!
//! ```no_run
//! use anam::Operation;
//! use anam::dynamic::Request;
//! use serde_json::json;
//!
//! # async fn demo(client: anam::Client) -> anam::Result<()> {
//! let request = Request::new(Operation::CreatePersona).arg("name", "Front desk").arg("systemPrompt", "Be brief.");
//! let persona = client.call(request).await?;
//! let get = Request::from_id("getPersona")?.arg("id", persona["id"].clone());
//! let again = client.call(get).await?;
//! assert_eq!(again["name"], json!("Front desk"));
//! # Ok(()) }
//! ```

use anam_api::Call;
use anam_api::facts::{Input, InputKind, InputLocation, Operation, mask_secrets};
use anam_api::types::Pagination;
use futures::Stream;
use futures::stream::BoxStream;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result, ValidationError};
use crate::pagination;
use crate::upload::{Form, Upload};

/// One call of an operation chosen at run time: its inputs by name, the file of an upload, and
/// whether the answer's secrets are shown.
#[derive(Debug, Clone)]
pub struct Request {
    operation: Operation,
    values: Map<String, Value>,
    file: Option<Upload>,
    reveal_secrets: bool,
}

impl Request {
    /// A call of `operation` with no inputs yet.
    pub fn new(operation: Operation) -> Self {
        Request { operation, values: Map::new(), file: None, reveal_secrets: false }
    }

    /// A call of the operation whose operationId is `id` (`getPersona`).
    pub fn from_id(id: &str) -> Result<Self, ValidationError> {
        let operation = Operation::from_id(id).ok_or_else(|| {
            ValidationError::new("operationId", format!("{id:?}"), "the operationId of an operation of the spec")
        })?;
        Ok(Request::new(operation))
    }

    /// The operation it calls.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// Sets the input `name` (as on the wire: `perPage`, `systemPrompt`). A string is also read
    /// as JSON when the input takes a number, a boolean, a list or an object (`"5"` for a
    /// number), as a command line gives it.
    pub fn arg(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Sets every input of a JSON object (an assistant's arguments, a body read from a file).
    pub fn args(mut self, values: Map<String, Value>) -> Self {
        self.values.extend(values);
        self
    }

    /// The inputs set so far.
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }

    /// The file of an upload (the operation's input of kind [`InputKind::File`]); with one, an
    /// operation that also takes JSON is sent as `multipart/form-data`.
    pub fn file(mut self, upload: Upload) -> Self {
        self.file = Some(upload);
        self
    }

    /// Shows the answer's secrets instead of `[redacted]` (for an operation that exists to hand
    /// one out: [`Operation::hands_out_secret`]). Off by default.
    pub fn reveal_secrets(mut self, reveal: bool) -> Self {
        self.reveal_secrets = reveal;
        self
    }

    /// Checks every input's name, and an enum's value, against the operation's inputs.
    fn check(&self) -> Result<(), ValidationError> {
        let inputs = self.operation.inputs();
        for (name, value) in &self.values {
            let Some(input) = inputs.iter().find(|i| i.name == *name && i.kind != InputKind::File) else {
                let known: Vec<&str> = inputs.iter().filter(|i| i.kind != InputKind::File).map(|i| i.name).collect();
                let expected = match known.is_empty() {
                    true => format!("not given: {} takes no inputs", self.operation.id()),
                    false => format!("one of the inputs of {}: {}", self.operation.id(), known.join(", ")),
                };
                return Err(ValidationError::new(name.as_str(), "given", expected));
            };
            if let Some(text) = value.as_str()
                && !input.values.is_empty()
                && !input.values.contains(&text)
            {
                return Err(ValidationError::new(name.as_str(), format!("{text:?}"), one_of(input.values)));
            }
        }
        Ok(())
    }

    /// Whether it goes as `multipart/form-data`: it has a file, or the operation takes no JSON.
    fn is_upload(&self) -> bool {
        let inputs = self.operation.inputs();
        let takes_file = inputs.iter().any(|i| i.kind == InputKind::File);
        let takes_json = inputs.iter().any(|i| i.location == InputLocation::Body);
        takes_file && (self.file.is_some() || !takes_json)
    }
}

impl Client {
    /// Sends the operation of `request` with its inputs (see [`crate::dynamic`]) and returns its
    /// answer as JSON (`null` for an answer without a body), secrets masked unless asked for.
    pub async fn call(&self, request: Request) -> Result<Value> {
        request.check()?;
        let mut answer = if request.is_upload() {
            self.call_upload(&request).await?
        } else if request.file.is_some() {
            let err =
                ValidationError::new("file", "given", format!("not given: {} uploads no file", request.operation.id()));
            return Err(err.into());
        } else {
            let args = Arguments { operation: request.operation, values: &request.values };
            anam_api::dynamic::send(self.api(), request.operation, &args, &Sending(self)).await?
        };
        if !request.reveal_secrets {
            mask_secrets(&mut answer, request.operation.answer_secrets());
        }
        Ok(answer)
    }

    /// Every item of a list operation's answer, page after page, as for [`crate::Resource::stream`]:
    /// from the request's `page` (or 1) with its `perPage` (or 100, the API's maximum), ending
    /// with [`Error::Paging`] when the server answers another page than the one asked for. A
    /// list the API does not page (a JSON array) is one page. Secrets are masked as by
    /// [`Client::call`].
    pub fn call_pages(&self, request: Request) -> BoxStream<'static, Result<Value>> {
        let client = self.clone();
        let first = request.values.get("page").and_then(number).unwrap_or(1);
        let per_page = request.values.get("perPage").and_then(number).unwrap_or(pagination::STREAM_PAGE_SIZE);
        let paged = request.operation.input("perPage").is_some();
        let fetch = move |page: u64| {
            let request = match paged {
                true => request.clone().arg("page", page).arg("perPage", per_page),
                false => request.clone(),
            };
            let client = client.clone();
            async move { client.call(request).await }
        };
        Box::pin(json_pages(first, fetch))
    }
}

/// Every item of the pages `fetch` answers (`{data, meta}`, or an array: one page).
fn json_pages<F, Fut>(first: u64, fetch: F) -> impl Stream<Item = Result<Value>> + Send
where
    F: FnMut(u64) -> Fut + Send,
    Fut: std::future::Future<Output = Result<Value>> + Send,
{
    pagination::pages_of(first, fetch, split_page, |item: &Value| match item.get("id").and_then(Value::as_str) {
        Some(id) => id.to_owned(),
        None => item.to_string(),
    })
}

/// A page's items and paging metadata: `{data: [...], meta: {...}}`, or an array without any.
fn split_page(page: Value) -> (Vec<Value>, Option<Pagination>) {
    match page {
        Value::Array(items) => (items, None),
        Value::Object(mut map) => {
            let meta = map.remove("meta").and_then(|m| serde_json::from_value(m).ok());
            let items = match map.remove("data") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            (items, meta)
        }
        _ => (Vec::new(), None),
    }
}

fn number(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str()?.trim().parse().ok())
}

impl Client {
    /// An upload: the form's text fields from the inputs, the file, the path's `{id}`.
    async fn call_upload(&self, request: &Request) -> Result<Value> {
        let operation = request.operation;
        let mut form = Form::new(operation);
        let mut id = None;
        for (name, value) in &request.values {
            let input =
                operation.input(name).ok_or_else(|| ValidationError::new(name.as_str(), "given", "an input"))?;
            match input.location {
                InputLocation::Path => id = Some(text_of(value)),
                InputLocation::Body | InputLocation::Form => form = form.text(name, text_of(value))?,
                InputLocation::Query | InputLocation::File => {
                    let expected = format!("not given with a file: {} sends it as a form", operation.id());
                    return Err(ValidationError::new(name.as_str(), "given", expected).into());
                }
            }
        }
        let file = operation.inputs().iter().find(|i| i.kind == InputKind::File).map(|i| i.name);
        match (file, &request.file) {
            (Some(field), Some(upload)) => form = form.file(field, upload.clone())?,
            (Some(field), None) => return Err(ValidationError::new(field, "missing", "a file to upload").into()),
            (None, _) => {}
        }
        crate::request::send_form::<Value>(self, operation, id.as_deref(), form).await
    }
}

/// A form field's text: a string as it is, anything else as its JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Sends a generated builder through [`Client::send`] and encodes its answer as JSON.
struct Sending<'a>(&'a Client);

impl anam_api::dynamic::Sender for Sending<'_> {
    type Error = Error;

    async fn send<C>(&self, call: C) -> Result<Value>
    where
        C: Call,
        C::Output: serde::Serialize,
    {
        let answer = self.0.send(call).await?;
        serde_json::to_value(answer)
            .map_err(|e| Error::InvalidRequest(format!("cannot encode the answer as JSON: {e}")))
    }
}

/// A request's inputs, as the generated builders read them.
struct Arguments<'a> {
    operation: Operation,
    values: &'a Map<String, Value>,
}

impl anam_api::dynamic::Arguments for Arguments<'_> {
    fn parameter<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ValidationError> {
        let Some(value) = self.values.get(name) else { return Ok(None) };
        let input = self.operation.input(name);
        decode(value, name, input).map(Some)
    }

    fn body<T: DeserializeOwned>(&self) -> Result<T, ValidationError> {
        let body: Map<String, Value> = self
            .values
            .iter()
            .filter(|(name, _)| self.operation.input(name).is_some_and(|i| i.location == InputLocation::Body))
            .map(|(name, value)| (name.clone(), read_text_as_json(value, self.operation.input(name))))
            .collect();
        let body = Value::Object(body);
        serde_path_to_error::deserialize(&body).map_err(|error| {
            let field = error.path().to_string();
            let shown = shown_at(&body, &field);
            refused(if field == "." { String::new() } else { field }, shown, error.inner())
        })
    }
}

/// `value` decoded as `T`; a string given for a number, boolean, list or object is read as JSON.
fn decode<T: DeserializeOwned>(value: &Value, name: &str, input: Option<&Input>) -> Result<T, ValidationError> {
    let value = read_text_as_json(value, input);
    serde_json::from_value(value.clone()).map_err(|error| refused(name.to_owned(), shown(&value), &error))
}

/// A string read as the JSON it holds when the input takes another kind of value (`"5"` for a
/// number, `"true"`, `"[1, 2]"`), as a command line gives every value.
fn read_text_as_json(value: &Value, input: Option<&Input>) -> Value {
    let takes_text = input.is_none_or(|i| matches!(i.kind, InputKind::String | InputKind::File));
    match value {
        Value::String(text) if !takes_text => serde_json::from_str(text).unwrap_or_else(|_| value.clone()),
        _ => value.clone(),
    }
}

/// The error of a value serde refused: the field, the value, and what it expects, in words.
fn refused(field: String, value: String, error: &serde_json::Error) -> ValidationError {
    let message = error.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    if let Some(missing) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        let field = if field.is_empty() { missing.to_owned() } else { format!("{field}.{missing}") };
        return ValidationError::new(field, "missing", "given: it is required");
    }
    let expected = match message.rsplit_once("expected ") {
        Some((_, expected)) => in_words(expected),
        None => message.to_owned(),
    };
    ValidationError::new(field, value, expected)
}

/// What serde says it expected, in words.
fn in_words(expected: &str) -> String {
    let expected = expected.trim().trim_end_matches('.');
    match expected {
        "f64" | "f32" => "a number".into(),
        "u64" | "i64" | "u32" | "i32" | "u16" | "usize" | "a nonzero u64" | "a nonzero integer" => {
            "a whole number".into()
        }
        "a boolean" => "true or false".into(),
        "a string" => "a text".into(),
        "a sequence" => "a list".into(),
        other if other.starts_with("struct ") || other == "a map" => "an object".into(),
        other => other.replace('`', ""),
    }
}

/// `value`, shortened, as an error shows it.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 { format!("{}…", text.chars().take(60).collect::<String>()) } else { text }
}

/// The value at serde's path (`voiceDetectionOptions.endOfSpeechSensitivity`, `toolIds[2]`).
fn shown_at(body: &Value, path: &str) -> String {
    let mut at = body;
    for step in path.split('.').filter(|s| !s.is_empty()) {
        let (name, index) = match step.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (step, None),
        };
        at = match at.get(name) {
            Some(next) => next,
            None => return "given".into(),
        };
        if let Some(index) = index {
            at = match at.get(index) {
                Some(next) => next,
                None => return "given".into(),
            };
        }
    }
    shown(at)
}

/// `one of a, b, c`.
fn one_of(values: &[&str]) -> String {
    format!("one of {}", values.join(", "))
}
