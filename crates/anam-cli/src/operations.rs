//! A command for every operation of the spec, built at run time from the operation table the
//! `anam-api` crate generates (`Operation::command`, `inputs`, `summary`, ...), so an operation
//! added to the spec and regenerated has its commands with no line written here:
//!
//! - `anam <resource> <verb>` (`anam sessions list`, `anam knowledge documents upload`): flags in
//!   kebab case (`--per-page`), the path's id as a positional argument that takes a name where
//!   the resource has names (see `names`), a confirmation before what destroys something, all
//!   pages of a list, and the hand-finished parts of `finish` (tables, filters, positional
//!   inputs) where a person reads the output;
//! - `anam api <operationId>` (`gh api` for Anam): flags named as in the spec (`--perPage`,
//!   `--id`), the answer as the API gives it, one page unless `--paginate`.
//!
//! Both take the JSON body field by field (a flag per top-level field), whole (`--body FILE`,
//! `-` for standard input) or as `--field key=value`, and an upload's file by path; both send
//! through `anam::dynamic` (the SDK's one call path: checks, retries, typed errors, masked
//! secrets, tracing). A secret of an answer is printed only by an operation that exists to hand
//! one out (`Operation::hands_out_secret`), which its `--help` says.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anam::api::facts::{Effect, Input, InputKind, InputLocation};
use anam::dynamic::Request;
use anam::{Client, Operation, Upload};
use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::TryStreamExt;
use serde_json::{Map, Value};

use crate::{advice, finish, names, output, text};

/// What every command runs with.
pub struct Context {
    /// The SDK's client, configured from the environment and the global flags.
    pub client: Client,
    /// Names already resolved to ids in this run.
    pub names: names::Cache,
}

/// How a command's flags are named and what it does beyond the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `anam <resource> <verb>`: kebab-case flags, names for ids, tables, every page.
    Resource,
    /// `anam api <operationId>`: the spec's names, raw answers.
    Api,
}

/// The name of the command that holds one subcommand per operationId.
pub const API: &str = "api";

/// Arguments every operation's command has besides its inputs (an input of the same name
/// would collide; a test checks that none has).
const BODY: &str = "body";
const FIELD: &str = "field";
const JSON: &str = "json";
const YES: &str = "yes";
const PAGINATE: &str = "paginate";

/// The largest JSON body read from `--body`, in bytes.
const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// The `anam <resource> …` commands: one tree per resource of the operation table (the words
/// of `Operation::command`), each leaf the command of an operation.
pub fn resource_commands() -> Vec<Command> {
    let mut roots: Vec<Node> = Vec::new();
    for &op in Operation::ALL {
        Node::insert(&mut roots, op.command(), op);
    }
    roots.into_iter().map(|root| finish::resource(root.command())).collect()
}

/// `anam api`: one subcommand per operationId, with its summary.
pub fn api_command() -> Command {
    let operations = Operation::ALL.iter().map(|&op| operation_command(op, Style::Api, op.id()));
    Command::new(API)
        .about("Call any operation of the API by its operationId, with the spec's parameter names; prints the answer as JSON")
        .long_about(
            "Call any operation of the API by its operationId (`anam api listPersonas --perPage 5`), through the \
             SDK's call path (checks, retries, errors, masked secrets). Parameters and body fields are flags named \
             as in the spec; a JSON body can also come from --body FILE (or - for standard input) or --field \
             key=value. The answer is printed as the API gives it (one page of a list unless --paginate).",
        )
        .subcommand_required(true)
        .subcommands(operations)
}

/// A word of the command tree: an operation's command, or a group of them.
struct Node {
    word: &'static str,
    operation: Option<Operation>,
    children: Vec<Node>,
}

impl Node {
    /// Puts `op` at the path `words` below `nodes`.
    fn insert(nodes: &mut Vec<Node>, words: &'static [&'static str], op: Operation) {
        let [word, rest @ ..] = words else { return };
        let at = match nodes.iter().position(|n| n.word == *word) {
            Some(at) => at,
            None => {
                nodes.push(Node { word, operation: None, children: Vec::new() });
                nodes.len() - 1
            }
        };
        match rest {
            [] => nodes[at].operation = Some(op),
            rest => Node::insert(&mut nodes[at].children, rest, op),
        }
    }

    /// The node as a command: an operation's, or a group's listing its words.
    fn command(self) -> Command {
        match self.operation {
            Some(op) => operation_command(op, Style::Resource, self.word),
            None => {
                // A group's own operations first, in the spec's order, then its groups.
                let mut children = self.children;
                children.sort_by_key(|c| c.operation.is_none());
                let words: Vec<&str> = children.iter().map(|c| c.word).collect();
                let about = words.join(", ");
                let children = children.into_iter().map(Node::command);
                Command::new(self.word).about(about).subcommand_required(true).subcommands(children)
            }
        }
    }
}

/// The command of `op`, named `name`, with an argument per input.
fn operation_command(op: Operation, style: Style, name: &str) -> Command {
    let mut about = op.summary().to_owned();
    if op.hands_out_secret() {
        about.push_str(" (prints a secret: this command exists to hand it out)");
    }
    let mut command = Command::new(name.to_owned()).about(about).long_about(long_about(op));
    // Positional arguments: the path's parameters (the id), then those `finish` gives.
    let positional: Vec<&str> = match style {
        Style::Resource => {
            let path = op.inputs().iter().filter(|i| i.location == InputLocation::Path).map(|i| i.name);
            path.chain(finish::positional(op).iter().copied()).collect()
        }
        Style::Api => Vec::new(),
    };
    for input in op.inputs() {
        command = command.arg(input_arg(input, style, &positional));
    }
    let takes_body = op.inputs().iter().any(|i| i.location == InputLocation::Body);
    if takes_body {
        command =
            command
                .arg(
                    Arg::new(BODY).long(BODY).value_name("FILE").value_parser(clap::value_parser!(PathBuf)).help(
                        "The JSON body from a file (- for standard input); flags and --field override its fields",
                    ),
                )
                .arg(
                    Arg::new(FIELD)
                        .long(FIELD)
                        .short('F')
                        .value_name("KEY=VALUE")
                        .action(ArgAction::Append)
                        .help("A top-level body field; VALUE is read as JSON when it is JSON, else as text"),
                );
    }
    command = command.arg(Arg::new(JSON).long(JSON).action(ArgAction::SetTrue).help("Print the answer as JSON"));
    match style {
        Style::Resource if op.effect() == Effect::Destroys => {
            command = command.arg(Arg::new(YES).long(YES).action(ArgAction::SetTrue).help("Do not ask first"));
        }
        Style::Api if is_paged(op) => {
            command = command.arg(
                Arg::new(PAGINATE)
                    .long(PAGINATE)
                    .action(ArgAction::SetTrue)
                    .help("Every page: print the items of all pages as one JSON array"),
            );
        }
        _ => {}
    }
    match style {
        Style::Resource => finish::command(op, command),
        Style::Api => command,
    }
}

/// The operation's description, with what it does to the account.
fn long_about(op: Operation) -> String {
    let effect = match op.effect() {
        Effect::Reads => "It only reads.",
        Effect::Changes => "It changes the account.",
        Effect::Destroys => "It destroys something: a terminal asks first (--yes to skip).",
    };
    let secret = match op.hands_out_secret() {
        true => " It prints a secret (a token or a signed URL): this command exists to hand it out.",
        false => " Secrets in its answer are printed as [redacted].",
    };
    format!("{}\n\n{effect}{secret} (`{} {}`, operationId {})", op.description(), op.method(), op.path(), op.id())
}

/// Whether `op` is a list the API pages.
fn is_paged(op: Operation) -> bool {
    op.input("page").is_some() && op.input("perPage").is_some()
}

/// The flag (or positional argument) of one input.
fn input_arg(input: &Input, style: Style, positional: &[&str]) -> Arg {
    let mut arg = Arg::new(input.name).help(input_help(input)).long_help(input_long_help(input));
    let index = positional.iter().position(|name| *name == input.name);
    arg = match index {
        Some(at) => arg.index(at + 1).value_name(value_name(input, style)).required(input.required),
        None => {
            let long = match style {
                Style::Resource => kebab(input.name),
                Style::Api => input.name.to_owned(),
            };
            let arg = arg.long(long).value_name(value_name(input, style));
            arg.required(input.required && matches!(input.location, InputLocation::Path | InputLocation::Query))
        }
    };
    arg = match input.kind {
        InputKind::Boolean => {
            arg.num_args(0..=1).default_missing_value("true").value_parser(["true", "false"]).action(ArgAction::Set)
        }
        InputKind::Array => arg.action(ArgAction::Append),
        InputKind::File => arg.value_parser(clap::value_parser!(PathBuf)),
        _ => arg,
    };
    if !input.values.is_empty() {
        arg = arg.value_parser(clap::builder::PossibleValuesParser::new(input.values.iter().copied()));
    }
    arg
}

/// `perPage` as a flag: `per-page`.
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// What an input's value looks like in the usage line.
fn value_name(input: &Input, style: Style) -> String {
    if style == Style::Resource
        && let Some(what) = input.id_of.and_then(names::noun)
    {
        return format!("{}|ID", what.to_uppercase().replace(' ', "_"));
    }
    match input.kind {
        InputKind::String if input.format == Some("date-time") => "DATE".into(),
        InputKind::String => "TEXT".into(),
        InputKind::Integer => "N".into(),
        InputKind::Number => "NUMBER".into(),
        InputKind::Boolean => "true|false".into(),
        InputKind::Array => "VALUE".into(),
        InputKind::Object => "JSON".into(),
        InputKind::File => "FILE".into(),
    }
}

/// An input's one-line help: the first sentence of its description, and its range or default.
fn input_help(input: &Input) -> String {
    let first = input.description.split_inclusive(". ").next().unwrap_or(input.description).trim();
    let mut help = first.trim_end_matches('.').replace('\n', " ");
    let mut notes = Vec::new();
    if let Some(range) = range(input) {
        notes.push(range);
    }
    if let Some(default) = input.default {
        notes.push(format!("default {default}"));
    }
    if input.secret {
        notes.push("a secret".to_owned());
    }
    if input.kind == InputKind::Array {
        notes.push("repeat it, or give a JSON list".to_owned());
    }
    if input.kind == InputKind::Object {
        notes.push("JSON".to_owned());
    }
    if !notes.is_empty() {
        help.push_str(&format!(" [{}]", notes.join("; ")));
    }
    help
}

/// An input's whole description, its range and default, for `--help`.
fn input_long_help(input: &Input) -> String {
    let mut help = input.description.to_owned();
    if let Some(range) = range(input) {
        help.push_str(&format!("\n\nAccepted: {range}."));
    }
    if let Some(default) = input.default {
        help.push_str(&format!("\nDefault: {default}."));
    }
    help
}

/// `between 1 and 100`, when the spec gives a range.
fn range(input: &Input) -> Option<String> {
    (input.minimum.is_some() || input.maximum.is_some())
        .then(|| anam::api::facts::range_text(input.minimum, input.maximum))
}

/// The operation a command line names, and the matches of its own arguments.
pub fn find(matches: &ArgMatches) -> Option<(Operation, Style, &ArgMatches)> {
    let (first, sub) = matches.subcommand()?;
    if first == API {
        let (id, leaf) = sub.subcommand()?;
        return Some((Operation::from_id(id)?, Style::Api, leaf));
    }
    let mut words = vec![first];
    let mut at = sub;
    while let Some((word, next)) = at.subcommand() {
        words.push(word);
        at = next;
    }
    let op = Operation::ALL.iter().copied().find(|op| op.command() == words.as_slice())?;
    Some((op, Style::Resource, at))
}

/// Runs the operation's command: its request built from the command line, names resolved,
/// confirmed if it destroys something, sent, and its answer printed.
pub async fn run(context: &Context, op: Operation, style: Style, matches: &ArgMatches) -> Result<ExitCode, String> {
    if style == Style::Resource
        && let Some(run) = finish::run(op)
    {
        return run(context, matches).await;
    }
    let mut request = request(op, matches)?.reveal_secrets(op.hands_out_secret());
    if style == Style::Resource {
        request = names::resolve_inputs(context, request).await?;
        request = finish::prepare(context, op, matches, request).await?;
        if op.effect() == Effect::Destroys && !matches.get_flag(YES) {
            let what = describe_target(&request);
            if !crate::confirm(&format!("{} {what}?", op.summary()))? {
                print(crate::NOTHING_CHANGED.into())?;
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    let all_pages = match style {
        Style::Resource => is_paged(op) && !request.values().contains_key("page"),
        Style::Api => matches.try_get_one::<bool>(PAGINATE).ok().flatten().copied().unwrap_or(false),
    };
    let answer = if all_pages {
        let keep = finish::keep(op, matches)?;
        let mut items: Vec<Value> =
            context.client.call_pages(request).try_collect().await.map_err(|e| advice::sdk(&e))?;
        if let Some(keep) = keep {
            items.retain(|item| keep(item));
        }
        Value::Array(items)
    } else {
        context.client.call(request).await.map_err(|e| advice::sdk(&e))?
    };
    let json = matches.get_flag(JSON) || style == Style::Api;
    let shown = match finish::show(op) {
        Some(show) if !json => show(context, answer, matches).await?,
        _ => output::json(&finish::for_scripts(op, answer))?,
    };
    print(shown)?;
    Ok(ExitCode::SUCCESS)
}

/// The request of `op` from its command line: each input given, read as its kind; the body
/// from `--body` and `--field` under the flags; the file of an upload.
pub fn request(op: Operation, matches: &ArgMatches) -> Result<Request, String> {
    let mut values = Map::new();
    if let Ok(Some(path)) = matches.try_get_one::<PathBuf>(BODY) {
        values.extend(read_body(path)?);
    }
    if let Ok(Some(fields)) = matches.try_get_many::<String>(FIELD) {
        for field in fields {
            let (key, value) = field
                .split_once('=')
                .ok_or_else(|| format!("--field {}: write it as KEY=VALUE", text::shorten(field)))?;
            values.insert(key.to_owned(), serde_json::from_str(value).unwrap_or_else(|_| Value::from(value)));
        }
    }
    let mut upload = None;
    for input in op.inputs() {
        if input.kind == InputKind::File {
            if let Ok(Some(path)) = matches.try_get_one::<PathBuf>(input.name) {
                upload = Some(Upload::path(path));
            }
            continue;
        }
        let Ok(Some(given)) = matches.try_get_many::<String>(input.name) else { continue };
        let given: Vec<&String> = given.collect();
        let value = match input.kind {
            InputKind::Array => {
                let mut items = Vec::new();
                for text in given {
                    match serde_json::from_str::<Value>(text) {
                        Ok(Value::Array(list)) => items.extend(list),
                        _ => items.push(Value::from(text.as_str())),
                    }
                }
                Value::Array(items)
            }
            // Numbers, booleans and objects stay text: the SDK reads them as JSON and names the
            // input when they are not.
            _ => Value::from(given[given.len() - 1].as_str()),
        };
        values.insert(input.name.to_owned(), value);
    }
    let request = Request::new(op).args(values);
    Ok(match upload {
        Some(upload) => request.file(upload),
        None => request,
    })
}

/// A JSON object read from `path` (or standard input for `-`), at most [`MAX_BODY_BYTES`].
fn read_body(path: &PathBuf) -> Result<Map<String, Value>, String> {
    let shown = text::file_name(path);
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(MAX_BODY_BYTES + 1).read_to_end(&mut bytes)
    } else {
        // A plain open: `--body <(command)` is a pipe, to be read until its writer closes it.
        let file = std::fs::File::open(path).map_err(|e| format!("--body {shown}: cannot open: {e}"))?;
        file.take(MAX_BODY_BYTES + 1).read_to_end(&mut bytes)
    };
    read.map_err(|e| format!("--body {shown}: cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(format!("--body {shown}: larger than {MAX_BODY_BYTES} bytes"));
    }
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("--body {shown}: not a JSON object")),
        Err(error) => Err(format!("--body {shown}: not JSON: {error}")),
    }
}

/// What a destroying command acts on, for its question: the id it was given.
fn describe_target(request: &Request) -> String {
    match request.values().get("id") {
        Some(Value::String(id)) => text::shorten(id),
        _ => String::new(),
    }
}

/// Writes `text` to standard output.
pub fn print(text: String) -> Result<(), String> {
    use std::io::Write;
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("cannot write the output: {e}"))
}

/// Whether standard error is a terminal (progress lines are drawn only there).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_one_resource_command_and_one_api_command() {
        let mut root = Command::new("anam").subcommands(resource_commands()).subcommand(api_command());
        root.build();
        root.clone().debug_assert();
        for &op in Operation::ALL {
            let words = op.command();
            let mut leaf = &root;
            for word in words {
                leaf = leaf.find_subcommand(word).unwrap_or_else(|| panic!("{}: no command {word}", op.id()));
            }
            let mut args = vec!["anam".to_owned()];
            args.extend(words.iter().map(|w| w.to_string()));
            let positional = leaf.get_positionals().filter(|a| a.is_required_set()).count();
            args.extend((0..positional).map(|n| format!("x-{n}")));
            let matches = root.clone().try_get_matches_from(&args).unwrap_or_else(|e| panic!("{}: {e}", op.id()));
            assert_eq!(find(&matches).map(|(o, s, _)| (o, s)), Some((op, Style::Resource)), "{args:?}");
            let api = ["anam", API, op.id(), "--id", "x-1"];
            let api = if op.input("id").is_some() { &api[..] } else { &api[..3] };
            let matches = root.clone().try_get_matches_from(api).unwrap_or_else(|e| panic!("{}: {e}", op.id()));
            assert_eq!(find(&matches).map(|(o, s, _)| (o, s)), Some((op, Style::Api)));
        }
    }

    #[test]
    fn no_input_is_named_as_a_flag_every_command_has() {
        for &op in Operation::ALL {
            for input in op.inputs() {
                let names = [input.name.to_owned(), kebab(input.name)];
                for reserved in [BODY, FIELD, JSON, YES, PAGINATE, "help", "api-url", "allow-insecure-http"] {
                    assert!(!names.iter().any(|n| n == reserved), "{}: {}", op.id(), input.name);
                }
            }
        }
    }

    #[test]
    fn flags_are_read_as_their_inputs() {
        let mut root = Command::new("anam").subcommands(resource_commands());
        root.build();
        let args = [
            "anam",
            "personas",
            "create",
            "--name",
            "Front",
            "--tool-ids",
            "a",
            "--tool-ids",
            "[\"b\", \"c\"]",
            "--skip-greeting",
            "--field",
            "description=\"hi\"",
            "--field",
            "languageCode=en",
        ];
        let matches = root.try_get_matches_from(args).unwrap();
        let (op, _, leaf) = find(&matches).unwrap();
        let request = request(op, leaf).unwrap();
        let values = Value::Object(request.values().clone());
        assert_eq!(
            values,
            serde_json::json!({"name": "Front", "toolIds": ["a", "b", "c"], "skipGreeting": "true",
                "description": "hi", "languageCode": "en"})
        );
        assert_eq!(kebab("voiceDetectionOptions"), "voice-detection-options");
    }
}
