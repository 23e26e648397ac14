//! [`Secret`]: what the spec's `Secret` schema becomes in the generated types (session tokens,
//! share-link tokens, meeting tokens). `cargo xtask codegen` puts this type in place of the one
//! typify would generate (a plain `String`), so a generated answer that holds a secret never
//! shows it in `Debug`, and reading it takes an explicit call.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A text that grants access. `Debug` prints `Secret([redacted])`; there is no `Display`; the
/// value is read with [`Secret::expose_secret`]. It goes on the wire as a plain JSON string.
///
/// ```
/// use anam_api::Secret;
///
/// let token = Secret::from("eyJhbGciOiJIUzI1NiJ9.e30.sig");
/// assert_eq!(format!("{token:?}"), "Secret([redacted])");
/// assert_eq!(token.expose_secret(), "eyJhbGciOiJIUzI1NiJ9.e30.sig");
/// assert_eq!(serde_json::to_string(&token).unwrap(), "\"eyJhbGciOiJIUzI1NiJ9.e30.sig\"");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// The secret text itself. Everything that prints or logs it goes through here.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(SecretString::from(value))
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(SecretString::from(value))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Compares the texts, for the `PartialEq` every generated type derives. (Not constant-time:
/// this is for tests and bookkeeping, not for checking a token someone presents.)
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::from)
    }
}
