//! Voice-detection and voice-generation settings, checked against the spec's ranges
//! (`anam_api::facts`, generated from the spec), never repeated here.

use anam_api::facts::{PROVIDER_FIELDS, check_create_persona, range_text, voice_generation_fields};
use anam_api::types::{CartesiaEmotion, PersonaCreate, VoiceDetectionOptions, VoiceGenerationOptions};

use crate::error::ValidationError;

/// How the persona detects the end of the user's turn and silence. Unset fields are left to the
/// server, whose defaults Anam does not document. Each setter's range is the spec's, shown on the
/// field of [`VoiceDetectionOptions`] it sets, and checked by [`VoiceDetection::validate`].
///
/// ```
/// let options = anam::VoiceDetection::new()
///     .end_of_speech_sensitivity(0.5)
///     .silence_before_session_end_seconds(0.0) // never end the session on silence
///     .build()
///     .unwrap();
/// assert_eq!(options.silence_before_session_end_seconds, Some(0.0));
///
/// let err = anam::VoiceDetection::new().silence_before_auto_end_turn_seconds(0.1).build().unwrap_err();
/// assert_eq!(err.field, "voiceDetectionOptions.silenceBeforeAutoEndTurnSeconds");
/// assert_eq!(err.expected, "between 0.5 and 10");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceDetection {
    options: VoiceDetectionOptions,
}

impl VoiceDetection {
    /// No setting: the server's defaults apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// [`VoiceDetectionOptions::end_of_speech_sensitivity`]: 0 waits until confident the user is
    /// done, 1 answers earlier.
    pub fn end_of_speech_sensitivity(mut self, value: f64) -> Self {
        self.options.end_of_speech_sensitivity = Some(value);
        self
    }

    /// [`VoiceDetectionOptions::silence_before_skip_turn_seconds`]: silence before the persona
    /// prompts the user; 0 disables it.
    pub fn silence_before_skip_turn_seconds(mut self, value: f64) -> Self {
        self.options.silence_before_skip_turn_seconds = Some(value);
        self
    }

    /// [`VoiceDetectionOptions::silence_before_session_end_seconds`]: silence before the session
    /// ends by itself; 0 disables it.
    pub fn silence_before_session_end_seconds(mut self, value: f64) -> Self {
        self.options.silence_before_session_end_seconds = Some(value);
        self
    }

    /// [`VoiceDetectionOptions::silence_before_auto_end_turn_seconds`]: pause after speech before
    /// the turn counts as complete.
    pub fn silence_before_auto_end_turn_seconds(mut self, value: f64) -> Self {
        self.options.silence_before_auto_end_turn_seconds = Some(value);
        self
    }

    /// [`VoiceDetectionOptions::speech_enhancement_level`]: noise reduction on the user's audio.
    pub fn speech_enhancement_level(mut self, value: f64) -> Self {
        self.options.speech_enhancement_level = Some(value);
        self
    }

    /// Checks every set field against the spec's range.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let body = PersonaCreate { voice_detection_options: Some(self.options.clone()), ..PersonaCreate::default() };
        check_create_persona(&body).map_err(ValidationError::from)
    }

    /// The checked wire form.
    pub fn build(self) -> Result<VoiceDetectionOptions, ValidationError> {
        self.validate()?;
        Ok(self.options)
    }

    /// The settings, unchecked (the body they go into is checked whole).
    pub(crate) fn into_options(self) -> VoiceDetectionOptions {
        self.options
    }
}

/// Which provider's settings a [`VoiceGeneration`] holds; the fields that apply, and some ranges,
/// differ between them (the spec's `x-anam-providers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VoiceEngine {
    /// ElevenLabs v1 voices: `stability`, `similarity_boost`, `speed`.
    ElevenLabsV1,
    /// ElevenLabs v2 voices: the v1 settings plus `style`, `use_speaker_boost` and `model`.
    ElevenLabsV2,
    /// Cartesia sonic-3 voices: `volume`, `speed`, `emotion`.
    Cartesia,
    /// Fish Audio voices: `volume`, `speed`.
    FishAudio,
}

impl VoiceEngine {
    const ALL: [VoiceEngine; 4] =
        [VoiceEngine::ElevenLabsV1, VoiceEngine::ElevenLabsV2, VoiceEngine::Cartesia, VoiceEngine::FishAudio];

    /// The provider's name for people.
    pub fn name(self) -> &'static str {
        match self {
            VoiceEngine::ElevenLabsV1 => "ElevenLabs v1",
            VoiceEngine::ElevenLabsV2 => "ElevenLabs v2",
            VoiceEngine::Cartesia => "Cartesia",
            VoiceEngine::FishAudio => "Fish Audio",
        }
    }

    /// The provider's key in the spec's `x-anam-providers`.
    fn key(self) -> &'static str {
        match self {
            VoiceEngine::ElevenLabsV1 => "elevenlabs-v1",
            VoiceEngine::ElevenLabsV2 => "elevenlabs-v2",
            VoiceEngine::Cartesia => "cartesia",
            VoiceEngine::FishAudio => "fish-audio",
        }
    }
}

/// Provider-specific voice settings. Pick the constructor for the persona's voice; the setters
/// of other providers are refused by [`VoiceGeneration::validate`]. Anam resets these settings
/// when a persona's voice changes.
///
/// ```
/// use anam::VoiceGeneration;
/// use anam::types::CartesiaEmotion;
///
/// let cartesia = VoiceGeneration::cartesia().speed(1.2).emotion(CartesiaEmotion::Calm).build().unwrap();
/// assert_eq!(cartesia.speed, Some(1.2));
///
/// // 1.3 is fine for Cartesia but out of range for ElevenLabs.
/// let err = VoiceGeneration::eleven_labs_v1().speed(1.3).build().unwrap_err();
/// assert_eq!(err.to_string(), "voiceGenerationOptions.speed is 1.3, but must be between 0.7 and 1.2 for ElevenLabs v1 voices");
///
/// let err = VoiceGeneration::eleven_labs_v1().style(0.5).build().unwrap_err();
/// assert_eq!(err.expected, "absent for ElevenLabs v1 voices (it applies to ElevenLabs v2)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceGeneration {
    engine: VoiceEngine,
    options: VoiceGenerationOptions,
}

impl VoiceGeneration {
    /// Settings for an ElevenLabs v1 voice.
    pub fn eleven_labs_v1() -> Self {
        Self::for_engine(VoiceEngine::ElevenLabsV1)
    }

    /// Settings for an ElevenLabs v2 voice.
    pub fn eleven_labs_v2() -> Self {
        Self::for_engine(VoiceEngine::ElevenLabsV2)
    }

    /// Settings for a Cartesia sonic-3 voice.
    pub fn cartesia() -> Self {
        Self::for_engine(VoiceEngine::Cartesia)
    }

    /// Settings for a Fish Audio voice.
    pub fn fish_audio() -> Self {
        Self::for_engine(VoiceEngine::FishAudio)
    }

    /// Settings for the given provider.
    pub fn for_engine(engine: VoiceEngine) -> Self {
        VoiceGeneration { engine, options: VoiceGenerationOptions::default() }
    }

    /// The provider these settings are for.
    pub fn engine(&self) -> VoiceEngine {
        self.engine
    }

    /// [`VoiceGenerationOptions::stability`] (ElevenLabs).
    pub fn stability(mut self, value: f64) -> Self {
        self.options.stability = Some(value);
        self
    }

    /// [`VoiceGenerationOptions::similarity_boost`] (ElevenLabs).
    pub fn similarity_boost(mut self, value: f64) -> Self {
        self.options.similarity_boost = Some(value);
        self
    }

    /// [`VoiceGenerationOptions::speed`]; its range depends on the provider.
    pub fn speed(mut self, value: f64) -> Self {
        self.options.speed = Some(value);
        self
    }

    /// [`VoiceGenerationOptions::style`] (ElevenLabs v2).
    pub fn style(mut self, value: f64) -> Self {
        self.options.style = Some(value);
        self
    }

    /// [`VoiceGenerationOptions::use_speaker_boost`] (ElevenLabs v2).
    pub fn use_speaker_boost(mut self, value: bool) -> Self {
        self.options.use_speaker_boost = Some(value);
        self
    }

    /// [`VoiceGenerationOptions::model`] (ElevenLabs v2).
    pub fn model(mut self, value: impl Into<String>) -> Self {
        self.options.model = Some(value.into());
        self
    }

    /// [`VoiceGenerationOptions::volume`] (Cartesia and Fish Audio).
    pub fn volume(mut self, value: f64) -> Self {
        self.options.volume = Some(value);
        self
    }

    /// [`VoiceGenerationOptions::emotion`] (Cartesia).
    pub fn emotion(mut self, value: impl Into<CartesiaEmotion>) -> Self {
        self.options.emotion = Some(value.into());
        self
    }

    /// Checks that every set field applies to the provider and lies in the spec's range, and in
    /// the provider's own range where it has one.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let body = PersonaCreate { voice_generation_options: Some(self.options.clone()), ..PersonaCreate::default() };
        check_create_persona(&body).map_err(ValidationError::from)?;
        check_provider(self.engine, &self.options)
    }

    /// The checked wire form.
    pub fn build(self) -> Result<VoiceGenerationOptions, ValidationError> {
        self.validate()?;
        Ok(self.options)
    }

    /// The settings, unchecked (the body they go into is checked whole).
    pub(crate) fn into_options(self) -> VoiceGenerationOptions {
        self.options
    }
}

/// Checks `voiceGenerationOptions` against what the spec says of `engine`: every set field
/// applies to it, within its own range where it has one.
pub(crate) fn check_provider(engine: VoiceEngine, options: &VoiceGenerationOptions) -> Result<(), ValidationError> {
    for (field, _, value) in voice_generation_fields(options).into_iter().filter(|(_, set, _)| *set) {
        let wire = || format!("voiceGenerationOptions.{field}");
        let Some(rule) = PROVIDER_FIELDS.iter().find(|r| r.provider == engine.key() && r.field == field) else {
            return Err(not_for_engine(wire(), field, engine));
        };
        let Some(value) = value else { continue };
        let inside = rule.minimum.is_none_or(|min| value >= min) && rule.maximum.is_none_or(|max| value <= max);
        if !inside {
            let expected = format!("{} for {} voices", range_text(rule.minimum, rule.maximum), engine.name());
            return Err(ValidationError::new(wire(), value, expected));
        }
    }
    Ok(())
}

/// The error for a setting of another provider's voices.
fn not_for_engine(wire: String, field: &str, engine: VoiceEngine) -> ValidationError {
    let applies: Vec<&str> = VoiceEngine::ALL
        .into_iter()
        .filter(|other| PROVIDER_FIELDS.iter().any(|r| r.provider == other.key() && r.field == field))
        .map(VoiceEngine::name)
        .collect();
    let expected = format!("absent for {} voices (it applies to {})", engine.name(), applies.join(" and "));
    ValidationError::new(wire, "set", expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anam_api::Operation;
    use anam_api::facts::REQUEST_BOUNDS;

    #[test]
    fn every_voice_detection_bound_of_the_spec_is_checked_inclusively() {
        type Setter = fn(VoiceDetection, f64) -> VoiceDetection;
        let setters: [(&str, Setter); 5] = [
            ("endOfSpeechSensitivity", VoiceDetection::end_of_speech_sensitivity),
            ("silenceBeforeSkipTurnSeconds", VoiceDetection::silence_before_skip_turn_seconds),
            ("silenceBeforeSessionEndSeconds", VoiceDetection::silence_before_session_end_seconds),
            ("silenceBeforeAutoEndTurnSeconds", VoiceDetection::silence_before_auto_end_turn_seconds),
            ("speechEnhancementLevel", VoiceDetection::speech_enhancement_level),
        ];
        let spec: Vec<_> = REQUEST_BOUNDS
            .iter()
            .filter(|b| b.operation == Operation::CreatePersona && b.field.starts_with("voiceDetectionOptions."))
            .collect();
        assert_eq!(spec.len(), setters.len(), "a setter for every bounded field of the spec");
        for (name, set) in setters {
            let field = format!("voiceDetectionOptions.{name}");
            let bound = spec.iter().find(|b| b.field == field).expect("the spec bounds it");
            let (min, max) = (bound.minimum.unwrap(), bound.maximum.unwrap());
            assert!(set(VoiceDetection::new(), min).validate().is_ok(), "{name} min");
            assert!(set(VoiceDetection::new(), max).validate().is_ok(), "{name} max");
            for bad in [min - 0.01, max + 0.01, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let err = set(VoiceDetection::new(), bad).validate().unwrap_err();
                assert_eq!(err.field, field);
                assert_eq!(err.value, bad.to_string());
                assert_eq!(err.expected, format!("between {min} and {max}"));
            }
        }
    }

    #[test]
    fn speed_ranges_follow_the_provider() {
        let cases = [
            (VoiceGeneration::eleven_labs_v1(), 0.7, 1.2),
            (VoiceGeneration::eleven_labs_v2(), 0.7, 1.2),
            (VoiceGeneration::cartesia(), 0.6, 1.5),
            (VoiceGeneration::fish_audio(), 0.5, 2.0),
        ];
        for (base, min, max) in cases {
            assert!(base.clone().speed(min).validate().is_ok());
            assert!(base.clone().speed(max).validate().is_ok());
            assert!(base.clone().speed(min - 0.01).validate().is_err());
            assert!(base.clone().speed(max + 0.01).validate().is_err());
            assert_eq!(base.clone().speed(f64::NAN).validate().unwrap_err().value, "NaN");
        }
    }

    #[test]
    fn fields_of_other_providers_are_refused() {
        assert!(VoiceGeneration::cartesia().stability(0.5).validate().is_err());
        assert!(VoiceGeneration::fish_audio().emotion(CartesiaEmotion::Sad).validate().is_err());
        assert!(VoiceGeneration::eleven_labs_v2().volume(1.0).validate().is_err());
        assert!(VoiceGeneration::eleven_labs_v1().model("eleven_turbo_v2_5").validate().is_err());
        let full_v2 = VoiceGeneration::eleven_labs_v2()
            .stability(0.5)
            .similarity_boost(0.75)
            .speed(1.0)
            .style(0.2)
            .use_speaker_boost(true)
            .model("eleven_multilingual_v2");
        assert!(full_v2.validate().is_ok());
        assert!(VoiceGeneration::fish_audio().volume(2.0).speed(0.5).validate().is_ok());
        let err = VoiceGeneration::cartesia().volume(0.4).validate().unwrap_err();
        assert_eq!(err.to_string(), "voiceGenerationOptions.volume is 0.4, but must be between 0.5 and 2");
        let err = VoiceGeneration::cartesia().stability(0.5).validate().unwrap_err();
        assert_eq!(err.expected, "absent for Cartesia voices (it applies to ElevenLabs v1 and ElevenLabs v2)");
    }
}
