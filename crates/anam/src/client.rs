//! The client: configuration (environment, explicit settings), defaults, and the shared HTTP client.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue, USER_AGENT};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::personas::Personas;
use crate::transport::Transport;

/// The environment variable holding the API key (the name Anam's own tools use).
pub const API_KEY_ENV: &str = "ANAM_API_KEY";
/// The environment variable holding the base URL (the name Anam's own tools use).
pub const API_URL_ENV: &str = "ANAM_API_URL";
/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.anam.ai";
/// Per-attempt timeout unless set otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Connect timeout unless set otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries after the first attempt unless set otherwise (so 3 attempts in all).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The first backoff delay; it doubles on each retry.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff delay.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest `Retry-After` the client waits for; a longer one returns the error instead.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// A client of the Anam API. Cheap to clone (one `Arc`), `Send + Sync`.
///
/// Defaults, each overridable through [`Client::builder`]:
///
/// | setting | default | environment |
/// |---|---|---|
/// | API key | required | `ANAM_API_KEY` |
/// | base URL | `https://api.anam.ai` | `ANAM_API_URL` |
/// | timeout per attempt | 30 s | |
/// | connect timeout | 5 s | |
/// | retries | 2 (3 attempts) | |
/// | backoff | 0.5 s doubling, at most 8 s, minus up to 25 % jitter | |
/// | longest `Retry-After` honoured | 60 s | |
///
/// Explicit settings beat environment variables.
///
/// ```no_run
/// # async fn demo() -> anam::Result<()> {
/// let client = anam::Client::from_env()?;
/// let page = client.personas().list(anam::ListPersonas::new()).await?;
/// println!("{} personas", page.meta.total);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) transport: Arc<Transport>,
}

impl Client {
    /// A client configured from `ANAM_API_KEY` (required) and `ANAM_API_URL` (optional).
    pub fn from_env() -> Result<Client> {
        Client::builder().build()
    }

    /// A builder for a client with explicit settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The persona operations.
    pub fn personas(&self) -> Personas<'_> {
        Personas::new(self)
    }

    /// The base URL requests go to (without a trailing slash).
    pub fn base_url(&self) -> &str {
        &self.transport.base_url
    }

    /// The raw generated client, configured like this one (auth, retries, timeouts, `retrying`
    /// events), for anything the hand-written layer does not cover. Its calls return the
    /// generated error type and open no `anam.request` span.
    pub fn api(&self) -> anam_api::Client {
        self.transport.api.clone()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.transport.base_url)
            .field("api_key", &"[redacted]")
            .field("settings", &self.transport.settings)
            .finish()
    }
}

/// Retry and timeout settings, shared by every call of a client.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub timeout: Duration,
    /// Whether the `reqwest::Client` is the caller's: then every request gets the SDK's headers
    /// and timeout one by one. The SDK's own client has them as its defaults, which reqwest adds
    /// to each request at less cost.
    pub caller_http_client: bool,
    pub max_retries: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub max_retry_after: Duration,
    pub user_agent: HeaderValue,
}

/// Settings for a [`Client`]. Unset values come from the environment, then from the defaults.
///
/// ```
/// use std::time::Duration;
///
/// let client = anam::Client::builder()
///     .api_key("sk-test")
///     .base_url("http://127.0.0.1:4010")
///     .timeout(Duration::from_secs(10))
///     .max_retries(5)
///     .user_agent_suffix("my-service/1.2")
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "http://127.0.0.1:4010");
/// assert!(!format!("{client:?}").contains("sk-test"));
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    initial_backoff: Option<Duration>,
    max_backoff: Option<Duration>,
    max_retry_after: Option<Duration>,
    user_agent_suffix: Option<String>,
    http_client: Option<reqwest::Client>,
    allow_insecure_http: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key (beats `ANAM_API_KEY`). It is kept as a secret and never printed.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// The base URL (beats `ANAM_API_URL`), e.g. `https://api.anam.ai`. It must be `https`,
    /// unless its host is a loopback address or [`Self::allow_insecure_http`] is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The timeout of each attempt, from sending to the end of the body (default 30 s; must be above 0).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The connect timeout (default 5 s; must be above 0). Ignored with [`Self::http_client`]: set it there.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How many times a failed request is retried (default 2; 0 turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// The first backoff delay (default 0.5 s); each retry doubles it, up to [`Self::max_backoff`].
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = Some(delay);
        self
    }

    /// The longest backoff delay (default 8 s).
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = Some(delay);
        self
    }

    /// The longest `Retry-After` the client sleeps for (default 60 s). When the server asks
    /// for longer, the error is returned at once with [`crate::Error::retry_after`] set.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = Some(wait);
        self
    }

    /// Text appended to the `User-Agent` (`anam-rust/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// A pre-configured `reqwest::Client` (proxies, custom TLS, connection pools). The SDK still
    /// sets its headers and the per-attempt timeout on every request, and retries as configured
    /// here; the connect timeout, redirect policy and reqwest's own retry policy are the given
    /// client's. reqwest drops the `Authorization` header when a
    /// redirect leaves the host.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Accept a plain `http` base URL on a host that is not loopback (default: refused, since
    /// the API key would travel in clear text).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Builds the client, reading `ANAM_API_KEY` and `ANAM_API_URL` for unset values.
    pub fn build(self) -> Result<Client> {
        self.build_with_env(&|name| std::env::var(name).ok())
    }

    /// [`Self::build`] with a given environment, so it can be tested without touching the process's.
    pub(crate) fn build_with_env(self, env: &dyn Fn(&str) -> Option<String>) -> Result<Client> {
        let key = match self.api_key {
            Some(key) => key,
            None => SecretString::from(env(API_KEY_ENV).unwrap_or_default()),
        };
        let auth = auth_header(&key)?;
        let base = self.base_url.or_else(|| env(API_URL_ENV).filter(|u| !u.trim().is_empty()));
        let base_url = check_base_url(base.as_deref().unwrap_or(DEFAULT_BASE_URL), self.allow_insecure_http)?;
        let mut agent = format!("anam-rust/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent_suffix.filter(|s| !s.trim().is_empty()) {
            agent = format!("{agent} {}", suffix.trim());
        }
        let user_agent = HeaderValue::from_str(&agent)
            .map_err(|_| Error::Config(format!("user agent suffix is not a valid header value: {agent:?}")))?;
        for (name, value) in [("timeout", self.timeout), ("connect_timeout", self.connect_timeout)] {
            if value.is_some_and(|d| d.is_zero()) {
                return Err(Error::Config(format!("{name} is 0, but must be greater than 0 (e.g. 30 s)")));
            }
        }
        let settings = Settings {
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            caller_http_client: self.http_client.is_some(),
            max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            initial_backoff: self.initial_backoff.unwrap_or(DEFAULT_INITIAL_BACKOFF),
            max_backoff: self.max_backoff.unwrap_or(DEFAULT_MAX_BACKOFF),
            max_retry_after: self.max_retry_after.unwrap_or(DEFAULT_MAX_RETRY_AFTER),
            user_agent,
        };
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .default_headers(
                    [(AUTHORIZATION, auth.clone()), (USER_AGENT, settings.user_agent.clone())].into_iter().collect(),
                )
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .timeout(settings.timeout)
                // The transport retries (with backoff and `Retry-After`); reqwest's own retry layer
                // would copy every request for retries it never makes over HTTP/1.
                .retry(reqwest::retry::never().max_retries_per_request(0))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Client { transport: Arc::new(Transport::new(base_url, http, auth, settings)) })
    }
}

/// The `Authorization` header for a key, marked sensitive so it is never printed.
fn auth_header(key: &SecretString) -> Result<HeaderValue> {
    let key = key.expose_secret().trim();
    if key.is_empty() {
        return Err(Error::Config(format!(
            "no API key: set {API_KEY_ENV} or call ClientBuilder::api_key (keys are at https://lab.anam.ai)"
        )));
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
        Error::Config(format!("the API key ({API_KEY_ENV}) holds characters that cannot go in an HTTP header"))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Checks the base URL and returns it without a trailing slash.
fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| Error::Config(format!("base URL {raw:?} ({API_URL_ENV}) is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return Err(Error::Config(format!(
                "base URL {raw:?} uses plain http to a host that is not loopback, which would send the API key \
                 in clear text; use https, or ClientBuilder::allow_insecure_http(true)"
            )));
        }
        other => return Err(Error::Config(format!("base URL {raw:?}: scheme {other:?} is not http or https"))),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!("base URL {raw:?} must not have a query or fragment")));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    fn config_error(result: Result<Client>) -> String {
        match result {
            Err(Error::Config(message)) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn missing_or_empty_key_names_the_variable() {
        for env in [env_of(&[]), env_of(&[(API_KEY_ENV, "  ")])] {
            let message = config_error(Client::builder().build_with_env(&env));
            assert!(message.contains("ANAM_API_KEY"), "{message}");
        }
    }

    #[test]
    fn environment_fills_unset_values_and_explicit_settings_win() {
        let env = env_of(&[(API_KEY_ENV, "env-key"), (API_URL_ENV, "http://127.0.0.1:9/")]);
        let client = Client::builder().build_with_env(&env).unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9");
        let client = Client::builder().base_url("https://example.test/prefix/").build_with_env(&env).unwrap();
        assert_eq!(client.base_url(), "https://example.test/prefix");
        let default = Client::builder().build_with_env(&env_of(&[(API_KEY_ENV, "k")])).unwrap();
        assert_eq!(default.base_url(), DEFAULT_BASE_URL);
    }

    #[test]
    fn plain_http_is_refused_unless_loopback_or_allowed() {
        let build = |url: &str, allow: bool| {
            Client::builder().api_key("k").base_url(url).allow_insecure_http(allow).build_with_env(&env_of(&[]))
        };
        for ok in ["http://127.0.0.1:4010", "http://localhost", "http://[::1]:8080", "https://api.anam.ai"] {
            assert!(build(ok, false).is_ok(), "{ok}");
        }
        let message = config_error(build("http://api.anam.ai", false));
        assert!(message.contains("clear text"), "{message}");
        assert!(build("http://api.anam.ai", true).is_ok());
        assert!(config_error(build("ftp://x", false)).contains("scheme"));
        assert!(config_error(build("not a url", false)).contains("not a URL"));
    }

    #[test]
    fn zero_timeouts_are_refused_by_name() {
        let zero = Duration::ZERO;
        let message = config_error(Client::builder().api_key("k").timeout(zero).build_with_env(&env_of(&[])));
        assert!(message.starts_with("timeout is 0"), "{message}");
        let message = config_error(Client::builder().api_key("k").connect_timeout(zero).build_with_env(&env_of(&[])));
        assert!(message.starts_with("connect_timeout is 0"), "{message}");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let builder = Client::builder().api_key("sk-super-secret");
        assert!(!format!("{builder:?}").contains("sk-super-secret"));
        let client = builder.build_with_env(&env_of(&[])).unwrap();
        let shown = format!("{client:?} {:?}", client.api());
        assert!(!shown.contains("sk-super-secret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn keys_that_cannot_be_headers_are_refused_without_echoing_them() {
        let message = config_error(Client::builder().api_key("bad\nkey").build_with_env(&env_of(&[])));
        assert!(!message.contains("bad"), "{message}");
    }

    #[test]
    fn client_is_send_sync_and_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Client>();
    }
}
