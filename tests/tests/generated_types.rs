//! The generated types against the documented shapes: the example request serializes to the
//! documented JSON, and documented (and future) responses decode.

use anam_api::types::{
    ApiError, AvatarModel, AvatarRenderStyle, CartesiaEmotion, DeleteResult, NullableAvatarModel, Persona,
    PersonaCreate, PersonaList, PersonaUpdate, VoiceDetectionOptions, VoiceGender, VoiceGenerationOptions,
    VoiceProvider,
};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/../crates/anam/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn documented_example_request_serializes_to_the_documented_json() {
    let body: PersonaCreate = PersonaCreate::builder()
        .name("Cara".to_string())
        .description("<string>".to_string())
        .avatar_id(Some("30fa96d0-26c4-4e55-94a0-517025942e18".into()))
        .avatar_model(AvatarModel::Cara3)
        .voice_id(Some("6bfbe25a-979d-40f3-a92b-5394170af54b".into()))
        .llm_id(Some("7736a22f-2d79-4720-952c-25fdca55ad40".into()))
        .system_prompt("You are a helpful assistant".to_string())
        .skip_greeting(false)
        .zero_data_retention(false)
        .voice_detection_options(VoiceDetectionOptions {
            end_of_speech_sensitivity: Some(0.5),
            silence_before_skip_turn_seconds: Some(5.0),
            silence_before_session_end_seconds: Some(60.0),
            silence_before_auto_end_turn_seconds: Some(5.0),
            speech_enhancement_level: Some(0.8),
        })
        .language_code("en".to_string())
        .voice_generation_options(VoiceGenerationOptions {
            stability: Some(0.5),
            similarity_boost: Some(0.0),
            speed: Some(1.0),
            ..Default::default()
        })
        .try_into()
        .expect("every field is set");
    assert_eq!(serde_json::to_value(&body).unwrap(), fixture("create_persona_request.json"));
}

#[test]
fn documented_example_request_decodes_and_round_trips() {
    let request = fixture("create_persona_request.json");
    let body: PersonaCreate = serde_json::from_value(request.clone()).unwrap();
    assert_eq!(body.avatar_model, Some(AvatarModel::Cara3));
    assert_eq!(serde_json::to_value(&body).unwrap(), request);
}

#[test]
fn full_persona_decodes_with_nested_objects() {
    let persona: Persona = serde_json::from_value(fixture("persona_full.json")).unwrap();
    assert_eq!(persona.id, "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31");
    assert_eq!(persona.avatar_model, Some(AvatarModel::Cara3));
    let avatar = persona.avatar.as_ref().expect("avatar");
    assert_eq!(avatar.render_style, Some(AvatarRenderStyle::Realistic));
    let voice = persona.voice.as_ref().expect("voice");
    assert_eq!(voice.provider, Some(VoiceProvider::Elevenlabs));
    assert_eq!(voice.gender, Some(VoiceGender::Female));
    let brain = persona.brain.as_ref().expect("brain");
    assert_eq!(brain.system_prompt.as_deref(), Some("You are a helpful assistant"));
    let vdo = persona.voice_detection_options.as_ref().expect("voice detection");
    assert_eq!(vdo.silence_before_session_end_seconds, Some(60.0));
    assert!(persona.created_at.is_some());
}

#[test]
fn unknown_enum_values_and_unknown_fields_decode_and_round_trip() {
    let persona: Persona = serde_json::from_value(fixture("persona_future.json")).unwrap();
    assert_eq!(persona.avatar_model, Some(AvatarModel::Other("cara-5-preview".into())));
    let avatar = persona.avatar.as_ref().unwrap();
    assert_eq!(avatar.render_style, Some(AvatarRenderStyle::Other("hologram".into())));
    let voice = persona.voice.as_ref().unwrap();
    assert_eq!(voice.provider.as_ref().map(|p| p.as_str()), Some("NEW_SPEECH_CO"));
    assert!(!voice.gender.as_ref().unwrap().is_known());
    let options = persona.voice_generation_options.as_ref().unwrap();
    assert_eq!(options.emotion, Some(CartesiaEmotion::Other("ecstatic".into())));
    // An unknown value goes back on the wire unchanged.
    let again = serde_json::to_value(&persona).unwrap();
    assert_eq!(again["avatarModel"], "cara-5-preview");
    assert_eq!(again["widgetConfig"]["layout"], "sidebar");
}

#[test]
fn null_in_every_nullable_field_decodes() {
    let persona: Persona = serde_json::from_value(fixture("persona_nulls.json")).unwrap();
    assert_eq!(persona.id, "00000000-0000-4000-8000-000000000000");
    assert_eq!(persona.avatar_model, None);
    assert_eq!(persona.voice, None);
    assert_eq!(persona.created_at, None);
}

#[test]
fn list_page_decodes_with_inherit_language_and_extra_fields() {
    let page: PersonaList = serde_json::from_value(fixture("persona_list.json")).unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].language_code.as_deref(), Some("inherit"));
    assert_eq!((page.meta.total, page.meta.current_page, page.meta.next), (1, 1, None));
}

#[test]
fn delete_message_and_error_bodies_decode() {
    let deleted: DeleteResult = serde_json::from_value(fixture("delete_result.json")).unwrap();
    assert_eq!(deleted.message.as_deref(), Some("Persona deleted"));
    let error: ApiError = serde_json::from_value(fixture("error_validation.json")).unwrap();
    assert_eq!(error.error.as_deref(), Some("Validation error"));
    assert_eq!(error.details[0].code.as_deref(), Some("too_big"));
    // Any JSON object is an error body, even an empty one or one with only `message`.
    let empty: ApiError = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty.error, None);
    let message: ApiError = serde_json::from_value(json!({"message": "Persona not found"})).unwrap();
    assert_eq!(message.message.as_deref(), Some("Persona not found"));
}

#[test]
fn open_enums_parse_display_and_list_known_values() {
    for known in AvatarModel::KNOWN {
        let model: AvatarModel = known.parse().unwrap();
        assert!(model.is_known(), "{known}");
        assert_eq!(model.to_string(), *known);
    }
    assert_eq!(AvatarModel::from("cara-4-latest"), AvatarModel::Cara4Latest);
    assert_eq!(AvatarModel::from(String::from("cara-9")), AvatarModel::Other("cara-9".into()));
}

#[test]
fn update_body_expresses_leave_clear_and_set_for_avatar_model() {
    let leave = PersonaUpdate { name: Some("n".into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&leave).unwrap(), json!({"name": "n"}));
    let clear = PersonaUpdate { avatar_model: Some(NullableAvatarModel(None)), ..Default::default() };
    assert_eq!(serde_json::to_value(&clear).unwrap(), json!({"avatarModel": null}));
    let set = PersonaUpdate { avatar_model: Some(NullableAvatarModel(Some(AvatarModel::Cara4))), ..Default::default() };
    assert_eq!(serde_json::to_value(&set).unwrap(), json!({"avatarModel": "cara-4"}));
}

#[test]
fn update_body_rejects_unknown_fields_like_the_server() {
    let err = serde_json::from_value::<PersonaUpdate>(json!({"name": "n", "colour": "red"})).unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
}
