//! LLMs: list and get over the catalogue, and the organisation's own (create, update, delete).
//! The upstream `secret` is write-only: it is kept apart (`MockServer::llm_secret`) and never
//! answered. The built-in defaults (`isDefault`) cannot be changed or deleted (403).

use anam_api::facts::{check_create_llm, check_update_llm};
use anam_api::types::{Llm, LlmCreate, LlmFormat, LlmList, LlmReasoningEffort, LlmReasoningFormat, LlmUpdate};
use http::StatusCode;
use serde_json::{Value, json};

use crate::collection::paginate;
use crate::input::Input;
use crate::reply::{Answer, Failure, created, no_content, not_found, ok, refuse};
use crate::state::{ORGANIZATION_ID, State, new_id, now};
use crate::validate::{Invalid, known, not_blank, out_of_range, patch, read, to_map};

pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    let include_defaults = input.flag("includeDefaults")?.unwrap_or(false);
    let (page, per_page) = input.paging(10)?;
    let llms = state.catalog.find_llms(input.text("search"), include_defaults);
    let (data, meta) = paginate(&llms, page, per_page);
    ok(LlmList { data, meta })
}

pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    ok(state.catalog.llm(&input.id).ok_or_else(|| not_found("LLM"))?)
}

pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    let request: LlmCreate = read(&input.json()?)?;
    check_create_llm(&request).map_err(out_of_range)?;
    known!("llmFormat", Some(&request.llm_format), LlmFormat)?;
    check_reasoning(request.reasoning_effort.as_ref(), request.reasoning_format.as_ref())?;
    not_blank("displayName", &request.display_name)?;
    let id = new_id();
    state.llm_secrets.insert(id.clone(), request.secret.clone());
    let mut fields = to_map(&request);
    fields.remove("secret");
    fields.insert(
        "urls".into(),
        json!(request.urls.iter().map(|u| json!({"url": u.url, "region": u.region})).collect::<Vec<_>>()),
    );
    let mut llm = json!({
        "id": id, "isDefault": false, "isGlobal": false, "isZdr": false, "displayTags": [],
        "createdByOrganizationId": ORGANIZATION_ID, "createdAt": now(), "updatedAt": now(),
    });
    for (key, value) in fields {
        llm[key] = value;
    }
    let llm: Llm = serde_json::from_value(llm)
        .map_err(|e| Invalid::new("", format!("the request does not make an LLM: {e}"), "invalid_type"))?;
    state.catalog.llms.insert(llm.clone());
    created(llm)
}

/// A partial update. `url` replaces the list of URLs with that one; `secret` replaces the
/// stored credential. Anam's update body lists `anthropic` and `custom` among the formats, which
/// the LLM answer cannot hold (its enum lacks them): the fake refuses them.
pub(crate) fn update(state: &mut State, input: &Input) -> Answer {
    let body = input.json()?;
    let request: LlmUpdate = read(&body)?;
    check_update_llm(&request).map_err(out_of_range)?;
    if let Some(format) = &request.llm_format
        && !LlmFormat::from(format.as_str()).is_known()
    {
        let message = format!("{format:?} is not one of {}", LlmFormat::KNOWN.join(", "));
        return Err(Invalid::new("llmFormat", message, "invalid_enum_value").into());
    }
    check_reasoning(request.reasoning_effort.as_ref(), request.reasoning_format.as_ref())?;
    let llm = state.catalog.llms.get_mut(&input.id).ok_or_else(|| not_found("LLM"))?;
    if llm.is_default == Some(true) {
        return Err(refuse(StatusCode::FORBIDDEN, "Default LLMs cannot be modified"));
    }
    let mut changes = to_map(&request);
    changes.remove("secret");
    if let Some(url) = changes.remove("url") {
        changes.insert("urls".into(), json!([{ "url": url, "region": Value::Null }]));
    }
    *llm = patch(llm, changes, &body, &[])?;
    let llm = llm.clone();
    if let Some(secret) = request.secret {
        state.llm_secrets.insert(input.id.clone(), secret);
    }
    ok(llm)
}

/// Deletes an LLM; personas that used it keep its id (Anam does not say what becomes of them).
pub(crate) fn delete(state: &mut State, input: &Input) -> Answer {
    let llm = state.catalog.llm(&input.id).ok_or_else(|| not_found("LLM"))?;
    if llm.is_default == Some(true) {
        return Err(refuse(StatusCode::FORBIDDEN, "Cannot delete default LLMs"));
    }
    state.catalog.llms.remove(&input.id);
    state.llm_secrets.remove(&input.id);
    no_content()
}

fn check_reasoning(effort: Option<&LlmReasoningEffort>, format: Option<&LlmReasoningFormat>) -> Result<(), Failure> {
    known!("reasoningEffort", effort, LlmReasoningEffort)?;
    known!("reasoningFormat", format, LlmReasoningFormat)?;
    Ok(())
}
