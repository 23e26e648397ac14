//! The SDK's errors in the CLI's terms. The SDK's messages advise a Rust programmer
//! (`ClientBuilder::api_key`); a terminal user has `ANAM_API_KEY`, `--api-url` and
//! `--allow-insecure-http`. The key and a plain-http URL are checked here in the CLI's own words;
//! any other SDK text that names a builder method is given the flag or variable that sets it.

use anam::{Client, ConfigErrorKind};

/// Where a user creates an API key.
pub const KEYS: &str = "create a key in Anam Lab: https://lab.anam.ai";

/// The SDK's builder methods a message may name, and what sets the same thing from the CLI.
const IN_CLI_TERMS: [(&str, &str); 3] = [
    ("ClientBuilder::allow_insecure_http(true)", "pass --allow-insecure-http"),
    ("ClientBuilder::base_url", "--api-url"),
    ("ClientBuilder::api_key", "ANAM_API_KEY"),
];

/// The client for `url` (`--api-url`, else the SDK reads `ANAM_API_URL`). A configuration
/// error is said in the CLI's terms, by its kind.
/// With a `gate`, every retry the SDK is about to make is told to it (a 429 or 503 pauses the
/// whole run).
pub fn client(
    url: Option<String>,
    allow_insecure_http: bool,
    gate: Option<std::sync::Arc<crate::gate::Gate>>,
) -> Result<Client, String> {
    let mut builder = Client::builder()
        .user_agent_suffix(concat!("anam-cli/", env!("CARGO_PKG_VERSION")))
        .allow_insecure_http(allow_insecure_http);
    if let Some(gate) = gate {
        builder = builder.on_retry(move |event| gate.observe_retry(event));
    }
    let builder = match url {
        Some(url) => builder.base_url(url),
        None => builder,
    };
    builder.build().map_err(|error| sdk(&error))
}

/// An SDK error as the CLI says it: a configuration error by its kind, without the SDK's
/// `configuration error:` prefix; a 401 with the CLI's advice; and every builder method a
/// message names replaced by the flag or variable that sets the same thing.
pub fn sdk(error: &anam::Error) -> String {
    let text = match error {
        anam::Error::Config(config) => match config.kind {
            ConfigErrorKind::MissingApiKey => format!("no API key: set ANAM_API_KEY ({KEYS})"),
            ConfigErrorKind::InvalidApiKey => {
                format!("ANAM_API_KEY holds characters a key cannot have (copy it again; {KEYS})")
            }
            _ => config.message.clone(),
        },
        other if other.is_unauthorized() => {
            format!("{} [check ANAM_API_KEY; {KEYS}]", other.to_string().replace(SDK_KEY_NOTE, ""))
        }
        other => other.to_string(),
    };
    let text = plain_http_server(text);
    IN_CLI_TERMS.iter().fold(text, |text, (rust, cli)| text.replace(rust, cli))
}

/// What rustls says when an `https://` URL reaches a server that answers in plain http (its
/// first bytes are not a TLS record), lower-cased.
const NOT_TLS: &str = "received corrupt message of type invalidcontenttype";

/// `text` with rustls's words for a plain-http server reached over https in the user's terms.
fn plain_http_server(text: String) -> String {
    let found = text
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| text.get(i..i + NOT_TLS.len()).is_some_and(|phrase| phrase.eq_ignore_ascii_case(NOT_TLS)));
    match found {
        Some(at) => format!(
            "{}the server answered without TLS, so it speaks plain http: write its URL with http:// (--api-url or \
             ANAM_API_URL){}",
            &text[..at],
            &text[at + NOT_TLS.len()..]
        ),
        _ => text,
    }
}

/// The note the SDK adds to a 401, which [`sdk`] replaces with the CLI's own.
const SDK_KEY_NOTE: &str = " [check the API key (ANAM_API_KEY)]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_errors_and_401s_are_said_in_the_clis_terms() {
        let no_key = Client::builder().api_key(" ").build().unwrap_err();
        assert_eq!(sdk(&no_key), "no API key: set ANAM_API_KEY (create a key in Anam Lab: https://lab.anam.ai)");
        let insecure = Client::builder().api_key("k").base_url("http://anam.invalid").build().unwrap_err();
        let shown = sdk(&insecure);
        assert!(shown.ends_with("use https, or pass --allow-insecure-http"), "{shown}");
        assert!(!shown.contains("ClientBuilder") && !shown.starts_with("configuration error"), "{shown}");
        assert_eq!(
            plain_http_server(
                "cannot reach https://h/v1/personas: received corrupt message of type InvalidContentType (3 attempts)"
                    .into()
            ),
            "cannot reach https://h/v1/personas: the server answered without TLS, so it speaks plain http: write its URL \
             with http:// (--api-url or ANAM_API_URL) (3 attempts)"
        );
        let bad = Client::builder().api_key("k").base_url("not a url").build().unwrap_err();
        assert!(sdk(&bad).contains("--api-url") && !sdk(&bad).contains("ClientBuilder"), "{}", sdk(&bad));
    }
}
