//! Contract checks of the `anam` client against Prism, a mock built from the spec by a tool none
//! of us wrote. Run by `cargo xtask contract`, which starts Prism first:
//!
//! ```text
//! contract-prism requests  <prism --errors URL>            every operation, full payloads, must validate
//! contract-prism responses <prism --errors --dynamic URL> N N random answers per operation must decode
//! ```
//!
//! With `--errors`, Prism answers a request that breaks the spec with an error status (and an
//! `sl-violations` header), which the client reports as an error; so a call that succeeds is a
//! request that validated. One deliberately invalid request, sent through the raw generated
//! client (which checks nothing), must be refused, proving the check can fail.
//! Prints one line per check and a closing `N passed, M failed`; exits non-zero on any failure.

use std::process::ExitCode;

use std::time::Duration;

use anam::types::{
    CartesiaEmotion, DirectorNotes, DirectorPresetStyle, EphemeralPersonaConfig, PersonaConfig, PersonaCreate,
    SessionTokenRequest, VideoQuality, VoiceDetectionOptions, WidgetConfig, WidgetInitialState, WidgetLayout,
};
use anam::{
    Client, CreatePersona, CreateSessionToken, Direction, EphemeralPersona, ListAvatars, ListLlms, ListPersonas,
    ListTools, ListVoices, SessionSettings, SessionTool, UpdatePersona, VoiceDetection, VoiceGeneration,
};

/// The id used in paths; Prism accepts any string.
const ID: &str = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    names: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, outcome: Result<String, String>) {
        self.names.push(name.to_owned());
        match outcome {
            Ok(detail) => {
                self.passed += 1;
                println!("ok    {name}: {detail}");
            }
            Err(detail) => {
                self.failed += 1;
                println!("FAIL  {name}: {detail}");
            }
        }
    }
}

fn client(url: &str) -> Result<Client, anam::Error> {
    Client::builder().base_url(url).api_key("contract-test-key").max_retries(0).build()
}

/// Every field of the create body set, starting from Anam's documented example request.
fn full_create() -> CreatePersona {
    CreatePersona::documented_example().uninterruptible_greeting(true).initial_message("Hello!").tool_ids(["tool-1"])
}

/// Every field of the update body set.
fn full_update() -> UpdatePersona {
    let widget = WidgetConfig {
        allow_everywhere: Some(false),
        allowed_origins: vec!["https://example.com".into()],
        call_to_action: Some("Talk to Cara".into()),
        initial_state: Some(WidgetInitialState::Minimized),
        layout: Some(WidgetLayout::Floating),
        position: Some("bottom-right".into()),
        show_mute_button: Some(true),
        show_text_input: Some(true),
        show_transcript: Some(false),
    };
    UpdatePersona::new()
        .name("Cara 2")
        .description("Updated")
        .avatar_id(anam::ids::cara_avatar())
        .avatar_model("cara-4")
        .voice_id(anam::ids::cara_voice())
        .llm_id(anam::ids::llm_customer_client())
        .system_prompt("Be brief.")
        .skip_greeting(true)
        .uninterruptible_greeting(false)
        .initial_message("Hi again")
        .zero_data_retention(true)
        .voice_detection(
            VoiceDetection::new()
                .end_of_speech_sensitivity(1.0)
                .silence_before_skip_turn_seconds(0.0)
                .silence_before_session_end_seconds(7200.0)
                .silence_before_auto_end_turn_seconds(0.5)
                .speech_enhancement_level(0.0),
        )
        .language_code("fr")
        .voice_generation(VoiceGeneration::cartesia().volume(2.0).speed(1.5).emotion(CartesiaEmotion::Calm))
        .tool_ids(["tool-1", "tool-2"])
        .widget_config(widget)
}

fn shown<T>(result: anam::Result<T>, describe: impl FnOnce(T) -> String) -> Result<String, String> {
    result.map(describe).map_err(|e| e.to_string())
}

async fn requests(url: &str, tally: &mut Tally) -> Result<(), anam::Error> {
    let client = client(url)?;
    let personas = client.personas();
    tally.check("createPersona, every field", shown(personas.create(full_create()).await, |p| format!("id {}", p.id)));
    tally.check(
        "createPersona, the documented example",
        shown(personas.create(CreatePersona::documented_example()).await, |p| format!("id {}", p.id)),
    );
    tally.check(
        "createPersona, empty body",
        shown(personas.create(CreatePersona::new()).await, |p| format!("id {}", p.id)),
    );
    let list = ListPersonas::new().page(2).per_page(100).search("Cara");
    tally.check(
        "listPersonas, every parameter",
        shown(personas.list(list).await, |l| format!("{} item(s)", l.data.len())),
    );
    tally.check(
        "listPersonas, no parameter",
        shown(personas.list(ListPersonas::new()).await, |l| format!("{} item(s)", l.data.len())),
    );
    tally.check("getPersona", shown(personas.get(ID).await, |p| format!("id {}", p.id)));
    tally.check(
        "updatePersona, every field",
        shown(personas.update(ID, full_update()).await, |p| format!("id {}", p.id)),
    );
    tally.check(
        "updatePersona, clearing avatarModel",
        shown(personas.update(ID, UpdatePersona::new().clear_avatar_model()).await, |p| format!("id {}", p.id)),
    );
    tally.check("deletePersona", shown(personas.delete(ID).await, |()| "deleted".into()));

    let avatars = ListAvatars::new().page(1).per_page(100).search("Liv").render_style("realistic").tags(["a", "b"]);
    let avatars = avatars.only_one_shot(false);
    tally.check("listAvatars, every parameter", shown(client.avatars().list(avatars).await, |l| count(&l.data)));
    tally.check("getAvatar", shown(client.avatars().get(ID).await, |a| format!("id {}", a.id)));
    let voices = ListVoices::new().page(2).per_page(1).search("Lucy");
    tally.check("listVoices, every parameter", shown(client.voices().list(voices).await, |l| count(&l.data)));
    tally.check("getVoice", shown(client.voices().get(ID).await, |v| format!("id {}", v.id)));
    let llms = ListLlms::new().page(1).per_page(10).search("GPT").include_defaults(true);
    tally.check("listLlms, every parameter", shown(client.llms().list(llms).await, |l| count(&l.data)));
    tally.check("getLlm", shown(client.llms().get(anam::ids::llm_customer_client()).await, |l| format!("id {}", l.id)));
    let tools = ListTools::new().page(1).per_page(50).search("calendar");
    tally.check("listTools, every parameter", shown(client.tools().list(tools).await, |l| count(&l.data)));
    tally.check("getTool", shown(client.tools().get(ID).await, |t| format!("id {}", t.id)));
    let sessions = client.sessions();
    let stored = CreateSessionToken::persona(ID);
    tally.check("createSessionToken, stored persona", shown(sessions.token(stored).await, |_| "token".into()));
    tally.check(
        "createSessionToken, every field",
        shown(sessions.token(full_session_token()).await, |_| "token".into()),
    );
    let minimal = CreateSessionToken::ephemeral(EphemeralPersona::new());
    tally
        .check("createSessionToken, empty ephemeral persona", shown(sessions.token(minimal).await, |_| "token".into()));

    for (name, outcome) in new_operations(&client).await {
        tally.check(&name, shown(outcome, |()| "validated".into()));
    }
    // Every operation of the spec has a request check above.
    for op in anam::Operation::ALL {
        let covered = tally.names.iter().any(|name| name.split(',').next() == Some(op.id()));
        if !covered {
            tally.check(op.id(), Err(format!("{} has no request check in contract-prism: add one", op.id())));
        }
    }

    // The raw generated client checks nothing: an out-of-range value must be refused by Prism.
    let invalid = PersonaCreate {
        voice_detection_options: Some(VoiceDetectionOptions {
            end_of_speech_sensitivity: Some(3.0),
            ..Default::default()
        }),
        ..Default::default()
    };
    let refused = match client.api().create_persona().body(invalid).send().await {
        Ok(response) => Err(format!("Prism accepted it with {}", response.status())),
        Err(error) => match error.status() {
            Some(status) if status.is_client_error() => Ok(format!("refused with {status}")),
            _ => Err(format!("failed without a 4xx: {error}")),
        },
    };
    tally.check("an out-of-range request is flagged", refused);

    // An ephemeral persona out of range, through the raw client: Prism must refuse it inside the oneOf.
    let ephemeral = EphemeralPersonaConfig {
        director_notes: Some(DirectorNotes { expressivity: Some(3.0), ..Default::default() }),
        ..Default::default()
    };
    let invalid = SessionTokenRequest {
        client_label: None,
        persona_config: PersonaConfig::EphemeralPersonaConfig(ephemeral),
        session_options: None,
    };
    let refused = match client.api().create_session_token().body(invalid).send().await {
        Ok(response) => Err(format!("Prism accepted it with {}", response.status())),
        Err(error) => match error.status() {
            Some(status) if status.is_client_error() => Ok(format!("refused with {status}")),
            _ => Err(format!("failed without a 4xx: {error}")),
        },
    };
    tally.check("an out-of-range ephemeral persona is flagged", refused);

    // A multipart upload without its file, sent by hand (the SDK refuses it): Prism must refuse
    // it too, so the uploads above passed a check that can fail.
    let form = reqwest::multipart::Form::new().text("chunkSize", "500");
    let sent = reqwest::Client::new()
        .post(format!("{url}/v1/knowledge/groups/{ID}/documents"))
        .bearer_auth("contract-test-key")
        .multipart(form)
        .send()
        .await;
    let refused = match sent {
        Ok(response) if response.status().is_client_error() => Ok(format!("refused with {}", response.status())),
        Ok(response) => Err(format!("Prism accepted it with {}", response.status())),
        Err(error) => Err(format!("not sent: {error}")),
    };
    tally.check("an upload without its file is flagged", refused);
    Ok(())
}

/// Full requests of the operations beyond personas, sessions tokens and the catalogue reads:
/// every field or parameter set, through the SDK's builders, both media types where there are
/// two. Each is named `operationId, what`.
async fn new_operations(client: &Client) -> Vec<(String, anam::Result<()>)> {
    use anam::types::{
        LlmFormat, LlmReasoningEffort, LlmReasoningFormat, LlmUpdateFormat, MeetingRegion, MeetingRegionPolicy,
    };
    use anam::types::{SystemToolAction, ToolWebhookMethod};
    let api = client.api();
    let clip = || anam::Upload::bytes("clip.wav", "RIFF-audio");
    let mut checks: Vec<(String, anam::Result<()>)> = Vec::new();
    let mut check = |name: &str, outcome: anam::Result<()>| checks.push((name.to_owned(), outcome));

    // Avatars.
    let upload = anam::UploadAvatar::new("Alex", anam::Upload::bytes("alex.png", "PNG")).avatar_model("cara-4");
    check("createAvatar, multipart with every field", client.avatars().upload(upload).await.map(drop));
    let from_url = anam::CreateAvatar::new("Alex", "https://example.com/alex.jpg").avatar_model("cara-3");
    check("createAvatar, JSON", client.avatars().create(from_url).await.map(drop));
    let rename = anam::types::AvatarUpdate { display_name: "Alex 2".into() };
    check("updateAvatar", client.avatars().update(ID, rename).await.map(drop));
    check("deleteAvatar, soft", client.avatars().delete(ID).await);
    check("deleteAvatar, hard", client.avatars().delete_permanently(ID).await);

    // Voices.
    let voice = anam::UploadVoice::new("My voice", clip()).description("Warm").language("en").enhance(false);
    check("createVoice, multipart with every field", client.voices().upload(voice).await.map(drop));
    check("createVoice, JSON", client.voices().create(anam::CloneVoice::new("My voice", "k/clip.wav")).await.map(drop));
    let presign = api
        .create_voice_presigned_upload()
        .body_map(|b| b.filename("clip.wav").content_type("audio/wav").file_size(2048));
    check("createVoicePresignedUpload", client.send(presign).await.map(drop));
    let update = anam::types::VoiceUpdate {
        display_name: "Renamed".into(),
        provider_model_id: Some("sonic-3.5".into()),
        gender: Some(anam::types::VoiceGender::Female),
        country: Some("GB".into()),
        description: Some("Calm".into()),
    };
    check("updateVoice, every field", client.voices().update(ID, update).await.map(drop));
    check("deleteVoice", client.voices().delete(ID).await);

    // Tools: one of each type, every field.
    let webhook = anam::CreateTool::webhook(
        "crm_lookup",
        "Find a customer.",
        "https://crm.example.com/find",
        ToolWebhookMethod::Post,
    )
    .header("Authorization", "Bearer crm-token")
    .body_template(r#"{"email":"{{email}}"}"#)
    .disable_interruptions(true);
    check("createTool, webhook", client.tools().create(webhook).await.map(drop));
    let client_tool = anam::CreateTool::client("open_calendar", "Open the calendar.")
        .parameters(serde_json::json!({"type": "object", "properties": {"date": {"type": "string"}}}))
        .await_result(true)
        .tool_timeout(Duration::from_secs(30));
    check("createTool, client", client.tools().create(client_tool).await.map(drop));
    check(
        "createTool, knowledge",
        client.tools().create(anam::CreateTool::knowledge("search_docs", "Search the docs.", [ID])).await.map(drop),
    );
    check(
        "createTool, system",
        client
            .tools()
            .create(anam::CreateTool::system("hang_up", "End the call.", SystemToolAction::EndCall))
            .await
            .map(drop),
    );
    let update = anam::UpdateTool::new()
        .name("crm_find")
        .description("Find one.")
        .url("https://crm.example.com/v2")
        .method(ToolWebhookMethod::Get);
    check("updateTool, webhook fields", client.tools().update(ID, update).await.map(drop));
    check("deleteTool", client.tools().delete(ID).await);

    // LLMs.
    let llm = anam::CreateLlm::new("My GPT-4o", LlmFormat::Openai, "gpt-4o", "sk-upstream")
        .url("https://api.openai.com/v1/chat/completions")
        .description("Ours")
        .metadata(serde_json::json!({"team": "support"}))
        .reasoning_effort(LlmReasoningEffort::Low)
        .reasoning_format(LlmReasoningFormat::Hidden);
    check("createLlm, every field", client.llms().create(llm).await.map(drop));
    let update = anam::UpdateLlm::new()
        .display_name("Renamed")
        .url("https://api.openai.com/v1/chat/completions")
        .format(LlmUpdateFormat::Openai)
        .model_name("gpt-4o-mini")
        .secret("sk-rotated");
    check("updateLlm, every field", client.llms().update(ID, update).await.map(drop));
    check("deleteLlm", client.llms().delete(ID).await);

    // Share links.
    check(
        "listShareLinks, every parameter",
        client
            .share_links()
            .list(anam::ListShareLinks::new().page(1).per_page(50).search("Cara").persona_id(ID))
            .await
            .map(drop),
    );
    let link = anam::CreateShareLink::new(ID).expires_in(Duration::from_secs(48 * 3600)).usage_limit(25);
    check("createShareLink, every field", client.share_links().create(link).await.map(drop));
    check("getShareLink", client.share_links().get(ID).await.map(drop));
    let update = anam::UpdateShareLink::new().expires_in(Duration::from_secs(3600)).usage_limit(50);
    check("updateShareLink, every field", client.share_links().update(ID, update).await.map(drop));
    check("deleteShareLink", client.share_links().delete(ID).await);

    // Meeting invites: both persona forms, every field.
    check(
        "listMeetingInvites, every parameter",
        client
            .meeting_invites()
            .list(anam::ListMeetingInvites::new().page(2).per_page(20).status("pending"))
            .await
            .map(drop),
    );
    let invite = anam::CreateMeetingInvite::persona("https://meet.google.com/abc-defg-hij", ID)
        .display_name("Cara")
        .region(MeetingRegion::Eu)
        .region_policy(MeetingRegionPolicy::Strict)
        .join_at(anam::chrono::Utc::now() + anam::chrono::Duration::hours(2))
        .group_call(false)
        .client_label("contract")
        .session_replay(true);
    check(
        "createMeetingInvite, stored persona with every field",
        client.meeting_invites().create(invite).await.map(drop),
    );
    let config = anam::types::MeetingInvitePersonaConfig {
        avatar_id: Some(anam::ids::cara_avatar()),
        voice_id: Some(anam::ids::cara_voice()),
        llm_id: Some(anam::ids::llm_example()),
        system_prompt: Some("You join meetings.".into()),
        ..Default::default()
    };
    let runtime = anam::CreateMeetingInvite::ephemeral("https://zoom.us/j/123?pwd=example", config);
    check("createMeetingInvite, runtime persona", client.meeting_invites().create(runtime).await.map(drop));
    check("getMeetingInvite", client.meeting_invites().get(ID).await.map(drop));
    check("cancelMeetingInvite", client.meeting_invites().delete(ID).await);

    // Sessions.
    check(
        "listSessions, every parameter",
        client
            .sessions()
            .list(anam::ListSessions::new().page(1).per_page(100).search("web").persona_id(ID).api_key_id(ID))
            .await
            .map(drop),
    );
    let from = anam::chrono::Utc::now() - anam::chrono::Duration::days(7);
    let period = anam::SessionAnalyticsQuery::between(from, anam::chrono::Utc::now())
        .persona(ID)
        .api_key_id(ID)
        .client_label("web")
        .session_type("turnkey");
    check(
        "getAggregatedSessionAnalytics, every parameter",
        client.sessions().aggregated_analytics(period).await.map(drop),
    );
    check("getSessionConcurrency", client.sessions().concurrency().await.map(drop));
    check("getSession", client.sessions().get(ID).await.map(drop));
    check("getSessionAnalytics, with messages", client.sessions().analytics(ID, true).await.map(drop));
    check("getSessionRecording", client.sessions().recording(ID).await.map(drop));
    check("stopSession", client.sessions().stop(ID).await);
    check("getSessionTranscript", client.sessions().transcript(ID).await.map(drop));
    let engine = api.create_engine_session().body_map(|b| {
        b.client_label(Some("contract".into())).persona_config(Some(anam::types::PersonaConfig::StoredPersonaConfig(
            anam::types::StoredPersonaConfig { persona_id: ID.into() },
        )))
    });
    check("createEngineSession, API-key form", client.send(engine).await.map(drop));

    // Knowledge.
    check("listKnowledgeGroups", client.knowledge_groups().list(anam::ListKnowledgeGroups::new()).await.map(drop));
    check(
        "createKnowledgeGroup, every field",
        client
            .knowledge_groups()
            .create(anam::CreateKnowledgeGroup::new("Handbook").description("Hours"))
            .await
            .map(drop),
    );
    check("getKnowledgeGroup", client.knowledge_groups().get(ID).await.map(drop));
    let rename =
        anam::types::KnowledgeGroupUpdate { name: Some("Handbook 2".into()), description: Some("More".into()) };
    check("updateKnowledgeGroup, every field", client.knowledge_groups().update(ID, rename).await.map(drop));
    check("deleteKnowledgeGroup", client.knowledge_groups().delete(ID).await);
    check(
        "searchKnowledgeGroup, every field",
        client.knowledge_groups().search(ID, anam::SearchKnowledge::new("hours").limit(20)).await.map(drop),
    );
    check("listKnowledgeGroupDocuments", client.knowledge_groups().documents(ID).await.map(drop));
    let document =
        anam::UploadDocument::new(anam::Upload::bytes("hours.md", "Nine to five.")).chunk_size(500).chunk_overlap(50);
    check(
        "uploadKnowledgeGroupDocument, multipart with every field",
        client.knowledge_groups().upload(ID, document).await.map(drop),
    );
    check("getKnowledgeDocument", client.knowledge_documents().get(ID).await.map(drop));
    let rename = anam::types::KnowledgeDocumentUpdate { filename: Some("renamed.md".into()) };
    check("updateKnowledgeDocument", client.knowledge_documents().update(ID, rename).await.map(drop));
    check("deleteKnowledgeDocument", client.knowledge_documents().delete(ID).await);
    check("getKnowledgeDocumentDownload", client.knowledge_documents().download_url(ID).await.map(drop));
    checks
}

fn count<T>(items: &[T]) -> String {
    format!("{} item(s)", items.len())
}

/// Every field of the session-token body set, with an ephemeral persona.
fn full_session_token() -> CreateSessionToken {
    let persona = EphemeralPersona::new()
        .name("Cara")
        .avatar_id(anam::ids::liv_avatar())
        .avatar_model("cara-4")
        .voice_id(anam::ids::lucy_voice())
        .llm_id(anam::ids::llm_example())
        .system_prompt("You are a helpful assistant.")
        .max_session_length(Duration::from_secs(600))
        .skip_greeting(false)
        .uninterruptible_greeting(true)
        .initial_message("Hi there!")
        .voice_detection(VoiceDetection::new().end_of_speech_sensitivity(0.5).speech_enhancement_level(0.8))
        .language_code("en")
        .voice_generation(VoiceGeneration::eleven_labs_v2().stability(0.5).style(0.1).use_speaker_boost(true))
        .director_notes(Direction::preset(DirectorPresetStyle::Warm).expressivity(0.5))
        .tool(
            SessionTool::client("open_calendar")
                .description("Open the calendar.")
                .parameters(serde_json::json!({"type": "object"})),
        )
        .tool(SessionTool::server("lookup", "webhook"))
        .tool_ids(["00000000-0000-0000-0000-000000000000"])
        .enable_audio_passthrough(true);
    let settings = SessionSettings::new()
        .session_replay(false)
        .video_quality(VideoQuality::High)
        .video_size(1152, 768)
        .daily_egress("https://your-domain.daily.co/avatar-room", Some("daily-token".into()));
    CreateSessionToken::ephemeral(persona).client_label("contract").settings(settings)
}

async fn responses(url: &str, samples: usize, tally: &mut Tally) -> Result<(), anam::Error> {
    let client = client(url)?;
    for op in anam::Operation::ALL {
        let mut failures = Vec::new();
        for _ in 0..samples {
            match anam_tests::send_minimal(&client, *op).await {
                None => {
                    failures.push(format!("{} has no case in anam_tests::send_minimal: add one", op.id()));
                    break;
                }
                Some(Err(error)) => failures.push(error.to_string()),
                Some(Ok(())) => {}
            }
        }
        let detail = format!("{} of {samples} random answers decoded", samples - failures.len());
        let outcome = match failures.first() {
            None => Ok(detail),
            Some(first) => Err(format!("{detail}; first failure: {first}")),
        };
        tally.check(&format!("{}, dynamic answers", op.id()), outcome);
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut tally = Tally::default();
    let run = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["requests", url] => requests(url, &mut tally).await,
        ["responses", url, samples] => match samples.parse() {
            Ok(samples) => responses(url, samples, &mut tally).await,
            Err(_) => {
                eprintln!("samples must be a whole number, got {samples:?}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: contract-prism requests URL | contract-prism responses URL SAMPLES");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = run {
        tally.check("client setup", Err(error.to_string()));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
