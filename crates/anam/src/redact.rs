//! Masking what could be a credential in any text the SDK shows (error messages, error bodies,
//! decode excerpts): the client's own API key, every `Bearer` value, and, in JSON, the string
//! values under credential-like keys and everything under `config` (a tool's webhook headers).
//!
//! The JSON rule works on the text as it is, without parsing it, so that it also holds for a
//! body that is cut off, has a trailing comma or repeats a key: those are the bodies that end
//! up in errors.

use secrecy::{ExposeSecret, SecretString};

/// What replaces a masked value.
pub(crate) const MASK: &str = "[redacted]";

/// Key names (lower case, matched as parts of a key) whose string values are masked.
const CREDENTIAL_KEYS: [&str; 9] =
    ["token", "secret", "password", "passwd", "key", "authorization", "credential", "cookie", "signature"];

/// The key under which every string value is masked, however deep.
const CONFIG_KEY: &str = "config";

/// The shortest API key that is masked where it appears verbatim; shorter ones (test keys such
/// as `k`) would mask ordinary letters.
const MIN_KEY_LEN: usize = 8;

/// Masks credentials in texts, knowing the client's API key.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    key: Option<SecretString>,
}

impl Redactor {
    /// A redactor that also masks `key` wherever it appears.
    pub(crate) fn with_key(key: &SecretString) -> Self {
        let usable = key.expose_secret().trim().len() >= MIN_KEY_LEN;
        Redactor { key: usable.then(|| SecretString::from(key.expose_secret().trim().to_owned())) }
    }

    /// `text` with every credential masked (see the module's documentation).
    pub(crate) fn mask(&self, text: &str) -> String {
        let masked = mask_bearer(&mask_json_credentials(text));
        match &self.key {
            Some(key) => masked.replace(key.expose_secret(), MASK),
            None => masked,
        }
    }
}

/// Whether a JSON key names a credential (`sessionToken`, `apiKey`, `x-api-key`, `password`).
fn is_credential_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    CREDENTIAL_KEYS.iter().any(|part| key.contains(part))
}

/// Replaces the value after every `Bearer ` (any case) with [`MASK`].
fn mask_bearer(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find("bearer") {
        let start = from + found;
        let after = start + "bearer".len();
        let spaces = text[after..].len() - text[after..].trim_start_matches([' ', '\t']).len();
        let value_start = after + spaces;
        let value_len = text[value_start..].find(|c: char| ends_token(c)).unwrap_or(text.len() - value_start);
        if spaces > 0 && value_len > 0 {
            out.push_str(&text[rest..value_start]);
            out.push_str(MASK);
            rest = value_start + value_len;
            from = rest;
        } else {
            from = after;
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// Whether a character ends a bearer value.
fn ends_token(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '}' | ']' | ')' | '<' | '>' | '\\')
}

/// Where the JSON scanner stands: inside an object (with the last key read) or an array.
enum Frame {
    Object { key: Option<String> },
    Array,
}

/// Whether the value under `key` is masked whole (every string in it, however deep).
fn masks_value(key: &str) -> bool {
    key.eq_ignore_ascii_case(CONFIG_KEY) || is_credential_key(key)
}

/// Masks every string value under a credential-like key or a `config` key (however deep), in a
/// text that is JSON or the start of it. Anything else is kept as it is.
fn mask_json_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut frames: Vec<Frame> = Vec::new();
    // The depth of `frames` at which a masked container started; below it every string is masked.
    let mut masked_depth: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => {
                let end = string_end(text, at);
                let content = &text[at + 1..end.min(text.len())];
                let closed = end < text.len();
                let is_key = closed && text[end + 1..].trim_start().starts_with(':');
                if is_key {
                    if let Some(Frame::Object { key }) = frames.last_mut() {
                        *key = Some(content.to_owned());
                    }
                    out.push_str(&text[at..=end]);
                } else {
                    let under_key = matches!(frames.last(), Some(Frame::Object { key: Some(key) }) if masks_value(key));
                    if under_key || masked_depth.is_some() {
                        out.push('"');
                        out.push_str(MASK);
                        if closed {
                            out.push('"');
                        }
                    } else {
                        out.push_str(&text[at..(end + 1).min(text.len())]);
                    }
                }
                // Skip the characters of the string just handled.
                while chars.peek().is_some_and(|(i, _)| *i <= end) {
                    chars.next();
                }
            }
            '{' | '[' => {
                let under_key = matches!(frames.last(), Some(Frame::Object { key: Some(key) }) if masks_value(key));
                if under_key && masked_depth.is_none() {
                    masked_depth = Some(frames.len());
                }
                frames.push(if c == '{' { Frame::Object { key: None } } else { Frame::Array });
                out.push(c);
            }
            '}' | ']' => {
                frames.pop();
                if masked_depth.is_some_and(|depth| frames.len() <= depth) {
                    masked_depth = None;
                }
                out.push(c);
            }
            ',' => {
                if let Some(Frame::Object { key }) = frames.last_mut() {
                    *key = None;
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The byte index of the quote that closes the string opening at `start`, or the text's length
/// when it is cut off.
fn string_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    text.len()
}

/// A serde message without the input it quotes: every `"…"` and `` `…` `` span is elided, so
/// that a decode error of an answer holding a secret says what failed but not what was sent.
pub(crate) fn without_quoted_input(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(open) if c == open => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '"' || c == '`' => {
                out.push(c);
                quote = Some(c);
            }
            None => out.push(c),
        }
    }
    if quote.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        Redactor::with_key(&SecretString::from("sk-live-0123456789".to_owned()))
    }

    #[test]
    fn the_key_and_bearer_values_are_masked_anywhere() {
        let r = redactor();
        assert_eq!(r.mask("bad key sk-live-0123456789!"), "bad key [redacted]!");
        assert_eq!(r.mask("Authorization: Bearer abc.def-ghi, next"), "Authorization: Bearer [redacted], next");
        assert_eq!(r.mask("BEARER\tx"), "BEARER\t[redacted]");
        assert_eq!(r.mask("a bearer of news"), "a bearer [redacted] news", "over-masking is the safe side");
        assert_eq!(r.mask("bearer"), "bearer");
        assert_eq!(
            Redactor::with_key(&SecretString::from("k".to_owned())).mask("key"),
            "key",
            "short keys are not masked"
        );
    }

    #[test]
    fn credential_values_are_masked_in_whole_cut_and_broken_json() {
        let r = Redactor::default();
        assert_eq!(r.mask(r#"{"sessionToken":"eyJ.x.y","id":"1"}"#), r#"{"sessionToken":"[redacted]","id":"1"}"#);
        assert_eq!(r.mask(r#"{"data":{"token": "abc"},}"#), r#"{"data":{"token": "[redacted]"},}"#);
        assert_eq!(r.mask(r#"{"apiKey":"abc"#), r#"{"apiKey":"[redacted]"#, "a cut-off value");
        assert_eq!(r.mask(r#"{"password":"a\"b","x":"c"}"#), r#"{"password":"[redacted]","x":"c"}"#);
        let tool =
            r#"{"name":"crm","config":{"url":"https://x","headers":{"X-Api":"s3cr3t"},"list":["a"]},"after":"kept"}"#;
        assert_eq!(
            r.mask(tool),
            r#"{"name":"crm","config":{"url":"[redacted]","headers":{"X-Api":"[redacted]"},"list":["[redacted]"]},"after":"kept"}"#
        );
        assert_eq!(
            r.mask(r#"{"config":"x","tokens":["a",{"b":"c"}],"n":"d"}"#),
            r#"{"config":"[redacted]","tokens":["[redacted]",{"b":"[redacted]"}],"n":"d"}"#
        );
        assert_eq!(r.mask("<html>502</html>"), "<html>502</html>");
    }

    #[test]
    fn quoted_input_is_elided_from_messages() {
        assert_eq!(
            without_quoted_input("invalid type: string \"eyJ.secret\", expected struct SessionToken"),
            "invalid type: string \"…\", expected struct SessionToken"
        );
        assert_eq!(
            without_quoted_input("unknown variant `sk_live`, expected one of"),
            "unknown variant `…`, expected one of"
        );
        assert_eq!(without_quoted_input("cut \"abc"), "cut \"…");
    }
}
