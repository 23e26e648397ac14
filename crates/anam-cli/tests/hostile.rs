//! Hostile account files (the README's file limits): each ends with exit 1 and one clean line
//! of bounded length on stderr, before anything is sent, and no run of the binary takes more
//! than 64 MiB. This is a test binary of its own, so that the peak memory of its children
//! (`getrusage(RUSAGE_CHILDREN)`) is the peak of these runs only.

mod common;

use std::path::Path;
use std::process::Output;

use anam_mock::MockServer;
use assert_cmd::Command;
use nix::sys::resource::{UsageWho, getrusage};

/// The most memory one run of the binary may take, in bytes.
const PEAK_MEMORY_LIMIT: i64 = 64 << 20;

/// The largest resident size any child of this process reached, in bytes (Linux counts
/// `ru_maxrss` in KiB, macOS in bytes).
fn peak_child_memory() -> i64 {
    let kib = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss();
    if cfg!(target_os = "macos") { kib } else { kib * 1024 }
}

/// `anam plan -f <path>` against the fake.
fn plan(mock: &MockServer, path: &Path) -> Output {
    let mut command = Command::cargo_bin("anam").unwrap();
    command.env("ANAM_API_URL", mock.base_url()).env("ANAM_API_KEY", mock.api_key());
    command.args(["plan", "-f"]).arg(path).output().unwrap()
}

/// One test, so that the peak it checks covers every run: a file of exactly 4 MiB is read, and
/// each hostile file is refused on one line.
#[test]
fn hostile_files_end_with_one_line_exit_1_and_little_memory() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mock = runtime.block_on(MockServer::start());
    let dir = tempfile::tempdir().unwrap();

    let head = "personas:\n  - name: a\n    description: ";
    let text = format!("{head}{}\n", "x".repeat((4 << 20) - head.len() - 1));
    assert_eq!(text.len(), 4 << 20);
    let limit = dir.path().join("limit.yaml");
    std::fs::write(&limit, text).unwrap();
    let out = plan(&mock, &limit);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("+ create     persona a"), "a file of exactly the limit is read: {stdout}");
    let sent = mock.total_requests();

    for case in common::hostile::cases(dir.path()) {
        let out = plan(&mock, &case.path);
        let error = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {error}", case.name);
        assert_eq!(error.lines().count(), 1, "{}: one line: {error}", case.name);
        let line = error.trim_end_matches('\n');
        assert!(line.chars().count() <= 300, "{}: {} characters", case.name, line.chars().count());
        assert!(!line.chars().any(char::is_control), "{}: {line:?}", case.name);
        assert!(line.contains(case.expected), "{}: {line}", case.name);
        assert!(out.stdout.is_empty(), "{}", case.name);
    }
    assert_eq!(mock.total_requests(), sent, "a bad file is refused before anything is sent");
    let peak = peak_child_memory();
    assert!(peak <= PEAK_MEMORY_LIMIT, "a run took {} MiB", peak >> 20);
}
