//! Meeting invites: list (most recent first, by `status`), create, get and cancel. An invite
//! starts `pending` and moves on only when a test says so (`MockServer::update_meeting_invite`):
//! the fake joins no meeting.

use anam_api::facts::check_create_meeting_invite;
use anam_api::types::{
    AvatarModel, MeetingInvite, MeetingInviteCreate, MeetingInviteList, MeetingInviteStatus, MeetingRegion,
    MeetingRegionPolicy,
};
use http::StatusCode;
use serde_json::json;

use crate::catalog::{References, check_model};
use crate::collection::paginate;
use crate::input::Input;
use crate::personas::check_option_enums;
use crate::reply::{Answer, Failure, created, no_content, not_found, ok, refuse};
use crate::state::{State, new_id, now};
use crate::validate::{Invalid, known, out_of_range, read};

/// The region an invite gets when it names none (Anam picks one from the requester's location).
pub(crate) const DEFAULT_REGION: &str = "eu";

pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    let (page, per_page) = input.paging(10)?;
    let status = input.one_of("status", MeetingInviteStatus::KNOWN)?;
    let invites: Vec<&MeetingInvite> = state
        .invites
        .iter()
        .rev()
        .filter(|i| status.is_none_or(|s| i.status.as_ref().is_some_and(|t| t.as_str() == s)))
        .collect();
    let (data, meta) = paginate(&invites, page, per_page);
    ok(MeetingInviteList { data, meta })
}

pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    ok(state.invites.get(&input.id).ok_or_else(|| not_found("Meeting invite"))?)
}

pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    let request: MeetingInviteCreate = read(&input.json()?)?;
    check_create_meeting_invite(&request).map_err(out_of_range)?;
    known!("region", request.region.as_ref(), MeetingRegion)?;
    known!("regionPolicy", Some(&request.region_policy), MeetingRegionPolicy)?;
    if request.region_policy == MeetingRegionPolicy::Strict && request.region.is_none() {
        return Err(Invalid::new("region", "is required with regionPolicy strict", "invalid_combination").into());
    }
    let (url, provider) = meeting(request.meeting_url.expose_secret())?;
    check_join_at(request.join_at)?;
    let name = persona_name(state, &request)?;
    let display = request.display_name.as_ref().map(|n| n.to_string()).or(name).unwrap_or_else(|| "Anam".into());
    let display = if display.ends_with("(AI)") { display } else { format!("{display} (AI)") };
    let region = request.region.as_ref().map_or(DEFAULT_REGION, |r| r.as_str());
    let invite: MeetingInvite = serde_json::from_value(json!({
        "id": new_id(), "provider": provider, "meetingUrl": url, "displayName": display, "status": "pending",
        "createdAt": now(), "joinAt": request.join_at, "groupCall": request.group_call, "sessionId": null,
        "region": region, "joinState": null, "statusReason": null,
    }))
    .map_err(|e| Invalid::new("", format!("the request does not make an invite: {e}"), "invalid_type"))?;
    state.invites.insert(invite.clone());
    created(invite)
}

/// Exactly one of `personaId` (a persona the fake holds: 403 otherwise, as Anam answers for a
/// persona the organisation cannot use) and `personaConfig` (whose references must exist);
/// the persona's name, for the display name.
fn persona_name(state: &State, request: &MeetingInviteCreate) -> Result<Option<String>, Failure> {
    match (&request.persona_id, &request.persona_config) {
        (Some(id), None) => {
            let persona = state.personas.get(id).ok_or_else(|| {
                refuse(StatusCode::FORBIDDEN, "Forbidden: the organisation has no persona with this id")
            })?;
            Ok(persona.name.clone())
        }
        (None, Some(config)) => {
            let within = |problem: Invalid| problem.within("personaConfig");
            known!("avatarModel", config.avatar_model.as_ref(), AvatarModel).map_err(within)?;
            check_option_enums(config.voice_generation_options.as_ref(), None).map_err(within)?;
            state.catalog.check_references(&References::of_meeting(config)).map_err(within)?;
            let avatar = config.avatar_id.as_ref().and_then(|id| state.catalog.avatar(id));
            check_model(avatar, config.avatar_model.as_ref()).map_err(within)?;
            Ok(config.name.clone())
        }
        _ => {
            let message = "Provide exactly one of personaId or personaConfig";
            Err(Invalid::new("personaId", message, "custom").into())
        }
    }
}

/// The URL with `https://` when it has no scheme, and its provider; any other host is refused.
pub(crate) fn meeting(raw: &str) -> Result<(String, &'static str), Invalid> {
    let refused =
        || Invalid::new("meetingUrl", "Only Google Meet, Zoom, and Microsoft Teams URLs are supported", "custom");
    let text = if raw.contains("://") { raw.to_owned() } else { format!("https://{raw}") };
    let url = url::Url::parse(&text).map_err(|_| refused())?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let provider = match host.as_str() {
        "meet.google.com" => "google_meet",
        "zoom.us" => "zoom",
        "teams.microsoft.com" | "teams.live.com" => "microsoft_teams",
        other if other.ends_with(".zoom.us") => "zoom",
        _ => return Err(refused()),
    };
    Ok((url.to_string(), provider))
}

/// `joinAt` is in the future and at most 7 days ahead (Anam's prose).
fn check_join_at(join_at: Option<chrono::DateTime<chrono::Utc>>) -> Result<(), Invalid> {
    let Some(at) = join_at else { return Ok(()) };
    if at <= now() {
        return Err(Invalid::new("joinAt", "joinAt must be in the future", "custom"));
    }
    if at > now() + chrono::Duration::days(7) {
        return Err(Invalid::new("joinAt", "joinAt must be at most 7 days ahead", "custom"));
    }
    Ok(())
}

/// Cancels an invite: 204 whatever its state (a second cancel changes nothing). Anam does not
/// say what a cancel does to an `active` invite; the fake cancels it too.
pub(crate) fn cancel(state: &mut State, input: &Input) -> Answer {
    let invite = state.invites.get_mut(&input.id).ok_or_else(|| not_found("Meeting invite"))?;
    if matches!(invite.status, Some(MeetingInviteStatus::Pending | MeetingInviteStatus::Active)) {
        invite.status = Some(MeetingInviteStatus::Cancelled);
    }
    no_content()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_meet_zoom_and_teams_urls_are_taken_with_https_added() {
        assert_eq!(meeting("meet.google.com/abc").unwrap(), ("https://meet.google.com/abc".into(), "google_meet"));
        assert_eq!(meeting("https://us02web.zoom.us/j/1?pwd=x").unwrap().1, "zoom");
        assert_eq!(meeting("https://teams.live.com/meet/1").unwrap().1, "microsoft_teams");
        for refused in ["https://example.com/zoom.us", "https://evilzoom.us/j/1", "not a url", ""] {
            assert_eq!(meeting(refused).unwrap_err().path, "meetingUrl", "{refused}");
        }
    }

    #[test]
    fn a_join_time_is_in_the_next_seven_days() {
        assert!(check_join_at(None).is_ok());
        assert!(check_join_at(Some(now() + chrono::Duration::hours(1))).is_ok());
        assert!(check_join_at(Some(now() - chrono::Duration::seconds(1))).unwrap_err().message.contains("future"));
        assert!(check_join_at(Some(now() + chrono::Duration::days(8))).is_err());
    }
}
