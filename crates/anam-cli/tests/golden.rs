//! What the hand-finished commands print for people, against the fake's demo account seeded at
//! a fixed instant, compared with the files in `tests/golden/` (one per command). To accept a
//! change of the output, run `UPDATE_GOLDEN=1 cargo test -p anam-cli --test golden` and review
//! the diff of the files.

use std::path::PathBuf;

use anam_mock::MockServer;
use assert_cmd::Command;
use chrono::{DateTime, Utc};

#[path = "common/output.rs"]
mod output;
use output::{code, stderr, stdout};

/// The instant the demo account is seeded at: every time it holds is relative to it.
const NOW: &str = "2026-12-01T12:00:00Z";

/// The demo's sessions, by their fixed ids (see `anam_mock::demo`).
const ENDED_SESSION: &str = "de300005-0000-4000-8000-000000000005";

/// Each golden file and the command whose output it holds.
const CASES: &[(&str, &[&str])] = &[
    ("personas-list", &["personas", "list"]),
    ("personas-get", &["personas", "get", "front desk"]),
    ("avatars-list", &["avatars", "list"]),
    ("voices-list", &["voices", "list"]),
    ("llms-list", &["llms", "list"]),
    ("tools-list", &["tools", "list"]),
    ("sessions-list", &["sessions", "list"]),
    (
        "sessions-list-filtered",
        &["sessions", "list", "--since", "2026-11-27", "--until", "2026-11-30T23:59:59Z", "--persona", "Front desk"],
    ),
    ("sessions-get", &["sessions", "get", ENDED_SESSION]),
    ("sessions-transcript", &["sessions", "transcript", ENDED_SESSION]),
    ("sessions-analytics", &["sessions", "analytics", ENDED_SESSION]),
    (
        "sessions-analytics-period",
        &["sessions", "analytics", "--since", "2026-11-24", "--until", "2026-12-01T12:00:00Z"],
    ),
    ("sessions-concurrency", &["sessions", "concurrency"]),
    ("knowledge-list", &["knowledge", "list"]),
    ("knowledge-documents-list", &["knowledge", "documents", "list", "Handbook"]),
    ("knowledge-search", &["knowledge", "search", "handbook", "opening hours on sunday"]),
    ("share-links-list", &["share-links", "list"]),
    ("meeting-invites-list", &["meeting-invites", "list"]),
];

#[test]
fn hand_finished_commands_print_what_the_golden_files_hold() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mock = runtime.block_on(MockServer::start());
    let now: DateTime<Utc> = NOW.parse().unwrap();
    anam_mock::demo::seed_at(&mock, now).unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    for (name, args) in CASES {
        let out = Command::cargo_bin("anam")
            .unwrap()
            .env("ANAM_API_URL", mock.base_url())
            .env("ANAM_API_KEY", mock.api_key())
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let file = dir.join(format!("{name}.txt"));
        let shown_args: Vec<String> =
            args.iter().map(|a| if a.contains(' ') { format!("'{a}'") } else { (*a).to_owned() }).collect();
        let shown = format!("$ anam {}\n{}", shown_args.join(" "), stdout(&out));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &shown).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&file).unwrap_or_default();
        if expected != shown {
            differ.push(format!("{}:\n--- expected\n{expected}\n--- printed\n{shown}", file.display()));
        }
    }
    assert!(differ.is_empty(), "output differs (UPDATE_GOLDEN=1 to accept):\n{}", differ.join("\n"));
}
