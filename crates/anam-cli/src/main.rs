//! `anam`: an Anam account as code. Plans, applies and exports account files (see
//! `account_commands`, `file`), lists personas and what they are built from, and mints session
//! tokens, on top of the `anam` SDK.
//!
//! Configuration is the SDK's: `ANAM_API_KEY` (never printed) and `ANAM_API_URL`, or `--api-url`,
//! with `--allow-insecure-http` for a plain-http URL to a host that is not loopback. Messages
//! name these, not the SDK's methods (see `advice`).
//! Exit codes: 0 done (for `plan`, nothing would change; for a declined prompt, nothing
//! changed); 1 an API, validation or file error, on one line on stderr (see `text`); 2 a usage
//! error, as clap prints it (several lines), or a `plan` that would change something.

mod account;
mod account_commands;
mod advice;
mod apply;
mod completions;
mod diff;
mod docs;
mod export;
mod file;
mod gate;
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

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

use anam::{Client, CreateSessionToken, ListAvatars, ListLlms, ListPersonas, ListTools, ListVoices};
use clap::{CommandFactory, Parser, Subcommand};
use futures::TryStreamExt;

use crate::account_commands::{ApplyArgs, Connection, ExportArgs, PlanArgs};
use crate::gate::{DEFAULT_PARALLELISM, Gate};

// The command line: global flags and a command (no doc comment: clap would show it as help).
#[derive(Parser)]
#[command(
    name = "anam",
    version,
    about = "Anam personas as code: list, plan, apply and export an account's personas, tools, knowledge and share links; mint session tokens"
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

#[derive(Subcommand)]
enum Command {
    /// What applying the account file (-f, default anam.yaml) would change; exit 0 if nothing, 2 if something.
    Plan(PlanArgs),
    /// Make the account what the account file (-f, default anam.yaml) says.
    Apply(ApplyArgs),
    /// Write the account (knowledge groups, tools, personas, share links) as an account file.
    Export(ExportArgs),
    /// Personas: list, get, delete.
    Personas {
        #[command(subcommand)]
        command: PersonaCommand,
    },
    /// Avatars a persona can have.
    Avatars {
        #[command(subcommand)]
        command: ListCommand,
    },
    /// Voices a persona can speak with.
    Voices {
        #[command(subcommand)]
        command: ListCommand,
    },
    /// LLMs a persona can think with (Anam's built-in ones included).
    Llms {
        #[command(subcommand)]
        command: ListCommand,
    },
    /// Tools a persona can call.
    Tools {
        #[command(subcommand)]
        command: ListCommand,
    },
    /// Print a shell's completion script (e.g. `anam completions bash > ~/.local/share/bash-completion/completions/anam`).
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Mint a session token for a persona and print it (the one command that prints a token).
    SessionToken {
        /// The persona's name or id.
        persona: String,
        /// Print `{"sessionToken": "..."}`.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ListCommand {
    /// One line each (every page).
    List {
        /// Only those whose name matches this text.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PersonaCommand {
    /// One line per persona (every page).
    List {
        /// Only personas whose name matches this text.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// One persona in full.
    Get {
        /// The persona's name or id.
        persona: String,
        /// Print JSON for scripts (share-link tokens redacted).
        #[arg(long)]
        json: bool,
    },
    /// Delete a persona.
    Delete {
        /// The persona's name or id.
        persona: String,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
    /// The old spelling of `anam plan` (hidden; goes away in the next release).
    #[command(hide = true)]
    Plan(PlanArgs),
    /// The old spelling of `anam apply` (hidden; goes away in the next release).
    #[command(hide = true)]
    Apply(ApplyArgs),
    /// The old spelling of `anam export` (hidden; goes away in the next release).
    #[command(hide = true)]
    Export(ExportArgs),
}

/// Parses the command line, runs the command on a single-threaded runtime, and exits with its code.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the async runtime: {error}")),
    };
    match runtime.block_on(run(cli)) {
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

/// Runs one command: completions need no client; the rest build one whose retries the gate hears of.
async fn run(cli: Cli) -> Result<ExitCode, String> {
    if let Command::Completions { shell } = cli.command {
        completions::write(shell, &mut Cli::command(), &mut std::io::stdout())?;
        return Ok(ExitCode::SUCCESS);
    }
    let connection = Connection { api_url: cli.api_url.clone(), allow_insecure_http: cli.allow_insecure_http };
    match cli.command {
        Command::Plan(args) => return account_commands::plan(&connection, args).await,
        Command::Apply(args) => return account_commands::apply(&connection, args).await,
        Command::Export(args) => return account_commands::export(&connection, args).await,
        Command::Personas { command: PersonaCommand::Plan(args) } => {
            account_commands::old_spelling("plan");
            return account_commands::plan(&connection, args).await;
        }
        Command::Personas { command: PersonaCommand::Apply(args) } => {
            account_commands::old_spelling("apply");
            return account_commands::apply(&connection, args).await;
        }
        Command::Personas { command: PersonaCommand::Export(args) } => {
            account_commands::old_spelling("export");
            return account_commands::export(&connection, args).await;
        }
        _ => {}
    }
    let gate = Gate::new(DEFAULT_PARALLELISM);
    let client = advice::client(cli.api_url, cli.allow_insecure_http, Some(gate.clone()))?;
    let api = |e: anam::Error| advice::sdk(&e);
    let mut out = std::io::stdout().lock();
    let text = match cli.command {
        Command::Personas { command } => return personas(&client, command).await,
        Command::Completions { .. } | Command::Plan(_) | Command::Apply(_) | Command::Export(_) => {
            return Ok(ExitCode::SUCCESS);
        }
        Command::Avatars { command: ListCommand::List { search, json } } => {
            let request = search.map_or_else(ListAvatars::new, |s| ListAvatars::new().search(s));
            let all: Vec<_> = client.avatars().stream(request).try_collect().await.map_err(api)?;
            let rows = all.iter().map(|a| {
                vec![
                    a.id.to_string(),
                    or_dash(&a.display_name),
                    or_dash(&a.render_style.as_ref().map(|s| s.to_string())),
                    a.display_tags.clone().unwrap_or_default().join(","),
                ]
            });
            if json {
                output::json(&all)?
            } else {
                output::table(&["ID", "NAME", "STYLE", "TAGS"], &rows.collect::<Vec<_>>())
            }
        }
        Command::Voices { command: ListCommand::List { search, json } } => {
            let request = search.map_or_else(ListVoices::new, |s| ListVoices::new().search(s));
            let all: Vec<_> = client.voices().stream(request).try_collect().await.map_err(api)?;
            let rows = all.iter().map(|v| {
                vec![
                    v.id.to_string(),
                    or_dash(&v.display_name),
                    or_dash(&v.provider.as_ref().map(|p| p.to_string())),
                    or_dash(&v.country),
                ]
            });
            if json {
                output::json(&all)?
            } else {
                output::table(&["ID", "NAME", "PROVIDER", "COUNTRY"], &rows.collect::<Vec<_>>())
            }
        }
        Command::Llms { command: ListCommand::List { search, json } } => {
            let request = ListLlms::new().include_defaults(true);
            let request = match search {
                Some(s) => request.search(s),
                None => request,
            };
            let all: Vec<_> = client.llms().stream(request).try_collect().await.map_err(api)?;
            let rows = all.iter().map(|l| {
                vec![
                    l.id.to_string(),
                    or_dash(&l.display_name),
                    or_dash(&l.model_name),
                    if l.is_default == Some(true) { "built-in".into() } else { "own".into() },
                ]
            });
            if json {
                output::json(&all)?
            } else {
                output::table(&["ID", "NAME", "MODEL", "KIND"], &rows.collect::<Vec<_>>())
            }
        }
        Command::Tools { command: ListCommand::List { search, json } } => {
            let request = search.map_or_else(ListTools::new, |s| ListTools::new().search(s));
            let all: Vec<_> = client.tools().stream(request).try_collect().await.map_err(api)?;
            let rows = all.iter().map(|t| {
                vec![
                    t.id.to_string(),
                    or_dash(&t.name),
                    or_dash(&t.type_.as_ref().map(|k| spec::tool::file_type(&k.to_string()).to_owned())),
                    or_dash(&t.description),
                ]
            });
            if json {
                output::json(&all)?
            } else {
                output::table(&["ID", "NAME", "TYPE", "DESCRIPTION"], &rows.collect::<Vec<_>>())
            }
        }
        Command::SessionToken { persona, json } => {
            let all = resolve::personas(&client).await.map_err(api)?;
            let found = resolve::persona(&all, &persona)?;
            let token = client
                .sessions()
                .token(CreateSessionToken::persona(&found.id).client_label("anam-cli"))
                .await
                .map_err(api)?;
            let secret = token.session_token.expose_secret();
            if json { output::json(&serde_json::json!({ "sessionToken": secret }))? } else { format!("{secret}\n") }
        }
    };
    out.write_all(text.as_bytes()).map_err(|e| format!("cannot write the output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The persona commands (their old `plan`, `apply` and `export` run in `account_commands`).
async fn personas(client: &Client, command: PersonaCommand) -> Result<ExitCode, String> {
    let api = |e: anam::Error| advice::sdk(&e);
    let print = |text: String| {
        std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("cannot write the output: {e}"))
    };
    match command {
        PersonaCommand::List { search, json } => {
            let request = search.map_or_else(ListPersonas::new, |s| ListPersonas::new().search(s));
            let all = client.personas().list_all(request).await.map_err(api)?;
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|p| {
                    let avatar = p.avatar.as_ref().map(|a| a.display_name.clone().unwrap_or_else(|| a.id.to_string()));
                    let voice = p.voice.as_ref().map(|v| v.display_name.clone().unwrap_or_else(|| v.id.to_string()));
                    vec![p.id.to_string(), or_dash(&p.name), or_dash(&avatar), or_dash(&voice)]
                })
                .collect();
            print(if json { output::json(&all)? } else { output::table(&["ID", "NAME", "AVATAR", "VOICE"], &rows) })?;
        }
        PersonaCommand::Get { persona, json } => {
            let all = resolve::personas(client).await.map_err(api)?;
            let found = resolve::persona(&all, &persona)?;
            let full = client.personas().get(&found.id).await.map_err(api)?;
            let value = output::redact_share_links(serde_json::to_value(&full).map_err(|e| e.to_string())?);
            print(if json { output::json(&value)? } else { describe(&full) })?;
        }
        PersonaCommand::Delete { persona, yes } => {
            let all = resolve::personas(client).await.map_err(api)?;
            let found = resolve::persona(&all, &persona)?;
            let name = text::shorten(&or_dash(&found.name));
            if !yes && !confirm(&format!("Delete the persona {name} ({})?", found.id))? {
                print(NOTHING_CHANGED.into())?;
                return Ok(ExitCode::SUCCESS);
            }
            client.personas().delete(&found.id).await.map_err(api)?;
            print(text::line(&format!("deleted {name} ({})", found.id)) + "\n")?;
        }
        PersonaCommand::Plan(_) | PersonaCommand::Apply(_) | PersonaCommand::Export(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// A persona for people: its settings, one per line.
fn describe(persona: &anam::Persona) -> String {
    let avatar = persona.avatar.as_ref().map(|a| format!("{} ({})", or_dash(&a.display_name), a.id));
    let voice = persona.voice.as_ref().map(|v| format!("{} ({})", or_dash(&v.display_name), v.id));
    let tools: Vec<String> = persona
        .tools
        .iter()
        .flatten()
        .map(|t| t.get("name").or(t.get("id")).map_or("?".into(), |v| v.to_string()))
        .collect();
    let rows = [
        ("id", persona.id.to_string()),
        ("name", or_dash(&persona.name)),
        ("description", or_dash(&persona.description)),
        ("avatar", or_dash(&avatar)),
        ("avatar model", or_dash(&persona.avatar_model.as_ref().map(|m| m.to_string()))),
        ("voice", or_dash(&voice)),
        ("llm", or_dash(&persona.llm_id.as_ref().map(|l| l.to_string()))),
        ("system prompt", or_dash(&persona.brain.as_ref().and_then(|b| b.system_prompt.clone()))),
        ("tools", if tools.is_empty() { "-".into() } else { tools.join(", ") }),
        ("updated", or_dash(&persona.updated_at.map(|t| t.to_rfc3339()))),
    ];
    rows.iter().map(|(key, value)| text::line(&format!("{key:<14}{value}")) + "\n").collect()
}

/// A value for a table or a description, `-` when there is none.
fn or_dash(value: &Option<impl ToString>) -> String {
    value.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string)
}

/// What `delete` and `apply` print when the user answers no: declining is not an error.
const NOTHING_CHANGED: &str = "nothing changed\n";

/// Asks on the terminal: `Ok(true)` for yes, `Ok(false)` for anything else (end of input
/// included). Without a terminal it refuses, as an error, since nobody can answer: pass `--yes`.
fn confirm(question: &str) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err(format!("{question} Not asked without a terminal: pass --yes"));
    }
    eprint!("{} [y/N] ", text::line(question));
    let mut answer = String::new();
    // An answer is a word: a pasted megabyte is not kept.
    std::io::stdin().lock().take(1024).read_line(&mut answer).map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
