//! The client against a local HTTP server (wiremock on 127.0.0.1): headers, retries and their
//! timing, `Retry-After`, no duplicate POST, 404, paging, redirects, error shapes and tracing.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anam::{Client, CreatePersona, Error, ListPersonas, UpdatePersona};
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "sk-test-0123456789";
const PERSONA: &str = include_str!("../../../tests/fixtures/persona_full.json");
const PERSONA_ID: &str = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";

fn persona() -> Value {
    serde_json::from_str(PERSONA).unwrap()
}

fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

fn builder(server: &MockServer) -> anam::ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(200))
}

fn persona_path() -> String {
    format!("/v1/personas/{PERSONA_ID}")
}

/// Expects one GET of the persona carrying the key, `user_agent`, `Accept: application/json` and
/// the spec's `api-version`.
async fn expect_one_get_with_sdk_headers(server: &MockServer, user_agent: &str) {
    Mock::given(method("GET"))
        .and(path(persona_path()))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("user-agent", user_agent))
        .and(header("accept", "application/json"))
        .and(header("api-version", "1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn every_request_carries_auth_user_agent_and_accept() {
    let server = MockServer::start().await;
    let agent = format!("anam-rust/{} my-service/1.0", env!("CARGO_PKG_VERSION"));
    expect_one_get_with_sdk_headers(&server, &agent).await;
    let client = builder(&server).user_agent_suffix("my-service/1.0").build().unwrap();
    let got = client.personas().get(PERSONA_ID).await.unwrap();
    assert_eq!(got.id, PERSONA_ID);
}

#[tokio::test]
async fn a_caller_supplied_http_client_gets_the_same_headers_and_timeout() {
    let server = MockServer::start().await;
    expect_one_get_with_sdk_headers(&server, &format!("anam-rust/{}", env!("CARGO_PKG_VERSION"))).await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    // The caller's client has no timeout of its own: the SDK's must apply to each request.
    let builder = builder(&server).http_client(reqwest::Client::new()).timeout(Duration::from_millis(200));
    let client = builder.max_retries(0).build().unwrap();
    client.personas().get(PERSONA_ID).await.unwrap();
    let started = Instant::now();
    let error = client.personas().delete(PERSONA_ID).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { attempts: 1, .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_raw_generated_client_has_auth_and_retries_too() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(&server)
        .await;
    let api = client(&server).api();
    let got = api.get_persona().id(PERSONA_ID).send().await.unwrap();
    assert_eq!(got.id, PERSONA_ID);
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).up_to_n_times(2).expect(2).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).initial_backoff(Duration::from_millis(100)).build().unwrap();
    let started = Instant::now();
    client.personas().get(PERSONA_ID).await.unwrap();
    // Backoff 100 ms then 200 ms, each shortened by at most 25 % of jitter.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(225), "{took:?}");
}

#[tokio::test]
async fn retries_stop_at_max_retries_and_the_error_counts_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "Internal error"})))
        .expect(4)
        .mount(&server)
        .await;
    let err = builder(&server).max_retries(3).build().unwrap().personas().get(PERSONA_ID).await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!((api.status.as_u16(), api.attempts), (500, 4));
    assert_eq!(err.to_string(), "500 Internal Server Error: Internal error");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "Bad id"})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).personas().get(PERSONA_ID).await.unwrap_err();
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server).personas().get(PERSONA_ID).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_returns_at_once_with_the_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = client(&server).personas().get(PERSONA_ID).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn post_is_not_retried_once_the_server_has_the_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).expect(1).mount(&server).await;
    let err = client(&server).personas().create(CreatePersona::cara()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.as_api().unwrap().attempts, 1);
}

#[tokio::test]
async fn post_is_retried_when_the_connection_was_refused() {
    // A port that was just free: nothing listens there, so every attempt is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .initial_backoff(Duration::from_millis(5))
        .build()
        .unwrap();
    match client.personas().create(CreatePersona::cara()).await.unwrap_err() {
        Error::Connection { attempts, .. } => assert_eq!(attempts, 3),
        other => panic!("expected a connection error, got {other:?}"),
    }
}

#[tokio::test]
async fn create_sends_the_built_body_and_accepts_200_for_201() {
    let server = MockServer::start().await;
    let expected: Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/create_persona_request.json")).unwrap();
    Mock::given(method("POST"))
        .and(path("/v1/personas"))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(&server)
        .await;
    let request = CreatePersona::documented_example();
    let created = client(&server).personas().create(request).await.unwrap();
    assert_eq!(created.id, PERSONA_ID);
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client = client(&server);
    let err = client
        .personas()
        .create(CreatePersona::cara().voice_detection(anam::VoiceDetection::new().speech_enhancement_level(1.5)))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "voiceDetectionOptions.speechEnhancementLevel is 1.5, but must be between 0 and 1");
    assert!(matches!(client.personas().list(ListPersonas::new().per_page(500)).await, Err(Error::Validation(_))));
    assert!(matches!(client.personas().get("").await, Err(Error::Validation(_))));
}

#[tokio::test]
async fn a_call_sends_nothing_until_awaited_and_can_be_spawned() {
    let server = MockServer::start().await;
    expect_one_get_with_sdk_headers(&server, &format!("anam-rust/{}", env!("CARGO_PKG_VERSION"))).await;
    let client = client(&server);
    let unsent = client.personas().get(PERSONA_ID);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(server.received_requests().await.unwrap().is_empty(), "a call that is not awaited sends nothing");
    drop(unsent);
    // The futures are `Send`: a task that owns the client can run one on another thread.
    let owned = client.clone();
    let spawned = tokio::spawn(async move { owned.personas().get(PERSONA_ID).await });
    assert_eq!(spawned.await.unwrap().unwrap().id, PERSONA_ID);
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;
    client(&server).personas().delete("a b/c?d#e%f").await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/v1/personas/a%20b%2Fc%3Fd%23e%25f");
}

#[tokio::test]
async fn not_found_is_none_for_get_opt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Persona not found"})))
        .expect(2)
        .mount(&server)
        .await;
    let personas = client(&server);
    assert_eq!(personas.personas().get_opt("missing").await.unwrap(), None);
    let err = personas.personas().get("missing").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), "404 Not Found: Persona not found");
}

#[tokio::test]
async fn update_sends_only_the_set_fields_including_null() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(persona_path()))
        .and(body_json(json!({"name": "Ada", "avatarModel": null})))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).personas().update(PERSONA_ID, UpdatePersona::new().name("Ada").clear_avatar_model()).await.unwrap();
}

#[tokio::test]
async fn delete_accepts_200_with_or_without_body_and_204() {
    let server = MockServer::start().await;
    for response in [
        ResponseTemplate::new(200).set_body_json(json!({"message": "Persona deleted"})),
        ResponseTemplate::new(200),
        ResponseTemplate::new(204),
    ] {
        server.reset().await;
        Mock::given(method("DELETE")).and(path(persona_path())).respond_with(response).expect(1).mount(&server).await;
        client(&server).personas().delete(PERSONA_ID).await.unwrap();
    }
}

fn summary(id: usize) -> Value {
    json!({"id": format!("p-{id:03}"), "name": format!("Persona {id}")})
}

fn page(ids: std::ops::Range<usize>, current: i64, last: i64) -> ResponseTemplate {
    let next = if current < last { json!(current + 1) } else { Value::Null };
    ResponseTemplate::new(200).set_body_json(json!({
        "data": ids.map(summary).collect::<Vec<_>>(),
        "meta": {"total": 250, "lastPage": last, "currentPage": current, "perPage": 100, "prev": null, "next": next}
    }))
}

#[tokio::test]
async fn stream_pages_through_every_page_and_skips_shifted_duplicates() {
    let server = MockServer::start().await;
    let pages = [(1, 0..100), (2, 98..198), (3, 198..250)]; // page 2 repeats two items of page 1
    for (n, ids) in pages {
        Mock::given(method("GET"))
            .and(path("/v1/personas"))
            .and(query_param("page", n.to_string()))
            .and(query_param("perPage", "100"))
            .and(query_param("search", "Persona"))
            .respond_with(page(ids, n, 3))
            .expect(1)
            .mount(&server)
            .await;
    }
    let all: Vec<_> =
        client(&server).personas().stream(ListPersonas::new().search("Persona")).try_collect().await.unwrap();
    let ids: Vec<String> = all.into_iter().map(|p| p.id).collect();
    let expected: Vec<String> = (0..250).map(|i| format!("p-{i:03}")).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn stream_surfaces_an_error_mid_way() {
    let server = MockServer::start().await;
    Mock::given(query_param("page", "1")).respond_with(page(0..100, 1, 2)).mount(&server).await;
    Mock::given(query_param("page", "2")).respond_with(ResponseTemplate::new(403)).mount(&server).await;
    let mut stream = client(&server).personas().stream(ListPersonas::new());
    let mut seen = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("the stream ended without the error"),
            Err(err) => break err,
        }
    };
    assert_eq!((seen, err.status().map(|s| s.as_u16())), (100, Some(403)));
}

#[tokio::test]
async fn html_error_pages_and_broken_json_give_readable_errors() {
    let server = MockServer::start().await;
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    Mock::given(path("/v1/personas/html"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    Mock::given(path("/v1/personas/truncated"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(&PERSONA[..40], "application/json"))
        .mount(&server)
        .await;
    let client = builder(&server).max_retries(0).build().unwrap();
    let err = client.personas().get("html").await.unwrap_err();
    assert_eq!(err.to_string(), "502 Bad Gateway: 502 Bad Gateway");
    match client.personas().get("truncated").await.unwrap_err() {
        Error::Decode { status, excerpt, .. } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(excerpt, &PERSONA[..40]);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()).set_delay(Duration::from_secs(2)))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).timeout(Duration::from_millis(200)).max_retries(1).build().unwrap();
    let started = Instant::now();
    match client.personas().get(PERSONA_ID).await.unwrap_err() {
        Error::Timeout { attempts, .. } => assert_eq!(attempts, 2),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_key_is_not_forwarded_on_a_redirect_to_another_host() {
    let origin = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/v1/personas/x", elsewhere.uri())),
        )
        .mount(&origin)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .mount(&elsewhere)
        .await;
    client(&origin).personas().get("x").await.unwrap();
    let received: Vec<Request> = elsewhere.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert!(received[0].headers.get("authorization").is_none(), "the key followed the redirect");
}

#[tokio::test]
async fn unauthorized_names_the_variable_never_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid API key"})))
        .mount(&server)
        .await;
    let err = client(&server).personas().get(PERSONA_ID).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("ANAM_API_KEY"), "{shown}");
    assert!(!shown.contains(KEY), "{shown}");
}

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, for this thread, a `tracing` subscriber that writes events up to `level` and span
/// closings into memory; returns what it captures and the guard that keeps it installed.
fn capture_traces(level: tracing::Level) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn tracing_records_the_call_without_headers_key_or_body() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(200).set_body_json(persona())).mount(&server).await;
    let (captured, _guard) = capture_traces(tracing::Level::TRACE);
    let update = UpdatePersona::new().system_prompt("SECRET-PROMPT-TEXT");
    client(&server).personas().update(PERSONA_ID, update).await.unwrap();
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "anam.request",
        "operation=\"updatePersona\"",
        "http.request.method=\"PUT\"",
        "url.template=\"/v1/personas/{id}\"",
        "http.response.status_code=200",
        "attempts=2",
        "duration_ms=",
        "retrying",
        "reason=503 Service Unavailable",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:\n{log}");
    }
    for secret in [KEY, "Bearer", "SECRET-PROMPT-TEXT", "authorization"] {
        assert!(!log.to_lowercase().contains(&secret.to_lowercase()), "{secret:?} leaked into:\n{log}");
    }
}

#[tokio::test]
async fn tracing_records_a_failed_call_with_its_status_and_kind() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    let (captured, _guard) = capture_traces(tracing::Level::DEBUG);
    let err = client(&server).personas().get(PERSONA_ID).await.unwrap_err();
    assert!(err.is_not_found());
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in
        ["operation=\"getPersona\"", "http.response.status_code=404", "attempts=1", "error.kind=\"api\"", "call failed"]
    {
        assert!(log.contains(expected), "missing {expected:?} in:\n{log}");
    }
}
