//! Every operation whose answer holds a `Secret` (the spec knows which: `answer_holds_secret`),
//! answered with bodies that carry a secret and do not decode (cut off, a trailing comma, the
//! secret under another key, wrapped, trailing bytes, ...): the secret is in no `Display`, no
//! `Debug` and no trace of the error. Alone in its test binary, for the trace capture.

use std::io::Write;
use std::sync::{Arc, Mutex};

use anam::{Client, Operation};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "SECRET-7f3a9c-TOKEN-TEXT";
use anam_tests::ID;

/// Bodies that carry [`SECRET`] and break JSON, so that no answer type can decode them.
fn broken_bodies() -> Vec<String> {
    let whole = format!(
        r#"{{"id":"{ID}","token":"{SECRET}","sessionToken":"{SECRET}","recordingUrl":"https://x/?s={SECRET}"}}"#
    );
    vec![
        whole[..whole.len() / 2].to_string(),
        format!(r#"{{"id":"{ID}","sessionToken":"{SECRET}",}}"#),
        format!("{whole} {SECRET}"),
        format!(r#"{{"id":"{ID}","id":"{ID}","x":"{SECRET}"#),
        format!(r#"{{"data":{whole}"#),
        format!(r#"["{SECRET}""#),
        format!(r#""{SECRET}"#),
    ]
}

/// Bodies that carry [`SECRET`] in valid JSON of the wrong shape: most answer types refuse them.
fn reshaped_bodies() -> Vec<String> {
    vec![
        format!(r#"{{"data":{{"id":"{ID}","token":"{SECRET}"}},"meta":"{SECRET}"}}"#),
        format!(r#"{{"id":{{"{SECRET}":1}},"token":["{SECRET}"]}}"#),
        format!(
            r#"{{"id":"{ID}","sessionToken":7,"recordingUrl":7,"downloadUrl":7,"uploadUrl":7,"meetingUrl":7,"shareLink":"{SECRET}","createdAt":"{SECRET}"}}"#
        ),
        format!(r#"[{{"id":"{ID}","name":"{SECRET}"}}]"#),
    ]
}

/// Sends `op` once, and checks that its error shows no part of the secret.
async fn send(client: &Client, op: Operation) -> Result<(), String> {
    let outcome = anam_tests::send_minimal(client, op).await;
    let result = outcome.ok_or_else(|| format!("{} has no case in anam_tests::send_minimal: add one", op.id()))?;
    result.map_err(|error| {
        let (shown, debug) = (error.to_string(), format!("{error:?}"));
        assert!(!shown.contains(SECRET) && !debug.contains(SECRET), "{}: {shown} / {debug}", op.id());
        assert!(!shown.contains("7f3a9c") && !debug.contains("7f3a9c"), "{}: part of the secret in {shown}", op.id());
        shown
    })
}

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

#[tokio::test(flavor = "current_thread")]
async fn no_answer_that_holds_a_secret_shows_it_in_an_error_or_a_trace() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let secret_ops: Vec<Operation> = Operation::ALL.iter().copied().filter(|op| op.answer_holds_secret()).collect();
    assert!(secret_ops.len() >= 15, "the spec marks {} operations", secret_ops.len());
    for (broken, body) in
        broken_bodies().into_iter().map(|b| (true, b)).chain(reshaped_bodies().into_iter().map(|b| (false, b)))
    {
        let server = MockServer::start().await;
        let answer =
            ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_string(body.clone());
        Mock::given(any()).respond_with(answer).mount(&server).await;
        let client =
            Client::builder().base_url(server.uri()).api_key("sk-test-0123456789").max_retries(0).build().unwrap();
        for op in &secret_ops {
            match send(&client, *op).await {
                Err(shown) if shown.contains("has no case in") => panic!("{shown}"),
                Err(shown) => {
                    tracing::error!(error = %shown, "what a careless caller logs");
                    assert!(shown.contains("holds a secret, so none of it is shown"), "{}: {shown}", op.id());
                }
                Ok(()) => assert!(!broken, "{} decoded a broken body: {body}", op.id()),
            }
        }
    }
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("error.kind=\"decode\""), "the traces saw the failures");
    assert!(!log.contains(SECRET) && !log.contains("7f3a9c"), "a secret reached the traces:\n{log}");
}
