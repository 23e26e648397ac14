//! End to end: the public `anam` API against the `anam-mock` fake, including the fault matrix.

use std::time::{Duration, Instant};

use anam::types::{AvatarModel, PersonaCreate};
use anam::{Client, CreatePersona, Error, ListPersonas, UpdatePersona, VoiceDetection};
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

#[tokio::test]
async fn the_whole_crud_cycle() {
    let mock = MockServer::start().await;
    let personas = client(&mock);
    let personas = personas.personas();

    let created = personas
        .create(CreatePersona::cara().voice_detection(VoiceDetection::new().silence_before_session_end_seconds(0.0)))
        .await
        .unwrap();
    assert_eq!(created.name.as_deref(), Some("Cara"));
    assert_eq!(created.avatar_model, Some(AvatarModel::Cara3));
    assert_eq!(created.avatar.as_ref().map(|a| a.id.as_str()), Some(anam::ids::CARA_AVATAR));
    assert!(created.created_at.is_some());

    let listed = personas.list(ListPersonas::new()).await.unwrap();
    assert_eq!((listed.meta.total, listed.data[0].id.as_str()), (1, created.id.as_str()));

    let fetched = personas.get(&created.id).await.unwrap();
    assert_eq!(fetched, created);

    let updated = personas.update(&created.id, UpdatePersona::new().name("Ada").clear_avatar_model()).await.unwrap();
    assert_eq!((updated.name.as_deref(), updated.avatar_model.as_ref()), (Some("Ada"), None));
    assert_eq!(updated.llm_id, created.llm_id, "fields not sent keep their values");

    personas.delete(&created.id).await.unwrap();
    assert_eq!(personas.get_opt(&created.id).await.unwrap(), None);
    assert!(personas.delete(&created.id).await.unwrap_err().is_not_found());
    assert_eq!(mock.persona_count(), 0);
}

#[tokio::test]
async fn paging_over_hundreds_of_personas_with_search() {
    let mock = MockServer::start().await;
    for n in 0..310 {
        let name = if n % 31 == 0 { format!("Other {n}") } else { format!("Cara {n:03}") };
        mock.insert(PersonaCreate { name: Some(name), ..Default::default() });
    }
    let client = client(&mock);
    let found: Vec<_> = client.personas().stream(ListPersonas::new().search("cara")).try_collect().await.unwrap();
    let expected: Vec<_> = (0..310).filter(|n| n % 31 != 0).map(|n| format!("Cara {n:03}")).collect();
    assert_eq!(found.len(), 300);
    assert_eq!(found.iter().map(|p| p.name.clone().unwrap()).collect::<Vec<_>>(), expected);
    assert_eq!(mock.requests(Operation::ListPersonas), 3, "100 a page");

    let page = client.personas().list(ListPersonas::new().page(3).per_page(25).search("cara")).await.unwrap();
    assert_eq!((page.data.len(), page.meta.total, page.meta.last_page, page.meta.next), (25, 300, 12, Some(4)));
    assert_eq!(page.data[0].name.as_deref(), Some(expected[50].as_str()));
}

#[tokio::test]
async fn server_errors_twice_then_success_is_three_attempts_and_one_persona() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let created = client.personas().create(CreatePersona::cara()).await.unwrap();
    mock.inject_for(Operation::UpdatePersona, Fault::status(503), 2);
    let updated = client.personas().update(&created.id, UpdatePersona::new().name("Ada")).await.unwrap();
    assert_eq!(updated.name.as_deref(), Some("Ada"));
    assert_eq!(mock.requests(Operation::UpdatePersona), 3);
    assert_eq!(mock.persona_count(), 1);
}

#[tokio::test]
async fn a_create_answered_503_is_not_retried() {
    let mock = MockServer::start().await;
    mock.inject_for(Operation::CreatePersona, Fault::status(503), 2);
    let err = client(&mock).personas().create(CreatePersona::cara()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!((mock.requests(Operation::CreatePersona), mock.persona_count()), (1, 0));
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after() {
    let mock = MockServer::start().await;
    mock.inject_for(Operation::ListPersonas, Fault::status_with_retry_after(429, "1"), 1);
    let started = Instant::now();
    client(&mock).personas().list(ListPersonas::new()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(mock.requests(Operation::ListPersonas), 2);
}

#[tokio::test]
async fn a_connection_dropped_after_create_is_an_error_and_never_a_duplicate() {
    let mock = MockServer::start().await;
    mock.inject_for(Operation::CreatePersona, Fault::DropAfterProcessing, 1);
    let err = client(&mock).personas().create(CreatePersona::cara()).await.unwrap_err();
    assert!(matches!(err, Error::Connection { attempts: 1, .. }), "{err:?}");
    assert_eq!((mock.requests(Operation::CreatePersona), mock.persona_count()), (1, 1));
}

#[tokio::test]
async fn a_connection_dropped_before_a_read_is_retried() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let created = client.personas().create(CreatePersona::cara()).await.unwrap();
    mock.inject_for(Operation::GetPersona, Fault::DropBeforeProcessing, 1);
    assert_eq!(client.personas().get(&created.id).await.unwrap().id, created.id);
    assert_eq!(mock.requests(Operation::GetPersona), 2);
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let created = client.personas().create(CreatePersona::cara()).await.unwrap();
    mock.inject_for(Operation::GetPersona, Fault::TruncatedBody, 1);
    match client.personas().get(&created.id).await.unwrap_err() {
        Error::Decode { status, excerpt, .. } => {
            assert_eq!(status.as_u16(), 200);
            assert!(excerpt.starts_with('{') && !excerpt.trim_end().ends_with('}'), "{excerpt}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_proxy_html_page_is_an_api_error_with_a_readable_message() {
    let mock = MockServer::start().await;
    let client = Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).max_retries(0).build().unwrap();
    mock.inject(Fault::HtmlPage(502), 1);
    let err = client.personas().list(ListPersonas::new()).await.unwrap_err();
    assert_eq!(err.to_string(), "502 Bad Gateway: 502 Bad Gateway");
    assert!(err.as_api().unwrap().body.contains("nginx"));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let mock = MockServer::start().await;
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    mock.inject(Fault::Delay(Duration::from_secs(1)), 1);
    let started = Instant::now();
    let err = client.personas().list(ListPersonas::new()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(900), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_wrong_key_is_401_naming_the_variable_not_the_key() {
    let mock = MockServer::start().await;
    let key = "sk-wrong-key-98765";
    let client = Client::builder().base_url(mock.base_url()).api_key(key).build().unwrap();
    let err = client.personas().list(ListPersonas::new()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let shown = format!("{err} / {err:?}");
    assert!(shown.contains("ANAM_API_KEY"), "{shown}");
    assert!(!shown.contains(key), "{shown}");
}

#[tokio::test]
async fn the_fake_refuses_what_the_sdk_would_have_caught() {
    // Through the raw generated client, which checks nothing: the fake answers 400 naming the field.
    let mock = MockServer::start().await;
    let raw = client(&mock).api();
    let body = PersonaCreate {
        voice_detection_options: Some(anam::types::VoiceDetectionOptions {
            end_of_speech_sensitivity: Some(3.0),
            ..Default::default()
        }),
        ..Default::default()
    };
    let err = raw.create_persona().body(body).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let anam_api::Error::ErrorResponse(response) = err else { panic!("expected a documented error") };
    assert_eq!(response.details[0].path, Some(serde_json::json!("voiceDetectionOptions.endOfSpeechSensitivity")));
    assert_eq!(mock.persona_count(), 0);
}
