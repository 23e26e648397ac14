//! The demo account: a small, realistic account of a gym, Harbourside Fitness, to try the API,
//! the `anam` CLI or an app against the fake (`anam-mock --demo` serves it), and to start the
//! same account in tests and golden outputs ([`seed`], [`seed_at`]).
//!
//! - **3 personas** on the stock avatars, voices and LLMs: "Front desk" (tools `search_handbook`,
//!   `crm_lookup`, `open_calendar`), "Night shift" (`search_handbook`, `show_class_schedule`)
//!   and "Sales coach" (no tools), each with a description, a system prompt and a greeting;
//! - **tools** of every kind a persona uses: `crm_lookup`, a webhook whose `Authorization`
//!   header is `Bearer demo-not-a-real-token`; `show_class_schedule`, a client tool;
//!   `search_handbook`, a knowledge tool on the group below; and the stock `open_calendar`;
//! - the **knowledge group** "Handbook" with 3 `READY` documents, `opening-hours.md`,
//!   `prices.csv` and `house-rules.md`, which its search finds (`"opening hours"` does);
//! - **7 sessions** over the last 7 days across the personas, with transcripts, tool calls
//!   (one of them failed) and analytics turns; 4 have a recording; the last, started 3 minutes
//!   before, is still running (no end time, no analytics yet);
//! - a **share link** of "Front desk" (a usage limit of 50, 12 used), and **2 meeting invites**:
//!   an ended Zoom one, which started one of the sessions, and a pending Google Meet one for the
//!   next day.
//!
//! Ids are fixed (`de30000K-0000-4000-8000-00000000000N`, K the kind, N the item). Times count
//! back from "now": the account was set up 30 days before, and each session started a fixed
//! number of minutes before. [`seed`] takes the current time to the second; [`seed_at`] pins
//! it, so that two accounts seeded at the same instant answer byte for byte the same (but for
//! the signatures of the documents' download URLs, which are secrets of each fake).
//!
//! The data is `src/demo/account.json` (the documents' text beside it). Avatars, voices, LLMs
//! and tools are named there and looked up by name (display name; a tool's name) among what
//! the fake holds, the first that matches. Transcript times, speaking times (2.5 words a
//! second) and the latencies of each turn are worked out from its words and its `seconds`: the
//! persona starts speaking after the transcription, the LLM, a server tool's call and the
//! speech synthesis.
//!
//! ```
//! use anam_mock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockServer::start().await;
//! anam_mock::demo::seed(&mock).expect("a new fake holds what the demo needs");
//! let client = anam::Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build().unwrap();
//! let personas = client.personas().list_all(anam::ListPersonas::new()).await.unwrap();
//! assert_eq!(personas.len(), 3);
//! # }
//! ```

use std::fmt;

use anam_api::types::{
    AvatarModel, InterruptedStage, KnowledgeDocument, KnowledgeGroup, MeetingInvite, Persona, PersonaCreate,
    PersonaShareLink, SessionAnalyticsToolCall, SessionAnalyticsTurn, SessionToolCallDetail, SessionToolType, Tool,
    ToolCallStatus, TranscriptMessage, TranscriptRole, TurnFinishReason,
};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::{API_KEY_ID, MockServer, ORGANIZATION_ID, SessionRecord};

/// The account, as written.
const ACCOUNT: &str = include_str!("demo/account.json");

/// The documents' files, by name.
const FILES: [(&str, &str); 3] = [
    ("opening-hours.md", include_str!("demo/opening-hours.md")),
    ("prices.csv", include_str!("demo/prices.csv")),
    ("house-rules.md", include_str!("demo/house-rules.md")),
];

/// How fast people and personas speak, for speaking times.
const WORDS_PER_SECOND: f64 = 2.5;
/// The pause after a message before the user speaks again, in seconds.
const PAUSE_SECONDS: f64 = 2.0;

/// Why the demo account could not be seeded: its data names something the fake does not hold
/// (a stock avatar, voice, LLM or tool that was deleted, say), or does not make a record of the
/// API. Nothing is added then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoError(String);

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the demo account cannot be seeded: {}", self.0)
    }
}

impl std::error::Error for DemoError {}

/// Adds the demo account to `server`, its times counted back from now (to the second). Ids
/// are fixed: seeding again replaces the account's items with fresh ones.
pub fn seed(server: &MockServer) -> Result<(), DemoError> {
    seed_at(server, Utc::now().trunc_subsecs(0))
}

/// Adds the demo account to `server` with its times counted back from `now`, for output that
/// does not change from run to run. Either everything is added or, on an error, nothing.
pub fn seed_at(server: &MockServer, now: DateTime<Utc>) -> Result<(), DemoError> {
    let account: Account = serde_json::from_str(ACCOUNT).map_err(|e| DemoError(format!("its data: {e}")))?;
    let built = build(&account, server, now)?;
    for group in built.groups {
        server.insert_knowledge_group(group);
    }
    for (document, text) in built.documents {
        server.insert_knowledge_document(document, text);
    }
    for tool in built.tools {
        server.insert_tool(tool);
    }
    for persona in built.personas {
        server.insert_persona(persona);
    }
    for link in built.share_links {
        server.insert_share_link(link);
    }
    for session in built.sessions {
        server.insert_session(session);
    }
    for invite in built.invites {
        server.insert_meeting_invite(invite);
    }
    Ok(())
}

/// `account.json`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Account {
    #[serde(rename = "_note")]
    _note: String,
    set_up_days_ago: i64,
    knowledge_groups: Vec<GroupData>,
    tools: Vec<ToolData>,
    personas: Vec<PersonaData>,
    share_links: Vec<ShareLinkData>,
    meeting_invites: Vec<InviteData>,
    sessions: Vec<SessionData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GroupData {
    id: String,
    name: String,
    description: String,
    documents: Vec<DocumentData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DocumentData {
    id: String,
    /// A name of [`FILES`].
    file: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ToolData {
    id: String,
    name: String,
    #[serde(rename = "type")]
    type_: String,
    description: String,
    #[serde(default)]
    config: Map<String, Value>,
    /// Group names, whose ids become `config.documentFolderIds`.
    #[serde(default)]
    knowledge_groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PersonaData {
    id: String,
    name: String,
    description: String,
    avatar: String,
    avatar_model: String,
    voice: String,
    llm: String,
    language_code: String,
    system_prompt: String,
    initial_message: String,
    tools: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ShareLinkData {
    id: String,
    persona: String,
    token: String,
    usage_limit: i64,
    usage_count: i64,
    created_days_ago: i64,
    lifetime_days: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InviteData {
    id: String,
    persona: String,
    meeting_url: String,
    status: String,
    #[serde(default)]
    join_state: Option<String>,
    #[serde(default)]
    group_call: bool,
    created_minutes_ago: i64,
    /// The session the meeting started: the invite joined when it started.
    #[serde(default)]
    session: Option<String>,
    /// Otherwise, how long after now it joins.
    #[serde(default)]
    join_in_minutes: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionData {
    id: String,
    persona: String,
    client_label: String,
    #[serde(default)]
    client_metadata: Map<String, Value>,
    started_minutes_ago: i64,
    #[serde(default)]
    running: bool,
    #[serde(default = "yes")]
    recording: bool,
    #[serde(default)]
    warnings: i64,
    /// Whether the persona's greeting opens the transcript.
    #[serde(default)]
    greeted: bool,
    turns: Vec<TurnData>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TurnData {
    user: String,
    persona: String,
    seconds: Latencies,
    /// Whether the user cut the persona off.
    #[serde(default)]
    interrupted: bool,
    #[serde(default)]
    tool: Option<CallData>,
}

/// A turn's latencies, in seconds.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Latencies {
    transcription: f64,
    llm: f64,
    tts: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CallData {
    name: String,
    #[serde(default)]
    arguments: Map<String, Value>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    documents: Option<Vec<String>>,
    /// Set when the call failed.
    #[serde(default)]
    error: Option<String>,
    seconds: f64,
}

/// The records of the account, in the order they are added.
struct Built {
    groups: Vec<KnowledgeGroup>,
    documents: Vec<(KnowledgeDocument, &'static str)>,
    tools: Vec<Tool>,
    personas: Vec<Persona>,
    share_links: Vec<PersonaShareLink>,
    sessions: Vec<SessionRecord>,
    invites: Vec<MeetingInvite>,
}

fn build(account: &Account, server: &MockServer, now: DateTime<Utc>) -> Result<Built, DemoError> {
    let set_up = now - Duration::days(account.set_up_days_ago);
    let mut groups = Vec::new();
    let mut documents = Vec::new();
    for group in &account.knowledge_groups {
        groups.push(record(
            "knowledge group",
            json!({"id": group.id, "name": group.name, "description": group.description, "documentCount": 0,
                "createdAt": set_up, "updatedAt": set_up}),
        )?);
        for document in &group.documents {
            documents.push(self::document(document, &group.id, set_up)?);
        }
    }

    let mut tools = Vec::new();
    for tool in &account.tools {
        let mut config = tool.config.clone();
        if !tool.knowledge_groups.is_empty() {
            let ids = tool
                .knowledge_groups
                .iter()
                .map(|name| named(&account.knowledge_groups, "knowledge group", name, |g| Some(&g.name)).map(|g| &g.id))
                .collect::<Result<Vec<_>, _>>()?;
            config.insert("documentFolderIds".into(), json!(ids));
        }
        tools.push(record::<Tool>(
            "tool",
            json!({"id": tool.id, "name": tool.name, "description": tool.description, "type": tool.type_,
                "config": config, "createdAt": set_up, "updatedAt": set_up, "usageCount": 0}),
        )?);
    }
    // A persona's or a session's tool: one of the account's, else one the fake holds (stock).
    let all_tools: Vec<Tool> = tools.iter().cloned().chain(server.tools()).collect();

    let personas = account
        .personas
        .iter()
        .map(|persona| self::persona(persona, server, &all_tools, set_up))
        .collect::<Result<Vec<_>, _>>()?;

    let mut share_links: Vec<PersonaShareLink> = Vec::new();
    for link in &account.share_links {
        let persona = named(&account.personas, "persona", &link.persona, |p| Some(&p.name))?;
        let created = now - Duration::days(link.created_days_ago);
        let first = !share_links.iter().any(|l| l.persona_id.as_ref().is_some_and(|p| p.as_str() == persona.id));
        share_links.push(record(
            "share link",
            json!({"id": link.id, "token": link.token, "type": "LINK",
                "expiresAt": created + Duration::days(link.lifetime_days), "usageLimit": link.usage_limit,
                "usageCount": link.usage_count, "allowedOrigins": [], "allowAllOrigins": true,
                "removeWatermark": false, "enabled": true, "isPrimary": first, "createdAt": created,
                "personaId": persona.id, "personaName": persona.name, "organizationId": ORGANIZATION_ID}),
        )?);
    }

    let mut sessions = Vec::new();
    for session in &account.sessions {
        let persona = named(&account.personas, "persona", &session.persona, |p| Some(&p.name))?;
        sessions.push(self::session(session, persona, &all_tools, now)?);
    }

    let mut invites = Vec::new();
    for invite in &account.meeting_invites {
        let persona = named(&account.personas, "persona", &invite.persona, |p| Some(&p.name))?;
        let join_at = match (&invite.session, invite.join_in_minutes) {
            (Some(id), _) => {
                let session = sessions.iter().find(|s| s.session.id.as_str() == id);
                session.and_then(|s| s.session.start_time).ok_or_else(|| missing("session", id))?
            }
            (None, Some(minutes)) => now + Duration::minutes(minutes),
            (None, None) => return Err(DemoError(format!("the meeting invite {} has no join time", invite.id))),
        };
        let (url, provider) = crate::meetings::meeting(&invite.meeting_url)
            .map_err(|e| DemoError(format!("{}: {}", invite.id, e.message)))?;
        invites.push(record(
            "meeting invite",
            json!({"id": invite.id, "provider": provider, "meetingUrl": url,
                "displayName": format!("{} (AI)", persona.name), "status": invite.status,
                "createdAt": now - Duration::minutes(invite.created_minutes_ago), "joinAt": join_at,
                "groupCall": invite.group_call, "sessionId": invite.session,
                "region": crate::meetings::DEFAULT_REGION, "joinState": invite.join_state, "statusReason": null}),
        )?);
    }

    Ok(Built { groups, documents, tools, personas, share_links, sessions, invites })
}

/// A `READY` document of the group, with its file's text.
fn document(
    data: &DocumentData,
    group: &str,
    set_up: DateTime<Utc>,
) -> Result<(KnowledgeDocument, &'static str), DemoError> {
    let text = FILES.iter().find(|(name, _)| *name == data.file).map(|(_, text)| *text);
    let text = text.ok_or_else(|| missing("file", &data.file))?;
    let file_type = crate::knowledge::type_of_name(&data.file)
        .ok_or_else(|| DemoError(format!("{:?} is not a type of file Anam takes", data.file)))?;
    let document = record(
        "document",
        json!({"id": data.id, "knowledgeFolderId": group, "filename": data.file, "fileType": file_type,
            "fileSize": text.len(), "status": "READY", "errorMessage": null,
            "fileUrl": crate::knowledge::file_url(&data.id), "createdAt": set_up, "updatedAt": set_up}),
    )?;
    Ok((document, text))
}

/// The persona, its avatar, voice, LLM and tools found by name.
fn persona(
    data: &PersonaData,
    server: &MockServer,
    tools: &[Tool],
    set_up: DateTime<Utc>,
) -> Result<Persona, DemoError> {
    let avatars = server.avatars();
    let avatar = named(&avatars, "avatar", &data.avatar, |a| a.display_name.as_ref())?;
    let model = AvatarModel::from(data.avatar_model.as_str());
    crate::catalog::check_model(Some(avatar), Some(&model)).map_err(|e| DemoError(e.message))?;
    let voices = server.voices();
    let voice = named(&voices, "voice", &data.voice, |v| v.display_name.as_ref())?;
    let llms = server.llms();
    let llm = named(&llms, "LLM", &data.llm, |l| l.display_name.as_ref())?;
    let tool_ids = data
        .tools
        .iter()
        .map(|name| named(tools, "tool", name, |t| t.name.as_ref()).map(|t| t.id.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let request = PersonaCreate {
        name: Some(data.name.clone()),
        description: Some(data.description.clone()),
        avatar_id: Some(avatar.id.clone()),
        avatar_model: Some(model),
        voice_id: Some(voice.id.clone()),
        llm_id: Some(llm.id.clone()),
        language_code: Some(data.language_code.clone()),
        system_prompt: Some(data.system_prompt.clone()),
        initial_message: Some(data.initial_message.clone()),
        tool_ids,
        ..Default::default()
    };
    crate::personas::persona_from(&data.id, request, set_up)
        .map_err(|e| DemoError(format!("{}: {}", data.name, e.message)))
}

/// A session of `persona` with its transcript, tool calls and (once ended) analytics turns.
fn session(
    data: &SessionData,
    persona: &PersonaData,
    tools: &[Tool],
    now: DateTime<Utc>,
) -> Result<SessionRecord, DemoError> {
    let start = now - Duration::minutes(data.started_minutes_ago);
    let mut at = after(start, 1.0);
    let mut messages = Vec::new();
    if data.greeted {
        let speech = speaking_seconds(&persona.initial_message);
        messages.push(message(TranscriptRole::Persona, &persona.initial_message, at, speech, false));
        at = after(at, speech + PAUSE_SECONDS);
    }
    let (mut turns, mut calls) = (Vec::new(), Vec::new());
    for (index, turn) in data.turns.iter().enumerate() {
        let index = i64::try_from(index).unwrap_or(i64::MAX);
        let correlation = format!("{}-{index}", data.id);
        let user_speech = speaking_seconds(&turn.user);
        messages.push(message(TranscriptRole::User, &turn.user, at, user_speech, false));
        let heard = after(at, user_speech);
        let latency = &turn.seconds;
        let call = match &turn.tool {
            Some(call) => {
                let started = after(heard, latency.transcription + latency.llm);
                Some(tool_call(call, tools, &correlation, index, started)?)
            }
            None => None,
        };
        let waited = call.as_ref().map_or(0.0, |c| c.waited);
        let first_audio = round(latency.transcription + latency.llm + waited + latency.tts, 2);
        let speaks = after(heard, first_audio);
        let whole = speaking_seconds(&turn.persona);
        let spoken = if turn.interrupted { round(whole / 2.0, 1) } else { whole };
        messages.push(message(TranscriptRole::Persona, &turn.persona, speaks, spoken, turn.interrupted));
        turns.push(SessionAnalyticsTurn {
            turn_index: Some(index),
            correlation_id: Some(correlation),
            user_message: Some(turn.user.clone()),
            assistant_message: Some(turn.persona.clone()),
            transcription_latency_seconds: Some(latency.transcription),
            llm_time_to_first_output_seconds: Some(latency.llm),
            llm_generation_duration_seconds: Some(round(0.25 + 0.02 * words(&turn.persona), 2)),
            tts_time_to_first_audio_seconds: Some(latency.tts),
            tts_generation_duration_seconds: Some(round(whole * 0.4, 2)),
            first_audio_latency_seconds: Some(first_audio),
            speaking_duration_seconds: Some(spoken),
            user_speech_duration_seconds: Some(user_speech),
            persona_start_speaking_time: Some(speaks),
            persona_stop_speaking_time: Some(after(speaks, spoken)),
            finish_reason: Some(if turn.interrupted {
                TurnFinishReason::Interrupted
            } else {
                TurnFinishReason::Completed
            }),
            interrupted_stage: turn.interrupted.then_some(InterruptedStage::WhileSpeaking),
            tool_calls: Some(call.iter().map(|c| c.analytics.clone()).collect()),
            ..Default::default()
        });
        calls.extend(call.map(|c| c.detail));
        at = after(speaks, spoken + PAUSE_SECONDS);
    }
    if at > now {
        return Err(DemoError(format!("the session {} would go on after now", data.id)));
    }
    let end = (!data.running).then_some(at);
    let session = record(
        "session",
        json!({"id": data.id, "personaId": persona.id, "clientLabel": data.client_label,
            "clientMetadata": data.client_metadata, "personaConfig": {"personaId": persona.id},
            "startTime": start, "endTime": end, "sessionLengthMs": end.map(|end| (end - start).num_milliseconds()),
            "exitStatus": end.map(|_| "NORMAL_EXIT"), "engineHost": crate::sessions::ENGINE_HOST,
            "engineProtocol": "https", "apiKeyId": API_KEY_ID, "organizationId": ORGANIZATION_ID,
            "createdAt": start, "updatedAt": end.unwrap_or(start)}),
    )?;
    let mut record = SessionRecord::new(session)
        .transcript(messages)
        .tool_calls(calls)
        .recording(data.recording)
        .problems(data.warnings, 0);
    if end.is_some() {
        record = record.turns(turns);
    }
    Ok(record)
}

/// A tool call as the session answer and the analytics turn have it, and how long the persona
/// waited for it (a server tool's whole call; nothing for a client tool).
struct Call {
    detail: SessionToolCallDetail,
    analytics: SessionAnalyticsToolCall,
    waited: f64,
}

fn tool_call(
    data: &CallData,
    tools: &[Tool],
    correlation: &str,
    turn: i64,
    started: DateTime<Utc>,
) -> Result<Call, DemoError> {
    let tool = named(tools, "tool", &data.name, |t| t.name.as_ref())?;
    let kind = tool.type_.as_ref().map_or("CLIENT", |t| t.as_str());
    let (session_type, subtype) = match kind {
        "SERVER_WEBHOOK" => (SessionToolType::Server, Some("webhook")),
        "SERVER_RAG" => (SessionToolType::Server, Some("rag")),
        "SYSTEM" => (SessionToolType::System, None),
        _ => (SessionToolType::Client, None),
    };
    let status = if data.error.is_some() { ToolCallStatus::Failed } else { ToolCallStatus::Completed };
    let completed = after(started, data.seconds);
    let id = format!("call-{correlation}");
    let detail = SessionToolCallDetail {
        turn_index: Some(turn),
        correlation_id: Some(correlation.to_owned()),
        tool_call_id: Some(id.clone()),
        tool_name: Some(data.name.clone()),
        tool_type: Some(session_type.clone()),
        tool_subtype: subtype.map(str::to_owned),
        status: Some(status.clone()),
        started_at: Some(started),
        completed_at: Some(completed),
        duration_seconds: Some(data.seconds),
        error_message: data.error.clone(),
        arguments: Some(data.arguments.clone()),
        result: data.result.clone(),
        documents_accessed: data.documents.clone(),
    };
    let analytics = SessionAnalyticsToolCall {
        tool_call_id: Some(id),
        tool_name: Some(data.name.clone()),
        tool_type: Some(kind.to_owned()),
        status: Some(status),
        started_at: Some(started),
        completed_at: Some(completed),
        duration_seconds: Some(data.seconds),
        error_message: data.error.clone(),
    };
    let waited = if session_type == SessionToolType::Server { data.seconds } else { 0.0 };
    Ok(Call { detail, analytics, waited })
}

fn message(role: TranscriptRole, text: &str, at: DateTime<Utc>, seconds: f64, interrupted: bool) -> TranscriptMessage {
    TranscriptMessage {
        role: Some(role),
        message: Some(text.to_owned()),
        timestamp: Some(at),
        speaking_duration_seconds: Some(seconds),
        was_interrupted: Some(interrupted),
    }
}

fn words(text: &str) -> f64 {
    text.split_whitespace().count() as f64
}

/// How long saying `text` takes, to a tenth of a second (at least 0.6).
fn speaking_seconds(text: &str) -> f64 {
    round(words(text) / WORDS_PER_SECOND, 1).max(0.6)
}

/// `value` rounded to `digits` decimals.
fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// `seconds` after `at`, to the millisecond.
fn after(at: DateTime<Utc>, seconds: f64) -> DateTime<Utc> {
    at + Duration::milliseconds((seconds * 1000.0).round() as i64)
}

/// The item of `items` whose name is `name`, the first if several are.
fn named<'a, T>(
    items: &'a [T],
    what: &str,
    name: &str,
    name_of: impl Fn(&T) -> Option<&String>,
) -> Result<&'a T, DemoError> {
    items.iter().find(|item| name_of(item).is_some_and(|n| n == name)).ok_or_else(|| missing(what, name))
}

fn missing(what: &str, name: &str) -> DemoError {
    DemoError(format!("it needs the {what} {name:?}, which the fake does not hold"))
}

/// A record of the API made from its JSON.
fn record<T: DeserializeOwned>(what: &str, value: Value) -> Result<T, DemoError> {
    serde_json::from_value(value).map_err(|e| DemoError(format!("its data does not make a {what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaking_takes_two_and_a_half_words_a_second_and_at_least_0_6_s() {
        assert_eq!(speaking_seconds("one two three four five"), 2.0);
        assert_eq!(speaking_seconds("Hi"), 0.6);
        assert_eq!(speaking_seconds(""), 0.6);
        assert_eq!(round(0.21 + 0.46 + 0.62 + 0.19, 2), 1.48);
        let at = DateTime::parse_from_rfc3339("2026-07-01T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(after(at, 1.2345).to_rfc3339(), "2026-07-01T10:00:01.235+00:00");
    }

    #[test]
    fn every_file_the_data_names_is_included_and_every_included_file_is_named() {
        let account: Account = serde_json::from_str(ACCOUNT).unwrap();
        let named: Vec<&str> =
            account.knowledge_groups.iter().flat_map(|g| &g.documents).map(|d| d.file.as_str()).collect();
        assert_eq!(named, FILES.map(|(name, _)| name));
    }
}
