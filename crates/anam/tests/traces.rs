//! What the SDK's traces hold, against wiremock. Alone in its test binary: `tracing` caches
//! per call site whether anyone listens, and tests on other threads without a subscriber would
//! make a thread-local one miss events.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anam::{Client, CreateSessionToken, UpdatePersona};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-0123456789";
const PERSONA_ID: &str = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";
const SESSION_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.SECRET-SESSION-TOKEN.sig";

fn persona() -> Value {
    serde_json::from_str(include_str!("fixtures/persona_full.json")).unwrap()
}

fn client(server: &MockServer) -> Client {
    Client::builder().api_key(KEY).base_url(server.uri()).initial_backoff(Duration::from_millis(20)).build().unwrap()
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

/// Installs, for this thread, a subscriber that writes every event and span closing into memory.
fn capture_traces() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test(flavor = "current_thread")]
async fn traces_record_the_call_and_never_a_key_header_body_or_token() {
    let server = MockServer::start().await;
    let secret_answer = json!({"message": "SECRET-IN-ERROR-BODY"});
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503).set_body_json(&secret_answer))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(200).set_body_json(persona())).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(&secret_answer))
        .mount(&server)
        .await;
    let cut_off = format!(r#"{{"sessionToken":"{SESSION_TOKEN}"#);
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_string(cut_off),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionToken": SESSION_TOKEN})))
        .mount(&server)
        .await;
    let (captured, _guard) = capture_traces();
    let client = client(&server);
    let update = UpdatePersona::new().system_prompt("SECRET-PROMPT-TEXT");
    client.personas().update(PERSONA_ID, update).await.unwrap();
    assert!(client.personas().get(PERSONA_ID).await.unwrap_err().is_not_found());
    let broken = client.sessions().token(CreateSessionToken::persona(PERSONA_ID)).await.unwrap_err();
    tracing::error!(%broken, ?broken, "what a careless caller logs of an error");
    let token = client.sessions().token(CreateSessionToken::persona(PERSONA_ID)).await.unwrap();
    assert_eq!(token.session_token.expose_secret(), SESSION_TOKEN);
    tracing::info!(?token, "what a careless caller logs");
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
        "operation=\"getPersona\"",
        "http.response.status_code=404",
        "error.kind=\"api\"",
        "error.kind=\"decode\"",
        "call failed",
        "operation=\"createSessionToken\"",
        "Secret([redacted])",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:\n{log}");
    }
    let persona_text = persona()["name"].as_str().unwrap().to_owned();
    let secrets =
        [KEY, "Bearer", "SECRET-PROMPT-TEXT", "SECRET-IN-ERROR-BODY", "authorization", &persona_text, SESSION_TOKEN];
    for secret in secrets {
        assert!(!log.to_lowercase().contains(&secret.to_lowercase()), "{secret:?} leaked into:\n{log}");
    }
}
