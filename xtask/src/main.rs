//! Project chores for anam-rs. Run from anywhere in the workspace:
//!
//! - `cargo xtask codegen` regenerates `crates/anam-api/src/generated.rs` and `facts_generated.rs`
//!   from `openapi/anam.yaml`;
//! - `cargo xtask codegen --check` fails when a checked-in file differs from what the spec gives;
//! - `cargo xtask contract [--only CHECK]` checks spec, client and fake with Spectral, Prism and
//!   Schemathesis, and `anam mcp` with the official MCP client, installing them from the pinned
//!   files in `contract/`;
//! - `cargo xtask bench-codegen [--runs N]` times `codegen` and checks its output is byte-identical;
//! - `cargo xtask bench-cli [--personas N] [--latency 50ms] [--parallelism 8]` times the `anam`
//!   CLI's export, plan and apply against the fake's binary, with the most requests in flight;
//! - `cargo xtask bench-mcp [--launches N] [--calls N]` times `anam mcp` and Anam's Python
//!   `anam-mcp` against the fake: launch to tools listed, and a tool call over the direct SDK call;
//! - `cargo xtask spec-diff <FILE|URL> [--json]` lists what differs from an upstream OpenAPI
//!   document, and fails on a difference `openapi/upstream-differences.yaml` does not explain;
//! - `cargo xtask readme` builds every Rust block of README.md in a fresh crate with the README's
//!   own dependency list;
//! - `cargo xtask msrv` checks that `rust-version` covers every dependency of the published crates;
//! - `cargo xtask package` packs and verifies the published crates, each as crates.io would build it;
//! - `cargo xtask ci` runs every check and test, the same command `.ci/run` runs.

mod bench_cli;
mod bench_mcp;
mod calls;
mod ci;
mod codegen;
mod contract;
mod facts;
mod msrv;
mod operations;
mod package;
mod readme;
mod spec;
mod spec_diff;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Project chores for anam-rs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate crates/anam-api/src/generated.rs and facts_generated.rs from openapi/anam.yaml.
    Codegen {
        /// Do not write; fail if the checked-in file differs from what the spec gives.
        #[arg(long)]
        check: bool,
        /// The workspace root to work in (default: this workspace).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Check the spec, client and fake with Spectral, Prism and Schemathesis, and `anam mcp` with the official MCP client (installs them, pinned).
    Contract {
        /// Run only this check: spectral, prism, prism-dynamic, schemathesis or mcp.
        #[arg(long, value_name = "CHECK")]
        only: Option<String>,
        /// Instead: Schemathesis against the fake with this document (Anam's own), for our operations.
        #[arg(long, value_name = "FILE", conflicts_with = "only")]
        upstream: Option<PathBuf>,
    },
    /// Time `codegen` (already built) and check its output is byte-identical across runs.
    BenchCodegen {
        /// How many runs.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Time the anam CLI's export, plan and apply of many personas against the fake's binary (release builds).
    BenchCli {
        /// Personas the fake starts with.
        #[arg(long, default_value_t = 1000)]
        personas: usize,
        /// The fake's latency per request.
        #[arg(long, default_value = "50ms")]
        latency: String,
        /// The CLI's --parallelism.
        #[arg(long, default_value_t = 8)]
        parallelism: usize,
    },
    /// Time `anam mcp` and Anam's Python anam-mcp against the fake: launch to tools listed, a tool call over the direct SDK call.
    BenchMcp {
        /// Launches of each server.
        #[arg(long, default_value_t = 20)]
        launches: usize,
        /// Calls of each tool.
        #[arg(long, default_value_t = 200)]
        calls: usize,
    },
    /// Compare openapi/anam.yaml with an upstream OpenAPI 3.0/3.1 document (Anam's own), for the
    /// operations ours covers; fails on a difference openapi/upstream-differences.yaml does not explain.
    SpecDiff {
        /// The upstream document: a file (JSON or YAML) or an http(s) URL (downloaded with curl).
        source: String,
        /// Print the differences as JSON, for scripts.
        #[arg(long)]
        json: bool,
        /// The workspace root to work in (default: this workspace).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Build every Rust block of README.md, as copied, in a fresh crate with the README's dependencies.
    Readme,
    /// Check that rust-version is the true minimum: no dependency of a published crate needs a newer Rust.
    Msrv,
    /// cargo package of anam-api, anam and anam-mock, verified in a target directory of its own.
    Package,
    /// Run every check and test: codegen --check, fmt, clippy, tests, the three offline examples, README blocks, docs, benches compile, msrv, package, contract.
    Ci,
}

fn main() -> ExitCode {
    let root_default = || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let result = match Cli::parse().command {
        Command::Codegen { check, root } => codegen::run(&root.unwrap_or_else(root_default), check),
        Command::Contract { upstream: Some(document), .. } => contract::upstream(&root_default(), &document),
        Command::Contract { only, upstream: None } => contract::run(&root_default(), only.as_deref()),
        Command::BenchCodegen { runs } => codegen::bench(&root_default(), runs),
        Command::BenchCli { personas, latency, parallelism } => {
            bench_cli::run(&root_default(), &bench_cli::Settings { personas, latency, parallelism })
        }
        Command::BenchMcp { launches, calls } => bench_mcp::run(&root_default(), launches, calls),
        Command::SpecDiff { source, json, root } => spec_diff::run(&root.unwrap_or_else(root_default), &source, json),
        Command::Readme => readme::run(&root_default()),
        Command::Msrv => msrv::run(&root_default()),
        Command::Package => package::run(&root_default()),
        Command::Ci => ci::run(&root_default()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
