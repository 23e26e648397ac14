//! The `anam` binary, run as a user would, against `anam-mock` in this process: every command,
//! plan/apply idempotence, the export round trip, prune, ambiguous names, bad files and a server
//! failure in the middle of an apply.
//!
//! Some output for people is compared with golden files in `tests/golden/`: run
//! `UPDATE_GOLDEN=1 cargo test -p anam-cli --test cli` to rewrite them from what the binary
//! prints now, and review the change before committing it.

use std::io::Write;
use std::process::{Output, Stdio};

use anam_mock::{Fault, Operation};
use assert_cmd::Command;

#[path = "common/golden.rs"]
mod golden;
#[path = "common/mock.rs"]
mod mock;
#[path = "common/output.rs"]
mod output;
use mock::Setup;
use output::{code, path, stderr, stdout};

/// A file of personas only (the README's example, `tests/account.rs`, holds every kind).
const EXAMPLE: &str = "\
personas:
  - name: Front desk
    description: Greets visitors at the door
    avatar: Cara
    avatarModel: cara-4
    voice: Cara
    llm: GPT-4o-mini              # an LLM's display name or id
    systemPrompt: You greet visitors and answer questions about opening hours.
    languageCode: en
    voiceDetection:
      endOfSpeechSensitivity: 0.6
      silenceBeforeSessionEndSeconds: 60
    voiceGeneration:
      engine: cartesia
      speed: 1.1
      emotion: calm
    tools: [open_calendar]
  - name: Night shift
    avatar: Liv
    voice: Lucy - Fresh & Casual
    llm: CUSTOMER_CLIENT_V1
    systemPrompt: You answer only urgent questions.
";

#[test]
fn help_lists_every_command() {
    let out = Setup::new().anam(&["--help"]);
    for command in ["plan", "apply", "export", "personas", "avatars", "voices", "llms", "tools", "session-token"] {
        assert!(stdout(&out).contains(&format!("\n  {command} ")), "{command} in {}", stdout(&out));
    }
    let out = Setup::new().anam(&["personas", "--help"]);
    for command in ["list", "get", "delete"] {
        assert!(stdout(&out).contains(&format!("\n  {command} ")), "{command} in {}", stdout(&out));
    }
    for hidden in ["plan", "apply", "export"] {
        assert!(!stdout(&out).contains(&format!("\n  {hidden} ")), "{hidden} is hidden: {}", stdout(&out));
    }
    let help = stdout(&Setup::new().anam(&["plan", "--help"]));
    let (own, global) = help.split_once("\nGlobal options:\n").expect("a heading of the global flags");
    assert!(own.contains("--file <FILE>") && own.contains("--prune") && !own.contains("--api-url"), "{help}");
    assert!(global.contains("--api-url <URL>") && global.contains("--allow-insecure-http"), "{help}");
    let usage = Setup::new().anam(&["personas", "plann"]);
    assert_eq!(code(&usage), 2, "a usage error exits 2, as clap does");
    let error = stderr(&usage);
    assert!(error.starts_with("error: unrecognized subcommand 'plann'\n"), "{error}");
    assert!(
        error.contains("\nUsage: anam personas [OPTIONS] <COMMAND>\n"),
        "clap's lines, as the README says: {error}"
    );
}

#[test]
fn the_account_commands_are_at_the_top_and_the_old_spellings_still_work_with_a_note() {
    let setup = Setup::new();
    let file = setup.file("personas.yaml", EXAMPLE);
    let note = |command: &str| {
        format!(
            "note: `anam personas {command}` is now `anam {command}`; the old spelling goes away in the next release\n"
        )
    };
    let old = setup.anam(&["personas", "plan", "-f", path(&file)]);
    assert_eq!((code(&old), stderr(&old)), (2, note("plan")));
    assert_eq!(stdout(&old), stdout(&setup.anam(&["plan", "-f", path(&file)])), "the same plan");
    let old = setup.anam(&["personas", "apply", "-f", path(&file), "--yes"]);
    assert_eq!((code(&old), stderr(&old)), (0, note("apply")));
    assert_eq!(setup.mock.persona_count(), 2);
    let old = setup.anam(&["personas", "export"]);
    assert_eq!((code(&old), stderr(&old)), (0, note("export")));
    assert_eq!(stdout(&old), stdout(&setup.anam(&["export"])), "the same export");
}

#[test]
fn plan_and_apply_read_anam_yaml_in_the_current_folder_by_default() {
    let setup = Setup::new();
    let help = stdout(&setup.anam(&["plan", "--help"]));
    assert!(help.contains("Default: anam.yaml in the current folder"), "{help}");
    let missing = setup.anam_in(setup.dir.path(), &["plan"]);
    assert_eq!(code(&missing), 1);
    assert_eq!(
        stderr(&missing),
        "error: anam.yaml: no such file in this folder; pass -f FILE, or start one with `anam export -o anam.yaml`\n"
    );
    setup.file("anam.yaml", EXAMPLE);
    let plan = setup.anam_in(setup.dir.path(), &["plan"]);
    assert_eq!(code(&plan), 2, "{}", stderr(&plan));
    assert!(stdout(&plan).contains("Plan: 2 to create"), "{}", stdout(&plan));
    let apply = setup.anam_in(setup.dir.path(), &["apply", "--yes"]);
    assert_eq!((code(&apply), setup.mock.persona_count()), (0, 2), "{}", stderr(&apply));
}

#[test]
fn a_personas_file_applies_cleanly_and_a_second_apply_changes_nothing() {
    let setup = Setup::new();
    let file = setup.file("personas.yaml", EXAMPLE);
    let plan = setup.anam(&["plan", "-f", path(&file)]);
    assert_eq!(code(&plan), 2, "something would change: {}", stdout(&plan));
    assert!(stdout(&plan).contains("Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged."), "{}", stdout(&plan));
    let apply = setup.anam(&["apply", "-f", path(&file), "--yes"]);
    assert_eq!(code(&apply), 0, "{}{}", stdout(&apply), stderr(&apply));
    assert_eq!(setup.mock.persona_count(), 2);
    let front = setup.mock.personas().into_iter().find(|p| p.name.as_deref() == Some("Front desk")).unwrap();
    assert_eq!(front.avatar.and_then(|a| a.display_name).as_deref(), Some("Cara"), "the name became the avatar's id");
    assert_eq!(front.tools.unwrap()[0].name.as_deref(), Some("open_calendar"));
    let again = setup.anam(&["apply", "-f", path(&file), "--yes"]);
    assert_eq!((code(&again), stdout(&again)), (0, "No changes: the account is what the file says.\n".to_owned()));
    let plan = setup.anam(&["plan", "-f", path(&file)]);
    assert_eq!(code(&plan), 0, "{}", stdout(&plan));
    assert_eq!(setup.mock.requests(Operation::CreatePersona), 2);
    assert_eq!(setup.mock.requests(Operation::UpdatePersona), 0);
}

#[test]
fn a_changed_file_is_planned_field_by_field_and_prune_deletes_the_rest() {
    let setup = Setup::new();
    let file = setup.file("personas.yaml", EXAMPLE);
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--yes"])), 0);
    let changed = EXAMPLE
        .replace("endOfSpeechSensitivity: 0.6", "endOfSpeechSensitivity: 0.7")
        .replace("llm: GPT-4o-mini ", "llm: GPT-4o      ");
    let front_only: String = changed.split("  - name: Night shift").next().unwrap().to_owned();
    let file = setup.file("changed.yaml", &front_only);
    let plan = setup.anam(&["plan", "-f", path(&file), "--prune"]);
    let text = stdout(&plan);
    assert_eq!(code(&plan), 2);
    assert!(text.contains("~ update     persona Front desk"), "{text}");
    assert!(text.contains("      voiceDetection.endOfSpeechSensitivity: 0.6 -> 0.7"), "{text}");
    assert!(
        text.contains(
            "      llm: \"7736a22f-2d79-4720-952c-25fdca55ad40\" -> \"a7cf662c-2ace-4de1-a21e-ef0fbf144bb7\""
        ),
        "{text}"
    );
    assert!(text.contains("- delete     persona Night shift"), "{text}");
    assert!(!stdout(&setup.anam(&["plan", "-f", path(&file)])).contains("- delete"), "no delete without --prune");
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--prune", "--yes"])), 0);
    assert_eq!(setup.mock.persona_count(), 1);
    let plan = setup.anam(&["plan", "-f", path(&file), "--prune"]);
    assert_eq!(code(&plan), 0, "{}", stdout(&plan));
    let detection = setup.mock.personas()[0].voice_detection_options.clone().unwrap();
    assert_eq!(detection.silence_before_session_end_seconds, Some(60.0), "the fields the file left alone stayed");
}

#[test]
fn export_replaces_nothing_without_force_and_writes_whole_files() {
    let setup = Setup::new();
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&setup.file("personas.yaml", EXAMPLE)), "--yes"])), 0);
    let folder = setup.dir.path().join("out");
    std::fs::create_dir(&folder).unwrap();
    let target = folder.join("anam.yaml");
    std::fs::write(&target, "# my own file\n").unwrap();
    let before = setup.mock.total_requests();
    let refused = setup.anam(&["export", "-o", path(&target)]);
    assert_eq!(code(&refused), 1);
    assert_eq!(
        stderr(&refused),
        format!("error: {} exists; pass --force to replace it (and the documents beside it)\n", target.display())
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# my own file\n", "left as it was");
    assert_eq!(setup.mock.total_requests(), before, "refused before reading the account");
    let forced = setup.anam(&["export", "-o", path(&target), "--force"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert!(std::fs::read_to_string(&target).unwrap().contains("- name: Front desk"));
    let entries: Vec<String> =
        std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(entries, ["anam.yaml"], "no temporary file left");
    assert_eq!(code(&setup.anam(&["plan", "-f", path(&target)])), 0, "what it wrote plans clean");
}

#[test]
fn an_export_plans_as_no_change() {
    let setup = Setup::new();
    let file = setup.file("personas.yaml", EXAMPLE);
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--yes"])), 0);
    let exported = setup.dir.path().join("exported.yaml");
    let out = setup.anam(&["export", "-o", path(&exported)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(
        text.contains("avatar: Cara") && text.contains("llm: CUSTOMER_CLIENT_V1"),
        "names where they resolve: {text}"
    );
    let plan = setup.anam(&["plan", "-f", path(&exported), "--prune"]);
    assert_eq!(code(&plan), 0, "{}", stdout(&plan));
    assert!(stdout(&plan).contains("0 to create, 0 to update, 0 to delete, 3 unchanged"), "{}", stdout(&plan));
    assert_eq!(stdout(&setup.anam(&["export"])), text, "stdout without -o");
}

#[test]
fn a_failure_in_the_middle_of_an_apply_says_what_was_done_and_a_rerun_finishes() {
    let setup = Setup::new();
    let first = EXAMPLE.split("  - name: Night shift").next().unwrap().to_owned();
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&setup.file("one.yaml", &first)), "--yes"])), 0);
    let file = setup.file("both.yaml", &EXAMPLE.replace("endOfSpeechSensitivity: 0.6", "endOfSpeechSensitivity: 0.8"));
    setup.mock.inject_for(Operation::CreatePersona, Fault::status(500), 1);
    let out = setup.anam(&["apply", "-f", path(&file), "--yes"]);
    assert_eq!(code(&out), 1);
    let front = setup.mock.personas()[0].id.to_string();
    assert!(
        stdout(&out).ends_with(&format!("\nupdated persona Front desk ({front})\n")),
        "a line per change done, as a successful apply prints it: {}",
        stdout(&out)
    );
    let lines: Vec<String> = stderr(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        lines[0],
        "error: apply stopped after 1 of 2 change(s) were done (each printed on standard output as it was): 1 failed, 0 \
         not attempted"
    );
    assert!(lines[1].starts_with("failed: create persona Night shift: 500 Internal Server Error"), "{lines:?}");
    assert!(lines[1].ends_with("; run apply again to finish"), "not cut off: {lines:?}");
    let out = setup.anam(&["apply", "-f", path(&file), "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("+ create     persona Night shift") && !stdout(&out).contains("~ update"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&setup.anam(&["plan", "-f", path(&file)])), 0);
    assert_eq!(setup.mock.persona_count(), 2);

    // However many changes were not attempted, each has its line, whole.
    let many: String = (1..=30).map(|i| format!("  - name: Persona number {i} of the thirty\n")).collect();
    let file = setup.file("many.yaml", &format!("personas:\n{many}"));
    setup.mock.inject_for(Operation::CreatePersona, Fault::status(500), 1);
    let out = setup.anam(&["apply", "-f", path(&file), "--yes", "--parallelism", "1"]);
    let lines: Vec<String> = stderr(&out).lines().map(str::to_owned).collect();
    assert_eq!((code(&out), lines.len()), (1, 31), "{lines:?}");
    assert!(lines[0].ends_with("1 failed, 29 not attempted"), "{lines:?}");
    let skipped: Vec<&String> =
        lines.iter().filter(|l| l.starts_with("not attempted: create persona Persona number ")).collect();
    assert_eq!(skipped.len(), 29, "{lines:?}");
    assert!(lines.iter().all(|l| l.chars().count() <= 300 && !l.ends_with('…')), "{lines:?}");
}

#[test]
fn a_name_shared_by_two_personas_is_an_error_listing_their_ids() {
    let setup = Setup::new();
    let twins: Vec<String> = (0..2)
        .map(|_| {
            setup
                .mock
                .insert(anam::types::PersonaCreate { name: Some("Twin".into()), ..Default::default() })
                .id
                .to_string()
        })
        .collect();
    for args in
        [vec!["personas", "get", "Twin"], vec!["personas", "delete", "Twin", "--yes"], vec!["session-token", "Twin"]]
    {
        let out = setup.anam(&args);
        assert_eq!(code(&out), 1, "{args:?}");
        assert!(
            stderr(&out).contains(&format!(
                "\"Twin\" matches 2 personas: {}, {}; give one of these ids instead of the name",
                twins[0], twins[1]
            )),
            "{}",
            stderr(&out)
        );
    }
    let plan = setup.anam(&["plan", "-f", path(&setup.file("twin.yaml", "personas:\n  - name: Twin\n"))]);
    let error = one_clean_error_line(&plan);
    let expected = format!(
        "personas[0].name: \"Twin\" matches 2 personas ({}, {}); a file finds a persona by its name: rename one \
         (anam personas update <ID> --name NEW) or delete one (anam personas delete <ID>)",
        twins[0], twins[1]
    );
    assert!(error.ends_with(&expected), "{error}");

    // Export says so too, with the same commands, and writes nothing: plan would refuse the file.
    let out_file = setup.dir.path().join("exported.yaml");
    for args in [vec!["export", "-o", path(&out_file)], vec!["export"]] {
        let out = setup.anam(&args);
        assert_eq!((code(&out), stdout(&out)), (1, String::new()), "{args:?}");
        let expected = format!(
            "error: the account cannot be exported as a file plan would read:\nerror: 2 personas are named \"Twin\" \
             ({}, {}), and a file finds a persona by its name: rename one (anam personas update <ID> --name NEW) or \
             delete one (anam personas delete <ID>), then export again\n",
            twins[0], twins[1]
        );
        assert_eq!(stderr(&out), expected, "{args:?}");
    }
    assert!(!out_file.exists(), "nothing written");
    let by_id = setup.anam(&["personas", "get", &twins[1]]);
    assert!(stdout(&by_id).contains(&twins[1]), "an id picks one");
    assert_eq!(setup.mock.persona_count(), 2, "nothing was deleted");
}

#[test]
fn bad_files_name_the_file_the_path_and_what_is_accepted() {
    let setup = Setup::new();
    let cases = [
        (
            "personas:\n  - name: a\n  - name: b\n    voiceDetection: {endOfSpeechSensitivity: 1.5}\n",
            "personas[1].voiceDetection.endOfSpeechSensitivity is 1.5, but must be between 0 and 1",
        ),
        ("personas:\n  - name: a\n    colour: red\n", ":3:5: personas[0].colour: unknown field `colour`"),
        ("personas:\n  - name: a\n    avatar: Nobody\n", "personas[0].avatar: no avatar has the id or name \"Nobody\""),
        (
            "personas:\n  - name: a\n    tools: [open_calendar, nothing]\n",
            "personas[0].tools[1]: no tool has the id or name \"nothing\"",
        ),
        ("personas:\n  - name: a\n  - name: a\n", "personas[1].name \"a\" is also the name of personas[0]"),
        (
            "personas:\n  - name: a\n    voiceGeneration: {engine: cartesia, stability: 0.5}\n",
            "personas[0].voiceGeneration.stability is set, but must be absent for Cartesia voices",
        ),
        ("persona: []\n", "unknown field `persona`"),
        (
            "personas:\n  - name: a\n    avatar: Liv\n    avatarModel: cara-4\n",
            "personas[0].avatarModel is \"cara-4\", but the avatar Liv (071b0286-4cce-4808-bee2-e642f1062de3) offers only cara-3",
        ),
        (
            "personas:\n  - name: a\n    voice: Cara\n    voiceGeneration: {engine: elevenlabs-v1}\n",
            "personas[0].voiceGeneration.engine is \"elevenlabs-v1\", but the voice Cara \
             (6bfbe25a-979d-40f3-a92b-5394170af54b) is a CARTESIA voice, which takes cartesia",
        ),
    ];
    for (text, expected) in cases {
        let file = setup.file("bad.yaml", text);
        let out = setup.anam(&["apply", "-f", path(&file), "--yes"]);
        assert_eq!(code(&out), 1, "{text}");
        let error = stderr(&out);
        assert!(
            error.starts_with(&format!("error: {}:", file.display())) && error.contains(expected),
            "{text}\n{error}"
        );
    }
    let out = setup.anam(&["plan", "-f", "/nonexistent.yaml"]);
    assert!(stderr(&out).contains("/nonexistent.yaml: cannot read"), "{}", stderr(&out));
    assert_eq!(setup.mock.requests(Operation::CreatePersona), 0, "nothing was sent for a bad file");
}

#[test]
fn every_problem_of_a_file_is_said_at_once_in_the_files_order_in_its_own_terms() {
    let setup = Setup::new();
    let text = "\
personas:
  - name: Front desk
    systemPrompt: You work for ${COMPANY}.
    voiceGeneration: {engine: cartesia, speed: fast}
    tools: crm_lookup
  - name: Night shift
    voiceDetection: {endOfSpeechSensitivity: 1.5}
    initialMessage: Hello from ${TEAM}
shareLinks:
  - persona: Front desk
    usageLimit: fifty
";
    let file = setup.file("account.yaml", text);
    let out = setup.anam(&["plan", "-f", path(&file)]);
    assert_eq!(code(&out), 1);
    let shown = file.display().to_string();
    let expected = [
        format!(
            "error: {shown}:3:5: personas[0].systemPrompt: ${{COMPANY}} is not set: set the environment variable COMPANY"
        ),
        format!("error: {shown}:4:41: personas[0].voiceGeneration.speed is \"fast\", but must be a number"),
        format!("error: {shown}:5:5: personas[0].tools is \"crm_lookup\", but must be a list (write [crm_lookup])"),
        format!(
            "error: {shown}:7:22: personas[1].voiceDetection.endOfSpeechSensitivity is 1.5, but must be between 0 and 1"
        ),
        format!(
            "error: {shown}:8:5: personas[1].initialMessage: ${{TEAM}} is not set: set the environment variable TEAM"
        ),
        format!("error: {shown}:11:5: shareLinks[0].usageLimit is \"fifty\", but must be a whole number"),
    ];
    assert_eq!(stderr(&out).lines().collect::<Vec<_>>(), expected, "{}", stderr(&out));
    assert_eq!(setup.mock.total_requests(), 0, "all of it before contacting the server");

    // What only the server can tell (names to resolve) is also said whole, after the file's checks.
    let names = "tools:\n  - {name: t, type: knowledge, description: d, knowledgeGroups: [Nowhere]}\npersonas:\n  - \
                 {name: a, avatar: Nobody}\n  - {name: b, tools: [nothing]}\nshareLinks:\n  - {persona: Nobody}\n";
    let out = setup.anam(&["plan", "-f", path(&setup.file("names.yaml", names))]);
    let lines: Vec<String> = stderr(&out).lines().map(str::to_owned).collect();
    let ends = [
        "tools[0].knowledgeGroups[0]: no knowledge group has the id or name \"Nowhere\"",
        "personas[0].avatar: no avatar has the id or name \"Nobody\"",
        "personas[1].tools[0]: no tool has the id or name \"nothing\"",
        "shareLinks[0].persona: no persona has the id or name \"Nobody\"",
    ];
    assert_eq!((code(&out), lines.len()), (1, ends.len()), "{lines:?}");
    assert!(lines.iter().zip(ends).all(|(line, end)| line.ends_with(end)), "{lines:?}");

    let many: String = (0..25).map(|i| format!("  - name: p{i}\n    skipGreeting: maybe\n")).collect();
    let out = setup.anam(&["plan", "-f", path(&setup.file("many.yaml", &format!("personas:\n{many}")))]);
    let lines: Vec<String> = stderr(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 21, "{lines:?}");
    assert!(lines[0].ends_with(":3:5: personas[0].skipGreeting is \"maybe\", but must be true or false"), "{lines:?}");
    assert!(lines[20].ends_with("many.yaml: 5 more problem(s) not shown; fix these first"), "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("error: ") && l.chars().count() <= 300), "{lines:?}");
}

#[test]
fn lists_get_session_token_and_delete() {
    let setup = Setup::new();
    let file = setup.file("personas.yaml", EXAMPLE);
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--yes"])), 0);
    let list = stdout(&setup.anam(&["personas", "list"]));
    assert!(list.starts_with("ID ") && list.contains("Front desk") && list.contains("Night shift"), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&setup.anam(&["personas", "list", "--search", "Night", "--json"]))).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(1));
    let tools = stdout(&setup.anam(&["tools", "list"]));
    let calendar = tools.lines().find(|l| l.contains("open_calendar")).unwrap_or_default();
    assert!(calendar.contains(" client ") && !tools.contains("CLIENT"), "the file's word for the type: {tools}");
    for (kind, expected) in
        [("avatars", "Liv"), ("voices", "Lucy"), ("llms", "GPT-4o-mini"), ("tools", "open_calendar")]
    {
        let table = stdout(&setup.anam(&[kind, "list"]));
        assert!(table.contains(expected), "{kind}: {table}");
        let json: serde_json::Value = serde_json::from_str(&stdout(&setup.anam(&[kind, "list", "--json"]))).unwrap();
        assert!(!json.as_array().unwrap().is_empty(), "{kind}");
    }
    let get = stdout(&setup.anam(&["personas", "get", "Front desk"]));
    assert!(get.contains("avatar        Cara (30fa96d0-26c4-4e55-94a0-517025942e18)"), "{get}");
    let full: serde_json::Value =
        serde_json::from_str(&stdout(&setup.anam(&["personas", "get", "Front desk", "--json"]))).unwrap();
    assert_eq!(full["brain"]["systemPrompt"], "You greet visitors and answer questions about opening hours.");

    let token = stdout(&setup.anam(&["session-token", "Night shift"]));
    let issued = setup.mock.issued_session_tokens();
    assert_eq!(token.trim_end(), issued[0].token.expose_secret(), "the one place a token is printed");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&setup.anam(&["session-token", "Night shift", "--json"]))).unwrap();
    assert_eq!(json["sessionToken"], setup.mock.issued_session_tokens()[1].token.expose_secret());

    let refused = setup.anam(&["personas", "delete", "Night shift"]);
    assert_eq!(code(&refused), 1, "no terminal, no --yes: nothing deleted");
    assert!(stderr(&refused).contains("pass --yes"), "{}", stderr(&refused));
    assert_eq!(setup.mock.persona_count(), 2);
    let deleted = setup.anam(&["personas", "delete", "Night shift", "--yes"]);
    assert_eq!((code(&deleted), setup.mock.persona_count()), (0, 1));
    let gone = setup.anam(&["personas", "get", "Night shift"]);
    assert_eq!((code(&gone), stderr(&gone)), (1, "error: no persona has the id or name \"Night shift\"\n".to_owned()));
}

#[test]
fn the_key_is_never_printed() {
    let setup = Setup::new();
    let mut command = Command::cargo_bin("anam").unwrap();
    let out = command
        .env("ANAM_API_URL", setup.mock.base_url())
        .env("ANAM_API_KEY", "sk-SECRET-KEY-1234")
        .args(["personas", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let all = stdout(&out) + &stderr(&out);
    assert!(all.contains("401") && !all.contains("SECRET"), "{all}");
    assert!(all.contains("[check ANAM_API_KEY; create a key in Anam Lab: https://lab.anam.ai]"), "{all}");
    assert!(!all.contains("ClientBuilder"), "the CLI's advice, not the SDK's: {all}");
    let out = setup.anam(&["--api-url", "http://127.0.0.1:1", "personas", "list"]);
    assert_eq!(code(&out), 1, "--api-url wins over ANAM_API_URL: {}", stderr(&out));
}

/// The stderr of a run that failed: exit 1 and one line of at most 300 characters holding no
/// control character (a terminal would act on one).
fn one_clean_error_line(out: &Output) -> String {
    let error = stderr(out);
    assert_eq!(code(out), 1, "{error}{}", stdout(out));
    assert_eq!(error.lines().count(), 1, "one line: {error}");
    let line = error.strip_suffix('\n').unwrap_or(&error);
    assert!(line.chars().count() <= 300, "{} characters: {line}", line.chars().count());
    assert!(!line.chars().any(char::is_control), "no control character: {line:?}");
    line.to_owned()
}

#[test]
fn every_message_is_one_clean_line_with_long_values_shortened() {
    let setup = Setup::new();
    let huge = "x".repeat(1 << 20);
    let file = setup.file("huge.yaml", &format!("personas:\n  - name: a\n    avatar: {huge}\n"));
    let error = one_clean_error_line(&setup.anam(&["plan", "-f", path(&file)]));
    let shortened = format!("no avatar has the id or name \"{}…\" (1048576 characters)", "x".repeat(60));
    assert!(error.contains(&shortened), "{error}");

    let file = setup.file("key.yaml", "personas:\n  - name: a\n    \"co\\elo\\rur\\a\": red\n");
    let error = one_clean_error_line(&setup.anam(&["plan", "-f", path(&file)]));
    assert!(error.contains("unknown field `co\\u{1b}lo\\rur\\u{7}`"), "ESC, CR and BEL escaped: {error}");

    let file = setup.file("bad\u{1b}[31m.yaml", "persona: []\n");
    let error = one_clean_error_line(&setup.anam(&["plan", "-f", path(&file)]));
    assert!(error.contains("/bad\\u{1b}[31m.yaml:1:1: "), "the file name is escaped: {error}");

    let first = setup.file("prompt.yaml", "personas:\n  - name: \"Evil\\e[2J\"\n    systemPrompt: short\n");
    let plan = setup.anam(&["plan", "-f", path(&first)]);
    assert!(stdout(&plan).contains("+ create     persona Evil\\u{1b}[2J\n"), "{}", stdout(&plan));
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&first), "--yes"])), 0);
    let longer = setup.file("longer.yaml", &format!("personas:\n  - name: \"Evil\\e[2J\"\n    systemPrompt: {huge}\n"));
    let plan = setup.anam(&["plan", "-f", path(&longer)]);
    let text = stdout(&plan);
    assert_eq!(code(&plan), 2, "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 300 && !l.chars().any(char::is_control)), "{text}");
    assert!(
        text.contains(&format!("systemPrompt: \"short\" -> \"{}…\" (1048576 characters)", "x".repeat(60))),
        "{text}"
    );
}

#[test]
fn configuration_errors_name_the_clis_variables_and_flags() {
    let setup = Setup::new();
    let bad = setup.file("bad.yaml", "persona: []\n");
    let no_key = "error: no API key: set ANAM_API_KEY (create a key in Anam Lab: https://lab.anam.ai)\n";
    for key in [None, Some(""), Some("   ")] {
        let mut command = Command::cargo_bin("anam").unwrap();
        command.env_remove("ANAM_API_KEY").env("ANAM_API_URL", setup.mock.base_url());
        if let Some(key) = key {
            command.env("ANAM_API_KEY", key);
        }
        let out = command.args(["personas", "list"]).output().unwrap();
        assert_eq!((code(&out), stderr(&out)), (1, no_key.to_owned()), "{key:?}");
    }
    let insecure = setup.anam(&["--api-url", "http://anam.invalid", "plan", "-f", path(&bad)]);
    let error = one_clean_error_line(&insecure);
    assert!(
        error.contains("\"http://anam.invalid\" uses plain http")
            && error.ends_with("use https, or pass --allow-insecure-http"),
        "{error}"
    );
    // With the flag the client is built, and the bad file fails before anything is sent.
    let allowed = setup.anam(&["--api-url", "http://anam.invalid", "--allow-insecure-http", "plan", "-f", path(&bad)]);
    assert!(one_clean_error_line(&allowed).contains("unknown field `persona`"), "{}", stderr(&allowed));
    let not_a_url = setup.anam(&["--api-url", "not a url", "personas", "list"]);
    let error = one_clean_error_line(&not_a_url);
    assert!(error.contains("--api-url") && !error.contains("ClientBuilder"), "{error}");
}

#[test]
fn a_refusal_during_apply_names_the_persona_and_field_to_change_not_a_rerun() {
    let setup = Setup::new();
    // An avatar listing only an internal model id: plan cannot tell cara-4 from it, the server
    // refuses it (400, detail path avatarModel).
    let ivy = serde_json::json!({"id": "5a1e0c2b-9d4f-4e8a-b7c6-2f3e4d5c6b7a", "displayName": "Ivy", "availableVersions": ["v-7f3a"]});
    setup.mock.insert_avatar(serde_json::from_value(ivy).unwrap());
    let text = "personas:\n  - name: Front desk\n  - name: Night shift\n    avatar: Ivy\n    avatarModel: cara-4\n";
    let file = setup.file("personas.yaml", text);
    let out = setup.anam(&["apply", "-f", path(&file), "--yes"]);
    let error = stderr(&out);
    assert_eq!((code(&out), error.lines().count()), (1, 2), "{error}");
    let expected = "\nfailed: create persona Night shift: the server refuses personas[1].avatarModel (400: the avatar \
         5a1e0c2b-9d4f-4e8a-b7c6-2f3e4d5c6b7a does not support cara-4 (it supports v-7f3a)); change it in \
         personas.yaml, then run plan\n";
    assert!(error.contains(expected), "{error}");
    assert!(stdout(&out).contains("\ncreated persona Front desk (") && !error.contains("run apply again"), "{error}");

    setup.mock.inject_for(Operation::UpdatePersona, Fault::status(403), 1);
    let changed = setup.file("changed.yaml", "personas:\n  - name: Front desk\n    description: new\n");
    let error = stderr(&setup.anam(&["apply", "-f", path(&changed), "--yes"]));
    assert!(
        error.contains("\nfailed: update persona Front desk: the server refuses personas[0] (403 Forbidden"),
        "{error}"
    );
    assert!(error.contains("change it in ") && !error.contains("run apply again"), "{error}");
}

#[test]
fn plan_checks_an_update_against_the_servers_avatar_and_voice() {
    let setup = Setup::new();
    let night = "personas:\n  - name: Night shift\n    avatar: Liv\n    avatarModel: cara-3\n    voice: Lucy - Fresh & Casual\n";
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&setup.file("night.yaml", night)), "--yes"])), 0);
    let model = setup.file("model.yaml", "personas:\n  - name: Night shift\n    avatarModel: cara-4\n");
    let error = one_clean_error_line(&setup.anam(&["plan", "-f", path(&model)]));
    assert!(error.ends_with("personas[0].avatarModel is \"cara-4\", but the avatar Liv (071b0286-4cce-4808-bee2-e642f1062de3) offers only cara-3"), "{error}");
    let engine = setup
        .file("engine.yaml", "personas:\n  - name: Night shift\n    voiceGeneration: {engine: cartesia, speed: 1.1}\n");
    let error = one_clean_error_line(&setup.anam(&["plan", "-f", path(&engine)]));
    assert!(
        error.contains("personas[0].voiceGeneration.engine is \"cartesia\", but the voice Lucy - Fresh & Casual"),
        "{error}"
    );
    assert!(error.ends_with("is a ELEVENLABS voice, which takes elevenlabs-v1 or elevenlabs-v2"), "{error}");
    let fine = setup.file(
        "fine.yaml",
        "personas:\n  - name: Night shift\n    avatarModel: cara-3\n    voiceGeneration: {engine: elevenlabs-v2, speed: 1.1}\n",
    );
    assert_eq!(code(&setup.anam(&["plan", "-f", path(&fine)])), 2, "what fits is planned");
    assert_eq!(setup.mock.requests(Operation::UpdatePersona), 0);
}

#[test]
fn a_setting_the_catalogue_rules_out_is_an_error_even_when_it_matches_the_server() {
    let setup = Setup::new();
    let front =
        "personas:\n  - name: Front desk\n    voice: Cara\n    voiceGeneration: {engine: cartesia, speed: 1.1}\n";
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&setup.file("front.yaml", front)), "--yes"])), 0);
    // The engine is not a field of the server's persona: nothing differs, but Cara is a CARTESIA voice.
    let wrong = setup.file("wrong.yaml", &front.replace("engine: cartesia", "engine: elevenlabs-v2"));
    let error = one_clean_error_line(&setup.anam(&["plan", "-f", path(&wrong)]));
    assert!(
        error.ends_with(
            "personas[0].voiceGeneration.engine is \"elevenlabs-v2\", but the voice Cara \
             (6bfbe25a-979d-40f3-a92b-5394170af54b) is a CARTESIA voice, which takes cartesia"
        ),
        "{error}"
    );
    let without_voice =
        setup.file("no-voice.yaml", &front.replace("    voice: Cara\n", "").replace("cartesia", "fish-audio"));
    let error = one_clean_error_line(&setup.anam(&["plan", "-f", path(&without_voice)]));
    assert!(
        error.contains("personas[0].voiceGeneration.engine is \"fish-audio\", but the voice Cara"),
        "the server's voice: {error}"
    );
    let right = setup.anam(&["plan", "-f", path(&setup.file("front.yaml", front))]);
    assert_eq!((code(&right), stderr(&right)), (0, String::new()), "{}", stdout(&right));
}

/// A 215-character prompt, on one line.
const NIGHT_PROMPT: &str = "You are the night shift receptionist. You answer only urgent questions: a burst pipe, a \
                            lost key, a guest taken ill. For anything else, take a message. If someone is hurt, tell \
                            them to call 112 and stay on the line.";

/// A prompt of several lines, as the lines of a YAML block.
const FRONT_PROMPT: &str = concat!(
    "      You greet visitors at the door of the clinic.\n",
    "      Opening hours: Monday to Friday, 9:00 to 17:00.\n",
    "      Parking is behind the building.\n",
    "      Never give medical advice.\n",
    "      Be brief and friendly.\n",
);

#[test]
fn a_changed_long_text_shows_what_changed_in_it_and_json_keeps_the_whole_values() {
    let setup = Setup::new();
    let file = |night: &str, front: &str| {
        format!(
            "personas:\n  - name: Night shift\n    systemPrompt: '{night}'\n  - name: Front desk\n    systemPrompt: |\n{front}"
        )
    };
    let first = setup.file("first.yaml", &file(NIGHT_PROMPT, FRONT_PROMPT));
    let applied = setup.anam(&["apply", "-f", path(&first), "--yes"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    let front = FRONT_PROMPT
        .replace("9:00 to 17:00", "8:00 to 18:00")
        .replace("      Never give medical advice.\n", "")
        .replace("friendly.\n", "friendly.\n      Say goodbye.\n");
    let changed = setup.file("changed.yaml", &file(&NIGHT_PROMPT.replace("112", "999"), &front));
    let plan = setup.anam(&["plan", "-f", path(&changed)]);
    assert_eq!(code(&plan), 2, "{}", stderr(&plan));
    let mut text = stdout(&plan);
    for persona in setup.mock.personas() {
        text = text.replace(persona.id.as_str(), "<id>");
    }
    golden::check("long_text_plan.txt", &text);

    let json = setup.anam(&["plan", "-f", path(&changed), "--json"]);
    let document: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let night = &document["actions"][0]["changes"][0];
    assert_eq!(
        (&night["field"], &night["old"]),
        (&serde_json::json!("systemPrompt"), &serde_json::json!(NIGHT_PROMPT))
    );
    assert_eq!(night["new"], NIGHT_PROMPT.replace("112", "999"), "the whole values");
}

/// Runs the binary with a terminal (a pty) as its stdin, on which `answer` is already typed.
fn anam_answering(setup: &Setup, answer: &str, args: &[&str]) -> Output {
    let pty = nix::pty::openpty(None, None).unwrap();
    std::fs::File::from(pty.master.try_clone().unwrap()).write_all(answer.as_bytes()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anam"))
        .env("ANAM_API_URL", setup.mock.base_url())
        .env("ANAM_API_KEY", setup.mock.api_key())
        .args(args)
        .stdin(Stdio::from(pty.slave))
        .output()
        .unwrap();
    drop(pty.master);
    out
}

#[test]
fn declining_the_prompt_changes_nothing_and_is_not_an_error() {
    let setup = Setup::new();
    let file = setup.file("personas.yaml", EXAMPLE);
    let declined = anam_answering(&setup, "n\n", &["apply", "-f", path(&file)]);
    assert_eq!(code(&declined), 0, "{}", stderr(&declined));
    assert!(
        stdout(&declined).ends_with("Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged.\nnothing changed\n")
    );
    assert!(stderr(&declined).contains("Apply 2 change(s)? [y/N]"), "{}", stderr(&declined));
    assert_eq!(setup.mock.persona_count(), 0);
    let accepted = anam_answering(&setup, "y\n", &["apply", "-f", path(&file)]);
    assert_eq!((code(&accepted), setup.mock.persona_count()), (0, 2), "{}", stderr(&accepted));

    let declined = anam_answering(&setup, "\n", &["personas", "delete", "Night shift"]);
    assert_eq!((code(&declined), stdout(&declined)), (0, "nothing changed\n".to_owned()), "{}", stderr(&declined));
    assert_eq!(setup.mock.persona_count(), 2);
    let no_terminal = setup.anam(&["apply", "-f", path(&setup.file("one.yaml", "personas:\n  - name: New\n"))]);
    assert!(one_clean_error_line(&no_terminal).ends_with("Not asked without a terminal: pass --yes"));
    let deleted = anam_answering(&setup, "yes\n", &["personas", "delete", "Night shift"]);
    assert_eq!((code(&deleted), setup.mock.persona_count()), (0, 1), "{}", stderr(&deleted));
}

#[test]
fn a_refused_connection_names_the_url_and_the_cause() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let setup = Setup::new();
    let out = setup.anam(&["--api-url", &url, "personas", "list"]);
    let error = one_clean_error_line(&out);
    assert!(
        error.contains(&format!("cannot reach {url}/v1/personas")) && error.contains("connection refused"),
        "{error}"
    );
}

#[test]
fn an_https_url_to_a_plain_http_server_says_so() {
    let setup = Setup::new();
    let url = setup.mock.base_url().replacen("http://", "https://", 1);
    let error = one_clean_error_line(&setup.anam(&["--api-url", &url, "personas", "list"]));
    assert!(
        error.contains(&format!(
            "cannot reach {url}/v1/personas: the server answered without TLS, so it speaks plain http: write its URL \
             with http:// (--api-url or ANAM_API_URL)"
        )),
        "{error}"
    );
    assert!(!error.to_lowercase().contains("invalidcontenttype"), "{error}");
}

#[test]
fn a_session_token_answer_that_breaks_on_the_way_never_reaches_a_stream() {
    let setup = Setup::new();
    let created = setup.anam(&["apply", "-f", path(&setup.file("one.yaml", "personas:\n  - name: Solo\n")), "--yes"]);
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    setup.mock.inject_for(Operation::CreateSessionToken, Fault::TruncatedBody, 1);
    let out = setup.anam(&["session-token", "Solo"]);
    assert_eq!(code(&out), 1);
    let error = one_clean_error_line(&out);
    assert!(error.contains("holds a secret, so none of it is shown"), "{error}");
    let issued = setup.mock.issued_session_tokens();
    let token = issued.last().expect("the fake issued one").token.expose_secret().to_owned();
    let (header, payload) = token.split_once('.').unwrap();
    for shown in [stdout(&out), stderr(&out)] {
        assert!(!shown.contains(header) && !shown.contains(&payload[..8]), "{shown}");
    }
}
