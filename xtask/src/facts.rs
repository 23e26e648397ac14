//! The facts that hand-written code needs from the spec, written out as Rust data
//! (`crates/anam-api/src/facts_generated.rs`), so that the SDK's checks, the fake's checks and the
//! fake's routing read the spec instead of repeating it:
//!
//! - the operations: one enum variant each, with its operationId, method, path template and
//!   documented status codes;
//! - the documented range of every bounded request field (body fields by JSON path, and query
//!   parameters), for the operation that takes it, and for each operation with a body a
//!   function that checks a typed body against them (`check_create_persona`, ...);
//! - which fields of `VoiceGenerationOptions` apply to each voice provider, and with which range
//!   (the spec's `x-anam-providers` extension on that schema);
//! - which fields of `ToolConfig` apply to each tool type, and which it requires (the spec's
//!   `x-anam-tool-types` extension on that schema);
//! - the fields whose JSON has a documented size limit (the spec's `x-anam-max-json-bytes`);
//! - the fields of every `multipart/form-data` request body: which is the file, which are
//!   required, and the largest file (the spec's `x-anam-max-bytes`);
//! - the `llmId` that turns the LLM off (the spec's `x-anam-no-llm` on `LlmId`);
//! - which operations answer with a `Secret` somewhere in their success body (the spec's
//!   `Secret` schema, reached through any `$ref`, property, item or branch), so that no error
//!   of theirs ever quotes the body.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::spec;

/// The schema whose properties carry `x-anam-providers`.
const PROVIDER_SCHEMA: &str = "VoiceGenerationOptions";
const SPEC_NAME: &str = crate::codegen::SPEC;
/// The schema whose properties `x-anam-tool-types` assigns to tool types, and the enum of those types.
const TOOL_CONFIG_SCHEMA: &str = "ToolConfig";
const TOOL_TYPES_EXTENSION: &str = "x-anam-tool-types";
const TOOL_TYPE_SCHEMA: &str = "ToolType";
/// The schema of LLM ids, and its extension naming the id that turns the LLM off.
const LLM_ID_SCHEMA: &str = "LlmId";
const NO_LLM_EXTENSION: &str = "x-anam-no-llm";
/// The extension that gives a field's largest size as JSON, in bytes.
const JSON_BYTES_EXTENSION: &str = "x-anam-max-json-bytes";
/// The extension that gives a multipart file field's largest size, in bytes.
const MAX_BYTES_EXTENSION: &str = "x-anam-max-bytes";
/// The schema the generated types keep secrets in.
const SECRET_REF: &str = "#/components/schemas/Secret";

/// The Rust source of the facts file (without its header).
pub fn render(tree: &Value) -> Result<String, String> {
    let operations = spec::operations(tree);
    let variants: Vec<_> = operations.iter().map(|(id, _, _)| format_ident!("{}", id.to_upper_camel_case())).collect();
    let ids: Vec<_> = operations.iter().map(|(id, _, _)| id.as_str()).collect();
    let methods: Vec<_> = operations.iter().map(|(_, method, _)| method.as_str()).collect();
    let paths: Vec<_> = operations.iter().map(|(_, _, path)| path.as_str()).collect();
    let docs: Vec<_> = operations.iter().map(|(_, method, path)| format!("`{method} {path}`")).collect();
    let mut statuses = Vec::new();
    for (_, method, path) in &operations {
        let responses = tree["paths"][path.as_str()][method.to_lowercase().as_str()]["responses"].as_object();
        let codes = responses.into_iter().flatten().map(|(code, _)| {
            code.parse::<u16>().map_err(|_| format!("paths.{path}.{method}.responses.{code}: not a status code"))
        });
        let codes = codes.collect::<Result<Vec<u16>, String>>()?;
        statuses.push(quote!(&[#(#codes),*]));
    }
    let mut form_fields = Vec::new();
    for (id, method, path) in &operations {
        let op = &tree["paths"][path.as_str()][method.to_lowercase().as_str()];
        let Some(form) = op.pointer("/requestBody/content/multipart~1form-data/schema") else { continue };
        let form = spec::resolve(tree, form).unwrap_or(form);
        let variant = format_ident!("{}", id.to_upper_camel_case());
        let required: Vec<&str> =
            form.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        for (name, prop) in form.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let file = prop.get("format").and_then(Value::as_str) == Some("binary");
            let is_required = required.contains(&name.as_str());
            let max = match prop.get(MAX_BYTES_EXTENSION).map(|v| v.as_u64()) {
                None => quote!(None),
                Some(Some(bytes)) => quote!(Some(#bytes)),
                Some(None) => {
                    return Err(format!("paths.{path}.{method}: {name}.{MAX_BYTES_EXTENSION}: not a whole number"));
                }
            };
            let length = |key: &str| match prop.get(key).and_then(Value::as_u64) {
                Some(n) => {
                    let n = n as usize;
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            let (min_length, max_length) = (length("minLength"), length("maxLength"));
            form_fields.push(quote!(FormField {
                operation: Operation::#variant, field: #name, file: #file, required: #is_required, max_bytes: #max,
                min_length: #min_length, max_length: #max_length,
            }));
        }
    }
    let mut secret_answers = Vec::new();
    for (_, method, path) in &operations {
        let responses = &tree["paths"][path.as_str()][method.to_lowercase().as_str()]["responses"];
        let success = responses.as_object().into_iter().flatten().filter(|(code, _)| code.starts_with('2'));
        let holds = success.into_iter().any(|(_, response)| {
            let response = spec::resolve(tree, response).unwrap_or(response);
            holds_secret(tree, response, &mut Vec::new())
        });
        secret_answers.push(holds);
    }

    let mut bounds = Vec::new();
    let mut checks = Vec::new();
    for (id, method, path) in &operations {
        let op = &tree["paths"][path.as_str()][method.to_lowercase().as_str()];
        let variant = format_ident!("{}", id.to_upper_camel_case());
        for (name, schema) in query_parameters(tree, &tree["paths"][path.as_str()], op) {
            if let Some((min, max)) = range(schema) {
                bounds.push(bound(&variant, quote!(Query), &name, min, max));
            }
        }
        let Some(body) = op.pointer("/requestBody/content/application~1json/schema") else { continue };
        let Some(type_name) = body.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) else {
            return Err(format!("paths.{path}.{method}: the request body is not a $ref to a named schema"));
        };
        let mut found = Vec::new();
        bounded_fields(tree, (body, None), "", &quote!(Some(body)), &mut found, 0)?;
        let mut lines = Vec::new();
        if found.is_empty() {
            lines.push(quote!(let _ = body;));
        }
        for field in found {
            let index = bounds.len();
            let read = field.read;
            lines.push(quote!(check(&REQUEST_BOUNDS[#index], #read)?;));
            bounds.push(bound(&variant, quote!(Body), &field.path, field.min, field.max));
        }
        let (function, type_name) = (format_ident!("check_{}", id.to_snake_case()), format_ident!("{type_name}"));
        let doc = format!("Checks a `{type_name}` body of `{method} {path}` against the spec's ranges.");
        checks.push(quote! {
            #[doc = #doc]
            pub fn #function(body: &types::#type_name) -> Result<(), OutOfBounds> {
                #(#lines)*
                Ok(())
            }
        });
    }

    let mut set_fields = Vec::new();
    let mut providers = Vec::new();
    let at = format!("/components/schemas/{PROVIDER_SCHEMA}");
    let schema = tree.pointer(&at).ok_or_else(|| format!("{SPEC_NAME}: no schema {PROVIDER_SCHEMA}"))?;
    let by_provider = schema.get("x-anam-providers").and_then(Value::as_object);
    let by_provider =
        by_provider.ok_or_else(|| format!("components.schemas.{PROVIDER_SCHEMA}: no x-anam-providers"))?;
    for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let field = format_ident!("{}", name.to_snake_case());
        let target = spec::resolve(tree, prop).unwrap_or(prop);
        let value = match target.get("type").and_then(Value::as_str) {
            Some("number" | "integer") => quote!(options.#field.map(|v| v as f64)),
            _ => quote!(None),
        };
        set_fields.push(quote!((#name, options.#field.is_some(), #value)));
    }
    let mut size_limits = Vec::new();
    for (schema_name, schema) in tree.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        for (field, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if let Some(limit) = prop.get(JSON_BYTES_EXTENSION) {
                let bytes = limit.as_u64().ok_or_else(|| {
                    format!(
                        "components.schemas.{schema_name}.properties.{field}.{JSON_BYTES_EXTENSION}: not a whole number"
                    )
                })? as usize;
                size_limits.push(quote!(JsonSizeLimit { schema: #schema_name, field: #field, max_bytes: #bytes }));
            }
        }
    }
    let no_llm =
        tree.pointer(&format!("/components/schemas/{LLM_ID_SCHEMA}/{NO_LLM_EXTENSION}")).and_then(Value::as_str);
    let no_llm = no_llm.ok_or_else(|| {
        format!("components.schemas.{LLM_ID_SCHEMA}: no {NO_LLM_EXTENSION} (the id that turns the LLM off)")
    })?;
    let provider_type = format_ident!("{PROVIDER_SCHEMA}");
    let field_count = set_fields.len();
    for (provider, fields) in by_provider {
        for (field, limits) in fields.as_object().into_iter().flatten() {
            if schema.pointer(&format!("/properties/{field}")).is_none() {
                return Err(format!(
                    "components.schemas.{PROVIDER_SCHEMA}.x-anam-providers.{provider}.{field}: no such property"
                ));
            }
            let (min, max) = range(limits).unwrap_or((None, None));
            let (min, max) = (option(min), option(max));
            providers.push(quote!(ProviderField { provider: #provider, field: #field, minimum: #min, maximum: #max }));
        }
    }

    let (tool_fields, tool_set_fields) = tool_types(tree)?;
    let tool_config_type = format_ident!("{TOOL_CONFIG_SCHEMA}");
    let tool_field_count = tool_set_fields.len();

    let table = crate::operations::render(tree)?;
    let share_url = tree
        .pointer("/components/schemas/ShareLink/x-anam-share-url")
        .and_then(Value::as_str)
        .filter(|url| url.starts_with("https://") && url.contains("{token}"))
        .ok_or_else(|| "components.schemas.ShareLink: no x-anam-share-url (an https URL with {token})".to_owned())?;

    let tokens: TokenStream = quote! {
        use crate::facts::{
            FormField, Bound, Effect, Input, InputKind, InputLocation, JsonSizeLimit, Location, OutOfBounds,
            ProviderField, ToolConfigField, check,
        };
        use crate::types;

        /// An operation of the spec.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            #( #[doc = #docs] #variants, )*
        }

        impl Operation {
            /// Every operation, in the spec's order.
            pub const ALL: &'static [Operation] = &[#(Operation::#variants),*];

            /// The operationId, e.g. `getPersona`.
            pub const fn id(self) -> &'static str {
                match self { #( Operation::#variants => #ids, )* }
            }

            /// The HTTP method, e.g. `GET`.
            pub const fn method(self) -> &'static str {
                match self { #( Operation::#variants => #methods, )* }
            }

            /// The path template, e.g. `/v1/personas/{id}`.
            pub const fn path(self) -> &'static str {
                match self { #( Operation::#variants => #paths, )* }
            }

            /// The status codes the spec documents for it, in the spec's order.
            pub const fn statuses(self) -> &'static [u16] {
                match self { #( Operation::#variants => #statuses, )* }
            }

            /// Whether a success answer of it holds a `Secret` (a token, a signed URL, a
            /// credential) somewhere, so that its body must never be quoted in an error.
            pub const fn answer_holds_secret(self) -> bool {
                match self { #( Operation::#variants => #secret_answers, )* }
            }
        }

        /// The fields of every `multipart/form-data` request body, in the spec's order.
        pub const FORM_FIELDS: &[FormField] = &[#(#form_fields),*];

        /// The documented range of every bounded request field.
        pub const REQUEST_BOUNDS: &[Bound] = &[#(#bounds),*];

        /// For each voice provider, the fields of `VoiceGenerationOptions` that apply to it, with
        /// the provider's own range where the spec gives one (`x-anam-providers`).
        pub const PROVIDER_FIELDS: &[ProviderField] = &[#(#providers),*];

        /// For each tool type, the fields of `ToolConfig` that apply to it, and whether it
        /// requires them when a tool is created (`x-anam-tool-types`).
        pub const TOOL_CONFIG_FIELDS: &[ToolConfigField] = &[#(#tool_fields),*];

        /// Every field of `ToolConfig`: its wire name, and whether it is set.
        pub fn tool_config_fields(config: &types::#tool_config_type) -> [(&'static str, bool); #tool_field_count] {
            [#(#tool_set_fields),*]
        }

        /// The `llmId` that turns Anam's LLM off (the client brings its own); it names no LLM of
        /// the list (the spec's `x-anam-no-llm` on `LlmId`).
        pub const NO_LLM_ID: &str = #no_llm;

        /// The fields whose value, serialized as JSON, has a documented size limit
        /// (the spec's `x-anam-max-json-bytes`).
        pub const JSON_SIZE_LIMITS: &[JsonSizeLimit] = &[#(#size_limits),*];

        /// Every field of `VoiceGenerationOptions`: its wire name, whether it is set, and its
        /// value when it is a number.
        pub fn voice_generation_fields(options: &types::#provider_type) -> [(&'static str, bool, Option<f64>); #field_count] {
            [#(#set_fields),*]
        }

        /// The public URL of a share link, its token in place of `{token}` (the spec's
        /// `x-anam-share-url` on `ShareLink`: what Anam's links look like; its document does
        /// not give the URL).
        pub const SHARE_LINK_URL: &str = #share_url;

        #(#checks)*

        #table
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("facts: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// Whether `node` (a response, a media type or a schema) reaches the `Secret` schema through
/// `$ref`s, properties, items, `additionalProperties` or `allOf`/`anyOf`/`oneOf` branches.
/// `seen` holds the references being followed, so that a recursive schema ends.
fn holds_secret(tree: &Value, node: &Value, seen: &mut Vec<String>) -> bool {
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        if reference == SECRET_REF {
            return true;
        }
        if seen.iter().any(|r| r == reference) {
            return false;
        }
        seen.push(reference.to_string());
        let found = spec::resolve(tree, node).is_some_and(|target| holds_secret(tree, target, seen));
        seen.pop();
        return found;
    }
    let mut children = ["content", "properties"]
        .iter()
        .filter_map(|key| node.get(*key).and_then(Value::as_object))
        .flat_map(|map| map.values())
        .chain(["schema", "items", "additionalProperties"].iter().filter_map(|key| node.get(*key)))
        .chain(["allOf", "anyOf", "oneOf"].iter().filter_map(|key| node.get(*key).and_then(Value::as_array)).flatten());
    children.any(|child| holds_secret(tree, child, seen))
}

/// The `ToolConfigField` entries of `x-anam-tool-types`, and for each property of `ToolConfig`
/// the expression telling whether a typed config sets it. Every tool type must be a value of
/// `ToolType`, and every field a property of `ToolConfig`.
fn tool_types(tree: &Value) -> Result<(Vec<TokenStream>, Vec<TokenStream>), String> {
    let at = format!("components.schemas.{TOOL_CONFIG_SCHEMA}");
    let schema = tree
        .pointer(&format!("/components/schemas/{TOOL_CONFIG_SCHEMA}"))
        .ok_or_else(|| format!("{SPEC_NAME}: no schema {TOOL_CONFIG_SCHEMA}"))?;
    let types = schema
        .get(TOOL_TYPES_EXTENSION)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{at}: no {TOOL_TYPES_EXTENSION}"))?;
    let known: Vec<&str> = tree
        .pointer(&format!("/components/schemas/{TOOL_TYPE_SCHEMA}/enum"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields = Vec::new();
    for (tool_type, of_type) in types {
        if !known.contains(&tool_type.as_str()) {
            return Err(format!("{at}.{TOOL_TYPES_EXTENSION}.{tool_type}: not a value of {TOOL_TYPE_SCHEMA}"));
        }
        for (field, facts) in of_type.as_object().into_iter().flatten() {
            if schema.pointer(&format!("/properties/{field}")).is_none() {
                return Err(format!("{at}.{TOOL_TYPES_EXTENSION}.{tool_type}.{field}: no such property"));
            }
            let required = match facts.get("required") {
                None => false,
                Some(Value::Bool(required)) => *required,
                Some(_) => {
                    return Err(format!("{at}.{TOOL_TYPES_EXTENSION}.{tool_type}.{field}.required: not a boolean"));
                }
            };
            fields.push(quote!(ToolConfigField { tool_type: #tool_type, field: #field, required: #required }));
        }
    }
    let mut set = Vec::new();
    for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let field = format_ident!("{}", name.to_snake_case());
        let target = spec::resolve(tree, prop).unwrap_or(prop);
        // typify writes an optional array or map that is not nullable as a plain collection.
        let plain_collection = target.get("nullable").and_then(Value::as_bool) != Some(true)
            && (target.get("type").and_then(Value::as_str) == Some("array")
                || target.get("additionalProperties").is_some_and(Value::is_object));
        let is_set = match plain_collection {
            true => quote!(!config.#field.is_empty()),
            false => quote!(config.#field.is_some()),
        };
        set.push(quote!((#name, #is_set)));
    }
    Ok((fields, set))
}

fn bound(variant: &syn::Ident, location: TokenStream, field: &str, min: Option<f64>, max: Option<f64>) -> TokenStream {
    let (min, max) = (option(min), option(max));
    quote!(Bound {
        operation: Operation::#variant,
        location: Location::#location,
        field: #field,
        minimum: #min,
        maximum: #max,
    })
}

fn option(value: Option<f64>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// The schema a `$ref` names (`#/components/schemas/X` gives `X`).
fn ref_name(node: &Value) -> Option<&str> {
    node.get("$ref")?.as_str()?.rsplit('/').next()
}

/// A schema's `minimum` and `maximum`, when it has either.
fn range(schema: &Value) -> Option<(Option<f64>, Option<f64>)> {
    let (min, max) = (schema.get("minimum").and_then(Value::as_f64), schema.get("maximum").and_then(Value::as_f64));
    (min.is_some() || max.is_some()).then_some((min, max))
}

/// The query parameters of an operation (the path item's and its own), with their schemas.
fn query_parameters<'a>(tree: &'a Value, item: &'a Value, op: &'a Value) -> Vec<(String, &'a Value)> {
    let shared = item.get("parameters").and_then(Value::as_array).into_iter().flatten();
    let own = op.get("parameters").and_then(Value::as_array).into_iter().flatten();
    shared
        .chain(own)
        .map(|param| spec::resolve(tree, param).unwrap_or(param))
        .filter(|param| param.get("in").and_then(Value::as_str) == Some("query"))
        .filter_map(|param| Some((param.get("name")?.as_str()?.to_string(), param.get("schema")?)))
        .collect()
}

/// A bounded number field below a request body: its JSON path, range, and the Rust expression
/// that reads it from the typed body `body` as an `Option<f64>`.
struct Field {
    path: String,
    min: Option<f64>,
    max: Option<f64>,
    read: TokenStream,
}

/// Collects the bounded number fields below `schema`, following `$ref`s and
/// `allOf`/`anyOf`/`oneOf` branches. `read` reads the current object as an `Option<&T>`; `name`
/// is the component schema `schema` is, when it is one. A `oneOf` of `$ref`s is a Rust enum with
/// one variant per branch, named after the branch's schema, so a branch is read through a match.
fn bounded_fields(
    tree: &Value,
    (schema, name): (&Value, Option<&str>),
    at: &str,
    read: &TokenStream,
    found: &mut Vec<Field>,
    depth: usize,
) -> Result<(), String> {
    if depth > 16 {
        return Err(format!("request body schema nests deeper than 16 levels at {at:?} (a cycle?)"));
    }
    if let Some(target) = spec::resolve(tree, schema) {
        return bounded_fields(tree, (target, ref_name(schema)), at, read, found, depth + 1);
    }
    for key in ["allOf", "anyOf"] {
        for branch in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            bounded_fields(tree, (branch, None), at, read, found, depth + 1)?;
        }
    }
    for branch in schema.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
        let (Some(enum_name), Some(variant)) = (name, ref_name(branch)) else {
            return Err(format!("{at}: a oneOf must be a named schema whose branches are $refs"));
        };
        let (enum_name, variant) = (format_ident!("{enum_name}"), format_ident!("{variant}"));
        let read = quote!(#read.and_then(|v| match v { types::#enum_name::#variant(inner) => Some(inner), _ => None }));
        bounded_fields(tree, (branch, None), at, &read, found, depth + 1)?;
    }
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
        let field = format_ident!("{}", name.to_snake_case());
        let target = spec::resolve(tree, prop).unwrap_or(prop);
        let kind = target.get("type").and_then(Value::as_str);
        let number = matches!(kind, Some("number" | "integer"));
        // typify makes a field that is required, or optional with a default, a plain value
        // (not an `Option`), and an integer whose minimum is 1 a `NonZeroU64`: integers are read
        // through `ToF64`, which takes every integer type typify writes.
        let is_required = required.contains(&name.as_str()) || prop.get("default").is_some();
        if number && let Some((min, max)) = range(target) {
            let read = match (is_required, kind == Some("integer")) {
                (true, false) => quote!(#read.map(|v| v.#field as f64)),
                (false, false) => quote!(#read.and_then(|v| v.#field).map(|v| v as f64)),
                (true, true) => quote!(#read.map(|v| crate::facts::ToF64::to_f64(v.#field))),
                (false, true) => quote!(#read.and_then(|v| v.#field).map(crate::facts::ToF64::to_f64)),
            };
            found.push(Field { path, min, max, read });
        } else if !number {
            let read = match is_required {
                true => quote!(#read.map(|v| &v.#field)),
                false => quote!(#read.and_then(|v| v.#field.as_ref())),
            };
            bounded_fields(tree, (prop, None), &path, &read, found, depth + 1)?;
        }
    }
    Ok(())
}
