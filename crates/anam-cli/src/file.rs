//! The personas file: personas by name, with their settings, as people write and review them.
//!
//! ```yaml
//! personas:
//!   - name: Front desk            # the key: a persona is found by its name
//!     avatar: Cara                # an avatar's id or display name
//!     voice: Cara                 # a voice's id or display name
//!     llm: GPT-4o-mini            # an LLM's id or display name, or CUSTOMER_CLIENT_V1
//!     systemPrompt: You greet visitors.
//!     voiceDetection: {endOfSpeechSensitivity: 0.6}
//!     voiceGeneration: {engine: cartesia, speed: 1.1}
//!     tools: [open_calendar]      # tools' ids or names
//! ```
//!
//! Only the fields a persona sets are managed; the others are left as they are on the server.
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

use anam::{ValidationError, VoiceDetection, VoiceEngine, VoiceGeneration};
use serde::{Deserialize, Serialize};

use crate::text;

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// The personas, each by its name.
    pub personas: Vec<PersonaSpec>,
}

/// One persona as the file describes it. `None` (or an empty list for nothing but `tools`)
/// means "not managed".
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersonaSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_greeting: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninterruptible_greeting: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_data_retention: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_detection: Option<Detection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_generation: Option<Generation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
}

/// `voiceDetection`: the fields of the API's `voiceDetectionOptions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Detection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_speech_sensitivity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_before_skip_turn_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_before_session_end_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_before_auto_end_turn_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech_enhancement_level: Option<f64>,
}

/// `voiceGeneration`: the provider (`engine`) and the fields of `voiceGenerationOptions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Generation {
    /// `elevenlabs-v1`, `elevenlabs-v2`, `cartesia` or `fish-audio`.
    pub engine: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity_boost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_speaker_boost: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emotion: Option<String>,
}

/// The engines, by the name the file uses.
pub const ENGINES: [(&str, VoiceEngine); 4] = [
    ("elevenlabs-v1", VoiceEngine::ElevenLabsV1),
    ("elevenlabs-v2", VoiceEngine::ElevenLabsV2),
    ("cartesia", VoiceEngine::Cartesia),
    ("fish-audio", VoiceEngine::FishAudio),
];

impl Detection {
    /// The SDK's builder for these settings.
    pub fn builder(&self) -> VoiceDetection {
        let mut options = VoiceDetection::new();
        if let Some(v) = self.end_of_speech_sensitivity {
            options = options.end_of_speech_sensitivity(v);
        }
        if let Some(v) = self.silence_before_skip_turn_seconds {
            options = options.silence_before_skip_turn_seconds(v);
        }
        if let Some(v) = self.silence_before_session_end_seconds {
            options = options.silence_before_session_end_seconds(v);
        }
        if let Some(v) = self.silence_before_auto_end_turn_seconds {
            options = options.silence_before_auto_end_turn_seconds(v);
        }
        if let Some(v) = self.speech_enhancement_level {
            options = options.speech_enhancement_level(v);
        }
        options
    }
}

impl Generation {
    /// The SDK's builder for these settings, or the error of an unknown engine.
    pub fn builder(&self) -> Result<VoiceGeneration, String> {
        let Some((_, engine)) = ENGINES.iter().find(|(name, _)| *name == self.engine) else {
            let names: Vec<&str> = ENGINES.iter().map(|(name, _)| *name).collect();
            return Err(format!(
                "voiceGeneration.engine is {:?}, but must be one of {}",
                self.engine,
                names.join(", ")
            ));
        };
        let mut options = VoiceGeneration::for_engine(*engine);
        if let Some(v) = self.stability {
            options = options.stability(v);
        }
        if let Some(v) = self.similarity_boost {
            options = options.similarity_boost(v);
        }
        if let Some(v) = self.speed {
            options = options.speed(v);
        }
        if let Some(v) = self.style {
            options = options.style(v);
        }
        if let Some(v) = self.use_speaker_boost {
            options = options.use_speaker_boost(v);
        }
        if let Some(v) = &self.model {
            options = options.model(v.clone());
        }
        if let Some(v) = self.volume {
            options = options.volume(v);
        }
        if let Some(v) = &self.emotion {
            options = options.emotion(v.as_str());
        }
        Ok(options)
    }
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

/// Reads and checks a personas file: its size, its syntax, its keys, unique names and the
/// spec's ranges. Every error names the file and the path inside it.
pub fn read(path: &Path) -> Result<File, String> {
    let shown = text::file_name(path);
    let bytes = read_bounded(path).map_err(|e| format!("{shown}: {e}"))?;
    let file = parse(&bytes, &shown)?;
    for (i, persona) in file.personas.iter().enumerate() {
        let at = |field: &str| format!("{shown}: personas[{i}].{field}");
        if persona.name.trim().is_empty() {
            return Err(format!("{} is empty, but a persona needs a name", at("name")));
        }
        if let Some(j) = file.personas[..i].iter().position(|p| p.name == persona.name) {
            return Err(format!(
                "{} {:?} is also the name of personas[{j}]; names must be unique",
                at("name"),
                persona.name
            ));
        }
        check(persona).map_err(|e| at(&e))?;
    }
    Ok(file)
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
        return Err(format!("{shown}: is empty, but a personas file starts with `personas:`"));
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
    serde_saphyr::to_string(file).map_err(|e| format!("cannot write the personas as YAML: {e}"))
}

/// Checks one persona's settings with the SDK's builders (the spec's ranges and the provider's).
fn check(persona: &PersonaSpec) -> Result<(), String> {
    let mut request = anam::UpdatePersona::new();
    if let Some(detection) = &persona.voice_detection {
        request = request.voice_detection(detection.builder());
    }
    if let Some(generation) = &persona.voice_generation {
        request = request.voice_generation(generation.builder()?);
    }
    if let Some(code) = &persona.language_code {
        request = request.language_code(code.clone());
    }
    request.build().map(drop).map_err(|e| in_file_terms(&e))
}

/// A validation error of the SDK with the field named as the file names it.
pub fn in_file_terms(error: &ValidationError) -> String {
    let field = file_field(&error.field);
    format!("{field} is {}, but must be {}", text::shorten(&error.value), error.expected)
}

/// A field as the API names it (`voiceDetectionOptions.speed`, `avatarId`, `toolIds[1]`), as
/// the file names it (`voiceDetection.speed`, `avatar`, `tools[1]`).
pub fn file_field(wire: &str) -> String {
    let field = wire.replacen("voiceDetectionOptions.", "voiceDetection.", 1).replacen(
        "voiceGenerationOptions.",
        "voiceGeneration.",
        1,
    );
    if let Some(index) = field.strip_prefix("toolIds") {
        return format!("tools{index}");
    }
    match field.as_str() {
        "avatarId" => "avatar".to_owned(),
        "voiceId" => "voice".to_owned(),
        "llmId" => "llm".to_owned(),
        "brain.systemPrompt" => "systemPrompt".to_owned(),
        "voiceDetectionOptions" => "voiceDetection".to_owned(),
        "voiceGenerationOptions" => "voiceGeneration".to_owned(),
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<File, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("personas.yaml");
        std::fs::write(&path, text).unwrap();
        read(&path).map_err(|e| e.replace(&path.display().to_string(), "personas.yaml"))
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
        assert_eq!(err, "personas.yaml: is empty, but a personas file starts with `personas:`");
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
        assert_eq!(parse(fine.as_bytes(), "f").unwrap().personas[0].tools.as_ref().map(Vec::len), Some(2));
        let many = format!("personas:\n  - name: a\n    tools: [{}]\n", vec!["t"; 200_000].join(","));
        assert!(parse(many.as_bytes(), "f").unwrap_err().contains("holds more than 100000 values"));
        let err = parse(b"personas:\n  - name: \xff\n", "f").unwrap_err();
        assert_eq!(err, "f: is not UTF-8 text (at byte 20), so it is not a personas file");
    }

    #[test]
    fn a_good_file_reads_and_writes_back_the_same() {
        let text = "personas:\n- name: Front desk\n  avatar: Cara\n  voiceDetection:\n    endOfSpeechSensitivity: 0.6\n  tools:\n  - open_calendar\n";
        let file = read_text(text).unwrap();
        assert_eq!(file.personas[0].voice_detection.as_ref().unwrap().end_of_speech_sensitivity, Some(0.6));
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
            system_prompt: Some((*t).to_owned()),
            tools: Some(vec![(*t).to_owned()]),
            ..PersonaSpec::default()
        });
        let file = File { personas: personas.collect() };
        assert_eq!(
            parse(to_yaml(&file).unwrap().as_bytes(), "f").unwrap(),
            file,
            "what export writes reads back the same"
        );
    }
}
