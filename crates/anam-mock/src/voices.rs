//! Voices: list and get over the catalogue, cloning (JSON with the `audioKey` of a presigned
//! upload, or multipart with the recording inline), the presigned upload itself, update and
//! delete.

use anam_api::facts::{check_create_voice, check_create_voice_presigned_upload, check_update_voice};
use anam_api::types::{
    Voice, VoiceCreate, VoiceGender, VoiceList, VoicePresignedUpload, VoicePresignedUploadRequest, VoiceUpdate,
};
use serde_json::json;

use crate::avatars::missing;
use crate::collection::paginate;
use crate::input::{Body, Input, check_file_size};
use crate::reply::{Answer, created, deleted, not_found, ok};
use crate::state::{ORGANIZATION_ID, State, new_id, now};
use crate::validate::{Invalid, known, not_blank, out_of_range, patch, read, to_map};

/// The provider a cloned voice gets; Anam does not say which.
const CLONE_PROVIDER: &str = "ELEVENLABS";

/// The update fields whose `null` clears them (nullable in the spec's `VoiceUpdate`).
const CLEARED_BY_NULL: [&str; 3] = ["gender", "country", "description"];

pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    let (page, per_page) = input.paging(10)?;
    let (data, meta) = paginate(&state.catalog.find_voices(input.text("search")), page, per_page);
    ok(VoiceList { data, meta })
}

pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    ok(state.catalog.voice(&input.id).ok_or_else(|| not_found("Voice"))?)
}

/// A clone: from JSON, `audioKey` must be one the presigned upload handed out; from a form,
/// `audioFile` is the recording (the whole request at most about 4.5 MB).
pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    let (name, description) = match input.body {
        Body::Form(_) => from_form(input)?,
        _ => {
            let request: VoiceCreate = read(&input.json()?)?;
            check_create_voice(&request).map_err(out_of_range)?;
            if !state.audio_keys.contains(&request.audio_key) {
                let message = "no presigned upload handed out this key";
                return Err(Invalid::new("audioKey", message, "invalid_reference").into());
            }
            (request.name, request.description)
        }
    };
    not_blank("name", &name)?;
    let voice: Voice = serde_json::from_value(json!({
        "id": new_id(), "displayName": name, "provider": CLONE_PROVIDER, "providerVoiceId": new_id(),
        "description": description, "displayTags": [], "isZdr": false,
        "createdByOrganizationId": ORGANIZATION_ID, "createdAt": now(), "updatedAt": now(),
    }))
    .map_err(|e| Invalid::new("", format!("the request does not make a voice: {e}"), "invalid_type"))?;
    state.catalog.voices.insert(voice.clone());
    created(voice)
}

fn from_form(input: &Input) -> Result<(String, Option<String>), Invalid> {
    let name = input.field("name")?.ok_or_else(|| missing("name"))?;
    let file = input.file("audioFile").ok_or_else(|| missing("audioFile"))?;
    check_file_size(input.op, file)?;
    input.form_flag("enhance")?;
    Ok((name, input.field("description")?))
}

/// Where to upload a recording: an upload URL that the fake does not serve (the `.invalid`
/// domain never resolves) and a key a clone may then name.
pub(crate) fn presigned_upload(state: &mut State, input: &Input) -> Answer {
    let request: VoicePresignedUploadRequest = read(&input.json()?)?;
    check_create_voice_presigned_upload(&request).map_err(out_of_range)?;
    if !request.content_type.starts_with("audio/") {
        return Err(Invalid::new("contentType", "must start with audio/", "invalid_string").into());
    }
    if request.file_size < 0 {
        return Err(Invalid::new("fileSize", "must be at least 0", "too_small").into());
    }
    not_blank("filename", &request.filename)?;
    let key = format!("voices/{}/{}", new_id(), request.filename.replace(['/', '\\'], "_"));
    let url = format!("https://storage.anam-mock.invalid/{key}?X-Amz-Expires=3600&X-Amz-Signature=mock");
    state.audio_keys.insert(key.clone());
    ok(VoicePresignedUpload { upload_url: url.into(), audio_key: key })
}

pub(crate) fn update(state: &mut State, input: &Input) -> Answer {
    let body = input.json()?;
    let request: VoiceUpdate = read(&body)?;
    check_update_voice(&request).map_err(out_of_range)?;
    known!("gender", request.gender.as_ref(), VoiceGender)?;
    not_blank("displayName", &request.display_name)?;
    let voice = state.catalog.voices.get_mut(&input.id).ok_or_else(|| not_found("Voice"))?;
    *voice = patch(voice, to_map(request), &body, &CLEARED_BY_NULL)?;
    ok(voice.clone())
}

/// Deletes a voice; personas that used it keep its id (Anam does not say what becomes of them).
pub(crate) fn delete(state: &mut State, input: &Input) -> Answer {
    state.catalog.voices.remove(&input.id).ok_or_else(|| not_found("Voice"))?;
    deleted("Voice deleted successfully")
}
