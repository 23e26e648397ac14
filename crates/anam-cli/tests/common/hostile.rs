//! Hostile account files, made in a folder: what the README's file limits refuse. Shared by
//! `tests/hostile.rs` (exit code, one line, peak memory) and `benches/hostile_files.rs` (time
//! and peak memory per file).

use std::path::{Path, PathBuf};

/// One hostile file: a short name, its path, and what the error line must say.
pub struct Case {
    /// What the file is (`alias bomb`).
    pub name: &'static str,
    /// Where it is.
    pub path: PathBuf,
    /// A part of the one error line it must give.
    pub expected: &'static str,
}

/// Makes every hostile file in `dir`.
pub fn cases(dir: &Path) -> Vec<Case> {
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let mib = 1 << 20;
    let over = format!("personas:\n  - name: a\n    description: {}\n", "x".repeat(4 * mib));
    let one_mib = "x".repeat(mib);
    let bomb = format!(
        "personas:\n  - name: a\n    description: &s {one_mib}\n    tools: [{}]\n",
        vec!["*s"; 1000].join(", ")
    );
    let many = format!("personas:\n  - name: a\n    tools: [{}]\n", vec!["t"; 500_000].join(","));
    let fifo = dir.join("fifo.yaml");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let folder = dir.join("folder.yaml");
    std::fs::create_dir(&folder).unwrap();
    vec![
        Case { name: "over 4 MiB", path: file("over.yaml", over.as_bytes()), expected: "is larger than 4 MiB" },
        Case { name: "/dev/zero", path: PathBuf::from("/dev/zero"), expected: "is larger than 4 MiB" },
        Case { name: "FIFO, no writer", path: fifo, expected: "is empty" },
        Case { name: "a directory", path: folder, expected: "is a directory" },
        Case {
            name: "alias bomb (1 MiB x 1000)",
            path: file("bomb.yaml", bomb.as_bytes()),
            expected: "more than 4 times the file's size once aliases are expanded",
        },
        Case {
            name: "100,000 [",
            path: file("brackets.yaml", "[".repeat(100_000).as_bytes()),
            expected: "deeper than 16 levels",
        },
        Case {
            name: "100,000 {a:",
            path: file("braces.yaml", "{a: ".repeat(100_000).as_bytes()),
            expected: "deeper than 16 levels",
        },
        Case {
            name: "500,000 values",
            path: file("many.yaml", many.as_bytes()),
            expected: "holds more than 100000 values",
        },
        Case { name: "binary garbage", path: file("garbage.yaml", &garbage(mib)), expected: "is not UTF-8 text" },
        Case {
            name: "controls in text",
            path: file("controls.yaml", b"personas:\n  - name: a\x00\x1b[2J\x07\n"),
            expected: "unexpected character",
        },
    ]
}

/// `len` bytes of noise (a fixed xorshift sequence, so every run gets the same file).
fn garbage(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}
