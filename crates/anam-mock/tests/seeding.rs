//! Records inserted with the ids and times a test chooses are answered as stored: a persona
//! with the objects it names and its share link, a meeting invite as it was left, and a
//! document that moves on from `PROCESSING` as an upload does and is searched once `READY`.

use anam::types::{KnowledgeDocumentStatus, MeetingInviteStatus};
use anam::{ListMeetingInvites, SearchKnowledge};
use anam_mock::MockServer;
use serde_json::json;

fn client(mock: &MockServer) -> anam::Client {
    anam::Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build().unwrap()
}

#[tokio::test]
async fn a_persona_and_its_share_link_are_answered_as_inserted_with_whole_references() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = serde_json::from_value(json!({
        "id": "11111111-0000-4000-8000-000000000001", "name": "Fixed",
        "avatar": {"id": "071b0286-4cce-4808-bee2-e642f1062de3"},
        "tools": [{"id": "00000000-0000-0000-0000-000000000000"}],
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-02T00:00:00Z",
    }))
    .unwrap();
    mock.insert_persona(persona);
    let link = serde_json::from_value(json!({
        "id": "22222222-0000-4000-8000-000000000001", "token": "sh_fixed", "isPrimary": true, "enabled": true,
        "personaId": "11111111-0000-4000-8000-000000000001", "personaName": "Fixed", "usageLimit": 5,
    }))
    .unwrap();
    mock.insert_share_link(link);

    let read = client.personas().get("11111111-0000-4000-8000-000000000001").await.unwrap();
    assert_eq!(read.updated_at.unwrap().to_rfc3339(), "2026-01-02T00:00:00+00:00");
    assert_eq!(read.avatar.and_then(|a| a.display_name).as_deref(), Some("Liv"));
    assert_eq!(read.tools.unwrap()[0].name.as_deref(), Some("open_calendar"));
    assert_eq!(
        read.primary_share_link.and_then(|l| l.token).map(|t| t.expose_secret().to_owned()).as_deref(),
        Some("sh_fixed")
    );
    let links = client.share_links().get("22222222-0000-4000-8000-000000000001").await.unwrap();
    assert_eq!(links.usage_limit, Some(5));
}

#[tokio::test]
async fn an_inserted_invite_keeps_its_status() {
    let mock = MockServer::start().await;
    let invite = serde_json::from_value(json!({
        "id": "33333333-0000-4000-8000-000000000001", "status": "ended", "joinState": "done",
        "meetingUrl": "https://zoom.us/j/1", "provider": "zoom", "createdAt": "2026-01-01T00:00:00Z",
    }))
    .unwrap();
    mock.insert_meeting_invite(invite);
    let invites = client(&mock).meeting_invites().list_all(ListMeetingInvites::new()).await.unwrap();
    assert_eq!(invites.len(), 1);
    assert_eq!(invites[0].status, Some(MeetingInviteStatus::Ended));
}

#[tokio::test]
async fn an_inserted_document_moves_on_as_an_upload_and_is_searched_once_ready() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let group = serde_json::from_value(json!({"id": "44444444-0000-4000-8000-000000000001", "name": "Docs"})).unwrap();
    mock.insert_knowledge_group(group);
    let document = |id: &str, status: &str| {
        serde_json::from_value(json!({
            "id": id, "knowledgeFolderId": "44444444-0000-4000-8000-000000000001", "filename": "hours.md",
            "status": status,
        }))
        .unwrap()
    };
    mock.insert_knowledge_document(document("55555555-0000-4000-8000-000000000001", "PROCESSING"), "Open at nine.");
    let search =
        || client.knowledge_groups().search("44444444-0000-4000-8000-000000000001", SearchKnowledge::new("nine"));
    assert!(search().await.unwrap().is_empty(), "not searched while processing");
    let get = || client.knowledge_documents().get("55555555-0000-4000-8000-000000000001");
    assert_eq!(get().await.unwrap().status, Some(KnowledgeDocumentStatus::Processing), "one read, as an upload");
    assert_eq!(get().await.unwrap().status, Some(KnowledgeDocumentStatus::Ready));
    assert_eq!(search().await.unwrap().len(), 1);

    mock.insert_knowledge_document(document("55555555-0000-4000-8000-000000000002", "READY"), "Nine again.");
    assert_eq!(search().await.unwrap().len(), 2, "a ready one at once");
    let group = client.knowledge_groups().get("44444444-0000-4000-8000-000000000001").await.unwrap();
    assert_eq!(group.document_count, Some(2));
}
