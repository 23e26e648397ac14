//! Reading a file: within limits, its YAML parsed into a [`File`] (see `spec` for what it
//! holds), its `${VARIABLES}` replaced (see `vars`), then checked (see `spec::check`).
//!
//! Only the fields written are managed; the others are left as they are on the server.
//! An unknown key is an error, and so is a value out of the spec's range; both name the file and
//! the path inside it (`personas[2].voiceDetection.endOfSpeechSensitivity`).
//!
//! A file is refused, on one line, when it is over 4 MiB (checked on what is read, not on the
//! file's metadata), nests deeper than 16 levels, holds over 100,000 values, or expands through
//! aliases to over 4 times its size: limits checked while reading and parsing, before values are
//! built (see the constants below).

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use crate::problems::{Problem, Problems};
pub use crate::spec::File;
use crate::yaml::{Entry, Node, NodeDeserializer, Value};
use crate::{docs, spec, text, vars};

/// A file read and checked: what it says, its variables replaced, and its documents read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// What the file says.
    pub file: File,
    /// The documents of each knowledge group, in the order of the file's groups.
    pub documents: Vec<Vec<docs::Local>>,
    /// The file's name as messages show it.
    pub shown: String,
}

/// The largest account file read, in bytes (4 MiB): a larger one is refused before it is parsed.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// The deepest nesting of lists and maps a file may have (the format itself needs 4), checked
/// while parsing, so that a file of 100,000 `[` stops at the 17th.
pub const MAX_DEPTH: usize = 16;

/// The most values (scalars, lists and maps, aliases counted as what they stand for) a file
/// may hold.
pub const MAX_NODES: usize = 100_000;

/// How many times the file's size its scalars may add up to once aliases are expanded (with
/// [`MIN_SCALAR_BYTES`] for a small file), so that an alias repeated a thousand times cannot
/// turn one megabyte into a gigabyte.
pub const ALIAS_EXPANSION: usize = 4;

/// The scalar bytes any file may expand to, however small it is.
pub const MIN_SCALAR_BYTES: usize = 64 * 1024;

/// The most times one item is read again after a problem in it was taken out.
const MAX_REPAIRS: usize = 64;

/// Reads and checks a file: its size, its syntax, its keys and types, its variables, unique
/// names, the spec's ranges and its documents. Every problem found is said at once, in the
/// file's order (see `problems`), each naming the file, the line and column, and the path
/// inside it; a file that cannot be parsed at all says so on one line.
pub fn read(path: &Path) -> Result<Loaded, String> {
    let shown = text::file_name(path);
    let bytes = read_bounded(path).map_err(|e| format!("{shown}: {e}"))?;
    let text = as_text(&bytes, &shown)?;
    let dir = path.parent().map(Path::to_path_buf).filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| ".".into());
    let (file, documents) = check(text, &shown, &dir, &|name| std::env::var(name).ok())?;
    Ok(Loaded { file, documents, shown })
}

/// Checks a file's `text` (shown as `shown`, its documents under `dir`, its variables read
/// through `lookup`) as [`read`] does, and returns what it says with its variables replaced, and
/// its documents; or every problem found.
pub fn check(
    text: &str,
    shown: &str,
    dir: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(File, Vec<Vec<docs::Local>>), String> {
    let tree = tree(text, shown)?;
    let mut problems = Problems::default();
    let file = structure(&tree, text, &mut problems);
    spec::finite(&file, &mut problems);
    let file = substitute(file, lookup, &mut problems)?;
    let documents = spec::check(&file, dir, &mut problems);
    problems.into_result(shown, &tree)?;
    Ok((file, documents))
}

/// `file` with the `${VARIABLES}` of its strings replaced through `lookup` (the environment);
/// every one that is not set is a problem. It goes through JSON, whose paths are the file's
/// (`tools[0].url`), and back.
fn substitute(file: File, lookup: &dyn Fn(&str) -> Option<String>, problems: &mut Problems) -> Result<File, String> {
    let mut value = serde_json::to_value(&file).map_err(|e| e.to_string())?;
    let mut unset = Vec::new();
    vars::substitute(&mut value, "", lookup, &mut unset);
    for (path, message) in unset {
        problems.push(Problem::new(&path, message));
        // The text is not known, so what the later checks would say of it is not said.
        problems.broken(path);
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// The file's bytes as text: UTF-8, and not empty.
fn as_text<'a>(bytes: &'a [u8], shown: &str) -> Result<&'a str, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!("{shown}: is not UTF-8 text (at byte {}), so it is not an account file", e.valid_up_to())
    })?;
    if text.trim().is_empty() {
        return Err(format!("{shown}: is empty, but {HOLDS}"));
    }
    Ok(text)
}

/// What an account file holds, for messages.
const HOLDS: &str = "an account file holds `personas:`, `tools:`, `knowledgeGroups:` or `shareLinks:`";

/// The file's text parsed as a File, or every problem of its structure.
#[cfg(test)]
fn parse(bytes: &[u8], shown: &str) -> Result<File, String> {
    let text = as_text(bytes, shown)?;
    let tree = tree(text, shown)?;
    let mut problems = Problems::default();
    let file = structure(&tree, text, &mut problems);
    problems.into_result(shown, &tree)?;
    Ok(file)
}

/// The file's sections read from `tree` (parsed from `source`), each item into its kind's type
/// on its own: a problem of type or field is added to `problems`, what is wrong is taken out and
/// the item read again (see [`item`]), so that one problem does not hide the next.
fn structure(tree: &Node, source: &str, problems: &mut Problems) -> File {
    let mut file = File::default();
    let Value::Map(entries) = &tree.value else {
        if tree.value == Value::Null {
            problems.structure(Problem::new("", format!("holds no section, but {HOLDS}")));
        } else {
            let wrong = serde_json::Map::<String, serde_json::Value>::deserialize(NodeDeserializer::new(tree, source));
            let message = wrong.err().map_or_else(String::new, |e| e.message);
            problems.structure(Problem::new("", format!("the file {message}, as {HOLDS}")));
        }
        return file;
    };
    for entry in entries {
        let key = entry.key.as_str();
        match key {
            "knowledgeGroups" => file.knowledge_groups = section(entry, source, problems),
            "tools" => file.tools = section(entry, source, problems),
            "personas" => file.personas = section(entry, source, problems),
            "shareLinks" => file.share_links = section(entry, source, problems),
            _ => problems.structure(Problem::new(
                key,
                format!("{key}: unknown field `{key}`, expected one of knowledgeGroups, tools, personas, shareLinks"),
            )),
        }
    }
    file
}

/// A section's items (`None` when it is empty), each read on its own.
fn section<T: DeserializeOwned + Default>(entry: &Entry, source: &str, problems: &mut Problems) -> Option<Vec<T>> {
    let key = entry.key.as_str();
    match &entry.node.value {
        Value::Null => None,
        Value::List(items) => Some(
            items.iter().enumerate().map(|(i, node)| item(&format!("{key}[{i}]"), node, source, problems)).collect(),
        ),
        _ => {
            let wrong = Vec::<serde::de::IgnoredAny>::deserialize(NodeDeserializer::new(&entry.node, source));
            let message = wrong.err().map_or_else(String::new, |e| e.message);
            problems.structure(Problem::new(key, format!("{key} {message}")));
            None
        }
    }
}

/// One item (at `path`, `tools[2]`) read from `node`. Each problem is added to `problems` and
/// taken out of a copy of the node (an unknown or wrong field removed, a missing one added
/// empty), which is read again; the place of each problem is marked as not known (see
/// `problems`), and an item that cannot be read at all is the type's default, not known whole.
fn item<T: DeserializeOwned + Default>(path: &str, node: &Node, source: &str, problems: &mut Problems) -> T {
    let mut node = node.clone();
    for _ in 0..MAX_REPAIRS {
        let error = match serde_path_to_error::deserialize::<_, T>(NodeDeserializer::new(&node, source)) {
            Ok(item) => return item,
            Err(error) => error,
        };
        let inside = error.path().to_string();
        let at = match inside.as_str() {
            "." | "" => path.to_owned(),
            index if index.starts_with('[') => format!("{path}{index}"),
            field => format!("{path}.{field}"),
        };
        let (segments, error) = (error.path().iter().cloned().collect::<Vec<_>>(), error.into_inner());
        let message = if error.follows_the_path() {
            format!("{at} {}", error.message)
        } else {
            format!("{at}: {}", error.message)
        };
        problems.structure(Problem::new(&at, message));
        // What the later checks would say of what was taken out or added empty is not said.
        problems.broken(at);
        if !repair(&mut node, &segments, error.missing.as_deref()) {
            break;
        }
    }
    problems.broken(path.to_owned());
    T::default()
}

/// Takes a problem out of `node`: adds the `missing` field (empty) to the map at `segments`,
/// else removes the last map key of `segments` (the field whose value is wrong, or unknown).
/// Returns whether it could.
fn repair(node: &mut Node, segments: &[Segment], missing: Option<&str>) -> bool {
    if let Some(field) = missing {
        let Some(map) = descend(node, segments) else { return false };
        let at = map.at;
        let Some(entries) = map.entries_mut() else { return false };
        entries.push(Entry { key: field.to_owned(), at, node: Node::text(at, "") });
        return true;
    }
    let Some(last) = segments.iter().rposition(|s| matches!(s, Segment::Map { .. })) else { return false };
    let Segment::Map { key } = &segments[last] else { return false };
    match descend(node, &segments[..last]).and_then(Node::entries_mut) {
        Some(entries) => {
            let before = entries.len();
            entries.retain(|e| &e.key != key);
            entries.len() < before
        }
        None => false,
    }
}

/// The node at `segments` below `node`, to change.
fn descend<'a>(node: &'a mut Node, segments: &[Segment]) -> Option<&'a mut Node> {
    let mut node = node;
    for segment in segments {
        node = match (&mut node.value, segment) {
            (Value::Map(entries), Segment::Map { key }) => &mut entries.iter_mut().find(|e| &e.key == key)?.node,
            (Value::List(items), Segment::Seq { index }) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The file's bytes, at most [`MAX_FILE_BYTES`] of them. The size is not taken from the file's
/// metadata alone: a pipe or `/dev/zero` has none, so at most one byte over the limit is read.
/// The file is opened without waiting for a writer, so a FIFO nobody writes to reads as empty
/// instead of hanging.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = open_without_waiting(path).map_err(|e| format!("cannot read: {e}"))?;
    let metadata = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if metadata.is_dir() {
        return Err("is a directory, not an account file".into());
    }
    let too_large = || format!("is larger than {} MiB, the limit of an account file", MAX_FILE_BYTES >> 20);
    if metadata.is_file() && metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// `path` opened for reading without waiting for a FIFO's writer (`O_NONBLOCK`), then made
/// blocking again, since a pipe's writer may be slow: only the open must not wait.
#[cfg(unix)]
pub(crate) fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().read(true).custom_flags(OFlag::O_NONBLOCK.bits()).open(path)?;
    let flags = OFlag::from_bits_truncate(fcntl(&file, FcntlArg::F_GETFL)?);
    fcntl(&file, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))?;
    Ok(file)
}

/// `path` opened for reading (FIFOs are a Unix matter).
#[cfg(not(unix))]
pub(crate) fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// The file's text as a tree of [`Node`]s, within the limits above. serde-saphyr counts depth,
/// values and scalar bytes (aliases expanded) on the event stream, before values are built. A
/// file that cannot be parsed is one problem, on one line, at the line and column where the
/// parser stopped.
fn tree(text: &str, shown: &str) -> Result<Node, String> {
    serde_saphyr::from_str_with_options(text, options(text.len())).map_err(|error| {
        // `file:line:column:` first, as compilers write it, so that a long message cut to one
        // line keeps it.
        let place = error.location().filter(|l| l.line() > 0);
        let place = place.map(|l| format!(":{}:{}", l.line(), l.column())).unwrap_or_default();
        format!("{shown}{place}: {}", describe(&error))
    })
}

/// serde-saphyr's options for a file of `len` bytes: the limits above, one document, and
/// errors without a snippet of the file (a message is one line).
fn options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = (ALIAS_EXPANSION * len).max(MIN_SCALAR_BYTES);
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    aliases.max_total_replayed_events = MAX_NODES;
    aliases.max_replay_stack_depth = MAX_DEPTH;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits = aliases;
    options.with_snippet = false;
    // `.nan` and `.inf` read as text into the tree, then as numbers into a number's field
    // (`spec::finite` refuses them there), as serde-saphyr reads them into a typed field.
    options.reject_non_finite_typeless_float = false;
    options
}

/// A YAML error in the file's terms: the limits this module sets by their names, the rest as
/// serde-saphyr words them for users (without the location, which [`parse`] adds).
fn describe(error: &serde_saphyr::Error) -> String {
    use serde_saphyr::budget::BudgetBreach;
    match error {
        serde_saphyr::Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => format!("nests lists and maps deeper than {MAX_DEPTH} levels"),
            BudgetBreach::Nodes { .. } => format!("holds more than {MAX_NODES} values (aliases expanded)"),
            BudgetBreach::ScalarBytes { .. } => format!(
                "its values add up to more than {ALIAS_EXPANSION} times the file's size once aliases are expanded"
            ),
            other => format!("is too large or too complex for an account file ({other:?})"),
        },
        serde_saphyr::Error::AliasReplayLimitExceeded { .. } => {
            format!("its aliases stand for more than {MAX_NODES} values")
        }
        serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => {
            format!("nests aliases deeper than {MAX_DEPTH} levels")
        }
        // The scanner's own bound on `[` and `{` (flow_nesting_limit), met before the budget's.
        serde_saphyr::Error::ExternalMessage { source, .. }
            if matches!(&**source, serde_saphyr::ExternalMessageSource::Parser(scan)
                if matches!(scan.kind(), serde_saphyr::granit_parser::ErrorKind::RecursionLimitExceeded)) =>
        {
            format!("nests lists and maps deeper than {MAX_DEPTH} levels")
        }
        other => {
            serde_saphyr::MessageFormatter::format_message(&serde_saphyr::UserMessageFormatter, other).into_owned()
        }
    }
}

/// The file's YAML, as `export` writes it and [`read`] reads it back.
pub fn to_yaml(file: &File) -> Result<String, String> {
    serde_saphyr::to_string(file).map_err(|e| format!("cannot write the file as YAML: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::PersonaSpec;

    fn read_text(text: &str) -> Result<File, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("personas.yaml");
        std::fs::write(&path, text).unwrap();
        read(&path).map(|l| l.file).map_err(|e| e.replace(&path.display().to_string(), "personas.yaml"))
    }

    #[test]
    fn errors_name_the_file_the_place_the_path_and_the_range() {
        let err = read_text("personas:\n  - name: a\n  - name: b\n    voiceDetection: {endOfSpeechSensitivity: 1.5}\n");
        assert_eq!(
            err.unwrap_err(),
            "personas.yaml:4:22: personas[1].voiceDetection.endOfSpeechSensitivity is 1.5, but must be between 0 and 1"
        );
        let err = read_text("personas:\n  - name: a\n    colour: red\n").unwrap_err();
        assert!(
            err.starts_with("personas.yaml:3:5: personas[0].colour: unknown field `colour`, expected one of name"),
            "{err}"
        );
        let err =
            read_text("personas:\n  - name: a\n    voiceDetection: {speechEnhancementLevel: high}\n").unwrap_err();
        assert_eq!(
            err,
            "personas.yaml:3:22: personas[0].voiceDetection.speechEnhancementLevel is \"high\", but must be a number"
        );
        let err = read_text("personas:\n  - name: a\n  - name: a\n").unwrap_err();
        assert!(err.contains("personas[1].name") && err.contains("names must be unique"), "{err}");
        let err = read_text("personas:\n  - name: a\n    voiceGeneration: {engine: elevenlabs-v1, speed: 1.3}\n")
            .unwrap_err();
        assert!(
            err.contains("voiceGeneration.speed is 1.3, but must be between 0.7 and 1.2 for ElevenLabs v1 voices"),
            "{err}"
        );
        let err = read_text("personas:\n  - name: a\n    voiceGeneration: {engine: acme}\n").unwrap_err();
        assert!(err.contains("voiceGeneration.engine is \"acme\", but must be one of elevenlabs-v1"), "{err}");
        assert_eq!(read_text("personas: [").unwrap_err(), "personas.yaml:1:11: unclosed bracket '['");
        let err = read_text(" \n").unwrap_err();
        assert!(err.starts_with("personas.yaml: is empty, but an account file holds `personas:`"), "{err}");
        let err = read_text("# nothing but a comment\n").unwrap_err();
        assert!(err.starts_with("personas.yaml:2:1: holds no section, but an account file holds"), "{err}");
        let err = read_text("- a\n").unwrap_err();
        assert_eq!(
            err,
            "personas.yaml:1:1: the file is a list, but must be a map (key: value lines), as an account file holds \
             `personas:`, `tools:`, `knowledgeGroups:` or `shareLinks:`"
        );
    }

    #[test]
    fn every_problem_is_said_at_once_in_the_files_order() {
        let text = "\
shareLinks:
  - persona: Front desk
    usageLimit: fifty
personas:
  - name: Front desk
    systemPrompt: Hello ${WHO}
    voiceGeneration: {engine: cartesia, speed: fast}
    tools: crm_lookup
    colour: red
  - name: Night shift
    voiceDetection: {endOfSpeechSensitivity: 1.5, silenceBeforeSkipTurnSeconds: -1}
    description: ${WHAT}
  - description: no name
";
        let err = read_text(text).unwrap_err();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            [
                "personas.yaml:3:5: shareLinks[0].usageLimit is \"fifty\", but must be a whole number",
                "personas.yaml:6:5: personas[0].systemPrompt: ${WHO} is not set: set the environment variable WHO",
                "personas.yaml:7:41: personas[0].voiceGeneration.speed is \"fast\", but must be a number",
                "personas.yaml:8:5: personas[0].tools is \"crm_lookup\", but must be a list (write [crm_lookup])",
                "personas.yaml:9:5: personas[0].colour: unknown field `colour`, expected one of name, description, \
                 avatar, avatarModel, voice, llm, systemPrompt, skipGreeting, uninterruptibleGreeting, initialMessage, \
                 zeroDataRetention, languageCode, voiceDetection, voiceGeneration, tools",
                "personas.yaml:11:22: personas[1].voiceDetection.endOfSpeechSensitivity is 1.5, but must be between 0 and 1",
                "personas.yaml:11:51: personas[1].voiceDetection.silenceBeforeSkipTurnSeconds is -1, but must be between 0 and 900",
                "personas.yaml:12:5: personas[1].description: ${WHAT} is not set: set the environment variable WHAT",
                "personas.yaml:13:5: personas[2]: missing field `name`",
            ]
        );
        let many: String = (0..30).map(|i| format!("  - name: p{i}\n    skipGreeting: maybe\n")).collect();
        let err = read_text(&format!("personas:\n{many}")).unwrap_err();
        assert_eq!(err.lines().count(), crate::problems::MAX_SHOWN + 1);
        assert!(err.ends_with("\npersonas.yaml: 10 more problem(s) not shown; fix these first"), "{err}");
    }

    #[test]
    fn variables_are_read_and_numbers_must_be_finite() {
        let text = "tools:\n  - {name: t, type: webhook, description: d, url: '${URL}/x', method: GET}\n";
        let env = |name: &str| (name == "URL").then(|| "https://h.example.com".to_owned());
        let (read, _) = check(text, "f", Path::new("."), &env).unwrap();
        assert_eq!(read.tools()[0].url.as_deref(), Some("https://h.example.com/x"));
        let unset = check(text, "f", Path::new("."), &|_| None).unwrap_err();
        assert_eq!(
            unset, "f:2:46: tools[0].url: ${URL} is not set: set the environment variable URL",
            "the URL's check is not said"
        );
        let nan = "personas:\n  - name: a\n    voiceDetection: {endOfSpeechSensitivity: .nan}\n";
        assert_eq!(
            check(nan, "f", Path::new("."), &|_| None).unwrap_err(),
            "f:3:22: personas[0].voiceDetection.endOfSpeechSensitivity is NaN, but must be a finite number"
        );
    }

    #[test]
    fn the_limits_hold_while_parsing() {
        let deep = format!("personas: [{{name: a, tools: {}", "[".repeat(100_000));
        assert_eq!(parse(deep.as_bytes(), "f").unwrap_err(), "f:1:43: nests lists and maps deeper than 16 levels");
        let deep_maps = "{a: ".repeat(100_000);
        let err = parse(deep_maps.as_bytes(), "f").unwrap_err();
        assert!(err.starts_with("f:1:") && err.ends_with(": nests lists and maps deeper than 16 levels"), "{err}");
        let block = format!("personas:\n  - name: a\n    tools:\n      {}x\n", "- ".repeat(100_000));
        assert_eq!(parse(block.as_bytes(), "f").unwrap_err(), "f:4:33: nests lists and maps deeper than 16 levels");
        let big = "x".repeat(100_000);
        let bomb =
            format!("personas:\n  - name: a\n    description: &s {big}\n    tools: [{}]\n", ["*s"; 10].join(", "));
        assert_eq!(
            parse(bomb.as_bytes(), "f").unwrap_err(),
            "f:3:21: its values add up to more than 4 times the file's size once aliases are expanded"
        );
        let fine = format!("personas:\n  - name: a\n    description: &s {big}\n    tools: [*s, *s]\n");
        assert_eq!(parse(fine.as_bytes(), "f").unwrap().personas()[0].tools.as_ref().map(Vec::len), Some(2));
        let many = format!("personas:\n  - name: a\n    tools: [{}]\n", vec!["t"; 200_000].join(","));
        assert!(parse(many.as_bytes(), "f").unwrap_err().contains("holds more than 100000 values"));
        let err = parse(b"personas:\n  - name: \xff\n", "f").unwrap_err();
        assert_eq!(err, "f: is not UTF-8 text (at byte 20), so it is not an account file");
    }

    #[test]
    fn a_good_file_reads_and_writes_back_the_same() {
        let text = "personas:\n- name: Front desk\n  avatar: Cara\n  voiceDetection:\n    endOfSpeechSensitivity: 0.6\n  tools:\n  - open_calendar\n";
        let file = read_text(text).unwrap();
        assert_eq!(file.personas()[0].voice_detection.as_ref().unwrap().end_of_speech_sensitivity, Some(0.6));
        assert_eq!(to_yaml(&file).unwrap(), text);
        let tricky = [
            "",
            " lead",
            "null",
            "~",
            "123",
            "yes",
            "a: b",
            "# c",
            "- x",
            "multi\nline\n",
            "esc\u{1b}[31m",
            "cr\r",
            "quote\"'",
            "*alias",
            "\u{2028}",
            "日本",
        ];
        let personas = tricky.iter().enumerate().map(|(i, t)| PersonaSpec {
            name: format!("p{i}{t}"),
            system_prompt: Some(vars::escape(t)),
            tools: Some(vec![(*t).to_owned()]),
            ..PersonaSpec::default()
        });
        let file = File { personas: Some(personas.collect()), ..File::default() };
        assert_eq!(
            parse(to_yaml(&file).unwrap().as_bytes(), "f").unwrap(),
            file,
            "what export writes reads back the same"
        );
    }
}
