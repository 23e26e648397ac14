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
}

impl Tally {
    fn check(&mut self, name: &str, outcome: Result<String, String>) {
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
    Ok(())
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
