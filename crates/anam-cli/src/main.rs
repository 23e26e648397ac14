//! `anam`: Anam personas as code. Lists personas and what they are built from, mints session
//! tokens, and plans, applies and exports personas files (see `file`), on top of the `anam` SDK.
//!
//! Configuration is the SDK's: `ANAM_API_KEY` (never printed) and `ANAM_API_URL`, or `--api-url`,
//! with `--allow-insecure-http` for a plain-http URL to a host that is not loopback. Messages
//! name these, not the SDK's methods (see `advice`).
//! Exit codes: 0 done (for `plan`, nothing would change; for a declined prompt, nothing
//! changed); 1 an API, validation or file error, on one line on stderr (see `text`); 2 a usage
//! error, as clap prints it (several lines), or a `plan` that would change something.

mod account;
mod advice;
mod apply;
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
mod render;
mod resolve;
mod spec;
mod text;
mod vars;

use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anam::Client;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::gate::{DEFAULT_PARALLELISM, Gate};
use crate::spec::Kind;

// The command line: global flags and a command (no doc comment: clap would show it as help).
#[derive(Parser)]
#[command(
    name = "anam",
    version,
    about = "Anam personas as code: list, plan, apply and export an account's personas, tools, knowledge and share links; mint session tokens"
)]
struct Cli {
    /// The API's base URL (default: ANAM_API_URL, else https://api.anam.ai). The key is ANAM_API_KEY.
    #[arg(long, global = true, value_name = "URL")]
    api_url: Option<String>,
    /// Accept a plain http API URL to a host that is not loopback (the key then travels in clear text).
    #[arg(long, global = true)]
    allow_insecure_http: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a shell's completion script (e.g. `anam completions bash > ~/.local/share/bash-completion/completions/anam`).
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// What `anam personas` has beyond its operations: a whole account's file.
#[derive(Subcommand)]
enum PersonaCommand {
    /// What applying a file would change (personas, tools, knowledge groups, share links); exit 0 if nothing, 2 if something.
    Plan {
        /// The file (YAML).
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        prune: Prune,
        /// Print the plan as one JSON document, for scripts and CI (secrets masked).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Make the account what a file says.
    Apply {
        /// The file (YAML).
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        prune: Prune,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
        /// Print the plan and each action's result as one JSON document at the end (secrets masked).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Write the account (knowledge groups, tools, personas, share links) as a file.
    Export {
        /// The file to write (default: standard output, without the documents); documents go under knowledge/ beside it.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
    },
}

/// Adds the account file's commands to `anam personas`.
pub(crate) fn account_commands(personas: clap::Command) -> clap::Command {
    PersonaCommand::augment_subcommands(personas)
}

/// `--prune`: which kinds of resource the file's names are all of.
#[derive(Args, Debug, Clone)]
struct Prune {
    /// Also delete what the file does not name: of every kind it has a section for, or of the
    /// KINDS given (personas, tools, knowledgeGroups, shareLinks; comma-separated).
    #[arg(long, value_name = "KINDS", num_args = 0.., require_equals = true, value_delimiter = ',')]
    prune: Option<Vec<Kind>>,
}

/// How a command that reads or changes the whole account runs.
#[derive(Args, Debug, Clone, Copy)]
struct RunArgs {
    /// At most N requests at once (1 to 64).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PARALLELISM as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    parallelism: u16,
}

/// The whole command line: the global flags and `completions`, then a command for every
/// operation of the spec (`operations`), `anam api` and `anam mcp`.
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

/// Prints the error on one clean line of stderr and exits 1.
fn fail(message: String) -> ExitCode {
    eprintln!("{}", text::line(&format!("error: {message}")));
    ExitCode::from(1)
}

/// Runs one command: completions need no client; the rest build one whose retries the gate hears of.
async fn run(matches: &clap::ArgMatches) -> Result<ExitCode, String> {
    if let Some(("completions", sub)) = matches.subcommand() {
        let shell = *sub.get_one::<clap_complete::Shell>("shell").ok_or("no shell given")?;
        clap_complete::generate(shell, &mut command(), "anam", &mut std::io::stdout());
        return Ok(ExitCode::SUCCESS);
    }
    let api_url = matches.get_one::<String>("api_url").cloned();
    let allow_insecure_http = matches.get_flag("allow_insecure_http");
    if let Some((mcp::MCP, sub)) = matches.subcommand() {
        return mcp::run(api_url, allow_insecure_http, sub).await;
    }
    let account = match matches.subcommand() {
        Some(("personas", sub)) => match sub.subcommand() {
            Some((name, _)) if ["plan", "apply", "export"].contains(&name) => {
                Some(PersonaCommand::from_arg_matches(sub).map_err(|e| e.to_string())?)
            }
            _ => None,
        },
        _ => None,
    };
    let parallelism = match &account {
        Some(
            PersonaCommand::Plan { run, .. } | PersonaCommand::Apply { run, .. } | PersonaCommand::Export { run, .. },
        ) => usize::from(run.parallelism),
        None => DEFAULT_PARALLELISM,
    };
    let gate = Gate::new(parallelism);
    let client = advice::client(api_url, allow_insecure_http, Some(gate.clone()))?;
    if let Some(account) = account {
        let downloads = docs::Downloads::new(allow_insecure_http)?;
        return personas(&client, &gate, &downloads, account).await;
    }
    let (op, style, leaf) = operations::find(matches).ok_or("no command given: see anam --help")?;
    let context = operations::Context { client, names: names::Cache::default() };
    operations::run(&context, op, style, leaf).await
}

/// The persona commands, and the whole account's plan, apply and export.
async fn personas(
    client: &Client,
    gate: &Arc<Gate>,
    downloads: &docs::Downloads,
    command: PersonaCommand,
) -> Result<ExitCode, String> {
    let print = |text: String| {
        std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("cannot write the output: {e}"))
    };
    match command {
        PersonaCommand::Plan { file, prune, json, run: _ } => {
            let loaded = file::read(&file)?;
            let prune = pruned(prune, &loaded.file)?;
            let actions = plan::plan(client, gate, &loaded, &prune, downloads).await?;
            print(if json { render::json(&actions, None)? } else { render::plan(&actions) })?;
            if actions.iter().any(plan::Action::changes_something) {
                return Ok(ExitCode::from(2));
            }
        }
        PersonaCommand::Apply { file, prune, yes, json, run: _ } => {
            let loaded = file::read(&file)?;
            let prune = pruned(prune, &loaded.file)?;
            let actions = plan::plan(client, gate, &loaded, &prune, downloads).await?;
            let changes = actions.iter().filter(|a| a.changes_something()).count();
            if changes == 0 {
                print(if json { render::json(&actions, None)? } else { NO_CHANGES.into() })?;
                return Ok(ExitCode::SUCCESS);
            }
            if !json {
                print(render::plan(&actions))?;
            }
            if !yes && !confirm(&format!("Apply {changes} change(s)?"))? {
                print(NOTHING_CHANGED.into())?;
                return Ok(ExitCode::SUCCESS);
            }
            let progress = progress(changes as u64);
            let outcomes = apply::apply(client, gate, &actions, &loaded.shown, &progress).await;
            progress.finish_and_clear();
            let report = apply::report(&actions, &outcomes);
            if json {
                print(render::json(&actions, Some(&outcomes))?)?;
                report?;
            } else {
                print(report? + "\n")?;
                print(format!("Applied {changes} change(s).\n"))?;
            }
        }
        PersonaCommand::Export { output, run: _ } => {
            let dir = output.as_ref().map(|path| path.parent().map(PathBuf::from).unwrap_or_default());
            let dir = dir.map(|d| if d.as_os_str().is_empty() { PathBuf::from(".") } else { d });
            let exported = export::export(client, gate, downloads, dir.as_deref()).await?;
            let yaml = file::to_yaml(&exported)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, yaml).map_err(|e| format!("{}: cannot write: {e}", text::file_name(&path)))?
                }
                None => print(yaml)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `apply` prints when the account is already what the file says.
const NO_CHANGES: &str = "No changes: the account is what the file says.\n";

/// The kinds `--prune` deletes from: those named, else every kind the file has a section for.
/// A kind named without its section in the file is refused: pruning it would delete all of it.
fn pruned(prune: Prune, file: &spec::File) -> Result<HashSet<Kind>, String> {
    let Some(kinds) = prune.prune else { return Ok(HashSet::new()) };
    if kinds.is_empty() {
        let all = [Kind::KnowledgeGroup, Kind::Tool, Kind::Persona, Kind::ShareLink];
        return Ok(all.into_iter().filter(|k| file.has(*k)).collect());
    }
    for kind in &kinds {
        if !file.has(*kind) {
            let section = kind.section();
            return Err(format!(
                "--prune={section}, but the file has no `{section}:` section; write `{section}: []` to delete every {}",
                kind.noun()
            ));
        }
    }
    Ok(kinds.into_iter().collect())
}

/// What `delete` and `apply` print when the user answers no: declining is not an error.
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

/// A progress bar on stderr when it is a terminal, and nothing otherwise.
fn progress(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_whole_command_line_is_consistent() {
        super::command().debug_assert();
    }
}
