//! The SDK's errors in the CLI's terms. The SDK's messages advise a Rust programmer
//! (`ClientBuilder::api_key`); a terminal user has `ANAM_API_KEY`, `--api-url` and
//! `--allow-insecure-http`. The key and a plain-http URL are checked here in the CLI's own words;
//! any other SDK text that names a builder method is given the flag or variable that sets it.

use anam::Client;

/// Where a user creates an API key.
pub const KEYS: &str = "create a key in Anam Lab: https://lab.anam.ai";

/// The SDK's builder methods a message may name, and what sets the same thing from the CLI.
const IN_CLI_TERMS: [(&str, &str); 3] = [
    ("ClientBuilder::allow_insecure_http(true)", "pass --allow-insecure-http"),
    ("ClientBuilder::base_url", "--api-url"),
    ("ClientBuilder::api_key", "ANAM_API_KEY"),
];

/// The client for `url` (`--api-url`, else the SDK reads `ANAM_API_URL`), after checking
/// `ANAM_API_KEY` here. A plain-http URL the SDK refuses is told apart by building again with
/// it allowed: if that succeeds, plain http was the only problem.
pub fn client(url: Option<String>, allow_insecure_http: bool) -> Result<Client, String> {
    check_key(std::env::var("ANAM_API_KEY"))?;
    let builder = |allow: bool| {
        let builder = Client::builder()
            .user_agent_suffix(concat!("anam-cli/", env!("CARGO_PKG_VERSION")))
            .allow_insecure_http(allow);
        match &url {
            Some(url) => builder.base_url(url.clone()),
            None => builder,
        }
    };
    let refused = match builder(allow_insecure_http).build() {
        Ok(client) => return Ok(client),
        Err(error) => error,
    };
    if !allow_insecure_http && builder(true).build().is_ok() {
        let shown = url.or_else(|| std::env::var("ANAM_API_URL").ok()).unwrap_or_default();
        return Err(format!(
            "the API URL {shown:?} is plain http to a host that is not loopback, which would send the API key \
             in clear text: use https, or pass --allow-insecure-http"
        ));
    }
    Err(sdk(&refused))
}

/// Checks `ANAM_API_KEY` as read from the environment: it must be there and not blank.
fn check_key(key: Result<String, std::env::VarError>) -> Result<(), String> {
    match key {
        Ok(key) if !key.trim().is_empty() => Ok(()),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("ANAM_API_KEY is not valid text ({KEYS})")),
        _ => Err(format!("no API key: set ANAM_API_KEY ({KEYS})")),
    }
}

/// An SDK error as the CLI says it: a configuration error without the SDK's `configuration
/// error:` prefix, a 401 with the CLI's advice, and every builder method named by the flag or
/// variable that sets the same thing.
pub fn sdk(error: &anam::Error) -> String {
    let mut text = match error {
        anam::Error::Config(message) => message.clone(),
        other => other.to_string(),
    };
    if error.status().is_some_and(|s| s.as_u16() == 401) {
        text = without_rust_advice(&text);
        text.push_str(&format!(" [check ANAM_API_KEY; {KEYS}]"));
    }
    IN_CLI_TERMS.iter().fold(text, |text, (rust, cli)| text.replace(rust, cli))
}

/// `text` without the bracketed notes (`[check the API key: … ClientBuilder::api_key]`) that
/// advise a Rust programmer, which [`sdk`] replaces with the CLI's own.
fn without_rust_advice(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(" [") {
        let Some(end) = rest[start..].find(']').map(|e| start + e + 1) else { break };
        out.push_str(&rest[..start]);
        if !rest[start..end].contains("ClientBuilder") {
            out.push_str(&rest[start..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_and_rust_advice_are_said_in_the_clis_terms() {
        assert_eq!(
            check_key(Err(std::env::VarError::NotPresent)).unwrap_err(),
            "no API key: set ANAM_API_KEY (create a key in Anam Lab: https://lab.anam.ai)"
        );
        assert!(check_key(Ok("  ".into())).is_err(), "a blank key is no key");
        assert!(check_key(Ok("sk-1".into())).is_ok());
        assert_eq!(
            without_rust_advice(
                "401 Unauthorized: no [check the API key: ANAM_API_KEY or ClientBuilder::api_key] [request id 7]"
            ),
            "401 Unauthorized: no [request id 7]"
        );
        let config = anam::Error::Config("the base URL (ANAM_API_URL or ClientBuilder::base_url) is not a URL".into());
        assert_eq!(sdk(&config), "the base URL (ANAM_API_URL or --api-url) is not a URL");
    }
}
