//! The request builders of LLM configurations ([`CreateLlm`], [`UpdateLlm`]): the upstream
//! model Anam calls for a persona's replies. The operations are the generic
//! [`Resource`](crate::Resource) handle's (`client.llms()`).

use anam_api::Secret;
use anam_api::facts::{check_create_llm, check_update_llm};
use anam_api::types::{
    LlmCreate, LlmFormat, LlmReasoningEffort, LlmReasoningFormat, LlmUpdate, LlmUpdateFormat, LlmUrlCreate,
};
use serde_json::{Map, Value};

use crate::checks::{absolute_url, json_object, not_blank};
use crate::error::ValidationError;
use crate::resource::IntoBody;

/// The schemes an upstream URL may have: not `http`, which would carry the credential that
/// Anam's servers send with every upstream call in clear text (see [`CreateLlm`]).
const UPSTREAM_SCHEMES: &[&str] = &["https"];

/// The fields and their checks create and update share, on the body's fields of the same name.
macro_rules! llm_setters {
    () => {
        /// `description`: a description for people.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.body.description = Some(description.into());
            self
        }

        /// `metadata`: vendor-specific settings, a JSON object (an empty one is not sent: the
        /// generated body leaves an empty map out).
        pub fn metadata(mut self, metadata: Value) -> Self {
            self.metadata = Some(metadata);
            self
        }

        /// `reasoningEffort`: an effort hint for reasoning-capable models.
        pub fn reasoning_effort(mut self, effort: impl Into<LlmReasoningEffort>) -> Self {
            self.body.reasoning_effort = Some(effort.into());
            self
        }

        /// `reasoningFormat`: how a reasoning-capable model's reasoning is handled.
        pub fn reasoning_format(mut self, format: impl Into<LlmReasoningFormat>) -> Self {
            self.body.reasoning_format = Some(format.into());
            self
        }

        /// `temperature`: the sampling temperature, a finite number (Anam documents no range,
        /// and does not declare the field in its bodies, although its own example sends it).
        pub fn temperature(mut self, temperature: f64) -> Self {
            self.body.temperature = Some(temperature);
            self
        }

        /// `maxTokens`: the cap on output tokens per reply, at least 1 (not declared by Anam's
        /// bodies; its LLM answer has it).
        pub fn max_tokens(mut self, tokens: u32) -> Self {
            self.body.max_tokens = Some(i64::from(tokens));
            self
        }

        /// `deploymentName`: the deployment, for the `azure_openai` format only.
        pub fn deployment_name(mut self, name: impl Into<String>) -> Self {
            self.body.deployment_name = Some(name.into());
            self
        }

        /// `apiVersion`: the API version, for the `azure_openai` format only.
        pub fn api_version(mut self, version: impl Into<String>) -> Self {
            self.body.api_version = Some(version.into());
            self
        }
    };
}

/// Checks the numbers create and update share: a finite `temperature` (Anam documents no
/// range), and a `maxTokens` cap of at least one token.
fn check_numbers(temperature: Option<f64>, max_tokens: Option<i64>) -> Result<(), ValidationError> {
    if let Some(t) = temperature.filter(|t| !t.is_finite()) {
        return Err(ValidationError::new("temperature", t, "a finite number"));
    }
    if max_tokens == Some(0) {
        return Err(ValidationError::new("maxTokens", 0, "at least 1"));
    }
    Ok(())
}

/// Refuses `deploymentName` and `apiVersion` (`fields`: each with whether it is set) when the
/// body sends another format than `azure_openai` (`other_format`, its wire name): the spec
/// describes both as "for `azure_openai` only". An update without a format leaves the stored
/// one to the server.
fn check_azure_only(other_format: Option<&str>, fields: [(&'static str, bool); 2]) -> Result<(), ValidationError> {
    let (Some(format), Some((field, _))) = (other_format, fields.iter().find(|(_, set)| *set)) else {
        return Ok(());
    };
    let expected = format!("absent for llmFormat {format} (it applies to azure_openai only)");
    Err(ValidationError::new(*field, "set", expected))
}

/// The azure-only fields with whether each is set, as [`check_azure_only`] takes them.
fn azure_fields(deployment_name: bool, api_version: bool) -> [(&'static str, bool); 2] {
    [("deploymentName", deployment_name), ("apiVersion", api_version)]
}

/// `metadata` as the JSON object the body holds (empty, and so not sent, when unset).
fn metadata(value: Option<Value>, schema: &str) -> Result<Map<String, Value>, ValidationError> {
    value.map_or_else(|| Ok(Map::new()), |value| json_object("metadata", value, (schema, "metadata")))
}

/// An LLM configuration to create (`POST /v1/llms`): a name for people, the upstream API's
/// dialect, the model name sent upstream, the upstream credential and one or more upstream
/// URLs ([`Self::url`], at least one).
///
/// The credential is a [`Secret`]: write-only (Anam encrypts it at rest and never returns it),
/// and never shown by `Debug` or traces. What [`Self::build`] checks: `displayName`,
/// `modelName` and `secret` not blank (the spec requires them), at least one URL, each an
/// absolute `https` URL without a user name or password, `metadata` a JSON object,
/// `temperature` finite, `maxTokens` above 0, and `deploymentName` and `apiVersion` only with
/// `azure_openai` (the spec's "for `azure_openai` only").
///
/// Plain `http` is refused: Anam's servers send the upstream credential with every call to the
/// URL, and `http` would carry it in clear text (Anam's document types the URL as a `uri` and
/// gives only `https` examples; it does not say whether its servers refuse `http`). A user name
/// or password in the URL is refused too: the credential belongs in `secret`, which is kept as
/// one.
///
/// ```
/// use anam::CreateLlm;
/// use anam::types::{LlmFormat, LlmReasoningEffort};
///
/// let llm = CreateLlm::new("My GPT-4o", LlmFormat::Openai, "gpt-4o", "sk-secret")
///     .url("https://api.openai.com/v1/chat/completions")
///     .temperature(0.7)
///     .reasoning_effort(LlmReasoningEffort::Low);
/// assert!(!format!("{llm:?}").contains("sk-secret"));
/// assert_eq!(llm.build().unwrap().urls[0].url, "https://api.openai.com/v1/chat/completions");
///
/// let err = CreateLlm::new("Local", "openai", "llama", "key").url("http://llm.example.com/v1").build().unwrap_err();
/// assert_eq!(err.field, "urls[0].url");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateLlm {
    body: LlmCreate,
    metadata: Option<Value>,
}

impl CreateLlm {
    /// An LLM called in the `format` dialect (`llmFormat`, which must match the upstream's wire
    /// protocol), as `model_name` (`modelName`, e.g. `gpt-4o`), with the credential `secret`.
    /// Add its URLs with [`Self::url`].
    pub fn new(
        display_name: impl Into<String>,
        format: impl Into<LlmFormat>,
        model_name: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        let body = LlmCreate {
            api_version: None,
            deployment_name: None,
            description: None,
            display_name: display_name.into(),
            llm_format: format.into(),
            max_tokens: None,
            metadata: Map::new(),
            model_name: model_name.into(),
            reasoning_effort: None,
            reasoning_format: None,
            secret: secret.into(),
            temperature: None,
            urls: Vec::new(),
        };
        CreateLlm { body, metadata: None }
    }

    /// Adds an upstream URL (`urls[].url`), e.g. `https://api.openai.com/v1/chat/completions`.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.body.urls.push(LlmUrlCreate { url: url.into(), region: None });
        self
    }

    /// Adds an upstream URL that one streaming region uses (`urls[].region`, which the LLM
    /// answer has but Anam's create body does not declare).
    pub fn url_in_region(mut self, url: impl Into<String>, region: impl Into<String>) -> Self {
        self.body.urls.push(LlmUrlCreate { url: url.into(), region: Some(region.into()) });
        self
    }

    llm_setters!();

    /// The checked wire form.
    pub fn build(self) -> Result<LlmCreate, ValidationError> {
        let mut body = self.body;
        not_blank("displayName", &body.display_name, "a name")?;
        not_blank("modelName", &body.model_name, "a model name (e.g. gpt-4o)")?;
        if body.secret.expose_secret().trim().is_empty() {
            return Err(ValidationError::new("secret", "blank", "the upstream credential (an API key)"));
        }
        if body.urls.is_empty() {
            return Err(ValidationError::new("urls", "[]", "at least one upstream URL"));
        }
        for (i, upstream) in body.urls.iter().enumerate() {
            absolute_url(&format!("urls[{i}].url"), &upstream.url, UPSTREAM_SCHEMES)?;
        }
        check_numbers(body.temperature, body.max_tokens)?;
        let other_format = (body.llm_format != LlmFormat::AzureOpenai).then(|| body.llm_format.as_str());
        check_azure_only(other_format, azure_fields(body.deployment_name.is_some(), body.api_version.is_some()))?;
        body.metadata = metadata(self.metadata, "LlmCreate")?;
        check_create_llm(&body)?;
        Ok(body)
    }
}

impl IntoBody<LlmCreate> for CreateLlm {
    fn into_body(self) -> Result<LlmCreate, ValidationError> {
        self.build()
    }
}

/// A partial update of an LLM configuration (`PUT /v1/llms/{id}`): only the fields set are
/// sent. Anam's update body differs from create: it takes one `url` (not a list), and its
/// `llmFormat` is its own enum, [`LlmUpdateFormat`] (`anthropic` and `custom`, which create
/// does not list; not `gemini`, `advanced_voice` or `none`, which it does), and a new `secret`
/// replaces the stored one. The checks are those of [`CreateLlm`] for the fields set;
/// `deploymentName` and `apiVersion` are refused only when the update sets another format
/// than `azure_openai`. Anam's default LLMs cannot be changed (403).
///
/// ```
/// use anam::UpdateLlm;
/// use serde_json::json;
///
/// let update = UpdateLlm::new().model_name("gpt-4o-mini").secret("sk-rotated").temperature(0.5);
/// assert!(!format!("{update:?}").contains("sk-rotated"));
/// let wire = serde_json::to_value(update.build().unwrap()).unwrap();
/// assert_eq!(wire, json!({"modelName": "gpt-4o-mini", "secret": "sk-rotated", "temperature": 0.5}));
///
/// assert_eq!(UpdateLlm::new().url("api.openai.com").build().unwrap_err().field, "url");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateLlm {
    body: LlmUpdate,
    metadata: Option<Value>,
}

impl UpdateLlm {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `displayName`: a new name for people.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.body.display_name = Some(name.into());
        self
    }

    /// `url`: a new upstream URL (one: the update body has no list).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.body.url = Some(url.into());
        self
    }

    /// `llmFormat`: a new dialect, of the update body's own list ([`LlmUpdateFormat`]).
    pub fn format(mut self, format: impl Into<LlmUpdateFormat>) -> Self {
        self.body.llm_format = Some(format.into());
        self
    }

    /// `modelName`: a new model name sent upstream.
    pub fn model_name(mut self, name: impl Into<String>) -> Self {
        self.body.model_name = Some(name.into());
        self
    }

    /// `secret`: a new upstream credential, replacing the stored one (write-only).
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.body.secret = Some(secret.into());
        self
    }

    llm_setters!();

    /// The checked wire form.
    pub fn build(self) -> Result<LlmUpdate, ValidationError> {
        let mut body = self.body;
        if let Some(name) = &body.display_name {
            not_blank("displayName", name, "a name")?;
        }
        if let Some(name) = &body.model_name {
            not_blank("modelName", name, "a model name (e.g. gpt-4o)")?;
        }
        if body.secret.as_ref().is_some_and(|s| s.expose_secret().trim().is_empty()) {
            return Err(ValidationError::new("secret", "blank", "the upstream credential (an API key)"));
        }
        if let Some(url) = &body.url {
            absolute_url("url", url, UPSTREAM_SCHEMES)?;
        }
        check_numbers(body.temperature, body.max_tokens)?;
        let other_format = body.llm_format.as_ref().filter(|f| **f != LlmUpdateFormat::AzureOpenai);
        let set = azure_fields(body.deployment_name.is_some(), body.api_version.is_some());
        check_azure_only(other_format.map(LlmUpdateFormat::as_str), set)?;
        body.metadata = metadata(self.metadata, "LlmUpdate")?;
        check_update_llm(&body)?;
        Ok(body)
    }
}

impl IntoBody<LlmUpdate> for UpdateLlm {
    fn into_body(self) -> Result<LlmUpdate, ValidationError> {
        self.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const URL: &str = "https://api.openai.com/v1/chat/completions";

    fn wire<T: serde::Serialize>(body: T) -> Value {
        serde_json::to_value(body).unwrap()
    }

    fn field(result: Result<impl std::fmt::Debug, ValidationError>) -> String {
        result.unwrap_err().field
    }

    fn gpt() -> CreateLlm {
        CreateLlm::new("My GPT-4o", LlmFormat::Openai, "gpt-4o", "sk-s3cret").url(URL)
    }

    #[test]
    fn a_full_create_on_the_wire_keeps_the_secret_out_of_debug() {
        let llm = CreateLlm::new("Azure GPT", LlmFormat::AzureOpenai, "gpt-4o", "sk-s3cret")
            .url(URL)
            .url_in_region("https://eu.example.com/v1", "eu")
            .description("Our deployment.")
            .metadata(json!({"team": "support"}))
            .reasoning_effort(LlmReasoningEffort::High)
            .reasoning_format(LlmReasoningFormat::Hidden)
            .temperature(0.7)
            .max_tokens(1024)
            .deployment_name("prod")
            .api_version("2024-06-01");
        assert!(!format!("{llm:?}").contains("s3cret"));
        let body = llm.build().unwrap();
        assert!(!format!("{body:?}").contains("s3cret"));
        let expected = json!({
            "displayName": "Azure GPT", "llmFormat": "azure_openai", "modelName": "gpt-4o", "secret": "sk-s3cret",
            "urls": [{"url": URL}, {"url": "https://eu.example.com/v1", "region": "eu"}],
            "description": "Our deployment.", "metadata": {"team": "support"},
            "reasoningEffort": "high", "reasoningFormat": "hidden", "temperature": 0.7, "maxTokens": 1024,
            "deploymentName": "prod", "apiVersion": "2024-06-01"
        });
        assert_eq!(wire(body), expected);
    }

    #[test]
    fn the_documented_example_comes_out_of_the_builder() {
        let body = CreateLlm::new("My GPT-4o", "openai", "gpt-4o", "sk-…").url(URL).temperature(0.7).build();
        let expected = json!({"displayName": "My GPT-4o", "urls": [{"url": URL}], "llmFormat": "openai",
            "modelName": "gpt-4o", "secret": "sk-…", "temperature": 0.7});
        assert_eq!(wire(body.unwrap()), expected);
    }

    #[test]
    fn required_texts_are_not_blank_and_a_url_is_needed() {
        assert_eq!(field(CreateLlm::new(" ", "openai", "m", "k").url(URL).build()), "displayName");
        assert_eq!(field(CreateLlm::new("n", "openai", "", "k").url(URL).build()), "modelName");
        let err = CreateLlm::new("n", "openai", "m", "  ").url(URL).build().unwrap_err();
        assert_eq!((err.field.as_str(), err.value.as_str()), ("secret", "blank"));
        assert_eq!(field(CreateLlm::new("n", "openai", "m", "k").build()), "urls");
        assert_eq!(field(UpdateLlm::new().display_name("").build()), "displayName");
        assert_eq!(field(UpdateLlm::new().model_name(" ").build()), "modelName");
        assert_eq!(field(UpdateLlm::new().secret("").build()), "secret");
    }

    #[test]
    fn upstream_urls_are_absolute_https_without_credentials() {
        for bad in ["http://api.openai.com/v1", "api.openai.com/v1", "/v1", "https://sk:x@api.openai.com/v1"] {
            assert_eq!(field(gpt().url(bad).build()), "urls[1].url", "{bad}");
            assert_eq!(field(UpdateLlm::new().url(bad).build()), "url", "{bad}");
        }
        let err = gpt().url("https://user:sk-pw@api.openai.com").build().unwrap_err();
        assert!(!err.to_string().contains("sk-pw"));
    }

    #[test]
    fn metadata_is_an_object_and_numbers_are_checked() {
        assert_eq!(field(gpt().metadata(json!([1])).build()), "metadata");
        assert_eq!(field(UpdateLlm::new().metadata(json!("x")).build()), "metadata");
        for bad in [f64::NAN, f64::INFINITY] {
            assert_eq!(field(gpt().temperature(bad).build()), "temperature");
            assert_eq!(field(UpdateLlm::new().temperature(bad).build()), "temperature");
        }
        assert_eq!(field(gpt().max_tokens(0).build()), "maxTokens");
        assert_eq!(field(UpdateLlm::new().max_tokens(0).build()), "maxTokens");
    }

    #[test]
    fn azure_fields_go_with_azure_only() {
        let err = gpt().deployment_name("prod").build().unwrap_err();
        assert_eq!(err.expected, "absent for llmFormat openai (it applies to azure_openai only)");
        assert_eq!(field(gpt().api_version("v").build()), "apiVersion");
        assert_eq!(field(UpdateLlm::new().format("groq_openai").api_version("v").build()), "apiVersion");
        assert!(UpdateLlm::new().api_version("v").build().is_ok(), "the stored format may be azure");
        assert!(UpdateLlm::new().format(LlmUpdateFormat::AzureOpenai).deployment_name("d").build().is_ok());
    }

    #[test]
    fn update_has_its_own_format_enum_and_sends_only_what_is_set() {
        assert_eq!(wire(UpdateLlm::new().build().unwrap()), json!({}));
        let body = UpdateLlm::new().format(LlmUpdateFormat::Anthropic).url("https://api.anthropic.com/v1/messages");
        assert_eq!(
            wire(body.build().unwrap()),
            json!({"llmFormat": "anthropic", "url": "https://api.anthropic.com/v1/messages"})
        );
    }
}
