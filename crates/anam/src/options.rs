//! Voice-detection and voice-generation settings, checked against the documented ranges before
//! anything is sent.

use std::fmt;

use anam_api::types::{CartesiaEmotion, VoiceDetectionOptions, VoiceGenerationOptions};

use crate::error::ValidationError;

/// Checks that `value` (when set) lies in `min..=max`; NaN and infinities never do.
#[inline]
pub(crate) fn check_range(
    field: (&str, &str),
    value: Option<f64>,
    min: f64,
    max: f64,
    note: &dyn fmt::Display,
) -> Result<(), ValidationError> {
    match value {
        Some(v) if !(v.is_finite() && (min..=max).contains(&v)) => Err(out_of_range(field, v, min, max, note)),
        _ => Ok(()),
    }
}

/// The error of a failed [`check_range`]: its texts are built only then, so that a valid request
/// costs a comparison per field.
#[cold]
fn out_of_range((group, name): (&str, &str), v: f64, min: f64, max: f64, note: &dyn fmt::Display) -> ValidationError {
    ValidationError::new(format!("{group}.{name}"), v, format!("between {min} and {max}{note}"))
}

/// How the persona detects the end of the user's turn and silence. Unset fields are left to the
/// server, whose defaults Anam does not document.
///
/// | setter | range | meaning |
/// |---|---|---|
/// | `end_of_speech_sensitivity` | 0 to 1 | 0 waits until confident the user is done; 1 answers earlier |
/// | `silence_before_skip_turn_seconds` | 0 to 900 | silence before the persona prompts the user; 0 disables |
/// | `silence_before_session_end_seconds` | 0 to 7200 | silence before the session ends; 0 disables |
/// | `silence_before_auto_end_turn_seconds` | 0.5 to 10 | pause after speech before the turn is complete |
/// | `speech_enhancement_level` | 0 to 1 | noise reduction on the user's audio |
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

    /// From 0 (wait until confident the user is done) to 1 (respond earlier).
    pub fn end_of_speech_sensitivity(mut self, value: f64) -> Self {
        self.options.end_of_speech_sensitivity = Some(value);
        self
    }

    /// Seconds of silence (0 to 900) before the persona prompts the user; 0 disables it.
    pub fn silence_before_skip_turn_seconds(mut self, value: f64) -> Self {
        self.options.silence_before_skip_turn_seconds = Some(value);
        self
    }

    /// Seconds of silence (0 to 7200) before the session ends by itself; 0 disables it.
    pub fn silence_before_session_end_seconds(mut self, value: f64) -> Self {
        self.options.silence_before_session_end_seconds = Some(value);
        self
    }

    /// Seconds (0.5 to 10) of pause after speech before the turn counts as complete.
    pub fn silence_before_auto_end_turn_seconds(mut self, value: f64) -> Self {
        self.options.silence_before_auto_end_turn_seconds = Some(value);
        self
    }

    /// Noise reduction applied to the user's audio, from 0 to 1.
    pub fn speech_enhancement_level(mut self, value: f64) -> Self {
        self.options.speech_enhancement_level = Some(value);
        self
    }

    /// Checks every set field against its documented range.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let o = &self.options;
        let field = |name| ("voiceDetectionOptions", name);
        check_range(field("endOfSpeechSensitivity"), o.end_of_speech_sensitivity, 0.0, 1.0, &"")?;
        let disables = &" (0 disables it)";
        check_range(field("silenceBeforeSkipTurnSeconds"), o.silence_before_skip_turn_seconds, 0.0, 900.0, disables)?;
        check_range(
            field("silenceBeforeSessionEndSeconds"),
            o.silence_before_session_end_seconds,
            0.0,
            7200.0,
            disables,
        )?;
        check_range(field("silenceBeforeAutoEndTurnSeconds"), o.silence_before_auto_end_turn_seconds, 0.5, 10.0, &"")?;
        check_range(field("speechEnhancementLevel"), o.speech_enhancement_level, 0.0, 1.0, &"")
    }

    /// The checked wire form.
    pub fn build(self) -> Result<VoiceDetectionOptions, ValidationError> {
        self.validate()?;
        Ok(self.options)
    }
}

/// Which provider's settings a [`VoiceGeneration`] holds; the ranges differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VoiceEngine {
    /// ElevenLabs v1 voices: `stability`, `similarity_boost`, `speed` (0.7 to 1.2).
    ElevenLabsV1,
    /// ElevenLabs v2 voices: the v1 settings plus `style`, `use_speaker_boost` and `model`.
    ElevenLabsV2,
    /// Cartesia sonic-3 voices: `volume` (0.5 to 2), `speed` (0.6 to 1.5), `emotion`.
    Cartesia,
    /// Fish Audio voices: `volume` (0.5 to 2), `speed` (0.5 to 2).
    FishAudio,
}

impl VoiceEngine {
    fn name(self) -> &'static str {
        match self {
            VoiceEngine::ElevenLabsV1 => "ElevenLabs v1",
            VoiceEngine::ElevenLabsV2 => "ElevenLabs v2",
            VoiceEngine::Cartesia => "Cartesia",
            VoiceEngine::FishAudio => "Fish Audio",
        }
    }

    fn speed_range(self) -> (f64, f64) {
        match self {
            VoiceEngine::ElevenLabsV1 | VoiceEngine::ElevenLabsV2 => (0.7, 1.2),
            VoiceEngine::Cartesia => (0.6, 1.5),
            VoiceEngine::FishAudio => (0.5, 2.0),
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

    /// ElevenLabs: voice stability, 0 to 1.
    pub fn stability(mut self, value: f64) -> Self {
        self.options.stability = Some(value);
        self
    }

    /// ElevenLabs: how closely the output follows the original voice, 0 to 1.
    pub fn similarity_boost(mut self, value: f64) -> Self {
        self.options.similarity_boost = Some(value);
        self
    }

    /// Speaking speed: ElevenLabs 0.7 to 1.2, Cartesia 0.6 to 1.5, Fish Audio 0.5 to 2.
    pub fn speed(mut self, value: f64) -> Self {
        self.options.speed = Some(value);
        self
    }

    /// ElevenLabs v2: style exaggeration, 0 to 1.
    pub fn style(mut self, value: f64) -> Self {
        self.options.style = Some(value);
        self
    }

    /// ElevenLabs v2: boost similarity to the original speaker.
    pub fn use_speaker_boost(mut self, value: bool) -> Self {
        self.options.use_speaker_boost = Some(value);
        self
    }

    /// ElevenLabs v2: the ElevenLabs model id.
    pub fn model(mut self, value: impl Into<String>) -> Self {
        self.options.model = Some(value.into());
        self
    }

    /// Cartesia and Fish Audio: output volume, 0.5 to 2.
    pub fn volume(mut self, value: f64) -> Self {
        self.options.volume = Some(value);
        self
    }

    /// Cartesia: the voice's emotion.
    pub fn emotion(mut self, value: impl Into<CartesiaEmotion>) -> Self {
        self.options.emotion = Some(value.into());
        self
    }

    /// Checks that every set field belongs to the provider and lies in its range.
    pub fn validate(&self) -> Result<(), ValidationError> {
        use VoiceEngine::*;
        let (o, engine) = (&self.options, self.engine);
        let field = |name| ("voiceGenerationOptions", name);
        let only =
            |name: &str, set: bool, allowed: &[VoiceEngine], applies: &str| match set && !allowed.contains(&engine) {
                true => Err(not_for_engine(name, engine, applies)),
                false => Ok(()),
            };
        let elevenlabs = [ElevenLabsV1, ElevenLabsV2];
        only("stability", o.stability.is_some(), &elevenlabs, "ElevenLabs")?;
        only("similarityBoost", o.similarity_boost.is_some(), &elevenlabs, "ElevenLabs")?;
        only("style", o.style.is_some(), &[ElevenLabsV2], "ElevenLabs v2")?;
        only("useSpeakerBoost", o.use_speaker_boost.is_some(), &[ElevenLabsV2], "ElevenLabs v2")?;
        only("model", o.model.is_some(), &[ElevenLabsV2], "ElevenLabs v2")?;
        only("volume", o.volume.is_some(), &[Cartesia, FishAudio], "Cartesia and Fish Audio")?;
        only("emotion", o.emotion.is_some(), &[Cartesia], "Cartesia")?;
        check_range(field("stability"), o.stability, 0.0, 1.0, &"")?;
        check_range(field("similarityBoost"), o.similarity_boost, 0.0, 1.0, &"")?;
        check_range(field("style"), o.style, 0.0, 1.0, &"")?;
        check_range(field("volume"), o.volume, 0.5, 2.0, &"")?;
        let (min, max) = engine.speed_range();
        check_range(field("speed"), o.speed, min, max, &format_args!(" for {} voices", engine.name()))
    }

    /// The checked wire form.
    pub fn build(self) -> Result<VoiceGenerationOptions, ValidationError> {
        self.validate()?;
        Ok(self.options)
    }
}

/// The error for a setting of another provider's voices.
#[cold]
fn not_for_engine(name: &str, engine: VoiceEngine, applies: &str) -> ValidationError {
    let expected = format!("absent for {} voices (it applies to {applies})", engine.name());
    ValidationError::new(format!("voiceGenerationOptions.{name}"), "set", expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_voice_detection_bound_is_inclusive_and_checked() {
        type Setter = fn(VoiceDetection, f64) -> VoiceDetection;
        let cases: [(&str, Setter, f64, f64); 5] = [
            ("endOfSpeechSensitivity", VoiceDetection::end_of_speech_sensitivity, 0.0, 1.0),
            ("silenceBeforeSkipTurnSeconds", VoiceDetection::silence_before_skip_turn_seconds, 0.0, 900.0),
            ("silenceBeforeSessionEndSeconds", VoiceDetection::silence_before_session_end_seconds, 0.0, 7200.0),
            ("silenceBeforeAutoEndTurnSeconds", VoiceDetection::silence_before_auto_end_turn_seconds, 0.5, 10.0),
            ("speechEnhancementLevel", VoiceDetection::speech_enhancement_level, 0.0, 1.0),
        ];
        for (name, set, min, max) in cases {
            assert!(set(VoiceDetection::new(), min).validate().is_ok(), "{name} min");
            assert!(set(VoiceDetection::new(), max).validate().is_ok(), "{name} max");
            for bad in [min - 0.01, max + 0.01, f64::NAN, f64::INFINITY] {
                let err = set(VoiceDetection::new(), bad).validate().unwrap_err();
                assert_eq!(err.field, format!("voiceDetectionOptions.{name}"));
                assert_eq!(err.value, bad.to_string());
                assert!(err.expected.starts_with(&format!("between {min} and {max}")), "{}", err.expected);
            }
        }
    }

    #[test]
    fn zero_disables_is_said_in_the_message() {
        let err = VoiceDetection::new().silence_before_skip_turn_seconds(-1.0).validate().unwrap_err();
        assert_eq!(err.expected, "between 0 and 900 (0 disables it)");
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
        assert!(VoiceGeneration::cartesia().volume(0.4).validate().is_err());
    }
}
