//! How the fake reads a request body and refuses what the spec does not allow: the generated
//! `anam-api` types give the shapes (a wrong type or an unknown field names the field), the
//! generated `anam_api::facts::check_*` functions the ranges, `anam_api::facts::BODY_RULES` what
//! else the spec says of a body (URIs, sizes, tool configs), and the generated enums' `KNOWN`
//! lists the values. Every refusal is an [`Invalid`], answered 400 with the field's path.

use anam_api::ValidationError;
use anam_api::facts::{OutOfBounds, Rule, broken_body_rule};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::input::{Body, Input};

/// A request value the fake refuses: where it is and why (sent back as a 400 body).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invalid {
    /// The field's path, e.g. `voiceDetectionOptions.endOfSpeechSensitivity`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// A machine-readable code: `invalid_type`, `invalid_string`, `too_small`, `too_big`,
    /// `unrecognized_keys`, `invalid_enum_value`, `invalid_reference`, `invalid_combination` or
    /// `custom`.
    pub code: &'static str,
}

impl Invalid {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>, code: &'static str) -> Self {
        Invalid { path: path.into(), message: message.into(), code }
    }

    /// The same problem, one level down: inside the field `parent`.
    pub(crate) fn within(self, parent: &str) -> Self {
        let path = if self.path.is_empty() { parent.to_owned() } else { format!("{parent}.{}", self.path) };
        Invalid { path, ..self }
    }
}

/// Reads a body into a generated type; the error names the field that does not fit.
pub(crate) fn read<T: DeserializeOwned>(body: &Value) -> Result<T, Invalid> {
    if !body.is_object() {
        return Err(Invalid::new("", "the body must be a JSON object", "invalid_type"));
    }
    serde_path_to_error::deserialize(body).map_err(|error| {
        let message = error.inner().to_string();
        // serde names an unknown field in its message, not in the path.
        if let Some(field) = message.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next()) {
            return Invalid::new(field, format!("unknown field `{field}`"), "unrecognized_keys");
        }
        let path = error.path().to_string();
        Invalid::new(if path == "." { String::new() } else { path }, message, "invalid_type")
    })
}

/// Refuses a value the spec's enum does not list (the SDK's types keep such values; the API does not).
pub(crate) fn check_known(path: &str, value: Option<(&str, bool)>, known: &[&str]) -> Result<(), Invalid> {
    match value {
        Some((value, false)) => {
            let message = format!("{value:?} is not one of {}", known.join(", "));
            Err(Invalid::new(path, message, "invalid_enum_value"))
        }
        _ => Ok(()),
    }
}

/// [`check_known`] for an optional value of a generated open enum: `known!("path", value, Type)`.
macro_rules! known {
    ($path:expr, $value:expr, $type:ty) => {
        $crate::validate::check_known($path, $value.map(|v| (v.as_str(), v.is_known())), <$type>::KNOWN)
    };
}
pub(crate) use known;

/// A value outside the spec's range (the generated `anam_api::facts` checks, the same the SDK
/// runs), as the API's 400 answers name it.
pub(crate) fn out_of_range(error: OutOfBounds) -> Invalid {
    let (bound, value) = (error.bound, error.value);
    let code = if bound.minimum.is_some_and(|min| value < min) { "too_small" } else { "too_big" };
    Invalid::new(bound.field, format!("must be {}", bound.expected()), code)
}

/// A [`ValidationError`] of the shared checks (`anam_api::facts`), as the API's 400 answers
/// name it: the field, what it must be, and `code`.
pub(crate) fn refused(error: ValidationError, code: &'static str) -> Invalid {
    Invalid::new(error.field, format!("is {}, but must be {}", error.value, error.expected), code)
}

/// Refuses a request whose body breaks a rule the spec gives beyond ranges
/// (`anam_api::facts::BODY_RULES`: URIs, list and object sizes, JSON sizes, tool configs), the
/// same rules the SDK checks before sending. A form's text fields are read as a JSON object.
pub(crate) fn check_body_rules(input: &Input) -> Result<(), Invalid> {
    if input.op.body_rules().next().is_none() {
        return Ok(());
    }
    let body = match &input.body {
        Body::Json(Ok(value)) => value.clone(),
        Body::Form(parts) => {
            let texts = parts.iter().filter(|p| p.file_name.is_none());
            let fields = texts.map(|p| (p.name.clone(), Value::from(String::from_utf8_lossy(&p.data).into_owned())));
            Value::Object(fields.collect())
        }
        _ => return Ok(()),
    };
    match broken_body_rule(input.op, &body) {
        None => Ok(()),
        Some((rule, error)) => {
            let code = match rule {
                Rule::Uri => "invalid_string",
                Rule::MinItems(_) | Rule::MinProperties(_) => "too_small",
                Rule::MaxJsonBytes(_) => "too_big",
                _ if error.value == "unset" => "invalid_type",
                _ => "unrecognized_keys",
            };
            Err(refused(error, code))
        }
    }
}

/// A typed value as a JSON object (the fake edits stored resources as JSON: a partial update
/// is "these keys replace those").
pub(crate) fn to_map<T: serde::Serialize>(value: T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// `item` with `changes` written over it, read back as its type. The changes are a typed
/// request written back as JSON (serde reads `null` as "not sent"), plus the `nullable` keys the
/// body sent as `null`: those clear the field.
pub(crate) fn patch<T>(item: &T, changes: Map<String, Value>, body: &Value, nullable: &[&str]) -> Result<T, Invalid>
where
    T: serde::Serialize + DeserializeOwned,
{
    let mut value = Value::Object(to_map(item));
    for (key, change) in changes {
        value[key] = change;
    }
    for key in nullable.iter().filter(|key| body.get(**key).is_some_and(Value::is_null)) {
        value[*key] = Value::Null;
    }
    value["updatedAt"] = serde_json::json!(chrono::Utc::now());
    serde_json::from_value(value)
        .map_err(|e| Invalid::new("", format!("the update does not make a valid resource: {e}"), "invalid_type"))
}

/// Refuses an empty text where the spec's prose wants one (a name, a URL).
pub(crate) fn not_blank(path: &str, value: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        return Err(Invalid::new(path, "must not be empty", "too_small"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anam_api::types::{KnowledgeGroup, VoiceUpdate};
    use serde_json::json;

    #[test]
    fn a_body_that_does_not_fit_names_the_field() {
        let err = read::<VoiceUpdate>(&json!({"displayName": 3})).unwrap_err();
        assert_eq!((err.path.as_str(), err.code), ("displayName", "invalid_type"));
        let err = read::<VoiceUpdate>(&json!([])).unwrap_err();
        assert_eq!((err.path.as_str(), err.code), ("", "invalid_type"));
        let err = read::<VoiceUpdate>(&json!({"displayName": "v", "gender": "X"})).unwrap();
        let err = known!("gender", err.gender.as_ref(), anam_api::types::VoiceGender).unwrap_err();
        assert_eq!((err.path.as_str(), err.code), ("gender", "invalid_enum_value"));
        assert_eq!(Invalid::new("", "m", "custom").within("config").path, "config");
        assert_eq!(Invalid::new("url", "m", "custom").within("config").path, "config.url");
    }

    #[test]
    fn a_patch_writes_the_sent_fields_and_clears_the_nulls_it_may() {
        let group: KnowledgeGroup =
            serde_json::from_value(json!({"id": "g", "name": "a", "description": "d"})).unwrap();
        let body = json!({"name": "b", "description": null});
        let changes = to_map(json!({"name": "b"}));
        let patched = patch(&group, changes.clone(), &body, &["description"]).unwrap();
        assert_eq!((patched.name.as_deref(), patched.description), (Some("b"), None));
        assert!(patched.updated_at.is_some());
        let kept = patch(&group, changes, &body, &[]).unwrap();
        assert_eq!(kept.description.as_deref(), Some("d"), "null clears only where the spec says so");
        assert!(not_blank("name", " ").is_err() && not_blank("name", "x").is_ok());
    }
}
