//! The fake refuses what the spec refuses, as it arrives on the wire (raw requests, not the SDK,
//! which refuses them before sending): `format: uri` fields, the file size limits of the forms
//! (`x-anam-max-bytes`), and it answers every 400 in one shape (the validation shape, which the
//! spec's meeting-invite `oneOf` tells apart from the plain one) and every other error in the
//! plain one.

use anam_mock::MockServer;
use serde_json::{Value, json};

/// Sends `body` (JSON, or raw text when a string) with `method` to `path`: the status and body.
async fn call(mock: &MockServer, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", mock.base_url()));
    request = request.bearer_auth(mock.api_key());
    request = match body {
        Some(Value::String(raw)) => request.header("content-type", "application/json").body(raw),
        Some(json) => request.json(&json),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The field a 400 names.
fn field(body: &Value) -> &str {
    body["details"][0]["path"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_field_the_spec_says_is_a_uri_must_be_one() {
    let mock = MockServer::start().await;
    let llm = |urls: Value| json!({"displayName": "Mine", "urls": urls, "llmFormat": "openai", "modelName": "m", "secret": "sk"});
    for (urls, expected) in [
        (json!([{"url": ""}]), "urls[0].url"),
        (json!([{"url": "https://a.example/v1"}, {"url": "not a url"}]), "urls[1].url"),
        (json!([]), "urls"),
    ] {
        let (status, body) = call(&mock, "POST", "/v1/llms", Some(llm(urls.clone()))).await;
        assert_eq!((status, field(&body)), (400, expected), "{urls}: {body}");
    }
    let (status, created) = call(&mock, "POST", "/v1/llms", Some(llm(json!([{"url": "https://a.example/v1"}])))).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/v1/llms/{}", created["id"].as_str().unwrap());
    let (status, body) = call(&mock, "PUT", &path, Some(json!({"url": ""}))).await;
    assert_eq!((status, field(&body)), (400, "url"), "{body}");
    let (_, stored) = call(&mock, "GET", &path, None).await;
    assert_eq!(stored["urls"][0]["url"], "https://a.example/v1", "nothing was stored");

    let tool = json!({"name": "t", "description": "d", "type": "SERVER_WEBHOOK",
        "config": {"url": "crm lookup", "method": "GET"}});
    let (status, body) = call(&mock, "POST", "/v1/tools", Some(tool)).await;
    assert_eq!((status, field(&body)), (400, "config.url"), "{body}");
    let tool = json!({"name": "t", "description": "d", "type": "CLIENT", "config": {"url": "https://crm.example"}});
    let (status, body) = call(&mock, "POST", "/v1/tools", Some(tool)).await;
    assert_eq!((status, field(&body)), (400, "config.url"), "a client tool takes no url: {body}");
    let avatar = json!({"displayName": "Alex", "imageUrl": "alex.jpg"});
    let (status, body) = call(&mock, "POST", "/v1/avatars", Some(avatar)).await;
    assert_eq!((status, field(&body)), (400, "imageUrl"), "{body}");
    let link = json!({"personaId": "p", "usageLimit": 0});
    let (status, body) = call(&mock, "POST", "/v1/share-links", Some(link)).await;
    assert_eq!((status, field(&body)), (400, "usageLimit"), "{body}");
}

/// The keys of a JSON object, sorted.
fn keys(body: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = body.as_object().into_iter().flatten().map(|(k, _)| k.as_str()).collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn every_400_has_the_validation_shape_and_every_other_error_the_plain_one() {
    let mock = MockServer::start().await;
    let validation = ["details", "error", "summary"];
    let invites = "/v1/meetings/invites";
    for body in [
        json!("{not json"),
        json!({"meetingUrl": "https://example.com/call", "personaId": "p"}),
        json!({"meetingUrl": "https://meet.google.com/abc-defg-hij"}),
        json!({"meetingUrl": "https://meet.google.com/abc-defg-hij", "personaConfig": {}}),
    ] {
        let (status, answer) = call(&mock, "POST", invites, Some(body.clone())).await;
        assert_eq!((status, keys(&answer)), (400, validation.to_vec()), "{body}: {answer}");
    }
    let session = uuid_session(&mock);
    let stop = format!("/v1/sessions/{session}/stop");
    let (status, answer) = call(&mock, "POST", &stop, None).await;
    assert_eq!((status, keys(&answer)), (400, validation.to_vec()), "an ended session's stop: {answer}");
    mock.inject_for(anam_mock::Operation::ListTools, anam_mock::Fault::status(400), 1);
    let (status, answer) = call(&mock, "GET", "/v1/tools", None).await;
    assert_eq!((status, keys(&answer)), (400, validation.to_vec()), "an injected 400: {answer}");
    for (method, path) in [("GET", "/v1/tools/11111111-1111-4111-8111-111111111111"), ("GET", "/v1/nothing")] {
        let (status, answer) = call(&mock, method, path, None).await;
        assert_eq!((status, keys(&answer)), (404, vec!["error"]), "{path}: {answer}");
    }
}

/// A session of the fake that has ended, by its id.
fn uuid_session(mock: &MockServer) -> String {
    let session = serde_json::from_value(json!({
        "id": "5e0b7a0e-0000-4000-8000-00000000aaaa", "startTime": "2026-07-01T10:00:00Z",
        "endTime": "2026-07-01T10:05:00Z", "sessionType": "turnkey",
    }))
    .unwrap();
    mock.insert_session(anam_mock::SessionRecord::new(session)).to_string()
}

#[tokio::test]
async fn a_file_over_its_fields_limit_in_the_spec_is_refused() {
    let mock = MockServer::start().await;
    let limit = anam::Operation::CreateVoice.form_fields().find(|f| f.field == "audioFile").unwrap();
    let limit = limit.max_bytes.unwrap() as usize;
    for (size, expected) in [(limit, 201), (limit + 1, 400)] {
        let boundary = "anam-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nMe\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"audioFile\"; filename=\"me.wav\"\r\n\
             Content-Type: audio/wav\r\n\r\n"
        )
        .into_bytes();
        body.resize(body.len() + size, b'a');
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let response = reqwest::Client::new()
            .post(format!("{}/v1/voices", mock.base_url()))
            .bearer_auth(mock.api_key())
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, expected, "{size} bytes: {answer}");
        if expected == 400 {
            assert_eq!(field(&answer), "audioFile", "{answer}");
        }
    }
}
