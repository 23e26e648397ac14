//! A persona as the file describes it (`personas:`), and its settings checked with the SDK's
//! builders (the spec's ranges and each voice provider's).

use anam::{ValidationError, VoiceDetection, VoiceEngine, VoiceGeneration};
use serde::{Deserialize, Serialize};

use crate::text;

/// One persona as the file describes it. `None` (or an empty list for nothing but `tools`)
/// means "not managed".
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersonaSpec {
    /// The key: a persona is found by its name.
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

impl PersonaSpec {
    /// Its numbers, each with its field as the file names it.
    pub fn numbers(&self) -> Vec<(String, f64)> {
        let mut numbers = Vec::new();
        if let Some(d) = &self.voice_detection {
            let fields = [
                ("endOfSpeechSensitivity", d.end_of_speech_sensitivity),
                ("silenceBeforeSkipTurnSeconds", d.silence_before_skip_turn_seconds),
                ("silenceBeforeSessionEndSeconds", d.silence_before_session_end_seconds),
                ("silenceBeforeAutoEndTurnSeconds", d.silence_before_auto_end_turn_seconds),
                ("speechEnhancementLevel", d.speech_enhancement_level),
            ];
            numbers.extend(fields.into_iter().filter_map(|(f, v)| Some((format!("voiceDetection.{f}"), v?))));
        }
        if let Some(g) = &self.voice_generation {
            let fields = [
                ("stability", g.stability),
                ("similarityBoost", g.similarity_boost),
                ("speed", g.speed),
                ("style", g.style),
                ("volume", g.volume),
            ];
            numbers.extend(fields.into_iter().filter_map(|(f, v)| Some((format!("voiceGeneration.{f}"), v?))));
        }
        numbers
    }
}

/// Checks one persona's settings with the SDK's builders (the spec's ranges and the
/// provider's), field by field, so that every field out of range is said: each problem starts
/// with the field as the file names it (`voiceDetection.endOfSpeechSensitivity is 1.5, ...`).
pub fn check(persona: &PersonaSpec) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(detection) = &persona.voice_detection {
        for one in each_field(detection, &[]) {
            let request = anam::UpdatePersona::new().voice_detection(one.builder());
            problems.extend(request.build().err().map(|e| in_file_terms(&e)));
        }
    }
    if let Some(generation) = &persona.voice_generation {
        match generation.builder() {
            Err(problem) => problems.push(problem),
            Ok(_) => {
                for one in each_field(generation, &["engine"]) {
                    let request = one.builder().map(|g| anam::UpdatePersona::new().voice_generation(g));
                    match request {
                        Ok(request) => problems.extend(request.build().err().map(|e| in_file_terms(&e))),
                        Err(problem) => problems.push(problem),
                    }
                }
            }
        }
    }
    if let Some(code) = &persona.language_code {
        let request = anam::UpdatePersona::new().language_code(code.clone());
        problems.extend(request.build().err().map(|e| in_file_terms(&e)));
    }
    problems
}

/// `settings` once per field it sets, each copy with only that field and the `kept` ones: the
/// SDK's checks of one field do not depend on the others (but the engine's).
fn each_field<T: Serialize + serde::de::DeserializeOwned>(settings: &T, kept: &[&str]) -> Vec<T> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(settings) else { return Vec::new() };
    let base: serde_json::Map<String, serde_json::Value> =
        fields.iter().filter(|(key, _)| kept.contains(&key.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    fields
        .iter()
        .filter(|(key, _)| !kept.contains(&key.as_str()))
        .filter_map(|(key, value)| {
            let mut one = base.clone();
            one.insert(key.clone(), value.clone());
            serde_json::from_value(serde_json::Value::Object(one)).ok()
        })
        .collect()
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
