//! The request builders of stored tools ([`CreateTool`], [`UpdateTool`]), which personas
//! attach by id. The operations are the generic [`Resource`](crate::Resource) handle's
//! (`client.tools()`).
//!
//! Which `config` fields each tool type takes, and requires on create, is read from the spec's
//! `x-anam-tool-types` ([`anam_api::facts::TOOL_CONFIG_FIELDS`], generated), never listed here.

use std::collections::HashMap;
use std::time::Duration;

use anam_api::Secret;
use anam_api::facts::{check_create_tool, check_tool_config, check_update_tool};
use anam_api::types::error::ConversionError;
use anam_api::types::{
    SystemToolAction, ToolConfig, ToolCreate, ToolCreateDescription, ToolCreateName, ToolType, ToolUpdate,
    ToolUpdateDescription, ToolUpdateName, ToolWebhookMethod,
};
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use crate::checks::{absolute_url, constrained, json_object, not_blank};
use crate::error::ValidationError;
use crate::ids::KnowledgeGroupId;
use crate::resource::IntoBody;

/// Whether `c` may be in a tool's name: an ASCII letter or digit, `_`, `.` or `-`. Anam states
/// the pattern `[a-zA-Z0-9_.-]+` in prose only (the description of the create body's `name` in
/// its OpenAPI document, and of `ToolCreate.name` in the spec), so it is written here, once; the length is the spec's
/// `minLength`/`maxLength`, enforced by the generated `ToolCreateName` and `ToolUpdateName`.
fn is_tool_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// `name` as a tool name type: only the characters of the pattern, within the spec's length.
fn tool_name<T: TryFrom<String, Error = ConversionError>>(name: String) -> Result<T, ValidationError> {
    if let Some(bad) = name.chars().find(|c| !is_tool_name_char(*c)) {
        let expected = format!("only ASCII letters, digits, `_`, `.` and `-` ([a-zA-Z0-9_.-]+; {bad:?} is not one)");
        return Err(ValidationError::new("name", format!("{name:?}"), expected));
    }
    constrained("name", name)
}

/// The `config` settings both builders take, checked when the request is built.
#[derive(Debug, Clone, Default, PartialEq)]
struct Settings {
    config: ToolConfig,
    /// `parameters` as given, checked to be an object when the request is built.
    parameters: Option<Value>,
}

impl Settings {
    /// The checked config: `parameters` an object (within the spec's size limit, if it gives
    /// one for stored tools), `url` an absolute http(s) URL, header names and values valid in
    /// HTTP, and knowledge group ids not blank.
    fn finish(self) -> Result<ToolConfig, ValidationError> {
        let mut config = self.config;
        if let Some(schema) = self.parameters {
            config.parameters = Some(json_object("config.parameters", schema, ("ToolConfig", "parameters"))?);
        }
        if let Some(url) = &config.url {
            absolute_url("config.url", url, &["https", "http"])?;
        }
        if let Some(headers) = &config.headers {
            check_headers(headers)?;
        }
        if let Some(groups) = &config.document_folder_ids {
            check_groups(groups)?;
        }
        Ok(config)
    }

    /// Sets a header, replacing one of the same name in any case (HTTP names ignore case).
    fn header(&mut self, name: String, value: Secret) {
        let headers = self.config.headers.get_or_insert_with(HashMap::new);
        headers.retain(|existing, _| !existing.eq_ignore_ascii_case(&name));
        headers.insert(name, value);
    }
}

/// Checks each webhook header, in the order of their names: a valid HTTP field name, and a
/// value without control characters (tab aside). A value is never shown: it is a secret.
fn check_headers(headers: &HashMap<String, Secret>) -> Result<(), ValidationError> {
    let mut entries: Vec<(&String, &Secret)> = headers.iter().collect();
    entries.sort_by_key(|(name, _)| *name);
    for (name, value) in entries {
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            let expected = "an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)";
            return Err(ValidationError::new("config.headers", format!("{name:?}"), expected));
        }
        if HeaderValue::from_bytes(value.expose_secret().as_bytes()).is_err() {
            let shown = "a text with a control character (not shown: a secret)";
            return Err(ValidationError::new(format!("config.headers.{name}"), shown, "an HTTP header value"));
        }
    }
    Ok(())
}

/// Checks the knowledge groups of a `SERVER_RAG` tool: at least one (a knowledge tool without
/// a group searches nothing), none blank.
fn check_groups(groups: &[KnowledgeGroupId]) -> Result<(), ValidationError> {
    if groups.is_empty() {
        return Err(ValidationError::new("config.documentFolderIds", "[]", "at least one knowledge group id"));
    }
    for (i, group) in groups.iter().enumerate() {
        not_blank(&format!("config.documentFolderIds[{i}]"), group, "a knowledge group id")?;
    }
    Ok(())
}

/// On create: `toolTimeoutSeconds` is how long the engine waits for a result when
/// `awaitResult` is true (the spec's description), so a timeout without it would be ignored.
fn check_timeout_awaits(config: &ToolConfig) -> Result<(), ValidationError> {
    if config.tool_timeout_seconds.is_some() && config.await_result != Some(true) {
        let expected = "set only with config.awaitResult true (the engine waits for a result only then)";
        return Err(ValidationError::new("config.toolTimeoutSeconds", "set", expected));
    }
    Ok(())
}

/// The config, or `None` when no field is set (the schema does not require one).
fn config_if_set(config: ToolConfig) -> Option<ToolConfig> {
    (config != ToolConfig::default()).then_some(config)
}

/// The setters of `config` and `disableInterruptions` that create and update share: every
/// field of every type, so that a field the type does not take reaches the check (and is
/// refused, naming it) instead of being dropped.
macro_rules! tool_setters {
    () => {
        /// `config.url`: the URL a webhook tool calls.
        pub fn url(mut self, url: impl Into<String>) -> Self {
            self.settings.config.url = Some(url.into());
            self
        }

        /// `config.method`: the HTTP method a webhook tool calls its URL with.
        pub fn method(mut self, method: impl Into<ToolWebhookMethod>) -> Self {
            self.settings.config.method = Some(method.into());
            self
        }

        /// `config.documentFolderIds`: the knowledge groups a knowledge tool searches.
        pub fn knowledge_groups<I: IntoIterator<Item = G>, G: Into<KnowledgeGroupId>>(mut self, groups: I) -> Self {
            self.settings.config.document_folder_ids = Some(groups.into_iter().map(Into::into).collect());
            self
        }

        /// `config.action`: what a system tool does.
        pub fn action(mut self, action: impl Into<SystemToolAction>) -> Self {
            self.settings.config.action = Some(action.into());
            self
        }

        /// Adds a header (`config.headers`) sent with each webhook call, replacing one of the
        /// same name in any case. The value is a [`Secret`]: `Debug` and traces never show it.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<Secret>) -> Self {
            self.settings.header(name.into(), value.into());
            self
        }

        /// `config.bodyTemplate`: a template of the webhook's request body (Anam does not
        /// document its syntax).
        pub fn body_template(mut self, template: impl Into<String>) -> Self {
            self.settings.config.body_template = Some(template.into());
            self
        }

        /// `config.parameters`: the JSON Schema of the arguments the language model fills in
        /// (client tools); it must be a JSON object.
        pub fn parameters(mut self, schema: Value) -> Self {
            self.settings.parameters = Some(schema);
            self
        }

        /// `config.awaitResult`: when true, the engine pauses until the client sends a result
        /// back; otherwise it does not wait (the default).
        pub fn await_result(mut self, wait: bool) -> Self {
            self.settings.config.await_result = Some(wait);
            self
        }

        /// `config.toolTimeoutSeconds`: how long the engine waits for the client's result, 1 to
        /// 600 seconds (the spec's range; 10 s when unset), fractions of a second kept.
        pub fn tool_timeout(mut self, timeout: Duration) -> Self {
            self.settings.config.tool_timeout_seconds = Some(timeout.as_secs_f64());
            self
        }

        /// `disableInterruptions`: when true, the user cannot interrupt while the tool runs.
        pub fn disable_interruptions(mut self, disable: bool) -> Self {
            self.disable_interruptions = Some(disable);
            self
        }
    };
}

/// A tool to create (`POST /v1/tools`), of one of the types the spec documents, each with its
/// constructor (or any type, with [`CreateTool::new`]). `disableInterruptions` is false unless
/// set (the spec's default).
///
/// A tool's `config` depends on its `type` (the spec's `x-anam-tool-types`, read through
/// [`anam_api::facts::TOOL_CONFIG_FIELDS`] and checked by [`anam_api::facts::check_tool_config`],
/// as `Client::send` does); the setters of every field are on every tool, and a field its type
/// does not take is refused when the request is built, naming it:
///
/// | type | constructor | config fields (required in bold) |
/// |---|---|---|
/// | `SERVER_WEBHOOK` | [`CreateTool::webhook`] | **`url`**, **`method`**, `headers`, `bodyTemplate` |
/// | `CLIENT` | [`CreateTool::client`] | `parameters`, `awaitResult`, `toolTimeoutSeconds` |
/// | `SERVER_RAG` | [`CreateTool::knowledge`] | **`documentFolderIds`** |
/// | `SYSTEM` | [`CreateTool::system`] | **`action`** |
///
/// What [`CreateTool::build`] checks: `name` 1 to 64 characters (the spec's lengths) of
/// `[a-zA-Z0-9_.-]` (Anam's prose), `description` 1 to 1024 characters, every config field one
/// the type takes and every one it requires set (the spec's `x-anam-tool-types`),
/// `parameters` a JSON object (the spec gives stored tools no size limit; inline tools have
/// one), the webhook URL an absolute `http` or `https` URL without credentials, header names
/// and values valid in HTTP, `toolTimeoutSeconds` 1 to 600 (the spec's range) and only with
/// `awaitResult` true, and at least one knowledge group. Errors name the wire field.
///
/// ```
/// use std::time::Duration;
/// use anam::CreateTool;
/// use anam::types::{SystemToolAction, ToolWebhookMethod};
/// use serde_json::json;
///
/// let webhook = CreateTool::webhook("crm_lookup", "Look up a customer.", "https://crm.example.com/find", ToolWebhookMethod::Post)
///     .header("Authorization", "Bearer s3cret")
///     .body_template(r#"{"email": "{{email}}"}"#);
/// assert!(!format!("{webhook:?}").contains("s3cret"), "header values are secrets");
/// assert_eq!(webhook.build().unwrap().config.unwrap().url.as_deref(), Some("https://crm.example.com/find"));
///
/// let calendar = CreateTool::client("open_calendar", "Open the calendar UI in the client app.")
///     .parameters(json!({"type": "object", "properties": {"date": {"type": "string"}}}))
///     .await_result(true)
///     .tool_timeout(Duration::from_secs(30));
/// assert!(calendar.build().is_ok());
///
/// let docs = CreateTool::knowledge("search_docs", "Search the product docs.", ["67d27a9f-0ce1-4432-848b-8ab2b97f024b"]);
/// assert!(docs.build().is_ok());
/// assert!(CreateTool::system("hang_up", "End the call.", SystemToolAction::EndCall).build().is_ok());
///
/// let err = CreateTool::client("open calendar", "Opens it.").build().unwrap_err();
/// assert_eq!(err.field, "name");
/// let err = CreateTool::client("wait", "Waits.").await_result(true).tool_timeout(Duration::from_secs(601)).build();
/// assert_eq!(err.unwrap_err().to_string(), "config.toolTimeoutSeconds is 601, but must be between 1 and 600");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTool {
    name: String,
    description: String,
    kind: ToolType,
    disable_interruptions: Option<bool>,
    settings: Settings,
}

impl CreateTool {
    /// A tool of `kind` (any type, including one the SDK does not know yet) with no config yet:
    /// set its config with the setters; [`Self::build`] checks them against the type. The
    /// constructors below are this with the type's required fields.
    pub fn new(kind: impl Into<ToolType>, name: impl Into<String>, description: impl Into<String>) -> Self {
        let (kind, name, description) = (kind.into(), name.into(), description.into());
        CreateTool { name, description, kind, disable_interruptions: None, settings: Settings::default() }
    }

    /// A tool that calls a URL (`SERVER_WEBHOOK`) with `method`; add headers with
    /// [`Self::header`] and a body with [`Self::body_template`].
    pub fn webhook(
        name: impl Into<String>,
        description: impl Into<String>,
        url: impl Into<String>,
        method: impl Into<ToolWebhookMethod>,
    ) -> Self {
        Self::new(ToolType::ServerWebhook, name, description).url(url).method(method)
    }

    /// A tool that raises an event in the client SDK (`CLIENT`); describe its arguments with
    /// [`Self::parameters`].
    pub fn client(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self::new(ToolType::Client, name, description)
    }

    /// A tool that searches knowledge groups (`SERVER_RAG`, `config.documentFolderIds`).
    pub fn knowledge<I, G>(name: impl Into<String>, description: impl Into<String>, groups: I) -> Self
    where
        I: IntoIterator<Item = G>,
        G: Into<KnowledgeGroupId>,
    {
        Self::new(ToolType::ServerRag, name, description).knowledge_groups(groups)
    }

    /// A built-in action (`SYSTEM`): end the call or interrupt the persona.
    pub fn system(
        name: impl Into<String>,
        description: impl Into<String>,
        action: impl Into<SystemToolAction>,
    ) -> Self {
        Self::new(ToolType::System, name, description).action(action)
    }

    tool_setters!();

    /// The checked wire form.
    pub fn build(self) -> Result<ToolCreate, ValidationError> {
        let name = tool_name::<ToolCreateName>(self.name)?;
        let description = constrained::<ToolCreateDescription>("description", self.description)?;
        let config = self.settings.finish()?;
        check_tool_config(Some(self.kind.as_str()), &config, true)?;
        check_timeout_awaits(&config)?;
        let body = ToolCreate {
            config: config_if_set(config),
            description,
            // `bool::default()`, as the generated type's `#[serde(default)]` reads the spec's default.
            disable_interruptions: self.disable_interruptions.unwrap_or_default(),
            name,
            type_: self.kind,
        };
        check_create_tool(&body)?;
        Ok(body)
    }
}

impl IntoBody<ToolCreate> for CreateTool {
    fn into_body(self) -> Result<ToolCreate, ValidationError> {
        self.build()
    }
}

/// A partial update of a tool (`PUT /v1/tools/{id}`): only the fields set are sent. The checks
/// are those of [`CreateTool`], except that nothing is required; when the update does not set
/// the type, the config fields it sets must be fields of one type. Anam does not say whether
/// `config` is merged or replaced, and refuses changes to system tools (403).
///
/// ```
/// use anam::UpdateTool;
/// use serde_json::json;
///
/// let wire = |u: UpdateTool| serde_json::to_value(u.build().unwrap()).unwrap();
/// assert_eq!(wire(UpdateTool::new().name("open_scheduler")), json!({"name": "open_scheduler"}));
/// assert_eq!(wire(UpdateTool::new().url("https://crm.example.com/v2")), json!({"config": {"url": "https://crm.example.com/v2"}}));
///
/// let err = UpdateTool::new().url("https://crm.example.com").await_result(true).build().unwrap_err();
/// assert_eq!(err.field, "config.url");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateTool {
    name: Option<String>,
    description: Option<String>,
    kind: Option<ToolType>,
    disable_interruptions: Option<bool>,
    settings: Settings,
}

impl UpdateTool {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `name`: a new name, as for [`CreateTool`].
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// `description`: a new description, 1 to 1024 characters.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// `type`: a new kind of tool; the config fields set must then be fields of that type.
    pub fn tool_type(mut self, kind: impl Into<ToolType>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    tool_setters!();

    /// The checked wire form.
    pub fn build(self) -> Result<ToolUpdate, ValidationError> {
        let name = self.name.map(tool_name::<ToolUpdateName>).transpose()?;
        let description = self.description.map(|d| constrained::<ToolUpdateDescription>("description", d));
        let description = description.transpose()?;
        let config = self.settings.finish()?;
        check_tool_config(self.kind.as_ref().map(ToolType::as_str), &config, false)?;
        let body = ToolUpdate {
            config: config_if_set(config),
            description,
            disable_interruptions: self.disable_interruptions,
            name,
            type_: self.kind,
        };
        check_update_tool(&body)?;
        Ok(body)
    }
}

impl IntoBody<ToolUpdate> for UpdateTool {
    fn into_body(self) -> Result<ToolUpdate, ValidationError> {
        self.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anam_api::facts::{TOOL_CONFIG_FIELDS, json_size_limit, tool_config_fields};
    use serde_json::json;

    fn wire<T: serde::Serialize>(body: T) -> Value {
        serde_json::to_value(body).unwrap()
    }

    fn err(result: Result<impl std::fmt::Debug, ValidationError>) -> (String, String) {
        let err = result.unwrap_err();
        (err.field, err.expected)
    }

    #[test]
    fn a_full_webhook_tool_on_the_wire() {
        let tool = CreateTool::webhook("crm.lookup-v2", "Look up a customer.", "https://crm.example.com/find", "POST")
            .header("Authorization", "Bearer s3cret")
            .header("X-Trace", "on")
            .header("authorization", "Bearer n3w")
            .body_template("{\"email\": \"{{email}}\"}")
            .disable_interruptions(true);
        assert!(!format!("{tool:?}").contains("s3cret") && !format!("{tool:?}").contains("n3w"));
        let body = tool.build().unwrap();
        assert!(!format!("{body:?}").contains("n3w"));
        let expected = json!({
            "name": "crm.lookup-v2",
            "description": "Look up a customer.",
            "type": "SERVER_WEBHOOK",
            "disableInterruptions": true,
            "config": {
                "url": "https://crm.example.com/find",
                "method": "POST",
                "headers": {"authorization": "Bearer n3w", "X-Trace": "on"},
                "bodyTemplate": "{\"email\": \"{{email}}\"}"
            }
        });
        assert_eq!(wire(body), expected);
    }

    #[test]
    fn client_knowledge_and_system_tools_on_the_wire() {
        let schema = json!({"type": "object", "properties": {"date": {"type": "string"}}});
        let client = CreateTool::client("open_calendar", "Open the calendar.")
            .parameters(schema.clone())
            .await_result(true)
            .tool_timeout(Duration::from_millis(2500));
        let expected = json!({"name": "open_calendar", "description": "Open the calendar.", "type": "CLIENT",
            "disableInterruptions": false,
            "config": {"parameters": schema, "awaitResult": true, "toolTimeoutSeconds": 2.5}});
        assert_eq!(wire(client.build().unwrap()), expected);
        let bare = CreateTool::client("ping", "Ping.").build().unwrap();
        assert_eq!(wire(bare)["config"], Value::Null, "no config field set, no config sent");
        let rag = CreateTool::knowledge("docs", "Search.", [KnowledgeGroupId::from("g1"), "g2".into()]).build();
        assert_eq!(wire(rag.unwrap())["config"], json!({"documentFolderIds": ["g1", "g2"]}));
        let system = CreateTool::system("stop", "Stop.", SystemToolAction::Interrupt).build().unwrap();
        assert_eq!(wire(system)["config"], json!({"action": "interrupt"}));
    }

    #[test]
    fn names_follow_the_pattern_and_the_spec_lengths() {
        for good in ["a", "A-z_0.9", &"x".repeat(64)] {
            assert!(CreateTool::client(good, "d").build().is_ok(), "{good}");
        }
        for bad in ["open calendar", "ünïcode", "a/b", "tab\t"] {
            assert_eq!(err(CreateTool::client(bad, "d").build()).0, "name", "{bad}");
        }
        assert_eq!(err(CreateTool::client("", "d").build()), ("name".into(), "at least 1 character".into()));
        assert_eq!(err(CreateTool::client("x".repeat(65), "d").build()).1, "at most 64 characters");
        assert_eq!(err(UpdateTool::new().name("a b").build()).0, "name");
    }

    #[test]
    fn descriptions_have_the_spec_lengths() {
        assert!(CreateTool::client("t", "d".repeat(1024)).build().is_ok());
        assert_eq!(err(CreateTool::client("t", "d".repeat(1025)).build()).1, "at most 1024 characters");
        assert_eq!(err(CreateTool::client("t", "").build()).0, "description");
        assert_eq!(err(UpdateTool::new().description("").build()).0, "description");
    }

    #[test]
    fn parameters_are_a_json_object_without_a_size_limit_for_stored_tools() {
        assert_eq!(err(CreateTool::client("t", "d").parameters(json!("object")).build()).0, "config.parameters");
        assert_eq!(err(UpdateTool::new().parameters(json!(null)).build()).0, "config.parameters");
        assert!(json_size_limit("ToolConfig", "parameters").is_none(), "the spec exempts stored tools");
        let inline_limit = json_size_limit("InlineTool", "parameters").unwrap().max_bytes;
        let large = json!({"type": "object", "description": "x".repeat(inline_limit)});
        assert!(CreateTool::client("t", "d").parameters(large).build().is_ok());
    }

    #[test]
    fn webhook_urls_are_absolute_http_urls_without_credentials() {
        let hook = |url: &str| CreateTool::webhook("t", "d", url, ToolWebhookMethod::Get).build();
        assert!(hook("http://hooks.example.com/a?b=c").is_ok());
        for bad in ["hooks.example.com/a", "/a", "ftp://example.com", "https://u:p@example.com", ""] {
            assert_eq!(err(hook(bad)).0, "config.url", "{bad}");
        }
        assert_eq!(err(UpdateTool::new().url("nope").build()).0, "config.url");
    }

    #[test]
    fn header_names_and_values_are_valid_http_and_values_never_shown() {
        let hook = CreateTool::webhook("t", "d", "https://example.com", "GET");
        let e = hook.clone().header("Bad Name", "v").build().unwrap_err();
        assert_eq!(e.field, "config.headers");
        let e = hook.header("X-Key", "s3cret\r\nInjected: 1").build().unwrap_err();
        assert_eq!(e.field, "config.headers.X-Key");
        assert!(!e.to_string().contains("s3cret") && !format!("{e:?}").contains("s3cret"));
    }

    #[test]
    fn config_fields_follow_the_tool_type_of_the_spec() {
        let e = err(CreateTool::webhook("t", "d", "https://example.com", "GET").await_result(true).build());
        assert_eq!(e, ("config.awaitResult".into(), "absent for SERVER_WEBHOOK tools (it applies to CLIENT)".into()));
        let e = err(CreateTool::client("t", "d").header("A", "b").build());
        assert_eq!(e.0, "config.headers");
        let e = err(CreateTool::system("t", "d", "end_call").parameters(json!({})).build());
        assert_eq!(e.0, "config.parameters");
        let e = err(CreateTool::knowledge("t", "d", ["g"]).body_template("x").build());
        assert_eq!(e.0, "config.bodyTemplate");
        let e = err(UpdateTool::new().tool_type(ToolType::System).url("https://example.com").build());
        assert_eq!(e.0, "config.url");
        let e = err(UpdateTool::new().tool_type("NEW_KIND").action("end_call").build());
        assert_eq!(e, ("config.action".into(), "absent for NEW_KIND tools (it applies to SYSTEM)".into()));
    }

    /// A value of each required config field, to build a config that lacks only one.
    fn sample(field: &str) -> Value {
        match field {
            "action" => json!("end_call"),
            "documentFolderIds" => json!(["g"]),
            "method" => json!("GET"),
            "url" => json!("https://example.com"),
            other => panic!("no sample value for the required field {other}"),
        }
    }

    /// `tool` with the config field `field` set, through its setter.
    fn set<T>(tool: T, field: &str, setters: &Setters<T>) -> T {
        (setters.iter().find(|(name, _)| *name == field).unwrap_or_else(|| panic!("no setter for {field}")).1)(tool)
    }

    type Setters<T> = [(&'static str, fn(T) -> T); 9];

    const CREATE: Setters<CreateTool> = [
        ("url", |t| t.url("https://example.com/hook")),
        ("method", |t| t.method("POST")),
        ("headers", |t| t.header("X-Key", "v")),
        ("bodyTemplate", |t| t.body_template("{}")),
        ("parameters", |t| t.parameters(json!({"type": "object"}))),
        ("awaitResult", |t| t.await_result(true)),
        ("toolTimeoutSeconds", |t| t.tool_timeout(Duration::from_secs(5))),
        ("documentFolderIds", |t| t.knowledge_groups(["g"])),
        ("action", |t| t.action("end_call")),
    ];

    const UPDATE: Setters<UpdateTool> = [
        ("url", |t| t.url("https://example.com/hook")),
        ("method", |t| t.method("POST")),
        ("headers", |t| t.header("X-Key", "v")),
        ("bodyTemplate", |t| t.body_template("{}")),
        ("parameters", |t| t.parameters(json!({"type": "object"}))),
        ("awaitResult", |t| t.await_result(true)),
        ("toolTimeoutSeconds", |t| t.tool_timeout(Duration::from_secs(5))),
        ("documentFolderIds", |t| t.knowledge_groups(["g"])),
        ("action", |t| t.action("end_call")),
    ];

    #[test]
    fn every_field_a_type_does_not_take_is_refused_naming_it_whatever_the_constructor() {
        let fields = tool_config_fields(&ToolConfig::default()).map(|(f, _)| f);
        let mut named = CREATE.map(|(f, _)| f);
        let mut spec = fields;
        named.sort();
        spec.sort();
        assert_eq!(named, spec, "a setter per field of the spec");
        let mut kinds: Vec<&str> = TOOL_CONFIG_FIELDS.iter().map(|f| f.tool_type).collect();
        kinds.dedup();
        for kind in kinds {
            let rules: Vec<_> = TOOL_CONFIG_FIELDS.iter().filter(|r| r.tool_type == kind).collect();
            let base = rules
                .iter()
                .filter(|r| r.required)
                .fold(CreateTool::new(kind, "t", "d"), |tool, rule| set(tool, rule.field, &CREATE));
            assert!(base.clone().build().is_ok(), "{kind} with the fields it requires");
            for field in fields {
                let taken = rules.iter().any(|r| r.field == field);
                // A timeout is taken on create only with awaitResult.
                let tool =
                    if taken && field == "toolTimeoutSeconds" { base.clone().await_result(true) } else { base.clone() };
                let built = set(tool, field, &CREATE).build();
                if taken {
                    assert!(built.is_ok(), "{kind} takes {field}: {built:?}");
                } else {
                    let e = built.unwrap_err();
                    assert_eq!(e.field, format!("config.{field}"), "{kind} with {field}");
                    assert!(e.expected.starts_with(&format!("absent for {kind} tools")), "{e}");
                    let e = set(UpdateTool::new().tool_type(kind), field, &UPDATE).build().unwrap_err();
                    assert_eq!(e.field, format!("config.{field}"), "an update of {kind} with {field}");
                }
            }
        }
    }

    #[test]
    fn a_type_requires_its_fields_on_create_only() {
        for rule in TOOL_CONFIG_FIELDS.iter().filter(|r| r.required) {
            let others = TOOL_CONFIG_FIELDS.iter().filter(|r| r.tool_type == rule.tool_type && r.required);
            let others = others.filter(|r| r.field != rule.field).map(|r| (r.field.to_string(), sample(r.field)));
            let config: ToolConfig = serde_json::from_value(Value::Object(others.collect())).unwrap();
            let e = check_tool_config(Some(rule.tool_type), &config, true).unwrap_err();
            assert_eq!((e.field, e.value), (format!("config.{}", rule.field), "unset".to_string()));
            assert!(check_tool_config(Some(rule.tool_type), &config, false).is_ok());
        }
    }

    #[test]
    fn an_update_without_a_type_sets_the_fields_of_one() {
        let body = UpdateTool::new().url("https://example.com").method("PATCH").header("A", "b").build().unwrap();
        assert_eq!(wire(body)["config"]["method"], "PATCH");
        let e = err(UpdateTool::new().await_result(true).action("end_call").build());
        assert_eq!(
            e,
            ("config.awaitResult".into(), "absent alongside config.action: no tool type takes them all".into())
        );
        let e = err(UpdateTool::new().parameters(json!({})).await_result(true).url("https://example.com").build());
        assert_eq!(e.1, "absent alongside config.awaitResult, config.parameters: no tool type takes them all");
        assert!(UpdateTool::new().tool_timeout(Duration::from_secs(20)).build().is_ok(), "awaitResult may be stored");
    }

    #[test]
    fn a_timeout_needs_await_result_on_create_and_the_spec_range() {
        let e = err(CreateTool::client("t", "d").tool_timeout(Duration::from_secs(5)).build());
        assert_eq!(e.0, "config.toolTimeoutSeconds");
        let client = || CreateTool::client("t", "d").await_result(true);
        assert!(client().tool_timeout(Duration::from_secs(1)).build().is_ok());
        assert!(client().tool_timeout(Duration::from_secs(600)).build().is_ok());
        assert_eq!(err(client().tool_timeout(Duration::from_millis(999)).build()).1, "between 1 and 600");
        let e = UpdateTool::new().tool_timeout(Duration::from_secs(601)).build().unwrap_err();
        assert_eq!(e.to_string(), "config.toolTimeoutSeconds is 601, but must be between 1 and 600");
    }

    #[test]
    fn knowledge_tools_need_a_group_and_no_blank_id() {
        let e = err(CreateTool::knowledge("t", "d", Vec::<KnowledgeGroupId>::new()).build());
        assert_eq!(e.0, "config.documentFolderIds");
        assert_eq!(err(CreateTool::knowledge("t", "d", ["g", " "]).build()).0, "config.documentFolderIds[1]");
        assert_eq!(err(UpdateTool::new().knowledge_groups(Vec::<String>::new()).build()).0, "config.documentFolderIds");
    }

    #[test]
    fn the_table_of_the_documentation_is_the_spec_s() {
        let source = include_str!("tools.rs");
        let mut kinds: Vec<&str> = TOOL_CONFIG_FIELDS.iter().map(|f| f.tool_type).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let row = source.lines().find(|l| l.starts_with(&format!("/// | `{kind}` |"))).expect("a row per type");
            let documented: Vec<&str> = row.rsplit('|').nth(1).unwrap().split(',').map(str::trim).collect();
            let mut spec: Vec<String> = TOOL_CONFIG_FIELDS
                .iter()
                .filter(|f| f.tool_type == kind)
                .map(|f| if f.required { format!("**`{}`**", f.field) } else { format!("`{}`", f.field) })
                .collect();
            let mut documented: Vec<String> = documented.into_iter().map(String::from).collect();
            spec.sort();
            documented.sort();
            assert_eq!(documented, spec, "the row of {kind}");
        }
    }

    #[test]
    fn an_empty_update_sends_an_empty_object() {
        assert_eq!(wire(UpdateTool::new().build().unwrap()), json!({}));
        let body = UpdateTool::new().disable_interruptions(false).tool_type(ToolType::Client).build().unwrap();
        assert_eq!(wire(body), json!({"disableInterruptions": false, "type": "CLIENT"}));
    }
}
