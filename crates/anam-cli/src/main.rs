//! `anam`: an Anam account from the terminal. Every operation of the API has a command, built
//! from the spec's operation table (see `operations`, and `finish` for what is finished by hand
//! for people), and an account's personas, tools, knowledge and share links are planned,
//! applied and exported as a file (see `account_commands`, `file`), on top of the `anam` SDK.
//!
//! Configuration is the SDK's: `ANAM_API_KEY` (never printed) and `ANAM_API_URL`, or `--api-url`,
//! with `--allow-insecure-http` for a plain-http URL to a host that is not loopback. Messages
//! name these, not the SDK's methods (see `advice`).
//! Exit codes: 0 done (for `plan`, nothing would change; for a declined prompt, nothing
//! changed); 1 an API, validation or file error, on one line on stderr per problem (see
//! `text`); 2 a usage error, as clap prints it (several lines), or a `plan` that would change
//! something.

mod account;
mod account_commands;
mod advice;
mod apply;
mod completions;
mod diff;
mod docs;
mod export;
mod file;
mod finish;
mod gate;
mod mcp;
mod names;
mod operations;
mod order;
mod output;
mod plan;
mod problems;
mod render;
mod resolve;
mod spec;
mod text;
mod vars;
mod yaml;

use std::io::{BufRead, IsTerminal, Read};
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::account_commands::{ApplyArgs, Connection, ExportArgs, PlanArgs};

// The command line: global flags and a command (no doc comment: clap would show it as help).
#[derive(Parser)]
#[command(
    name = "anam",
    version,
    about = "An Anam account from the terminal: every operation of the API, and the account's personas, tools, knowledge and share links planned, applied and exported as a file"
)]
struct Cli {
    /// The API's base URL (default: ANAM_API_URL, else https://api.anam.ai). The key is ANAM_API_KEY.
    #[arg(long, global = true, value_name = "URL", help_heading = "Global options")]
    api_url: Option<String>,
    /// Accept a plain http API URL to a host that is not loopback (the key then travels in clear text).
    #[arg(long, global = true, help_heading = "Global options")]
    allow_insecure_http: bool,
    #[command(subcommand)]
    command: Command,
}

/// The commands written here; those of the operations are added in [`command`].
#[derive(Subcommand)]
enum Command {
    /// What applying the account file (-f, default anam.yaml) would change; exit 0 if nothing, 2 if something.
    Plan(PlanArgs),
    /// Make the account what the account file (-f, default anam.yaml) says.
    Apply(ApplyArgs),
    /// Write the account (knowledge groups, tools, personas, share links) as an account file.
    Export(ExportArgs),
    /// Print a shell's completion script (e.g. `anam completions bash > ~/.local/share/bash-completion/completions/anam`).
    #[command(display_order = 1000)]
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// The old spellings `anam personas plan|apply|export`, hidden (they go away in the next release).
#[derive(Subcommand)]
enum OldSpelling {
    /// The old spelling of `anam plan`.
    #[command(hide = true)]
    Plan(PlanArgs),
    /// The old spelling of `anam apply`.
    #[command(hide = true)]
    Apply(ApplyArgs),
    /// The old spelling of `anam export`.
    #[command(hide = true)]
    Export(ExportArgs),
}

/// Adds the old spellings of the account commands to `anam personas`.
pub(crate) fn old_spellings(personas: clap::Command) -> clap::Command {
    OldSpelling::augment_subcommands(personas)
}

/// The whole command line: the global flags, the account commands and `completions`, then a
/// command for every operation of the spec (`operations`), `anam api` and `anam mcp`.
fn command() -> clap::Command {
    Cli::command()
        .subcommands(operations::resource_commands())
        .subcommand(operations::api_command())
        .subcommand(mcp::command())
}

/// Parses the command line, runs the command on a single-threaded runtime, and exits with its code.
fn main() -> ExitCode {
    let matches = command().get_matches();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the async runtime: {error}")),
    };
    match runtime.block_on(run(&matches)) {
        Ok(code) => code,
        Err(message) => fail(message),
    }
}

/// Prints the error on stderr and exits 1: each of its lines (a file's problems are several,
/// joined by newlines) as one clean line starting with `error: `.
fn fail(message: String) -> ExitCode {
    for line in message.split('\n') {
        eprintln!("{}", text::line(&format!("error: {line}")));
    }
    ExitCode::from(1)
}

/// Runs one command: the account commands, completions and the MCP server as written here,
/// every other one as the command of its operation.
async fn run(matches: &ArgMatches) -> Result<ExitCode, String> {
    let connection = Connection {
        api_url: matches.get_one::<String>("api_url").cloned(),
        allow_insecure_http: matches.get_flag("allow_insecure_http"),
    };
    let written_here = ["plan", "apply", "export", "completions"];
    match matches.subcommand() {
        Some((name, _)) if written_here.contains(&name) => {
            match Cli::from_arg_matches(matches).map_err(|e| e.to_string())?.command {
                Command::Plan(args) => account_commands::plan(&connection, args).await,
                Command::Apply(args) => account_commands::apply(&connection, args).await,
                Command::Export(args) => account_commands::export(&connection, args).await,
                Command::Completions { shell } => {
                    completions::write(shell, &mut command(), &mut std::io::stdout())?;
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Some((mcp::MCP, sub)) => mcp::run(connection.api_url, connection.allow_insecure_http, sub).await,
        Some(("personas", personas)) if personas.subcommand_name().is_some_and(|n| written_here.contains(&n)) => {
            let old = OldSpelling::from_arg_matches(personas).map_err(|e| e.to_string())?;
            match old {
                OldSpelling::Plan(args) => {
                    account_commands::old_spelling("plan");
                    account_commands::plan(&connection, args).await
                }
                OldSpelling::Apply(args) => {
                    account_commands::old_spelling("apply");
                    account_commands::apply(&connection, args).await
                }
                OldSpelling::Export(args) => {
                    account_commands::old_spelling("export");
                    account_commands::export(&connection, args).await
                }
            }
        }
        _ => {
            let (op, style, leaf) = operations::find(matches).ok_or("no command given: see anam --help")?;
            let client = advice::client(connection.api_url, connection.allow_insecure_http, None)?;
            let context = operations::Context { client, names: names::Cache::default() };
            operations::run(&context, op, style, leaf).await
        }
    }
}

/// What a command that would change something prints when the user answers no: declining is
/// not an error.
pub(crate) const NOTHING_CHANGED: &str = "nothing changed\n";

/// Asks on the terminal: `Ok(true)` for yes, `Ok(false)` for anything else (end of input
/// included). Without a terminal it refuses, as an error, since nobody can answer: pass `--yes`.
pub(crate) fn confirm(question: &str) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err(format!("{question} Not asked without a terminal: pass --yes"));
    }
    eprint!("{} [y/N] ", text::line(question));
    let mut answer = String::new();
    // An answer is a word: a pasted megabyte is not kept.
    std::io::stdin().lock().take(1024).read_line(&mut answer).map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_whole_command_line_is_consistent() {
        super::command().debug_assert();
    }
}
