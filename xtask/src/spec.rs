//! Loading the spec and checking the rules our generator relies on.
//!
//! The checks run on the raw JSON tree so that every problem can name its location
//! (`paths./v1/personas.get`), and all problems are reported at once.

use std::path::Path;

use serde_json::Value;

/// The spec as read from disk and checked: its bytes (for the hash in the generated header), the
/// tree as written (for the facts derived from it), and the document progenitor reads (after
/// [`nullable_refs_for_typify`], [`untyped_error_responses`] and [`json_request_bodies_only`]).
pub struct Spec {
    pub bytes: Vec<u8>,
    pub tree: Value,
    pub openapi: openapiv3::OpenAPI,
}

pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Reads and checks the spec at `path`. Any problem is an error naming the file and the location.
pub fn load(path: &Path) -> Result<Spec, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let tree: Value = serde_norway::from_slice(&bytes).map_err(|e| format!("{shown}: not valid YAML: {e}"))?;
    let problems = check(&tree);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  {shown}: {p}")).collect();
        return Err(format!("the spec breaks {} rule(s):\n{}", problems.len(), list.join("\n")));
    }
    let mut for_progenitor = tree.clone();
    nullable_refs_for_typify(&mut for_progenitor);
    untyped_error_responses(&mut for_progenitor);
    json_request_bodies_only(&mut for_progenitor);
    let openapi =
        serde_json::from_value(for_progenitor).map_err(|e| format!("{shown}: not an OpenAPI 3.0 document: {e}"))?;
    Ok(Spec { bytes, tree, openapi })
}

/// Leaves every non-2xx response out of what progenitor reads, so that the generated client hands
/// each error answer over unread (`Error::UnexpectedResponse`) instead of decoding it itself. The
/// `anam` crate then reads it with a size cap, keeps its raw text and parses it once; the spec
/// still documents the error responses for readers, the fake and the contract tests.
pub fn untyped_error_responses(tree: &mut Value) {
    let Some(paths) = tree.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        for method in METHODS {
            let responses = item.get_mut(method).and_then(|op| op.get_mut("responses"));
            if let Some(responses) = responses.and_then(Value::as_object_mut) {
                responses.retain(|status, _| status.starts_with('2'));
            }
        }
    }
}

/// The request media type progenitor refuses, and the one it reads.
const MULTIPART: &str = "multipart/form-data";
const JSON: &str = "application/json";

/// Shows progenitor the JSON request bodies only. progenitor 0.15 refuses a `multipart/form-data`
/// body and panics (`todo!`) on an operation with two request media types, while the spec
/// describes Anam's uploads faithfully. So an operation that takes multipart or JSON
/// (`createVoice`, `createAvatar`) keeps only its JSON form, and an operation whose only body is
/// multipart (`uploadKnowledgeGroupDocument`) is left out altogether, with its path when nothing
/// else is left there. The multipart body schemas no other part of the document refers to are
/// dropped as well, so that no generated type holds a file as a `String`. The tree as written
/// keeps all of it: the facts list the upload as an `Operation`, and the `anam` crate sends the
/// multipart forms itself.
pub fn json_request_bodies_only(tree: &mut Value) {
    let mut dropped = Vec::new();
    let Some(paths) = tree.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for method in METHODS {
            let content = item.get_mut(method).and_then(|op| op.pointer_mut("/requestBody/content"));
            let Some(content) = content.and_then(Value::as_object_mut) else { continue };
            let Some(multipart) = content.remove(MULTIPART) else { continue };
            dropped.extend(multipart.pointer("/schema/$ref").and_then(Value::as_str).map(str::to_owned));
            if !content.contains_key(JSON) {
                item.remove(method);
            }
        }
    }
    paths.retain(|_, item| METHODS.iter().any(|method| item.get(method).is_some()));
    let mut still_used = Vec::new();
    references(tree, &mut still_used);
    if let Some(schemas) = tree.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for reference in dropped.iter().filter(|r| !still_used.contains(r)) {
            if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                schemas.remove(name);
            }
        }
    }
}

/// Every `$ref` below `node`.
fn references(node: &Value, found: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            found.extend(map.get("$ref").and_then(Value::as_str).map(str::to_owned));
            map.values().for_each(|value| references(value, found));
        }
        Value::Array(items) => items.iter().for_each(|value| references(value, found)),
        _ => {}
    }
}

/// Every operation of the spec: (operationId, METHOD, path template), in the spec's order.
pub fn operations(tree: &Value) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for (path, item) in tree.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let Some(id) = item.get(method).and_then(|op| op.get("operationId")).and_then(Value::as_str) else {
                continue;
            };
            found.push((id.to_string(), method.to_uppercase(), path.clone()));
        }
    }
    found
}

/// The schema that stands for the JSON value `null` in `anyOf: [{$ref: X}, {$ref: NullValue}]`.
const NULL_VALUE: &str = "#/components/schemas/NullValue";

/// Rewrites "X or null" from the form validators need to the form typify reads as `Option<X>`.
///
/// OpenAPI 3.0 has no null type and `nullable` has no effect beside a `$ref`, so the spec writes
/// a nullable reference as `anyOf: [{$ref: X}, {$ref: NullValue}]` (Spectral, Prism and
/// Schemathesis then accept `null`). typify would make that an untagged enum; as
/// `nullable: true, allOf: [{$ref: X}]` it becomes `Option<X>`. `NullValue` itself is dropped.
pub fn nullable_refs_for_typify(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let target = match map.get("anyOf").and_then(Value::as_array).map(Vec::as_slice) {
                Some([a, b]) if b.get("$ref").and_then(Value::as_str) == Some(NULL_VALUE) => Some(a.clone()),
                Some([a, b]) if a.get("$ref").and_then(Value::as_str) == Some(NULL_VALUE) => Some(b.clone()),
                _ => None,
            };
            if let Some(target) = target {
                map.remove("anyOf");
                map.insert("nullable".into(), Value::Bool(true));
                map.insert("allOf".into(), Value::Array(vec![target]));
            }
            if let Some(Value::Object(schemas)) = map.get_mut("schemas") {
                schemas.remove("NullValue");
            }
            map.values_mut().for_each(nullable_refs_for_typify);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_refs_for_typify),
        _ => {}
    }
}

/// Every rule the generator relies on; returns one line per problem, empty when the spec is good.
pub fn check(tree: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match tree.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        other => problems.push(format!("openapi: must be 3.0.x (progenitor reads no other), found {other:?}")),
    }
    check_operations(tree, &mut problems);
    check_refs(tree, tree, "", &mut problems);
    if let Some(schemas) = tree.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, schema) in schemas {
            let at = format!("components.schemas.{name}");
            if schema.get("description").is_none() {
                problems.push(format!("{at}: schema has no description"));
            }
            check_properties(tree, schema, &at, &mut problems);
        }
    }
    problems
}

fn check_operations(tree: &Value, problems: &mut Vec<String>) {
    let Some(paths) = tree.get("paths").and_then(Value::as_object) else {
        problems.push("paths: missing".into());
        return;
    };
    for (path, item) in paths {
        let shared = item.get("parameters").and_then(Value::as_array);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let at = format!("paths.{path}.{method}");
            if op.get("operationId").and_then(Value::as_str).is_none_or(str::is_empty) {
                problems.push(format!("{at}: operation has no operationId"));
            }
            if op.get("tags").and_then(Value::as_array).is_none_or(Vec::is_empty) {
                problems.push(format!("{at}: operation has no tag"));
            }
            if op.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
                problems.push(format!("{at}: operation has no description"));
            }
            let own = op.get("parameters").and_then(Value::as_array);
            for param in shared.into_iter().chain(own).flatten() {
                let param = resolve(tree, param).unwrap_or(param);
                if param.get("description").is_none() {
                    let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
                    problems.push(format!("{at}: parameter `{name}` has no description"));
                }
            }
        }
    }
}

fn check_properties(tree: &Value, schema: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let here = format!("{at}.properties.{name}");
            // A bare `$ref` cannot carry siblings in OpenAPI 3.0; its target's description counts.
            let described = prop.get("description").is_some()
                || resolve(tree, prop).is_some_and(|target| target.get("description").is_some());
            if !described {
                problems.push(format!("{here}: property has no description"));
            }
            check_properties(tree, prop, &here, problems);
        }
    }
    if let Some(items) = schema.get("items") {
        check_properties(tree, items, &format!("{at}.items"), problems);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, sub) in schema.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            check_properties(tree, sub, &format!("{at}.{key}[{i}]"), problems);
        }
    }
}

/// The target of `node`'s `$ref`, if it has one that resolves inside this document.
pub fn resolve<'a>(tree: &'a Value, node: &Value) -> Option<&'a Value> {
    let reference = node.get("$ref")?.as_str()?;
    tree.pointer(reference.strip_prefix('#')?)
}

fn check_refs(tree: &Value, node: &Value, at: &str, problems: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref") {
                let ok = reference
                    .as_str()
                    .and_then(|r| r.strip_prefix('#'))
                    .is_some_and(|pointer| tree.pointer(pointer).is_some());
                if !ok {
                    problems.push(format!("{}: $ref {reference} does not resolve", at.trim_start_matches('.')));
                }
            }
            for (key, value) in map {
                check_refs(tree, value, &format!("{at}.{key}"), problems);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                check_refs(tree, value, &format!("{at}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

/// The string-enum component schemas (name, values, description): each becomes an open Rust enum.
pub fn string_enums(tree: &Value) -> Vec<(String, Vec<String>, String)> {
    let Some(schemas) = tree.pointer("/components/schemas").and_then(Value::as_object) else {
        return Vec::new();
    };
    schemas
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("string"))
        .filter_map(|(name, s)| {
            let values: Vec<String> =
                s.get("enum")?.as_array()?.iter().filter_map(Value::as_str).map(String::from).collect();
            if values.is_empty() {
                return None; // `NullValue`: the JSON null, not a string enum
            }
            let doc = s.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
            Some((name.clone(), values, doc))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Value {
        serde_json::json!({
            "openapi": "3.0.3",
            "paths": {"/x": {"get": {"operationId": "getX", "tags": ["X"], "description": "d",
                "responses": {"200": {"description": "ok", "content": {"application/json":
                    {"schema": {"$ref": "#/components/schemas/X"}}}}}}}},
            "components": {"schemas": {"X": {"type": "object", "description": "x",
                "properties": {"a": {"type": "string", "description": "a"}}}}}
        })
    }

    #[test]
    fn a_good_spec_has_no_problems() {
        assert_eq!(check(&good()), Vec::<String>::new());
    }

    #[test]
    fn nullable_references_become_typify_options() {
        let mut spec = serde_json::json!({"components": {"schemas": {
            "NullValue": {"type": "string", "nullable": true, "enum": [null]},
            "P": {"type": "object", "properties": {"a": {"description": "d",
                "anyOf": [{"$ref": "#/components/schemas/X"}, {"$ref": "#/components/schemas/NullValue"}]}}}}}});
        nullable_refs_for_typify(&mut spec);
        let expected = serde_json::json!({"components": {"schemas": {
            "P": {"type": "object", "properties": {"a": {"description": "d", "nullable": true,
                "allOf": [{"$ref": "#/components/schemas/X"}]}}}}}});
        assert_eq!(spec, expected);
    }

    #[test]
    fn progenitor_is_shown_json_request_bodies_only() {
        let body = |types: &[&str]| {
            let content: serde_json::Map<String, Value> = types
                .iter()
                .map(|t| {
                    let schema = if *t == JSON { "Json" } else { "Upload" };
                    (t.to_string(), serde_json::json!({"schema": {"$ref": format!("#/components/schemas/{schema}")}}))
                })
                .collect();
            serde_json::json!({"operationId": "op", "requestBody": {"content": content}, "responses": {}})
        };
        let mut spec = serde_json::json!({
            "paths": {
                "/both": {"post": body(&[MULTIPART, JSON])},
                "/upload-only/{id}": {"parameters": [], "post": body(&[MULTIPART])},
                "/upload-beside-get/{id}": {"get": {"responses": {}}, "post": body(&[MULTIPART])},
                "/json": {"put": body(&[JSON])}},
            "components": {"schemas": {"Json": {"type": "object"}, "Upload": {"type": "object"},
                "Kept": {"type": "object"}}}});
        let untouched = spec["paths"]["/json"].clone();
        json_request_bodies_only(&mut spec);
        let both = spec["paths"]["/both"]["post"]["requestBody"]["content"].as_object().unwrap();
        assert_eq!(both.keys().collect::<Vec<_>>(), [JSON], "the JSON form stays, the multipart form goes");
        assert!(spec["paths"].get("/upload-only/{id}").is_none(), "a path with nothing left goes");
        assert_eq!(spec["paths"]["/upload-beside-get/{id}"], serde_json::json!({"get": {"responses": {}}}));
        assert_eq!(spec["paths"]["/json"], untouched);
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["Json", "Kept"], "the multipart schema nobody uses goes");

        // A multipart schema still referred to elsewhere stays.
        let mut spec = serde_json::json!({
            "paths": {"/both": {"post": body(&[MULTIPART, JSON])},
                "/other": {"get": {"responses": {"200": {"description": "d", "content": {JSON:
                    {"schema": {"$ref": "#/components/schemas/Upload"}}}}}}}},
            "components": {"schemas": {"Json": {"type": "object"}, "Upload": {"type": "object"}}}});
        json_request_bodies_only(&mut spec);
        assert!(spec["components"]["schemas"].get("Upload").is_some());
    }

    #[test]
    fn each_rule_names_its_location() {
        let mut spec = good();
        spec["openapi"] = "3.1.0".into();
        let op = &mut spec["paths"]["/x"]["get"];
        op.as_object_mut().unwrap().remove("operationId");
        op["tags"] = serde_json::json!([]);
        op["description"] = "".into();
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] = "#/components/schemas/Y".into();
        spec["components"]["schemas"]["X"]["properties"]["a"].as_object_mut().unwrap().remove("description");
        let problems = check(&spec);
        let expected = [
            "openapi: must be 3.0.x",
            "paths./x.get: operation has no operationId",
            "paths./x.get: operation has no tag",
            "paths./x.get: operation has no description",
            "paths./x.get.responses.200.content.application/json.schema: $ref \"#/components/schemas/Y\" does not resolve",
            "components.schemas.X.properties.a: property has no description",
        ];
        for line in expected {
            assert!(problems.iter().any(|p| p.starts_with(line)), "missing {line:?} in {problems:#?}");
        }
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    }
}
