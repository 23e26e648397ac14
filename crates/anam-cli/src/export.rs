//! `export`: the account as a file, in the form `plan` reads, so that planning an export reports
//! no change: knowledge groups, tools, personas and share links, each by name, and references
//! by name wherever the name finds the same id again (else by id). A `${` the server holds is
//! written `$${`, and each webhook header's value as a `${TOOL_HEADER}` placeholder, never the
//! secret. Written to a file (`-o`), the groups' documents are downloaded next to it, under
//! `knowledge/<group>/`; to standard output they are left out (then not managed).
//!
//! An export `plan` would refuse is not written: what the account holds that a file cannot say
//! (two personas of one name: a file finds a persona by its name) is said with the ids and the
//! commands that fix it, and the rest of the file is checked as `plan` checks it (see `file`).

use std::path::{Path, PathBuf};

use anam::Client;
use anam::types::{KnowledgeGroup, Persona, Tool};
use serde_json::Value;

use crate::account::{Account, Wanted, Which};
use crate::docs::Downloads;
use crate::gate::Gate;
use crate::resolve::{Catalog, Named, label};
use crate::spec::tool::file_type;
use crate::spec::{Detection, File, Generation, KnowledgeGroupSpec, PersonaSpec, ShareLinkSpec, ToolSpec};
use crate::{advice, file, vars};

/// An export that `plan` reads: the file, and the documents to download beside it.
#[derive(Debug)]
pub struct Export {
    /// The file.
    pub file: File,
    /// Each document to download: its id, and where it goes, relative to the file's folder.
    pub documents: Vec<(String, PathBuf)>,
}

/// The whole account as a file, checked as `plan` checks a file. With `with_documents`, each
/// group lists its documents under `knowledge/<group>/` (see [`download`]).
pub async fn export(client: &Client, gate: &Gate, with_documents: bool) -> Result<Export, String> {
    let wanted = Wanted {
        personas: Which::All,
        documents: if with_documents { Which::All } else { Which::None },
        share_links: true,
    };
    let account = Account::load(client, gate, &wanted).await.map_err(|e| advice::sdk(&e))?;
    unnamed_or_shared(&account)?;
    let (tool_names, group_names, persona_names) =
        (account.tool_names(), account.group_names(), account.persona_names());
    let mut documents = Vec::new();
    let groups = account.groups.iter().map(|g| group_spec(&account, g, with_documents, &mut documents)).collect();
    let tools: Vec<ToolSpec> = account.tools.iter().map(|t| tool_spec(t, &group_names)).collect();
    let personas = account.personas.iter().filter_map(|p| account.full.get(p.id.as_str()));
    let personas = personas.map(|p| spec(p, &account.catalog, &tool_names)).collect();
    let links = account.personas.iter().filter_map(|p| {
        let link = crate::plan::share_link::link_of(&account.share_links, p.id.as_str())?;
        Some(ShareLinkSpec {
            persona: label(&persona_names, p.id.as_str()),
            usage_limit: link.usage_limit.and_then(|n| u32::try_from(n).ok()),
            expires_at: link.expires_at.map(|t| t.to_rfc3339_opts(anam::chrono::SecondsFormat::Secs, true)),
        })
    });
    let file = File {
        knowledge_groups: Some(groups),
        tools: Some(tools),
        personas: Some(personas),
        share_links: Some(links.collect()),
    };
    let file = escaped(file, &account.tools)?;
    plans(&file)?;
    Ok(Export { file, documents })
}

/// Downloads the export's documents under `dir` (the file's folder), each written whole or not
/// at all (see `docs`).
pub async fn download(
    client: &Client,
    gate: &Gate,
    downloads: &Downloads,
    dir: &Path,
    documents: &[(String, PathBuf)],
) -> Result<(), String> {
    for (id, relative) in documents {
        downloads.save(client, gate, id, &dir.join(relative)).await?;
    }
    Ok(())
}

/// Refuses an account a file cannot describe, so that plan would refuse its export: a persona
/// without a name, or two personas or knowledge groups of one name (a file finds them by name).
/// Says each, with the ids and the commands that fix it.
fn unnamed_or_shared(account: &Account) -> Result<(), String> {
    let mut problems = Vec::new();
    let personas: Vec<(&str, Option<&str>)> =
        account.personas.iter().map(|p| (p.id.as_str(), p.name.as_deref())).collect();
    let groups: Vec<(&str, Option<&str>)> = account.groups.iter().map(|g| (g.id.as_str(), g.name.as_deref())).collect();
    for (id, _) in personas.iter().filter(|(_, name)| name.is_none_or(|n| n.trim().is_empty())) {
        problems.push(format!(
            "the persona {id} has no name, and a file finds a persona by its name: name it (anam personas update {id} \
             --name NEW) or delete it (anam personas delete {id}), then export again"
        ));
    }
    for (name, ids) in shared(&personas) {
        problems.push(format!(
            "{} personas are named {name:?} ({}), and a file finds a persona by its name: rename one (anam personas \
             update <ID> --name NEW) or delete one (anam personas delete <ID>), then export again",
            ids.len(),
            ids.join(", ")
        ));
    }
    for (name, ids) in shared(&groups) {
        problems.push(format!(
            "{} knowledge groups are named {name:?} ({}), and a file finds a group by its name: rename one (anam api \
             updateKnowledgeGroup) or delete one (anam api deleteKnowledgeGroup), then export again",
            ids.len(),
            ids.join(", ")
        ));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!("the account cannot be exported as a file plan would read:\n{}", problems.join("\n"))),
    }
}

/// The names that two or more items share, in the order they first come, with the items' ids.
fn shared<'a>(items: &[(&'a str, Option<&'a str>)]) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut seen: Vec<(&str, Vec<&str>)> = Vec::new();
    for (id, name) in items {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else { continue };
        match seen.iter_mut().find(|(n, _)| *n == name) {
            Some((_, ids)) => ids.push(id),
            None => seen.push((name, vec![id])),
        }
    }
    seen.into_iter().filter(|(_, ids)| ids.len() > 1).collect()
}

/// Checks `file` as `plan` checks what it reads (its documents aside: they are downloaded
/// once it passes), so that an export plan would refuse is not written.
fn plans(file: &File) -> Result<(), String> {
    let mut without_documents = file.clone();
    for group in without_documents.knowledge_groups.iter_mut().flatten() {
        group.documents = None;
    }
    let text = file::to_yaml(&without_documents)?;
    // Every variable stands for some text: the export's are the headers' placeholders.
    let any = |_: &str| Some("x".to_owned());
    file::check(&text, "the export", Path::new("."), &any)
        .map(drop)
        .map_err(|problems| format!("the account cannot be exported as a file plan would read:\n{problems}"))
}

/// `file` with every `${` of its strings escaped, then each tool's headers as placeholders.
fn escaped(file: File, tools: &[Tool]) -> Result<File, String> {
    let mut value = serde_json::to_value(&file).map_err(|e| e.to_string())?;
    vars::escape_all(&mut value);
    for (i, tool) in tools.iter().enumerate() {
        let name = tool.name.clone().unwrap_or_default();
        let headers: serde_json::Map<String, Value> = tool
            .config
            .iter()
            .flat_map(|c| c.headers.iter().flatten())
            .map(|(header, _)| (header.clone(), Value::from(vars::placeholder(&name, header))))
            .collect();
        let spec = value.get_mut("tools").and_then(|tools| tools.get_mut(i)).and_then(Value::as_object_mut);
        if let Some(spec) = spec.filter(|_| !headers.is_empty()) {
            spec.insert("headers".into(), Value::Object(headers));
        }
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// A tool as the file writes it (headers aside: see [`escaped`]).
fn tool_spec(tool: &Tool, groups: &[Named]) -> ToolSpec {
    let wire = tool.type_.as_ref().map(|t| t.to_string()).unwrap_or_default();
    let kind = file_type(&wire).to_owned();
    let config = tool.config.clone().unwrap_or_default();
    ToolSpec {
        name: tool.name.clone().unwrap_or_default(),
        kind,
        description: tool.description.clone().unwrap_or_default(),
        disable_interruptions: tool.disable_interruptions,
        url: config.url,
        method: config.method.map(|m| m.to_string()),
        headers: None,
        body_template: config.body_template,
        parameters: config.parameters.map(Value::Object),
        await_result: config.await_result,
        tool_timeout_seconds: config.tool_timeout_seconds,
        knowledge_groups: config.document_folder_ids.map(|ids| ids.iter().map(|id| label(groups, id)).collect()),
        action: config.action.map(|a| a.to_string()),
    }
}

/// A knowledge group as the file writes it; with `with_documents`, its documents listed under
/// `knowledge/<group>/` and added to `documents` (their ids and paths), to download.
fn group_spec(
    account: &Account,
    group: &KnowledgeGroup,
    with_documents: bool,
    documents: &mut Vec<(String, PathBuf)>,
) -> KnowledgeGroupSpec {
    let name = group.name.clone().unwrap_or_default();
    let listed = with_documents.then(|| {
        let folder = PathBuf::from("knowledge").join(safe_name(&name));
        let mut written: Vec<String> = Vec::new();
        for document in account.documents.get(group.id.as_str()).into_iter().flatten() {
            let file_name = safe_name(document.filename.as_deref().unwrap_or("document.txt"));
            let relative = folder.join(&file_name);
            let shown = relative.to_string_lossy().replace('\\', "/");
            if written.contains(&shown) {
                continue;
            }
            documents.push((document.id.to_string(), relative));
            written.push(shown);
        }
        written
    });
    KnowledgeGroupSpec { name, description: group.description.clone().filter(|d| !d.is_empty()), documents: listed }
}

/// A name from the server as a file or folder name: letters, digits, `.`, `-`, `_` and spaces
/// kept, anything else `_`, no leading dot, never empty: a server's name cannot reach outside
/// the export's folder.
fn safe_name(name: &str) -> String {
    let kept: String = name.chars().map(|c| if c.is_alphanumeric() || "._- ".contains(c) { c } else { '_' }).collect();
    let kept = kept.trim().trim_start_matches('.').to_owned();
    if kept.is_empty() { "_".to_owned() } else { kept }
}

/// A persona as the file writes it, with `tools` to name its tools.
fn spec(persona: &Persona, catalog: &Catalog, tools: &[Named]) -> PersonaSpec {
    let voice = persona.voice.as_ref().map(|v| v.id.to_string());
    let provider =
        voice.as_ref().and_then(|id| catalog.voices.iter().find(|v| &v.id == id)).and_then(|v| v.provider.clone());
    let detection = persona.voice_detection_options.as_ref().map(|o| Detection {
        end_of_speech_sensitivity: o.end_of_speech_sensitivity,
        silence_before_skip_turn_seconds: o.silence_before_skip_turn_seconds,
        silence_before_session_end_seconds: o.silence_before_session_end_seconds,
        silence_before_auto_end_turn_seconds: o.silence_before_auto_end_turn_seconds,
        speech_enhancement_level: o.speech_enhancement_level,
    });
    let generation = persona.voice_generation_options.as_ref().map(|o| Generation {
        engine: engine(provider.as_deref(), &serde_json::to_value(o).unwrap_or_default()).to_owned(),
        stability: o.stability,
        similarity_boost: o.similarity_boost,
        speed: o.speed,
        style: o.style,
        use_speaker_boost: o.use_speaker_boost,
        model: o.model.clone(),
        volume: o.volume,
        emotion: o.emotion.as_ref().map(|e| e.to_string()),
    });
    let tools: Vec<String> = persona.tools.iter().flatten().map(|tool| label(tools, &tool.id)).collect();
    PersonaSpec {
        name: persona.name.clone().unwrap_or_default(),
        description: persona.description.clone().filter(|d| !d.is_empty()),
        avatar: persona.avatar.as_ref().map(|a| label(&catalog.avatars, &a.id)),
        avatar_model: persona.avatar_model.as_ref().map(|m| m.to_string()),
        voice: voice.map(|id| label(&catalog.voices, &id)),
        llm: persona.llm_id.as_ref().map(|id| label(&catalog.llms, id)),
        system_prompt: persona.brain.as_ref().and_then(|b| b.system_prompt.clone()),
        skip_greeting: persona.skip_greeting,
        uninterruptible_greeting: persona.uninterruptible_greeting,
        initial_message: persona.initial_message.clone(),
        zero_data_retention: persona.zero_data_retention,
        language_code: persona.language_code.clone(),
        voice_detection: detection.filter(|d| d != &Detection::default()),
        voice_generation: generation,
        tools: (!tools.is_empty()).then_some(tools),
    }
}

/// The engine of a voice's settings: from the voice's provider, and for ElevenLabs from the
/// fields (v2 has `style`, `useSpeakerBoost` and `model`).
fn engine(provider: Option<&str>, options: &Value) -> &'static str {
    let has = |key: &str| options.get(key).is_some_and(|v| !v.is_null());
    match provider {
        Some("CARTESIA") => "cartesia",
        Some("FISH_AUDIO") => "fish-audio",
        _ if has("style") || has("useSpeakerBoost") || has("model") => "elevenlabs-v2",
        _ if has("emotion") => "cartesia",
        Some("ELEVENLABS") => "elevenlabs-v1",
        _ if has("volume") => "fish-audio",
        _ => "elevenlabs-v1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_follows_the_provider_then_the_fields() {
        assert_eq!(engine(Some("CARTESIA"), &serde_json::json!({"speed": 1})), "cartesia");
        assert_eq!(engine(Some("ELEVENLABS"), &serde_json::json!({"style": 0.1})), "elevenlabs-v2");
        assert_eq!(engine(Some("ELEVENLABS"), &serde_json::json!({"speed": 1})), "elevenlabs-v1");
        assert_eq!(engine(None, &serde_json::json!({"emotion": "calm"})), "cartesia");
    }

    #[test]
    fn a_servers_names_stay_inside_the_export_folder() {
        assert_eq!(safe_name("../../.bashrc"), "_.._.bashrc");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name("Opening hours.md"), "Opening hours.md");
        assert_eq!(safe_name("a/b\\c\u{1b}"), "a_b_c_");
        assert_eq!(safe_name(""), "_");
    }
}
