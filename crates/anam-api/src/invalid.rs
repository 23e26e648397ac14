//! [`ValidationError`]: a value refused before anything is sent, naming the field, the value
//! and what is accepted. The generated checks (ranges, path parameters, list queries) and the
//! `anam` crate's builders all report through it.

use std::fmt;

use crate::facts::OutOfBounds;

/// A value that failed a check before anything was sent: which field, what it was, and what is
/// accepted.
///
/// ```
/// use anam_api::ValidationError;
///
/// let err = ValidationError::new("perPage", 101, "between 1 and 100");
/// assert_eq!(err.to_string(), "perPage is 101, but must be between 1 and 100");
/// assert_eq!(err.within("query").field, "query.perPage");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationError {
    /// The field, as named on the wire (`voiceDetectionOptions.endOfSpeechSensitivity`).
    pub field: String,
    /// The value that was given.
    pub value: String,
    /// What is accepted (`between 0 and 1`).
    pub expected: String,
}

impl ValidationError {
    /// The error of `field` holding `value` where `expected` is accepted.
    pub fn new(field: impl Into<String>, value: impl fmt::Display, expected: impl Into<String>) -> Self {
        ValidationError { field: field.into(), value: value.to_string(), expected: expected.into() }
    }

    /// The same error for a field that sits inside `parent` (`personaConfig.languageCode`).
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}, but must be {}", one_line(&self.field, 120), one_line(&self.value, 80), self.expected)
    }
}

impl std::error::Error for ValidationError {}

impl From<OutOfBounds> for ValidationError {
    fn from(error: OutOfBounds) -> Self {
        ValidationError::new(error.bound.field, error.value, error.bound.expected())
    }
}

/// `text` fit for one line of a terminal: control characters (newlines, escape codes) escaped,
/// at most `max` characters, with `…` where it was cut.
///
/// ```
/// assert_eq!(anam_api::invalid::one_line("a\nb\u{1b}[2J", 80), "a\\nb\\u{1b}[2J");
/// assert_eq!(anam_api::invalid::one_line("abcdef", 3), "abc…");
/// ```
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
