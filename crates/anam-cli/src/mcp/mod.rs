//! `anam mcp`: the account as tools for AI assistants, over the Model Context Protocol.
//!
//! A tool per operation of the spec, built at run time from the operation table (`tools`) and
//! sent through the SDK's one generic call (`anam::dynamic`), as the CLI's commands are; and four
//! task tools finished by hand: `find`, `session_report` (`tasks`), `plan_account` and
//! `apply_account` (`account`). The server is rmcp's, on standard input and output (what desktop
//! assistants launch) or, with `--http ADDR`, on the streamable HTTP transport (`http`).
//!
//! Configuration is the CLI's (`ANAM_API_KEY`, `ANAM_API_URL`, `--api-url`,
//! `--allow-insecure-http`). Standard output is the protocol's channel: nothing else is written
//! there; the few lines of `anam mcp` itself go to standard error, and none holds the key.

/// `plan_account` and `apply_account`: all that touches the account file's code.
mod account;
/// The files a tool may read (`--allow-files`).
mod files;
/// The streamable HTTP transport (`--http`), its address and bearer token.
mod http;
/// The MCP server: rmcp's handler over the tools, and a call carried out.
mod server;
/// `find`, `session_report`, and the account tools' arguments.
mod tasks;
/// The tools, built from the operation table.
mod tools;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use rmcp::ServiceExt;

pub use server::Server;
pub use tools::Selection;

/// The name of the command.
pub const MCP: &str = "mcp";

/// The environment variable that holds the bearer token of `--http` (instead of
/// `--bearer-token`, which other users of the machine can read in the process list).
pub const TOKEN_VARIABLE: &str = "ANAM_MCP_BEARER_TOKEN";

/// The shortest bearer token accepted, in characters.
pub const MIN_TOKEN_CHARS: usize = 16;

/// `--http ADDR`.
const HTTP: &str = "http";
/// `--allow-remote`.
const ALLOW_REMOTE: &str = "allow-remote";
/// `--bearer-token TOKEN`.
const BEARER_TOKEN: &str = "bearer-token";
/// `--read-only`.
const READ_ONLY: &str = "read-only";
/// `--tools RESOURCES`.
const TOOLS: &str = "tools";
/// `--allow-files DIR`.
const ALLOW_FILES: &str = "allow-files";

/// `anam mcp` and its flags.
pub fn command() -> Command {
    let resources = tools::resources();
    Command::new(MCP)
        .about("Serve every operation and the account file as MCP tools, for AI assistants (stdio, or --http)")
        .long_about(
            "Serve the account as Model Context Protocol tools: one per operation of the API (list_personas, \
             create_persona, get_session_transcript, ...), built from the spec, and find, session_report, \
             plan_account and apply_account. By default on standard input and output, as Claude Desktop, Claude Code \
             and Cursor launch it; with --http ADDR on the streamable HTTP transport. The API key is ANAM_API_KEY; it \
             never appears in a tool's answer or on standard error, and secrets in answers are masked except where \
             an operation exists to hand one out (session tokens, share links, signed URLs).",
        )
        .arg(
            Arg::new(HTTP)
                .long(HTTP)
                .value_name("ADDR")
                .value_parser(http::parse_address)
                .help("Serve the streamable HTTP transport at http://ADDR/mcp (a loopback address, e.g. 127.0.0.1:8765; port 0 picks one) instead of stdio"),
        )
        .arg(
            Arg::new(ALLOW_REMOTE)
                .long(ALLOW_REMOTE)
                .action(ArgAction::SetTrue)
                .requires(HTTP)
                .help(format!(
                    "Accept an --http address that is not loopback; needs a bearer token (--bearer-token or {TOKEN_VARIABLE})"
                )),
        )
        .arg(
            Arg::new(BEARER_TOKEN)
                .long(BEARER_TOKEN)
                .value_name("TOKEN")
                .requires(HTTP)
                .help(format!(
                    "Require `Authorization: Bearer TOKEN` on every HTTP request (at least {MIN_TOKEN_CHARS} characters; {TOKEN_VARIABLE} keeps it out of the process list)"
                )),
        )
        .arg(
            Arg::new(READ_ONLY)
                .long(READ_ONLY)
                .action(ArgAction::SetTrue)
                .help("Only the tools that read (readOnlyHint), with find, session_report and plan_account"),
        )
        .arg(
            Arg::new(TOOLS)
                .long(TOOLS)
                .value_name("RESOURCES")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .value_parser(clap::builder::PossibleValuesParser::new(resources))
                .help("Only the operations of these resources (comma-separated: personas,knowledge,...); the task tools stay"),
        )
        .arg(
            Arg::new(ALLOW_FILES)
                .long(ALLOW_FILES)
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Let uploads and the account file's documents read files inside DIR (none by default)"),
        )
}

/// How `anam mcp` was asked to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--api-url`, else the SDK reads `ANAM_API_URL`.
    pub api_url: Option<String>,
    /// `--allow-insecure-http`.
    pub allow_insecure_http: bool,
    /// Which tools are served.
    pub selection: Selection,
    /// `--allow-files`, as given.
    pub allow_files: Option<PathBuf>,
}

/// Runs `anam mcp` until its client goes away (stdio) or it is stopped (HTTP).
pub async fn run(api_url: Option<String>, allow_insecure_http: bool, matches: &ArgMatches) -> Result<ExitCode, String> {
    let resources = matches.get_many::<String>(TOOLS).map(|given| given.cloned().collect());
    let selection = Selection { read_only: matches.get_flag(READ_ONLY), resources };
    let allow_files = matches.get_one::<PathBuf>(ALLOW_FILES).cloned();
    let options = Options { api_url, allow_insecure_http, selection, allow_files };
    let server = Server::new(&options)?;
    match matches.get_one::<SocketAddr>(HTTP) {
        Some(address) => {
            let given = matches.get_one::<String>(BEARER_TOKEN).cloned();
            let token = http::token(given, std::env::var(TOKEN_VARIABLE).ok())?;
            http::serve(server, *address, matches.get_flag(ALLOW_REMOTE), token).await?;
        }
        None => {
            eprintln!(
                "{}",
                crate::text::line(&format!("anam mcp: {} on standard input and output", server.describe()))
            );
            let running = server
                // Non-blocking pipes where the client made them (as assistants do), else the
                // blocking standard streams: no hand-off to another thread per message.
                .serve(rmcp::transport::stdio_pipes())
                .await
                .map_err(|e| format!("the MCP client did not start a session: {e}"))?;
            running.waiting().await.map_err(|e| format!("the MCP server stopped: {e}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
