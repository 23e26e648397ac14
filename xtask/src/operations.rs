//! The operation table: what a command line or an assistant needs to offer every operation of
//! the spec without code written per operation, written into `facts_generated.rs` beside the
//! other facts:
//!
//! - each operation's summary and description, and the command that runs it (`knowledge
//!   documents upload`, see [`command`]);
//! - what it does to the account (reads, changes or destroys) and whether repeating it is safe;
//! - its inputs, flat: path and query parameters, the top-level fields of its JSON body and of
//!   its `multipart/form-data` body (the file as a path), each with its type, enum values,
//!   range, default and description; and the same as one JSON Schema object (for MCP tools);
//! - where its success answer holds a `Secret` (`data[].token`, `config.headers.*`), so that
//!   every output can mask them, and whether the operation exists to hand one out
//!   (`x-anam-hands-out-secret`: a session token, a share link, a signed download URL);
//! - which list operation finds an id of each id schema (`PersonaId` -> `listPersonas`).
//!
//! Extensions read here: `x-anam-cli` (an operation's command, or a tag's resource name, where
//! the rule of [`command`] gives the wrong words), `x-anam-destructive` (an operation that is not
//! a `DELETE` but destroys something, such as stopping a session), `x-anam-reads-only` (one that
//! is not a `GET` but changes nothing, such as a search), `x-anam-hands-out-secret`.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value, json};

use crate::spec;

const CLI: &str = "x-anam-cli";
const DESTRUCTIVE: &str = "x-anam-destructive";
const READS_ONLY: &str = "x-anam-reads-only";
const HANDS_OUT_SECRET: &str = "x-anam-hands-out-secret";
const SECRET_REF: &str = "#/components/schemas/Secret";
const NULL_REF: &str = "#/components/schemas/NullValue";
const JSON: &str = "/requestBody/content/application~1json/schema";
const MULTIPART: &str = "/requestBody/content/multipart~1form-data/schema";
/// How deep a schema may nest before the generator gives up (a cycle the schemas did not break).
const MAX_DEPTH: usize = 24;

/// One input of an operation, as written into the generated `Input`.
#[derive(Debug)]
struct Input {
    name: String,
    location: &'static str,
    required: bool,
    description: String,
    kind: &'static str,
    format: Option<String>,
    values: Vec<String>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    default: Option<String>,
    secret: bool,
    id_of: Option<String>,
    schema: Value,
}

/// The tokens of the operation table (an `impl Operation` block and `list_for_id`).
pub fn render(tree: &Value) -> Result<TokenStream, String> {
    let operations = spec::operations(tree);
    let mut arms = Arms::default();
    let mut commands: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let mut lists = BTreeMap::new();
    for (id, method, path) in &operations {
        let item = &tree["paths"][path.as_str()];
        let op = &item[method.to_lowercase().as_str()];
        let at = format!("paths.{path}.{}", method.to_lowercase());
        let variant = format_ident!("{}", id.to_upper_camel_case());
        let words = command(tree, op, id, path).map_err(|e| format!("{at}: {e}"))?;
        if let Some(other) = commands.insert(words.clone(), id.clone()) {
            return Err(format!("{at}: its command `{}` is {other}'s too; give one an {CLI}", words.join(" ")));
        }
        let inputs = inputs(tree, item, op).map_err(|e| format!("{at}: {e}"))?;
        let schema = input_schema(&inputs);
        let mut secrets = BTreeSet::new();
        for (code, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if code.starts_with('2') {
                let response = spec::resolve(tree, response).unwrap_or(response);
                for media in response.get("content").and_then(Value::as_object).into_iter().flatten().map(|(_, m)| m) {
                    if let Some(schema) = media.get("schema") {
                        secret_paths(tree, schema, "", &mut Vec::new(), &mut secrets)?;
                    }
                }
            }
        }
        let flag = |name: &str| match op.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(format!("{at}.{name}: not a boolean")),
        };
        let destructive = method == "DELETE" || flag(DESTRUCTIVE)?;
        let reads = method == "GET" || flag(READS_ONLY)?;
        if destructive && reads {
            return Err(format!("{at}: {DESTRUCTIVE} and {READS_ONLY} exclude each other"));
        }
        let hands_out = flag(HANDS_OUT_SECRET)?;
        if hands_out && secrets.is_empty() {
            return Err(format!("{at}.{HANDS_OUT_SECRET}: its answer holds no Secret"));
        }
        let effect = match (reads, destructive) {
            (_, true) => quote!(Effect::Destroys),
            (true, false) => quote!(Effect::Reads),
            _ => quote!(Effect::Changes),
        };
        let idempotent = reads || matches!(method.as_str(), "PUT" | "DELETE");
        if method == "GET" && path.ends_with("{id}") {
            let id_schema = inputs.iter().find(|i| i.location == "Path").and_then(|i| i.id_of.clone());
            let collection = path.trim_end_matches("/{id}");
            let list = operations.iter().find(|(_, m, p)| m == "GET" && p == collection);
            if let (Some(schema), Some((list, _, _))) = (id_schema, list) {
                lists.insert(schema, format_ident!("{}", list.to_upper_camel_case()));
            }
        }
        let text = |key: &str| op.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_string();
        let input_tokens: Vec<TokenStream> = inputs.iter().map(input_tokens).collect();
        let secrets: Vec<&String> = secrets.iter().collect();
        arms.push(
            &variant,
            Arm {
                summary: text("summary"),
                description: text("description"),
                command: quote!(&[#(#words),*]),
                effect,
                idempotent,
                inputs: quote!(&[#(#input_tokens),*]),
                schema: serde_json::to_string(&schema).map_err(|e| e.to_string())?,
                secrets: quote!(&[#(#secrets),*]),
                hands_out,
            },
        );
    }
    let Arms { variants, summaries, descriptions, commands, effects, idempotent, inputs, schemas, secrets, hands_out } =
        arms;
    let (id_schemas, list_ops): (Vec<String>, Vec<syn::Ident>) = lists.into_iter().unzip();
    Ok(quote! {
        impl Operation {
            /// The spec's one-line summary, e.g. `List personas`.
            pub const fn summary(self) -> &'static str {
                match self { #( Operation::#variants => #summaries, )* }
            }

            /// The spec's description.
            pub const fn description(self) -> &'static str {
                match self { #( Operation::#variants => #descriptions, )* }
            }

            /// The words of the command that runs it, e.g. `["knowledge", "documents", "upload"]`:
            /// the resource (its tag's name, or its tag's `x-anam-cli`), then the verb (the path's
            /// last segment after a parameter, else the operationId's first word), unless the
            /// operation's `x-anam-cli` gives them.
            pub const fn command(self) -> &'static [&'static str] {
                match self { #( Operation::#variants => #commands, )* }
            }

            /// Whether it reads, changes or destroys something: a `GET` (or `x-anam-reads-only`)
            /// reads, a `DELETE` (or `x-anam-destructive`) destroys, anything else changes.
            pub const fn effect(self) -> Effect {
                match self { #( Operation::#variants => #effects, )* }
            }

            /// Whether sending it twice does what sending it once does (what only reads, `PUT`,
            /// `DELETE`).
            pub const fn is_idempotent(self) -> bool {
                match self { #( Operation::#variants => #idempotent, )* }
            }

            /// Its inputs, flat: path and query parameters, then the top-level fields of its
            /// JSON body, then those of its multipart body that the JSON body lacks (the file
            /// as a path).
            pub const fn inputs(self) -> &'static [Input] {
                match self { #( Operation::#variants => #inputs, )* }
            }

            /// Its inputs as one JSON Schema object (draft 2020-12, `$ref`s inlined).
            pub const fn input_schema(self) -> &'static str {
                match self { #( Operation::#variants => #schemas, )* }
            }

            /// Where its success answer holds a `Secret`: paths of field names joined by `.`,
            /// with `[]` for every item of a list and `*` for every value of a map.
            pub const fn answer_secrets(self) -> &'static [&'static str] {
                match self { #( Operation::#variants => #secrets, )* }
            }

            /// Whether it exists to hand out the secrets of its answer (`x-anam-hands-out-secret`):
            /// a session token, share links, a signed URL to download or upload a file.
            pub const fn hands_out_secret(self) -> bool {
                match self { #( Operation::#variants => #hands_out, )* }
            }
        }

        /// The list operation whose items are found by an id of the schema `id_schema`
        /// (`PersonaId` gives `ListPersonas`), read from the paths: the `GET` of the collection
        /// beside a `GET /…/{id}` whose id has that schema.
        pub fn list_for_id(id_schema: &str) -> Option<Operation> {
            match id_schema {
                #( #id_schemas => Some(Operation::#list_ops), )*
                _ => None,
            }
        }
    })
}

/// The generated match arms, one per operation, in the spec's order.
#[derive(Default)]
struct Arms {
    variants: Vec<syn::Ident>,
    summaries: Vec<String>,
    descriptions: Vec<String>,
    commands: Vec<TokenStream>,
    effects: Vec<TokenStream>,
    idempotent: Vec<bool>,
    inputs: Vec<TokenStream>,
    schemas: Vec<String>,
    secrets: Vec<TokenStream>,
    hands_out: Vec<bool>,
}

/// One operation's arms.
struct Arm {
    summary: String,
    description: String,
    command: TokenStream,
    effect: TokenStream,
    idempotent: bool,
    inputs: TokenStream,
    schema: String,
    secrets: TokenStream,
    hands_out: bool,
}

impl Arms {
    fn push(&mut self, variant: &syn::Ident, arm: Arm) {
        self.variants.push(variant.clone());
        self.summaries.push(arm.summary);
        self.descriptions.push(arm.description);
        self.commands.push(arm.command);
        self.effects.push(arm.effect);
        self.idempotent.push(arm.idempotent);
        self.inputs.push(arm.inputs);
        self.schemas.push(arm.schema);
        self.secrets.push(arm.secrets);
        self.hands_out.push(arm.hands_out);
    }
}

/// The command of an operation: its `x-anam-cli` if it has one; else its resource (its first
/// tag's `x-anam-cli`, else the tag's name in lower case with `-` for spaces) and its verb (the
/// path's last segment when a parameter comes before it, as in `/v1/sessions/{id}/transcript`,
/// else the operationId's first word: `list`, `get`, `create`, `update`, `delete`, `cancel`).
fn command(tree: &Value, op: &Value, id: &str, path: &str) -> Result<Vec<String>, String> {
    let words = |text: &str| -> Result<Vec<String>, String> {
        let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        let valid = |w: &String| w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if words.is_empty() || !words.iter().all(valid) {
            return Err(format!("{CLI} {text:?}: lower-case words of a-z, 0-9 and `-` expected"));
        }
        Ok(words)
    };
    if let Some(given) = op.get(CLI) {
        return words(given.as_str().ok_or_else(|| format!("{CLI}: not a string"))?);
    }
    let tag = op.pointer("/tags/0").and_then(Value::as_str).ok_or("no tag")?;
    let declared = tree.get("tags").and_then(Value::as_array).into_iter().flatten();
    let resource = match declared.into_iter().find(|t| t.get("name").and_then(Value::as_str) == Some(tag)) {
        Some(t) if t.get(CLI).is_some() => t[CLI].as_str().ok_or_else(|| format!("tag {tag}: {CLI}: not a string"))?,
        _ => &tag.to_lowercase().replace(' ', "-"),
    };
    let mut command = words(resource)?;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let verb = match segments[..] {
        [.., before, last] if before.starts_with('{') && !last.starts_with('{') => last.to_owned(),
        _ => id.chars().take_while(char::is_ascii_lowercase).collect(),
    };
    command.extend(words(&verb)?);
    Ok(command)
}

/// The inputs of an operation: path and query parameters (header parameters are not offered),
/// the JSON body's top-level fields, and the multipart body's fields the JSON body lacks.
fn inputs(tree: &Value, item: &Value, op: &Value) -> Result<Vec<Input>, String> {
    let mut found: Vec<Input> = Vec::new();
    let shared = item.get("parameters").and_then(Value::as_array).into_iter().flatten();
    let own = op.get("parameters").and_then(Value::as_array).into_iter().flatten();
    for param in shared.chain(own) {
        let param = spec::resolve(tree, param).unwrap_or(param);
        let location = match param.get("in").and_then(Value::as_str) {
            Some("path") => "Path",
            Some("query") => "Query",
            _ => continue,
        };
        let name = param.get("name").and_then(Value::as_str).ok_or("a parameter without a name")?;
        let schema = param.get("schema").ok_or_else(|| format!("parameter {name}: no schema"))?;
        let description = param.get("description").and_then(Value::as_str).unwrap_or_default();
        let required = location == "Path" || param.get("required").and_then(Value::as_bool) == Some(true);
        found.push(input(tree, name, location, required, description, schema)?);
    }
    let body_required = op.pointer("/requestBody/required").and_then(Value::as_bool) == Some(true);
    let json = op.pointer(JSON).map(|s| object(tree, s)).transpose()?;
    let form = op.pointer(MULTIPART).map(|s| object(tree, s)).transpose()?;
    let required_in = |schema: Option<&Value>, name: &str| {
        schema.is_none_or(|s| s["required"].as_array().is_some_and(|r| r.iter().any(|n| n == name)))
    };
    for (schema, location) in [(json, "Body"), (form, "Form")] {
        let Some(schema) = schema else { continue };
        for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if found.iter().any(|i| &i.name == name) {
                if location == "Form" {
                    continue; // the JSON body's field of the same name stands for both
                }
                return Err(format!("the body field {name} has the name of a parameter"));
            }
            let file = prop.get("format").and_then(Value::as_str) == Some("binary");
            let location = if file { "File" } else { location };
            // A field both bodies have is required when both require it; a file never is when
            // there is a JSON body to send instead.
            let required = body_required
                && required_in(Some(schema), name)
                && required_in(json, name)
                && required_in(form, name)
                && !(file && json.is_some());
            let description = prop.get("description").and_then(Value::as_str).unwrap_or_default();
            found.push(input(tree, name, location, required, description, prop)?);
        }
    }
    Ok(found)
}

/// A request body's schema, which must be an object with properties (after its `$ref`).
fn object<'a>(tree: &'a Value, schema: &'a Value) -> Result<&'a Value, String> {
    let schema = spec::resolve(tree, schema).unwrap_or(schema);
    match schema.get("properties") {
        Some(Value::Object(_)) => Ok(schema),
        _ => Err("a request body must be an object with properties, to be offered field by field".into()),
    }
}

/// One input: what its schema says, read through `$ref`s, single-branch `allOf`s and
/// `anyOf: [X, NullValue]`.
fn input(
    tree: &Value,
    name: &str,
    location: &'static str,
    required: bool,
    description: &str,
    schema: &Value,
) -> Result<Input, String> {
    let id_of = id_schema(schema)
        .or_else(|| schema.get("items").and_then(id_schema))
        .or_else(|| schema.pointer("/allOf/0").and_then(id_schema));
    let secret = reaches(schema, SECRET_REF);
    let target = plain(tree, schema);
    let kind = match (location, target.get("type").and_then(Value::as_str)) {
        ("File", _) => "File",
        (_, Some("string")) => "String",
        (_, Some("integer")) => "Integer",
        (_, Some("number")) => "Number",
        (_, Some("boolean")) => "Boolean",
        (_, Some("array")) => "Array",
        (_, None) if target.get("enum").is_some() => "String",
        _ => "Object", // an object, or a `oneOf` of objects
    };
    let values = target
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let description = match description {
        "" => target.get("description").and_then(Value::as_str).unwrap_or_default(),
        given => given,
    };
    let mut schema = json_schema(tree, schema, &mut Vec::new())?;
    if kind == "File" {
        schema = json!({"type": "string", "description": "The path of the file to upload."});
    }
    if let Value::Object(map) = &mut schema {
        map.insert("description".into(), Value::from(description.trim()));
    }
    Ok(Input {
        name: name.to_owned(),
        location,
        required,
        description: description.trim().to_owned(),
        kind,
        format: target.get("format").and_then(Value::as_str).map(str::to_owned),
        values,
        minimum: target.get("minimum").and_then(Value::as_f64),
        maximum: target.get("maximum").and_then(Value::as_f64),
        default: target.get("default").map(Value::to_string),
        secret,
        id_of,
        schema,
    })
}

/// The name of the id schema a schema refers to (`PersonaId`), if it is one.
fn id_schema(schema: &Value) -> Option<String> {
    let name = schema.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")?;
    name.ends_with("Id").then(|| name.to_owned())
}

/// Whether a schema refers to `reference` directly or through a branch or the items of a list.
fn reaches(schema: &Value, reference: &str) -> bool {
    schema.get("$ref").and_then(Value::as_str) == Some(reference)
        || schema.get("items").is_some_and(|items| reaches(items, reference))
        || schema.get("additionalProperties").is_some_and(|v| reaches(v, reference))
        || ["allOf", "anyOf", "oneOf"]
            .iter()
            .filter_map(|key| schema.get(*key).and_then(Value::as_array))
            .flatten()
            .any(|branch| reaches(branch, reference))
}

/// The schema that says what a value is: through a `$ref`, a single-branch `allOf`, and the
/// non-null branch of `anyOf: [X, NullValue]`.
fn plain<'a>(tree: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(target) = spec::resolve(tree, schema) {
        return plain(tree, target);
    }
    if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        return plain(tree, only);
    }
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let real: Vec<&Value> =
            branches.iter().filter(|b| b.get("$ref").and_then(Value::as_str) != Some(NULL_REF)).collect();
        if let [only] = real[..] {
            return plain(tree, only);
        }
    }
    schema
}

/// The JSON Schema (draft 2020-12) of an OpenAPI 3.0 schema, `$ref`s inlined: `nullable`
/// becomes a `null` type or branch, `NullValue` the `null` type, and what JSON Schema does not
/// know (`example`, `x-…` extensions) is left out. `seen` holds the references being inlined;
/// a reference to one of them (a recursive schema) becomes `{}`, any value.
fn json_schema(tree: &Value, schema: &Value, seen: &mut Vec<String>) -> Result<Value, String> {
    if seen.len() > MAX_DEPTH {
        return Err(format!("a schema nests deeper than {MAX_DEPTH} levels"));
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if reference == NULL_REF {
            return Ok(json!({"type": "null"}));
        }
        if seen.iter().any(|r| r == reference) {
            return Ok(json!({}));
        }
        let target = spec::resolve(tree, schema).ok_or_else(|| format!("{reference} does not resolve"))?;
        seen.push(reference.to_owned());
        let converted = json_schema(tree, target, seen);
        seen.pop();
        return converted;
    }
    let Some(map) = schema.as_object() else { return Ok(json!({})) };
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "type" | "format" | "description" | "enum" | "minimum" | "maximum" | "minLength" | "maxLength"
            | "pattern" | "minItems" | "maxItems" | "uniqueItems" | "default" | "required" | "title"
            | "minProperties" | "maxProperties" | "deprecated" | "multipleOf" => value.clone(),
            "items" | "not" => json_schema(tree, value, seen)?,
            "additionalProperties" => match value {
                Value::Bool(_) => value.clone(),
                _ => json_schema(tree, value, seen)?,
            },
            "properties" => {
                let mut props = Map::new();
                for (name, prop) in value.as_object().into_iter().flatten() {
                    props.insert(name.clone(), json_schema(tree, prop, seen)?);
                }
                Value::Object(props)
            }
            "allOf" | "anyOf" | "oneOf" => {
                let branches: Result<Vec<Value>, String> =
                    value.as_array().into_iter().flatten().map(|b| json_schema(tree, b, seen)).collect();
                Value::Array(branches?)
            }
            _ => continue, // nullable (below), example, discriminator, x-… extensions
        };
        out.insert(key.clone(), converted);
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        match out.get("type").cloned() {
            Some(Value::String(kind)) => {
                out.insert("type".into(), json!([kind, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
            }
            _ => {
                let inner = Value::Object(std::mem::take(&mut out));
                out.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            }
        }
    }
    Ok(Value::Object(out))
}

/// All inputs as one JSON Schema object; unknown properties are refused.
fn input_schema(inputs: &[Input]) -> Value {
    let properties: Map<String, Value> = inputs.iter().map(|i| (i.name.clone(), i.schema.clone())).collect();
    let required: Vec<&str> = inputs.iter().filter(|i| i.required).map(|i| i.name.as_str()).collect();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// Collects the paths below `node` (a schema) at which a `Secret` sits.
fn secret_paths(
    tree: &Value,
    node: &Value,
    at: &str,
    seen: &mut Vec<String>,
    found: &mut BTreeSet<String>,
) -> Result<(), String> {
    if seen.len() > MAX_DEPTH {
        return Err(format!("an answer schema nests deeper than {MAX_DEPTH} levels at {at:?}"));
    }
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        if reference == SECRET_REF {
            found.insert(at.to_owned());
            return Ok(());
        }
        if seen.iter().any(|r| r == reference) {
            // A path could not name the secrets of every level of a recursive schema.
            return Err(format!("{reference} refers to itself at {at:?}: an answer schema must not be recursive"));
        }
        seen.push(reference.to_owned());
        let target = spec::resolve(tree, node).ok_or_else(|| format!("{reference} does not resolve"))?;
        let result = secret_paths(tree, target, at, seen, found);
        seen.pop();
        return result;
    }
    let join = |name: &str| if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") };
    for (name, prop) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
        secret_paths(tree, prop, &join(name), seen, found)?;
    }
    if let Some(items) = node.get("items") {
        secret_paths(tree, items, &format!("{at}[]"), seen, found)?;
    }
    if let Some(values) = node.get("additionalProperties").filter(|v| v.is_object()) {
        secret_paths(tree, values, &join("*"), seen, found)?;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for branch in node.get(key).and_then(Value::as_array).into_iter().flatten() {
            secret_paths(tree, branch, at, seen, found)?;
        }
    }
    Ok(())
}

fn input_tokens(input: &Input) -> TokenStream {
    let Input { name, required, description, format, values, default, secret, id_of, .. } = input;
    let location = format_ident!("{}", input.location);
    let kind = format_ident!("{}", input.kind);
    let some = |v: &Option<String>| match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let number = |v: Option<f64>| match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let (format, default, id_of) = (some(format), some(default), some(id_of));
    let (minimum, maximum) = (number(input.minimum), number(input.maximum));
    quote!(Input {
        name: #name,
        location: InputLocation::#location,
        required: #required,
        description: #description,
        kind: InputKind::#kind,
        format: #format,
        values: &[#(#values),*],
        minimum: #minimum,
        maximum: #maximum,
        default: #default,
        secret: #secret,
        id_of: #id_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Value {
        json!({
            "tags": [{"name": "Share Links"}, {"name": "Meetings", "x-anam-cli": "meeting-invites"}],
            "paths": {},
            "components": {"schemas": {
                "Secret": {"type": "string", "format": "password", "description": "A secret."},
                "NullValue": {"type": "string", "nullable": true, "enum": [null], "description": "null"},
                "ThingId": {"type": "string", "description": "A thing's id."},
                "Link": {"type": "object", "description": "A link.", "properties": {
                    "token": {"$ref": "#/components/schemas/Secret"},
                    "headers": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Secret"}},
                    "next": {"anyOf": [{"$ref": "#/components/schemas/Link"}, {"$ref": "#/components/schemas/NullValue"}]},
                }},
            }},
        })
    }

    #[test]
    fn commands_come_from_the_tag_and_the_path() {
        let tree = tree();
        let op = |tag: &str| json!({"tags": [tag]});
        let shown = |op: &Value, id: &str, path: &str| command(&tree, op, id, path).unwrap().join(" ");
        assert_eq!(shown(&op("Share Links"), "listShareLinks", "/v1/share-links"), "share-links list");
        assert_eq!(shown(&op("Share Links"), "getShareLink", "/v1/share-links/{id}"), "share-links get");
        assert_eq!(
            shown(&op("Meetings"), "cancelMeetingInvite", "/v1/meetings/invites/{id}"),
            "meeting-invites cancel"
        );
        assert_eq!(shown(&op("Share Links"), "stopThing", "/v1/things/{id}/stop"), "share-links stop");
        let given = json!({"tags": ["Share Links"], "x-anam-cli": "knowledge documents upload"});
        assert_eq!(shown(&given, "x", "/v1/x"), "knowledge documents upload");
        let bad = json!({"tags": ["Share Links"], "x-anam-cli": "Knowledge Upload"});
        assert!(command(&tree, &bad, "x", "/v1/x").unwrap_err().contains("lower-case"));
    }

    #[test]
    fn secrets_are_found_through_maps_and_lists_and_a_cycle_is_refused() {
        let mut tree = tree();
        let mut found = BTreeSet::new();
        let list = json!({"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}});
        let err = secret_paths(&tree, &list, "", &mut Vec::new(), &mut found).unwrap_err();
        assert!(err.contains("must not be recursive"), "{err}");
        tree["components"]["schemas"]["Link"]["properties"].as_object_mut().unwrap().remove("next");
        let mut found = BTreeSet::new();
        secret_paths(&tree, &list, "", &mut Vec::new(), &mut found).unwrap();
        let found: Vec<&str> = found.iter().map(String::as_str).collect();
        assert_eq!(found, ["data[].headers.*", "data[].token"]);
    }

    #[test]
    fn json_schemas_inline_references_and_say_null() {
        let tree = tree();
        let link = json!({"$ref": "#/components/schemas/Link"});
        let schema = json_schema(&tree, &link, &mut Vec::new()).unwrap();
        assert_eq!(
            schema["properties"]["token"],
            json!({"type": "string", "format": "password", "description": "A secret."})
        );
        assert_eq!(schema["properties"]["next"]["anyOf"][1], json!({"type": "null"}));
        assert_eq!(schema["properties"]["next"]["anyOf"][0], json!({}), "a cycle ends");
        let nullable = json!({"type": "integer", "nullable": true, "minimum": 1, "example": 3, "x-anam-max-bytes": 2});
        assert_eq!(
            json_schema(&tree, &nullable, &mut Vec::new()).unwrap(),
            json!({"type": ["integer", "null"], "minimum": 1})
        );
    }

    #[test]
    fn inputs_are_flat_and_typed() {
        let tree = tree();
        let item = json!({"parameters": [{"name": "id", "in": "path", "required": true, "description": "The id.",
            "schema": {"$ref": "#/components/schemas/ThingId"}}]});
        let op = json!({"requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "description": "The name."},
            "level": {"type": "number", "minimum": 0, "maximum": 1, "description": "How much."},
        }}}}}});
        let found = inputs(&tree, &item, &op).unwrap();
        let shown: Vec<(&str, &str, bool, &str)> =
            found.iter().map(|i| (i.name.as_str(), i.location, i.required, i.kind)).collect();
        assert_eq!(
            shown,
            [("id", "Path", true, "String"), ("level", "Body", false, "Number"), ("name", "Body", true, "String")]
        );
        assert_eq!(found[0].id_of.as_deref(), Some("ThingId"));
        assert_eq!((found[1].minimum, found[1].maximum), (Some(0.0), Some(1.0)));
        let clash = json!({"requestBody": {"content": {"application/json": {"schema": {"type": "object",
            "properties": {"id": {"type": "string", "description": "x"}}}}}}});
        assert!(inputs(&tree, &item, &clash).unwrap_err().contains("name of a parameter"));
    }
}
