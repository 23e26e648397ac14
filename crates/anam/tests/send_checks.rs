//! `Client::send` makes the checks the builders make wherever the spec can say them (ranges,
//! `format: uri`, `minItems`, `minProperties`, `x-anam-max-json-bytes`, `x-anam-tool-types`,
//! `x-anam-period`): a generated builder sent directly is refused before anything is sent, with
//! the same field named as the builder's error.

use anam::chrono::{Duration, Utc};
use anam::types::{LlmCreate, LlmUpdate, MeetingInviteCreate, ShareLinkCreate, ToolCreate, ToolUpdate};
use anam::{Client, Error};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_and_client() -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = Client::builder().api_key("sk-test").base_url(server.uri()).build().unwrap();
    (server, client)
}

/// The field a refused call named.
fn refused<T: std::fmt::Debug>(outcome: anam::Result<T>) -> String {
    match outcome {
        Err(Error::Validation(error)) => error.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn the_aggregated_analytics_period_is_checked_as_the_builder_checks_it() {
    let (server, client) = server_and_client().await;
    let (now, year_ago) = (Utc::now(), Utc::now() - Duration::days(365));
    let call = client.api().get_aggregated_session_analytics().from(year_ago).to(now);
    assert_eq!(refused(client.send(call).await), "from");
    let since = client.api().get_aggregated_session_analytics().from(year_ago);
    let err = client.send(since).await.unwrap_err().to_string();
    assert!(err.contains("but must be at most 31 days before now (to is unset)"), "{err}");
    let backwards = client.api().get_aggregated_session_analytics().from(now).to(year_ago);
    assert_eq!(refused(client.send(backwards).await), "from");
    let builder = anam::SessionAnalyticsQuery::between(year_ago, now);
    assert_eq!(refused(client.sessions().aggregated_analytics(builder).await), "from", "the same rule");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
    let week = client.api().get_aggregated_session_analytics().from(now - Duration::days(7)).to(now);
    client.send(week).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "a period within the limit is sent");
}

#[tokio::test]
async fn uris_lists_objects_and_tool_configs_are_checked_as_the_spec_says() {
    let (server, client) = server_and_client().await;
    let llm = |urls: serde_json::Value| -> LlmCreate {
        body(json!({"displayName": "x", "llmFormat": "openai", "modelName": "m", "secret": "s", "urls": urls}))
    };
    let empty_url = client.api().create_llm().body(llm(json!([{"url": "https://a.example"}, {"url": ""}])));
    assert_eq!(refused(client.send(empty_url).await), "urls[1].url");
    assert_eq!(refused(client.send(client.api().create_llm().body(llm(json!([])))).await), "urls");
    let update: LlmUpdate = body(json!({"url": "not a url"}));
    assert_eq!(refused(client.send(client.api().update_llm().id("l-1").body(update)).await), "url");
    let tool: ToolCreate = body(json!({"name": "t", "description": "d", "type": "CLIENT",
        "config": {"url": "https://crm.example.com"}}));
    assert_eq!(refused(client.send(client.api().create_tool().body(tool)).await), "config.url");
    let tool: ToolCreate = body(json!({"name": "t", "description": "d", "type": "SERVER_WEBHOOK",
        "config": {"url": "https://crm.example.com"}}));
    assert_eq!(refused(client.send(client.api().create_tool().body(tool)).await), "config.method");
    let retyped: ToolUpdate = body(json!({"type": "SYSTEM", "config": {"awaitResult": true}}));
    let call = client.api().update_tool().id("00000000-0000-0000-0000-000000000000").body(retyped);
    assert_eq!(refused(client.send(call).await), "config.awaitResult");
    let invite: MeetingInviteCreate = body(json!({"meetingUrl": "https://meet.google.com/abc", "personaConfig": {}}));
    assert_eq!(refused(client.send(client.api().create_meeting_invite().body(invite)).await), "personaConfig");
    let link: ShareLinkCreate = body(json!({"personaId": "p", "usageLimit": 0}));
    assert_eq!(refused(client.send(client.api().create_share_link().body(link)).await), "usageLimit");
    let big = json!({"personaConfig": {"avatarId": "a", "tools": [{"type": "client", "name": "t",
        "parameters": {"d": "x".repeat(20_000)}}]}});
    let call = client.api().create_session_token().body(body::<anam::types::SessionTokenRequest>(big));
    assert_eq!(refused(client.send(call).await), "personaConfig.tools[0].parameters");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}
