//! `anam`: Anam personas as code. Lists personas and what they are built from, mints session
//! tokens, and plans, applies and exports personas files (see `file`), on top of the `anam` SDK.
//!
//! Configuration is the SDK's: `ANAM_API_KEY` (never printed) and `ANAM_API_URL`, or `--api-url`,
//! with `--allow-insecure-http` for a plain-http URL to a host that is not loopback. Messages
//! name these, not the SDK's methods (see `advice`).
//! Exit codes: 0 done (for `plan`, nothing would change; for a declined prompt, nothing
//! changed); 1 an API, validation or file error, on one line on stderr (see `text`); 2 a usage
//! error, as clap prints it (several lines), or a `plan` that would change something.

mod advice;
mod export;
mod file;
mod output;
mod plan;
mod resolve;
mod text;

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anam::{Client, CreateSessionToken, ListAvatars, ListLlms, ListPersonas, ListTools, ListVoices};
use clap::{Parser, Subcommand};
use futures::TryStreamExt;

#[derive(Parser)]
#[command(
    name = "anam",
    version,
    about = "Anam personas as code: list, plan, apply and export personas, mint session tokens"
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
    /// Personas: list, get, delete, and plan, apply and export personas files.
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
    /// What applying a personas file would change; exit 0 if nothing, 2 if something.
    Plan {
        /// The personas file (YAML).
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        /// Also plan to delete the personas the file does not name.
        #[arg(long)]
        prune: bool,
    },
    /// Make the account's personas what a personas file says.
    Apply {
        /// The personas file (YAML).
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        /// Also delete the personas the file does not name.
        #[arg(long)]
        prune: bool,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
    /// Write the account's personas as a personas file.
    Export {
        /// The file to write (default: standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

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

/// Prints the error on one clean line of stderr and exits 1.
fn fail(message: String) -> ExitCode {
    eprintln!("{}", text::line(&format!("error: {message}")));
    ExitCode::from(1)
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let client = advice::client(cli.api_url, cli.allow_insecure_http)?;
    let api = |e: anam::Error| advice::sdk(&e);
    let mut out = std::io::stdout().lock();
    let text = match cli.command {
        Command::Personas { command } => return personas(&client, command).await,
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
                    or_dash(&t.type_.as_ref().map(|k| k.to_string())),
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
        PersonaCommand::Plan { file, prune } => {
            let actions = plan::plan(client, &file::read(&file)?, &text::file_name(&file), prune).await?;
            print(plan::render(&actions))?;
            if actions.iter().any(plan::Action::changes_something) {
                return Ok(ExitCode::from(2));
            }
        }
        PersonaCommand::Apply { file, prune, yes } => {
            let actions = plan::plan(client, &file::read(&file)?, &text::file_name(&file), prune).await?;
            let changes = actions.iter().filter(|a| a.changes_something()).count();
            if changes == 0 {
                print("No changes: the personas are what the file says.\n".into())?;
                return Ok(ExitCode::SUCCESS);
            }
            print(plan::render(&actions))?;
            if !yes && !confirm(&format!("Apply {changes} change(s)?"))? {
                print(NOTHING_CHANGED.into())?;
                return Ok(ExitCode::SUCCESS);
            }
            let progress = progress(changes as u64);
            let outcome = plan::apply(client, actions, &text::file_name(&file), &progress).await;
            progress.finish_and_clear();
            print(outcome? + "\n")?;
            print(format!("Applied {changes} change(s).\n"))?;
        }
        PersonaCommand::Export { output } => {
            let exported = export::export(client).await.map_err(api)?;
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
