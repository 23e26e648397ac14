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

use std::cell::RefCell;
use std::io::Read;
use std::path::Path;

pub use crate::spec::File;
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

/// The largest personas file read, in bytes (4 MiB): a larger one is refused before it is parsed.
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

/// Reads and checks a file: its size, its syntax, its keys, its variables, unique names, the
/// spec's ranges and its documents. Every error names the file and the path inside it.
pub fn read(path: &Path) -> Result<Loaded, String> {
    let shown = text::file_name(path);
    let bytes = read_bounded(path).map_err(|e| format!("{shown}: {e}"))?;
    let dir = path.parent().map(Path::to_path_buf).filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| ".".into());
    let (file, documents) = checked(&bytes, &shown, &dir, &|name| std::env::var(name).ok())?;
    Ok(Loaded { file, documents, shown })
}

/// Checks a file's `text` (shown as `shown`, its documents under `dir`, its variables read
/// through `lookup`) as [`read`] does, and returns what it says with its variables replaced, and
/// its documents (for `anam mcp`, whose files come as text and read no variable).
pub fn check(
    text: &str,
    shown: &str,
    dir: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(File, Vec<Vec<docs::Local>>), String> {
    checked(text.as_bytes(), shown, dir, lookup)
}

/// A file's bytes parsed and checked: syntax, keys, finite numbers, variables, then the
/// checks of `spec::check` with its documents read under `dir`.
fn checked(
    bytes: &[u8],
    shown: &str,
    dir: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(File, Vec<Vec<docs::Local>>), String> {
    let file = parse(bytes, shown)?;
    spec::finite(&file, shown)?;
    let file = substitute(file, shown, lookup)?;
    let documents = spec::check(&file, dir, shown)?;
    Ok((file, documents))
}

/// `file` with the `${VARIABLES}` of its strings replaced through `lookup` (the environment).
/// It goes through JSON, whose paths are the file's (`tools[0].url`), and back.
fn substitute(file: File, shown: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<File, String> {
    let mut value = serde_json::to_value(&file).map_err(|e| format!("{shown}: {e}"))?;
    vars::substitute(&mut value, "", lookup).map_err(|e| format!("{shown}: {e}"))?;
    serde_json::from_value(value).map_err(|e| format!("{shown}: {e}"))
}

/// The file's bytes, at most [`MAX_FILE_BYTES`] of them. The size is not taken from the file's
/// metadata alone: a pipe or `/dev/zero` has none, so at most one byte over the limit is read.
/// The file is opened without waiting for a writer, so a FIFO nobody writes to reads as empty
/// instead of hanging.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = open_without_waiting(path).map_err(|e| format!("cannot read: {e}"))?;
    let metadata = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if metadata.is_dir() {
        return Err("is a directory, not a personas file".into());
    }
    let too_large = || format!("is larger than {} MiB, the limit of a personas file", MAX_FILE_BYTES >> 20);
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
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().read(true).custom_flags(OFlag::O_NONBLOCK.bits()).open(path)?;
    let flags = OFlag::from_bits_truncate(fcntl(&file, FcntlArg::F_GETFL)?);
    fcntl(&file, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))?;
    Ok(file)
}

/// `path` opened for reading (FIFOs are a Unix matter).
#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// The file's text as a [`File`], within the limits above. serde-saphyr counts depth, values
/// and scalar bytes (aliases expanded) on the event stream, before values are built;
/// serde_path_to_error names the path of a bad value (`personas[0].voiceDetection.…`), which
/// serde-saphyr's own errors do not (they give the line and column, shown after it).
fn parse(bytes: &[u8], shown: &str) -> Result<File, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!("{shown}: is not UTF-8 text (at byte {}), so it is not a personas file", e.valid_up_to())
    })?;
    if text.trim().is_empty() {
        return Err(format!(
            "{shown}: is empty, but a personas file holds `personas:`, `tools:`, `knowledgeGroups:` or `shareLinks:`"
        ));
    }
    let path = RefCell::new(String::new());
    let read = serde_saphyr::with_deserializer_from_str_with_options(text, options(text.len()), |yaml| {
        serde_path_to_error::deserialize(yaml).map_err(|e| {
            *path.borrow_mut() = e.path().to_string();
            e.into_inner()
        })
    });
    read.map_err(|error| {
        let path = path.into_inner();
        let message = describe(&error);
        // `file:line:column:` first, as compilers write it, so that a long message cut to one
        // line keeps it.
        let place = error.location().filter(|l| l.line() > 0);
        let place = place.map(|l| format!(":{}:{}", l.line(), l.column())).unwrap_or_default();
        // serde_path_to_error writes `?` for a key it could not read, and `.` for the top.
        match path.trim_end_matches(".?") {
            "" | "." | "?" => format!("{shown}{place}: {message}"),
            path => format!("{shown}{place}: {path}: {message}"),
        }
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
            other => format!("is too large or too complex for a personas file ({other:?})"),
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
    fn errors_name_the_file_the_path_and_the_range() {
        let err = read_text("personas:\n  - name: a\n  - name: b\n    voiceDetection: {endOfSpeechSensitivity: 1.5}\n");
        assert_eq!(
            err.unwrap_err(),
            "personas.yaml: personas[1].voiceDetection.endOfSpeechSensitivity is 1.5, but must be between 0 and 1"
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
            "personas.yaml:3:46: personas[0].voiceDetection.speechEnhancementLevel: invalid floating point"
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
        assert_eq!(read_text("personas: [").unwrap_err(), "personas.yaml:1:11: personas: unclosed bracket '['");
        let err = read_text(" \n").unwrap_err();
        assert!(err.starts_with("personas.yaml: is empty, but a personas file holds `personas:`"), "{err}");
    }

    #[test]
    fn variables_are_read_and_numbers_must_be_finite() {
        let file = parse(b"tools:\n  - {name: t, type: webhook, description: d, url: '${URL}/x', method: GET}\n", "f")
            .unwrap();
        let env = |name: &str| (name == "URL").then(|| "https://h.example.com".to_owned());
        let read = substitute(file.clone(), "f", &env).unwrap();
        assert_eq!(read.tools()[0].url.as_deref(), Some("https://h.example.com/x"));
        let unset = substitute(file, "f", &|_| None).unwrap_err();
        assert_eq!(unset, "f: tools[0].url: ${URL} is not set: set the environment variable URL");
        let nan = parse(b"personas:\n  - name: a\n    voiceDetection: {endOfSpeechSensitivity: .nan}\n", "f").unwrap();
        assert_eq!(
            spec::finite(&nan, "f").unwrap_err(),
            "f: personas[0].voiceDetection.endOfSpeechSensitivity is NaN, but must be a finite number"
        );
    }

    #[test]
    fn the_limits_hold_while_parsing() {
        let deep = format!("personas: [{{name: a, tools: {}", "[".repeat(100_000));
        assert_eq!(
            parse(deep.as_bytes(), "f").unwrap_err(),
            "f:1:43: personas: nests lists and maps deeper than 16 levels"
        );
        let deep_maps = "{a: ".repeat(100_000);
        let err = parse(deep_maps.as_bytes(), "f").unwrap_err();
        assert!(err.starts_with("f:1:") && err.ends_with(": nests lists and maps deeper than 16 levels"), "{err}");
        let block = format!("personas:\n  - name: a\n    tools:\n      {}x\n", "- ".repeat(100_000));
        assert_eq!(parse(block.as_bytes(), "f").unwrap_err(), "f:4:9: personas[0].tools[0]: expected string scalar");
        let big = "x".repeat(100_000);
        let bomb =
            format!("personas:\n  - name: a\n    description: &s {big}\n    tools: [{}]\n", ["*s"; 10].join(", "));
        assert_eq!(
            parse(bomb.as_bytes(), "f").unwrap_err(),
            "f:3:21: personas[0].tools: its values add up to more than 4 times the file's size once aliases are expanded"
        );
        let fine = format!("personas:\n  - name: a\n    description: &s {big}\n    tools: [*s, *s]\n");
        assert_eq!(parse(fine.as_bytes(), "f").unwrap().personas()[0].tools.as_ref().map(Vec::len), Some(2));
        let many = format!("personas:\n  - name: a\n    tools: [{}]\n", vec!["t"; 200_000].join(","));
        assert!(parse(many.as_bytes(), "f").unwrap_err().contains("holds more than 100000 values"));
        let err = parse(b"personas:\n  - name: \xff\n", "f").unwrap_err();
        assert_eq!(err, "f: is not UTF-8 text (at byte 20), so it is not a personas file");
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
