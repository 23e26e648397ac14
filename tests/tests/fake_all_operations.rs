//! End to end against the fake, for the operations beyond personas and the catalogue: each sent
//! through the SDK's generic path (`client.send(client.api().<operation>()...)`) or a resource
//! handle, and the multipart uploads (which the SDK does not build yet) with reqwest.

use std::time::Duration;

use anam::types::{
    KnowledgeDocumentStatus, KnowledgeGroup, MeetingInviteStatus, Session, SessionAnalyticsTurn, SessionToolCallDetail,
    SessionType, TranscriptMessage,
};
use anam::{Client, Error, ListMeetingInvites, ListSessions, ListShareLinks};
use anam_mock::{Concurrency, MockServer, Operation, SessionRecord};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .initial_backoff(Duration::from_millis(10))
        .build()
        .unwrap()
}

/// A generated type from JSON, for bodies and seeds.
fn from<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// The status and the field the fake's 400 names.
fn refused(error: &Error) -> (u16, String) {
    let api = error.as_api().expect("an answer from the fake");
    let field = api.details.first().and_then(|d| d.path.as_ref()).and_then(|p| p.as_str()).unwrap_or_default();
    (api.status.as_u16(), field.to_owned())
}

/// A `multipart/form-data` body of text fields and files (`(name, file name, bytes)`).
fn form(texts: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "anam-mock-test-boundary";
    let mut body = Vec::new();
    for (name, value) in texts {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    for (name, file, bytes) in files {
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        );
        body.extend(head.bytes());
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs a form to the fake, and the answer's status and JSON body.
async fn post_form(mock: &MockServer, path: &str, form: (String, Vec<u8>)) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", mock.base_url()))
        .bearer_auth(mock.api_key())
        .header("content-type", form.0)
        .body(form.1)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// POSTs JSON to the fake, around the SDK's checks: the status and JSON body.
async fn post_json(mock: &MockServer, path: &str, body: &Value) -> (u16, Value) {
    let url = format!("{}{path}", mock.base_url());
    let response = reqwest::Client::new().post(url).json(body).bearer_auth(mock.api_key()).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn group(client: &Client, name: &str) -> KnowledgeGroup {
    client.knowledge_groups().create(from::<anam::types::KnowledgeGroupCreate>(json!({"name": name}))).await.unwrap()
}

#[tokio::test]
async fn documents_are_uploaded_processed_searched_and_cleaned_up_with_their_group() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let docs = group(&client, "Product docs").await;
    let text = "To reset your password open Settings. Billing questions go to the billing team.";
    let upload = form(&[("chunkSize", "40"), ("chunkOverlap", "5")], &[("file", "faq.txt", text.as_bytes())]);
    let (status, uploaded) = post_form(&mock, &format!("/v1/knowledge/groups/{}/documents", docs.id), upload).await;
    assert_eq!((status, uploaded["status"].as_str()), (201, Some("PROCESSING")), "{uploaded}");
    let id: anam::KnowledgeDocumentId = uploaded["id"].as_str().unwrap().into();

    let search = || {
        client
            .api()
            .search_knowledge_group()
            .id(docs.id.clone())
            .body(from::<anam::types::KnowledgeSearchRequest>(json!({"query": "reset password"})))
    };
    assert!(client.send(search()).await.unwrap().is_empty(), "a PROCESSING document is not searched");
    let first = client.knowledge_documents().get(&id).await.unwrap();
    assert_eq!(first.status, Some(KnowledgeDocumentStatus::Processing), "one read answers PROCESSING");
    let second = client.knowledge_documents().get(&id).await.unwrap();
    assert_eq!(second.status, Some(KnowledgeDocumentStatus::Ready));
    let found = client.send(search()).await.unwrap();
    assert_eq!(found[0].chunk_index, Some(0), "the chunk with both words comes first");
    assert_eq!(found[0].score, Some(1.0));
    assert!(found.iter().all(|r| r.document_id.as_ref() == Some(&id)));
    let limited = client.api().search_knowledge_group().id(docs.id.clone()).body(from::<
        anam::types::KnowledgeSearchRequest,
    >(
        json!({"query": "billing password", "limit": 1}),
    ));
    assert_eq!(client.send(limited).await.unwrap().len(), 1);

    let renamed = client
        .knowledge_documents()
        .update(&id, from::<anam::types::KnowledgeDocumentUpdate>(json!({"filename": "help.txt"})))
        .await
        .unwrap();
    assert_eq!(renamed.filename.as_deref(), Some("help.txt"));
    let download = client.send(client.api().get_knowledge_document_download().id(id.clone())).await.unwrap();
    assert_eq!(download.filename.as_deref(), Some("help.txt"));
    assert!(download.download_url.expose_secret().contains(id.as_str()));
    let listed = client.send(client.api().list_knowledge_group_documents().id(docs.id.clone())).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(client.knowledge_groups().get(&docs.id).await.unwrap().document_count, Some(1));
    assert_eq!(mock.knowledge_groups()[0].document_count, Some(1));

    // A knowledge tool names the group; deleting the group takes it out of the tool.
    let tool = json!({"name": "search_docs", "description": "Search the docs.", "type": "SERVER_RAG",
        "config": {"documentFolderIds": [docs.id]}});
    let tool = client.tools().create(from::<anam::types::ToolCreate>(tool)).await.unwrap();
    client.knowledge_groups().delete(&docs.id).await.unwrap();
    let tool = client.tools().get(&tool.id).await.unwrap();
    assert_eq!(tool.config.and_then(|c| c.document_folder_ids), Some(Vec::new()));
    assert!(client.knowledge_documents().get_opt(&id).await.unwrap().is_none(), "its documents went with it");
    assert_eq!(mock.requests(Operation::UploadKnowledgeGroupDocument), 1);
}

#[tokio::test]
async fn uploads_are_checked_and_documents_can_fail() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let docs = group(&client, "Docs").await;
    let path = format!("/v1/knowledge/groups/{}/documents", docs.id);
    let (status, body) = post_form(&mock, &path, form(&[], &[("file", "movie.mp4", b"x")])).await;
    assert_eq!((status, body["details"][0]["path"].as_str()), (400, Some("file")));
    let (status, body) =
        post_form(&mock, &path, form(&[("chunkSize", "10"), ("chunkOverlap", "10")], &[("file", "a.md", b"x")])).await;
    assert_eq!((status, body["details"][0]["path"].as_str()), (400, Some("chunkOverlap")));
    let (status, _) =
        post_form(&mock, "/v1/knowledge/groups/nope/documents", form(&[], &[("file", "a.md", b"x")])).await;
    assert_eq!(status, 404);
    let json = reqwest::Client::new()
        .post(format!("{}{path}", mock.base_url()))
        .bearer_auth(mock.api_key())
        .json(&json!({"name": "a.md", "content": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status().as_u16(), 400, "the upload is multipart only, as Anam's document says");

    mock.set_document_reads_until_ready(0);
    let (_, failing) = post_form(&mock, &path, form(&[], &[("file", "failing.csv", b"a,b")])).await;
    let failing = client.knowledge_documents().get(failing["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(failing.status, Some(KnowledgeDocumentStatus::Failed));
    let (_, other) = post_form(&mock, &path, form(&[], &[("file", "ok.pdf", b"%PDF")])).await;
    assert!(mock.fail_document(other["id"].as_str().unwrap(), "Could not parse the PDF"));
    let other = client.knowledge_documents().get(other["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(
        (other.status, other.error_message.as_deref()),
        (Some(KnowledgeDocumentStatus::Failed), Some("Could not parse the PDF"))
    );
    assert!(!mock.fail_document("nope", "x"));
}

#[tokio::test]
async fn tools_are_checked_against_their_type_and_detached_when_deleted() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let webhook = json!({"name": "crm_lookup", "description": "Look up a customer.", "type": "SERVER_WEBHOOK",
        "config": {"url": "https://crm.example.com/hook", "method": "POST", "headers": {"Authorization": "Bearer s3cret"}}});
    let tool = client.send(client.api().create_tool().body(from::<anam::types::ToolCreate>(webhook))).await.unwrap();
    let no_url = json!({"name": "t2", "description": "d", "type": "SERVER_WEBHOOK", "config": {"method": "GET"}});
    let err = client.tools().create(from::<anam::types::ToolCreate>(no_url.clone())).await.unwrap_err();
    assert!(matches!(err, Error::Validation(ref v) if v.field == "config.url"), "the SDK refuses it first: {err:?}");
    let (status, answer) = post_json(&mock, "/v1/tools", &no_url).await;
    assert_eq!((status, answer["details"][0]["path"].as_str()), (400, Some("config.url")), "and so does the fake");
    let rag = json!({"name": "t3", "description": "d", "type": "SERVER_RAG", "config": {"documentFolderIds": ["no-such-group"]}});
    let err = client.tools().create(from::<anam::types::ToolCreate>(rag)).await.unwrap_err();
    assert_eq!(refused(&err), (400, "config.documentFolderIds[0]".into()));
    let dup = json!({"name": "crm_lookup", "description": "d", "type": "CLIENT"});
    assert_eq!(refused(&client.tools().create(from::<anam::types::ToolCreate>(dup)).await.unwrap_err()).1, "name");

    let renamed =
        client.tools().update(&tool.id, from::<anam::types::ToolUpdate>(json!({"name": "crm_find"}))).await.unwrap();
    assert_eq!(renamed.name.as_deref(), Some("crm_find"));
    let persona = client.personas().create(anam::CreatePersona::cara().tool_ids([tool.id.clone()])).await.unwrap();
    assert_eq!(persona.tools.as_ref().map(Vec::len), Some(1));
    assert_eq!(client.tools().get(&tool.id).await.unwrap().usage_count, Some(1), "one persona uses it");
    client.tools().delete(&tool.id).await.unwrap();
    assert_eq!(client.personas().get(&persona.id).await.unwrap().tools, Some(Vec::new()), "detached from the persona");
    assert!(client.tools().get_opt(&tool.id).await.unwrap().is_none());
}

#[tokio::test]
async fn share_links_belong_to_a_persona_the_fake_holds() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(anam::CreatePersona::cara().name("Cara")).await.unwrap();
    let create = |persona: &str| from::<anam::types::ShareLinkCreate>(json!({"personaId": persona, "usageLimit": 3}));
    let err = client.share_links().create(create("no-such-persona")).await.unwrap_err();
    assert!(err.is_not_found(), "404 Persona not found, as documented");
    let link = client.send(client.api().create_share_link().body(create(&persona.id))).await.unwrap();
    assert_eq!((link.usage_limit, link.is_primary), (Some(3), Some(true)));
    assert!(link.token.as_ref().is_some_and(|t| t.expose_secret().starts_with("sh_")));
    let second = client.share_links().create(create(&persona.id)).await.unwrap();
    assert_eq!(second.is_primary, Some(false), "a persona has one primary link");

    let listed = client.share_links().list(ListShareLinks::new().persona_id(persona.id.clone())).await.unwrap();
    assert_eq!((listed.data.len(), listed.meta.per_page), (2, 20));
    let got = client.share_links().get(&link.id).await.unwrap();
    assert_eq!(got.persona_name.as_deref(), Some("Cara"));
    let updated = client
        .share_links()
        .update(&link.id, from::<anam::types::ShareLinkUpdate>(json!({"usageLimit": 50})))
        .await
        .unwrap();
    assert_eq!(updated.usage_limit, Some(50));
    let err = client
        .share_links()
        .update(&link.id, from::<anam::types::ShareLinkUpdate>(json!({"usageLimit": 2.5})))
        .await
        .unwrap_err();
    assert_eq!(refused(&err), (400, "usageLimit".into()));
    let persona = client.personas().get(&persona.id).await.unwrap();
    assert_eq!(persona.share_links.map(|l| l.len()), Some(2), "the persona carries its links");
    assert_eq!(persona.primary_share_link.and_then(|p| p.token), link.token);

    client.share_links().delete(&second.id).await.unwrap();
    client.personas().delete(&persona.id).await.unwrap();
    assert!(mock.share_links().is_empty(), "a persona's links go with it");
}

#[tokio::test]
async fn meeting_invites_are_checked_listed_moved_on_and_cancelled() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(anam::CreatePersona::cara().name("Cara")).await.unwrap();
    let invite = |body: Value| client.meeting_invites().create(from::<anam::types::MeetingInviteCreate>(body));
    let created = invite(json!({"meetingUrl": "meet.google.com/abc-defg-hij", "personaId": persona.id})).await.unwrap();
    assert_eq!(created.status, Some(MeetingInviteStatus::Pending));
    assert_eq!(created.display_name.as_deref(), Some("Cara (AI)"));
    assert_eq!(created.meeting_url.as_ref().map(|u| u.expose_secret()), Some("https://meet.google.com/abc-defg-hij"));
    let err = invite(json!({"meetingUrl": "https://zoom.us/j/1", "personaId": "not-ours"})).await.unwrap_err();
    assert!(err.is_forbidden(), "a persona the organisation cannot use is a 403, as Anam documents");
    let err = invite(json!({"meetingUrl": "https://example.com/room", "personaId": persona.id})).await.unwrap_err();
    assert_eq!(refused(&err), (400, "meetingUrl".into()));
    let both = json!({"meetingUrl": "https://zoom.us/j/1", "personaId": persona.id, "personaConfig": {"name": "X"}});
    assert_eq!(refused(&invite(both).await.unwrap_err()), (400, "personaId".into()));
    let config =
        json!({"meetingUrl": "https://teams.microsoft.com/l/1", "personaConfig": {"voiceId": "no-such-voice"}});
    assert_eq!(refused(&invite(config).await.unwrap_err()).1, "personaConfig.voiceId");
    let later =
        invite(json!({"meetingUrl": "https://zoom.us/j/2", "personaId": persona.id, "displayName": "Ada (AI)"}))
            .await
            .unwrap();
    assert_eq!(later.display_name.as_deref(), Some("Ada (AI)"), "a suffix is not added twice");

    assert!(mock.update_meeting_invite(&later.id, |i| i.status = Some(MeetingInviteStatus::Active)));
    let active = client.meeting_invites().list(ListMeetingInvites::new().status("active")).await.unwrap();
    assert_eq!(active.data.iter().map(|i| &i.id).collect::<Vec<_>>(), [&later.id]);
    let all = client.send(client.api().list_meeting_invites()).await.unwrap();
    assert_eq!(all.data[0].id, later.id, "the most recent first");
    client.meeting_invites().delete(&created.id).await.unwrap();
    client.meeting_invites().delete(&created.id).await.unwrap();
    let cancelled = client.meeting_invites().get(&created.id).await.unwrap();
    assert_eq!(cancelled.status, Some(MeetingInviteStatus::Cancelled));
}

#[tokio::test]
async fn voices_are_cloned_from_an_upload_key_or_a_form_and_changed() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let presign = from::<anam::types::VoicePresignedUploadRequest>(
        json!({"filename": "me.wav", "contentType": "audio/wav", "fileSize": 1000}),
    );
    let upload = client.send(client.api().create_voice_presigned_upload().body(presign)).await.unwrap();
    assert!(upload.upload_url.expose_secret().starts_with("https://"));
    let clone = |key: &str| {
        client.api().create_voice().body(from::<anam::types::VoiceCreate>(json!({"name": "Me", "audioKey": key})))
    };
    let voice = client.send(clone(&upload.audio_key)).await.unwrap();
    assert_eq!(voice.display_name.as_deref(), Some("Me"));
    assert_eq!(refused(&client.send(clone("never-uploaded")).await.unwrap_err()), (400, "audioKey".into()));
    let video = from::<anam::types::VoicePresignedUploadRequest>(
        json!({"filename": "a.mp4", "contentType": "video/mp4", "fileSize": 1}),
    );
    let err = client.send(client.api().create_voice_presigned_upload().body(video)).await.unwrap_err();
    assert_eq!(refused(&err), (400, "contentType".into()));

    let (status, inline) =
        post_form(&mock, "/v1/voices", form(&[("name", "Inline")], &[("audioFile", "a.wav", b"RIFF")])).await;
    assert_eq!((status, inline["displayName"].as_str()), (201, Some("Inline")));
    let (status, body) = post_form(&mock, "/v1/voices", form(&[("name", "No file")], &[])).await;
    assert_eq!((status, body["details"][0]["path"].as_str()), (400, Some("audioFile")));

    let update =
        from::<anam::types::VoiceUpdate>(json!({"displayName": "Me, again", "gender": "FEMALE", "country": "GB"}));
    let changed = client.voices().update(&voice.id, update).await.unwrap();
    assert_eq!((changed.display_name.as_deref(), changed.country.as_deref()), (Some("Me, again"), Some("GB")));
    client.voices().delete(&voice.id).await.unwrap();
    assert!(client.voices().get_opt(&voice.id).await.unwrap().is_none());
}

#[tokio::test]
async fn avatars_are_made_from_a_url_or_a_file_renamed_and_deleted() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let body = from::<anam::types::AvatarCreate>(
        json!({"displayName": "Alex", "imageUrl": "https://example.com/alex.jpg", "avatarModel": "cara-4"}),
    );
    let alex = client.send(client.api().create_avatar().body(body)).await.unwrap();
    assert_eq!(
        (alex.image_url.as_deref(), alex.active_version.as_deref()),
        (Some("https://example.com/alex.jpg"), Some("cara-4"))
    );
    let (status, filed) =
        post_form(&mock, "/v1/avatars", form(&[("displayName", "Filed")], &[("imageFile", "me.png", b"\x89PNG")]))
            .await;
    assert_eq!(status, 201, "{filed}");
    let both =
        form(&[("displayName", "Both"), ("imageUrl", "https://example.com/a.png")], &[("imageFile", "me.png", b"x")]);
    assert_eq!(post_form(&mock, "/v1/avatars", both).await.0, 400);
    assert_eq!(post_form(&mock, "/v1/avatars", form(&[("displayName", "No")], &[])).await.0, 400);

    let one_shot = client.avatars().list(anam::ListAvatars::new().only_one_shot(true)).await.unwrap();
    assert_eq!(one_shot.meta.total, 2, "the avatars made from a picture");
    let renamed = client
        .avatars()
        .update(&alex.id, from::<anam::types::AvatarUpdate>(json!({"displayName": "Alexa"})))
        .await
        .unwrap();
    assert_eq!(renamed.display_name.as_deref(), Some("Alexa"));
    client.send(client.api().delete_avatar().id(alex.id.clone()).hard(true)).await.unwrap();
    assert!(client.avatars().get_opt(&alex.id).await.unwrap().is_none());
}

#[tokio::test]
async fn llm_secrets_are_kept_but_never_answered() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let body = json!({"displayName": "Mine", "urls": [{"url": "https://llm.example.com/v1/chat/completions"}],
        "llmFormat": "openai", "modelName": "gpt-4o", "secret": "sk-first", "temperature": 0.5});
    let llm = client.llms().create(from::<anam::types::LlmCreate>(body)).await.unwrap();
    assert_eq!((llm.model_name.as_deref(), llm.temperature), (Some("gpt-4o"), Some(0.5)));
    let raw = reqwest::Client::new()
        .get(format!("{}/v1/llms/{}", mock.base_url(), llm.id))
        .bearer_auth(mock.api_key())
        .send()
        .await
        .unwrap();
    assert!(!raw.text().await.unwrap().contains("sk-first"), "the secret is write-only");
    assert_eq!(mock.llm_secret(&llm.id).map(|s| s.expose_secret().to_owned()).as_deref(), Some("sk-first"));
    let update = from::<anam::types::LlmUpdate>(json!({"secret": "sk-second", "url": "https://llm2.example.com/v1"}));
    let updated = client.llms().update(&llm.id, update).await.unwrap();
    assert_eq!(updated.urls.unwrap()[0].url.as_deref(), Some("https://llm2.example.com/v1"));
    assert_eq!(mock.llm_secret(&llm.id).unwrap().expose_secret(), "sk-second");
    let anthropic = from::<anam::types::LlmUpdate>(json!({"llmFormat": "anthropic"}));
    assert_eq!(refused(&client.llms().update(&llm.id, anthropic).await.unwrap_err()), (400, "llmFormat".into()));
    let err = client.llms().delete(anam::ids::llm_default()).await.unwrap_err();
    assert!(err.is_forbidden(), "the built-in defaults cannot be deleted");
    client.llms().delete(&llm.id).await.unwrap();
    assert!(mock.llm_secret(&llm.id).is_none());
}

/// A session that ran from `start` minutes ago for `minutes`, with a transcript, a tool call
/// and two analytics turns.
fn ended_session(start: i64, minutes: i64, label: &str, persona: Option<&str>) -> SessionRecord {
    let started = chrono::Utc::now() - chrono::Duration::minutes(start);
    let session: Session = from(json!({
        "id": uuid(), "personaId": persona, "clientLabel": label, "startTime": started,
        "endTime": started + chrono::Duration::minutes(minutes), "sessionLengthMs": minutes * 60_000,
        "exitStatus": "NORMAL_EXIT", "apiKeyId": anam_mock::API_KEY_ID,
    }));
    let transcript: Vec<TranscriptMessage> = from(json!([
        {"role": "persona", "message": "Hello, how can I help?", "wasInterrupted": false},
        {"role": "user", "message": "Reset my password."},
    ]));
    let calls: Vec<SessionToolCallDetail> =
        from(json!([{"toolName": "crm_lookup", "toolType": "server", "status": "completed"}]));
    let turns: Vec<SessionAnalyticsTurn> = from(json!([
        {"turnIndex": 0, "finishReason": "completed", "firstAudioLatencySeconds": 0.9, "assistantMessage": "Hello, how can I help?"},
        {"turnIndex": 1, "finishReason": "interrupted", "interruptedStage": "before_audio", "firstAudioLatencySeconds": 1.5,
         "userMessage": "Reset my password.", "toolCalls": [{"toolName": "crm_lookup", "status": "failed"}]},
    ]));
    SessionRecord::new(session).transcript(transcript).tool_calls(calls).turns(turns)
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn inserted_sessions_are_listed_read_and_analysed() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(anam::CreatePersona::cara().name("Cara")).await.unwrap();
    let first = mock.insert_session(ended_session(90, 5, "crm", Some(&persona.id)));
    let second = mock.insert_session(ended_session(30, 10, "web", None));
    let livekit: Session = from(json!({"id": uuid(), "startTime": chrono::Utc::now(), "endTime": chrono::Utc::now()}));
    mock.insert_session(SessionRecord::new(livekit.clone()).session_type(SessionType::Livekit));

    let all = client.sessions().list(ListSessions::new()).await.unwrap();
    assert_eq!(all.meta.total, 3);
    let mine = client.sessions().list(ListSessions::new().persona_id(persona.id.clone())).await.unwrap();
    assert_eq!(mine.data.iter().map(|s| &s.id).collect::<Vec<_>>(), [&first]);
    let labelled = client.sessions().list(ListSessions::new().search("WEB").per_page(1)).await.unwrap();
    assert_eq!((labelled.data[0].id.clone(), labelled.meta.total), (second.clone(), 1));
    let err = client.sessions().list(ListSessions::new().organization_id("other-org")).await.unwrap_err();
    assert!(err.is_forbidden(), "organizationId is for Anam's admin keys");

    let detail = client.sessions().get(&first).await.unwrap();
    assert_eq!(detail.tool_calls.map(|c| c.len()), Some(1));
    let transcript = client.send(client.api().get_session_transcript().id(first.clone())).await.unwrap();
    assert_eq!((transcript.total_messages, transcript.persona_name.as_deref()), (Some(2), Some("Cara")));
    assert!(client.send(client.api().get_session_recording().id(first.clone())).await.is_ok());
    let analytics = client.send(client.api().get_session_analytics().id(first.clone())).await.unwrap();
    let summary = analytics.summary.unwrap();
    assert_eq!(
        (summary.total_turns, summary.interrupted_turns, summary.interruption_rate),
        (Some(2), Some(1), Some(0.5))
    );
    assert_eq!(summary.tool_calls.unwrap().failed, Some(1));
    assert!(analytics.turns.unwrap().iter().all(|t| t.user_message.is_none()), "texts only with includeMessages");
    let with_texts =
        client.send(client.api().get_session_analytics().id(first.clone()).include_messages(true)).await.unwrap();
    assert_eq!(with_texts.turns.unwrap()[1].user_message.as_deref(), Some("Reset my password."));
    let err = client.send(client.api().get_session_analytics().id(livekit.id.clone())).await.unwrap_err();
    assert!(err.is_not_found(), "LiveKit sessions have no analytics");

    let since = chrono::Utc::now() - chrono::Duration::hours(2);
    let aggregate = client.send(client.api().get_aggregated_session_analytics().from(since)).await.unwrap();
    assert_eq!(
        (aggregate.session_count, aggregate.sessions_with_reports, aggregate.turn_count),
        (Some(3), Some(2), Some(4))
    );
    let latency = aggregate.latencies.unwrap().first_audio_latency_seconds.unwrap();
    assert_eq!((latency.count, latency.max, latency.p50), (Some(4), Some(1.5), Some(0.9)));
    let counts = aggregate.counts.unwrap();
    assert_eq!((counts.interrupted_before_audio_turns, counts.tool_calls.unwrap().total), (Some(2), Some(2)));
    assert_eq!(aggregate.rates.unwrap().interruption_rate, Some(0.5));
    let filtered =
        client.send(client.api().get_aggregated_session_analytics().from(since).client_label("crm")).await.unwrap();
    assert_eq!((filtered.session_count, filtered.filters.unwrap().client_label.as_deref()), (Some(1), Some("crm")));
    let nothing = client.send(client.api().get_aggregated_session_analytics().persona_id("nobody")).await.unwrap();
    assert_eq!(
        (nothing.turn_count, nothing.rates.unwrap().interruption_rate),
        (Some(0), None),
        "null where nothing is known"
    );
    let forty_days = (since - chrono::Duration::days(40)).to_rfc3339();
    let too_long = client.api().get_aggregated_session_analytics().from(since - chrono::Duration::days(40));
    let err = client.send(too_long).await.unwrap_err();
    assert!(matches!(err, Error::Validation(ref v) if v.field == "from"), "the SDK refuses it first: {err:?}");
    let (status, answer) = raw_get(&mock, "/v1/sessions/analytics", &[("from", &forty_days)]).await;
    assert_eq!((status, answer["details"][0]["path"].as_str()), (400, Some("from")), "and so does the fake");
}

/// GETs `path` with `query` from the fake, around the SDK's checks: the status and JSON body.
async fn raw_get(mock: &MockServer, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let url = format!("{}{path}", mock.base_url());
    let response = reqwest::Client::new().get(url).query(query).bearer_auth(mock.api_key()).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn engine_sessions_start_count_against_the_limit_and_stop() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let persona = client.personas().create(anam::CreatePersona::cara()).await.unwrap();
    let token = client.sessions().token(anam::CreateSessionToken::persona(&persona.id)).await.unwrap();
    assert!(mock.sessions().is_empty(), "a token starts no session");

    // With the session token as the credential, the body carries only clientMetadata.
    let as_client =
        Client::builder().base_url(mock.base_url()).api_key(token.session_token.expose_secret()).build().unwrap();
    let metadata =
        from::<anam::types::EngineSessionRequest>(json!({"clientMetadata": {"supportsPubSubSignalling": true}}));
    let started = as_client.send(as_client.api().create_engine_session().body(metadata)).await.unwrap();
    let session = client.sessions().get(&started.session_id).await.unwrap();
    assert_eq!((session.persona_id.as_ref(), session.end_time), (Some(&persona.id), None));
    assert_eq!(session.tool_calls, Some(Vec::new()), "no tool calls while it runs");
    let err = client.send(client.api().get_session_recording().id(started.session_id.clone())).await.unwrap_err();
    assert!(err.is_not_found(), "no recording while it runs");

    // With the API key, the body carries the configuration.
    let config = from::<anam::types::EngineSessionRequest>(
        json!({"personaConfig": {"personaId": persona.id}, "clientLabel": "server"}),
    );
    let second = client.send(client.api().create_engine_session().body(config)).await.unwrap();
    let status = client.send(client.api().get_session_concurrency()).await.unwrap();
    assert_eq!((status.active, status.limit, status.can_start_session), (Some(2), Some(10), Some(true)));
    mock.set_concurrency(Concurrency { limit: 2, active: None });
    let third = from::<anam::types::EngineSessionRequest>(json!({"personaConfig": {"personaId": persona.id}}));
    let err = client.send(client.api().create_engine_session().body(third)).await.unwrap_err();
    assert!(err.is_concurrency_limit(), "{err}");
    let unknown = from::<anam::types::EngineSessionRequest>(json!({"personaConfig": {"personaId": "nobody"}}));
    mock.set_concurrency(Concurrency { limit: 10, active: Some(0) });
    assert_eq!(
        refused(&client.send(client.api().create_engine_session().body(unknown)).await.unwrap_err()),
        (400, "personaConfig.personaId".into())
    );

    client.send(client.api().stop_session().id(second.session_id.clone())).await.unwrap();
    let stopped = client.sessions().get(&second.session_id).await.unwrap();
    assert!(stopped.end_time.is_some() && stopped.session_length_ms.is_some());
    assert_eq!(stopped.exit_status.as_deref(), Some("CLOSED_BY_ENGINE"));
    let again = client.send(client.api().stop_session().id(second.session_id.clone())).await.unwrap_err();
    assert_eq!(again.status().map(|s| s.as_u16()), Some(400), "an ended session cannot be stopped");
    assert!(client.send(client.api().get_session_recording().id(second.session_id.clone())).await.is_ok());
    mock.set_concurrency(Concurrency::default());
    let status = client.send(client.api().get_session_concurrency()).await.unwrap();
    assert_eq!(status.active, Some(1), "the stopped session no longer counts");
}
