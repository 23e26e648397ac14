//! Tools: list and get over the catalogue, and create, update and delete. A tool's `config` is
//! checked against its `type` with the spec's `x-anam-tool-types` (`check_tool_config`, the
//! SDK's check): a field another type takes is refused, and on create the fields the type needs
//! are required;
//! a knowledge tool's `documentFolderIds` must name knowledge groups the fake holds. System
//! tools cannot be changed or deleted (403).

use anam_api::facts::{check_create_tool, check_tool_config, check_update_tool};
use anam_api::types::{
    SystemToolAction, Tool, ToolConfig, ToolCreate, ToolList, ToolType, ToolUpdate, ToolWebhookMethod,
};
use http::StatusCode;
use serde_json::json;

use crate::collection::paginate;
use crate::input::Input;
use crate::reply::{Answer, created, no_content, not_found, ok, refuse};
use crate::state::{State, new_id, now};
use crate::validate::{Invalid, known, out_of_range, patch, read, refused, to_map};

pub(crate) fn list(state: &mut State, input: &Input) -> Answer {
    let (page, per_page) = input.paging(10)?;
    let tools: Vec<Tool> = state.catalog.find_tools(input.text("search")).into_iter().map(|t| used(state, t)).collect();
    let (data, meta) = paginate(&tools.iter().collect::<Vec<_>>(), page, per_page);
    ok(ToolList { data, meta })
}

pub(crate) fn get(state: &mut State, input: &Input) -> Answer {
    ok(used(state, state.catalog.tool(&input.id).ok_or_else(|| not_found("Tool"))?))
}

/// The tool with its `usageCount`: how many personas the fake holds use it.
fn used(state: &State, tool: &Tool) -> Tool {
    let uses = |persona: &anam_api::types::Persona| persona.tools.iter().flatten().any(|t| t.id == tool.id);
    let count = state.personas.iter().filter(|p| uses(p)).count();
    Tool { usage_count: Some(i64::try_from(count).unwrap_or(i64::MAX)), ..tool.clone() }
}

pub(crate) fn create(state: &mut State, input: &Input) -> Answer {
    let request: ToolCreate = read(&input.json()?)?;
    check_create_tool(&request).map_err(out_of_range)?;
    known!("type", Some(&request.type_), ToolType)?;
    let config = request.config.clone().unwrap_or_default();
    check_config(state, request.type_.as_str(), &config, true)?;
    check_name(state, &request.name, None)?;
    let mut tool = json!({"id": new_id(), "usageCount": 0, "createdAt": now(), "updatedAt": now(), "config": {}});
    for (key, value) in to_map(&request) {
        tool[key] = value;
    }
    let tool: Tool = serde_json::from_value(tool)
        .map_err(|e| Invalid::new("", format!("the request does not make a tool: {e}"), "invalid_type"))?;
    state.catalog.tools.insert(tool.clone());
    created(tool)
}

/// A partial update; a `config` sent replaces the stored one whole (Anam does not say whether
/// it is merged), and is checked against the tool's type after the update.
pub(crate) fn update(state: &mut State, input: &Input) -> Answer {
    let body = input.json()?;
    let request: ToolUpdate = read(&body)?;
    check_update_tool(&request).map_err(out_of_range)?;
    known!("type", request.type_.as_ref(), ToolType)?;
    let tool = state.catalog.tool(&input.id).ok_or_else(|| not_found("Tool"))?;
    refuse_system(tool, "System tools cannot be modified")?;
    let updated: Tool = patch(tool, to_map(&request), &body, &[])?;
    let tool_type = updated.type_.as_ref().map_or("CLIENT", |t| t.as_str()).to_owned();
    check_config(state, &tool_type, &updated.config.clone().unwrap_or_default(), false)?;
    if let Some(name) = &request.name {
        check_name(state, name, Some(&input.id))?;
    }
    state.catalog.tools.insert(updated.clone());
    ok(used(state, &updated))
}

/// Deletes a tool and detaches it from the personas that used it (Anam says only that it is
/// "no longer available").
pub(crate) fn delete(state: &mut State, input: &Input) -> Answer {
    let tool = state.catalog.tool(&input.id).ok_or_else(|| not_found("Tool"))?;
    refuse_system(tool, "System tools cannot be deleted")?;
    state.catalog.tools.remove(&input.id);
    for persona in state.personas.iter_mut() {
        if let Some(tools) = persona.tools.as_mut() {
            tools.retain(|t| t.id != input.id.as_str());
        }
    }
    no_content()
}

fn refuse_system(tool: &Tool, message: &str) -> Result<(), crate::reply::Failure> {
    match tool.type_.as_ref() {
        Some(ToolType::System) => Err(refuse(StatusCode::FORBIDDEN, message)),
        _ => Ok(()),
    }
}

/// Tool names are unique (Anam's prose) and made of letters, digits, `_`, `.` and `-`.
fn check_name(state: &State, name: &str, except: Option<&str>) -> Result<(), Invalid> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        return Err(Invalid::new("name", "may hold only letters, digits, _, . and -", "invalid_string"));
    }
    let taken = state.catalog.tools.iter().any(|t| t.name.as_deref() == Some(name) && Some(t.id.as_str()) != except);
    if taken {
        return Err(Invalid::new("name", format!("a tool named {name:?} exists"), "custom"));
    }
    Ok(())
}

/// The config's fields suit `tool_type` (the spec's `x-anam-tool-types`, through the check the
/// SDK runs): none that another type takes, every one it needs (on create); known enum values,
/// and knowledge groups the fake holds.
fn check_config(state: &State, tool_type: &str, config: &ToolConfig, create: bool) -> Result<(), Invalid> {
    check_tool_config(Some(tool_type), config, create).map_err(|error| {
        let code = if error.value == "unset" { "invalid_type" } else { "unrecognized_keys" };
        refused(error, code)
    })?;
    known!("config.method", config.method.as_ref(), ToolWebhookMethod)?;
    known!("config.action", config.action.as_ref(), SystemToolAction)?;
    for (index, group) in config.document_folder_ids.iter().flatten().enumerate() {
        if !state.groups.contains(group) {
            let message = format!("no knowledge group has the id {:?}", group.as_str());
            return Err(Invalid::new(format!("config.documentFolderIds[{index}]"), message, "invalid_reference"));
        }
    }
    Ok(())
}
