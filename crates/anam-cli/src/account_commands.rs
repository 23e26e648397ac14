//! `anam plan`, `anam apply` and `anam export`: the commands of the account file (knowledge
//! groups, tools, personas and share links in one file; see `file`), their flags and what they
//! do. `main` only delegates to them; the old spellings `anam personas plan|apply|export` run
//! the same code after a note on stderr ([`old_spelling`]).

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anam::Client;
use clap::Args;

use crate::gate::{DEFAULT_PARALLELISM, Gate};
use crate::spec::{self, Kind};
use crate::{advice, apply, docs, export, file, plan, render, text};

/// The file `plan` and `apply` read when `-f` is not given, in the current folder.
pub const DEFAULT_FILE: &str = "anam.yaml";

/// What applying the account file would change (personas, tools, knowledge groups, share
/// links); exit 0 if nothing, 2 if something.
#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    #[command(flatten)]
    file: FileArg,
    #[command(flatten)]
    prune: Prune,
    /// Print the plan as one JSON document, for scripts and CI (secrets masked).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    run: RunArgs,
}

/// Make the account what the account file says (after showing the plan and asking).
#[derive(Args, Debug, Clone)]
pub struct ApplyArgs {
    #[command(flatten)]
    file: FileArg,
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
}

/// Write the account (knowledge groups, tools, personas, share links) as an account file.
#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// The file to write (default: standard output, without the documents); documents go under
    /// knowledge/ beside it.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace the file, and the documents under knowledge/ beside it, if they exist.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    run: RunArgs,
}

/// `-f`: the account file.
#[derive(Args, Debug, Clone)]
struct FileArg {
    /// The account file: YAML with knowledgeGroups, tools, personas and shareLinks (each
    /// optional; see the README). Default: anam.yaml in the current folder.
    #[arg(short = 'f', long = "file", value_name = "FILE", default_value = DEFAULT_FILE, hide_default_value = true)]
    path: PathBuf,
}

/// `--prune`: which kinds of resource the file's names are all of.
#[derive(Args, Debug, Clone)]
struct Prune {
    /// Also delete what the file does not name: of every kind it has a section for, or of the
    /// KINDS given (personas, tools, knowledgeGroups, shareLinks; comma-separated, after `=` or a
    /// space).
    #[arg(long, value_name = "KINDS", num_args = 0.., value_delimiter = ',')]
    prune: Option<Vec<Kind>>,
}

/// How a command that reads or changes the whole account runs.
#[derive(Args, Debug, Clone, Copy)]
struct RunArgs {
    /// At most N requests at once (1 to 64).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PARALLELISM as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    parallelism: u16,
}

/// The global flags that say where the API is (`--api-url`, `--allow-insecure-http`), for the
/// account commands and `anam mcp`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// `--api-url`, else the SDK reads `ANAM_API_URL`.
    pub api_url: Option<String>,
    /// `--allow-insecure-http`.
    pub allow_insecure_http: bool,
}

/// What a command of the account file works with: the client, the gate its requests go
/// through, and the client that downloads documents.
pub struct Session {
    /// The SDK's client, whose retries the gate hears of.
    pub client: Client,
    /// The gate every request goes through.
    pub gate: Arc<Gate>,
    /// The client that downloads documents (without the API key).
    pub downloads: docs::Downloads,
}

impl Connection {
    /// The client and gate for a run of `parallelism` requests at once.
    pub fn open(&self, parallelism: usize) -> Result<Session, String> {
        let gate = Gate::new(parallelism);
        let client = advice::client(self.api_url.clone(), self.allow_insecure_http, Some(gate.clone()))?;
        let downloads = docs::Downloads::new(self.allow_insecure_http)?;
        Ok(Session { client, gate, downloads })
    }
}

/// The note an old spelling (`anam personas plan`) prints on stderr before it runs.
pub fn old_spelling(command: &str) {
    eprintln!(
        "{}",
        text::line(&format!(
            "note: `anam personas {command}` is now `anam {command}`; the old spelling goes away in the next release"
        ))
    );
}

/// `anam plan`: prints the plan; exit 0 when nothing would change, 2 when something would.
pub async fn plan(connection: &Connection, args: PlanArgs) -> Result<ExitCode, String> {
    let session = connection.open(usize::from(args.run.parallelism))?;
    let loaded = load(&args.file.path)?;
    let prune = pruned(args.prune, &loaded.file)?;
    let actions = plan::plan(&session.client, &session.gate, &loaded, &prune, &session.downloads).await?;
    print(if args.json { render::json(&actions, None)? } else { render::plan(&actions) })?;
    if actions.iter().any(plan::Action::changes_something) {
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// `anam apply`: plans, shows the plan, asks (unless `--yes`), and carries it out.
pub async fn apply(connection: &Connection, args: ApplyArgs) -> Result<ExitCode, String> {
    let Session { client, gate, downloads } = connection.open(usize::from(args.run.parallelism))?;
    let loaded = load(&args.file.path)?;
    let prune = pruned(args.prune, &loaded.file)?;
    let actions = plan::plan(&client, &gate, &loaded, &prune, &downloads).await?;
    let changes = actions.iter().filter(|a| a.changes_something()).count();
    if changes == 0 {
        print(if args.json { render::json(&actions, None)? } else { NO_CHANGES.into() })?;
        return Ok(ExitCode::SUCCESS);
    }
    if !args.json {
        print(render::plan(&actions))?;
    }
    if !args.yes && !crate::confirm(&format!("Apply {changes} change(s)?"))? {
        print(crate::NOTHING_CHANGED.into())?;
        return Ok(ExitCode::SUCCESS);
    }
    let progress = progress(changes as u64);
    let (stop, record) = (apply::Stop::default(), apply::Record::new(actions.len()));
    let done = |action: &plan::Action, id: Option<&String>| {
        progress.inc(1);
        if !args.json {
            // A closed stdout loses the line, not the run.
            progress.suspend(|| drop(writeln!(std::io::stdout().lock(), "{}", apply::done_line(action, id))));
        }
    };
    let context = apply::Context {
        client: &client,
        gate: &gate,
        shown: &loaded.shown,
        stop: &stop,
        record: &record,
        started: &|action| progress.set_message(text::line(&apply::describe(action))),
        done: &done,
    };
    let outcomes = until_interrupted(apply::apply(&context, &actions), &stop, &record, &progress).await?;
    progress.finish_and_clear();
    if args.json {
        print(render::json(&actions, Some(&outcomes))?)?;
    }
    let interrupted = stop.was_interrupted();
    match apply::report(&actions, &outcomes, interrupted) {
        None => {
            if !args.json {
                print(format!("Applied {changes} change(s).\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(lines) => {
            for line in lines {
                eprintln!("{line}");
            }
            Ok(ExitCode::from(if interrupted { INTERRUPTED } else { 1 }))
        }
    }
}

/// The exit code of an interrupted apply (as a shell reports a process ended by Ctrl-C).
const INTERRUPTED: u8 = 130;

/// Runs `work` (an apply) to its end, unless interrupted: on the first Ctrl-C (SIGINT) or
/// SIGTERM no change starts any more and those under way finish; on a second, they are
/// abandoned (the work is dropped) and their outcomes are [`apply::Outcome::Abandoned`].
async fn until_interrupted(
    work: impl Future<Output = Vec<apply::Outcome>>,
    stop: &apply::Stop,
    record: &apply::Record,
    progress: &indicatif::ProgressBar,
) -> Result<Vec<apply::Outcome>, String> {
    let mut signals = Interruptions::new()?;
    tokio::pin!(work);
    tokio::select! {
        outcomes = &mut work => return Ok(outcomes),
        () = signals.next() => {}
    }
    stop.interrupt();
    let message = format!(
        "interrupted: no change starts any more; waiting for the {} under way (interrupt again to abandon them)",
        record.under_way()
    );
    progress.suspend(|| eprintln!("{}", text::line(&message)));
    tokio::select! {
        outcomes = &mut work => Ok(outcomes),
        () = signals.next() => Ok(record.abandoned()),
    }
}

/// Ctrl-C (SIGINT) and SIGTERM, as one stream of interruptions. Listening replaces their
/// default (ending the process) for the rest of the run, so it starts only when an apply does.
struct Interruptions {
    /// SIGINT (Ctrl-C).
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    /// SIGTERM (`kill`, a CI runner's cancel).
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Interruptions {
    /// Starts listening.
    fn new() -> Result<Interruptions, String> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| signal(kind).map_err(|e| format!("cannot listen for Ctrl-C: {e}"));
            Ok(Interruptions {
                interrupt: listen(SignalKind::interrupt())?,
                terminate: listen(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Interruptions {})
    }

    /// Waits for the next interruption.
    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// `anam export`: the account as a file, on stdout or in `-o FILE` with its documents. Nothing
/// is written over without `--force`, nothing is written for an account that plan would
/// refuse as a file, and each file is written whole or not at all.
pub async fn export(connection: &Connection, args: ExportArgs) -> Result<ExitCode, String> {
    let session = connection.open(usize::from(args.run.parallelism))?;
    let Some(path) = args.output else {
        let exported = export::export(&session.client, &session.gate, false).await?;
        print(file::to_yaml(&exported.file)?)?;
        return Ok(ExitCode::SUCCESS);
    };
    let shown = text::file_name(&path);
    if !args.force && path.symlink_metadata().is_ok() {
        return Err(format!("{shown} exists; pass --force to replace it (and the documents beside it)"));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), PathBuf::from);
    let exported = export::export(&session.client, &session.gate, true).await?;
    let knowledge = dir.join("knowledge");
    if !args.force && !exported.documents.is_empty() && knowledge.symlink_metadata().is_ok() {
        return Err(format!(
            "{} exists; pass --force to replace the documents in it (or export to another folder)",
            text::file_name(&knowledge)
        ));
    }
    export::download(&session.client, &session.gate, &session.downloads, &dir, &exported.documents).await?;
    write_whole(&path, &dir, file::to_yaml(&exported.file)?.as_bytes(), args.force)
        .map_err(|e| format!("{shown}: cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `path` (in `dir`) whole or not at all: into a temporary file in the same
/// folder, then renamed to `path`, over it only when `replace`.
fn write_whole(path: &Path, dir: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    let persisted = if replace { file.persist(path) } else { file.persist_noclobber(path) };
    persisted.map(drop).map_err(|e| e.error)
}

/// Reads and checks the account file at `path`. The default file missing is said in a way that
/// tells where it was looked for and how to start one.
fn load(path: &Path) -> Result<file::Loaded, String> {
    if path == Path::new(DEFAULT_FILE) && matches!(path.try_exists(), Ok(false)) {
        return Err(format!(
            "{DEFAULT_FILE}: no such file in this folder; pass -f FILE, or start one with `anam export -o {DEFAULT_FILE}`"
        ));
    }
    file::read(path)
}

/// Writes `text` to stdout.
fn print(text: String) -> Result<(), String> {
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("cannot write the output: {e}"))
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
        file.prunable(*kind).map_err(|why| format!("--prune={}, but {why}", kind.section()))?;
    }
    Ok(kinds.into_iter().collect())
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
