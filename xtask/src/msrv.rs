//! `cargo xtask msrv`: the workspace's `rust-version` is the true minimum of the published
//! crates: none of their dependencies (normal or build, as resolved in `Cargo.lock`) asks for a
//! newer Rust. It reads `cargo metadata`; nothing is built.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The crates users depend on.
pub const PUBLISHED: [&str; 3] = ["anam-api", "anam", "anam-mock"];

/// Fails when a dependency of a published crate needs a newer Rust than the crate declares.
pub fn run(root: &Path) -> Result<(), String> {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let metadata: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let mut problems = Vec::new();
    for name in PUBLISHED {
        let (declared, (needed, by)) = check(&metadata, name)?;
        if needed > declared {
            problems.push(format!("{name} declares rust-version {}, but {by} needs {}", show(declared), show(needed)));
        } else {
            println!(
                "{name}: rust-version {} covers every dependency (the highest, {by}, needs {})",
                show(declared),
                show(needed)
            );
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

type Version = (u64, u64, u64);

/// A crate's declared `rust-version`, and the highest one among its dependencies, with who asks.
fn check(metadata: &Value, name: &str) -> Result<(Version, (Version, String)), String> {
    let packages = metadata["packages"].as_array().ok_or("cargo metadata has no packages")?;
    let package = |id: &str| packages.iter().find(|p| p["id"] == id);
    let root = packages
        .iter()
        .find(|p| p["name"] == name && p["source"].is_null())
        .ok_or_else(|| format!("no workspace crate {name}"))?;
    let declared =
        root["rust_version"].as_str().and_then(parse).ok_or_else(|| format!("{name} has no rust-version"))?;
    let nodes = metadata["resolve"]["nodes"].as_array().ok_or("cargo metadata has no resolve graph")?;
    let (mut seen, mut stack) = (BTreeSet::new(), vec![root["id"].as_str().unwrap_or_default().to_owned()]);
    let mut highest = ((0, 0, 0), "nothing".to_owned());
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        // Workspace crates share the workspace's rust-version; the registry's are what can raise it.
        if let Some(p) = package(&id).filter(|p| !p["source"].is_null())
            && let Some(version) = p["rust_version"].as_str().and_then(parse)
            && version > highest.0
        {
            highest =
                (version, format!("{} {}", p["name"].as_str().unwrap_or("?"), p["version"].as_str().unwrap_or("?")));
        }
        let node = nodes.iter().find(|n| n["id"] == id.as_str());
        for dep in node.and_then(|n| n["deps"].as_array()).into_iter().flatten() {
            let kinds = dep["dep_kinds"].as_array().into_iter().flatten();
            let used = kinds.into_iter().any(|k| k["kind"].as_str() != Some("dev"));
            if used && let Some(pkg) = dep["pkg"].as_str() {
                stack.push(pkg.to_owned());
            }
        }
    }
    Ok((declared, highest))
}

fn parse(text: &str) -> Option<Version> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next().unwrap_or(Some(0))?, parts.next().unwrap_or(Some(0))?))
}

fn show((major, minor, patch): Version) -> String {
    if patch == 0 { format!("{major}.{minor}") } else { format!("{major}.{minor}.{patch}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(ours: &str, theirs: &str) -> Value {
        json!({
            "packages": [
                {"id": "a", "name": "anam", "version": "0.1.0", "source": null, "rust_version": ours},
                {"id": "b", "name": "dep", "version": "1.0.0", "source": "registry", "rust_version": theirs},
                {"id": "c", "name": "devdep", "version": "1.0.0", "source": "registry", "rust_version": "1.99"}],
            "resolve": {"nodes": [
                {"id": "a", "deps": [{"pkg": "b", "dep_kinds": [{"kind": null}]}, {"pkg": "c", "dep_kinds": [{"kind": "dev"}]}]},
                {"id": "b", "deps": []}, {"id": "c", "deps": []}]}
        })
    }

    #[test]
    fn the_highest_dependency_counts_and_dev_dependencies_do_not() {
        let (declared, (needed, by)) = check(&metadata("1.88", "1.85.1"), "anam").unwrap();
        assert_eq!((declared, needed, by.as_str()), ((1, 88, 0), (1, 85, 1), "dep 1.0.0"));
        let (declared, (needed, _)) = check(&metadata("1.80", "1.88"), "anam").unwrap();
        assert!(needed > declared);
        assert_eq!(parse("1.88"), Some((1, 88, 0)));
        assert_eq!(parse("x"), None);
    }
}
