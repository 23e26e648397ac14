//! Workspace-level tests live in `tests/`, the Prism contract driver in `src/bin/`. This library
//! holds what several of them share: one call of every operation of the spec
//! ([`send_minimal`]), and it compiles the workspace README's examples as doctests.

use anam::types::{ToolType, ToolUpdateName};
use anam::{Client, Operation};

/// The id used in paths where any id will do.
pub const ID: &str = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";

/// Sends `op` once with small valid input, through the SDK (its handles and builders where it
/// has them, `Client::send` with a generated builder otherwise); the answer is whatever the
/// server says. `None` for an operation that has no case here yet: a test that iterates
/// `Operation::ALL` fails on it, so that a new operation gets a case.
pub async fn send_minimal(client: &Client, op: Operation) -> Option<anam::Result<()>> {
    let api = client.api();
    let upload = || anam::Upload::bytes("hours.md", "We open at nine.");
    Some(match op {
        Operation::CreateSessionToken => client.sessions().token(anam::CreateSessionToken::persona(ID)).await.map(drop),
        Operation::ListAvatars => client.avatars().list(anam::ListAvatars::new()).await.map(drop),
        Operation::CreateAvatar => client.avatars().upload(anam::UploadAvatar::new("Alex", upload())).await.map(drop),
        Operation::GetAvatar => client.avatars().get(ID).await.map(drop),
        Operation::UpdateAvatar => {
            client.send(api.update_avatar().id(ID).body_map(|b| b.display_name("Alex"))).await.map(drop)
        }
        Operation::DeleteAvatar => client.avatars().delete(ID).await,
        Operation::CreateEngineSession => client.send(api.create_engine_session().body_map(|b| b)).await.map(drop),
        Operation::GetKnowledgeDocument => client.knowledge_documents().get(ID).await.map(drop),
        Operation::UpdateKnowledgeDocument => {
            let rename = anam::types::KnowledgeDocumentUpdate { filename: Some("renamed.md".into()) };
            client.knowledge_documents().update(ID, rename).await.map(drop)
        }
        Operation::DeleteKnowledgeDocument => client.knowledge_documents().delete(ID).await,
        Operation::GetKnowledgeDocumentDownload => client.knowledge_documents().download_url(ID).await.map(drop),
        Operation::ListKnowledgeGroups => {
            client.knowledge_groups().list(anam::ListKnowledgeGroups::new()).await.map(drop)
        }
        Operation::CreateKnowledgeGroup => {
            client.knowledge_groups().create(anam::CreateKnowledgeGroup::new("Handbook")).await.map(drop)
        }
        Operation::GetKnowledgeGroup => client.knowledge_groups().get(ID).await.map(drop),
        Operation::UpdateKnowledgeGroup => {
            let rename = anam::types::KnowledgeGroupUpdate { name: Some("Renamed".into()), description: None };
            client.knowledge_groups().update(ID, rename).await.map(drop)
        }
        Operation::DeleteKnowledgeGroup => client.knowledge_groups().delete(ID).await,
        Operation::ListKnowledgeGroupDocuments => client.knowledge_groups().documents(ID).await.map(drop),
        Operation::UploadKnowledgeGroupDocument => {
            client.knowledge_groups().upload(ID, anam::UploadDocument::new(upload())).await.map(drop)
        }
        Operation::SearchKnowledgeGroup => {
            client.knowledge_groups().search(ID, anam::SearchKnowledge::new("opening hours")).await.map(drop)
        }
        Operation::ListLlms => client.llms().list(anam::ListLlms::new()).await.map(drop),
        Operation::CreateLlm => {
            let call = api.create_llm().body_map(|b| {
                b.display_name("My GPT-4o")
                    .urls(vec![anam::types::LlmUrlCreate {
                        url: "https://api.openai.com/v1/chat/completions".into(),
                        region: None,
                    }])
                    .llm_format(anam::types::LlmFormat::Openai)
                    .model_name("gpt-4o")
                    .secret(anam::Secret::from("sk-upstream"))
            });
            client.send(call).await.map(drop)
        }
        Operation::GetLlm => client.llms().get(ID).await.map(drop),
        Operation::UpdateLlm => {
            client.send(api.update_llm().id(ID).body_map(|b| b.model_name(Some("gpt-4o-mini".into())))).await.map(drop)
        }
        Operation::DeleteLlm => client.llms().delete(ID).await,
        Operation::ListMeetingInvites => client.meeting_invites().list(anam::ListMeetingInvites::new()).await.map(drop),
        Operation::CreateMeetingInvite => {
            let call = api
                .create_meeting_invite()
                .body_map(|b| b.meeting_url("https://meet.google.com/abc-defg-hij").persona_id(Some(ID.into())));
            client.send(call).await.map(drop)
        }
        Operation::GetMeetingInvite => client.meeting_invites().get(ID).await.map(drop),
        Operation::CancelMeetingInvite => client.meeting_invites().delete(ID).await,
        Operation::ListPersonas => client.personas().list(anam::ListPersonas::new()).await.map(drop),
        Operation::CreatePersona => client.personas().create(anam::CreatePersona::cara()).await.map(drop),
        Operation::GetPersona => client.personas().get(ID).await.map(drop),
        Operation::UpdatePersona => {
            client.personas().update(ID, anam::UpdatePersona::new().name("Cara 2")).await.map(drop)
        }
        Operation::DeletePersona => client.personas().delete(ID).await,
        Operation::ListSessions => client.sessions().list(anam::ListSessions::new()).await.map(drop),
        Operation::GetAggregatedSessionAnalytics => {
            client.sessions().aggregated_analytics(anam::SessionAnalyticsQuery::new()).await.map(drop)
        }
        Operation::GetSessionConcurrency => client.sessions().concurrency().await.map(drop),
        Operation::GetSession => client.sessions().get(ID).await.map(drop),
        Operation::GetSessionAnalytics => client.sessions().analytics(ID, false).await.map(drop),
        Operation::GetSessionRecording => client.sessions().recording(ID).await.map(drop),
        Operation::StopSession => client.sessions().stop(ID).await,
        Operation::GetSessionTranscript => client.sessions().transcript(ID).await.map(drop),
        Operation::ListShareLinks => client.share_links().list(anam::ListShareLinks::new()).await.map(drop),
        Operation::CreateShareLink => {
            client.send(api.create_share_link().body_map(|b| b.persona_id(ID))).await.map(drop)
        }
        Operation::GetShareLink => client.share_links().get(ID).await.map(drop),
        Operation::UpdateShareLink => {
            client.send(api.update_share_link().id(ID).body_map(|b| b.usage_limit(Some(5.0)))).await.map(drop)
        }
        Operation::DeleteShareLink => client.share_links().delete(ID).await,
        Operation::ListTools => client.tools().list(anam::ListTools::new()).await.map(drop),
        Operation::CreateTool => {
            let call = api
                .create_tool()
                .body_map(|b| b.name("open_calendar").description("Opens it.").type_(ToolType::Client));
            client.send(call).await.map(drop)
        }
        Operation::GetTool => client.tools().get(ID).await.map(drop),
        Operation::UpdateTool => {
            let name = ToolUpdateName::try_from("renamed").ok();
            client.send(api.update_tool().id(ID).body_map(|b| b.name(name))).await.map(drop)
        }
        Operation::DeleteTool => client.tools().delete(ID).await,
        Operation::ListVoices => client.voices().list(anam::ListVoices::new()).await.map(drop),
        Operation::CreateVoice => {
            let clip = anam::Upload::bytes("clip.wav", "RIFF");
            client.voices().upload(anam::UploadVoice::new("My voice", clip)).await.map(drop)
        }
        Operation::CreateVoicePresignedUpload => {
            let call = api
                .create_voice_presigned_upload()
                .body_map(|b| b.filename("clip.wav").content_type("audio/wav").file_size(1000));
            client.send(call).await.map(drop)
        }
        Operation::GetVoice => client.voices().get(ID).await.map(drop),
        Operation::UpdateVoice => {
            client.send(api.update_voice().id(ID).body_map(|b| b.display_name("My voice"))).await.map(drop)
        }
        Operation::DeleteVoice => client.voices().delete(ID).await,
        _ => return None,
    })
}

/// Small valid inputs for `op`, read from its input schema (`Operation::input_schema`): every
/// required input, each the smallest value its schema allows (ids are [`ID`], dates now, enums
/// their first value, one branch of a `oneOf`). The file of an upload is left out.
pub fn sample_args(op: Operation) -> serde_json::Map<String, serde_json::Value> {
    let schema: serde_json::Value = serde_json::from_str(op.input_schema()).expect("the generated schema is JSON");
    let file = op.inputs().iter().find(|i| i.kind == anam::api::facts::InputKind::File).map(|i| i.name);
    match sample(&schema, "") {
        serde_json::Value::Object(mut args) => {
            if let Some(file) = file {
                args.remove(file);
            }
            args
        }
        _ => serde_json::Map::new(),
    }
}

/// The smallest value a JSON Schema allows for the field `name`, as [`sample_args`] builds it
/// (an `id`, or a name ending in `Id`, gets [`ID`]).
pub fn sample(schema: &serde_json::Value, name: &str) -> serde_json::Value {
    use serde_json::{Value, json};
    if let Some(value) = schema.get("default") {
        return value.clone();
    }
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|v| v.iter().find(|v| !v.is_null())) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        let branches = schema.get(key).and_then(Value::as_array).into_iter().flatten();
        if let Some(branch) = branches.into_iter().find(|b| b.get("type") != Some(&json!("null"))) {
            return sample(branch, name);
        }
    }
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => kinds.iter().find(|k| *k != "null").and_then(Value::as_str),
        Some(kind) => kind.as_str(),
        None => None,
    };
    let number = |fallback: f64| schema.get("minimum").and_then(Value::as_f64).unwrap_or(fallback);
    match kind {
        Some("object") => {
            let required = schema.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
            let properties = schema.get("properties").and_then(Value::as_object);
            let mut object = serde_json::Map::new();
            for name in required.iter().filter_map(Value::as_str) {
                let property = properties.and_then(|p| p.get(name)).cloned().unwrap_or(json!({}));
                object.insert(name.to_owned(), sample(&property, name));
            }
            Value::Object(object)
        }
        Some("array") => {
            let count = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
            let item = schema.get("items").cloned().unwrap_or(json!({}));
            Value::Array((0..count).map(|_| sample(&item, name)).collect())
        }
        Some("integer") => json!(number(1.0) as i64),
        Some("number") => json!(number(1.0)),
        Some("boolean") => json!(false),
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!(chrono_now()),
            Some("uri") => json!("https://meet.google.com/abc-defg-hij"),
            _ if name == "id" || name.ends_with("Id") => json!(ID),
            _ => {
                let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(3).max(3) as usize;
                json!("a".repeat(min))
            }
        },
    }
}

/// Now, as RFC 3339, without a chrono dependency in this library.
fn chrono_now() -> String {
    anam::chrono::Utc::now().to_rfc3339()
}

/// The workspace README's examples.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
