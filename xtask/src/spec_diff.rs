//! `cargo xtask spec-diff <FILE|URL> [--json]`: what differs between `openapi/anam.yaml` and an
//! upstream OpenAPI 3.0 or 3.1 document (Anam's own), for the operations our spec covers.
//!
//! Both documents are walked side by side from each covered operation (matched by method and
//! path template): parameters (type, range, default, enum), status codes, the request body of
//! each media type (`request` for JSON, `request[multipart/form-data]` for the others) and the
//! JSON response bodies field by field (type, required, nullable, enum values, ranges, `maxLength`),
//! following `$ref`s on both sides. Where both sides reach a named schema, the pair is compared
//! once, under its own group (`schema Avatar`, or `schema Persona (upstream PersonaResponse)`);
//! elsewhere a field is reported under its operation (`request.avatarModel`). Nullability is read the same
//! way from either version (`nullable: true`, `type: [X, "null"]`, a `null` branch of a
//! `oneOf`/`anyOf`, our `NullValue`), `allOf` branches are merged, and a `oneOf`/`anyOf` of
//! several schemas is read as the union of its branches (widest range, every field).
//!
//! Every difference is one line, classified `missing in ours`, `only in ours` or `differs`;
//! those listed in `openapi/upstream-differences.yaml` (each with its reason) are accepted, and
//! the command fails when any other is found. Upstream operations we do not cover are listed
//! once, as a count and names, and fail the command too: no entry can accept them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::spec::METHODS;

/// The accepted differences, relative to the workspace root.
pub const ACCEPTED: &str = "openapi/upstream-differences.yaml";

/// How a difference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Upstream has it, ours does not.
    MissingInOurs,
    /// Ours has it, upstream does not.
    OnlyInOurs,
    /// Both have it, with other values.
    Differs,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::MissingInOurs => "missing in ours",
            Kind::OnlyInOurs => "only in ours",
            Kind::Differs => "differs",
        }
    }
}

/// One difference: where (`GET /v1/llms`, `schema Avatar`), at which field or parameter, in
/// which attribute, and both sides' values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub group: String,
    pub location: String,
    pub attribute: String,
    pub kind: Kind,
    pub ours: String,
    pub upstream: String,
}

impl Difference {
    /// The difference as one line, without its group: `differs query.perPage maximum: ours 100,
    /// upstream none`.
    pub fn line(&self) -> String {
        let values = match self.kind {
            Kind::Differs => format!(": ours {}, upstream {}", self.ours, self.upstream),
            _ => String::new(),
        };
        format!("{} {} {}{values}", self.kind.as_str(), self.location, self.attribute)
    }

    /// What an accepted-differences entry matches: `GROUP: LINE`, values included, so that an
    /// entry accepting "nullable in ours only" does not also accept the reverse.
    pub fn key(&self) -> String {
        format!("{}: {}", self.group, self.line())
    }
}

/// The comparison of two documents.
#[derive(Debug, Default)]
pub struct Report {
    pub differences: Vec<Difference>,
    /// Upstream operations our spec does not cover (`METHOD /path`).
    pub uncovered: Vec<String>,
}

/// One accepted difference: a pattern over [`Difference::key`] (`*` matches any text) and why.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Accepted {
    pub difference: String,
    pub reason: String,
}

/// `cargo xtask spec-diff`: compares, prints, and fails on a difference nobody accepted.
pub fn run(root: &Path, source: &str, as_json: bool) -> Result<(), String> {
    let ours = read_document(&root.join(crate::codegen::SPEC).display().to_string())?;
    let upstream = read_document(source)?;
    let accepted = read_accepted(&root.join(ACCEPTED))?;
    let report = compare(&ours, &upstream);
    let reason = |d: &Difference| reason(&accepted, d);
    let unexplained = report.differences.iter().filter(|d| reason(d).is_none()).count();
    if as_json {
        let differences: Vec<Value> = report
            .differences
            .iter()
            .map(|d| {
                json!({"group": d.group, "location": d.location, "attribute": d.attribute, "kind": d.kind.as_str(),
                    "ours": d.ours, "upstream": d.upstream, "accepted": reason(d)})
            })
            .collect();
        let out = json!({"differences": differences, "unexplained": unexplained, "uncovered": report.uncovered});
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    } else {
        print!("{}", render(&report, &accepted));
        let unused: Vec<&Accepted> =
            accepted.iter().filter(|a| !report.differences.iter().any(|d| glob(&a.difference, &d.key()))).collect();
        for entry in unused {
            println!("note: {ACCEPTED} accepts {:?}, which no longer differs", entry.difference);
        }
    }
    let mut failures = Vec::new();
    if unexplained > 0 {
        failures.push(format!(
            "{unexplained} difference(s) not explained in {ACCEPTED}: add a reason there or change the spec"
        ));
    }
    if !report.uncovered.is_empty() {
        failures.push(format!(
            "{} upstream operation(s) not covered by {}: add them to the spec",
            report.uncovered.len(),
            crate::codegen::SPEC
        ));
    }
    match failures.is_empty() {
        true => Ok(()),
        false => Err(failures.join("; ")),
    }
}

/// Why `difference` is accepted, if an entry of `accepted` matches it.
pub fn reason<'a>(accepted: &'a [Accepted], difference: &Difference) -> Option<&'a str> {
    accepted.iter().find(|a| glob(&a.difference, &difference.key())).map(|a| a.reason.as_str())
}

/// The text report: differences grouped, each with its reason or `NOT EXPLAINED`, then totals.
pub fn render(report: &Report, accepted: &[Accepted]) -> String {
    let reason = |d: &Difference| reason(accepted, d);
    let mut out = String::new();
    let mut group = None;
    for d in &report.differences {
        if group != Some(&d.group) {
            let _ = writeln!(out, "\n{}", d.group);
            group = Some(&d.group);
        }
        let verdict = reason(d).map_or("NOT EXPLAINED".to_string(), |r| format!("accepted: {r}"));
        let _ = writeln!(out, "  {}  [{verdict}]", d.line());
    }
    let explained = report.differences.iter().filter(|d| reason(d).is_some()).count();
    let _ = writeln!(
        out,
        "\n{} difference(s): {explained} accepted, {} not explained.",
        report.differences.len(),
        report.differences.len() - explained
    );
    let _ = match report.uncovered.as_slice() {
        [] => writeln!(out, "0 upstream operation(s) not covered."),
        names => writeln!(out, "{} upstream operation(s) not covered: {}", names.len(), names.join(", ")),
    };
    out
}

/// A document from a file (YAML or JSON) or, for an `http(s)://` address, downloaded with curl.
pub fn read_document(source: &str) -> Result<Value, String> {
    let bytes = if source.starts_with("http://") || source.starts_with("https://") {
        let out = std::process::Command::new("curl")
            .args(["--fail", "--silent", "--show-error", "--location", source])
            .output()
            .map_err(|e| format!("cannot run curl to download {source}: {e}"))?;
        if !out.status.success() {
            return Err(format!("downloading {source} failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        out.stdout
    } else {
        std::fs::read(source).map_err(|e| format!("{source}: cannot read: {e}"))?
    };
    serde_norway::from_slice(&bytes).map_err(|e| format!("{source}: neither YAML nor JSON: {e}"))
}

fn read_accepted(path: &Path) -> Result<Vec<Accepted>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_norway::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any text (including none).
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Compares `ours` with `upstream` for the operations `ours` has.
pub fn compare(ours: &Value, upstream: &Value) -> Report {
    let mut walk = Walk { ours, upstream, out: Vec::new(), seen: BTreeSet::new() };
    let ours_ops = operations(ours);
    let upstream_ops = operations(upstream);
    for ((method, template), (path, op)) in &ours_ops {
        let group = format!("{} {path}", method.to_uppercase());
        let Some((up_path, up_op)) = upstream_ops.get(&(method.clone(), template.clone())) else {
            walk.push(&group, "operation", "", Kind::OnlyInOurs, "", "");
            continue;
        };
        let item = |doc: &Value, p: &str| doc["paths"][p].clone();
        walk.parameters(&group, (&item(ours, path), op), (&item(upstream, up_path), up_op));
        walk.statuses(&group, op, up_op);
        let media = |op: &Value| -> BTreeSet<String> {
            op.pointer("/requestBody/content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect()
        };
        for media_type in media(op).union(&media(up_op)) {
            let at = match media_type.as_str() {
                "application/json" => "request".to_owned(),
                other => format!("request[{other}]"),
            };
            let body = format!("/requestBody/content/{}/schema", media_type.replace('~', "~0").replace('/', "~1"));
            walk.schema(&group, &at, op.pointer(&body), up_op.pointer(&body), 0);
        }
        for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if !status.starts_with('2') {
                continue;
            }
            let schema = "/content/application~1json/schema";
            let theirs = up_op.pointer(&format!("/responses/{status}{schema}"));
            walk.schema(&group, &format!("response {status}"), response.pointer(schema), theirs, 0);
        }
    }
    let mut uncovered: Vec<String> = upstream_ops
        .iter()
        .filter(|(key, _)| !ours_ops.contains_key(*key))
        .map(|((method, _), (path, _))| format!("{} {path}", method.to_uppercase()))
        .collect();
    uncovered.sort();
    let mut differences = walk.out;
    differences.sort();
    differences.dedup();
    Report { differences, uncovered }
}

/// The operations of a document by (method, path template with `{}` for every parameter).
fn operations(doc: &Value) -> BTreeMap<(String, String), (String, &Value)> {
    let mut found = BTreeMap::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let template: String = path
            .split('/')
            .map(|segment| if segment.starts_with('{') { "{}" } else { segment })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS {
            if let Some(op) = item.get(method) {
                found.insert((method.to_string(), template.clone()), (path.clone(), op));
            }
        }
    }
    found
}

/// What a schema says once `$ref`s, `allOf`, null branches and unions are read.
#[derive(Debug, Default, Clone)]
struct Shape {
    /// The first named schema reached through a `$ref` (our side's groups are named after it).
    name: Option<String>,
    types: BTreeSet<String>,
    nullable: bool,
    enumeration: Option<BTreeSet<String>>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    max_length: Option<u64>,
    default: Option<String>,
    required: BTreeSet<String>,
    properties: BTreeMap<String, Value>,
    items: Option<Value>,
}

/// The schema `null` stands for in ours (`NullValue`), or in 3.1 (`type: null`).
fn is_null_schema(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema).unwrap_or(schema);
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().all(Value::is_null))
}

fn resolve<'a>(doc: &'a Value, schema: &Value) -> Option<&'a Value> {
    doc.pointer(schema.get("$ref")?.as_str()?.strip_prefix('#')?)
}

fn ref_name(schema: &Value) -> Option<String> {
    schema.get("$ref")?.as_str()?.rsplit('/').next().map(str::to_owned)
}

fn shape(doc: &Value, schema: &Value, depth: usize) -> Shape {
    let mut out = Shape::default();
    if depth > 24 {
        return out;
    }
    if let Some(target) = resolve(doc, schema) {
        let mut inner = shape(doc, target, depth + 1);
        inner.name = inner.name.or_else(|| ref_name(schema));
        return inner;
    }
    match schema.get("type") {
        Some(Value::String(t)) => {
            out.types.insert(t.clone());
        }
        Some(Value::Array(types)) => {
            for t in types.iter().filter_map(Value::as_str) {
                if t == "null" {
                    out.nullable = true;
                } else {
                    out.types.insert(t.to_owned());
                }
            }
        }
        _ => {}
    }
    out.nullable |= schema.get("nullable").and_then(Value::as_bool) == Some(true);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        out.nullable |= values.iter().any(Value::is_null);
        out.enumeration = Some(values.iter().filter(|v| !v.is_null()).map(text).collect());
    }
    out.minimum = schema.get("minimum").and_then(Value::as_f64);
    out.maximum = schema.get("maximum").and_then(Value::as_f64);
    out.max_length = schema.get("maxLength").and_then(Value::as_u64);
    out.default = schema.get("default").map(text);
    out.required = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    out.properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.clone().into_iter().collect())
        .unwrap_or_default();
    out.items = schema.get("items").cloned();
    for branch in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        let inner = shape(doc, branch, depth + 1);
        out = merge_all_of(out, inner);
    }
    for key in ["oneOf", "anyOf"] {
        let Some(branches) = schema.get(key).and_then(Value::as_array) else { continue };
        let (nulls, rest): (Vec<&Value>, Vec<&Value>) = branches.iter().partition(|b| is_null_schema(doc, b));
        out.nullable |= !nulls.is_empty();
        let union = rest.iter().map(|b| shape(doc, b, depth + 1)).reduce(union);
        if let Some(union) = union {
            out = merge_all_of(out, union);
        }
    }
    out
}

/// `allOf`: the branch's facts join the schema's own (a schema's own keywords win).
fn merge_all_of(mut own: Shape, branch: Shape) -> Shape {
    own.name = own.name.or(branch.name);
    if own.types.is_empty() {
        own.types = branch.types;
    }
    own.nullable |= branch.nullable;
    own.enumeration = own.enumeration.or(branch.enumeration);
    own.minimum = own.minimum.or(branch.minimum);
    own.maximum = own.maximum.or(branch.maximum);
    own.max_length = own.max_length.or(branch.max_length);
    own.default = own.default.or(branch.default);
    own.required.extend(branch.required);
    for (name, prop) in branch.properties {
        own.properties.entry(name).or_insert(prop);
    }
    own.items = own.items.or(branch.items);
    own
}

/// `oneOf`/`anyOf` of several schemas: every field of any branch, the widest range, a field
/// required only where every branch that has it requires it.
fn union(a: Shape, b: Shape) -> Shape {
    let widest = |x: Option<f64>, y: Option<f64>, pick: fn(f64, f64) -> f64| x.zip(y).map(|(x, y)| pick(x, y));
    let required = |s: &Shape, other: &Shape| -> BTreeSet<String> {
        s.required
            .iter()
            .filter(|f| other.required.contains(*f) || !other.properties.contains_key(*f))
            .cloned()
            .collect()
    };
    let mut required_both = required(&a, &b);
    required_both.extend(required(&b, &a));
    let enumeration = match (a.enumeration, b.enumeration) {
        (Some(mut x), Some(y)) => {
            x.extend(y);
            Some(x)
        }
        _ => None,
    };
    // A field in both branches is the union of its two schemas, read again later.
    let mut properties = a.properties;
    for (name, prop) in b.properties {
        properties
            .entry(name)
            .and_modify(|existing| *existing = json!({ "anyOf": [existing.clone(), prop.clone()] }))
            .or_insert(prop);
    }
    Shape {
        name: None,
        types: a.types.union(&b.types).cloned().collect(),
        nullable: a.nullable || b.nullable,
        enumeration,
        minimum: widest(a.minimum, b.minimum, f64::min),
        maximum: widest(a.maximum, b.maximum, f64::max),
        max_length: a.max_length.zip(b.max_length).map(|(x, y)| x.max(y)),
        default: a.default.filter(|d| Some(d) == b.default.as_ref()),
        required: required_both,
        properties,
        items: a.items.or(b.items),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or("none".into(), |v| v.to_string())
}

struct Walk<'a> {
    ours: &'a Value,
    upstream: &'a Value,
    out: Vec<Difference>,
    /// The pairs of named schemas (ours, upstream) already compared.
    seen: BTreeSet<(String, String)>,
}

impl Walk<'_> {
    fn push(&mut self, group: &str, location: &str, attribute: &str, kind: Kind, ours: &str, upstream: &str) {
        self.out.push(Difference {
            group: group.to_owned(),
            location: location.to_owned(),
            attribute: attribute.to_owned(),
            kind,
            ours: ours.to_owned(),
            upstream: upstream.to_owned(),
        });
    }

    fn parameters(&mut self, group: &str, ours: (&Value, &Value), upstream: (&Value, &Value)) {
        let list = |doc: &Value, (item, op): (&Value, &Value)| -> BTreeMap<String, Value> {
            let shared = item.get("parameters").and_then(Value::as_array).into_iter().flatten();
            let own = op.get("parameters").and_then(Value::as_array).into_iter().flatten();
            shared
                .chain(own)
                .map(|p| resolve(doc, p).unwrap_or(p).clone())
                .filter_map(|p| {
                    let name = format!("{}.{}", p.get("in")?.as_str()?, p.get("name")?.as_str()?);
                    // Path parameters match by position, not by name ({id} and {personaId} are one).
                    let name = if name.starts_with("path.") { "path.{}".to_owned() } else { name };
                    Some((name, p))
                })
                .collect()
        };
        let (mine, theirs) = (list(self.ours, ours), list(self.upstream, upstream));
        for name in mine.keys().chain(theirs.keys()).collect::<BTreeSet<_>>() {
            match (mine.get(name), theirs.get(name)) {
                (Some(_), None) => self.push(group, name, "parameter", Kind::OnlyInOurs, "", ""),
                (None, Some(_)) => self.push(group, name, "parameter", Kind::MissingInOurs, "", ""),
                (Some(a), Some(b)) => {
                    let required = |p: &Value| p.get("required").and_then(Value::as_bool) == Some(true);
                    if required(a) != required(b) {
                        self.push(
                            group,
                            name,
                            "required",
                            Kind::Differs,
                            &required(a).to_string(),
                            &required(b).to_string(),
                        );
                    }
                    let (x, y) = (shape(self.ours, &a["schema"], 0), shape(self.upstream, &b["schema"], 0));
                    self.attributes(group, name, &x, &y);
                }
                (None, None) => {}
            }
        }
    }

    fn statuses(&mut self, group: &str, ours: &Value, upstream: &Value) {
        let codes = |op: &Value| -> BTreeSet<String> {
            op.get("responses").and_then(Value::as_object).map(|r| r.keys().cloned().collect()).unwrap_or_default()
        };
        let (mine, theirs) = (codes(ours), codes(upstream));
        for code in mine.difference(&theirs) {
            self.push(group, &format!("status {code}"), "response", Kind::OnlyInOurs, "", "");
        }
        for code in theirs.difference(&mine) {
            self.push(group, &format!("status {code}"), "response", Kind::MissingInOurs, "", "");
        }
    }

    /// The attributes of one field or parameter that differ. Of two types that differ only the
    /// type is reported, and `false` returned: nothing else of them compares.
    fn attributes(&mut self, group: &str, at: &str, a: &Shape, b: &Shape) -> bool {
        let types = |s: &Shape| s.types.iter().cloned().collect::<Vec<_>>().join("|");
        if types(a) != types(b) && !a.types.is_empty() && !b.types.is_empty() {
            self.push(group, at, "type", Kind::Differs, &types(a), &types(b));
            return false;
        }
        if a.nullable != b.nullable {
            self.push(group, at, "nullable", Kind::Differs, &a.nullable.to_string(), &b.nullable.to_string());
        }
        if a.minimum != b.minimum {
            self.push(group, at, "minimum", Kind::Differs, &number(a.minimum), &number(b.minimum));
        }
        if a.maximum != b.maximum {
            self.push(group, at, "maximum", Kind::Differs, &number(a.maximum), &number(b.maximum));
        }
        if a.max_length != b.max_length {
            let show = |n: Option<u64>| n.map_or("none".into(), |n| n.to_string());
            self.push(group, at, "maxLength", Kind::Differs, &show(a.max_length), &show(b.max_length));
        }
        if a.default != b.default {
            let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".into());
            self.push(group, at, "default", Kind::Differs, &show(&a.default), &show(&b.default));
        }
        match (&a.enumeration, &b.enumeration) {
            (Some(x), Some(y)) => {
                for value in x.difference(y) {
                    self.push(group, at, &format!("enum value {value}"), Kind::OnlyInOurs, "", "");
                }
                for value in y.difference(x) {
                    self.push(group, at, &format!("enum value {value}"), Kind::MissingInOurs, "", "");
                }
            }
            (Some(_), None) => self.push(group, at, "enum", Kind::OnlyInOurs, "", ""),
            (None, Some(_)) => self.push(group, at, "enum", Kind::MissingInOurs, "", ""),
            (None, None) => {}
        }
        true
    }

    /// Compares two schemas at `at`, then their fields and items. A named schema of ours
    /// switches to its own group, once.
    fn schema(&mut self, group: &str, at: &str, ours: Option<&Value>, upstream: Option<&Value>, depth: usize) {
        let (Some(ours), Some(upstream)) = (ours, upstream) else {
            match (ours, upstream) {
                (Some(_), None) => self.push(group, at, "schema", Kind::OnlyInOurs, "", ""),
                (None, Some(_)) => self.push(group, at, "schema", Kind::MissingInOurs, "", ""),
                _ => {}
            }
            return;
        };
        if depth > 24 {
            return;
        }
        let (mut a, mut b) = (shape(self.ours, ours, 0), shape(self.upstream, upstream, 0));
        let (group, at) = match (&a.name, &b.name) {
            (Some(mine), Some(theirs)) => {
                // The field's own nullability belongs to the field, not to the schema it names.
                if a.nullable != b.nullable && !at.is_empty() {
                    self.push(group, at, "nullable", Kind::Differs, &a.nullable.to_string(), &b.nullable.to_string());
                }
                (a.nullable, b.nullable) = (false, false);
                if !self.seen.insert((mine.clone(), theirs.clone())) {
                    return;
                }
                let name = if mine == theirs {
                    format!("schema {mine}")
                } else {
                    format!("schema {mine} (upstream {theirs})")
                };
                (name, String::new())
            }
            _ => (group.to_owned(), at.to_owned()),
        };
        let here = |field: &str| if at.is_empty() { field.to_owned() } else { format!("{at}.{field}") };
        if !self.attributes(&group, if at.is_empty() { "(itself)" } else { &at }, &a, &b) {
            return;
        }
        let names: BTreeSet<&String> = a.properties.keys().chain(b.properties.keys()).collect();
        for name in names {
            let field = here(name);
            match (a.properties.get(name), b.properties.get(name)) {
                (Some(_), None) => self.push(&group, &field, "field", Kind::OnlyInOurs, "", ""),
                (None, Some(_)) => self.push(&group, &field, "field", Kind::MissingInOurs, "", ""),
                (Some(x), Some(y)) => {
                    let (ra, rb) = (a.required.contains(name), b.required.contains(name));
                    if ra != rb {
                        self.push(&group, &field, "required", Kind::Differs, &ra.to_string(), &rb.to_string());
                    }
                    self.schema(&group, &field, Some(x), Some(y), depth + 1);
                }
                (None, None) => {}
            }
        }
        if let (Some(x), Some(y)) = (&a.items, &b.items) {
            let items = if at.is_empty() { "[]".to_owned() } else { format!("{at}[]") };
            self.schema(&group, &items, Some(x), Some(y), depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(version: &str, paths: Value, schemas: Value) -> Value {
        json!({"openapi": version, "paths": paths, "components": {"schemas": schemas}})
    }

    fn get(schema: Value, parameters: Value) -> Value {
        json!({"/v1/things/{id}": {"get": {"parameters": parameters, "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": schema}}},
            "404": {"description": "none"}}}}})
    }

    fn lines(report: &Report) -> Vec<String> {
        report
            .differences
            .iter()
            .map(|d| format!("{} | {} | {} | {}", d.group, d.location, d.attribute, d.kind.as_str()))
            .collect()
    }

    #[test]
    fn the_same_facts_in_3_0_and_3_1_spelling_do_not_differ() {
        let ours = doc(
            "3.0.3",
            get(
                json!({"$ref": "#/components/schemas/Thing"}),
                json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]),
            ),
            json!({
                "NullValue": {"type": "string", "nullable": true, "enum": [null]},
                "Thing": {"type": "object", "properties": {
                    "a": {"type": "string", "nullable": true},
                    "b": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"$ref": "#/components/schemas/NullValue"}]},
                    "c": {"description": "d", "allOf": [{"$ref": "#/components/schemas/Inner"}]}}},
                "Inner": {"type": "object", "properties": {"x": {"type": "number", "minimum": 0, "maximum": 1}}}}),
        );
        let upstream = doc(
            "3.1.0",
            get(
                json!({"$ref": "#/components/schemas/ThingResponse"}),
                json!([{"name": "thingId", "in": "path", "required": true, "schema": {"type": "string"}}]),
            ),
            json!({
                "ThingResponse": {"type": "object", "properties": {
                    "a": {"type": ["string", "null"]},
                    "b": {"oneOf": [{"$ref": "#/components/schemas/In"}, {"type": "null"}]},
                    "c": {"$ref": "#/components/schemas/In"}}},
                "In": {"type": "object", "properties": {"x": {"type": "number", "minimum": 0, "maximum": 1}}}}),
        );
        assert_eq!(lines(&compare(&ours, &upstream)), Vec::<String>::new());
    }

    #[test]
    fn each_kind_of_difference_is_one_line_under_its_operation_or_schema() {
        let ours = doc(
            "3.0.3",
            get(
                json!({"$ref": "#/components/schemas/Thing"}),
                json!([
                {"name": "perPage", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                {"name": "mine", "in": "query", "schema": {"type": "string"}}]),
            ),
            json!({"Thing": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "mode": {"type": "string", "enum": ["a", "b"]},
                "ours": {"type": "string"},
                "speed": {"type": "number", "minimum": 0.5, "maximum": 2},
                "tags": {"type": "array", "items": {"type": "string", "maxLength": 10}}}}}),
        );
        let mut upstream = doc(
            "3.1.0",
            get(
                json!({"type": "object", "properties": {
                "id": {"type": "string"},
                "mode": {"type": "string", "enum": ["a", "c"]},
                "theirs": {"type": "integer"},
                "speed": {"oneOf": [
                    {"type": "object", "properties": {"v": {"type": "number", "minimum": 0.7, "maximum": 1.2}}},
                    {"type": "object", "properties": {"v": {"type": "number", "minimum": 0.5, "maximum": 1.5}}}]},
                "tags": {"type": "array", "items": {"type": "string"}}}}),
                json!([{"name": "perPage", "in": "query", "schema": {"type": "integer"}}]),
            ),
            json!({}),
        );
        upstream["paths"]["/v1/things/{id}"]["get"]["responses"]["401"] = json!({"description": "no"});
        upstream["paths"]["/v1/other"] = json!({"post": {"responses": {}}});
        let report = compare(&ours, &upstream);
        let expected = [
            "GET /v1/things/{id} | query.mine | parameter | only in ours",
            "GET /v1/things/{id} | query.perPage | maximum | differs",
            "GET /v1/things/{id} | query.perPage | minimum | differs",
            "GET /v1/things/{id} | response 200.id | required | differs",
            "GET /v1/things/{id} | response 200.mode | enum value b | only in ours",
            "GET /v1/things/{id} | response 200.mode | enum value c | missing in ours",
            "GET /v1/things/{id} | response 200.ours | field | only in ours",
            "GET /v1/things/{id} | response 200.speed | type | differs",
            "GET /v1/things/{id} | response 200.tags[] | maxLength | differs",
            "GET /v1/things/{id} | response 200.theirs | field | missing in ours",
            "GET /v1/things/{id} | status 401 | response | missing in ours",
        ];
        assert_eq!(lines(&report), expected);
        assert_eq!(report.uncovered, ["POST /v1/other"]);
        let perpage =
            report.differences.iter().find(|d| d.location == "query.perPage" && d.attribute == "maximum").unwrap();
        assert_eq!((perpage.ours.as_str(), perpage.upstream.as_str()), ("100", "none"));
    }

    #[test]
    fn schemas_named_on_both_sides_are_compared_once_under_their_own_group() {
        let thing = |max: u64| {
            json!({"type": "object", "properties": {
            "a": {"$ref": "#/components/schemas/Inner"}, "b": {"$ref": "#/components/schemas/Inner"}},
            "x-max": max})
        };
        let inner = |max: u64, nullable: bool| json!({"type": "object", "properties": {"n": {"type": "integer", "maximum": max}}, "nullable": nullable});
        let ours = doc(
            "3.0.3",
            get(json!({"$ref": "#/components/schemas/Thing"}), json!([])),
            json!({"Thing": thing(1), "Inner": inner(5, false)}),
        );
        let mut upstream = doc(
            "3.1.0",
            get(json!({"$ref": "#/components/schemas/ThingResponse"}), json!([])),
            json!({"ThingResponse": thing(1), "Inner": inner(6, false)}),
        );
        upstream["components"]["schemas"]["ThingResponse"]["properties"]["b"] =
            json!({"oneOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]});
        assert_eq!(
            lines(&compare(&ours, &upstream)),
            ["schema Inner | n | maximum | differs", "schema Thing (upstream ThingResponse) | b | nullable | differs",],
            "Inner reached twice, reported once; b's nullability on b"
        );
    }

    #[test]
    fn each_request_media_type_is_compared_multipart_too() {
        let post = |content: Value| {
            json!({"/v1/things": {"post": {"requestBody": {"content": content}, "responses": {}},
                "parameters": [{"name": "X-Token", "in": "header", "schema": {"type": "string"}}]}})
        };
        let upload =
            |file: Value| json!({"schema": {"type": "object", "required": ["file"], "properties": {"file": file}}});
        let ours = doc(
            "3.0.3",
            post(json!({
                "multipart/form-data": upload(json!({"type": "string", "format": "binary"})),
                "application/json": {"schema": {"type": "object", "properties": {"key": {"type": "string"}}}}})),
            json!({}),
        );
        let mut upstream = doc(
            "3.1.0",
            post(
                json!({"multipart/form-data": upload(json!({"type": "integer"})), "text/plain": {"schema": {"type": "string"}}}),
            ),
            json!({}),
        );
        upstream["paths"]["/v1/things"]["parameters"] = json!([]);
        assert_eq!(
            lines(&compare(&ours, &upstream)),
            [
                "POST /v1/things | header.X-Token | parameter | only in ours",
                "POST /v1/things | request | schema | only in ours",
                "POST /v1/things | request[multipart/form-data].file | type | differs",
                "POST /v1/things | request[text/plain] | schema | missing in ours",
            ]
        );
    }

    #[test]
    fn a_union_reads_as_its_widest_range_and_every_field() {
        let ours = doc(
            "3.0.3",
            get(
                json!({"type": "object", "properties": {"v": {"type": "number", "minimum": 0.5, "maximum": 2}, "w": {"type": "string"}}}),
                json!([]),
            ),
            json!({}),
        );
        let upstream = doc(
            "3.1.0",
            get(
                json!({"oneOf": [
            {"type": "object", "properties": {"v": {"type": "number", "minimum": 0.7, "maximum": 1.2}}},
            {"type": "object", "properties": {"v": {"type": "number", "minimum": 0.5, "maximum": 2}, "w": {"type": "string"}}}]}),
                json!([]),
            ),
            json!({}),
        );
        assert_eq!(lines(&compare(&ours, &upstream)), Vec::<String>::new());
    }

    #[test]
    fn accepted_patterns_match_with_wildcards() {
        assert!(glob(
            "GET /v1/llms: differs query.* minimum*",
            "GET /v1/llms: differs query.page minimum: ours 1, upstream none"
        ));
        assert!(glob(
            "schema *: differs * nullable: ours true, upstream false",
            "schema Avatar: differs id nullable: ours true, upstream false"
        ));
        assert!(!glob(
            "schema *: differs * nullable: ours true, upstream false",
            "schema Avatar: differs id nullable: ours false, upstream true"
        ));
        assert!(glob("*", "anything"));
        assert!(!glob("schema Avatar", "schema Avatar: differs id required"));
        let report = Report {
            differences: vec![Difference {
                group: "GET /v1/x".into(),
                location: "query.a".into(),
                attribute: "maximum".into(),
                kind: Kind::Differs,
                ours: "100".into(),
                upstream: "none".into(),
            }],
            uncovered: vec!["GET /v1/y".into()],
        };
        let text = render(&report, &[]);
        assert!(
            text.contains("GET /v1/x\n  differs query.a maximum: ours 100, upstream none  [NOT EXPLAINED]"),
            "{text}"
        );
        assert!(text.contains("1 upstream operation(s) not covered: GET /v1/y"), "{text}");
        let accepted =
            [Accepted { difference: "GET /v1/x: differs query.* maximum: *".into(), reason: "on purpose".into() }];
        assert!(render(&report, &accepted).contains("[accepted: on purpose]"));
    }
}
