//! The demo account (`anam_mock::demo`), read back through the SDK: every kind it seeds is there
//! and consistent (references name what the fake holds, documents are ready and searchable,
//! sessions have transcripts and analytics that the aggregate counts), it is the same account
//! whenever it is seeded at the same instant, and it adds nothing when it cannot be whole.

use std::collections::HashSet;

use anam::chrono::{DateTime, Duration, Utc};
use anam::types::{KnowledgeDocumentStatus, ToolCallStatus, ToolType, TranscriptRole};
use anam::{
    ListKnowledgeGroups, ListLlms, ListMeetingInvites, ListPersonas, ListSessions, ListShareLinks, ListTools,
    SearchKnowledge, SessionAnalyticsQuery,
};
use anam_mock::{MockServer, demo};

fn client(mock: &MockServer) -> anam::Client {
    anam::Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build().unwrap()
}

fn pinned() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-01T12:00:00Z").unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn personas_tools_and_knowledge_are_there_and_reference_what_the_fake_holds() {
    let mock = MockServer::start().await;
    demo::seed(&mock).unwrap();
    let client = client(&mock);

    let avatars: HashSet<String> = client
        .avatars()
        .list_all(anam::ListAvatars::new())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id.to_string())
        .collect();
    let voices: HashSet<String> = client
        .voices()
        .list_all(anam::ListVoices::new())
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id.to_string())
        .collect();
    let llms: HashSet<String> = client
        .llms()
        .list_all(ListLlms::new().include_defaults(true))
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id.to_string())
        .collect();
    let tools = client.tools().list_all(ListTools::new()).await.unwrap();
    let tool_ids: HashSet<String> = tools.iter().map(|t| t.id.to_string()).collect();

    let summaries = client.personas().list_all(ListPersonas::new()).await.unwrap();
    let names: Vec<_> = summaries.iter().filter_map(|p| p.name.as_deref()).collect();
    assert_eq!(names, ["Front desk", "Night shift", "Sales coach"]);
    let mut with_tools = 0;
    for summary in &summaries {
        let persona = client.personas().get(&summary.id).await.unwrap();
        let name = persona.name.clone().unwrap_or_default();
        assert!(persona.description.as_deref().is_some_and(|d| d.len() > 20), "{name}");
        let prompt = persona.brain.as_ref().and_then(|b| b.system_prompt.as_deref()).unwrap_or_default();
        assert!(prompt.len() > 100, "{name}: {prompt:?}");
        assert!(persona.initial_message.is_some(), "{name}");
        let avatar = persona.avatar.as_ref().unwrap();
        assert!(avatars.contains(avatar.id.as_str()), "{name}: avatar {}", avatar.id);
        assert!(avatar.display_name.is_some(), "{name}: the whole avatar is answered");
        let model = persona.avatar_model.as_ref().unwrap().to_string();
        assert!(avatar.available_versions.iter().flatten().any(|v| *v == model), "{name}: {model}");
        assert!(voices.contains(persona.voice.as_ref().unwrap().id.as_str()), "{name}: voice");
        assert!(llms.contains(persona.llm_id.as_ref().unwrap().as_str()), "{name}: LLM");
        for tool in persona.tools.iter().flatten() {
            let id = tool.id.as_str();
            assert!(tool_ids.contains(id), "{name}: tool {id}");
            assert!(tool.name.is_some(), "{name}: the whole tool is answered");
        }
        with_tools += usize::from(!persona.tools.unwrap_or_default().is_empty());
    }
    assert_eq!(with_tools, 2);

    let tool = |name: &str| tools.iter().find(|t| t.name.as_deref() == Some(name)).unwrap();
    let webhook = tool("crm_lookup");
    assert_eq!(webhook.type_, Some(ToolType::ServerWebhook));
    let headers = webhook.config.as_ref().and_then(|c| c.headers.as_ref()).unwrap();
    assert_eq!(headers["Authorization"].expose_secret(), "Bearer demo-not-a-real-token");
    assert_eq!(tool("show_class_schedule").type_, Some(ToolType::Client));
    assert_eq!(tool("open_calendar").type_, Some(ToolType::Client), "the stock tool");
    assert!(tool("search_handbook").usage_count.is_some_and(|n| n == 2), "used by two personas");

    let groups = client.knowledge_groups().list_all(ListKnowledgeGroups::new()).await.unwrap();
    assert_eq!(groups.len(), 1);
    let handbook = &groups[0];
    assert_eq!((handbook.name.as_deref(), handbook.document_count), (Some("Handbook"), Some(3)));
    let rag = tool("search_handbook");
    assert_eq!(rag.type_, Some(ToolType::ServerRag));
    let folders = rag.config.as_ref().and_then(|c| c.document_folder_ids.clone()).unwrap();
    assert_eq!(folders, std::slice::from_ref(&handbook.id));

    let documents = client.knowledge_groups().documents(&handbook.id).await.unwrap();
    let files: Vec<_> = documents.iter().filter_map(|d| d.filename.as_deref()).collect();
    assert_eq!(files, ["opening-hours.md", "prices.csv", "house-rules.md"]);
    for document in &documents {
        assert_eq!(document.status, Some(KnowledgeDocumentStatus::Ready), "ready at the first read");
        let download = client.knowledge_documents().download_url(&document.id).await.unwrap();
        let bytes = reqwest::get(download.download_url.expose_secret()).await.unwrap().bytes().await.unwrap();
        assert_eq!(Some(bytes.len() as i64), document.file_size, "{:?}", document.filename);
    }
    let hits = client.knowledge_groups().search(&handbook.id, SearchKnowledge::new("opening hours")).await.unwrap();
    assert_eq!(hits.first().and_then(|h| h.filename.as_deref()), Some("opening-hours.md"));
    assert_eq!(hits[0].score, Some(1.0));
    let prices = client.knowledge_groups().search(&handbook.id, SearchKnowledge::new("day pass price")).await.unwrap();
    assert_eq!(prices.first().and_then(|h| h.filename.as_deref()), Some("prices.csv"));

    let links = client.share_links().list_all(ListShareLinks::new()).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].persona_name.as_deref(), links[0].usage_limit), (Some("Front desk"), Some(50)));
    let front_desk = client.personas().get(&summaries[0].id).await.unwrap();
    assert_eq!(front_desk.primary_share_link.and_then(|l| l.token), links[0].token);
}

#[tokio::test]
async fn sessions_have_transcripts_tool_calls_and_analytics_that_the_aggregate_counts() {
    let mock = MockServer::start().await;
    let now = pinned();
    demo::seed_at(&mock, now).unwrap();
    let client = client(&mock);
    let personas: HashSet<String> = mock.personas().into_iter().map(|p| p.id.to_string()).collect();

    let sessions = client.sessions().list_all(ListSessions::new()).await.unwrap();
    assert!((5..=8).contains(&sessions.len()), "{}", sessions.len());
    let week_ago = now - Duration::days(7);
    let (mut turns, mut calls, mut failed, mut recordings, mut running) = (0, 0, 0, 0, 0);
    let mut used = HashSet::new();
    for session in &sessions {
        let start = session.start_time.unwrap();
        assert!(start > week_ago && start < now, "{}", session.id);
        let persona = session.persona_id.as_ref().unwrap().to_string();
        assert!(personas.contains(&persona), "{}", session.id);
        used.insert(persona);

        let transcript = client.sessions().transcript(&session.id).await.unwrap();
        let messages = transcript.messages.unwrap();
        let roles: HashSet<_> = messages.iter().filter_map(|m| m.role.clone()).collect();
        assert_eq!(roles, HashSet::from([TranscriptRole::User, TranscriptRole::Persona]), "{}", session.id);
        assert!(messages.windows(2).all(|w| w[0].timestamp < w[1].timestamp), "{}: in order", session.id);
        assert!(messages.iter().all(|m| m.timestamp.is_some_and(|t| t > start && t < now)), "{}", session.id);
        let user_messages = messages.iter().filter(|m| m.role == Some(TranscriptRole::User)).count() as i64;

        let Some(end) = session.end_time else {
            running += 1;
            assert!(client.sessions().analytics(&session.id, false).await.unwrap_err().is_not_found());
            continue;
        };
        assert!(end > start && end < now, "{}", session.id);
        assert_eq!(session.session_length_ms, Some((end - start).num_milliseconds()));
        let analytics = client.sessions().analytics(&session.id, true).await.unwrap();
        let summary = analytics.summary.unwrap();
        assert_eq!(summary.total_turns, Some(user_messages), "{}: one turn per user message", session.id);
        let latency = summary.average_latencies.unwrap().first_audio_latency_seconds.unwrap();
        assert!(latency > 0.5, "{}: {latency}", session.id);
        assert!(analytics.turns.unwrap().iter().all(|t| t.user_message.is_some()), "{}", session.id);
        turns += user_messages;

        let detail = client.sessions().get(&session.id).await.unwrap();
        for call in detail.tool_calls.unwrap() {
            calls += 1;
            failed += usize::from(call.status == Some(ToolCallStatus::Failed));
            let name = call.tool_name.unwrap();
            assert!(mock.tools().iter().any(|t| t.name.as_deref() == Some(&name)), "{name}");
        }
        recordings += usize::from(client.sessions().recording(&session.id).await.is_ok());
    }
    assert_eq!(used.len(), 3, "every persona has sessions");
    assert_eq!(running, 1);
    assert!(calls >= 5 && failed == 1, "{calls} calls, {failed} failed");
    assert!(recordings > 0 && recordings < sessions.len() - running, "some recordings: {recordings}");
    assert_eq!(client.sessions().concurrency().await.unwrap().active, Some(1));

    let week = client.sessions().aggregated_analytics(SessionAnalyticsQuery::between(week_ago, now)).await.unwrap();
    assert_eq!(week.session_count, Some(sessions.len() as i64));
    assert_eq!(week.sessions_with_reports, Some(sessions.len() as i64 - 1), "the running one has no report");
    assert_eq!(week.turn_count, Some(turns));
    let counted = week.counts.unwrap().tool_calls.unwrap();
    assert_eq!((counted.total, counted.failed), (Some(calls as i64), Some(1)));
    let first_audio = week.latencies.unwrap().first_audio_latency_seconds.unwrap();
    assert_eq!(first_audio.count, Some(turns));
    assert!(first_audio.max.unwrap() > 10.0, "the call that timed out is the slowest turn");
    let day =
        client.sessions().aggregated_analytics(SessionAnalyticsQuery::between(now - Duration::days(1), now)).await;
    assert!(day.unwrap().session_count.unwrap() < sessions.len() as i64, "spread over the week");

    let invites = client.meeting_invites().list_all(ListMeetingInvites::new()).await.unwrap();
    assert!(!invites.is_empty());
    for invite in invites.iter().filter(|i| i.session_id.is_some()) {
        let id = invite.session_id.clone().unwrap();
        assert!(sessions.iter().any(|s| s.id == id), "{id}");
    }
}

#[tokio::test]
async fn seeded_at_the_same_instant_the_account_is_the_same_and_seeding_again_replaces_it() {
    let (one, two) = (MockServer::start().await, MockServer::start().await);
    demo::seed_at(&one, pinned()).unwrap();
    demo::seed_at(&two, pinned()).unwrap();
    assert_eq!(one.personas(), two.personas());
    assert_eq!(one.tools(), two.tools());
    assert_eq!(one.knowledge_groups(), two.knowledge_groups());
    assert_eq!(one.knowledge_documents(), two.knowledge_documents());
    assert_eq!(one.sessions(), two.sessions());
    assert_eq!(one.share_links(), two.share_links());
    assert_eq!(one.meeting_invites(), two.meeting_invites());
    assert_eq!(one.personas()[0].id.as_str(), "de300001-0000-4000-8000-000000000001", "fixed ids");
    let newest = one.sessions().into_iter().filter_map(|s| s.session.start_time).max().unwrap();
    assert_eq!(newest, pinned() - Duration::minutes(3), "times count back from the instant");

    let later = pinned() + Duration::hours(1);
    demo::seed_at(&one, later).unwrap();
    assert_eq!((one.personas().len(), one.sessions().len()), (two.personas().len(), two.sessions().len()));
    let newest = one.sessions().into_iter().filter_map(|s| s.session.start_time).max().unwrap();
    assert_eq!(newest, later - Duration::minutes(3));
}

#[tokio::test]
async fn without_a_stock_avatar_it_names_it_and_adds_nothing() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let liv = mock.avatars().into_iter().find(|a| a.display_name.as_deref() == Some("Liv")).unwrap();
    client.avatars().delete(&liv.id).await.unwrap();
    let error = demo::seed(&mock).unwrap_err();
    assert!(error.to_string().contains("avatar \"Liv\""), "{error}");
    assert_eq!((mock.persona_count(), mock.sessions().len(), mock.knowledge_groups().len()), (0, 0, 0));
    assert_eq!(mock.tools().len(), 1, "the stock tool only");
}
