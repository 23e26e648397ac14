//! `cargo xtask contract`: the spec, the client and the fake checked by tools none of us wrote.
//!
//! 1. Spectral (`spectral:oas`) lints the spec: zero errors and zero warnings.
//! 2. Prism (`prism mock --errors`) validates every request the `anam` client sends, with full payloads.
//! 3. Prism in dynamic mode (`-d`) sends random answers; every one must decode through the client.
//! 4. Schemathesis checks `anam-mock` against the spec: status codes, content types, response schemas.
//! 5. The official Python MCP client checks `anam mcp` against the fake (`contract/mcp_check.py`):
//!    a tool per operation of the spec, annotations, schemas, calls, errors, secrets, switches and
//!    the streamable HTTP transport.
//!
//! The tools are installed by this command from the pinned files in `contract/`: `npm ci` with
//! `package-lock.json` (Prism, Spectral), a virtual environment in `target/contract-venv` with
//! `requirements.txt` (Schemathesis) and one in `target/mcp-venv` with `mcp-requirements.txt`
//! (the MCP client). Servers listen on free ports of 127.0.0.1 and are stopped when their check
//! ends.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Random answers per operation in the dynamic Prism check (57 operations: about 3,400 answers).
const DYNAMIC_SAMPLES: &str = "60";
/// Test cases per operation and phase for Schemathesis.
const SCHEMATHESIS_EXAMPLES: &str = "50";

/// The checks `contract` can run, by the name `--only` takes.
pub const CHECKS: [&str; 5] = ["spectral", "prism", "prism-dynamic", "schemathesis", "mcp"];

/// One contract check, run in the workspace root.
type Check = fn(&Path) -> Result<(), String>;

/// Installs the tools and runs the checks (all of them, or the one named), with a summary.
pub fn run(root: &Path, only: Option<&str>) -> Result<(), String> {
    if let Some(name) = only.filter(|name| !CHECKS.contains(name)) {
        return Err(format!("unknown check {name:?}; the checks are {}", CHECKS.join(", ")));
    }
    let wanted = |name: &str| only.is_none_or(|only| only == name);
    let mut results: Vec<(&str, Result<(), String>)> = Vec::new();
    let node = wanted("spectral") || wanted("prism") || wanted("prism-dynamic");
    if node {
        results.push(("install Prism, Spectral", install_node_tools(root)));
    }
    if wanted("schemathesis") {
        results.push(("install Schemathesis", install_schemathesis(root)));
    }
    if wanted("mcp") {
        results.push(("install the MCP client", install_mcp_client(root)));
    }
    let installed = results.iter().all(|(_, r)| r.is_ok());
    if installed {
        let mut build = vec!["build", "--locked", "-p", "anam-mock", "-p", "anam-tests"];
        if wanted("mcp") {
            build.extend(["-p", "anam-cli"]);
        }
        build.extend(["--features", "anam-mock/cli", "--bins"]);
        results.push(("build drivers", cargo(root, &build)));
    }
    if results.iter().all(|(_, r)| r.is_ok()) {
        let checks: [(&str, Check); 5] = [
            ("spectral", spectral),
            ("prism", prism_requests),
            ("prism-dynamic", prism_responses),
            ("schemathesis", schemathesis),
            ("mcp", mcp),
        ];
        for (name, check) in checks {
            if wanted(name) {
                println!("\n==> contract: {name}");
                results.push((name, check(root)));
            }
        }
    }
    println!("\ncontract summary:");
    for (name, result) in &results {
        match result {
            Ok(()) => println!("  {name:<24} ok"),
            Err(why) => println!("  {name:<24} FAIL  {why}"),
        }
    }
    let failed: Vec<&str> = results.iter().filter(|(_, r)| r.is_err()).map(|(n, _)| *n).collect();
    if failed.is_empty() { Ok(()) } else { Err(format!("contract checks failed: {}", failed.join(", "))) }
}

fn bin(root: &Path, tool: &str) -> PathBuf {
    root.join("contract/node_modules/.bin").join(tool)
}

fn venv(root: &Path) -> PathBuf {
    root.join("target/contract-venv")
}

fn status(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot start {what}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{what} exited with {status}")) }
}

fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    status(Command::new("cargo").args(args).current_dir(root), "cargo build")
}

fn install_node_tools(root: &Path) -> Result<(), String> {
    status(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(root.join("contract")),
        "npm ci (Node.js and npm must be installed)",
    )
}

fn install_schemathesis(root: &Path) -> Result<(), String> {
    let venv = venv(root);
    if !venv.join("bin/python").exists() {
        status(Command::new("python3").arg("-m").arg("venv").arg(&venv), "python3 -m venv")?;
    }
    let requirements = root.join("contract/requirements.txt");
    status(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "--require-virtualenv", "-r"])
            .arg(requirements),
        "pip install -r contract/requirements.txt",
    )
}

/// The virtual environment of the MCP client (and of Anam's own MCP server, for `bench-mcp`).
pub fn mcp_venv(root: &Path) -> PathBuf {
    root.join("target/mcp-venv")
}

/// Installs `contract/mcp-requirements.txt` into [`mcp_venv`].
pub fn install_mcp_client(root: &Path) -> Result<(), String> {
    let venv = mcp_venv(root);
    if !venv.join("bin/python").exists() {
        status(Command::new("python3").arg("-m").arg("venv").arg(&venv), "python3 -m venv")?;
    }
    status(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "--require-virtualenv", "-r"])
            .arg(root.join("contract/mcp-requirements.txt")),
        "pip install -r contract/mcp-requirements.txt",
    )
}

/// `contract/mcp_check.py`: the official MCP client against `anam mcp` and the fake.
fn mcp(root: &Path) -> Result<(), String> {
    status(
        Command::new(mcp_venv(root).join("bin/python"))
            .arg(root.join("contract/mcp_check.py"))
            .arg("--anam")
            .arg(root.join("target/debug/anam"))
            .arg("--mock")
            .arg(root.join("target/debug/anam-mock"))
            .current_dir(root),
        "contract/mcp_check.py (anam mcp fails the official MCP client's checks)",
    )
}

fn spectral(root: &Path) -> Result<(), String> {
    status(
        Command::new(bin(root, "spectral"))
            .args(["lint", "openapi/anam.yaml", "--ruleset", ".spectral.yaml", "--fail-severity=warn"])
            .current_dir(root),
        "spectral (errors or warnings in the spec)",
    )
}

fn prism_requests(root: &Path) -> Result<(), String> {
    with_prism(root, &[], |url| {
        status(
            Command::new(root.join("target/debug/contract-prism")).args(["requests", url]),
            "contract-prism requests",
        )
    })
}

fn prism_responses(root: &Path) -> Result<(), String> {
    with_prism(root, &["--dynamic"], |url| {
        status(
            Command::new(root.join("target/debug/contract-prism")).args(["responses", url, DYNAMIC_SAMPLES]),
            "contract-prism responses",
        )
    })
}

fn schemathesis(root: &Path) -> Result<(), String> {
    schemathesis_against(root, &root.join("openapi/anam.yaml"), &[])
}

/// `cargo xtask contract --upstream FILE`: Schemathesis against the fake with another document
/// (Anam's own), for the operations our spec covers (their operationIds are read from it). Not
/// part of `ci`: the document lives outside this repo. Each failure it reports should be a
/// difference that `openapi/upstream-differences.yaml` lists.
pub fn upstream(root: &Path, document: &Path) -> Result<(), String> {
    install_schemathesis(root)?;
    cargo(root, &["build", "--locked", "-p", "anam-mock", "--features", "anam-mock/cli", "--bins"])?;
    let spec = crate::spec::load(&root.join(crate::codegen::SPEC))?;
    let ids: Vec<String> = crate::spec::operations(&spec.tree).into_iter().map(|(id, _, _)| id).collect();
    let filter = format!("^({})$", ids.join("|"));
    let document = std::path::absolute(document).map_err(|e| format!("{}: {e}", document.display()))?;
    schemathesis_against(root, &document, &["--include-operation-id-regex", &filter])
}

/// Schemathesis checks the fake's answers against `document` (`extra`: more arguments).
fn schemathesis_against(root: &Path, document: &Path, extra: &[&str]) -> Result<(), String> {
    let port = free_port()?;
    let key = "contract-test-key";
    let mock = Command::new(root.join("target/debug/anam-mock"))
        .args(["--port", &port.to_string(), "--api-key", key])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start anam-mock: {e}"))?;
    let _mock = Stop(mock);
    wait_for(port)?;
    // Hypothesis keeps its database in the working directory: keep it under target/.
    let workdir = root.join("target/contract-schemathesis");
    std::fs::create_dir_all(&workdir).map_err(|e| format!("{}: {e}", workdir.display()))?;
    status(
        Command::new(venv(root).join("bin/schemathesis"))
            .arg("run")
            .arg(document)
            .args(extra)
            .args(["--url", &format!("http://127.0.0.1:{port}")])
            .args(["--header", &format!("Authorization: Bearer {key}")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            ])
            .args(["--max-examples", SCHEMATHESIS_EXAMPLES, "--seed", "1", "--no-color"])
            .current_dir(&workdir),
        "schemathesis (the fake breaks the spec)",
    )
}

/// Runs `check` against a Prism mock of the spec with `--errors` (and `extra` flags).
fn with_prism(root: &Path, extra: &[&str], check: impl FnOnce(&str) -> Result<(), String>) -> Result<(), String> {
    let port = free_port()?;
    let log = std::fs::File::create(root.join(format!("target/prism-{port}.log"))).map_err(|e| e.to_string())?;
    let prism = Command::new(bin(root, "prism"))
        .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(extra)
        .arg(root.join("openapi/anam.yaml"))
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start prism: {e}"))?;
    let _prism = Stop(prism);
    wait_for(port)?;
    check(&format!("http://127.0.0.1:{port}"))
}

/// Kills the child when dropped.
struct Stop(Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Waits until something listens on the port (at most 60 s).
fn wait_for(port: u16) -> Result<(), String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("nothing listened on 127.0.0.1:{port} after 60 s"))
}
