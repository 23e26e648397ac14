//! End to end against the fake: the avatars, voices, LLMs and tools a persona is built from, and
//! session tokens; their faults, retries and hostile ids.

use std::time::Duration;

use anam::types::{Avatar, DirectorPresetStyle, Llm, PersonaConfig, Tool};
use anam::{
    AvatarId, Client, CreatePersona, CreateSessionToken, Direction, EphemeralPersona, Error, ListAvatars, ListLlms,
    ListTools, ListVoices, SessionSettings, SessionTool, VoiceDetection,
};
use anam_mock::{Fault, MockServer, Operation};
use futures::TryStreamExt;

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .initial_backoff(Duration::from_millis(20))
        .build()
        .unwrap()
}

fn avatar(id: &str, name: &str) -> Avatar {
    serde_json::from_value(serde_json::json!({"id": id, "displayName": name, "renderStyle": "illustrated"})).unwrap()
}

#[tokio::test]
async fn the_stock_catalogue_lists_filters_and_gets_by_the_documented_ids() {
    let mock = MockServer::start().await;
    let client = client(&mock);

    let avatars = client.avatars().list(ListAvatars::new()).await.unwrap();
    assert_eq!((avatars.data.len(), avatars.meta.total), (2, 2));
    let liv = client.avatars().get(anam::ids::liv_avatar()).await.unwrap();
    assert_eq!(liv.display_name.as_deref(), Some("Liv"));
    assert_eq!(client.avatars().get(anam::ids::cara_avatar()).await.unwrap().id, anam::ids::cara_avatar());
    let studio = client.avatars().list(ListAvatars::new().tags(["studio", "nowhere"])).await.unwrap();
    assert_eq!(studio.data.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), [anam::ids::cara_avatar().as_str()]);
    let office = client.avatars().list(ListAvatars::new().search("office").render_style("realistic")).await.unwrap();
    assert_eq!(office.data.len(), 1);
    assert!(client.avatars().list(ListAvatars::new().render_style("animated_3d")).await.unwrap().data.is_empty());

    let lucy = client.voices().get(anam::ids::lucy_voice()).await.unwrap();
    assert_eq!(lucy.provider.as_ref().map(|p| p.as_str()), Some("ELEVENLABS"));
    assert_eq!(client.voices().list(ListVoices::new().search("lucy")).await.unwrap().data, [lucy]);
    assert!(client.voices().get(anam::ids::cara_voice()).await.is_ok());

    // Anam's built-in LLMs are listed only with includeDefaults, as documented.
    assert!(client.llms().list(ListLlms::new()).await.unwrap().data.is_empty());
    let llms = client.llms().list(ListLlms::new().include_defaults(true)).await.unwrap();
    assert_eq!(llms.meta.total, 3);
    assert!(llms.data.iter().any(|l| l.id == anam::ids::llm_example()));
    assert!(client.llms().get(anam::ids::llm_default()).await.is_ok());

    let tools = client.tools().list(ListTools::new().search("CALENDAR")).await.unwrap();
    assert_eq!(tools.data.len(), 1);
    assert_eq!(client.tools().get(&tools.data[0].id).await.unwrap().name.as_deref(), Some("open_calendar"));

    assert_eq!(client.avatars().get_opt("no-such-avatar").await.unwrap(), None);
    assert_eq!(client.voices().get_opt("no-such-voice").await.unwrap(), None);
    assert_eq!(client.llms().get_opt("no-such-llm").await.unwrap(), None);
    assert_eq!(client.tools().get_opt("no-such-tool").await.unwrap(), None);
    assert!(client.tools().get("no-such-tool").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn added_resources_are_listed_streamed_and_replaced_by_id() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    for n in 0..250 {
        mock.insert_avatar(avatar(&format!("a-{n:03}"), &format!("Drawn {n}")));
    }
    mock.insert_avatar(avatar("a-000", "Renamed"));
    let drawn: Vec<Avatar> =
        client.avatars().stream(ListAvatars::new().render_style("illustrated")).try_collect().await.unwrap();
    assert_eq!(drawn.len(), 250);
    assert_eq!(drawn[0].display_name.as_deref(), Some("Renamed"));
    assert_eq!(mock.requests(Operation::ListAvatars), 3, "100 a page");
    let small: Vec<Avatar> =
        client.avatars().stream(ListAvatars::new().search("Drawn 1").per_page(7)).try_collect().await.unwrap();
    assert_eq!(small.len(), 111, "Drawn 1, 10-19, 100-199");

    let mine: Llm = serde_json::from_value(serde_json::json!({"id": "llm-mine", "displayName": "Mine"})).unwrap();
    mock.insert_llm(mine);
    let listed = client.llms().list(ListLlms::new()).await.unwrap();
    assert_eq!(listed.data.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["llm-mine"]);
    let tool: Tool =
        serde_json::from_value(serde_json::json!({"id": "t-2", "name": "lookup", "type": "SERVER_RAG"})).unwrap();
    mock.insert_tool(tool);
    assert_eq!(client.tools().stream(ListTools::new()).try_collect::<Vec<_>>().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_list_answered_404_reads_as_empty_where_anam_documents_it_and_fails_elsewhere() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    mock.inject_for(Operation::ListAvatars, Fault::status(404), 1);
    let page = client.avatars().list(ListAvatars::new().page(3)).await.unwrap();
    assert_eq!((page.data.len(), page.meta.total, page.meta.current_page), (0, 0, 3));
    mock.inject_for(Operation::ListVoices, Fault::status(404), 1);
    assert!(client.voices().stream(ListVoices::new()).try_collect::<Vec<_>>().await.unwrap().is_empty());
    mock.inject_for(Operation::ListLlms, Fault::status(404), 1);
    assert!(client.llms().list(ListLlms::new()).await.unwrap_err().is_not_found());
    mock.inject_for(Operation::ListTools, Fault::status(404), 1);
    assert!(client.tools().list(ListTools::new()).await.unwrap_err().is_not_found());
    mock.inject_for(Operation::ListPersonas, Fault::status(404), 1);
    assert!(client.personas().list(anam::ListPersonas::new()).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn reads_of_the_catalogue_are_retried_and_counted() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    mock.inject_for(Operation::GetAvatar, Fault::status(503), 2);
    assert!(client.avatars().get(anam::ids::liv_avatar()).await.is_ok());
    assert_eq!(mock.requests(Operation::GetAvatar), 3);
    mock.inject_for(Operation::ListVoices, Fault::DropBeforeProcessing, 1);
    assert!(client.voices().list(ListVoices::new()).await.is_ok());
    assert_eq!(mock.requests(Operation::ListVoices), 2);
    mock.inject_for(Operation::GetTool, Fault::TruncatedBody, 1);
    assert!(client.tools().get("00000000-0000-0000-0000-000000000000").await.is_ok());
    assert_eq!(mock.requests(Operation::GetTool), 2);
    mock.inject_for(Operation::ListLlms, Fault::status_with_retry_after(429, "0"), 1);
    assert!(client.llms().list(ListLlms::new()).await.is_ok());
    assert_eq!(mock.requests(Operation::ListLlms), 2);
}

#[tokio::test]
async fn hostile_ids_never_leave_their_operations_path() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let hostile = ["..", ".", "../personas", "a/../../v1/personas", "x?page=2", "x#frag", "%2F", "a\nb", " ", "..\\x"];
    for id in hostile {
        let outcomes = [
            client.avatars().get(id).await.map(drop),
            client.voices().get(id).await.map(drop),
            client.llms().get(id).await.map(drop),
            client.tools().get(id).await.map(drop),
            client.sessions().token(CreateSessionToken::persona(id)).await.map(drop),
        ];
        for outcome in outcomes {
            match outcome {
                Err(Error::Validation(v)) => assert!(v.field == "id" || v.field == "personaConfig.personaId", "{id:?}"),
                Err(e) if e.is_not_found() => {}
                other => panic!("{id:?}: expected a refusal or a 404, got {other:?}"),
            }
        }
    }
    assert_eq!(mock.unmatched_requests(), 0, "every request reached its own operation's path");
    assert!(mock.requests(Operation::GetAvatar) > 0);
}

#[tokio::test]
async fn a_session_token_is_minted_for_a_stored_persona_and_kept_secret() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(CreatePersona::cara()).await.unwrap();
    let token = client.sessions().token(CreateSessionToken::persona(&persona.id).client_label("web")).await.unwrap();
    assert_eq!(token.session_token.expose_secret().split('.').count(), 3, "a JWT-shaped token");
    let shown = format!("{token:?}");
    assert!(!shown.contains(token.session_token.expose_secret()) && shown.contains("redacted"), "{shown}");

    let issued = mock.issued_session_tokens();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].token, token.session_token);
    assert_eq!(issued[0].request.client_label.as_deref(), Some("web"));
    match &issued[0].request.persona_config {
        PersonaConfig::StoredPersonaConfig(stored) => assert_eq!(stored.persona_id, persona.id),
        other => panic!("expected the stored form, got {other:?}"),
    }

    client.personas().delete(&persona.id).await.unwrap();
    let gone = client.sessions().token(CreateSessionToken::persona(&persona.id)).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(mock.issued_session_tokens().len(), 1);
}

#[tokio::test]
async fn a_session_token_for_an_ephemeral_persona_is_checked_then_minted() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = EphemeralPersona::new()
        .name("Cara")
        .avatar_id(anam::ids::cara_avatar())
        .avatar_model("cara-4")
        .voice_id(anam::ids::lucy_voice())
        .llm_id(anam::ids::llm_customer_client())
        .system_prompt("You are a helpful assistant.")
        .max_session_length(Duration::from_secs(600))
        .voice_detection(VoiceDetection::new().end_of_speech_sensitivity(0.5))
        .director_notes(Direction::preset(DirectorPresetStyle::Warm).expressivity(0.5))
        .tool(SessionTool::client("open_calendar").parameters(serde_json::json!({"type": "object"})))
        .tool_ids(["00000000-0000-0000-0000-000000000000"])
        .enable_audio_passthrough(true);
    let settings = SessionSettings::new().video_size(1152, 768).daily_egress("https://x.daily.co/room", None);
    let request = CreateSessionToken::ephemeral(persona.clone()).settings(settings);
    assert!(client.sessions().token(request).await.is_ok());
    let wire = serde_json::to_value(&mock.issued_session_tokens()[0].request).unwrap();
    assert_eq!(wire["personaConfig"]["maxSessionLengthSeconds"], 600, "a whole number goes on the wire as one");
    assert_eq!(wire["personaConfig"]["directorNotes"]["presetStyle"], "warm");

    // Refused before anything is sent, naming the field under personaConfig.
    let bad_range = persona.clone().voice_detection(VoiceDetection::new().end_of_speech_sensitivity(1.5));
    let err = client.sessions().token(CreateSessionToken::ephemeral(bad_range)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "personaConfig.voiceDetectionOptions.endOfSpeechSensitivity"),
        "{err}"
    );
    let bad_notes = persona.clone().director_notes(Direction::custom("x".repeat(2001)));
    let err = client.sessions().token(CreateSessionToken::ephemeral(bad_notes)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "personaConfig.directorNotes.customStylePrompt"),
        "{err}"
    );
    let bad_expressivity = persona.clone().director_notes(Direction::preset("warm").expressivity(2.0));
    let err = client.sessions().token(CreateSessionToken::ephemeral(bad_expressivity)).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.field == "personaConfig.directorNotes.expressivity"), "{err}");
    let no_passthrough = persona.enable_audio_passthrough(false);
    let egress = SessionSettings::new().daily_egress("https://x.daily.co/room", None);
    let err =
        client.sessions().token(CreateSessionToken::ephemeral(no_passthrough).settings(egress)).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.field == "personaConfig.enableAudioPassthrough"), "{err}");
    assert_eq!(mock.requests(Operation::CreateSessionToken), 1, "nothing invalid was sent");
}

#[tokio::test]
async fn a_session_token_request_the_server_received_is_not_retried() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(CreatePersona::cara()).await.unwrap();
    mock.inject_for(Operation::CreateSessionToken, Fault::status(503), 1);
    let err = client.sessions().token(CreateSessionToken::persona(&persona.id)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    mock.inject_for(Operation::CreateSessionToken, Fault::DropAfterProcessing, 1);
    assert!(client.sessions().token(CreateSessionToken::persona(&persona.id)).await.is_err());
    assert_eq!(mock.requests(Operation::CreateSessionToken), 2, "each POST sent once");
}

#[tokio::test]
async fn catalogue_and_session_futures_own_their_input() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(CreatePersona::cara()).await.unwrap();
    let id: AvatarId = anam::ids::liv_avatar();
    let avatar = client.avatars().get(&id);
    let token = client.sessions().token(CreateSessionToken::persona(&persona.id));
    drop((id, persona));
    let (avatar, token) = (tokio::spawn(avatar), tokio::spawn(token));
    assert!(avatar.await.unwrap().is_ok() && token.await.unwrap().is_ok());
}
