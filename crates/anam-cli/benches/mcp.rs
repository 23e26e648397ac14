//! `cargo bench -p anam-cli --bench mcp [-- --launches N --calls N --mock PATH --anam-mcp PATH]`
//! (what `cargo xtask bench-mcp` runs, with the fake's release binary and Anam's Python
//! `anam-mcp` installed): figures to read, not assertions.
//!
//! Against the fake's demo account on loopback (`--mock`: its program, `anam-mock --demo`, in a
//! process of its own, as the API is; else in this process, on a thread of its own), for
//! `anam mcp` (the release binary) and, when given, Anam's `anam-mcp`:
//!
//! - launch to tools listed: from starting the server's process to the answer of `tools/list`
//!   (after `initialize` and `notifications/initialized`), over stdio, median of N launches;
//! - the protocol's round trip alone: a `ping`, which the server answers without a call;
//! - a tool call: `get_persona` and `list_personas` through `tools/call` in one session, each
//!   interleaved with the same SDK call made directly (`Client::call`), medians of N calls each,
//!   and their ratio;
//! - whether `get_persona`'s answer shows the demo webhook's header value (a secret).
//!
//! The server is driven with newline-delimited JSON-RPC written here (no client library), so
//! both servers are timed the same way and the client costs next to nothing.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anam::Operation;
use anam::dynamic::Request;
use anam_mock::MockServer;
use serde_json::{Value, json};

/// The demo account's "Front desk" persona.
const FRONT_DESK: &str = "de300001-0000-4000-8000-000000000001";

/// The demo webhook's header value: a secret an answer should not show.
const WEBHOOK_SECRET: &str = "demo-not-a-real-token";

/// The target of launch to tools listed, in milliseconds.
const LAUNCH_TARGET_MS: f64 = 100.0;
/// The target of a tool call's time over the direct SDK call's.
const RATIO_TARGET: f64 = 1.2;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let launches: usize = value("--launches").and_then(|v| v.parse().ok()).unwrap_or(20);
    let calls: usize = value("--calls").and_then(|v| v.parse().ok()).unwrap_or(200);
    let python = value("--anam-mcp").map(PathBuf::from);

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mock = match value("--mock") {
        Some(program) => Fake::process(Path::new(&program)),
        None => Fake::here(&runtime),
    };
    let client = anam::Client::builder().base_url(&mock.url).api_key(&mock.key).build().unwrap();
    let direct = |op: Operation, args: &Value| {
        let request = Request::new(op).args(args.as_object().cloned().unwrap_or_default());
        let started = Instant::now();
        runtime.block_on(client.call(request)).unwrap();
        started.elapsed()
    };

    let ours = Server {
        name: "anam mcp (this repo, release)",
        program: PathBuf::from(env!("CARGO_BIN_EXE_anam")),
        args: vec!["mcp".into()],
        get: json!({"id": FRONT_DESK}),
        list: json!({}),
    };
    let mut servers = vec![ours];
    if let Some(program) = python {
        servers.push(Server {
            name: "anam-mcp 0.1.13 (Anam's, Python)",
            program,
            args: Vec::new(),
            get: json!({"persona_id": FRONT_DESK}),
            list: json!({}),
        });
    }
    println!(
        "MCP servers over stdio against anam-mock's demo account on loopback: launch to tools listed (median of {launches}), \
         a tool call interleaved with the same SDK call made directly (medians of {calls} each)"
    );
    println!();
    println!(
        "| server | tools | launch to tools listed (target <= {LAUNCH_TARGET_MS:.0} ms) | MCP round trip alone (`ping`) \
         | tool call | via MCP | direct SDK call | ratio (target <= {RATIO_TARGET}) | met | the webhook's secret in get_persona |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for server in &servers {
        let figures = match measure(server, &mock, launches, calls, &direct) {
            Ok(figures) => figures,
            Err(why) => {
                println!("| {} | - | - | - | - | - | - | - | - | {why} |", server.name);
                continue;
            }
        };
        for (i, (tool, via, sdk)) in figures.calls.iter().enumerate() {
            let ratio = via.as_secs_f64() / sdk.as_secs_f64();
            let met = if figures.launch_ms <= LAUNCH_TARGET_MS && ratio <= RATIO_TARGET { "yes" } else { "NO" };
            let first = i == 0;
            let shown = |text: String| if first { text } else { String::new() };
            println!(
                "| {} | {} | {} | {} | {tool} | {} | {} | {ratio:.2} | {met} | {} |",
                shown(server.name.to_owned()),
                shown(figures.tools.to_string()),
                shown(format!("{:.1} ms", figures.launch_ms)),
                shown(micros(figures.ping)),
                micros(*via),
                micros(*sdk),
                shown(if figures.leak { "shown".to_owned() } else { "masked".to_owned() }),
            );
        }
    }
}

/// The fake, in this process (on a runtime thread of its own) or in one of its own.
struct Fake {
    url: String,
    key: String,
    _here: Option<MockServer>,
    process: Option<Child>,
}

impl Fake {
    /// The fake in this process, with the demo account.
    fn here(runtime: &tokio::runtime::Runtime) -> Fake {
        let mock = runtime.block_on(MockServer::start());
        anam_mock::demo::seed(&mock).unwrap();
        Fake { url: mock.base_url().to_owned(), key: mock.api_key().to_owned(), _here: Some(mock), process: None }
    }

    /// The fake's program (`anam-mock --demo`) on a free port, in a process of its own.
    fn process(program: &Path) -> Fake {
        let mut child = Command::new(program)
            .args(["--port", "0", "--demo"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("the fake says its URL").to_owned();
        Fake { url, key: anam_mock::DEFAULT_API_KEY.to_owned(), _here: None, process: Some(child) }
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(child) = &mut self.process {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A server to measure: how to start it and its tools' arguments.
struct Server {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    get: Value,
    list: Value,
}

/// What was measured of one server.
struct Figures {
    tools: usize,
    launch_ms: f64,
    /// A `ping` answered by the server without calling anything: the protocol's round trip alone.
    ping: Duration,
    calls: Vec<(&'static str, Duration, Duration)>,
    leak: bool,
}

/// The launches, then the calls of one session.
fn measure(
    server: &Server,
    mock: &Fake,
    launches: usize,
    calls: usize,
    direct: &dyn Fn(Operation, &Value) -> Duration,
) -> Result<Figures, String> {
    let mut times = Vec::new();
    let mut tools = 0;
    for _ in 0..launches {
        let started = Instant::now();
        let mut peer = Peer::launch(&server.program, &server.args, mock)?;
        peer.initialize()?;
        let listed = peer.request("tools/list", json!({}))?;
        times.push(started.elapsed());
        tools = listed["tools"].as_array().map_or(0, Vec::len);
        peer.stop();
    }
    let mut peer = Peer::launch(&server.program, &server.args, mock)?;
    peer.initialize()?;
    let answer = peer.request("tools/call", json!({"name": "get_persona", "arguments": server.get}))?;
    if answer["isError"] == json!(true) || !answer.to_string().contains("Front desk") {
        return Err(format!("get_persona did not answer the persona: {}", clip(&answer.to_string())));
    }
    let leak = answer.to_string().contains(WEBHOOK_SECRET);
    let mut pings = Vec::new();
    for _ in 0..calls {
        let started = Instant::now();
        peer.request("ping", json!({}))?;
        pings.push(started.elapsed());
    }
    let ping = median(&mut pings);
    let mut figures = Vec::new();
    for (tool, arguments, op, sdk_args) in [
        ("get_persona", &server.get, Operation::GetPersona, json!({"id": FRONT_DESK})),
        ("list_personas", &server.list, Operation::ListPersonas, json!({})),
    ] {
        let (mut via, mut sdk) = (Vec::new(), Vec::new());
        for _ in 0..calls {
            let started = Instant::now();
            let answer = peer.request("tools/call", json!({"name": tool, "arguments": arguments}))?;
            via.push(started.elapsed());
            if answer["isError"] == json!(true) {
                return Err(format!("{tool} failed: {}", clip(&answer.to_string())));
            }
            sdk.push(direct(op, &sdk_args));
        }
        figures.push((tool, median(&mut via), median(&mut sdk)));
    }
    peer.stop();
    Ok(Figures { tools, launch_ms: median(&mut times).as_secs_f64() * 1e3, ping, calls: figures, leak })
}

/// A server process spoken to over its standard input and output.
struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Peer {
    /// Starts `program` with the fake's URL and key in its environment (and nothing else but PATH).
    fn launch(program: &Path, args: &[String], mock: &Fake) -> Result<Peer, String> {
        let mut child = Command::new(program)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ANAM_API_URL", &mock.url)
            .env("ANAM_API_KEY", &mock.key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Peer { child, stdin, stdout, next_id: 1 })
    }

    /// `initialize`, then `notifications/initialized`.
    fn initialize(&mut self) -> Result<(), String> {
        let params = json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}});
        self.request("initialize", params)?;
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    }

    /// Sends a request and waits for its answer's `result` (skipping notifications).
    fn request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let mut line = String::new();
        loop {
            line.clear();
            // A server that ends answers nothing more: read_line gives 0 bytes.
            match self.stdout.read_line(&mut line) {
                Ok(0) | Err(_) => return Err(format!("the server ended before it answered {method}")),
                Ok(_) => {}
            }
            let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
            if message["id"] == json!(id) {
                return match message.get("result") {
                    Some(result) => Ok(result.clone()),
                    None => Err(format!("{method}: {}", clip(&message.to_string()))),
                };
            }
        }
    }

    /// Writes one message, on a line of its own.
    fn send(&mut self, message: &Value) -> Result<(), String> {
        writeln!(self.stdin, "{message}").and_then(|()| self.stdin.flush()).map_err(|e| e.to_string())
    }

    /// Closes its input (the end of the session) and waits for it to end.
    fn stop(mut self) {
        drop(self.stdin);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The median of `times` (sorted in place).
fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A time in microseconds, for the table.
fn micros(time: Duration) -> String {
    format!("{:.0} µs", time.as_secs_f64() * 1e6)
}

/// The first 200 characters of `text`, for an error.
fn clip(text: &str) -> String {
    text.chars().take(200).collect()
}
