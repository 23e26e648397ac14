//! The SDK's hand-finished builders and helpers against the fake, end to end: documents waited
//! for until processed (or failed, or late), webhook tools whose header values stay secret,
//! knowledge tools on groups, share links, LLMs, meeting invites, voices and avatars uploaded.

use std::time::Duration;

use anam::types::{KnowledgeDocumentStatus, LlmFormat, ToolWebhookMethod};
use anam::{
    Client, CreateKnowledgeGroup, CreateLlm, CreateMeetingInvite, CreatePersona, CreateShareLink, CreateTool, Error,
    Upload, UploadAvatar, UploadDocument, UploadVoice, WaitForDocument,
};
use anam_mock::MockServer;

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .initial_backoff(Duration::from_millis(10))
        .build()
        .unwrap()
}

fn quick() -> WaitForDocument {
    WaitForDocument::default().first_interval(Duration::from_millis(5)).max_interval(Duration::from_millis(20))
}

#[tokio::test]
async fn waiting_for_a_document_returns_it_ready_or_says_why_not() {
    let mock = MockServer::start().await;
    mock.set_document_reads_until_ready(3);
    let client = client(&mock);
    let group = client.knowledge_groups().create(CreateKnowledgeGroup::new("Handbook")).await.unwrap();
    let upload = UploadDocument::new(Upload::bytes("hours.md", "We open at nine."));
    let document = client.knowledge_groups().upload(&group.id, upload).await.unwrap();
    assert_eq!(document.status, Some(KnowledgeDocumentStatus::Processing));
    let ready = client.knowledge_documents().wait_until_processed(&document.id, quick()).await.unwrap();
    assert_eq!(ready.status, Some(KnowledgeDocumentStatus::Ready));
    let hits = client.knowledge_groups().search(&group.id, anam::SearchKnowledge::new("open")).await.unwrap();
    assert_eq!(hits.first().and_then(|h| h.document_id.clone()), Some(document.id.clone()));

    let failing = UploadDocument::new(Upload::bytes("fail-scan.pdf", "%PDF"));
    let failing = client.knowledge_groups().upload(&group.id, failing).await.unwrap();
    let err = client.knowledge_documents().wait_until_processed(&failing.id, quick()).await.unwrap_err();
    let Error::Processing(processing) = &err else { panic!("expected a processing error, got {err:?}") };
    assert!(processing.failed && err.to_string().contains("failed to process"), "{err}");

    mock.set_document_reads_until_ready(1_000_000);
    let slow =
        client.knowledge_groups().upload(&group.id, UploadDocument::new(Upload::bytes("slow.md", "x"))).await.unwrap();
    let wait = quick().timeout(Duration::from_millis(60));
    let err = client.knowledge_documents().wait_until_processed(&slow.id, wait).await.unwrap_err();
    assert!(matches!(&err, Error::Processing(p) if !p.failed), "{err:?}");
    assert!(err.to_string().contains("is still PROCESSING"), "{err}");
}

#[tokio::test]
async fn tools_of_every_kind_reach_the_fake_and_a_header_stays_secret() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let group = client.knowledge_groups().create(CreateKnowledgeGroup::new("Docs")).await.unwrap();
    let webhook =
        CreateTool::webhook("crm_lookup", "Find a customer.", "https://crm.example.com/find", ToolWebhookMethod::Post)
            .header("Authorization", "Bearer crm-s3cr3t-value");
    let webhook = client.tools().create(webhook).await.unwrap();
    let shown = format!("{webhook:?}");
    assert!(!shown.contains("crm-s3cr3t-value"), "{shown}");
    let headers = webhook.config.as_ref().and_then(|c| c.headers.clone()).unwrap_or_default();
    assert_eq!(
        headers.get("Authorization").map(|v| v.expose_secret().to_owned()),
        Some("Bearer crm-s3cr3t-value".into())
    );
    let knowledge =
        client.tools().create(CreateTool::knowledge("search_docs", "Search the docs.", [&group.id])).await.unwrap();
    let folders = knowledge.config.and_then(|c| c.document_folder_ids).unwrap_or_default();
    assert_eq!(folders.len(), 1);
    assert_eq!(folders[0], group.id);
    let persona = client.personas().create(CreatePersona::cara().tool_ids([&webhook.id, &knowledge.id])).await.unwrap();
    assert_eq!(persona.tools.map(|t| t.len()), Some(2));
    let missing = CreateTool::knowledge("ghost", "Searches nothing.", ["no-such-group"]);
    assert!(client.tools().create(missing).await.unwrap_err().status().is_some_and(|s| s.is_client_error()));
}

#[tokio::test]
async fn share_links_llms_meetings_voices_and_avatars_are_made_through_their_builders() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(CreatePersona::cara()).await.unwrap();
    let link = client.share_links().create(CreateShareLink::new(&persona.id).usage_limit(3)).await.unwrap();
    assert_eq!(link.usage_limit, Some(3));
    assert!(!format!("{link:?}").contains(link.token.as_ref().map_or("x", |t| t.expose_secret())));

    let llm = CreateLlm::new("Ours", LlmFormat::Openai, "gpt-4o", "sk-upstream-key")
        .url("https://api.openai.com/v1/chat/completions");
    let llm = client.llms().create(llm).await.unwrap();
    assert_eq!(mock.llm_secret(&llm.id).map(|s| s.expose_secret().to_owned()), Some("sk-upstream-key".into()));

    let invite = client
        .meeting_invites()
        .create(CreateMeetingInvite::persona("https://meet.google.com/abc-defg-hij", &persona.id).display_name("Cara"))
        .await
        .unwrap();
    assert_eq!(invite.display_name.as_deref(), Some("Cara (AI)"));

    let voice = client.voices().upload(UploadVoice::new("Mine", Upload::bytes("me.wav", "RIFF"))).await.unwrap();
    assert_eq!(client.voices().get(&voice.id).await.unwrap().display_name.as_deref(), Some("Mine"));
    let avatar = client.avatars().upload(UploadAvatar::new("Alex", Upload::bytes("alex.png", "PNG"))).await.unwrap();
    client.avatars().delete_permanently(&avatar.id).await.unwrap();
    assert!(client.avatars().get_opt(&avatar.id).await.unwrap().is_none());
}
