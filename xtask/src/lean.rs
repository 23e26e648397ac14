//! Rewrites of progenitor's output that make every call cheaper and send the same bytes. Each was
//! measured with the `one_side` bench (instructions per request under callgrind, BENCHMARKS.md),
//! and each fails loudly when progenitor's output no longer has the shape it rewrites, so that a
//! progenitor upgrade cannot silently undo it.
//!
//! - [`plain_bodies`]: an operation builder keeps its request body as the body type, not as
//!   typify's struct builder (every field a `Result`) converted there and back on each call.
//! - [`PathRewriter`]: a path parameter is percent-encoded while the URL is formatted, instead of
//!   through two intermediate `String`s (`encode_path(&id.to_string())`).
//! - [`HeaderRewriter`]: the constant `api-version` header is added with `.header(..)`, instead of
//!   through a one-entry `HeaderMap` allocated per call and merged with `.headers(..)`.

use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

/// Applies every rewrite to the operation builders (`mod builder`) and adds the helpers they use.
pub fn apply(file: &mut syn::File) -> Result<(), String> {
    plain_bodies(builders(file)?)?;
    let (mut paths, mut headers) = (PathRewriter::default(), HeaderRewriter::default());
    for item in builders(file)?.iter_mut() {
        let syn::Item::Impl(block) = item else { continue };
        for item in block.items.iter_mut() {
            if let syn::ImplItem::Fn(f) = item
                && f.sig.ident == "send"
            {
                paths.visit_block_mut(&mut f.block);
                headers.rewrite(&mut f.block);
            }
        }
    }
    if paths.rewritten == 0 || headers.rewritten == 0 {
        return Err(format!(
            "progenitor's `send` functions changed shape: {} path parameter(s) and {} header map(s) rewritten",
            paths.rewritten, headers.rewritten
        ));
    }
    builders(file)?.insert(
        0,
        syn::parse_quote!(
            use super::AsPathSegment as _;
        ),
    );
    file.items.extend(path_segment()?);
    Ok(())
}

/// The items of the operation builders' module.
fn builders(file: &mut syn::File) -> Result<&mut Vec<syn::Item>, String> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| "progenitor's output has no `builder` module".to_string())
}

/// Makes each operation builder keep its body as `Result<types::X, String>` and drops
/// `body_map`, the one method that needs the builder; `body()` and `send()` compile unchanged,
/// their conversions becoming the identity.
fn plain_bodies(builders: &mut [syn::Item]) -> Result<(), String> {
    let mut changed = Vec::new();
    for item in builders.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut().filter(|f| f.ident.as_ref().is_some_and(|name| name == "body")) {
            let ty = &field.ty;
            let text = quote!(#ty).to_string().replace(' ', "");
            if let Some(name) = text.strip_prefix("Result<types::builder::").and_then(|t| t.strip_suffix(",String>")) {
                let name = format_ident!("{name}");
                field.ty = syn::parse_quote!(Result<types::#name, String>);
                changed.push(s.ident.clone());
            }
        }
    }
    for item in builders.iter_mut() {
        let syn::Item::Impl(block) = item else { continue };
        let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
        if self_ty.path.segments.last().is_some_and(|last| changed.contains(&last.ident)) {
            block.items.retain(|item| !matches!(item, syn::ImplItem::Fn(f) if f.sig.ident == "body_map"));
        }
    }
    if changed.is_empty() {
        return Err("no operation builder keeps its body as a typify builder any more".into());
    }
    Ok(())
}

/// Replaces `encode_path(&x.to_string())` with `x.as_path_segment()` (see [`path_segment`]);
/// a method call, so that `x` derefs to what displays as `to_string` did.
#[derive(Default)]
struct PathRewriter {
    rewritten: usize,
}

impl VisitMut for PathRewriter {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr
            && let syn::Expr::Path(func) = &*call.func
            && func.path.is_ident("encode_path")
            && let [syn::Expr::Reference(reference)] = call.args.iter().collect::<Vec<_>>()[..]
            && let syn::Expr::MethodCall(to_string) = &*reference.expr
            && to_string.method == "to_string"
            && to_string.args.is_empty()
        {
            let value = &to_string.receiver;
            *expr = syn::parse_quote!(#value.as_path_segment());
            self.rewritten += 1;
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    /// The URL is built by `format!`, whose arguments syn keeps as tokens: parse, rewrite, put back.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if !mac.path.is_ident("format") {
            return;
        }
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(mut args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            args.iter_mut().for_each(|arg| self.visit_expr_mut(arg));
            mac.tokens = quote!(#args);
        }
    }
}

/// Replaces `let mut header_map = HeaderMap::with_capacity(n); header_map.append(k, v); ...`
/// followed by `.headers(header_map)` with `.header(k, v)...`, when the map gets nothing else.
#[derive(Default)]
struct HeaderRewriter {
    rewritten: usize,
    pairs: Vec<(syn::Expr, syn::Expr)>,
}

impl HeaderRewriter {
    fn rewrite(&mut self, block: &mut syn::Block) {
        let Some(start) = block.stmts.iter().position(is_header_map_declaration) else { return };
        let mut pairs = Vec::new();
        let mut end = start + 1;
        while let Some(pair) = block.stmts.get(end).and_then(header_map_append) {
            pairs.push(pair);
            end += 1;
        }
        let rest = &block.stmts[end..];
        // Only a map that nothing else touches: its sole other use is the `.headers(..)` call.
        let uses = rest.iter().map(|s| quote!(#s).to_string()).filter(|s| s.contains("header_map")).count();
        if pairs.is_empty() || uses != 1 {
            return;
        }
        self.pairs = pairs;
        block.stmts.drain(start..end);
        for stmt in block.stmts.iter_mut() {
            self.visit_stmt_mut(stmt);
        }
        self.pairs.clear();
    }
}

impl VisitMut for HeaderRewriter {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && let [syn::Expr::Path(arg)] = call.args.iter().collect::<Vec<_>>()[..]
            && arg.path.is_ident("header_map")
            && !self.pairs.is_empty()
        {
            let mut chain = (*call.receiver).clone();
            for (name, value) in &self.pairs {
                chain = syn::parse_quote!(#chain.header(#name, #value));
            }
            *expr = chain;
            self.rewritten += 1;
        }
    }
}

fn is_header_map_declaration(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Local(local) = stmt else { return false };
    let pat = &local.pat;
    let init = local.init.as_ref().map(|init| &init.expr);
    quote!(#pat).to_string().replace(' ', "") == "mutheader_map"
        && init.is_some_and(|e| quote!(#e).to_string().replace(' ', "").contains("HeaderMap::with_capacity("))
}

/// `(name, value)` of a statement `header_map.append(name, value);`.
fn header_map_append(stmt: &syn::Stmt) -> Option<(syn::Expr, syn::Expr)> {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = stmt else { return None };
    let receiver = &call.receiver;
    if call.method != "append" || quote!(#receiver).to_string() != "header_map" || call.args.len() != 2 {
        return None;
    }
    Some((call.args[0].clone(), call.args[1].clone()))
}

/// `PathSegment`, which percent-encodes a path parameter exactly as `progenitor_client::
/// encode_path` does while it is written into the URL, and a test that holds it to that.
fn path_segment() -> Result<Vec<syn::Item>, String> {
    let tokens = quote! {
        /// A path parameter, percent-encoded as `progenitor_client::encode_path` does it, written
        /// straight into the URL being formatted (`cargo xtask codegen` puts this here in place of
        /// `encode_path(&value.to_string())`, which built two `String`s per call).
        struct PathSegment<'a, T: ?Sized>(&'a T);

        impl<T: ::std::fmt::Display + ?Sized> ::std::fmt::Display for PathSegment<'_, T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                /// Percent-encodes what the value writes, piece by piece.
                struct Encode<'a, 'b>(&'a mut ::std::fmt::Formatter<'b>);
                impl ::std::fmt::Write for Encode<'_, '_> {
                    fn write_str(&mut self, s: &str) -> ::std::fmt::Result {
                        ::std::fmt::Display::fmt(&::percent_encoding::utf8_percent_encode(s, PATH_SET), self.0)
                    }
                }
                ::std::fmt::write(&mut Encode(f), format_args!("{}", self.0))
            }
        }

        /// `value.as_path_segment()`: a [`PathSegment`] of anything that displays.
        trait AsPathSegment: ::std::fmt::Display {
            fn as_path_segment(&self) -> PathSegment<'_, Self> {
                PathSegment(self)
            }
        }

        impl<T: ::std::fmt::Display + ?Sized> AsPathSegment for T {}

        /// The characters `progenitor_client::encode_path` (0.15) escapes in a path segment.
        const PATH_SET: &::percent_encoding::AsciiSet = &::percent_encoding::CONTROLS
            .add(b' ').add(b'"').add(b'#').add(b'<').add(b'>').add(b'?').add(b'`')
            .add(b'{').add(b'}').add(b'/').add(b'%');

        #[cfg(test)]
        mod path_segment_tests {
            #[test]
            fn path_segments_are_encoded_as_progenitor_encodes_them() {
                let samples = ["2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31", "a b/c?d#e%f", "ü{}`<>\"", "\u{7f}\t", "", "%2F"];
                for sample in samples {
                    let ours = super::PathSegment(sample).to_string();
                    assert_eq!(ours, progenitor_client::encode_path(sample), "{sample:?}");
                }
            }
        }
    };
    syn::parse2::<syn::File>(tokens).map(|f| f.items).map_err(|e| format!("path segment helper: {e}"))
}
