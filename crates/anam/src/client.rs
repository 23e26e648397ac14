//! The client: configuration (environment, explicit settings), defaults, and the generated
//! client every call goes through.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use anam_api::hooks::RequestSettings;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use secrecy::{ExposeSecret, SecretString};

use anam_api::Call;
use progenitor_client::ClientInfo;

use crate::error::{ConfigError, ConfigErrorKind, Result};
use crate::redact::Redactor;
use crate::resource::Resource;
use crate::retry::{RetryConfig, RetryEvent, RetryObserver};
use crate::{
    Avatars, KnowledgeDocuments, KnowledgeGroups, Llms, MeetingInvites, Personas, Sessions, ShareLinks, Tools, Voices,
};

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
/// The largest response body read unless set otherwise: 4 MiB (a list of 100 personas is about
/// 150 KB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 << 20;

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
/// | retries | [`RetryConfig::default`]: 2 (3 attempts), 0.5 s doubling to 8 s, `Retry-After` up to 60 s | |
/// | largest response body | 4 MiB | |
/// | redirects | never followed | |
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
    shared: Arc<Shared>,
}

/// What every clone of a client shares.
struct Shared {
    api: anam_api::Client,
    base_url: String,
    retry: RetryConfig,
    timeout: Duration,
    max_response_bytes: u64,
    redactor: Redactor,
    on_retry: Option<RetryObserver>,
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

    /// The persona operations: list, stream, get, create, update, delete.
    pub fn personas(&self) -> Personas {
        Resource::new(self.clone())
    }

    /// The session operations: list, stream, get, and session tokens
    /// ([`Sessions::token`](crate::Resource::token)).
    pub fn sessions(&self) -> Sessions {
        Resource::new(self.clone())
    }

    /// The share-link operations: list, stream, get, create, update, delete. A share link's
    /// token is a [`Secret`](crate::Secret).
    pub fn share_links(&self) -> ShareLinks {
        Resource::new(self.clone())
    }

    /// The meeting-invite operations: list, stream, get, create, delete (cancel).
    pub fn meeting_invites(&self) -> MeetingInvites {
        Resource::new(self.clone())
    }

    /// The knowledge-group operations: list, get, create, update, delete.
    pub fn knowledge_groups(&self) -> KnowledgeGroups {
        Resource::new(self.clone())
    }

    /// The knowledge-document operations: get, update (rename), delete.
    pub fn knowledge_documents(&self) -> KnowledgeDocuments {
        Resource::new(self.clone())
    }

    /// The avatar operations: list (with every documented filter), stream, get.
    pub fn avatars(&self) -> Avatars {
        Resource::new(self.clone())
    }

    /// The voice operations: list, stream, get.
    pub fn voices(&self) -> Voices {
        Resource::new(self.clone())
    }

    /// The LLM operations: list, stream, get. Anam's built-in LLMs are listed only with
    /// `ListLlms::include_defaults(true)`; an LLM's upstream secret is never returned.
    pub fn llms(&self) -> Llms {
        Resource::new(self.clone())
    }

    /// The tool operations: list, stream, get. A tool's `config` may hold a webhook's
    /// credentials: do not log it.
    pub fn tools(&self) -> Tools {
        Resource::new(self.clone())
    }

    /// Sends any operation of the spec: a builder of the generated client ([`Self::api`]) with
    /// its parameters set. It goes through the same path as every call of this crate: checked
    /// first (each path parameter one segment, every documented range), retried by the
    /// operation's method and the [`RetryConfig`], traced as an `anam.request` span, with the
    /// body limit and this crate's [`Error`](crate::Error).
    ///
    /// ```no_run
    /// # async fn demo(client: anam::Client) -> anam::Result<()> {
    /// let persona = client.send(client.api().get_persona().id("2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31")).await?;
    /// println!("{}", persona.name.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn send<C: Call>(&self, call: C) -> Result<C::Output> {
        crate::request::send(self, call).await
    }

    /// The base URL requests go to (without a trailing slash).
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The generated client, configured like this one (key, user agent, timeout, body limit):
    /// its builders are what [`Self::send`] sends. A builder's own `send()` bypasses this
    /// crate: it is not checked or retried, opens no span and returns the generated error type.
    pub fn api(&self) -> &anam_api::Client {
        &self.shared.api
    }

    /// When calls are retried.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.shared.retry
    }

    /// What masks the key, `Bearer` values and credentials in every text an error keeps.
    pub(crate) fn redactor(&self) -> &Redactor {
        &self.shared.redactor
    }

    /// What is told of each retry ([`ClientBuilder::on_retry`]).
    pub(crate) fn retry_observer(&self) -> Option<&RetryObserver> {
        self.shared.on_retry.as_ref()
    }

    /// A client like this one that sends through `api` and retries by `retry`
    /// ([`Client::with_options`]).
    pub(crate) fn derived(&self, api: anam_api::Client, retry: RetryConfig) -> Client {
        let shared = &self.shared;
        let timeout = api.inner().timeout.unwrap_or(shared.timeout);
        let shared = Shared {
            api,
            base_url: shared.base_url.clone(),
            retry,
            timeout,
            max_response_bytes: shared.max_response_bytes,
            redactor: shared.redactor.clone(),
            on_retry: shared.on_retry.clone(),
        };
        Client { shared: Arc::new(shared) }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.shared.base_url)
            .field("api_key", &"[redacted]")
            .field("timeout", &self.shared.timeout)
            .field("retry", &self.shared.retry)
            .field("max_response_bytes", &self.shared.max_response_bytes)
            .finish()
    }
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
    retry: RetryConfig,
    max_response_bytes: Option<u64>,
    user_agent_suffix: Option<String>,
    http_client: Option<reqwest::Client>,
    allow_insecure_http: bool,
    on_retry: Option<RetryObserver>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
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
    /// unless its host is a loopback address or [`Self::allow_insecure_http`] is set, and must
    /// hold no user name or password, query or fragment, nor end in the `/v1` every path adds.
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

    /// When calls are retried (default [`RetryConfig::default`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How many times a failed request is retried (default 2; 0 turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The first backoff delay (default 0.5 s); each retry doubles it, up to [`Self::max_backoff`].
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.retry.initial_backoff = delay;
        self
    }

    /// The longest backoff delay (default 8 s).
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.retry.max_backoff = delay;
        self
    }

    /// The longest `Retry-After` the client sleeps for (default 60 s). When the server asks
    /// for longer, the error is returned at once with [`crate::Error::retry_after`] set.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.retry.max_retry_after = wait;
        self
    }

    /// The largest response body read (default 4 MiB; must be above 0). A larger answer fails
    /// with [`crate::Error::BodyTooLarge`] without the rest being read. Error answers are read
    /// up to 4 KiB whatever this says.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Text appended to the `User-Agent` (`anam-rust/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// A pre-configured `reqwest::Client` (proxies, custom TLS, connection pools). The SDK still
    /// sets its headers, the per-attempt timeout and the body limit on every request, and
    /// retries as configured here; the connect timeout and the redirect policy are the given
    /// client's: build it with `redirect(reqwest::redirect::Policy::none())` so that, as with
    /// the SDK's own client, no redirect is followed.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Calls `observe` before each retry's wait, with what failed and how long the SDK waits
    /// ([`RetryEvent`]): for metrics, or to slow other work down while the server asks for a
    /// pause (the `anam` CLI pauses all its requests on a 429 or 503 this way).
    ///
    /// ```
    /// let client = anam::Client::builder()
    ///     .api_key("sk-test")
    ///     .on_retry(|event| eprintln!("retrying {} in {:?}", event.operation.id(), event.wait))
    ///     .build()
    ///     .unwrap();
    /// # drop(client);
    /// ```
    pub fn on_retry(mut self, observe: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(std::sync::Arc::new(observe));
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
        let base = self.base_url.or_else(|| env(API_URL_ENV).filter(|u| !u.trim().is_empty()));
        let base_url = check_base_url(base.as_deref().unwrap_or(DEFAULT_BASE_URL), self.allow_insecure_http)?;
        let mut agent = format!("anam-rust/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent_suffix.filter(|s| !s.trim().is_empty()) {
            agent = format!("{agent} {}", suffix.trim());
        }
        let user_agent = HeaderValue::from_str(&agent)
            .map_err(|_| setting(format!("user agent suffix is not a valid header value: {agent:?}")))?;
        for (name, value) in [("timeout", self.timeout), ("connect_timeout", self.connect_timeout)] {
            if value.is_some_and(|d| d.is_zero()) {
                return Err(setting(format!("{name} is 0, but must be greater than 0 (e.g. 30 s)")).into());
            }
        }
        if self.max_response_bytes == Some(0) {
            return Err(setting("max_response_bytes is 0, but must be greater than 0 (e.g. 4 MiB)").into());
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let max_response_bytes = self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth_header(&key)?);
        headers.insert(USER_AGENT, user_agent);
        let max_body_bytes = Some(max_response_bytes);
        // The SDK's own client carries the headers and the timeout as its defaults; a caller's
        // client gets them on each request (RequestSettings, applied by anam-api's hook).
        let (http, settings) = match self.http_client {
            Some(client) => (client, RequestSettings { headers, timeout: Some(timeout), max_body_bytes }),
            None => {
                let client = reqwest::Client::builder()
                    .default_headers(headers)
                    .timeout(timeout)
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| setting(format!("cannot build the HTTP client: {e}")))?;
                (client, RequestSettings { max_body_bytes, ..RequestSettings::default() })
            }
        };
        let api = anam_api::Client::new_with_client(&base_url, http, settings);
        let redactor = Redactor::with_key(&key);
        let on_retry = self.on_retry;
        let shared = Shared { api, base_url, retry: self.retry, timeout, max_response_bytes, redactor, on_retry };
        Ok(Client { shared: Arc::new(shared) })
    }
}

/// The `Authorization` header for a key, marked sensitive so it is never printed.
fn auth_header(key: &SecretString) -> Result<HeaderValue> {
    let key = key.expose_secret().trim();
    if key.is_empty() {
        return Err(ConfigError::new(
            ConfigErrorKind::MissingApiKey,
            format!("no API key: set {API_KEY_ENV} or call ClientBuilder::api_key (keys are at https://lab.anam.ai)"),
        )
        .into());
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
        ConfigError::new(
            ConfigErrorKind::InvalidApiKey,
            format!("the API key ({API_KEY_ENV}) holds characters that cannot go in an HTTP header"),
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Checks the base URL and returns it without a trailing slash. A URL that does not parse is
/// not echoed (it may hold a password); one with a user name or password is refused unechoed.
fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| url_error(format!("the base URL ({API_URL_ENV} or ClientBuilder::base_url) is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(url_error(format!(
            "the base URL ({API_URL_ENV} or ClientBuilder::base_url) holds a user name or password; \
             remove them (the API key goes in {API_KEY_ENV})"
        ))
        .into());
    }
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return Err(ConfigError::new(
                ConfigErrorKind::InsecureBaseUrl,
                format!(
                    "base URL {raw:?} uses plain http to a host that is not loopback, which would send the API key \
                     in clear text; use https, or ClientBuilder::allow_insecure_http(true)"
                ),
            )
            .into());
        }
        other => return Err(url_error(format!("base URL {raw:?}: scheme {other:?} is not http or https")).into()),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(url_error(format!("base URL {raw:?} must not have a query or fragment")).into());
    }
    let base = url.as_str().trim_end_matches('/');
    if base.ends_with("/v1") {
        return Err(url_error(format!(
            "base URL {raw:?} ends in /v1, which every path already starts with; drop it (e.g. https://api.anam.ai)"
        ))
        .into());
    }
    Ok(base.to_string())
}

fn url_error(message: String) -> ConfigError {
    ConfigError::new(ConfigErrorKind::InvalidBaseUrl, message)
}

fn setting(message: impl Into<String>) -> ConfigError {
    ConfigError::new(ConfigErrorKind::InvalidSetting, message)
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    fn config_error(result: Result<Client>) -> String {
        config_kind(result).1
    }

    fn config_kind(result: Result<Client>) -> (ConfigErrorKind, String) {
        match result {
            Err(Error::Config(error)) => (error.kind, error.message),
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn config_errors_say_what_kind_they_are() {
        let none = env_of(&[]);
        assert_eq!(config_kind(Client::builder().build_with_env(&none)).0, ConfigErrorKind::MissingApiKey);
        let insecure = Client::builder().api_key("k").base_url("http://api.anam.ai").build_with_env(&none);
        assert_eq!(config_kind(insecure).0, ConfigErrorKind::InsecureBaseUrl);
        let bad = Client::builder().api_key("k").base_url("ftp://x").build_with_env(&none);
        assert_eq!(config_kind(bad).0, ConfigErrorKind::InvalidBaseUrl);
        let zero = Client::builder().api_key("k").timeout(Duration::ZERO).build_with_env(&none);
        assert_eq!(config_kind(zero).0, ConfigErrorKind::InvalidSetting);
        assert_eq!(
            config_kind(Client::builder().api_key("a\nb").build_with_env(&none)).0,
            ConfigErrorKind::InvalidApiKey
        );
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
    fn userinfo_and_a_v1_suffix_are_refused_without_echoing_a_password() {
        let build = |url: &str| Client::builder().api_key("k").base_url(url).build_with_env(&env_of(&[]));
        for url in ["https://user:hunter2@api.anam.ai", "https://user@api.anam.ai", "http://u:hunter2@127.0.0.1:1"] {
            let message = config_error(build(url));
            assert!(message.contains("user name or password"), "{message}");
            assert!(!message.contains("hunter2") && !message.contains("user@"), "{message}");
        }
        assert!(!config_error(build("https://u:hunter2@[bad")).contains("hunter2"));
        let message = config_error(build("https://api.anam.ai/v1/"));
        assert!(message.contains("drop it"), "{message}");
    }

    #[test]
    fn zero_timeouts_are_refused_by_name() {
        let zero = Duration::ZERO;
        let message = config_error(Client::builder().api_key("k").timeout(zero).build_with_env(&env_of(&[])));
        assert!(message.starts_with("timeout is 0"), "{message}");
        let message = config_error(Client::builder().api_key("k").connect_timeout(zero).build_with_env(&env_of(&[])));
        assert!(message.starts_with("connect_timeout is 0"), "{message}");
        let message = config_error(Client::builder().api_key("k").max_response_bytes(0).build_with_env(&env_of(&[])));
        assert!(message.starts_with("max_response_bytes is 0"), "{message}");
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
    fn a_user_agent_suffix_or_extra_header_cannot_carry_a_line_break_or_nul() {
        for suffix in ["svc/1\r\nX-Evil: 1", "svc/1\nX", "svc\0"] {
            let built = Client::builder().api_key("sk-test").user_agent_suffix(suffix).build_with_env(&env_of(&[]));
            assert!(config_error(built).starts_with("user agent suffix is not a valid header value"), "{suffix:?}");
        }
        for value in ["a\r\nX-Evil: 1", "a\0b", "a\rb"] {
            assert!(crate::CallOptions::new().header("x-trace", value).is_err(), "{value:?}");
        }
    }

    #[test]
    fn client_is_send_sync_and_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Client>();
    }
}
