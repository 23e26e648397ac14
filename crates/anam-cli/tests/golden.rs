//! What the hand-finished commands print for people, against the fake's demo account seeded at
//! a fixed instant, compared with the files in `tests/golden/` (one per command; see
//! `common/golden.rs`: `UPDATE_GOLDEN=1 cargo test -p anam-cli --test golden` rewrites them).

use chrono::{DateTime, Utc};

#[path = "common/golden.rs"]
mod golden;
#[path = "common/mock.rs"]
#[allow(dead_code)] // each test binary uses a part of it
mod mock;
#[path = "common/output.rs"]
mod output;
use mock::Setup;
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
    let setup = Setup::new();
    let now: DateTime<Utc> = NOW.parse().unwrap();
    anam_mock::demo::seed_at(&setup.mock, now).unwrap();
    for (name, args) in CASES {
        let out = setup.anam(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let shown_args: Vec<String> =
            args.iter().map(|a| if a.contains(' ') { format!("'{a}'") } else { (*a).to_owned() }).collect();
        golden::check(&format!("{name}.txt"), &format!("$ anam {}\n{}", shown_args.join(" "), stdout(&out)));
    }
}
