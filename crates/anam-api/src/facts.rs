//! The spec's operations and documented ranges as data, and the checks that read them.
//!
//! `cargo xtask codegen` writes the data and the typed `check_*` functions (`facts_generated.rs`)
//! from `openapi/anam.yaml`; the `anam` SDK runs them on each request before sending, and
//! `anam-mock` refuses what they refuse, so a range or a path is written down once, in the spec.
//!
//! ```
//! use anam_api::facts::{Location, Operation};
//!
//! let bound = Operation::ListPersonas.bound(Location::Query, "perPage").unwrap();
//! assert_eq!(bound.expected(), "between 1 and 100");
//! assert_eq!(Operation::classify("DELETE", "/v1/personas/abc"), Some(Operation::DeletePersona));
//! ```

use std::fmt;

pub use crate::facts_generated::*;
use crate::invalid::ValidationError;

/// Where a bounded request field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A query parameter, named as on the wire (`perPage`).
    Query,
    /// A field of the JSON body, named by its path (`voiceDetectionOptions.speechEnhancementLevel`).
    Body,
}

/// The documented range of one request field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The operation that takes the field.
    pub operation: Operation,
    /// Query parameter or body field.
    pub location: Location,
    /// The parameter's name, or the body field's path with dots.
    pub field: &'static str,
    /// The smallest value accepted (inclusive).
    pub minimum: Option<f64>,
    /// The largest value accepted (inclusive).
    pub maximum: Option<f64>,
}

impl Bound {
    /// Whether `value` lies in the range; NaN and infinities never do.
    pub fn contains(&self, value: f64) -> bool {
        value.is_finite() && self.minimum.is_none_or(|min| value >= min) && self.maximum.is_none_or(|max| value <= max)
    }

    /// The range in words: `between 0 and 1`, `at least 1` or `at most 100`.
    pub fn expected(&self) -> String {
        range_text(self.minimum, self.maximum)
    }
}

/// A field of `VoiceGenerationOptions` that applies to a voice provider, with that provider's
/// range where it has its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProviderField {
    /// The provider's key in the spec (`elevenlabs-v1`, `cartesia`, ...).
    pub provider: &'static str,
    /// The field, as on the wire (`speed`).
    pub field: &'static str,
    /// The provider's smallest value (inclusive), when narrower than the field's own.
    pub minimum: Option<f64>,
    /// The provider's largest value (inclusive), when narrower than the field's own.
    pub maximum: Option<f64>,
}

/// A field of `ToolConfig` that applies to a tool type (the spec's `x-anam-tool-types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolConfigField {
    /// The tool type, as on the wire (`SERVER_WEBHOOK`).
    pub tool_type: &'static str,
    /// The field, as on the wire (`url`).
    pub field: &'static str,
    /// Whether a tool of this type must have it when it is created (an update requires nothing).
    pub required: bool,
}

/// A field of a `multipart/form-data` request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormField {
    /// The operation whose body it is.
    pub operation: Operation,
    /// The field's name in the form (`chunkSize`).
    pub field: &'static str,
    /// Whether it is the file (`format: binary`).
    pub file: bool,
    /// Whether the body must have it.
    pub required: bool,
    /// The largest file, in bytes, where the spec gives one (`x-anam-max-bytes`).
    pub max_bytes: Option<u64>,
    /// The shortest text, in characters (`minLength`).
    pub min_length: Option<usize>,
    /// The longest text, in characters (`maxLength`).
    pub max_length: Option<usize>,
}

impl Operation {
    /// The fields of this operation's `multipart/form-data` body (none if it has no such body).
    pub fn form_fields(self) -> impl Iterator<Item = &'static FormField> {
        FORM_FIELDS.iter().filter(move |f| f.operation == self)
    }
}

/// What an operation does to the account ([`Operation::effect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// It only reads (a `GET`, or `x-anam-reads-only`: a search).
    Reads,
    /// It creates or changes something.
    Changes,
    /// It deletes, stops or cancels something (a `DELETE`, or `x-anam-destructive`).
    Destroys,
}

/// Where an input of an operation goes ([`Operation::inputs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputLocation {
    /// A path parameter (`{id}`).
    Path,
    /// A query parameter.
    Query,
    /// A top-level field of the JSON body.
    Body,
    /// A text field of the `multipart/form-data` body that the JSON body lacks.
    Form,
    /// The file of the `multipart/form-data` body, given as a path.
    File,
}

/// What kind of value an input takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// A text (an id, a name, a date, an enum value).
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON list.
    Array,
    /// A JSON object (or one of several object shapes).
    Object,
    /// A file to upload, given by its path.
    File,
}

/// One input of an operation, as the spec declares it: a parameter, a top-level body field or
/// a multipart field. Everything a command line's flags or an assistant's tool schema needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Input {
    /// Its name on the wire (`perPage`, `systemPrompt`, `audioFile`).
    pub name: &'static str,
    /// Where it goes.
    pub location: InputLocation,
    /// Whether the operation needs it (a field of both bodies when both need it).
    pub required: bool,
    /// The spec's description.
    pub description: &'static str,
    /// What kind of value it takes.
    pub kind: InputKind,
    /// The schema's `format` (`date-time`, `uuid`, `password`), if any.
    pub format: Option<&'static str>,
    /// The values an enum takes, in the spec's order (empty when it is not an enum).
    pub values: &'static [&'static str],
    /// The smallest number accepted, if the spec gives one.
    pub minimum: Option<f64>,
    /// The largest number accepted, if the spec gives one.
    pub maximum: Option<f64>,
    /// The default the spec documents, as JSON text.
    pub default: Option<&'static str>,
    /// Whether it is a `Secret` (a credential, a header value).
    pub secret: bool,
    /// The id schema it holds (`PersonaId`), for an id or a list of ids: [`list_for_id`] gives
    /// the list that finds one by name.
    pub id_of: Option<&'static str>,
}

impl Operation {
    /// The operation with this operationId (`getPersona`), if the spec has it.
    pub fn from_id(id: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.id() == id)
    }

    /// The input of this name, if the operation has one.
    pub fn input(self, name: &str) -> Option<&'static Input> {
        self.inputs().iter().find(|input| input.name == name)
    }
}

/// What [`mask_secrets`] puts in place of a secret.
pub const MASK: &str = "[redacted]";

/// Replaces every string at one of `paths` in `value` with [`MASK`] (`paths` as
/// [`Operation::answer_secrets`] writes them: names joined by `.`, `[]` for each item of a list,
/// `*` for each value of a map). What is not there, or not a string, is left as it is.
///
/// ```
/// use anam_api::facts::{mask_secrets, Operation};
///
/// let mut link = serde_json::json!({"id": "l1", "token": "abc123"});
/// mask_secrets(&mut link, Operation::GetShareLink.answer_secrets());
/// assert_eq!(link, serde_json::json!({"id": "l1", "token": "[redacted]"}));
/// ```
pub fn mask_secrets(value: &mut serde_json::Value, paths: &[&str]) {
    for path in paths {
        mask_at(value, path);
    }
}

fn mask_at(value: &mut serde_json::Value, path: &str) {
    use serde_json::Value;
    if path.is_empty() {
        if value.is_string() {
            *value = Value::from(MASK);
        }
        return;
    }
    let (step, rest) = path.split_once('.').unwrap_or((path, ""));
    let (name, lists) = match step.find("[]") {
        Some(at) => (&step[..at], step[at..].matches("[]").count()),
        None => (step, 0),
    };
    let mut targets: Vec<&mut Value> = match (name, value) {
        ("", value) => vec![value],
        ("*", Value::Object(map)) => map.values_mut().collect(),
        (name, Value::Object(map)) => map.get_mut(name).into_iter().collect(),
        _ => return,
    };
    for _ in 0..lists {
        targets = targets.into_iter().filter_map(|t| t.as_array_mut()).flat_map(|items| items.iter_mut()).collect();
    }
    for target in targets {
        mask_at(target, rest);
    }
}

/// A rule of a request body that a range cannot say, read from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// `format: uri`: a text that is an absolute URI (`https://example.com/hook`).
    Uri,
    /// `minItems`: a list of at least this many items.
    MinItems(usize),
    /// `minProperties`: an object of at least this many fields.
    MinProperties(usize),
    /// `x-anam-max-json-bytes`: a value of at most this many bytes as JSON.
    MaxJsonBytes(usize),
    /// A `ToolConfig`, whose fields must suit the `type` beside it ([`check_tool_config`]).
    ToolConfig,
}

/// A [`Rule`] of one field of an operation's request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRule {
    /// The operation whose body it is.
    pub operation: Operation,
    /// The field's JSON path: `urls[].url`, where `[]` stands for every item of the list.
    pub field: &'static str,
    /// What the field must be.
    pub rule: Rule,
}

/// The longest period between two date-time query parameters of an operation (the spec's
/// `x-anam-period`): `from` must come before `to`, at most `max_days` days before it. `to`
/// defaults to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The operation that takes the parameters.
    pub operation: Operation,
    /// The start's query parameter (`from`).
    pub from: &'static str,
    /// The end's query parameter (`to`).
    pub to: &'static str,
    /// How many days the period may span at most.
    pub max_days: u64,
}

impl Operation {
    /// The rules of this operation's request body (none if it has no body, or no rule).
    pub fn body_rules(self) -> impl Iterator<Item = &'static BodyRule> {
        BODY_RULES.iter().filter(move |r| r.operation == self)
    }

    /// The longest period of this operation's date-time query parameters, if the spec gives one.
    pub fn period(self) -> Option<&'static Period> {
        PERIODS.iter().find(|p| p.operation == self)
    }
}

/// Checks a request body of `operation` (typed, or JSON as it arrived) against the rules the
/// spec gives it beyond ranges ([`BODY_RULES`]): URIs, list and object sizes, JSON sizes and
/// tool configs. `Client::send` runs it, as the SDK's builders do their own equivalents, and the fake
/// refuses what it refuses. The error names the field with its indexes (`urls[0].url`).
///
/// ```
/// use anam_api::facts::{Operation, check_body_rules};
/// use serde_json::json;
///
/// let body = json!({"urls": [{"url": "https://api.example.com/v1"}, {"url": ""}]});
/// let err = check_body_rules(Operation::CreateLlm, &body).unwrap_err();
/// assert_eq!(err.field, "urls[1].url");
/// assert!(check_body_rules(Operation::CreateLlm, &json!({"urls": []})).is_err(), "minItems: 1");
/// ```
pub fn check_body_rules<T: serde::Serialize>(operation: Operation, body: &T) -> Result<(), ValidationError> {
    if operation.body_rules().next().is_none() {
        return Ok(());
    }
    let body = serde_json::to_value(body).map_err(|e| ValidationError::new("body", e, "a JSON body"))?;
    match broken_body_rule(operation, &body) {
        Some((_, error)) => Err(error),
        None => Ok(()),
    }
}

/// The first rule of [`BODY_RULES`] that a JSON body of `operation` breaks, with its error:
/// [`check_body_rules`] for a body as it arrived (the fake answers the rule's kind).
pub fn broken_body_rule(operation: Operation, body: &serde_json::Value) -> Option<(Rule, ValidationError)> {
    for rule in operation.body_rules() {
        for (field, value, parent) in values_at(body, rule.field) {
            if let Err(error) = check_rule(rule, &field, value, parent, operation) {
                return Some((rule.rule, error));
            }
        }
    }
    None
}

/// Checks one value against its rule.
fn check_rule(
    rule: &BodyRule,
    field: &str,
    value: &serde_json::Value,
    parent: &serde_json::Value,
    operation: Operation,
) -> Result<(), ValidationError> {
    use serde_json::Value;
    match rule.rule {
        Rule::Uri => match value {
            Value::String(text) if is_uri(text) => Ok(()),
            Value::String(text) => {
                let expected = "an absolute URI (such as https://example.com/path)";
                Err(ValidationError::new(field, format!("{text:?}"), expected))
            }
            _ => Ok(()),
        },
        Rule::MinItems(min) => match value {
            Value::Array(items) if items.len() < min => {
                let plural = if min == 1 { "" } else { "s" };
                Err(ValidationError::new(
                    field,
                    format!("{} items", items.len()),
                    format!("at least {min} item{plural}"),
                ))
            }
            _ => Ok(()),
        },
        Rule::MinProperties(min) => match value {
            Value::Object(fields) if fields.len() < min => {
                let plural = if min == 1 { "" } else { "s" };
                Err(ValidationError::new(
                    field,
                    format!("{} fields", fields.len()),
                    format!("at least {min} field{plural}"),
                ))
            }
            _ => Ok(()),
        },
        Rule::MaxJsonBytes(max) => {
            let size = serde_json::to_vec(value).map_or(usize::MAX, |json| json.len());
            match size > max {
                true => {
                    Err(ValidationError::new(field, format!("{size} bytes"), format!("at most {max} bytes as JSON")))
                }
                false => Ok(()),
            }
        }
        Rule::ToolConfig => {
            let Ok(config) = serde_json::from_value::<crate::types::ToolConfig>(value.clone()) else {
                return Ok(()); // not a config at all: the body's type says so
            };
            let tool_type = parent.get("type").and_then(Value::as_str);
            check_tool_config(tool_type, &config, operation.method() == "POST").map_err(|e| at_prefix(e, field))
        }
    }
}

/// The error of a tool config found at `field` (`config`), named from the body's root.
fn at_prefix(mut error: ValidationError, field: &str) -> ValidationError {
    if let Some(parent) = field.strip_suffix("config") {
        error.field = format!("{parent}{}", error.field);
    }
    error
}

/// Whether `text` is an absolute URI: a scheme, then the rest, as a URL parser reads it.
fn is_uri(text: &str) -> bool {
    url::Url::parse(text).is_ok()
}

/// Every value at a JSON `path` of `root` (`urls[].url`: every item of `urls`), with its path as
/// an error names it (`urls[1].url`) and the object that holds it. A value that is not there,
/// or `null`, is not returned.
fn values_at<'a>(
    root: &'a serde_json::Value,
    path: &str,
) -> Vec<(String, &'a serde_json::Value, &'a serde_json::Value)> {
    let mut found = vec![(String::new(), root, root)];
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (name, lists) = (segment.trim_end_matches("[]"), segment.matches("[]").count());
        let mut next = Vec::new();
        for (at, value, _) in found {
            let Some(child) = value.get(name).filter(|v| !v.is_null()) else { continue };
            let mut level = vec![(if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") }, child, value)];
            for _ in 0..lists {
                level = level
                    .into_iter()
                    .flat_map(|(at, list, _)| {
                        let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
                        items.iter().enumerate().map(move |(i, item)| (format!("{at}[{i}]"), item, list))
                    })
                    .collect();
            }
            next.extend(level);
        }
        found = next;
    }
    found.into_iter().filter(|(at, _, _)| !at.is_empty()).collect()
}

/// A field whose value, serialized as JSON, must not exceed a number of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonSizeLimit {
    /// The schema that has the field (`InlineTool`).
    pub schema: &'static str,
    /// The field, as on the wire (`parameters`).
    pub field: &'static str,
    /// The largest size accepted, in bytes of UTF-8 JSON.
    pub max_bytes: usize,
}

/// The documented size limit of a field of a schema, if it has one.
pub fn json_size_limit(schema: &str, field: &str) -> Option<&'static JsonSizeLimit> {
    JSON_SIZE_LIMITS.iter().find(|limit| limit.schema == schema && limit.field == field)
}

/// The tool types that take a `ToolConfig` field, as the spec's `x-anam-tool-types` says.
pub fn tool_types_taking(field: &str) -> Vec<&'static str> {
    TOOL_CONFIG_FIELDS.iter().filter(|f| f.field == field).map(|f| f.tool_type).collect()
}

/// Checks a tool's `config` against the spec's `x-anam-tool-types`, the one rule the SDK's
/// builders, `Client::send`, the CLI and the fake share. With the tool's `tool_type`: every
/// field set is one the type takes and, when `create`, every field the type requires is set.
/// Without it (an update that keeps the type): the fields set are all fields of one type.
/// Errors name the field (`config.url`) and the types that take it.
///
/// ```
/// use anam_api::facts::check_tool_config;
/// use anam_api::types::ToolConfig;
///
/// let url = ToolConfig { url: Some("https://example.com/hook".into()), ..Default::default() };
/// let err = check_tool_config(Some("CLIENT"), &url, true).unwrap_err();
/// assert_eq!(err.to_string(), "config.url is set, but must be absent for CLIENT tools (it applies to SERVER_WEBHOOK)");
/// let err = check_tool_config(Some("SERVER_WEBHOOK"), &url, true).unwrap_err();
/// assert_eq!(err.to_string(), "config.method is unset, but must be set for SERVER_WEBHOOK tools");
/// assert!(check_tool_config(None, &url, false).is_ok());
/// ```
pub fn check_tool_config(
    tool_type: Option<&str>,
    config: &crate::types::ToolConfig,
    create: bool,
) -> Result<(), ValidationError> {
    let Some(kind) = tool_type else { return check_one_tool_type(config) };
    for (field, set) in tool_config_fields(config) {
        let rule = TOOL_CONFIG_FIELDS.iter().find(|r| r.tool_type == kind && r.field == field);
        match rule {
            None if set => return Err(not_for_tool_type(field, kind)),
            Some(rule) if create && rule.required && !set => {
                return Err(ValidationError::new(format!("config.{field}"), "unset", format!("set for {kind} tools")));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The error of a config field that the tool's type does not take.
fn not_for_tool_type(field: &str, kind: &str) -> ValidationError {
    let takes = tool_types_taking(field);
    let expected = if takes.is_empty() {
        format!("absent for {kind} tools")
    } else {
        format!("absent for {kind} tools (it applies to {})", takes.join(" and "))
    };
    ValidationError::new(format!("config.{field}"), "set", expected)
}

/// For an update that does not say the tool's type: the config fields it sets must all be
/// fields of one type, since a tool has one.
fn check_one_tool_type(config: &crate::types::ToolConfig) -> Result<(), ValidationError> {
    let set: Vec<&str> = tool_config_fields(config).into_iter().filter(|(_, set)| *set).map(|(f, _)| f).collect();
    let Some((first, rest)) = set.split_first() else { return Ok(()) };
    let mut candidates = tool_types_taking(first);
    for (i, field) in rest.iter().enumerate() {
        let takes = tool_types_taking(field);
        candidates.retain(|t| takes.contains(t));
        if candidates.is_empty() {
            let others = set[..=i].join(", config.");
            let expected = format!("absent alongside config.{others}: no tool type takes them all");
            return Err(ValidationError::new(format!("config.{field}"), "set", expected));
        }
    }
    Ok(())
}

/// A number of a typed request body as the `f64` its bound is written in (the generated `check_*`
/// functions read integer fields through it: typify makes an integer whose minimum is 1 a
/// `NonZeroU64`, and others an `i64`).
pub trait ToF64 {
    /// The value as an `f64` (exact up to 2^53, far beyond any documented bound).
    fn to_f64(self) -> f64;
}

impl ToF64 for i64 {
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl ToF64 for u64 {
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl ToF64 for std::num::NonZeroU64 {
    fn to_f64(self) -> f64 {
        self.get() as f64
    }
}

impl ToF64 for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

/// Checks one value against its bound (the generated `check_*` functions call this).
pub fn check(bound: &'static Bound, value: Option<f64>) -> Result<(), OutOfBounds> {
    match value {
        Some(value) if !bound.contains(value) => Err(OutOfBounds { bound, value }),
        _ => Ok(()),
    }
}

/// The range in words, for error messages.
pub fn range_text(minimum: Option<f64>, maximum: Option<f64>) -> String {
    match (minimum, maximum) {
        (Some(min), Some(max)) => format!("between {min} and {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "a finite number".to_string(),
    }
}

impl Operation {
    /// The operation whose method and path template match a request, if any. A template's
    /// `{parameter}` matches exactly one non-empty path segment. When several templates match
    /// (`/v1/sessions/concurrency` and `/v1/sessions/{id}`), the one with the most literal
    /// segments wins, whatever their order in the spec; of equals, the first in the spec.
    pub fn classify(method: &str, path: &str) -> Option<Operation> {
        best_match(Operation::ALL.iter().copied(), method, path)
    }

    /// The bound of one field of this operation.
    pub fn bound(self, location: Location, field: &str) -> Option<&'static Bound> {
        REQUEST_BOUNDS.iter().find(|b| b.operation == self && b.location == location && b.field == field)
    }
}

/// Of `candidates`, the one whose method and template match and whose template has the most
/// literal segments; of equals, the first.
fn best_match(candidates: impl Iterator<Item = Operation>, method: &str, path: &str) -> Option<Operation> {
    let literals = |op: &Operation| op.path().split('/').filter(|s| !(s.starts_with('{') && s.ends_with('}'))).count();
    candidates
        .filter(|op| op.method() == method && matches_template(op.path(), path))
        .min_by_key(|op| std::cmp::Reverse(literals(op)))
}

fn matches_template(template: &str, path: &str) -> bool {
    let (mut wanted, mut given) = (template.split('/'), path.split('/'));
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// A request field outside its documented range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutOfBounds {
    /// The range it broke.
    pub bound: &'static Bound,
    /// The value it had.
    pub value: f64,
}

impl fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}, but must be {}", self.bound.field, self.value, self.bound.expected())
    }
}

impl std::error::Error for OutOfBounds {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_found_by_its_method_and_path_and_nothing_else() {
        for op in Operation::ALL {
            let path = op.path().replace("{id}", "x-1");
            assert_eq!(Operation::classify(op.method(), &path), Some(*op), "{op:?}");
        }
        for (method, path) in [
            ("GET", "/v1/personas/"),
            ("GET", "/v1/personas/a/b"),
            ("GET", "/v1/personasx"),
            ("PATCH", "/v1/personas/a"),
            ("PATCH", "/v1/tools/a"),
            ("POST", "/v1/sessions/a"),
            ("GET", "/v1/sessions/a/stop"),
            ("DELETE", "/v1/sessions/a"),
            ("GET", "/v1/knowledge/groups/a/search"),
            ("POST", "/v1/knowledge/documents/a"),
            ("GET", "/v1/engine/session"),
            ("GET", "/v1/auth/session-token"),
        ] {
            assert_eq!(Operation::classify(method, path), None, "{method} {path}");
        }
        for (method, path, op) in [
            ("POST", "/v1/avatars", Operation::CreateAvatar),
            ("DELETE", "/v1/voices/a", Operation::DeleteVoice),
            ("POST", "/v1/voices/presigned-upload", Operation::CreateVoicePresignedUpload),
            ("POST", "/v1/knowledge/groups/g/documents", Operation::UploadKnowledgeGroupDocument),
        ] {
            assert_eq!(Operation::classify(method, path), Some(op), "{method} {path}");
        }
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter_whatever_the_order() {
        let cases = [
            ("/v1/sessions/concurrency", Operation::GetSessionConcurrency),
            ("/v1/sessions/analytics", Operation::GetAggregatedSessionAnalytics),
            ("/v1/sessions/3f1c", Operation::GetSession),
            ("/v1/sessions/3f1c/analytics", Operation::GetSessionAnalytics),
        ];
        for (path, op) in cases {
            assert_eq!(Operation::classify("GET", path), Some(op), "{path}");
            let reversed = Operation::ALL.iter().rev().copied();
            assert_eq!(best_match(reversed, "GET", path), Some(op), "{path}, templates in reverse order");
        }
    }

    #[test]
    fn typed_bodies_are_checked_against_the_same_ranges() {
        use crate::types::{PersonaUpdate, VoiceDetectionOptions};
        let mut body = PersonaUpdate::default();
        assert!(check_update_persona(&body).is_ok());
        body.voice_detection_options =
            Some(VoiceDetectionOptions { speech_enhancement_level: Some(f64::NAN), ..Default::default() });
        let err = check_update_persona(&body).unwrap_err();
        assert_eq!(err.bound.field, "voiceDetectionOptions.speechEnhancementLevel");
        assert!(err.value.is_nan());
        let json = serde_json::json!({"voiceDetectionOptions": {"speechEnhancementLevel": 1.5}});
        let typed: PersonaUpdate = serde_json::from_value(json).unwrap();
        let err = check_update_persona(&typed).unwrap_err();
        assert_eq!(err.to_string(), "voiceDetectionOptions.speechEnhancementLevel is 1.5, but must be between 0 and 1");
        let volume = crate::types::VoiceGenerationOptions { volume: Some(0.1), ..Default::default() };
        let body = crate::types::PersonaCreate { voice_generation_options: Some(volume), ..Default::default() };
        assert_eq!(check_create_persona(&body).unwrap_err().bound.field, "voiceGenerationOptions.volume");
    }

    #[test]
    fn integer_and_defaulted_fields_are_checked_too() {
        use crate::types::{KnowledgeSearchRequest, ToolCreate, VoicePresignedUploadRequest};
        let search: KnowledgeSearchRequest = serde_json::from_value(serde_json::json!({"query": "q"})).unwrap();
        assert_eq!(search.limit.get(), 5, "the documented default");
        assert!(check_search_knowledge_group(&search).is_ok());
        let search: KnowledgeSearchRequest =
            serde_json::from_value(serde_json::json!({"query": "q", "limit": 21})).unwrap();
        assert_eq!(
            check_search_knowledge_group(&search).unwrap_err().to_string(),
            "limit is 21, but must be between 1 and 20"
        );
        let upload = serde_json::json!({"filename": "a.wav", "contentType": "audio/wav", "fileSize": 52_428_801});
        let upload: VoicePresignedUploadRequest = serde_json::from_value(upload).unwrap();
        assert_eq!(check_create_voice_presigned_upload(&upload).unwrap_err().bound.field, "fileSize");
        let tool = serde_json::json!({"name": "t", "description": "d", "type": "CLIENT",
            "config": {"awaitResult": true, "toolTimeoutSeconds": 601}});
        let tool: ToolCreate = serde_json::from_value(tool).unwrap();
        assert_eq!(
            check_create_tool(&tool).unwrap_err().to_string(),
            "config.toolTimeoutSeconds is 601, but must be between 1 and 600"
        );
    }

    #[test]
    fn each_tool_type_lists_the_config_fields_it_takes_and_needs() {
        let fields = |tool_type: &str, required: bool| -> Vec<&str> {
            TOOL_CONFIG_FIELDS
                .iter()
                .filter(|f| f.tool_type == tool_type && (f.required || !required))
                .map(|f| f.field)
                .collect()
        };
        assert_eq!(fields("CLIENT", false), ["awaitResult", "parameters", "toolTimeoutSeconds"]);
        assert_eq!(fields("CLIENT", true), Vec::<&str>::new());
        assert_eq!(fields("SERVER_RAG", true), ["documentFolderIds"]);
        assert_eq!(fields("SERVER_WEBHOOK", false), ["bodyTemplate", "headers", "method", "url"]);
        assert_eq!(fields("SERVER_WEBHOOK", true), ["method", "url"]);
        assert_eq!(fields("SYSTEM", true), ["action"]);
        let config =
            serde_json::json!({"url": "https://example.com/hook", "headers": {"Authorization": "Bearer s3cret"}});
        let config: crate::types::ToolConfig = serde_json::from_value(config).unwrap();
        let set: Vec<&str> = tool_config_fields(&config).into_iter().filter(|(_, set)| *set).map(|(f, _)| f).collect();
        assert_eq!(set, ["headers", "url"]);
        let named = tool_config_fields(&Default::default()).map(|(f, _)| f);
        assert!(TOOL_CONFIG_FIELDS.iter().all(|f| named.contains(&f.field)));
        assert!(!format!("{config:?}").contains("s3cret"), "a webhook header's value is a Secret");
    }

    #[test]
    fn documented_statuses_come_from_the_spec() {
        assert!(Operation::ListAvatars.statuses().contains(&404), "Anam documents 404 for an empty avatar list");
        assert!(!Operation::ListLlms.statuses().contains(&404));
        assert!(Operation::CreatePersona.statuses().contains(&201));
        assert_eq!(Operation::DeleteTool.statuses().first(), Some(&204));
        assert!(Operation::CreateMeetingInvite.statuses().contains(&503));
        assert!(!Operation::CreateEngineSession.statuses().contains(&500), "Anam documents no 500 there");
    }

    #[test]
    fn ranges_read_as_words() {
        assert_eq!(range_text(Some(1.0), None), "at least 1");
        assert_eq!(range_text(None, Some(2.5)), "at most 2.5");
        let page = Operation::ListPersonas.bound(Location::Query, "page").unwrap();
        assert!(page.contains(1.0) && !page.contains(0.0) && !page.contains(f64::NAN));
    }
}
