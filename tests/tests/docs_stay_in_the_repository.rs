//! The project's documentation (the README and other Markdown files, crate and item docs) names
//! no path outside the repository: a reader of a clone has nothing else.

use std::path::{Component, Path, PathBuf};

/// The repository's root (this crate is `tests/` in it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every Markdown and Rust file of the repository's sources (not `target/`, not hidden folders).
fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            files(&path, found);
        } else if name.ends_with(".md") || name.ends_with(".rs") {
            found.push(path);
        }
    }
}

/// The documentation text of a file: a Markdown file whole, a Rust file's doc comments.
fn documentation(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let markdown = path.extension().is_some_and(|e| e == "md");
    text.lines()
        .enumerate()
        .filter(|(_, line)| markdown || ["//!", "///"].iter().any(|doc| line.trim_start().starts_with(doc)))
        .map(|(i, line)| (i + 1, line.to_owned()))
        .collect()
}

/// `relative` joined to `base` with `..` and `.` resolved by text (the path need not exist).
fn resolve(base: &Path, relative: &str) -> PathBuf {
    let mut resolved = base.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(part) => resolved.push(part),
            _ => {}
        }
    }
    resolved
}

#[test]
fn no_documentation_names_a_path_outside_the_repository() {
    let root = root();
    let mut found = Vec::new();
    files(&root, &mut found);
    let mut outside = Vec::new();
    for file in found {
        let base = file.parent().unwrap();
        for (line, text) in documentation(&file) {
            for (start, _) in text.match_indices("../") {
                if text[..start].ends_with('.') {
                    continue; // the second `../` of `../../`, seen with the first
                }
                let path: String =
                    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || "._-/".contains(*c)).collect();
                // A README's paths read from the repository's root as well as from its folder.
                let inside = [base, root.as_path()].iter().any(|from| resolve(from, &path).starts_with(&root));
                if !inside {
                    outside.push(format!("{}:{line}: {path}", file.strip_prefix(&root).unwrap().display()));
                }
            }
        }
    }
    assert!(outside.is_empty(), "paths outside the repository:\n{}", outside.join("\n"));
}
