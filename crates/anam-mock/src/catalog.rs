//! The avatars, voices, LLMs and tools the fake holds: Anam's stock ones from the start
//! (`stock.json`, with the ids Anam's documentation uses), plus any a test adds. Lists filter and
//! page them as the API documents; paging is shared with the personas' list.

use anam_api::facts::NO_LLM_ID;
use anam_api::types::{
    Avatar, AvatarId, AvatarModel, EphemeralPersonaConfig, Llm, LlmId, Pagination, PersonaCreate, PersonaUpdate, Tool,
    ToolId, Voice, VoiceId,
};
use serde::Deserialize;

use crate::store::Invalid;

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
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Catalog {
    pub avatars: Vec<Avatar>,
    pub voices: Vec<Voice>,
    pub llms: Vec<Llm>,
    pub tools: Vec<Tool>,
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
        match serde_json::from_str(include_str!("stock.json")) {
            Ok(catalog) => catalog,
            Err(error) => panic!("anam-mock's stock.json does not parse: {error}"),
        }
    }

    pub fn avatar(&self, id: &str) -> Option<&Avatar> {
        self.avatars.iter().find(|a| a.id.as_str() == id)
    }

    pub fn voice(&self, id: &str) -> Option<&Voice> {
        self.voices.iter().find(|v| v.id.as_str() == id)
    }

    pub fn llm(&self, id: &str) -> Option<&Llm> {
        self.llms.iter().find(|l| l.id.as_str() == id)
    }

    pub fn tool(&self, id: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.id.as_str() == id)
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
    /// `render_style` (`all` or absent: any), with any of the comma-separated `tags`. The fake
    /// holds no one-shot avatars, so `only_one_shot` matches none.
    pub fn find_avatars(&self, filter: &AvatarFilter<'_>) -> Vec<&Avatar> {
        let tags: Vec<&str> = filter.tags.into_iter().flat_map(|t| t.split(',')).filter(|t| !t.is_empty()).collect();
        self.avatars
            .iter()
            .filter(|_| !filter.only_one_shot)
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

/// Replaces the item with the same id, or adds it at the end.
pub(crate) fn upsert<T>(items: &mut Vec<T>, item: T, id: impl Fn(&T) -> &str) {
    match items.iter().position(|old| id(old) == id(&item)) {
        Some(index) => items[index] = item,
        None => items.push(item),
    }
}

/// Whether any of `texts` contains `search`, case-insensitively (no search matches everything).
fn matches<const N: usize>(search: Option<&str>, texts: [Option<&str>; N]) -> bool {
    let Some(search) = search.map(str::to_lowercase) else { return true };
    texts.into_iter().flatten().any(|text| text.to_lowercase().contains(&search))
}

/// Page `page` (from 1) of `items`, `per_page` a page, with the metadata the API sends.
pub(crate) fn paginate<T: Clone>(items: &[&T], page: u64, per_page: u64) -> (Vec<T>, Pagination) {
    let total = items.len() as u64;
    let skip = usize::try_from(page.saturating_sub(1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let data = items.iter().skip(skip).take(usize::try_from(per_page).unwrap_or(usize::MAX)).map(|&item| item.clone());
    let last_page = total.div_ceil(per_page.max(1)).max(1);
    let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let meta = Pagination {
        total: int(total),
        last_page: int(last_page),
        current_page: int(page),
        per_page: int(per_page),
        prev: (page > 1).then(|| int(page - 1)),
        next: (page < last_page).then(|| int(page + 1)),
    };
    (data.collect(), meta)
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

    #[test]
    fn pages_are_counted() {
        let items: Vec<u32> = (0..25).collect();
        let refs: Vec<&u32> = items.iter().collect();
        let (data, meta) = paginate(&refs, 3, 10);
        assert_eq!(
            (data, meta.total, meta.last_page, meta.next, meta.prev),
            (vec![20, 21, 22, 23, 24], 25, 3, None, Some(2))
        );
        let (data, meta) = paginate(&refs, u64::MAX, 100);
        assert!(data.is_empty());
        assert_eq!(meta.last_page, 1);
        assert_eq!(paginate::<u32>(&[], 1, 10).1.last_page, 1);
    }
}
