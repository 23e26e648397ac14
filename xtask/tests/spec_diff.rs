//! `cargo xtask spec-diff` on small documents written for the test: it fails on a difference
//! nobody explained, passes once `openapi/upstream-differences.yaml` explains it, fails while an
//! upstream operation is not covered, and serves scripts with `--json`. No network: the upstream
//! document is a file.

use std::path::Path;
use std::process::{Command, Output};

const OURS: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/things:
    get:
      operationId: listThings
      parameters:
        - {name: perPage, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
components:
  schemas:
    Thing:
      type: object
      properties:
        mode: {type: string, enum: [a, b]}
"##;

const UPSTREAM: &str = r##"{
  "openapi": "3.1.0",
  "paths": {
    "/v1/things": {"get": {
      "parameters": [{"name": "perPage", "in": "query", "schema": {"type": "integer"}}],
      "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
    "/v1/other": {"delete": {"responses": {}}}
  },
  "components": {"schemas": {"Thing": {"type": "object", "properties": {"mode": {"type": ["string", "null"], "enum": ["a", "b", null]}}}}}
}"##;

/// The upstream document without the operation ours does not cover.
fn upstream_covered() -> String {
    let other = ",\n    \"/v1/other\": {\"delete\": {\"responses\": {}}}";
    assert!(UPSTREAM.contains(other));
    UPSTREAM.replace(other, "")
}

fn root_with(accepted: Option<&str>) -> tempfile::TempDir {
    root_with_upstream(accepted, UPSTREAM)
}

fn root_with_upstream(accepted: Option<&str>, upstream: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("openapi")).unwrap();
    std::fs::write(dir.path().join("openapi/anam.yaml"), OURS).unwrap();
    std::fs::write(dir.path().join("upstream.json"), upstream).unwrap();
    if let Some(accepted) = accepted {
        std::fs::write(dir.path().join("openapi/upstream-differences.yaml"), accepted).unwrap();
    }
    dir
}

fn spec_diff(root: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("spec-diff")
        .arg(root.join("upstream.json"))
        .args(extra)
        .arg("--root")
        .arg(root)
        .output()
        .expect("xtask runs")
}

#[test]
fn an_unexplained_difference_fails_and_an_explained_one_passes() {
    let root = root_with(None);
    let out = spec_diff(root.path(), &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("GET /v1/things\n  differs query.perPage maximum: ours 100, upstream none  [NOT EXPLAINED]"),
        "{text}"
    );
    assert!(
        text.contains("schema Thing\n  differs mode nullable: ours false, upstream true  [NOT EXPLAINED]"),
        "{text}"
    );
    assert!(text.contains("1 upstream operation(s) not covered: DELETE /v1/other"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 difference(s) not explained"), "{text}");

    let root = root_with_upstream(Some(ACCEPTED), &upstream_covered());
    let out = spec_diff(root.path(), &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("[accepted: strict when writing]")
            && text.contains("3 difference(s): 3 accepted, 0 not explained.")
            && text.contains("0 upstream operation(s) not covered"),
        "{text}"
    );
    assert!(
        text.contains("note: openapi/upstream-differences.yaml accepts \"schema Gone: *\", which no longer differs"),
        "{text}"
    );
}

#[test]
fn an_upstream_operation_not_covered_fails_even_with_every_difference_explained() {
    let root = root_with(Some(ACCEPTED));
    let out = spec_diff(root.path(), &[]);
    let (text, errors) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("3 difference(s): 3 accepted, 0 not explained."), "{text}");
    assert!(text.contains("1 upstream operation(s) not covered: DELETE /v1/other"), "{text}");
    assert!(errors.contains("1 upstream operation(s) not covered by openapi/anam.yaml"), "{errors}");
    assert!(!errors.contains("not explained"), "{errors}");
}

const ACCEPTED: &str = r#"
- difference: "GET /v1/things: differs query.perPage *"
  reason: "strict when writing"
- difference: "schema Thing: differs mode nullable: ours false, upstream true"
  reason: "tested"
- difference: "schema Gone: *"
  reason: "no longer differs"
"#;

#[test]
fn json_output_serves_scripts() {
    let root = root_with(None);
    let out = spec_diff(root.path(), &["--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["unexplained"], 3);
    assert_eq!(report["uncovered"], serde_json::json!(["DELETE /v1/other"]));
    let first = &report["differences"][0];
    assert_eq!((first["group"].as_str(), first["kind"].as_str()), (Some("GET /v1/things"), Some("differs")));
    assert!(first["accepted"].is_null());
}

#[test]
fn a_missing_document_is_an_error_naming_it() {
    let root = root_with(None);
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec-diff", "/nonexistent/upstream.json", "--root"])
        .arg(root.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/upstream.json: cannot read"));
}
