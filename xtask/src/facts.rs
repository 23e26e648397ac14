//! The facts that hand-written code needs from the spec, written out as Rust data
//! (`crates/anam-api/src/facts_generated.rs`), so that the SDK's checks, the fake's checks and the
//! fake's routing read the spec instead of repeating it:
//!
//! - the operations: one enum variant each, with its operationId, method and path template;
//! - the documented range of every bounded request field (body fields by JSON path, and query
//!   parameters), for the operation that takes it;
//! - which fields of `VoiceGenerationOptions` apply to each voice provider, and with which range
//!   (the spec's `x-anam-providers` extension on that schema).

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::spec;

/// The schema whose properties carry `x-anam-providers`.
const PROVIDER_SCHEMA: &str = "VoiceGenerationOptions";
const SPEC_NAME: &str = crate::codegen::SPEC;

/// The Rust source of the facts file (without its header).
pub fn render(tree: &Value) -> Result<String, String> {
    let operations = spec::operations(tree);
    let variants: Vec<_> = operations.iter().map(|(id, _, _)| format_ident!("{}", id.to_upper_camel_case())).collect();
    let ids: Vec<_> = operations.iter().map(|(id, _, _)| id.as_str()).collect();
    let methods: Vec<_> = operations.iter().map(|(_, method, _)| method.as_str()).collect();
    let paths: Vec<_> = operations.iter().map(|(_, _, path)| path.as_str()).collect();
    let docs: Vec<_> = operations.iter().map(|(_, method, path)| format!("`{method} {path}`")).collect();

    let mut bounds = Vec::new();
    for (id, method, path) in &operations {
        let op = &tree["paths"][path.as_str()][method.to_lowercase().as_str()];
        let variant = format_ident!("{}", id.to_upper_camel_case());
        for (name, schema) in query_parameters(tree, &tree["paths"][path.as_str()], op) {
            if let Some((min, max)) = range(schema) {
                bounds.push(bound(&variant, quote!(Query), &name, min, max));
            }
        }
        let body = op.pointer("/requestBody/content/application~1json/schema");
        let mut found = Vec::new();
        if let Some(body) = body {
            bounded_fields(tree, body, "", &mut found, 0)?;
        }
        for (field, min, max) in found {
            bounds.push(bound(&variant, quote!(Body), &field, min, max));
        }
    }

    let mut providers = Vec::new();
    let at = format!("/components/schemas/{PROVIDER_SCHEMA}");
    let schema = tree.pointer(&at).ok_or_else(|| format!("{SPEC_NAME}: no schema {PROVIDER_SCHEMA}"))?;
    let by_provider = schema.get("x-anam-providers").and_then(Value::as_object);
    let by_provider =
        by_provider.ok_or_else(|| format!("components.schemas.{PROVIDER_SCHEMA}: no x-anam-providers"))?;
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

    let tokens: TokenStream = quote! {
        use crate::facts::{Bound, Location, ProviderField};

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
        }

        /// The documented range of every bounded request field.
        pub const REQUEST_BOUNDS: &[Bound] = &[#(#bounds),*];

        /// For each voice provider, the fields of `VoiceGenerationOptions` that apply to it, with
        /// the provider's own range where the spec gives one (`x-anam-providers`).
        pub const PROVIDER_FIELDS: &[ProviderField] = &[#(#providers),*];
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("facts: {e}"))?;
    Ok(prettyplease::unparse(&file))
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

/// Collects the bounded number fields below `schema` as (JSON path, minimum, maximum), following
/// `$ref`s and `allOf`/`anyOf`/`oneOf` branches.
fn bounded_fields(
    tree: &Value,
    schema: &Value,
    at: &str,
    found: &mut Vec<(String, Option<f64>, Option<f64>)>,
    depth: usize,
) -> Result<(), String> {
    if depth > 16 {
        return Err(format!("request body schema nests deeper than 16 levels at {at:?} (a cycle?)"));
    }
    if let Some(target) = spec::resolve(tree, schema) {
        return bounded_fields(tree, target, at, found, depth + 1);
    }
    if matches!(schema.get("type").and_then(Value::as_str), Some("number" | "integer"))
        && let Some((min, max)) = range(schema)
    {
        found.push((at.to_string(), min, max));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for branch in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            bounded_fields(tree, branch, at, found, depth + 1)?;
        }
    }
    for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
        bounded_fields(tree, prop, &path, found, depth + 1)?;
    }
    Ok(())
}
