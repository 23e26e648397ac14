//! `cargo xtask codegen` on a temporary copy of the workspace: `--check` notices a changed spec,
//! and a bad spec is refused with its location while nothing is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GENERATED: &str = "crates/anam-api/src/generated.rs";
const FACTS: &str = "crates/anam-api/src/facts_generated.rs";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A temporary root holding the spec and the generated file, as in the workspace.
fn copy_of_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for file in ["openapi/anam.yaml", GENERATED, FACTS] {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo().join(file), &to).unwrap();
    }
    dir
}

fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("codegen")
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("xtask runs")
}

fn edit_spec(root: &Path, from: &str, to: &str) {
    let path = root.join("openapi/anam.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    assert!(spec.contains(from), "the spec no longer contains {from:?}");
    std::fs::write(&path, spec.replacen(from, to, 1)).unwrap();
}

#[test]
fn check_passes_on_an_unchanged_copy() {
    let dir = copy_of_workspace();
    let out = xtask(dir.path(), &["--check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn check_fails_when_a_description_changes() {
    let dir = copy_of_workspace();
    edit_spec(dir.path(), "description: Returns one persona in full.", "description: Returns one persona, whole.");
    let out = xtask(dir.path(), &["--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("does not match"), "{stderr}");
    assert!(stderr.contains("Returns one persona, whole."), "the summary shows the change: {stderr}");
    assert!(stderr.contains("cargo xtask codegen"), "the fix is named: {stderr}");
    // Regenerating brings the copy back in line.
    assert!(xtask(dir.path(), &[]).status.success());
    assert!(xtask(dir.path(), &["--check"]).status.success());
}

#[test]
fn a_bad_spec_is_refused_with_its_location_and_nothing_is_written() {
    let dir = copy_of_workspace();
    let generated = dir.path().join("crates/anam-api/src/generated.rs");
    let before = std::fs::read(&generated).unwrap();
    edit_spec(dir.path(), "      operationId: getPersona\n", "");
    edit_spec(dir.path(), "$ref: \"#/components/schemas/DeleteResult\"", "$ref: \"#/components/schemas/Gone\"");
    let out = xtask(dir.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("paths./v1/personas/{id}.get: operation has no operationId"), "{stderr}");
    assert!(stderr.contains("#/components/schemas/Gone\" does not resolve"), "{stderr}");
    assert_eq!(std::fs::read(&generated).unwrap(), before, "nothing was written");
}

#[test]
fn two_runs_give_the_same_bytes() {
    let dir = copy_of_workspace();
    let read = |file| std::fs::read(dir.path().join(file)).unwrap();
    assert!(xtask(dir.path(), &[]).status.success());
    let first = (read(GENERATED), read(FACTS));
    assert!(xtask(dir.path(), &[]).status.success());
    assert_eq!(first, (read(GENERATED), read(FACTS)));
}

#[test]
fn a_changed_range_in_the_spec_changes_the_facts() {
    let dir = copy_of_workspace();
    edit_spec(dir.path(), "minimum: 0.5\n          maximum: 10", "minimum: 0.25\n          maximum: 10");
    let out = xtask(dir.path(), &["--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("facts_generated.rs does not match"), "{stderr}");
    assert!(xtask(dir.path(), &[]).status.success());
    let facts = std::fs::read_to_string(dir.path().join(FACTS)).unwrap();
    assert!(facts.contains("silenceBeforeAutoEndTurnSeconds"), "{facts}");
    assert!(facts.contains("Some(0.25f64)"), "{facts}");
}
