//! Share links: list (20 a page, by `search` and `personaId`), create for a persona the fake
//! holds (404 "Persona not found" otherwise, as documented), get, update and delete. A persona's
//! first link is its primary one; answers of the persona carry its links.

use anam_api::facts::{check_create_share_link, check_update_share_link};
use anam_api::types::{PersonaShareLink, ShareLink, ShareLinkCreate, ShareLinkList, ShareLinkUpdate};
use serde_json::json;

use crate::collection::paginate;
use crate::input::Input;
use crate::reply::{Answer, created, deleted, not_found, ok};
use crate::state::{ORGANIZATION_ID, State, new_id, now};
use crate::validate::{Invalid, out_of_range, read};

/// A share link without the persona fields that lists and get add.
pub(crate) fn without_persona(link: &PersonaShareLink) -> ShareLink {
    ShareLink {
        id: link.id.clone(),
        token: link.token.clone(),
        type_: link.type_.clone(),
        expires_at: link.expires_at,
        usage_limit: link.usage_limit,
        usage_count: link.usage_count,
        allowed_origins: link.allowed_origins.clone(),
        allow_all_origins: link.allow_all_origins,
        remove_watermark: link.remove_watermark,
        enabled: link.enabled,
        is_primary: link.is_primary,
        created_at: link.created_at,
    }
}

pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    let (page, per_page) = input.paging(20)?;
    let search = input.text("search").map(str::to_lowercase);
    let persona = input.text("personaId");
    let links: Vec<&PersonaShareLink> = state
        .share_links
        .iter()
        .filter(|link| persona.is_none_or(|p| link.persona_id.as_ref().is_some_and(|id| *id == p)))
        .filter(|link| search.as_ref().is_none_or(|text| matches(link, text)))
        .collect();
    let (data, meta) = paginate(&links, page, per_page);
    ok(ShareLinkList { data, meta })
}

/// `search` matches the link's id or its persona's name (Anam does not say which fields).
fn matches(link: &PersonaShareLink, text: &str) -> bool {
    link.id.to_lowercase().contains(text)
        || link.persona_name.as_deref().is_some_and(|n| n.to_lowercase().contains(text))
}

pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    ok(state.share_links.get(&input.id).ok_or_else(|| not_found("Share link"))?)
}

pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    let request: ShareLinkCreate = read(&input.json()?)?;
    check_create_share_link(&request).map_err(out_of_range)?;
    let (hours, uses) = limits(Some(request.expires_in_hours), Some(request.usage_limit))?;
    let persona = state.personas.get(&request.persona_id).ok_or_else(|| not_found("Persona"))?;
    let first = !state.share_links.iter().any(|l| l.persona_id.as_ref() == Some(&request.persona_id));
    let link: PersonaShareLink = serde_json::from_value(json!({
        "id": new_id(), "token": format!("sh_{}", &uuid::Uuid::new_v4().simple().to_string()[..22]),
        "type": "LINK", "expiresAt": expiry(hours.unwrap_or(168.0)), "usageLimit": uses, "usageCount": 0,
        "allowedOrigins": [], "allowAllOrigins": true, "removeWatermark": false, "enabled": true,
        "isPrimary": first, "createdAt": now(), "personaId": request.persona_id,
        "personaName": persona.name, "organizationId": ORGANIZATION_ID,
    }))
    .map_err(|e| Invalid::new("", format!("the request does not make a share link: {e}"), "invalid_type"))?;
    state.share_links.insert(link.clone());
    created(without_persona(&link))
}

/// Changes the lifetime (counted from now: Anam does not say from when) or the usage limit.
pub(crate) fn update(state: &mut State, input: &Input) -> Answer {
    let request: ShareLinkUpdate = read(&input.json()?)?;
    check_update_share_link(&request).map_err(out_of_range)?;
    let (hours, uses) = limits(request.expires_in_hours, request.usage_limit)?;
    let link = state.share_links.get_mut(&input.id).ok_or_else(|| not_found("Share link"))?;
    if let Some(hours) = hours {
        link.expires_at = expiry(hours);
    }
    if uses.is_some() {
        link.usage_limit = uses;
    }
    ok(without_persona(link))
}

pub(crate) fn delete(state: &mut State, input: &Input) -> Answer {
    state.share_links.remove(&input.id).ok_or_else(|| not_found("Share link"))?;
    deleted("Share link deleted successfully")
}

/// The lifetime must be a positive number of hours and the limit a whole number from 1 (Anam
/// documents no bounds; the link's own `usageLimit` is an integer).
fn limits(hours: Option<f64>, uses: Option<f64>) -> Result<(Option<f64>, Option<i64>), Invalid> {
    if hours.is_some_and(|h| !(h > 0.0 && h <= 1_000_000.0)) {
        return Err(Invalid::new("expiresInHours", "must be a number of hours above 0", "too_small"));
    }
    match uses {
        Some(n) if n.fract() != 0.0 || !(1.0..=1e12).contains(&n) => {
            Err(Invalid::new("usageLimit", "must be a whole number from 1", "invalid_type"))
        }
        _ => Ok((hours, uses.map(|n| n as i64))),
    }
}

fn expiry(hours: f64) -> Option<chrono::DateTime<chrono::Utc>> {
    now().checked_add_signed(chrono::Duration::seconds((hours * 3600.0) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_positive_and_limits_whole() {
        assert_eq!(limits(Some(168.0), Some(10.0)).unwrap(), (Some(168.0), Some(10)));
        assert_eq!(limits(None, None).unwrap(), (None, None));
        assert_eq!(limits(Some(0.0), None).unwrap_err().path, "expiresInHours");
        assert_eq!(limits(Some(-1.0), None).unwrap_err().path, "expiresInHours");
        assert_eq!(limits(None, Some(2.5)).unwrap_err().path, "usageLimit");
        assert_eq!(limits(None, Some(0.0)).unwrap_err().path, "usageLimit");
    }
}
