//! End to end: the public `anam` API against the `anam-mock` fake, including the fault matrix,
//! retries and their timing, and ids that try to leave their path.

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
    assert_eq!(created.avatar.as_ref().map(|a| &a.id), Some(&anam::ids::cara_avatar()));
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
async fn a_truncated_body_is_retried_for_a_read_and_is_a_decode_error_for_a_create() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let created = client.personas().create(CreatePersona::cara()).await.unwrap();
    mock.inject_for(Operation::GetPersona, Fault::TruncatedBody, 1);
    assert_eq!(client.personas().get(&created.id).await.unwrap().id, created.id);
    assert_eq!(mock.requests(Operation::GetPersona), 2);

    mock.inject_for(Operation::CreatePersona, Fault::TruncatedBody, 1);
    match client.personas().create(CreatePersona::cara()).await.unwrap_err() {
        // A persona holds share-link tokens: its decode error keeps nothing of the body.
        Error::Decode(error) => assert!(error.is_eof && error.excerpt.is_none(), "{error:?}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!((mock.requests(Operation::CreatePersona), mock.persona_count()), (2, 2), "created, not repeated");
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_succeeds_on_the_retry_404() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let created = client.personas().create(CreatePersona::cara()).await.unwrap();
    mock.inject_for(Operation::DeletePersona, Fault::DropAfterProcessing, 1);
    client.personas().delete(&created.id).await.unwrap();
    assert_eq!((mock.requests(Operation::DeletePersona), mock.persona_count()), (2, 0));
    // Without a lost answer, a 404 is still an error.
    assert!(client.personas().delete(&created.id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_backoff() {
    let mock = MockServer::start().await;
    mock.inject_for(Operation::ListPersonas, Fault::status(503), 2);
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .initial_backoff(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    client.personas().list(ListPersonas::new()).await.unwrap();
    // 200 ms then 400 ms, each shortened by at most 25 %: at least 450 ms in all.
    assert!(started.elapsed() >= Duration::from_millis(450), "{:?}", started.elapsed());
    assert_eq!(mock.requests(Operation::ListPersonas), 3);
}

#[tokio::test]
async fn retries_stop_at_max_retries_and_the_error_counts_attempts() {
    let mock = MockServer::start().await;
    mock.inject_for(Operation::ListPersonas, Fault::status(500), 10);
    let err = client(&mock).personas().list(ListPersonas::new()).await.unwrap_err();
    assert_eq!(err.as_api().map(|api| (api.status.as_u16(), api.attempts)), Some((500, 3)));
    assert_eq!(mock.requests(Operation::ListPersonas), 3);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_or_too_large_to_represent_returns_at_once() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    for (wait, expected) in [("120", Duration::from_secs(120)), ("99999999999999999999999", Duration::MAX)] {
        mock.inject_for(Operation::ListPersonas, Fault::status_with_retry_after(429, wait), 1);
        let before = mock.requests(Operation::ListPersonas);
        let started = Instant::now();
        let err = client.personas().list(ListPersonas::new()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1), "{wait}: {:?}", started.elapsed());
        assert_eq!(err.retry_after(), Some(expected), "{wait}");
        assert_eq!(mock.requests(Operation::ListPersonas) - before, 1, "{wait}: not retried");
    }
}

#[tokio::test]
async fn ids_never_reach_a_path_other_than_their_operations() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let victim = client.personas().create(CreatePersona::cara()).await.unwrap();
    let hostile = [
        "..",
        ".",
        "../personas",
        "..\\avatars\\X",
        "a/../../v1/avatars",
        "x?page=2",
        "x#frag",
        "%2e%2e",
        "%2F",
        "a\nb",
        "\u{0}",
        " ",
        "\t..",
        "..;",
        "./.",
        "x/",
        "\u{202e}gnp",
        "a b",
        "ünï",
    ];
    for id in hostile {
        let (get, update, delete) = (
            client.personas().get(id).await,
            client.personas().update(id, UpdatePersona::new().name("hacked")).await,
            client.personas().delete(id).await,
        );
        for outcome in [get.map(drop), update.map(drop), delete] {
            match outcome {
                Err(Error::Validation(v)) => assert_eq!(v.field, "id", "{id:?}"),
                Err(e) if e.is_not_found() => {}
                other => panic!("{id:?}: expected a refusal or a 404, got {other:?}"),
            }
        }
    }
    assert_eq!(mock.unmatched_requests(), 0, "every request reached its own operation's path");
    let sent = mock.requests(Operation::GetPersona);
    assert!(sent > 0 && sent == mock.requests(Operation::DeletePersona), "{sent}");
    assert_eq!(client.personas().get(&victim.id).await.unwrap().name.as_deref(), Some("Cara"));
    assert_eq!(mock.persona_count(), 1);
}

#[tokio::test]
async fn operations_return_futures_that_own_their_input() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let id = client.personas().create(CreatePersona::cara()).await.unwrap().id;
    // Each future outlives the temporary `Personas` and the borrowed id.
    let get = client.personas().get(&id);
    let get_opt = client.personas().get_opt(&id);
    let update = client.personas().update(&id, UpdatePersona::new().name("Ada"));
    let all = client.personas().list_all(ListPersonas::new());
    let delete = client.personas().delete(&id);
    drop(id);
    assert!(get.await.is_ok() && get_opt.await.unwrap().is_some() && update.await.is_ok());
    assert_eq!(all.await.unwrap().len(), 1);
    // And they are `Send + 'static`: they can be spawned.
    tokio::spawn(delete).await.unwrap().unwrap();
    assert_eq!(mock.persona_count(), 0);
}

#[tokio::test]
async fn tool_ids_replace_every_association_and_an_empty_list_detaches_all() {
    let mock = MockServer::start().await;
    for id in ["t-1", "t-2"] {
        mock.insert_tool(serde_json::from_value(serde_json::json!({"id": id, "name": id, "type": "CLIENT"})).unwrap());
    }
    let personas = client(&mock).personas();
    let created = personas.create(CreatePersona::cara().tool_ids(["t-1", "t-2"])).await.unwrap();
    assert_eq!(created.tools.as_ref().map(Vec::len), Some(2));
    assert_eq!(created.tools.as_ref().unwrap()[1].name.as_deref(), Some("t-2"), "the whole tool, as the fake holds it");
    let renamed = personas.update(&created.id, UpdatePersona::new().name("Ada")).await.unwrap();
    assert_eq!(renamed.tools.as_ref().map(Vec::len), Some(2), "left out: left alone");
    let detached = personas.update(&created.id, UpdatePersona::new().tool_ids(Vec::<String>::new())).await.unwrap();
    assert_eq!(detached.tools, Some(Vec::new()));
}

#[tokio::test]
async fn the_fake_names_a_page_that_is_not_a_number_as_a_wrong_type() {
    let mock = MockServer::start().await;
    let answer = reqwest::Client::new()
        .get(format!("{}/v1/personas?page=abc", mock.base_url()))
        .bearer_auth(mock.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(
        (body["details"][0]["path"].as_str(), body["details"][0]["code"].as_str()),
        (Some("page"), Some("invalid_type"))
    );
    for (query, code) in [("page=0", "too_small"), ("perPage=101", "too_big")] {
        let answer = reqwest::Client::new()
            .get(format!("{}/v1/personas?{query}", mock.base_url()))
            .bearer_auth(mock.api_key())
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["details"][0]["code"].as_str(), Some(code), "{query}");
    }
}

#[tokio::test]
async fn a_proxy_html_page_is_an_api_error_with_a_readable_message() {
    let mock = MockServer::start().await;
    let client = Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).max_retries(0).build().unwrap();
    mock.inject(Fault::HtmlPage(502), 1);
    let err = client.personas().list(ListPersonas::new()).await.unwrap_err();
    assert!(err.to_string().starts_with("502 Bad Gateway: 502 Bad Gateway [request id req_"), "{err}");
    assert!(String::from_utf8_lossy(&err.as_api().unwrap().raw_body).contains("nginx"));
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
    let client = client(&mock);
    let raw = client.api();
    let body = PersonaCreate {
        voice_detection_options: Some(anam::types::VoiceDetectionOptions {
            end_of_speech_sensitivity: Some(3.0),
            ..Default::default()
        }),
        ..Default::default()
    };
    let err = raw.create_persona().body(body).send().await.unwrap_err();
    let anam_api::Error::UnexpectedResponse(response) = err else { panic!("expected the raw answer, got {err:?}") };
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["details"][0]["path"], "voiceDetectionOptions.endOfSpeechSensitivity");
    assert_eq!(mock.persona_count(), 0);
}

#[tokio::test]
async fn errors_carry_the_fakes_request_id_and_classify_limits() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let missing = client.personas().get("no-such-persona").await.unwrap_err();
    let id = missing.request_id().expect("the fake sends x-request-id");
    assert!(id.starts_with("req_") && missing.to_string().contains(id), "{missing}");
    let other = client.personas().get("no-such-persona").await.unwrap_err();
    assert_ne!(other.request_id(), Some(id), "one id per answer");

    mock.inject_for(Operation::CreatePersona, Fault::status(402), 1);
    let no_plan = client.personas().create(CreatePersona::cara()).await.unwrap_err();
    assert_eq!(
        (no_plan.status(), no_plan.limit()),
        (Some(anam::StatusCode::PAYMENT_REQUIRED), Some(anam::Limit::NoPlan))
    );
    assert!(no_plan.is_plan_limit() && !no_plan.is_retryable());
    mock.inject_for(Operation::CreatePersona, Fault::status(429), 1);
    let limited = client.personas().create(CreatePersona::cara()).await.unwrap_err();
    assert!(limited.is_rate_limited() && limited.limit() == Some(anam::Limit::Requests), "{limited}");
}

#[tokio::test]
async fn a_refused_connection_names_the_url_and_the_cause() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::builder().base_url(&url).api_key("k").max_retries(0).build().unwrap();
    let err = client.personas().get("p1").await.unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("cannot reach {url}/v1/personas/p1: connection refused")), "{shown}");
    assert!(shown.ends_with("(1 attempt)"), "{shown}");
}

#[tokio::test]
async fn an_observer_is_told_of_every_retry_with_the_servers_wait() {
    let mock = MockServer::start().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .initial_backoff(Duration::from_millis(10))
        .on_retry(move |event| sink.lock().unwrap().push(*event))
        .build()
        .unwrap();
    let created = client.personas().create(CreatePersona::cara()).await.unwrap();
    mock.inject_for(Operation::GetPersona, Fault::status_with_retry_after(429, "0"), 1);
    mock.inject_for(Operation::GetPersona, Fault::status(503), 1);
    client.personas().get(&created.id).await.unwrap();
    let events = seen.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!((events[0].operation, events[0].attempt), (Operation::GetPersona, 1));
    assert_eq!((events[0].status.map(|s| s.as_u16()), events[0].retry_after), (Some(429), Some(Duration::ZERO)));
    assert_eq!((events[1].status.map(|s| s.as_u16()), events[1].attempt), (Some(503), 2));
}
