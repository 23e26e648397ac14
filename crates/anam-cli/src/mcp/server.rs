//! The MCP server: rmcp's `ServerHandler` over the tools of `tools`, and a tool call carried
//! out: an operation through `anam::dynamic` (the CLI's one call path), a task tool through
//! `tasks` or `account`.
//!
//! Every answer is a tool result: the JSON as structured content (an object; a list or `null`
//! goes under `result`) with the same JSON as text; a refused argument or an API error is a
//! result with `isError` whose text is the one-line message the CLI prints (see `advice::sdk`).

use std::sync::Arc;

use anam::api::facts::InputKind;
use anam::dynamic::Request;
use anam::{Client, Operation, Upload};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

use super::account::Connection;
use super::files::Files;
use super::tools::{self, Selection, Task};
use super::{Options, account, tasks};
use crate::operations::Context;
use crate::{advice, finish, names};

/// What the server tells a client about itself when a session starts.
const INSTRUCTIONS: &str = "Tools for one Anam AI account (the API key's): a tool per operation of the API, \
named after it (list_personas, create_persona, get_session_transcript, ...), and find (a persona, avatar, voice, \
LLM, tool or knowledge group by name), session_report (sessions of a period with transcripts and analytics), \
plan_account and apply_account (an account file: plan, review with the user, then apply with the plan's digest). \
Ids can be given by name where a resource has names. Ask the user before a tool whose destructiveHint is true.";

/// The server: cheap to clone (each HTTP session gets a clone), all of it shared.
#[derive(Clone)]
pub struct Server {
    shared: Arc<Shared>,
}

/// What every call reads.
struct Shared {
    /// The SDK's client, from the CLI's configuration.
    client: Client,
    /// The tools offered, with what each runs.
    tools: Vec<(Task, Tool)>,
    /// `--read-only` and `--tools`, to say why a tool is not offered.
    selection: Selection,
    /// The folder files are read from.
    files: Files,
    /// Where the API is, for the account file's own client.
    connection: Connection,
}

impl Server {
    /// The server `options` describe: its client (the API key is checked here, before any
    /// session), its folder of files and its tools.
    pub fn new(options: &Options) -> Result<Server, String> {
        let client = advice::client(options.api_url.clone(), options.allow_insecure_http, None)?;
        let files = Files::new(options.allow_files.as_deref())?;
        let tools =
            tools::all(files.root().is_some()).into_iter().filter(|(task, _)| options.selection.keeps(*task)).collect();
        let connection =
            Connection { api_url: options.api_url.clone(), allow_insecure_http: options.allow_insecure_http };
        let shared = Shared { client, tools, selection: options.selection.clone(), files, connection };
        Ok(Server { shared: Arc::new(shared) })
    }

    /// The server in a few words, for its first line on standard error.
    pub fn describe(&self) -> String {
        let shared = &self.shared;
        let read_only = if shared.selection.read_only { " (read-only)" } else { "" };
        let files = match shared.files.root() {
            Some(root) => format!("files from {}", root.display()),
            None => "no files".to_owned(),
        };
        format!("{} tools{read_only} for {}, {files},", shared.tools.len(), shared.client.base_url())
    }

    /// The tools offered.
    pub fn tools(&self) -> Vec<Tool> {
        self.shared.tools.iter().map(|(_, tool)| tool.clone()).collect()
    }

    /// Calls the tool `name` with `arguments`: its result, or a protocol error for a tool that
    /// is not offered.
    pub async fn call(&self, name: &str, arguments: JsonObject) -> Result<CallToolResult, ErrorData> {
        let Some(&(task, _)) = self.shared.tools.iter().find(|(_, tool)| tool.name == name) else {
            return Err(ErrorData::invalid_params(self.unknown(name), None));
        };
        let shared = &self.shared;
        let result = match task {
            Task::Operation(op) => self.operation(op, arguments).await,
            Task::Find => tasks::find(&self.context(), arguments).await,
            Task::SessionReport => tasks::session_report(&self.context(), arguments).await,
            Task::PlanAccount => match tasks::account_arguments(arguments, false) {
                Ok(args) => account::plan(&shared.connection, shared.files.root(), args.file, args.prune).await,
                Err(refused) => Err(refused),
            },
            Task::ApplyAccount => match tasks::account_arguments(arguments, true) {
                Ok(args) => {
                    let digest = args.digest.unwrap_or_default();
                    let applied =
                        account::apply(&shared.connection, shared.files.root(), args.file, args.prune, digest).await;
                    return Ok(match applied {
                        Ok(applied) => match applied.failure {
                            None => answer(applied.document),
                            Some(failure) => failed_with(failure, applied.document),
                        },
                        Err(refused) => failed(refused),
                    });
                }
                Err(refused) => Err(refused),
            },
        };
        Ok(match result {
            Ok(value) => answer(value),
            Err(message) => failed(message),
        })
    }

    /// Why `name` is not a tool: not offered by this server's switches, or not a tool at all.
    fn unknown(&self, name: &str) -> String {
        let every = tools::all(false);
        match every.iter().find(|(_, tool)| tool.name == name) {
            Some((task, _)) => format!(
                "the tool {name} is not offered: anam mcp was started with {}",
                self.shared.selection.why_not(*task)
            ),
            None => format!("no tool is named {:?}; tools/list gives their names", crate::text::shorten(name)),
        }
    }

    /// A context for one call: the client, and a cache of names that lives as long as the call
    /// (the account changes between calls).
    fn context(&self) -> Context {
        Context { client: self.shared.client.clone(), names: names::Cache::default() }
    }

    /// Calls an operation: the file of an upload checked against `--allow-files`, names resolved
    /// to ids, then `Client::call`, secrets shown only by an operation that hands one out (with
    /// a share link's public `url`).
    async fn operation(&self, op: Operation, mut arguments: JsonObject) -> Result<Value, String> {
        let mut request = Request::new(op);
        if let Some(input) = op.inputs().iter().find(|i| i.kind == InputKind::File)
            && let Some(value) = arguments.remove(input.name)
        {
            let path = self.shared.files.allowed(input.name, &value)?;
            request = request.file(Upload::path(path));
        }
        let request = request.args(arguments).reveal_secrets(op.hands_out_secret());
        let context = self.context();
        let request = names::resolve_inputs(&context, request).await?;
        let answer = context.client.call(request).await.map_err(|e| advice::sdk(&e))?;
        Ok(finish::for_scripts(op, answer))
    }
}

/// A tool's answer: `value` as structured content (an object; anything else under `result`)
/// and the same JSON as text.
pub fn answer(value: Value) -> CallToolResult {
    let value = match value {
        Value::Object(_) => value,
        other => json!({ "result": other }),
    };
    CallToolResult::structured(value)
}

/// A refused call or a failed one: `message` as the text of an error result.
pub fn failed(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

/// A call that failed part way: the message, then what was done as JSON (also structured).
fn failed_with(message: String, document: Value) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(message), ContentBlock::text(document.to_string())]);
    result.structured_content = Some(document);
    result
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("anam", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.shared.tools.iter().find(|(_, tool)| tool.name == name).map(|(_, tool)| tool.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = request.arguments.unwrap_or_default();
        self.call(&request.name, arguments).await.map(CallToolResponse::from)
    }
}
