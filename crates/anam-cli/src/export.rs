//! `export`: the account's personas as a personas file, in the form `plan` reads, so that
//! planning an export reports no change. Avatars, voices, LLMs and tools are written by name
//! where the name finds the same id again, else by id.

use anam::Client;
use anam::types::Persona;
use futures::future::try_join_all;
use serde_json::Value;

use crate::file::{Detection, File, Generation, PersonaSpec};
use crate::resolve::{self, Catalog, label};

/// Every persona of the account, as a file.
pub async fn export(client: &Client) -> anam::Result<File> {
    let catalog = Catalog::load(client).await?;
    let listed = resolve::personas(client).await?;
    let personas = try_join_all(listed.iter().map(|p| client.personas().get(&p.id))).await?;
    Ok(File { personas: personas.iter().map(|p| spec(p, &catalog)).collect() })
}

fn spec(persona: &Persona, catalog: &Catalog) -> PersonaSpec {
    let voice = persona.voice.as_ref().map(|v| v.id.to_string());
    let provider =
        voice.as_ref().and_then(|id| catalog.voices.iter().find(|v| &v.id == id)).and_then(|v| v.provider.clone());
    let detection = persona.voice_detection_options.as_ref().map(|o| Detection {
        end_of_speech_sensitivity: o.end_of_speech_sensitivity,
        silence_before_skip_turn_seconds: o.silence_before_skip_turn_seconds,
        silence_before_session_end_seconds: o.silence_before_session_end_seconds,
        silence_before_auto_end_turn_seconds: o.silence_before_auto_end_turn_seconds,
        speech_enhancement_level: o.speech_enhancement_level,
    });
    let generation = persona.voice_generation_options.as_ref().map(|o| Generation {
        engine: engine(provider.as_deref(), &serde_json::to_value(o).unwrap_or_default()).to_owned(),
        stability: o.stability,
        similarity_boost: o.similarity_boost,
        speed: o.speed,
        style: o.style,
        use_speaker_boost: o.use_speaker_boost,
        model: o.model.clone(),
        volume: o.volume,
        emotion: o.emotion.as_ref().map(|e| e.to_string()),
    });
    let tools: Vec<String> = persona
        .tools
        .iter()
        .flatten()
        .filter_map(|tool| tool.get("id").and_then(Value::as_str))
        .map(|id| label(&catalog.tools, id))
        .collect();
    PersonaSpec {
        name: persona.name.clone().unwrap_or_default(),
        description: persona.description.clone().filter(|d| !d.is_empty()),
        avatar: persona.avatar.as_ref().map(|a| label(&catalog.avatars, &a.id)),
        avatar_model: persona.avatar_model.as_ref().map(|m| m.to_string()),
        voice: voice.map(|id| label(&catalog.voices, &id)),
        llm: persona.llm_id.as_ref().map(|id| label(&catalog.llms, id)),
        system_prompt: persona.brain.as_ref().and_then(|b| b.system_prompt.clone()),
        skip_greeting: persona.skip_greeting,
        uninterruptible_greeting: persona.uninterruptible_greeting,
        initial_message: persona.initial_message.clone(),
        zero_data_retention: persona.zero_data_retention,
        language_code: persona.language_code.clone(),
        voice_detection: detection.filter(|d| d != &Detection::default()),
        voice_generation: generation,
        tools: (!tools.is_empty()).then_some(tools),
    }
}

/// The engine of a voice's settings: from the voice's provider, and for ElevenLabs from the
/// fields (v2 has `style`, `useSpeakerBoost` and `model`).
fn engine(provider: Option<&str>, options: &Value) -> &'static str {
    let has = |key: &str| options.get(key).is_some_and(|v| !v.is_null());
    match provider {
        Some("CARTESIA") => "cartesia",
        Some("FISH_AUDIO") => "fish-audio",
        _ if has("style") || has("useSpeakerBoost") || has("model") => "elevenlabs-v2",
        _ if has("emotion") => "cartesia",
        Some("ELEVENLABS") => "elevenlabs-v1",
        _ if has("volume") => "fish-audio",
        _ => "elevenlabs-v1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_follows_the_provider_then_the_fields() {
        assert_eq!(engine(Some("CARTESIA"), &serde_json::json!({"speed": 1})), "cartesia");
        assert_eq!(engine(Some("ELEVENLABS"), &serde_json::json!({"style": 0.1})), "elevenlabs-v2");
        assert_eq!(engine(Some("ELEVENLABS"), &serde_json::json!({"speed": 1})), "elevenlabs-v1");
        assert_eq!(engine(None, &serde_json::json!({"emotion": "calm"})), "cartesia");
    }
}
