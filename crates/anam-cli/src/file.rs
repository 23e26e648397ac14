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

/// Reads and checks a personas file: its syntax, its keys, unique names and the spec's ranges.
/// Every error names the file and the path inside it.
pub fn read(path: &Path) -> Result<File, String> {
    let shown = text::file_name(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    // serde_norway's errors name the path inside the file (`personas[0].voiceDetection: ...`).
    let file: File = serde_norway::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
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
    let field = error.field.replacen("voiceDetectionOptions.", "voiceDetection.", 1).replacen(
        "voiceGenerationOptions.",
        "voiceGeneration.",
        1,
    );
    let field = match field.as_str() {
        "avatarId" => "avatar".to_owned(),
        "voiceId" => "voice".to_owned(),
        "llmId" => "llm".to_owned(),
        "toolIds" => "tools".to_owned(),
        _ => field,
    };
    format!("{field} is {}, but must be {}", text::shorten(&error.value), error.expected)
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
        assert!(err.starts_with("personas.yaml: personas[0]: unknown field `colour`"), "{err}");
        let err =
            read_text("personas:\n  - name: a\n    voiceDetection: {speechEnhancementLevel: high}\n").unwrap_err();
        assert!(
            err.starts_with("personas.yaml: personas[0].voiceDetection.speechEnhancementLevel: invalid type"),
            "{err}"
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
        assert!(read_text("personas: [").unwrap_err().starts_with("personas.yaml: "));
    }

    #[test]
    fn a_good_file_reads_and_writes_back_the_same() {
        let text = "personas:\n- name: Front desk\n  avatar: Cara\n  voiceDetection:\n    endOfSpeechSensitivity: 0.6\n  tools:\n  - open_calendar\n";
        let file = read_text(text).unwrap();
        assert_eq!(file.personas[0].voice_detection.as_ref().unwrap().end_of_speech_sensitivity, Some(0.6));
        assert_eq!(serde_norway::to_string(&file).unwrap(), text);
    }
}
