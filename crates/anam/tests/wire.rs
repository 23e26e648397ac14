//! What the fake (`anam-mock`) cannot express, against wiremock or a raw socket on 127.0.0.1:
//! the exact request on the wire, answers the fake never gives (200 for 201, a 204 delete,
//! redirects, huge or stalled bodies, lying pages). What traces hold is in `traces.rs`. Behaviour against a
//! well-formed API lives in `tests/tests/e2e.rs`, against the fake.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anam::{Client, CreatePersona, Error, ListPersonas, UpdatePersona};
use futures::TryStreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{any, body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-0123456789";
const PERSONA: &str = include_str!("fixtures/persona_full.json");
const PERSONA_ID: &str = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";

fn persona() -> Value {
    serde_json::from_str(PERSONA).unwrap()
}

fn builder(base_url: &str) -> anam::ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
}

fn client(server: &MockServer) -> Client {
    builder(&server.uri()).build().unwrap()
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
    let client = builder(&server.uri()).user_agent_suffix("my-service/1.0").build().unwrap();
    assert_eq!(client.personas().get(PERSONA_ID).await.unwrap().id, PERSONA_ID);
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
    let builder = builder(&server.uri()).http_client(reqwest::Client::new()).timeout(Duration::from_millis(200));
    let client = builder.max_retries(0).build().unwrap();
    client.personas().get(PERSONA_ID).await.unwrap();
    let started = Instant::now();
    let error = client.personas().delete(PERSONA_ID).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { attempts: 1, .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_raw_generated_client_sends_the_key_and_hands_errors_over_unread() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Persona not found"})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).api().get_persona().id(PERSONA_ID).send().await.unwrap_err();
    let anam_api::Error::UnexpectedResponse(response) = err else { panic!("expected the raw answer, got {err:?}") };
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(response.json::<Value>().await.unwrap()["message"], "Persona not found");
}

#[tokio::test]
async fn create_sends_the_built_body_and_accepts_200_for_201() {
    let server = MockServer::start().await;
    let expected: Value = serde_json::from_str(include_str!("fixtures/create_persona_request.json")).unwrap();
    Mock::given(method("POST"))
        .and(path("/v1/personas"))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server).personas().create(CreatePersona::documented_example()).await.unwrap();
    assert_eq!(created.id, PERSONA_ID);
}

#[tokio::test]
async fn update_sends_only_the_set_fields_including_null_and_an_empty_tool_list() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(persona_path()))
        .and(body_json(json!({"name": "Ada", "avatarModel": null, "toolIds": []})))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(1)
        .mount(&server)
        .await;
    let update = UpdatePersona::new().name("Ada").clear_avatar_model().tool_ids(Vec::<String>::new());
    client(&server).personas().update(PERSONA_ID, update).await.unwrap();
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

#[tokio::test]
async fn a_call_sends_nothing_until_awaited() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let unsent = client(&server).personas().get(PERSONA_ID);
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(unsent);
}

fn summary(id: usize) -> Value {
    json!({"id": format!("p-{id:03}"), "name": format!("Persona {id}")})
}

fn page_of(ids: Vec<usize>, current: i64, last: i64) -> ResponseTemplate {
    let next = if current < last { json!(current + 1) } else { Value::Null };
    ResponseTemplate::new(200).set_body_json(json!({
        "data": ids.into_iter().map(summary).collect::<Vec<_>>(),
        "meta": {"total": 250, "lastPage": last, "currentPage": current, "perPage": 100, "prev": null, "next": next}
    }))
}

fn page(ids: std::ops::Range<usize>, current: i64, last: i64) -> ResponseTemplate {
    page_of(ids.collect(), current, last)
}

#[tokio::test]
async fn stream_pages_through_every_page_and_skips_every_item_seen_before() {
    let server = MockServer::start().await;
    // Page 2 repeats two items of page 1; page 3 repeats one of page 1 and one of page 2.
    let pages: [(i64, Vec<usize>); 3] =
        [(1, (0..100).collect()), (2, (98..198).collect()), (3, [5, 150].into_iter().chain(198..250).collect())];
    for (n, ids) in pages {
        Mock::given(method("GET"))
            .and(path("/v1/personas"))
            .and(query_param("page", n.to_string()))
            .and(query_param("perPage", "100"))
            .and(query_param("search", "Persona"))
            .respond_with(page_of(ids, n, 3))
            .expect(1)
            .mount(&server)
            .await;
    }
    let all: Vec<_> = client(&server).personas().list_all(ListPersonas::new().search("Persona")).await.unwrap();
    let ids: Vec<String> = all.into_iter().map(|p| p.id.to_string()).collect();
    let expected: Vec<String> = (0..250).map(|i| format!("p-{i:03}")).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_server_that_ignores_page_or_repeats_itself_ends_the_stream_with_an_error() {
    // Ignores `page`: always answers page 1, which says a next page exists.
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(page(0..100, 1, 3)).mount(&server).await;
    let err = client(&server).personas().list_all(ListPersonas::new()).await.unwrap_err();
    assert!(matches!(err, Error::Paging(_)), "{err:?}");
    assert!(err.to_string().contains("asked for page 2, the server answered page 1"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // Reports the page asked for, but sends the same items on every page, with no end.
    let server = MockServer::start().await;
    for n in 1..=5 {
        Mock::given(query_param("page", n.to_string())).respond_with(page(0..100, n, 1_000_000)).mount(&server).await;
    }
    let err = client(&server).personas().list_all(ListPersonas::new()).await.unwrap_err();
    assert!(err.to_string().contains("page 2 holds only items of earlier pages"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_stream_from_the_last_possible_page_ends_without_overflow() {
    let server = MockServer::start().await;
    let max = i64::MAX;
    Mock::given(method("GET")).respond_with(page(0..3, max, max)).expect(1).mount(&server).await;
    let found = client(&server).personas().list_all(ListPersonas::new().page(max as u64)).await.unwrap();
    assert_eq!(found.len(), 3);
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
async fn redirects_are_errors_naming_the_host_and_are_never_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    let target = format!("{}/v1/personas", elsewhere.uri());
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", target.as_str()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", persona_path().as_str()))
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.personas().create(CreatePersona::cara()).await.unwrap_err();
    assert_eq!(err.to_string(), "307 Temporary Redirect: redirect to 127.0.0.1 not followed");
    // A redirect to itself (a loop) is one request, not a retry.
    let err = client.personas().get(PERSONA_ID).await.unwrap_err();
    assert_eq!(err.to_string(), "302 Found: redirect to the same host not followed");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_body_over_the_limit_fails_without_being_read_whole() {
    let server = MockServer::start().await;
    let big = json!({"id": PERSONA_ID, "description": "x".repeat(300_000)});
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(&big)).mount(&server).await;
    let client = builder(&server.uri()).max_response_bytes(100_000).build().unwrap();
    let err = client.personas().get(PERSONA_ID).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 100_000 }), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "not retried");
    assert!(!err.is_retryable());
}

/// A server on 127.0.0.1 that answers each connection with the next of `answers`, written raw
/// (a `None` closes the connection unanswered), then holds the connection open for `hold`;
/// returns its base URL and a request counter.
async fn raw_server(answers: Vec<Option<Vec<u8>>>, hold: Duration) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(Mutex::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        for answer in answers {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut request = vec![0u8; 16 * 1024];
            let _ = socket.read(&mut request).await;
            *counter.lock().unwrap() += 1;
            if let Some(bytes) = answer {
                let _ = socket.write_all(&bytes).await;
                let _ = socket.flush().await;
                tokio::spawn(async move {
                    tokio::time::sleep(hold).await;
                    drop(socket);
                });
            }
        }
    });
    (url, count)
}

fn http_answer(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut answer = format!("HTTP/1.1 {status}\r\nconnection: close\r\n{headers}\r\n").into_bytes();
    answer.extend_from_slice(body);
    answer
}

#[tokio::test]
async fn a_declared_length_over_the_limit_fails_at_once() {
    let head = format!("content-type: application/json\r\ncontent-length: {}\r\n", 1u64 << 40);
    let (url, _) = raw_server(vec![Some(http_answer("200 OK", &head, b"{"))], Duration::from_secs(30)).await;
    let client = builder(&url).max_retries(0).build().unwrap();
    let started = Instant::now();
    let err = client.personas().get(PERSONA_ID).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_body_without_a_length_fails_once_it_grows_past_the_limit() {
    // No Content-Length: the body runs until the connection closes, and would never end.
    let body = format!("{{\"id\": \"{PERSONA_ID}\", \"description\": \"{}\"}}", "x".repeat(300_000));
    let answer = http_answer("200 OK", "content-type: application/json\r\n", body.as_bytes());
    let (url, count) = raw_server(vec![Some(answer)], Duration::from_secs(30)).await;
    let client = builder(&url).max_response_bytes(100_000).build().unwrap();
    let err = client.personas().get(PERSONA_ID).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 100_000 }), "{err:?}");
    assert_eq!(*count.lock().unwrap(), 1, "not retried");
}

#[tokio::test]
async fn an_error_body_is_read_only_up_to_its_cap() {
    let server = MockServer::start().await;
    let message = format!("first line\nsecond \u{1b}[2J{}", "y".repeat(2_000_000));
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"message": message})))
        .mount(&server)
        .await;
    let err = client(&server).personas().get(PERSONA_ID).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.raw_body.len(), anam::ERROR_BODY_LIMIT);
    let shown = err.to_string();
    assert!(!shown.chars().any(char::is_control) && shown.chars().count() < 300, "{shown:?}");
}

#[tokio::test]
async fn a_success_body_cut_off_or_stalled_is_retried_for_a_read() {
    let persona = serde_json::to_vec(&persona()).unwrap();
    let head = format!("content-type: application/json\r\ncontent-length: {}\r\n", persona.len());
    let full = http_answer("200 OK", &head, &persona);
    let cut = http_answer("200 OK", &head, &persona[..40]);
    // Cut off: the connection closes before the declared length.
    let (url, count) = raw_server(vec![Some(cut.clone()), Some(full.clone())], Duration::ZERO).await;
    assert_eq!(builder(&url).build().unwrap().personas().get(PERSONA_ID).await.unwrap().id, PERSONA_ID);
    assert_eq!(*count.lock().unwrap(), 2);
    // Stalled: the rest never comes; the per-attempt timeout ends the attempt.
    let (url, count) = raw_server(vec![Some(cut.clone()), Some(full)], Duration::from_secs(30)).await;
    let client = builder(&url).timeout(Duration::from_millis(300)).build().unwrap();
    assert_eq!(client.personas().get(PERSONA_ID).await.unwrap().id, PERSONA_ID);
    assert_eq!(*count.lock().unwrap(), 2);
    // A create is not repeated: the server may have created it.
    let (url, count) = raw_server(vec![Some(cut), None], Duration::ZERO).await;
    let err = builder(&url).build().unwrap().personas().create(CreatePersona::cara()).await.unwrap_err();
    assert!(matches!(err, Error::Connection { attempts: 1, .. }), "{err:?}");
    assert_eq!(*count.lock().unwrap(), 1);
}

#[tokio::test]
async fn an_error_answer_declared_over_the_limit_keeps_its_first_4_kib() {
    let body = format!("{{\"message\":\"{}\"}}", "z".repeat(8 * 1024));
    let head = format!("content-type: application/json\r\ncontent-length: {}\r\n", 1u64 << 30);
    let (url, _) =
        raw_server(vec![Some(http_answer("400 Bad Request", &head, body.as_bytes()))], Duration::from_secs(30)).await;
    let client = builder(&url).max_retries(0).max_response_bytes(1024).build().unwrap();
    let call = tokio::time::timeout(Duration::from_secs(10), client.personas().get(PERSONA_ID));
    let err = call.await.expect("the rest of the body is not waited for").unwrap_err();
    let api = err.as_api().unwrap_or_else(|| panic!("an API error, got {err:?}"));
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.raw_body.len(), anam::ERROR_BODY_LIMIT);
    assert!(api.raw_body.starts_with(b"{\"message\":\"zzz"), "{:?}", &api.raw_body[..20]);
}

#[tokio::test]
async fn an_echoed_api_key_is_masked_in_every_text_of_the_error() {
    let server = MockServer::start().await;
    let echo = json!({"error": format!("Invalid header Authorization: Bearer {KEY}"), "message": format!("key {KEY} is revoked")});
    Mock::given(any()).respond_with(ResponseTemplate::new(401).set_body_json(&echo)).mount(&server).await;
    let err = client(&server).personas().get(PERSONA_ID).await.unwrap_err();
    let api = err.as_api().unwrap();
    for shown in [
        err.to_string(),
        format!("{err:?}"),
        format!("{err:#?}"),
        api.message(),
        String::from_utf8_lossy(&api.raw_body).into_owned(),
    ] {
        assert!(!shown.contains(KEY) && !shown.contains("0123456789"), "{shown}");
    }
    assert!(err.is_unauthorized() && err.to_string().contains("[redacted]"), "{err}");
}

#[tokio::test]
async fn a_session_token_answer_that_does_not_decode_never_shows_the_token() {
    const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.TOP-SECRET-PAYLOAD.c2lnbmF0dXJl";
    let answers = [
        format!(r#"{{"sessionToken":"{TOKEN}""#),
        format!(r#"{{"sessionToken":"{TOKEN}",}}"#),
        format!(r#"{{"sessionToken":"{TOKEN}","sessionToken":"{TOKEN}"}}"#),
        format!(r#"{{"token":"{TOKEN}"}}"#),
        format!(r#"{{"data":{{"sessionToken":"{TOKEN}"}}}}"#),
        format!(r#"{{"sessionToken":"{TOKEN}"}}{TOKEN}"#),
        format!(r#"[{{"sessionToken":"{TOKEN}"}}]"#),
        format!(r#"{{"sessionToken":["{TOKEN}"]}}"#),
    ];
    for answer in answers {
        let server = MockServer::start().await;
        let template = ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string(answer.clone());
        Mock::given(any()).respond_with(template).mount(&server).await;
        let outcome = client(&server).sessions().token(anam::CreateSessionToken::persona(PERSONA_ID)).await;
        let Err(err) = outcome else { panic!("{answer} decoded") };
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("TOP-SECRET") && !shown.contains("c2lnbmF0dXJl"), "{answer}: {shown}");
        }
        assert!(matches!(&err, Error::Decode(decode) if decode.excerpt.is_none()), "{answer}: {err:?}");
    }
}

#[tokio::test]
async fn with_options_changes_one_clients_calls_and_leaves_the_other_alone() {
    let server = MockServer::start().await;
    Mock::given(header("x-trace-id", "checkout-42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(persona()))
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let plain = client(&server);
    let traced = plain.with_options(anam::CallOptions::new().header("x-trace-id", "checkout-42").unwrap()).unwrap();
    assert_eq!(traced.personas().get(PERSONA_ID).await.unwrap().id, PERSONA_ID);
    let once = plain.with_options(anam::CallOptions::new().max_retries(0)).unwrap();
    let err = once.personas().get(PERSONA_ID).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 2, "one attempt only");
    let err = plain.personas().get(PERSONA_ID).await.unwrap_err();
    assert_eq!(err.as_api().map(|api| api.attempts), Some(3), "the original keeps its retries and headers");

    let slow = MockServer::start().await;
    let late = ResponseTemplate::new(200).set_body_json(persona()).set_delay(Duration::from_millis(400));
    Mock::given(any()).respond_with(late).mount(&slow).await;
    let hurried =
        client(&slow).with_options(anam::CallOptions::new().timeout(Duration::from_millis(50)).max_retries(0)).unwrap();
    assert!(matches!(hurried.personas().get(PERSONA_ID).await.unwrap_err(), Error::Timeout { .. }));
    assert!(client(&slow).personas().get(PERSONA_ID).await.is_ok(), "the default timeout is 30 s");
}

fn document(id: &str) -> Value {
    json!({"id": id, "knowledgeFolderId": "g-1", "filename": "hours.md", "status": "PROCESSING"})
}

#[tokio::test]
async fn an_upload_is_multipart_with_the_specs_fields_streamed_from_the_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/knowledge/groups/g-1/documents"))
        .respond_with(ResponseTemplate::new(201).set_body_json(document("d-1")))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hours.md");
    std::fs::write(&file, "# Opening hours\nNine to five.").unwrap();
    let upload = anam::UploadDocument::new(anam::Upload::path(&file)).chunk_size(500).chunk_overlap(50);
    let created = client(&server).knowledge_groups().upload("g-1", upload).await.unwrap();
    assert_eq!(created.id, "d-1");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let last = requests.last().unwrap();
    let content_type = last.headers.get("content-type").unwrap().to_str().unwrap().to_owned();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    assert_eq!(last.headers.get("authorization").unwrap(), &format!("Bearer {KEY}"));
    let body = String::from_utf8_lossy(&last.body);
    for part in [
        "name=\"chunkSize\"\r\n\r\n500\r\n",
        "name=\"chunkOverlap\"\r\n\r\n50\r\n",
        "name=\"file\"; filename=\"hours.md\"\r\nContent-Type: text/markdown\r\n",
        "# Opening hours\nNine to five.",
    ] {
        assert!(body.contains(part), "{part:?} in {body}");
    }
}

#[tokio::test]
async fn an_upload_from_a_stream_is_sent_once_and_limits_are_checked_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let chunks = futures::stream::iter([Ok(bytes::Bytes::from_static(b"a,b\n1,2\n"))]);
    let upload = anam::UploadDocument::new(anam::Upload::stream("prices.csv", chunks, None));
    let err = client(&server).knowledge_groups().upload("g-1", upload).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "a stream cannot be sent again");

    let huge = anam::Upload::stream("huge.pdf", futures::stream::empty(), Some(60 << 20));
    let err = client(&server).knowledge_groups().upload("g-1", anam::UploadDocument::new(huge)).await.unwrap_err();
    assert_eq!(err.to_string(), "file is 62914560 bytes, but must be at most 52428800 bytes");
    let missing = anam::UploadDocument::new(anam::Upload::path("/nonexistent/handbook.pdf"));
    let err = client(&server).knowledge_groups().upload("g-1", missing).await.unwrap_err();
    assert!(err.to_string().contains("cannot read the upload /nonexistent/handbook.pdf"), "{err}");
    let err =
        client(&server).knowledge_groups().upload("..", anam::UploadDocument::new(anam::Upload::bytes("a.txt", "x")));
    assert_eq!(err.await.unwrap_err().to_string().split(" is ").next(), Some("id"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn a_large_voice_goes_to_storage_without_the_key_then_is_cloned_by_its_key() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    let upload_url = format!("{}/bucket/clip.wav?X-Amz-Signature=abc", storage.uri());
    Mock::given(method("POST"))
        .and(path("/v1/voices/presigned-upload"))
        .and(body_json(json!({"filename": "clip.wav", "contentType": "audio/wav", "fileSize": 11})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"uploadUrl": upload_url, "audioKey": "k/clip.wav"})),
        )
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/voices"))
        .and(body_json(json!({"audioKey": "k/clip.wav", "name": "Me", "enhance": true, "language": "en"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "v-1", "displayName": "Me"})))
        .mount(&api)
        .await;
    Mock::given(method("PUT"))
        .and(header("content-type", "audio/wav"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&storage)
        .await;
    let voice = anam::UploadVoice::new("Me", anam::Upload::bytes("clip.wav", "RIFF-audio!"));
    let created = client(&api).voices().upload_large(voice).await.unwrap();
    assert_eq!(created.id, "v-1");
    let put = &storage.received_requests().await.unwrap()[0];
    assert_eq!(put.body, b"RIFF-audio!");
    assert!(put.headers.get("authorization").is_none(), "the storage never gets the API key");
}

#[tokio::test]
async fn voice_and_avatar_uploads_send_the_specs_forms_and_a_hard_delete_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/voices"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "v-1"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/avatars"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "a-1"})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v1/avatars/a-1"))
        .and(query_param("hard", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"message": "Avatar deleted successfully"})))
        .mount(&server)
        .await;
    let client = client(&server);
    let voice = anam::UploadVoice::new("Me", anam::Upload::bytes("me.mp3", "ID3")).language("fr").enhance(false);
    assert_eq!(client.voices().upload(voice).await.unwrap().id, "v-1");
    let avatar = anam::UploadAvatar::new("Alex", anam::Upload::bytes("alex.png", "PNG")).avatar_model("cara-4");
    assert_eq!(client.avatars().upload(avatar).await.unwrap().id, "a-1");
    client.avatars().delete_permanently("a-1").await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let voice_form = String::from_utf8_lossy(&requests[0].body);
    for part in [
        "name=\"name\"\r\n\r\nMe",
        "name=\"language\"\r\n\r\nfr",
        "name=\"enhance\"\r\n\r\nfalse",
        "filename=\"me.mp3\"\r\nContent-Type: audio/mpeg",
    ] {
        assert!(voice_form.contains(part), "{part:?} in {voice_form}");
    }
    let avatar_form = String::from_utf8_lossy(&requests[1].body);
    for part in [
        "name=\"displayName\"\r\n\r\nAlex",
        "name=\"avatarModel\"\r\n\r\ncara-4",
        "name=\"imageFile\"; filename=\"alex.png\"",
    ] {
        assert!(avatar_form.contains(part), "{part:?} in {avatar_form}");
    }
    let short = anam::UploadAvatar::new("Al", anam::Upload::bytes("al.png", "PNG"));
    assert_eq!(
        client.avatars().upload(short).await.unwrap_err().to_string(),
        "displayName is 2 characters long, but must be 3 to 50 characters"
    );
    let big = anam::UploadVoice::new("Me", anam::Upload::stream("big.wav", futures::stream::empty(), Some(5_000_000)));
    assert!(client.voices().upload(big).await.unwrap_err().to_string().starts_with("audioFile is 5000000 bytes"));
    assert_eq!(server.received_requests().await.unwrap().len(), 3, "refused before sending");
}

#[tokio::test]
async fn session_reads_sort_the_transcript_date_the_recording_and_check_the_period() {
    let server = MockServer::start().await;
    let transcript = json!({"sessionId": "s-1", "messages": [
        {"role": "persona", "message": "second", "timestamp": "2026-11-01T10:00:05Z"},
        {"role": "user", "message": "first", "timestamp": "2026-11-01T10:00:01Z"}]});
    Mock::given(path("/v1/sessions/s-1/transcript"))
        .respond_with(ResponseTemplate::new(200).set_body_json(transcript))
        .mount(&server)
        .await;
    Mock::given(path("/v1/sessions/s-1/recording"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"recordingUrl": "https://cdn/x.mp4?X-Amz-Signature=s"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1/sessions/analytics"))
        .and(query_param("clientLabel", "web"))
        .and(query_param("from", "2026-11-01T00:00:00Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionCount": 3})))
        .mount(&server)
        .await;
    let sessions = client(&server).sessions();
    let messages = sessions.transcript("s-1").await.unwrap().messages.unwrap();
    assert_eq!(messages.iter().map(|m| m.message.clone().unwrap()).collect::<Vec<_>>(), ["first", "second"]);
    let recording = sessions.recording("s-1").await.unwrap();
    assert_eq!(recording.expires_at - recording.fetched_at, chrono::Duration::hours(1));
    assert!(!format!("{recording:?}").contains("Signature"), "the URL is a secret");
    let from = "2026-11-01T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let query = anam::SessionAnalyticsQuery::between(from, from + chrono::Duration::days(7)).client_label("web");
    assert_eq!(sessions.aggregated_analytics(query).await.unwrap().session_count, Some(3));
    let long = anam::SessionAnalyticsQuery::between(from, from + chrono::Duration::days(40));
    assert_eq!(sessions.aggregated_analytics(long).await.unwrap_err().to_string().split(" is ").next(), Some("from"));
}
