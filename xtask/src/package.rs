//! `cargo xtask package`: `cargo package` of the published crates, each packed and built alone as
//! crates.io would have it, in a target directory of its own that is cleared first.
//!
//! Cargo treats a registry crate of a given name and version as unchangeable, so when it verifies
//! `anam` against the freshly packed `anam-api 0.1.0`, it reuses an `anam-api 0.1.0` it compiled
//! in an earlier run, in the same target directory, even if the source has changed since. In a
//! fresh clone that cannot happen; in a working tree it fails for nothing, so the verification
//! always starts from an empty directory.

use std::path::Path;
use std::process::Command;

use crate::msrv::PUBLISHED;

/// Where the verification builds, below the workspace's `target/`.
const TARGET: &str = "target/package-verify";

/// Packs and verifies every published crate.
pub fn run(root: &Path) -> Result<(), String> {
    let target = root.join(TARGET);
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| format!("{}: cannot clear: {e}", target.display()))?;
    }
    let mut command = Command::new("cargo");
    command.args(["package", "--locked"]).env("CARGO_TARGET_DIR", &target).current_dir(root);
    for name in PUBLISHED {
        command.args(["-p", name]);
    }
    let status = command.status().map_err(|e| format!("cannot run cargo package: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo package exited with {status}")) }
}
