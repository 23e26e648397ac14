//! `cargo xtask bench-mcp`: `anam mcp` beside Anam's own MCP server, `anam-mcp` 0.1.13 (Python,
//! pinned in `contract/mcp-requirements.txt`, installed into `target/mcp-venv`), against the
//! fake's release binary (a process of its own, as the API is): launch to tools listed, and a
//! tool call over the same SDK call made directly. Runs `cargo bench -p anam-cli --bench mcp`
//! (see that file), which prints a Markdown table.

use std::path::Path;
use std::process::Command;

/// Installs the Python side, then runs the benchmark with `launches` launches and `calls` calls.
pub fn run(root: &Path, launches: usize, calls: usize) -> Result<(), String> {
    crate::contract::install_mcp_client(root)?;
    let python = crate::contract::mcp_venv(root).join("bin/anam-mcp");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .current_dir(root)
        .args(["build", "--release", "--quiet", "-p", "anam-mock", "--features", "anam-mock/cli", "--bins"])
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !built.success() {
        return Err("cargo build --release -p anam-mock failed".into());
    }
    let status = Command::new(&cargo)
        .current_dir(root)
        .args(["bench", "--quiet", "-p", "anam-cli", "--bench", "mcp", "--", "--launches"])
        .arg(launches.to_string())
        .arg("--calls")
        .arg(calls.to_string())
        .arg("--anam-mcp")
        .arg(&python)
        .arg("--mock")
        .arg(root.join("target/release/anam-mock"))
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo bench -p anam-cli --bench mcp exited with {status}")) }
}
