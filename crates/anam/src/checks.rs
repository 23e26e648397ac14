//! Checks the builders of tools, LLMs, share links and meeting invites share: texts whose
//! length the spec bounds (through the generated constrained types, so a `maxLength` is
//! written once, in the spec), JSON objects and their documented size, URLs, and the numbers
//! the API types as floats but that the SDK takes as durations and counts.

use std::time::Duration;

use anam_api::facts::json_size_limit;
use anam_api::types::error::ConversionError;
use serde_json::{Map, Value};
use url::Url;

use crate::error::ValidationError;

/// `text` as a generated constrained type (`ToolCreateName`, ...), whose conversion enforces
/// the spec's `minLength` and `maxLength`; a refusal names `field` and the limit.
pub(crate) fn constrained<T>(field: &str, text: String) -> Result<T, ValidationError>
where
    T: TryFrom<String, Error = ConversionError>,
{
    let length = text.chars().count();
    T::try_from(text).map_err(|error| length_error(field, length, &error))
}

/// The error of a text outside its schema's length. typify's messages read "longer than N
/// characters" and "shorter than N characters", which name the spec's limit.
fn length_error(field: &str, length: usize, error: &ConversionError) -> ValidationError {
    let message = error.to_string();
    let expected = if let Some(limit) = message.strip_prefix("longer than ") {
        format!("at most {limit}")
    } else if let Some(limit) = message.strip_prefix("shorter than ") {
        // typify writes "1 characters"; one character reads as one.
        if limit == "1 characters" { "at least 1 character".to_string() } else { format!("at least {limit}") }
    } else {
        message
    };
    ValidationError::new(field, format!("{length} characters long"), expected)
}

/// Refuses an empty or blank text where the API needs one (a name, a credential, an id).
pub(crate) fn not_blank(field: &str, text: &str, expected: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::new(field, format!("{text:?}"), expected));
    }
    Ok(())
}

/// `value` as a JSON object (`parameters`, `metadata`), and no larger than the spec's
/// `x-anam-max-json-bytes` for `schema.field` when it gives one.
pub(crate) fn json_object(
    field: &str,
    value: Value,
    limit_of: (&str, &str),
) -> Result<Map<String, Value>, ValidationError> {
    let Value::Object(map) = value else {
        return Err(ValidationError::new(field, json_kind(&value), "a JSON object"));
    };
    if let Some(limit) = json_size_limit(limit_of.0, limit_of.1) {
        let size = serde_json::to_vec(&map).map_or(usize::MAX, |json| json.len());
        if size > limit.max_bytes {
            let expected = format!("at most {} bytes as JSON", limit.max_bytes);
            return Err(ValidationError::new(field, format!("{size} bytes"), expected));
        }
    }
    Ok(map)
}

/// What kind of JSON value it is, for an error (not the value, which may be large).
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks that `text` is an absolute URL with a host, of one of `schemes`, and without a user
/// name or password (which would put a credential in a field that is not kept as a secret).
pub(crate) fn absolute_url(field: &str, text: &str, schemes: &[&str]) -> Result<Url, ValidationError> {
    let expected = || format!("an absolute {} URL", schemes.join(" or "));
    let url = Url::parse(text).map_err(|e| ValidationError::new(field, format!("{text:?} ({e})"), expected()))?;
    if !schemes.contains(&url.scheme()) || url.host_str().is_none_or(str::is_empty) {
        return Err(ValidationError::new(field, format!("{text:?}"), expected()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        let expected = format!("{} without a user name or password", expected());
        return Err(ValidationError::new(field, "a URL with credentials (not shown)", expected));
    }
    Ok(url)
}

/// A duration as the hours `expiresInHours` takes: a fraction of an hour stays a fraction
/// (90 minutes is 1.5). Zero is refused: a link that expires at once is never usable.
pub(crate) fn positive_hours(field: &str, duration: Duration) -> Result<f64, ValidationError> {
    if duration.is_zero() {
        return Err(ValidationError::new(field, "0", "more than 0 hours"));
    }
    Ok(duration.as_secs_f64() / 3600.0)
}

/// A count the API types as a number (`usageLimit`), refusing 0, which no use could pass.
pub(crate) fn positive_count(field: &str, count: u32) -> Result<f64, ValidationError> {
    if count == 0 {
        return Err(ValidationError::new(field, 0, "at least 1"));
    }
    Ok(f64::from(count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anam_api::types::{MeetingInviteCreateDisplayName, ToolCreateName};
    use serde_json::json;

    #[test]
    fn lengths_are_the_generated_types_and_name_the_limit() {
        let err = constrained::<ToolCreateName>("name", "x".repeat(65)).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.value.as_str(), err.expected.as_str()),
            ("name", "65 characters long", "at most 64 characters")
        );
        let err = constrained::<ToolCreateName>("name", String::new()).unwrap_err();
        assert_eq!(err.expected, "at least 1 character");
        assert!(constrained::<ToolCreateName>("name", "é".repeat(64)).is_ok(), "characters, not bytes");
        assert!(constrained::<MeetingInviteCreateDisplayName>("displayName", String::new()).is_ok());
    }

    #[test]
    fn json_objects_and_their_documented_size() {
        let err = json_object("parameters", json!([1]), ("ToolConfig", "parameters")).unwrap_err();
        assert_eq!((err.field.as_str(), err.value.as_str()), ("parameters", "an array"));
        let limit = json_size_limit("InlineTool", "parameters").unwrap().max_bytes;
        let big = json!({"d": "x".repeat(limit)});
        let err = json_object("tools.parameters", big.clone(), ("InlineTool", "parameters")).unwrap_err();
        assert_eq!(err.expected, format!("at most {limit} bytes as JSON"));
        assert!(json_object("parameters", big, ("NoSuchSchema", "parameters")).is_ok(), "no limit, no check");
    }

    #[test]
    fn urls_are_absolute_of_the_schemes_given_and_without_credentials() {
        assert!(absolute_url("url", "https://example.com/hook", &["https"]).is_ok());
        for bad in ["/hook", "example.com/hook", "ftp://example.com", "http://example.com", "https://", "mailto:a@b.c"]
        {
            assert_eq!(absolute_url("url", bad, &["https"]).unwrap_err().field, "url", "{bad}");
        }
        let err = absolute_url("url", "https://user:pw@example.com", &["https"]).unwrap_err();
        assert!(!err.to_string().contains("pw"), "{err}");
    }

    #[test]
    fn hours_and_counts() {
        assert_eq!(positive_hours("h", Duration::from_secs(90 * 60)).unwrap(), 1.5);
        assert_eq!(positive_hours("h", Duration::ZERO).unwrap_err().expected, "more than 0 hours");
        assert_eq!(positive_count("n", 3).unwrap(), 3.0);
        assert_eq!(positive_count("n", 0).unwrap_err().field, "n");
    }
}
