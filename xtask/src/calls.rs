//! What `cargo xtask codegen` adds to progenitor's output so that one call path can send every
//! operation, and one handle can serve every resource, without code written per operation:
//!
//! - in `builder`, an `impl anam_api::Call` for each operation's builder: its `Operation`, its
//!   answer type (read from the builder's own `send`), how an unexpected 2xx is decoded, and a
//!   `check` of its path parameters (one segment each) and documented query and body ranges;
//! - `query`, an owned query builder for each resource's list (its filters and paging as the
//!   spec declares them, with `validate` and the conversion into the generated builder);
//! - `resources`, a marker type per resource of the spec with `anam_api::resource` trait impls
//!   for the operations it has (see that module for how a resource is read from the paths);
//! - `dispatch::send`, which builds the builder of an operation chosen at run time from named
//!   inputs and hands it to a sender (`anam_api::dynamic`).
//!
//! Everything is derived from the spec and from progenitor's output, so both stay the one
//! source: an operation or resource added to the spec gets all of it.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::spec;

/// The extension that marks a query parameter as a comma-separated list of values.
const COMMA_SEPARATED: &str = "x-anam-comma-separated";

/// A generated builder: its fields (name, type) and the answer type of its `send`.
struct Builder {
    fields: Vec<(String, syn::Type)>,
    output: syn::Type,
}

/// One operation as the spec has it.
struct Op {
    id: String,
    method: String,
    path: String,
    node: Value,
    parameters: Vec<Value>,
}

/// Adds the `Call` impls, `query` and `resources` to progenitor's output.
pub fn extend(file: &mut syn::File, tree: &Value) -> Result<(), String> {
    let ops: Vec<Op> = spec::operations(tree)
        .into_iter()
        .map(|(id, method, path)| {
            let item = &tree["paths"][path.as_str()];
            let node = item[method.to_lowercase().as_str()].clone();
            let parameters = parameters(tree, item, &node);
            Op { id, method, path, node, parameters }
        })
        .collect();
    let builders = builders(file)?;
    let mut calls = Vec::new();
    for op in &ops {
        let name = op.id.to_upper_camel_case();
        // An operation progenitor is not shown (a multipart-only upload) has no builder.
        let Some(builder) = builders.get(&name) else { continue };
        calls.push(call_impl(tree, op, &name, builder)?);
    }
    let builder_mod = module(file, "builder")?;
    builder_mod.extend(calls);
    file.items.push(dispatch(&ops, &builders)?);

    let resources = resources(tree, &ops, &builders)?;
    let mut queries = Vec::new();
    let mut markers = Vec::new();
    for resource in &resources {
        if let Some(list) = &resource.list {
            queries.push(query_struct(list)?);
        }
        markers.push(resource_impls(resource, &builders)?);
    }
    let query_mod: syn::Item = syn::parse_quote! {
        /// An owned query builder for each resource's list: its filters and paging, as the spec
        /// declares them, checked by `validate` against the spec's ranges.
        pub mod query {
            use crate::facts::Operation;
            use crate::invalid::ValidationError;
            #(#queries)*
        }
    };
    let resources_mod: syn::Item = syn::parse_quote! {
        /// A marker type per resource of the spec, with the `anam_api::resource` traits of the
        /// operations it has.
        pub mod resources {
            use crate::types;
            #(#markers)*
        }
    };
    file.items.push(query_mod);
    file.items.push(resources_mod);
    Ok(())
}

/// The items of the top-level module `name` of progenitor's output.
fn module<'a>(file: &'a mut syn::File, name: &str) -> Result<&'a mut Vec<syn::Item>, String> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor's output has no `{name}` module"))
}

/// Every builder of progenitor's `builder` module, by name.
fn builders(file: &syn::File) -> Result<BTreeMap<String, Builder>, String> {
    let items = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .ok_or("progenitor's output has no `builder` module")?;
    let mut fields: BTreeMap<String, Vec<(String, syn::Type)>> = BTreeMap::new();
    let mut outputs: BTreeMap<String, syn::Type> = BTreeMap::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let named = s.fields.iter().filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone())));
                fields.insert(s.ident.to_string(), named.collect());
            }
            syn::Item::Impl(block) if block.trait_.is_none() => {
                let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
                let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
                for inner in &block.items {
                    if let syn::ImplItem::Fn(f) = inner
                        && f.sig.ident == "send"
                    {
                        outputs.insert(name.clone(), answer_type(&f.sig.output)?);
                    }
                }
            }
            _ => {}
        }
    }
    let mut found = BTreeMap::new();
    for (name, output) in outputs {
        let fields = fields.remove(&name).ok_or_else(|| format!("builder {name} has a send but no struct"))?;
        found.insert(name, Builder { fields, output });
    }
    Ok(found)
}

/// `T` of a `send` that returns `Result<ResponseValue<T>, Error<()>>`.
fn answer_type(output: &syn::ReturnType) -> Result<syn::Type, String> {
    let shown = quote!(#output).to_string();
    let generic = |ty: &syn::Type, name: &str| -> Option<syn::Type> {
        let syn::Type::Path(path) = ty else { return None };
        let last = path.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
        (last.ident == name).then(|| {
            args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
        })?
    };
    let syn::ReturnType::Type(_, ty) = output else { return Err(format!("a send without a return type: {shown}")) };
    let value = generic(ty, "Result").and_then(|ok| generic(&ok, "ResponseValue"));
    value.ok_or_else(|| format!("a send that does not return Result<ResponseValue<T>, _>: {shown}"))
}

/// The parameters of an operation: its path item's and its own, resolved.
fn parameters(tree: &Value, item: &Value, op: &Value) -> Vec<Value> {
    let shared = item.get("parameters").and_then(Value::as_array).into_iter().flatten();
    let own = op.get("parameters").and_then(Value::as_array).into_iter().flatten();
    shared.chain(own).map(|p| spec::resolve(tree, p).unwrap_or(p).clone()).collect()
}

fn param_in<'a>(op: &'a Op, location: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    op.parameters.iter().filter(move |p| p.get("in").and_then(Value::as_str) == Some(location))
}

fn name_of(param: &Value) -> &str {
    param.get("name").and_then(Value::as_str).unwrap_or_default()
}

/// The named schema a `$ref` (or a single-branch `allOf`) points to.
fn named(schema: &Value) -> Option<&str> {
    let reference = schema.get("$ref").or_else(|| schema.pointer("/allOf/0/$ref"))?;
    reference.as_str()?.strip_prefix("#/components/schemas/")
}

/// Whether a schema is a number (integer or not), after following a `$ref`.
fn is_number(tree: &Value, schema: &Value) -> bool {
    let schema = spec::resolve(tree, schema).unwrap_or(schema);
    matches!(schema.get("type").and_then(Value::as_str), Some("integer" | "number"))
}

/// `dispatch::send`: a match over every operation that builds its builder from
/// `anam_api::dynamic::Arguments` (each parameter and the body decoded into the builder's own
/// types) and hands it to a `Sender`. An operation without a builder (a multipart-only upload)
/// is refused with `dynamic::not_json`.
fn dispatch(ops: &[Op], builders: &BTreeMap<String, Builder>) -> Result<syn::Item, String> {
    let mut arms = Vec::new();
    for op in ops {
        let name = op.id.to_upper_camel_case();
        let variant = format_ident!("{name}");
        let Some(builder) = builders.get(&name) else {
            arms.push(quote!(Operation::#variant => Err(crate::dynamic::not_json(operation).into()),));
            continue;
        };
        let method = format_ident!("{}", op.id.to_snake_case());
        let mut sets = Vec::new();
        for (field, ty) in &builder.fields {
            let setter = format_ident!("{field}");
            if field == "client" {
                continue;
            }
            if field == "body" {
                let body = op.node.pointer("/requestBody/content/application~1json/schema").and_then(named);
                let body =
                    format_ident!("{}", body.ok_or_else(|| format!("{}: a body that is not a named schema", op.id))?);
                sets.push(quote!(call = call.body(args.body::<types::#body>()?);));
                continue;
            }
            let wire = op
                .parameters
                .iter()
                .map(name_of)
                .find(|wire| &wire.to_snake_case() == field)
                .ok_or_else(|| format!("{}: the builder field {field} is no parameter of the spec", op.id))?;
            let (inner, optional) = field_value(ty)
                .ok_or_else(|| format!("{}: the builder field {field} has an unexpected type", op.id))?;
            sets.push(match optional {
                true => quote!(if let Some(value) = args.parameter::<#inner>(#wire)? { call = call.#setter(value); }),
                false => quote! {
                    let value = args.parameter::<#inner>(#wire)?.ok_or_else(|| crate::dynamic::missing(#wire))?;
                    call = call.#setter(value);
                },
            });
        }
        arms.push(quote!(Operation::#variant => {
            #[allow(unused_mut)]
            let mut call = client.#method();
            #(#sets)*
            sender.send(call).await
        }));
    }
    Ok(syn::parse_quote! {
        /// An operation chosen at run time, built from named inputs (see `anam_api::dynamic`).
        pub mod dispatch {
            use crate::dynamic::{Arguments, Sender};
            use crate::facts::Operation;
            use crate::types;

            /// Builds the builder of `operation` from `args` and sends it with `sender`: each
            /// parameter and the JSON body are decoded into the generated types, so a value of
            /// the wrong type is refused, naming it, before anything is sent.
            pub async fn send<S: Sender, A: Arguments>(
                client: &super::Client,
                operation: Operation,
                args: &A,
                sender: &S,
            ) -> Result<::serde_json::Value, S::Error> {
                match operation {
                    #(#arms)*
                }
            }
        }
    })
}

/// `(T, true)` for a builder field of type `Result<Option<T>, String>`, `(T, false)` for
/// `Result<T, String>`.
fn field_value(ty: &syn::Type) -> Option<(syn::Type, bool)> {
    let first = |ty: &syn::Type, name: &str| -> Option<syn::Type> {
        let syn::Type::Path(path) = ty else { return None };
        let last = path.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
        if last.ident != name {
            return None;
        }
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
    };
    let value = first(ty, "Result")?;
    match first(&value, "Option") {
        Some(inner) => Some((inner, true)),
        None => Some((value, false)),
    }
}

/// `impl Call` for one builder.
fn call_impl(tree: &Value, op: &Op, name: &str, builder: &Builder) -> Result<syn::Item, String> {
    let (ident, variant) = (format_ident!("{name}"), format_ident!("{name}"));
    let output = &builder.output;
    let unit = quote!(#output).to_string().replace(' ', "") == "()";
    let decode = if unit { quote!(crate::call::decode_nothing(body)) } else { quote!(crate::call::decode_json(body)) };
    let mut checks = Vec::new();
    for param in param_in(op, "path") {
        let wire = name_of(param);
        let field = format_ident!("{}", wire.to_snake_case());
        checks.push(quote! {
            if let Ok(value) = &self.#field {
                crate::call::check_path_segment(#wire, &value.to_string())?;
            }
        });
    }
    for param in param_in(op, "query") {
        let wire = name_of(param);
        if param.get("schema").is_some_and(|s| is_number(tree, s)) {
            let field = format_ident!("{}", wire.to_snake_case());
            checks.push(quote! {
                if let Ok(value) = &self.#field {
                    crate::call::check_query(Self::OPERATION, #wire, value.as_ref())?;
                }
            });
        }
    }
    let json_body = op.node.pointer("/requestBody/content/application~1json/schema").and_then(named);
    if let Some(body) = json_body
        && builder.fields.iter().any(|(field, _)| field == "body")
    {
        let (body, check) = (format_ident!("{body}"), format_ident!("check_{}", op.id.to_snake_case()));
        checks.push(quote! {
            if let Ok(body) = &self.body
                && let Ok(body) = types::#body::try_from(body.clone())
            {
                crate::facts::#check(&body)?;
                crate::facts::check_body_rules(Self::OPERATION, &body)?;
            }
        });
    }
    // The period between two date-time query parameters (`x-anam-period`).
    if let Some(period) = op.node.get("x-anam-period") {
        let field = |key: &str| {
            let name =
                period.get(key).and_then(Value::as_str).ok_or_else(|| format!("{}: x-anam-period.{key}", op.id))?;
            Ok::<_, String>(format_ident!("{}", name.to_snake_case()))
        };
        let (from, to) = (field("from")?, field("to")?);
        checks.push(quote! {
            crate::call::check_period(
                Self::OPERATION,
                self.#from.as_ref().ok().and_then(Option::as_ref),
                self.#to.as_ref().ok().and_then(Option::as_ref),
            )?;
        });
    }
    let doc = format!("`{} {}` through the generic call path.", op.method, op.path);
    Ok(syn::parse_quote! {
        #[doc = #doc]
        impl<'a> crate::call::Call for #ident<'a> {
            type Output = #output;
            const OPERATION: crate::facts::Operation = crate::facts::Operation::#variant;

            fn send(self) -> impl ::std::future::Future<Output = Result<ResponseValue<#output>, Error<()>>> + Send {
                #ident::send(self)
            }

            fn decode(body: &[u8]) -> ::serde_json::Result<#output> {
                #decode
            }

            fn check(&self) -> ::std::result::Result<(), crate::invalid::ValidationError> {
                #(#checks)*
                Ok(())
            }
        }
    })
}

/// A resource read from the paths: `/v1/<collection>/{id}` whose `id` is the schema `<Name>Id`.
struct ResourceSpec {
    name: String,
    id_schema: String,
    get: Option<String>,
    update: Option<(String, String)>,
    delete: Option<String>,
    create: Option<(String, String)>,
    list: Option<ListSpec>,
}

/// A resource's list: its operation, its query parameters and the shape of its answer.
struct ListSpec {
    op_id: String,
    path: String,
    parameters: Vec<Value>,
    item_schema: String,
    paged: bool,
}

/// The resources of the spec, in the order of their item paths.
fn resources(tree: &Value, ops: &[Op], builders: &BTreeMap<String, Builder>) -> Result<Vec<ResourceSpec>, String> {
    let mut found = Vec::new();
    let paths = tree.get("paths").and_then(Value::as_object).into_iter().flatten();
    for path in paths.map(|(path, _)| path) {
        let Some(collection) = path.strip_suffix("/{id}") else { continue };
        let id_param =
            ops.iter().filter(|op| &op.path == path).flat_map(|op| param_in(op, "path")).find(|p| name_of(p) == "id");
        let Some(id_schema) = id_param.and_then(|p| p.get("schema")).and_then(named) else { continue };
        let Some(name) = id_schema.strip_suffix("Id") else { continue };
        let op = |p: &str, method: &str| {
            ops.iter()
                .find(|op| op.path == p && op.method == method && builders.contains_key(&op.id.to_upper_camel_case()))
        };
        let body = |op: &Op| {
            op.node.pointer("/requestBody/content/application~1json/schema").and_then(named).map(str::to_owned)
        };
        let list = match op(collection, "GET") {
            Some(list) => Some(list_spec(tree, list, id_schema)?),
            None => None,
        };
        found.push(ResourceSpec {
            name: name.to_string(),
            id_schema: id_schema.to_string(),
            get: op(path, "GET").map(|o| o.id.clone()),
            update: op(path, "PUT").and_then(|o| Some((o.id.clone(), body(o)?))),
            delete: op(path, "DELETE").map(|o| o.id.clone()),
            create: op(collection, "POST").and_then(|o| Some((o.id.clone(), body(o)?))),
            list,
        });
    }
    Ok(found)
}

/// What a resource's list answers: `{data: [Item], meta: Pagination}` or a named array of items.
fn list_spec(tree: &Value, op: &Op, id_schema: &str) -> Result<ListSpec, String> {
    let at = format!("paths.{}.get", op.path);
    let answer = op.node.pointer("/responses/200/content/application~1json/schema").and_then(named);
    let answer = answer.ok_or_else(|| format!("{at}: a list's 200 answer must be a $ref to a named schema"))?;
    let schema = &tree["components"]["schemas"][answer];
    let (items, paged) = match schema.pointer("/properties/data/items") {
        Some(items) => (items, true),
        None => (
            schema.get("items").ok_or_else(|| format!("{at}: {answer} is neither {{data, meta}} nor an array"))?,
            false,
        ),
    };
    let item_schema = named(items).ok_or_else(|| format!("{at}: the items of {answer} must be a named schema"))?;
    let item_id = property(tree, &tree["components"]["schemas"][item_schema], "id", 0);
    if item_id.and_then(named) != Some(id_schema) {
        return Err(format!("{at}: the items of {answer} ({item_schema}) must have an `id` of {id_schema}"));
    }
    Ok(ListSpec {
        op_id: op.id.clone(),
        path: op.path.clone(),
        parameters: op.parameters.clone(),
        item_schema: item_schema.to_string(),
        paged,
    })
}

/// A property of a schema, looking through `$ref`s and `allOf` branches.
fn property<'a>(tree: &'a Value, schema: &'a Value, name: &str, depth: usize) -> Option<&'a Value> {
    if depth > 16 {
        return None;
    }
    let schema = spec::resolve(tree, schema).unwrap_or(schema);
    if let Some(found) = schema.pointer(&format!("/properties/{name}")) {
        return Some(found);
    }
    let branches = schema.get("allOf").and_then(Value::as_array).into_iter().flatten();
    branches.filter_map(|branch| property(tree, branch, name, depth + 1)).next()
}

/// A query field: its Rust type, the setter's argument and how the setter stores it.
struct QueryField {
    wire: String,
    field: syn::Ident,
    doc: String,
    ty: TokenStream,
    setter: TokenStream,
    comma_separated: bool,
    number: bool,
}

fn query_field(param: &Value, at: &str) -> Result<QueryField, String> {
    let wire = name_of(param).to_string();
    let field = format_ident!("{}", wire.to_snake_case());
    let doc = format!("`{wire}`: {}", param.get("description").and_then(Value::as_str).unwrap_or_default().trim());
    let schema = param.get("schema").ok_or_else(|| format!("{at}: parameter {wire} has no schema"))?;
    if param.get(COMMA_SEPARATED).and_then(Value::as_bool) == Some(true) {
        let setter = quote!(mut self, values: impl IntoIterator<Item = impl Into<::std::string::String>>);
        let ty = quote!(::std::vec::Vec<::std::string::String>);
        return Ok(QueryField { wire, field, doc, ty, setter, comma_separated: true, number: false });
    }
    let (ty, number) = match named(schema) {
        Some(name) => {
            let name = format_ident!("{name}");
            (quote!(crate::types::#name), false)
        }
        None => match (schema.get("type").and_then(Value::as_str), schema.get("format").and_then(Value::as_str)) {
            (Some("integer"), _) if schema.get("minimum").and_then(Value::as_f64).is_some_and(|m| m >= 0.0) => {
                (quote!(u64), true)
            }
            (Some("integer"), _) => (quote!(i64), true),
            (Some("number"), _) => (quote!(f64), true),
            (Some("boolean"), _) => (quote!(bool), false),
            (Some("string"), Some("date-time")) => (quote!(::chrono::DateTime<::chrono::offset::Utc>), false),
            (Some("string"), _) => (quote!(::std::string::String), false),
            other => {
                return Err(format!(
                    "{at}: query parameter {wire} has a type the generator does not handle: {other:?}"
                ));
            }
        },
    };
    let setter = if number || matches!(ty.to_string().as_str(), "bool") {
        quote!(mut self, value: #ty)
    } else {
        quote!(mut self, value: impl Into<#ty>)
    };
    Ok(QueryField { wire, field, doc, ty, setter, comma_separated: false, number })
}

/// The owned query builder of a list (`query::ListPersonas`).
fn query_struct(list: &ListSpec) -> Result<TokenStream, String> {
    let name = format_ident!("{}", list.op_id.to_upper_camel_case());
    let at = format!("paths.{}.get", list.path);
    let mut fields = Vec::new();
    for param in &list.parameters {
        match param.get("in").and_then(Value::as_str) {
            Some("query") if param.get("required").and_then(Value::as_bool) == Some(true) => {
                return Err(format!("{at}: a list's query parameter {} is required", name_of(param)));
            }
            Some("query") => fields.push(query_field(param, &at)?),
            Some("header") => {}
            other => return Err(format!("{at}: a list takes no {other:?} parameter ({})", name_of(param))),
        }
    }
    let idents: Vec<&syn::Ident> = fields.iter().map(|f| &f.field).collect();
    let types = fields.iter().map(|f| {
        if f.comma_separated {
            f.ty.clone()
        } else {
            let ty = &f.ty;
            quote!(::std::option::Option<#ty>)
        }
    });
    let setters = fields.iter().map(|f| {
        let (field, doc, setter) = (&f.field, &f.doc, &f.setter);
        let store = match (f.comma_separated, setter.to_string().contains("Into")) {
            (true, _) => quote!(self.#field = values.into_iter().map(Into::into).collect();),
            (false, true) => quote!(self.#field = Some(value.into());),
            (false, false) => quote!(self.#field = Some(value);),
        };
        quote! {
            #[doc = #doc]
            pub fn #field(#setter) -> Self {
                #store
                self
            }
        }
    });
    let checks = fields.iter().filter(|f| f.number || f.comma_separated).map(|f| {
        let (field, wire) = (&f.field, &f.wire);
        if f.comma_separated {
            quote!(crate::resource::check_comma_separated(#wire, &self.#field)?;)
        } else {
            quote!(crate::call::check_query(Operation::#name, #wire, self.#field.as_ref())?;)
        }
    });
    let applies = fields.iter().map(|f| {
        let field = &f.field;
        if f.comma_separated {
            quote!(if !self.#field.is_empty() { call = call.#field(self.#field.join(",")); })
        } else {
            quote!(if let Some(value) = self.#field { call = call.#field(value); })
        }
    });
    let has = |wire: &str| fields.iter().any(|f| f.wire == wire);
    let paged = has("page") && has("perPage");
    if paged != list.paged {
        return Err(format!("{at}: a paged answer ({{data, meta}}) goes with `page` and `perPage`, and only then"));
    }
    let paging = if paged {
        quote! {
            fn paging(&self) -> (Option<u64>, Option<u64>) { (self.page, self.per_page) }
            fn at_page(self, page: u64, per_page: u64) -> Self { self.page(page).per_page(per_page) }
        }
    } else {
        quote! {
            fn paging(&self) -> (Option<u64>, Option<u64>) { (None, None) }
            fn at_page(self, _page: u64, _per_page: u64) -> Self { self }
        }
    };
    let doc = format!(
        "The query of `GET {}` (`{}`). Unset values are left to the server; `validate` checks the set ones against the spec.",
        list.path, list.op_id
    );
    let builder = format_ident!("{}", list.op_id.to_upper_camel_case());
    let fields_decl = idents.iter().zip(types).map(|(ident, ty)| quote!(#ident: #ty));
    let call_param = if fields.is_empty() { quote!(call) } else { quote!(mut call) };
    Ok(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct #name {
            #(#fields_decl,)*
        }

        impl #name {
            /// A query with nothing set: the first page with the server's page size.
            pub fn new() -> Self {
                Self::default()
            }

            #(#setters)*

            /// Checks every set value against the spec (ranges; comma-separated values).
            pub fn validate(&self) -> Result<(), ValidationError> {
                #(#checks)*
                Ok(())
            }

            /// The generated builder with this query's values set.
            pub fn apply<'a>(self, #call_param: crate::builder::#builder<'a>) -> crate::builder::#builder<'a> {
                #(#applies)*
                call
            }
        }

        impl crate::resource::ListQuery for #name {
            const PAGED: bool = #paged;
            #paging
            fn validate(&self) -> Result<(), ValidationError> {
                #name::validate(self)
            }
        }
    })
}

/// The marker type of a resource and its trait impls.
fn resource_impls(resource: &ResourceSpec, builders: &BTreeMap<String, Builder>) -> Result<TokenStream, String> {
    let marker = format_ident!("{}", resource.name);
    let id = format_ident!("{}", resource.id_schema);
    let human = resource.name.to_snake_case().replace('_', " ");
    let output = |op_id: &str| -> Result<syn::Type, String> {
        builders
            .get(&op_id.to_upper_camel_case())
            .map(|b| b.output.clone())
            .ok_or_else(|| format!("no builder for {op_id}"))
    };
    let mut impls = vec![quote! {
        impl crate::resource::Resource for #marker {
            type Id = crate::types::#id;
            const NAME: &'static str = #human;
        }
    }];
    let mut offers = Vec::new();
    if let Some(list) = &resource.list {
        offers.push("list");
        let (query, builder, method) = (
            format_ident!("{}", list.op_id.to_upper_camel_case()),
            format_ident!("{}", list.op_id.to_upper_camel_case()),
            format_ident!("{}", list.op_id.to_snake_case()),
        );
        let page = output(&list.op_id)?;
        let item = format_ident!("{}", list.item_schema);
        let (into_items, empty) = if list.paged {
            (quote!((page.data, Some(page.meta))), quote!(#page { data: Vec::new(), meta }))
        } else {
            (quote!((page.0, None)), quote!({ let _ = meta; #page(Vec::new()) }))
        };
        impls.push(quote! {
            impl crate::resource::List for #marker {
                type Query = crate::query::#query;
                type Item = crate::types::#item;
                type Page = #page;
                type ListCall<'a> = crate::builder::#builder<'a>;
                fn list(client: &crate::Client, query: crate::query::#query) -> crate::builder::#builder<'_> {
                    query.apply(client.#method())
                }
                fn into_items(page: #page) -> (Vec<crate::types::#item>, Option<crate::types::Pagination>) {
                    #into_items
                }
                fn empty_page(meta: crate::types::Pagination) -> #page {
                    #empty
                }
                fn item_id(item: &crate::types::#item) -> &str {
                    item.id.as_str()
                }
            }
        });
    }
    if let Some((op_id, body)) = &resource.create {
        offers.push("create");
        let (builder, method, body, created) = (
            format_ident!("{}", op_id.to_upper_camel_case()),
            format_ident!("{}", op_id.to_snake_case()),
            format_ident!("{body}"),
            output(op_id)?,
        );
        impls.push(quote! {
            impl crate::resource::Create for #marker {
                type Body = crate::types::#body;
                type Created = #created;
                type CreateCall<'a> = crate::builder::#builder<'a>;
                fn create(client: &crate::Client, body: crate::types::#body) -> crate::builder::#builder<'_> {
                    client.#method().body(body)
                }
            }
        });
    }
    if let Some(op_id) = &resource.get {
        offers.push("get");
        let (builder, method, item) = (
            format_ident!("{}", op_id.to_upper_camel_case()),
            format_ident!("{}", op_id.to_snake_case()),
            output(op_id)?,
        );
        impls.push(quote! {
            impl crate::resource::Get for #marker {
                type Item = #item;
                type GetCall<'a> = crate::builder::#builder<'a>;
                fn get(client: &crate::Client, id: crate::types::#id) -> crate::builder::#builder<'_> {
                    client.#method().id(id)
                }
            }
        });
    }
    if let Some((op_id, body)) = &resource.update {
        offers.push("update");
        let (builder, method, body, updated) = (
            format_ident!("{}", op_id.to_upper_camel_case()),
            format_ident!("{}", op_id.to_snake_case()),
            format_ident!("{body}"),
            output(op_id)?,
        );
        impls.push(quote! {
            impl crate::resource::Update for #marker {
                type Body = crate::types::#body;
                type Updated = #updated;
                type UpdateCall<'a> = crate::builder::#builder<'a>;
                fn update(client: &crate::Client, id: crate::types::#id, body: crate::types::#body) -> crate::builder::#builder<'_> {
                    client.#method().id(id).body(body)
                }
            }
        });
    }
    if let Some(op_id) = &resource.delete {
        offers.push("delete");
        let (builder, method) =
            (format_ident!("{}", op_id.to_upper_camel_case()), format_ident!("{}", op_id.to_snake_case()));
        impls.push(quote! {
            impl crate::resource::Delete for #marker {
                type DeleteCall<'a> = crate::builder::#builder<'a>;
                fn delete(client: &crate::Client, id: crate::types::#id) -> crate::builder::#builder<'_> {
                    client.#method().id(id)
                }
            }
        });
    }
    let doc = format!("The {human} resource (`{}`): {}.", resource.id_schema, offers.join(", "));
    Ok(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum #marker {}
        #(#impls)*
    })
}
