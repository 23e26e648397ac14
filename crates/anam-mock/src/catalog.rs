//! The avatars, voices, LLMs and tools a persona is built from: Anam's stock ones from the start
//! (`stock.json`, with the ids Anam's documentation uses), plus those created through the API
//! or added by a test. Lists filter them as the API documents.

use anam_api::facts::NO_LLM_ID;
use anam_api::types::{
    Avatar, AvatarId, AvatarModel, EphemeralPersonaConfig, Llm, LlmId, MeetingInvitePersonaConfig, PersonaCreate,
    PersonaUpdate, Tool, ToolId, Voice, VoiceId,
};
use serde::Deserialize;

use crate::collection::Collection;
use crate::validate::Invalid;

/// What a persona (or an ephemeral persona) references by id.
pub(crate) struct References<'a> {
    pub avatar: Option<&'a AvatarId>,
    pub voice: Option<&'a VoiceId>,
    pub llm: Option<&'a LlmId>,
    pub tools: &'a [ToolId],
}

impl<'a> References<'a> {
    pub fn of_create(request: &'a PersonaCreate) -> Self {
        let (avatar, voice, llm) = (request.avatar_id.as_ref(), request.voice_id.as_ref(), request.llm_id.as_ref());
        References { avatar, voice, llm, tools: &request.tool_ids }
    }

    pub fn of_update(request: &'a PersonaUpdate) -> Self {
        let (avatar, voice, llm) = (request.avatar_id.as_ref(), request.voice_id.as_ref(), request.llm_id.as_ref());
        References { avatar, voice, llm, tools: request.tool_ids.as_deref().unwrap_or_default() }
    }

    pub fn of_ephemeral(config: &'a EphemeralPersonaConfig) -> Self {
        let (avatar, voice, llm) = (config.avatar_id.as_ref(), config.voice_id.as_ref(), config.llm_id.as_ref());
        References { avatar, voice, llm, tools: &config.tool_ids }
    }

    pub fn of_meeting(config: &'a MeetingInvitePersonaConfig) -> Self {
        let (avatar, voice, llm) = (config.avatar_id.as_ref(), config.voice_id.as_ref(), config.llm_id.as_ref());
        References { avatar, voice, llm, tools: &config.tool_ids }
    }
}

/// Refuses a model the avatar does not list among the ones it supports (Anam answers 400:
/// "avatarModel not supported by avatar"). An avatar that lists none accepts any.
pub(crate) fn check_model(avatar: Option<&Avatar>, model: Option<&AvatarModel>) -> Result<(), Invalid> {
    let (Some(avatar), Some(model)) = (avatar, model) else { return Ok(()) };
    let versions = avatar.available_versions.as_deref().unwrap_or_default();
    if versions.is_empty() || versions.iter().any(|v| v == model.as_str()) {
        return Ok(());
    }
    let message = format!("the avatar {} does not support {model} (it supports {})", avatar.id, versions.join(", "));
    Err(Invalid::new("avatarModel", message, "invalid_reference"))
}

/// The resources a persona is built from, each in the order it was added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    pub avatars: Collection<Avatar>,
    pub voices: Collection<Voice>,
    pub llms: Collection<Llm>,
    pub tools: Collection<Tool>,
}

/// `stock.json` as written.
#[derive(Deserialize)]
struct Stock {
    avatars: Vec<Avatar>,
    voices: Vec<Voice>,
    llms: Vec<Llm>,
    tools: Vec<Tool>,
}

/// The filters of `GET /v1/avatars`, as sent.
#[derive(Debug, Default)]
pub(crate) struct AvatarFilter<'a> {
    pub search: Option<&'a str>,
    pub render_style: Option<&'a str>,
    pub tags: Option<&'a str>,
    pub only_one_shot: bool,
}

impl Catalog {
    /// The stock catalogue. `stock.json` is part of this crate and a unit test reads it, so
    /// failing to parse it is a bug of the fake, not something a request can cause.
    pub fn stock() -> Catalog {
        match serde_json::from_str::<Stock>(include_str!("stock.json")) {
            Ok(stock) => Catalog {
                avatars: Collection::from_items(stock.avatars),
                voices: Collection::from_items(stock.voices),
                llms: Collection::from_items(stock.llms),
                tools: Collection::from_items(stock.tools),
            },
            Err(error) => panic!("anam-mock's stock.json does not parse: {error}"),
        }
    }

    pub fn avatar(&self, id: &str) -> Option<&Avatar> {
        self.avatars.get(id)
    }

    pub fn voice(&self, id: &str) -> Option<&Voice> {
        self.voices.get(id)
    }

    pub fn llm(&self, id: &str) -> Option<&Llm> {
        self.llms.get(id)
    }

    pub fn tool(&self, id: &str) -> Option<&Tool> {
        self.tools.get(id)
    }

    /// Refuses an id that names nothing the catalogue holds, naming the field and the id.
    /// `llmId` may also be the id that turns the LLM off ([`NO_LLM_ID`]).
    pub fn check_references(&self, references: &References<'_>) -> Result<(), Invalid> {
        let unknown = |field: String, what: &str, id: &str| {
            Invalid::new(field, format!("no {what} has the id {id:?}"), "invalid_reference")
        };
        if let Some(id) = references.avatar.filter(|id| self.avatar(id).is_none()) {
            return Err(unknown("avatarId".into(), "avatar", id));
        }
        if let Some(id) = references.voice.filter(|id| self.voice(id).is_none()) {
            return Err(unknown("voiceId".into(), "voice", id));
        }
        if let Some(id) = references.llm.filter(|id| id.as_str() != NO_LLM_ID && self.llm(id).is_none()) {
            return Err(unknown("llmId".into(), "LLM", id));
        }
        match references.tools.iter().enumerate().find(|(_, id)| self.tool(id).is_none()) {
            Some((index, id)) => Err(unknown(format!("toolIds[{index}]"), "tool", id)),
            None => Ok(()),
        }
    }

    /// Avatars whose display name or description contains `search` (case-insensitive), drawn in
    /// `render_style` (`all` or absent: any), with any of the comma-separated `tags`; with
    /// `only_one_shot`, only the one-shot avatars (those made from a picture: the fake takes every
    /// avatar an organisation made, `createdByOrganizationId` set, for one).
    pub fn find_avatars(&self, filter: &AvatarFilter<'_>) -> Vec<&Avatar> {
        let tags: Vec<&str> = filter.tags.into_iter().flat_map(|t| t.split(',')).filter(|t| !t.is_empty()).collect();
        self.avatars
            .iter()
            .filter(|a| !filter.only_one_shot || a.created_by_organization_id.is_some())
            .filter(|a| matches(filter.search, [a.display_name.as_deref(), a.description.as_deref()]))
            .filter(|a| match filter.render_style {
                None | Some("all") => true,
                Some(style) => a.render_style.as_ref().is_some_and(|s| s.as_str() == style),
            })
            .filter(|a| tags.is_empty() || a.display_tags.iter().flatten().any(|t| tags.contains(&t.as_str())))
            .collect()
    }

    /// Voices whose display name contains `search`.
    pub fn find_voices(&self, search: Option<&str>) -> Vec<&Voice> {
        self.voices.iter().filter(|v| matches(search, [v.display_name.as_deref()])).collect()
    }

    /// The organisation's LLMs whose display name contains `search`, and the built-in defaults
    /// only when `include_defaults`.
    pub fn find_llms(&self, search: Option<&str>, include_defaults: bool) -> Vec<&Llm> {
        self.llms
            .iter()
            .filter(|l| include_defaults || l.is_default != Some(true))
            .filter(|l| matches(search, [l.display_name.as_deref()]))
            .collect()
    }

    /// Tools whose name, description or id contains `search`.
    pub fn find_tools(&self, search: Option<&str>) -> Vec<&Tool> {
        self.tools
            .iter()
            .filter(|t| matches(search, [t.name.as_deref(), t.description.as_deref(), Some(t.id.as_str())]))
            .collect()
    }
}

/// Whether any of `texts` contains `search`, case-insensitively (no search matches everything).
fn matches<const N: usize>(search: Option<&str>, texts: [Option<&str>; N]) -> bool {
    let Some(search) = search.map(str::to_lowercase) else { return true };
    texts.into_iter().flatten().any(|text| text.to_lowercase().contains(&search))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stock_catalogue_parses_and_holds_the_documented_ids() {
        let stock = Catalog::stock();
        assert!(stock.avatar("071b0286-4cce-4808-bee2-e642f1062de3").is_some());
        assert!(stock.avatar("30fa96d0-26c4-4e55-94a0-517025942e18").is_some());
        assert!(stock.voice("de23e340-1416-4dd8-977d-065a7ca11697").is_some());
        assert!(stock.voice("6bfbe25a-979d-40f3-a92b-5394170af54b").is_some());
        for llm in ["a7cf662c-2ace-4de1-a21e-ef0fbf144bb7", "7736a22f-2d79-4720-952c-25fdca55ad40"] {
            assert!(stock.llm(llm).is_some(), "{llm}");
        }
        assert_eq!(stock.tools.len(), 1);
    }

    #[test]
    fn avatar_filters_combine() {
        let stock = Catalog::stock();
        let names = |filter: AvatarFilter<'_>| -> Vec<String> {
            stock.find_avatars(&filter).iter().map(|a| a.display_name.clone().unwrap_or_default()).collect()
        };
        assert_eq!(names(AvatarFilter::default()), ["Liv", "Cara"]);
        assert_eq!(names(AvatarFilter { search: Some("OFFICE"), ..Default::default() }), ["Liv"]);
        assert_eq!(names(AvatarFilter { tags: Some("studio,nothing"), ..Default::default() }), ["Cara"]);
        assert_eq!(
            names(AvatarFilter { render_style: Some("animated_3d"), ..Default::default() }),
            Vec::<String>::new()
        );
        assert_eq!(names(AvatarFilter { render_style: Some("all"), ..Default::default() }).len(), 2);
        assert!(names(AvatarFilter { only_one_shot: true, ..Default::default() }).is_empty());
    }

    #[test]
    fn references_must_name_what_the_catalogue_holds() {
        let stock = Catalog::stock();
        let (avatar, voice) = (AvatarId::from("071b0286-4cce-4808-bee2-e642f1062de3"), VoiceId::from("nope"));
        let (llm, tools) = (LlmId::from(NO_LLM_ID), [ToolId::from("00000000-0000-0000-0000-000000000000")]);
        let ok = References { avatar: Some(&avatar), voice: None, llm: Some(&llm), tools: &tools };
        assert!(stock.check_references(&ok).is_ok(), "stock ids and the no-LLM id");
        let err = stock.check_references(&References { voice: Some(&voice), ..ok }).unwrap_err();
        assert_eq!((err.path.as_str(), err.code), ("voiceId", "invalid_reference"));
        assert!(err.message.contains("\"nope\""), "{}", err.message);
        let more = [tools[0].clone(), ToolId::from("")];
        assert_eq!(stock.check_references(&References { tools: &more, ..ok }).unwrap_err().path, "toolIds[1]");
        let bad_llm = LlmId::from("gpt-5");
        assert_eq!(stock.check_references(&References { llm: Some(&bad_llm), ..ok }).unwrap_err().path, "llmId");
    }

    #[test]
    fn a_model_must_be_one_the_avatar_supports() {
        let stock = Catalog::stock();
        let liv = stock.avatar("071b0286-4cce-4808-bee2-e642f1062de3");
        assert!(check_model(liv, Some(&AvatarModel::Cara3)).is_ok());
        let err = check_model(liv, Some(&AvatarModel::Cara4)).unwrap_err();
        assert_eq!(err.path, "avatarModel");
        assert!(err.message.contains("supports cara-3"), "{}", err.message);
        assert!(check_model(None, Some(&AvatarModel::Cara4)).is_ok(), "no avatar: nothing to check against");
    }

    #[test]
    fn defaults_are_listed_only_when_asked_for() {
        let stock = Catalog::stock();
        assert!(stock.find_llms(None, false).is_empty());
        assert_eq!(stock.find_llms(Some("mini"), true).len(), 2);
    }
}
