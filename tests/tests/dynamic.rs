//! Every operation through `anam::dynamic` (what the CLI and the MCP server run): chosen at run
//! time, inputs as JSON, answers as JSON with their secrets masked.

use std::time::Duration;

use anam::dynamic::Request;
use anam::{Client, Operation, Upload};
use anam_mock::MockServer;
use futures::TryStreamExt;
use serde_json::{Value, json};

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .initial_backoff(Duration::from_millis(5))
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_operation_of_the_spec_reaches_the_fake_as_itself() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    for &op in Operation::ALL {
        let mut request = Request::new(op).args(anam_tests::sample_args(op));
        if op.inputs().iter().any(|i| i.kind == anam::api::facts::InputKind::File) {
            request = request.file(Upload::bytes("hours.md", "We open at nine."));
        }
        if let Err(error) = client.call(request).await {
            // The fake may refuse the sample (an unknown id is a 404); the SDK must not.
            assert!(error.as_api().is_some(), "{}: {error}", op.id());
        }
        assert_eq!(mock.requests(op), 1, "{} reached the fake once, as itself", op.id());
    }
    assert_eq!(mock.unmatched_requests(), 0);
}

#[tokio::test]
async fn inputs_are_checked_by_name_kind_enum_and_range_before_anything_is_sent() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let refused = |request: Request| {
        let client = client.clone();
        async move { client.call(request).await.unwrap_err().to_string() }
    };
    let list = || Request::new(Operation::ListPersonas);
    assert_eq!(
        refused(list().arg("per_page", 5)).await,
        "per_page is given, but must be one of the inputs of listPersonas: page, perPage, search"
    );
    assert_eq!(refused(list().arg("perPage", "many")).await, "perPage is \"many\", but must be a whole number");
    assert_eq!(refused(list().arg("perPage", 101)).await, "perPage is 101, but must be between 1 and 100");
    assert_eq!(
        refused(Request::new(Operation::GetPersona)).await,
        "id is missing, but must be given: the operation requires it"
    );
    let avatars = Request::new(Operation::ListAvatars).arg("renderStyle", "cubist");
    assert!(refused(avatars).await.starts_with("renderStyle is \"cubist\", but must be one of all, realistic"));
    let create =
        Request::new(Operation::CreatePersona).arg("voiceDetectionOptions", json!({"endOfSpeechSensitivity": "high"}));
    assert_eq!(refused(create).await, "voiceDetectionOptions.endOfSpeechSensitivity is \"high\", but must be a number");
    let create =
        Request::new(Operation::CreatePersona).arg("voiceDetectionOptions", json!({"endOfSpeechSensitivity": 1.5}));
    assert_eq!(
        refused(create).await,
        "voiceDetectionOptions.endOfSpeechSensitivity is 1.5, but must be between 0 and 1"
    );
    assert_eq!(
        refused(Request::new(Operation::CreateShareLink)).await,
        "personaId is missing, but must be given: it is required"
    );
    assert!(Request::from_id("listPersons").unwrap_err().to_string().contains("operationId"));
    assert_eq!(mock.total_requests(), 0, "nothing was sent");
}

#[tokio::test]
async fn strings_are_read_as_the_kind_an_input_takes() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let request = Request::new(Operation::ListPersonas).arg("perPage", "2").arg("page", "1");
    let page = client.call(request).await.unwrap();
    assert_eq!(page["meta"]["perPage"], json!(2));
    let request = Request::from_id("createPersona").unwrap().arg("name", "42").arg("skipGreeting", "true");
    let persona = client.call(request).await.unwrap();
    assert_eq!(
        (persona["name"].clone(), persona["skipGreeting"].clone()),
        (json!("42"), json!(true)),
        "a text stays a text"
    );
}

#[tokio::test]
async fn secrets_are_masked_wherever_the_answer_holds_them_unless_asked_for() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let webhook = Request::new(Operation::CreateTool).args(
        json!({"name": "crm", "description": "Find a customer.", "type": "SERVER_WEBHOOK",
               "config": {"url": "https://crm.example.com/find", "method": "POST", "headers": {"Authorization": "Bearer s3cret"}}})
        .as_object()
        .unwrap()
        .clone(),
    );
    let tool = client.call(webhook).await.unwrap();
    assert_eq!(tool["config"]["headers"]["Authorization"], json!("[redacted]"));
    let persona = Request::new(Operation::CreatePersona).arg("name", "Front").arg("toolIds", json!([tool["id"]]));
    let persona = client.call(persona).await.unwrap();
    let link = Request::new(Operation::CreateShareLink).arg("personaId", persona["id"].clone());
    let link = client.call(link).await.unwrap();
    assert_eq!(link["token"], json!("[redacted]"));
    let get = Request::new(Operation::GetPersona).arg("id", persona["id"].clone());
    let shown = client.call(get.clone()).await.unwrap().to_string();
    assert!(!shown.contains("s3cret"), "the persona's tools' headers: {shown}");
    let token = mock.share_links().pop().unwrap().token.unwrap();
    assert!(!shown.contains(token.expose_secret()), "the persona's share links");
    let tools: Vec<Value> = client.call_pages(Request::new(Operation::ListTools)).try_collect().await.unwrap();
    assert!(!serde_json::to_string(&tools).unwrap().contains("s3cret"));
    let revealed = client.call(get.reveal_secrets(true)).await.unwrap().to_string();
    assert!(revealed.contains("s3cret") && revealed.contains(token.expose_secret()), "shown when asked for");
}

#[tokio::test]
async fn an_upload_goes_as_a_form_with_its_file() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let group = client.call(Request::new(Operation::CreateKnowledgeGroup).arg("name", "Handbook")).await.unwrap();
    let upload = Request::new(Operation::UploadKnowledgeGroupDocument).arg("id", group["id"].clone());
    let missing = client.call(upload.clone()).await.unwrap_err().to_string();
    assert_eq!(missing, "file is missing, but must be a file to upload");
    let document = client.call(upload.file(Upload::bytes("hours.md", "We open at nine."))).await.unwrap();
    assert_eq!(document["filename"], json!("hours.md"));
    let not_here = Request::new(Operation::ListPersonas).file(Upload::bytes("a.md", "a"));
    assert!(client.call(not_here).await.unwrap_err().to_string().contains("uploads no file"));
    let voice = Request::new(Operation::CreateVoice).arg("name", "Mine").file(Upload::bytes("clip.wav", "RIFF"));
    assert_eq!(
        client.call(voice).await.unwrap()["displayName"],
        json!("Mine"),
        "a file makes the JSON operation a form"
    );
}

#[tokio::test]
async fn pages_are_followed_to_the_end() {
    let mock = MockServer::start().await;
    for n in 0..230 {
        mock.insert(anam::types::PersonaCreate { name: Some(format!("P{n}")), ..Default::default() });
    }
    let client = client(&mock);
    let all: Vec<Value> = client.call_pages(Request::new(Operation::ListPersonas)).try_collect().await.unwrap();
    assert_eq!(all.len(), 230);
    assert_eq!(mock.requests(Operation::ListPersonas), 3, "100 a page");
    let groups: Vec<Value> =
        client.call_pages(Request::new(Operation::ListKnowledgeGroups)).try_collect().await.unwrap();
    assert!(groups.is_empty(), "an unpaged list is one page");
}
