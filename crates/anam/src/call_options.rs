//! [`CallOptions`]: a timeout, retries and extra headers for some calls, without a second
//! client (as the Stainless SDKs' `with_options`): [`Client::with_options`] gives a client that
//! shares the first one's connections and settings but for these.

use std::time::Duration;

use progenitor_client::ClientInfo;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::client::Client;
use crate::error::{ConfigError, ConfigErrorKind, Result};
use crate::retry::RetryConfig;

/// What [`Client::with_options`] changes; what is not set stays the client's.
///
/// ```
/// use std::time::Duration;
/// use anam::CallOptions;
///
/// # fn demo(client: anam::Client) -> anam::Result<()> {
/// let patient = client.with_options(
///     CallOptions::new()
///         .timeout(Duration::from_secs(120))
///         .max_retries(5)
///         .header("x-trace-id", "checkout-42")?,
/// )?;
/// let _list = patient.personas().list(anam::ListPersonas::new()); // sent with those options
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    timeout: Option<Duration>,
    retry: Option<RetryConfig>,
    max_retries: Option<u32>,
    headers: HeaderMap,
}

impl CallOptions {
    /// Nothing changed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The timeout of each attempt (must be above 0).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Other retry settings altogether.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// How many times a failed request is retried (0 turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// A header sent with every request, replacing one of the same name. A name or value that
    /// cannot be a header is refused here, naming it (the value is not echoed: it may be a
    /// secret). A value whose name is `authorization`, or that holds a token, should be marked
    /// sensitive: use [`Self::sensitive_header`].
    pub fn header(self, name: &str, value: &str) -> Result<Self> {
        self.insert(name, value, false)
    }

    /// [`Self::header`] for a secret value: it is marked sensitive, so `Debug` never shows it.
    pub fn sensitive_header(self, name: &str, value: &str) -> Result<Self> {
        self.insert(name, value, true)
    }

    fn insert(mut self, name: &str, value: &str, sensitive: bool) -> Result<Self> {
        let invalid = |what: &str| ConfigError::new(ConfigErrorKind::InvalidSetting, what.to_owned());
        let header = HeaderName::try_from(name)
            .map_err(|_| invalid(&format!("{:?} cannot be an HTTP header name", crate::error::one_line(name, 60))))?;
        let mut value = HeaderValue::try_from(value)
            .map_err(|_| invalid(&format!("the value of the header {header} holds characters a header cannot")))?;
        value.set_sensitive(sensitive);
        self.headers.insert(header, value);
        Ok(self)
    }
}

impl Client {
    /// A client like this one, sharing its connections, with `options` applied to every call
    /// it makes: a per-attempt timeout, retries and extra headers for one call or a few,
    /// without building a second client.
    pub fn with_options(&self, options: CallOptions) -> Result<Client> {
        if options.timeout.is_some_and(|t| t.is_zero()) {
            let message = "timeout is 0, but must be greater than 0 (e.g. 30 s)";
            return Err(ConfigError::new(ConfigErrorKind::InvalidSetting, message).into());
        }
        let api = self.api();
        let mut settings = api.inner().clone();
        settings.timeout = options.timeout.or(settings.timeout);
        settings.headers.extend(options.headers);
        let mut retry = options.retry.unwrap_or(*self.retry_config());
        if let Some(retries) = options.max_retries {
            retry.max_retries = retries;
        }
        let api = anam_api::Client::new_with_client(api.baseurl(), api.client().clone(), settings);
        Ok(self.derived(api, retry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_headers_are_refused_without_echoing_the_value() {
        let err = CallOptions::new().header("x-ok", "line\nbreak-secret").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(CallOptions::new().header("bad name", "v").is_err());
        let options = CallOptions::new().sensitive_header("x-token", "s3cr3t").unwrap();
        assert!(!format!("{options:?}").contains("s3cr3t"));
    }
}
