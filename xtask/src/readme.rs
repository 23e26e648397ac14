//! `cargo xtask readme`: every Rust block of `README.md` builds as a user copies it.
//!
//! Rustdoc tests cannot see what GitHub shows: a doctest may hide lines (`# drop(x);`) that a
//! reader copies, and it compiles with the workspace's dependencies, not the README's. So this
//! command writes a fresh crate outside the workspace whose dependencies are the README's own
//! list (its first `toml` block with a `[dependencies]` table, with the project's crates by path
//! instead of git), puts each Rust block in it as a test target (a block of statements inside a
//! function), and compiles it. A block with a hidden rustdoc line is refused outright. Blocks
//! marked `ignore` are left out.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// The README that is checked, relative to the workspace root.
const README: &str = "README.md";
/// The crates of this repository a README may depend on, with their paths.
const OWN_CRATES: [(&str, &str); 3] =
    [("anam", "crates/anam"), ("anam-mock", "crates/anam-mock"), ("anam-api", "crates/anam-api")];

/// One fenced block: its info string, its first line's number (from 1) and its text.
#[derive(Debug, PartialEq)]
pub struct Block {
    pub info: String,
    pub line: usize,
    pub code: String,
}

/// The fenced blocks of a Markdown text.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (open.take(), fence) {
            (None, Some(info)) => {
                open = Some(Block { info: info.trim().to_string(), line: index + 2, code: String::new() })
            }
            (Some(block), Some(_)) => found.push(block),
            (Some(mut block), None) => {
                block.code.push_str(line);
                block.code.push('\n');
                open = Some(block);
            }
            (None, None) => {}
        }
    }
    found
}

/// Whether a block is Rust that must build (`rust`, `rust,no_run`; not `ignore` or `compile_fail`).
fn builds(block: &Block) -> bool {
    let mut parts = block.info.split(',').map(str::trim);
    parts.next() == Some("rust") && !parts.any(|p| p == "ignore" || p == "compile_fail")
}

/// The lines of a block that rustdoc would hide (`# x` or `#` alone), as README line numbers.
pub fn hidden_lines(block: &Block) -> Vec<usize> {
    let hidden = |line: &str| {
        let line = line.trim_start();
        line == "#" || line.starts_with("# ")
    };
    block.code.lines().enumerate().filter(|(_, l)| hidden(l)).map(|(i, _)| block.line + i).collect()
}

/// The README's dependency list with this repository's crates by path under `root`.
pub fn dependencies(markdown: &str, root: &Path) -> Result<String, String> {
    let list = blocks(markdown)
        .into_iter()
        .find(|b| b.info == "toml" && b.code.contains("[dependencies]"))
        .ok_or_else(|| format!("{README}: no toml block with a [dependencies] table"))?;
    let mut out = String::new();
    for line in list.code.lines() {
        let name = line.split('=').next().unwrap_or_default().trim();
        let own = OWN_CRATES.iter().find(|(crate_name, _)| *crate_name == name);
        match own {
            Some((name, path)) if line.contains("git =") => {
                let path = root.join(path);
                let _ = writeln!(out, "{name} = {{ path = {:?} }}", path.display().to_string());
            }
            _ => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    Ok(out)
}

/// A block as a test file: as it is when it is a whole file (items), else inside a function.
fn as_test_file(block: &Block) -> String {
    let head = format!("// README.md, the block at line {}.\n#![allow(unused, dead_code)]\n", block.line);
    if syn::parse_file(&block.code).is_ok() {
        format!("{head}{}", block.code)
    } else {
        format!("{head}fn readme_block() {{\n{}}}\n", block.code)
    }
}

/// Builds every Rust block of the README in a fresh crate; fails naming the blocks that do not.
pub fn run(root: &Path) -> Result<(), String> {
    let markdown = std::fs::read_to_string(root.join(README)).map_err(|e| format!("{README}: {e}"))?;
    let rust: Vec<Block> = blocks(&markdown).into_iter().filter(builds).collect();
    let hidden: Vec<String> = rust.iter().flat_map(hidden_lines).map(|line| format!("{README}:{line}")).collect();
    if !hidden.is_empty() {
        return Err(format!(
            "README code has rustdoc hidden lines, which GitHub shows and a reader copies: {}",
            hidden.join(", ")
        ));
    }
    let dir = std::env::temp_dir().join(format!("anam-readme-blocks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"readme-blocks\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         # Its own workspace: it is outside the project's, as a user's crate is.\n[workspace]\n\n[lib]\npath = \"lib.rs\"\n\n{}",
        dependencies(&markdown, root)?
    );
    let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).map_err(|e| format!("{file}: {e}"));
    write("Cargo.toml", &manifest)?;
    write("lib.rs", "")?;
    // The project's lock file pins the versions the project is tested with.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    for block in &rust {
        write(&format!("tests/readme_line_{}.rs", block.line), &as_test_file(block))?;
    }
    println!("building {} README block(s) in {} with the README's dependencies", rust.len(), dir.display());
    let status = Command::new("cargo")
        .args(["test", "--no-run", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        // The workspace's own target directory: the dependencies the tests built are reused.
        .env("CARGO_TARGET_DIR", root.join("target"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    if status.success() {
        println!("every README block builds");
        Ok(())
    } else {
        Err("a README block does not build as copied (its file is tests/readme_line_<N>.rs, N its README line)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKDOWN: &str = "# t\n\n```toml\n[dependencies]\nanam = { git = \"https://x\" }\ntokio = \"1\"\n```\n\n\
        ```rust,no_run\nuse std::fmt;\n# fn hidden() {}\n```\n\n```rust,ignore\nnot rust\n```\n\n```text\nx\n```\n";

    #[test]
    fn blocks_are_found_with_their_lines_and_hidden_lines_are_named() {
        let found = blocks(MARKDOWN);
        assert_eq!(
            found.iter().map(|b| (b.info.as_str(), b.line)).collect::<Vec<_>>(),
            [("toml", 4), ("rust,no_run", 10), ("rust,ignore", 15), ("text", 19)]
        );
        let rust: Vec<&Block> = found.iter().filter(|b| builds(b)).collect();
        assert_eq!(rust.len(), 1);
        assert_eq!(hidden_lines(rust[0]), [11]);
    }

    #[test]
    fn the_dependency_list_points_at_this_repository() {
        let deps = dependencies(MARKDOWN, Path::new("/repo")).unwrap();
        assert_eq!(deps, "[dependencies]\nanam = { path = \"/repo/crates/anam\" }\ntokio = \"1\"\n");
    }

    #[test]
    fn statements_are_wrapped_in_a_function_and_items_kept() {
        let items = Block { info: "rust".into(), line: 3, code: "fn a() {}\n".into() };
        assert!(as_test_file(&items).ends_with("fn a() {}\n"));
        let statements = Block { info: "rust".into(), line: 3, code: "let x = 1;\n".into() };
        assert!(as_test_file(&statements).contains("fn readme_block() {\nlet x = 1;\n}"));
    }
}
