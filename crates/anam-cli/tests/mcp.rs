//! `anam mcp` over stdio, spoken to as a client would (newline-delimited JSON-RPC), against the
//! fake's demo account: the tools of the operation table, a call, an error, a refused argument,
//! no secret where none belongs, and `--read-only`. The official Python client checks much more
//! (`cargo xtask contract --only mcp`); this runs with `cargo test`, without Python.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anam::Operation;
use anam::api::facts::Effect;
use anam_mock::MockServer;
use serde_json::{Value, json};

/// The demo webhook's header value.
const WEBHOOK_SECRET: &str = "demo-not-a-real-token";

/// `anam mcp` with these arguments, its session initialized.
struct Session {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Session {
    /// Starts `anam mcp ARGS` against `mock` (only its URL and key in the environment) and
    /// initializes the session.
    fn start(mock: &MockServer, args: &[&str]) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_anam"))
            .arg("mcp")
            .args(args)
            .env_clear()
            .env("ANAM_API_URL", mock.base_url())
            .env("ANAM_API_KEY", mock.api_key())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut session = Session { child, stdin, stdout, next_id: 1 };
        let hello = json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}});
        let info = session.request("initialize", hello);
        assert_eq!(info["serverInfo"]["name"], "anam");
        session.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        session
    }

    /// Writes one message, on a line of its own.
    fn send(&mut self, message: &Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// The whole answer (`result` or `error`) to a request.
    fn answer(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "anam mcp ended before answering {method}");
            let message: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line}"));
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// The `result` of a request (which must have one).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let answer = self.answer(method, params);
        answer.get("result").cloned().unwrap_or_else(|| panic!("{method}: {answer}"))
    }

    /// The result of a tool call.
    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
    }

    /// Ends the session (closes its input) and answers what it wrote on stderr.
    fn stop(self) -> String {
        drop(self.stdin);
        let out = self.child.wait_with_output().unwrap();
        assert!(out.status.success(), "anam mcp exited with {}", out.status);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// The text of a tool result's first content.
fn text(result: &Value) -> String {
    result["content"][0]["text"].as_str().unwrap_or_default().to_owned()
}

/// The fake with the demo account, and the runtime it runs on.
fn demo() -> (tokio::runtime::Runtime, MockServer) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mock = runtime.block_on(MockServer::start());
    anam_mock::demo::seed(&mock).unwrap();
    (runtime, mock)
}

#[test]
fn every_operation_is_a_tool_that_answers_json_and_errors_are_tool_results() {
    let (_runtime, mock) = demo();
    let mut session = Session::start(&mock, &[]);
    let tools = session.request("tools/list", json!({}));
    let tools = tools["tools"].as_array().unwrap();
    assert_eq!(tools.len(), Operation::ALL.len() + 4);
    let delete = tools.iter().find(|t| t["name"] == "delete_persona").unwrap();
    assert_eq!(delete["annotations"]["destructiveHint"], true);
    assert_eq!(delete["annotations"]["readOnlyHint"], false);

    let listed = session.call("list_tools", json!({}));
    assert_eq!(listed["isError"], false);
    let names: Vec<&str> =
        listed["structuredContent"]["data"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(names.contains(&"crm_lookup"), "{names:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&text(&listed)).unwrap(),
        listed["structuredContent"],
        "the text is the same JSON"
    );
    assert!(!listed.to_string().contains(WEBHOOK_SECRET), "a webhook's header is masked");

    let persona = session.call("get_persona", json!({"id": "front desk"}));
    assert_eq!(persona["structuredContent"]["name"], "Front desk");
    assert_eq!(persona["structuredContent"]["primaryShareLink"]["token"], "[redacted]");
    let links = session.call("list_share_links", json!({}));
    let link = &links["structuredContent"]["data"][0];
    assert_ne!(link["token"], "[redacted]", "the share links' tool hands out the token");
    assert!(link["url"].as_str().unwrap().ends_with(link["token"].as_str().unwrap()));

    let missing = session.call("get_tool", json!({"id": "00000000-0000-4000-8000-0000000000ff"}));
    assert_eq!(missing["isError"], true);
    assert!(text(&missing).starts_with("404 Not Found: "), "{}", text(&missing));
    let refused = session.call("list_personas", json!({"perPage": 500}));
    assert_eq!(refused["isError"], true);
    assert_eq!(text(&refused), "perPage is 500, but must be between 1 and 100");
    let unknown = session.answer("tools/call", json!({"name": "list_persona", "arguments": {}}));
    assert!(unknown["error"]["message"].as_str().unwrap().contains("no tool is named \"list_persona\""), "{unknown}");

    let stderr = session.stop();
    assert!(stderr.starts_with("anam mcp: 61 tools for http://127.0.0.1:"), "{stderr}");
    assert!(!stderr.contains(mock.api_key()), "{stderr}");
}

#[test]
fn read_only_offers_the_readers_and_refuses_the_rest() {
    let (_runtime, mock) = demo();
    let mut session = Session::start(&mock, &["--read-only", "--tools", "personas,sessions"]);
    let tools = session.request("tools/list", json!({}));
    let names: Vec<&str> = tools["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    let readers = Operation::ALL
        .iter()
        .filter(|op| op.effect() == Effect::Reads && ["personas", "sessions"].contains(&op.command()[0]))
        .count();
    assert_eq!(names.len(), readers + 3, "{names:?}");
    assert!(names.contains(&"get_session_transcript") && names.contains(&"plan_account"), "{names:?}");
    assert!(!names.contains(&"apply_account") && !names.contains(&"delete_persona") && !names.contains(&"list_voices"));
    let refused = session.answer("tools/call", json!({"name": "delete_persona", "arguments": {"id": "Front desk"}}));
    assert!(refused["error"]["message"].as_str().unwrap().ends_with("started with --read-only"), "{refused}");
    let voices = session.answer("tools/call", json!({"name": "list_voices", "arguments": {}}));
    assert!(voices["error"]["message"].as_str().unwrap().ends_with("started with --tools"), "{voices}");
    let still = session.call("get_persona", json!({"id": "Front desk"}));
    assert_eq!(still["structuredContent"]["name"], "Front desk", "nothing was deleted");
    session.stop();
}
