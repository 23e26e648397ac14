//! Avatars: list and get over the catalogue, and the one-shot avatars an organisation makes from
//! a picture (create by JSON `imageUrl` or multipart `imageFile`, rename, soft or hard delete).

use anam_api::facts::{check_create_avatar, check_update_avatar};
use anam_api::types::{Avatar, AvatarCreate, AvatarList, AvatarModel, AvatarRenderStyleFilter, AvatarUpdate};
use serde_json::json;

use crate::catalog::AvatarFilter;
use crate::collection::paginate;
use crate::input::{Body, Input, check_file_size};
use crate::reply::{Answer, created, deleted, not_found, ok};
use crate::state::{ORGANIZATION_ID, State, new_id, now};
use crate::validate::{Invalid, known, not_blank, out_of_range, read};

/// The model a new avatar gets when the request names none (Anam: "the server's default").
const DEFAULT_MODEL: &str = "cara-3";

pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    let render_style = input.one_of("renderStyle", AvatarRenderStyleFilter::KNOWN)?;
    let filter = AvatarFilter {
        search: input.text("search"),
        render_style,
        tags: input.text("tags"),
        only_one_shot: input.flag("onlyOneShot")?.unwrap_or(false),
    };
    let (page, per_page) = input.paging(10)?;
    let (data, meta) = paginate(&state.catalog.find_avatars(&filter), page, per_page);
    ok(AvatarList { data, meta })
}

pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    ok(state.catalog.avatar(&input.id).ok_or_else(|| not_found("Avatar"))?)
}

/// What a create asks for, from either body.
struct NewAvatar {
    display_name: String,
    image_url: Option<String>,
    model: Option<AvatarModel>,
}

pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    let request = match input.body {
        Body::Form(_) => from_form(input)?,
        _ => from_json(input)?,
    };
    let id = new_id();
    let model = request.model.map_or_else(|| DEFAULT_MODEL.to_owned(), |m| m.as_str().to_owned());
    let image = request.image_url.unwrap_or_else(|| format!("https://storage.anam-mock.invalid/avatars/{id}.png"));
    let avatar: Avatar = serde_json::from_value(json!({
        "id": id, "displayName": request.display_name, "imageUrl": image,
        "videoUrl": format!("https://storage.anam-mock.invalid/avatars/{id}.mp4?X-Amz-Expires=3600&X-Amz-Signature=mock"),
        "createdAt": now(), "updatedAt": now(), "createdByOrganizationId": ORGANIZATION_ID,
        "availableVersions": [model], "activeVersion": model, "displayTags": [], "renderStyle": "unknown",
    }))
    .map_err(|e| Invalid::new("", format!("the request does not make an avatar: {e}"), "invalid_type"))?;
    state.catalog.avatars.insert(avatar.clone());
    created(avatar)
}

fn from_json(input: &Input) -> Result<NewAvatar, Invalid> {
    let request: AvatarCreate = read(&input.json()?)?;
    check_create_avatar(&request).map_err(out_of_range)?;
    known!("avatarModel", request.avatar_model.as_ref(), AvatarModel)?;
    not_blank("imageUrl", &request.image_url)?;
    Ok(NewAvatar {
        display_name: request.display_name.to_string(),
        image_url: Some(request.image_url),
        model: request.avatar_model,
    })
}

/// The multipart form: `displayName` (3 to 50 characters), exactly one of `imageFile` and
/// `imageUrl`, and an optional `avatarModel`.
fn from_form(input: &Input) -> Result<NewAvatar, Invalid> {
    let display_name = input.field("displayName")?.ok_or_else(|| missing("displayName"))?;
    let length = display_name.chars().count();
    if !(3..=50).contains(&length) {
        return Err(Invalid::new("displayName", "must be 3 to 50 characters", "invalid_string"));
    }
    let image_url = input.field("imageUrl")?;
    let file = input.file("imageFile");
    match (&image_url, file) {
        (Some(_), Some(_)) => {
            return Err(Invalid::new("imageUrl", "send imageFile or imageUrl, not both", "invalid_combination"));
        }
        (None, None) => return Err(Invalid::new("imageFile", "send imageFile or imageUrl", "invalid_combination")),
        (None, Some(file)) => check_file_size(input.op, file)?,
        _ => {}
    }
    let model = input.field("avatarModel")?.map(AvatarModel::from);
    known!("avatarModel", model.as_ref(), AvatarModel)?;
    Ok(NewAvatar { display_name, image_url, model })
}

pub(crate) fn missing(field: &str) -> Invalid {
    Invalid::new(field, format!("missing field `{field}`"), "invalid_type")
}

pub(crate) fn update(state: &mut State, input: &Input) -> Answer {
    let request: AvatarUpdate = read(&input.json()?)?;
    check_update_avatar(&request).map_err(out_of_range)?;
    not_blank("displayName", &request.display_name)?;
    let avatar = state.catalog.avatars.get_mut(&input.id).ok_or_else(|| not_found("Avatar"))?;
    avatar.display_name = Some(request.display_name);
    avatar.updated_at = Some(now());
    ok(avatar.clone())
}

/// Soft and hard deletes both remove the avatar from every answer (Anam documents no restore);
/// personas that used it keep its id.
pub(crate) fn delete(state: &mut State, input: &Input) -> Answer {
    input.flag("hard")?;
    state.catalog.avatars.remove(&input.id).ok_or_else(|| not_found("Avatar"))?;
    deleted("Avatar deleted successfully")
}
