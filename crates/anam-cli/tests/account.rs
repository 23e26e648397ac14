//! A whole account in one file, run as a user would against `anam-mock`: the README's example
//! (knowledge groups with documents, tools, personas, a share link) applies, exports and plans
//! clean, and a second apply finds nothing to do; secrets and variables; `--prune` per kind and
//! the order of deletes; documents compared by content; `--json`; the requests in flight never
//! over `--parallelism`; completions and `--version`.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use anam_mock::{MockServer, Operation};
use assert_cmd::Command;

#[path = "common/output.rs"]
mod output;
use output::{code, path, stderr, stdout};

/// The README's example file (the README shows this file; a test below keeps them equal).
const EXAMPLE: &str = include_str!("../anam.example.yaml");

/// The example's documents, by the paths it names.
const DOCUMENTS: [(&str, &str); 2] = [
    ("handbook/opening-hours.md", include_str!("../handbook/opening-hours.md")),
    ("handbook/prices.csv", include_str!("../handbook/prices.csv")),
];

/// The webhook's secret, which nothing may print.
const TOKEN: &str = "s3cret-crm-token";

/// A fake on its own runtime, a folder holding the example's documents, and the variables.
struct Setup {
    mock: MockServer,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    _runtime: tokio::runtime::Runtime,
}

impl Setup {
    fn new() -> Setup {
        Setup::with_latency(Duration::ZERO)
    }

    fn with_latency(latency: Duration) -> Setup {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let mock = runtime.block_on(MockServer::builder().latency(latency).start()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in DOCUMENTS {
            std::fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        let env = vec![("CRM_URL".into(), "https://crm.example.com".into()), ("CRM_TOKEN".into(), TOKEN.into())];
        Setup { mock, dir, env, _runtime: runtime }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn anam(&self, args: &[&str]) -> Output {
        let mut command = Command::cargo_bin("anam").unwrap();
        command.env("ANAM_API_URL", self.mock.base_url()).env("ANAM_API_KEY", self.mock.api_key());
        command.env_remove("CRM_URL").env_remove("CRM_TOKEN").env_remove("CRM_LOOKUP_AUTHORIZATION");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command.args(args).output().unwrap()
    }
}

/// Asserts that a run printed the secret nowhere.
fn no_secret(out: &Output) {
    let all = stdout(out) + &stderr(out);
    assert!(!all.contains(TOKEN), "the secret was printed: {all}");
}

#[test]
fn the_readme_example_applies_exports_and_plans_clean_and_a_second_apply_changes_nothing() {
    let readme = include_str!("../../../README.md");
    assert!(readme.contains(EXAMPLE.trim_end()), "the README shows crates/anam-cli/anam.example.yaml as it is");
    let setup = Setup::new();
    let file = setup.file("account.yaml", EXAMPLE);
    let plan = setup.anam(&["plan", "-f", path(&file)]);
    no_secret(&plan);
    assert_eq!(code(&plan), 2, "{}{}", stdout(&plan), stderr(&plan));
    let expected = "\
+ create     knowledge group Handbook
+ create     document Handbook/opening-hours.md
+ create     document Handbook/prices.csv
+ create     tool crm_lookup
+ create     tool search_handbook
= unchanged  tool open_calendar (00000000-0000-0000-0000-000000000000)
+ create     persona Front desk
+ create     persona Night shift
+ create     share link Front desk
Plan: 8 to create, 0 to update, 0 to delete, 1 unchanged.
";
    assert_eq!(stdout(&plan), expected, "the kinds in order, each in the file's order");

    let apply = setup.anam(&["apply", "-f", path(&file), "--yes"]);
    no_secret(&apply);
    assert_eq!(code(&apply), 0, "{}{}", stdout(&apply), stderr(&apply));
    let groups = setup.mock.knowledge_groups();
    assert_eq!((groups.len(), groups[0].document_count), (1, Some(2)));
    let tools = setup.mock.tools();
    let crm = tools.iter().find(|t| t.name.as_deref() == Some("crm_lookup")).unwrap();
    let config = crm.config.clone().unwrap();
    assert_eq!(config.url.as_deref(), Some("https://crm.example.com/find"), "the variable was read");
    assert_eq!(config.headers.unwrap()["Authorization"].expose_secret(), format!("Bearer {TOKEN}"));
    let search = tools.iter().find(|t| t.name.as_deref() == Some("search_handbook")).unwrap();
    assert_eq!(search.config.clone().unwrap().document_folder_ids.unwrap()[0], groups[0].id, "by name, created first");
    let front = setup.mock.personas().into_iter().find(|p| p.name.as_deref() == Some("Front desk")).unwrap();
    assert_eq!(front.tools.as_ref().map(Vec::len), Some(3));
    let links = setup.mock.share_links();
    assert_eq!((links.len(), links[0].usage_limit), (1, Some(50)));
    assert_eq!(links[0].persona_id.as_ref(), Some(&front.id));

    let again = setup.anam(&["apply", "-f", path(&file), "--yes"]);
    assert_eq!((code(&again), stdout(&again)), (0, "No changes: the account is what the file says.\n".to_owned()));
    assert_eq!(
        setup.mock.requests(Operation::UploadKnowledgeGroupDocument),
        2,
        "an unchanged document is not sent again"
    );
    for op in
        [Operation::UpdatePersona, Operation::UpdateTool, Operation::UpdateShareLink, Operation::UpdateKnowledgeGroup]
    {
        assert_eq!(setup.mock.requests(op), 0, "{op:?}");
    }

    let exported = setup.dir.path().join("export/account.yaml");
    std::fs::create_dir_all(exported.parent().unwrap()).unwrap();
    let out = setup.anam(&["export", "-o", path(&exported)]);
    no_secret(&out);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(!text.contains(TOKEN), "export never writes a secret: {text}");
    assert!(text.contains("Authorization: ${CRM_LOOKUP_AUTHORIZATION}"), "{text}");
    assert!(
        text.contains("- knowledge/Handbook/opening-hours.md") && text.contains("knowledgeGroups:\n  - Handbook"),
        "{text}"
    );
    assert!(text.contains("shareLinks:\n- persona: Front desk\n  usageLimit: 50\n  expiresAt: "), "{text}");
    let downloaded = std::fs::read_to_string(setup.dir.path().join("export/knowledge/Handbook/prices.csv")).unwrap();
    assert_eq!(downloaded, DOCUMENTS[1].1);

    let mut setup = setup;
    setup.env.push(("CRM_LOOKUP_AUTHORIZATION".into(), format!("Bearer {TOKEN}")));
    let plan = setup.anam(&["plan", "-f", path(&exported), "--prune"]);
    no_secret(&plan);
    assert_eq!(code(&plan), 0, "an export plans clean: {}{}", stdout(&plan), stderr(&plan));
    assert!(
        stdout(&plan).ends_with("Plan: 0 to create, 0 to update, 0 to delete, 9 unchanged.\n"),
        "{}",
        stdout(&plan)
    );
}

#[test]
fn export_replaces_no_documents_folder_without_force_and_a_failed_one_leaves_the_old_file() {
    let setup = Setup::new();
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&setup.file("account.yaml", EXAMPLE)), "--yes"])), 0);
    let folder = setup.dir.path().join("export");
    std::fs::create_dir(&folder).unwrap();
    let first = folder.join("anam.yaml");
    assert_eq!(code(&setup.anam(&["export", "-o", path(&first)])), 0);
    let second = folder.join("other.yaml");
    let refused = setup.anam(&["export", "-o", path(&second)]);
    assert_eq!(code(&refused), 1);
    assert_eq!(
        stderr(&refused),
        format!(
            "error: {} exists; pass --force to replace the documents in it (or export to another folder)\n",
            folder.join("knowledge").display()
        )
    );
    assert!(!second.exists());

    std::fs::write(&first, "# the old export\n").unwrap();
    setup.mock.inject_for(Operation::GetKnowledgeDocumentDownload, anam_mock::Fault::status(404), 1);
    let failed = setup.anam(&["export", "-o", path(&first), "--force"]);
    assert_eq!(code(&failed), 1, "{}", stderr(&failed));
    assert_eq!(std::fs::read_to_string(&first).unwrap(), "# the old export\n", "the old file, whole");
    let mut entries: Vec<String> =
        std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    entries.sort();
    assert_eq!(entries, ["anam.yaml", "knowledge"], "no temporary file left");
    let forced = setup.anam(&["export", "-o", path(&first), "--force"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    let mut setup = setup;
    setup.env.push(("CRM_LOOKUP_AUTHORIZATION".into(), format!("Bearer {TOKEN}")));
    assert_eq!(code(&setup.anam(&["plan", "-f", path(&first), "--prune"])), 0);
}

#[test]
fn secrets_are_compared_but_never_shown_and_json_masks_them() {
    let setup = Setup::new();
    let file = setup.file("account.yaml", EXAMPLE);
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--yes"])), 0);
    let mut setup = setup;
    setup.env =
        vec![("CRM_URL".into(), "https://crm.staging.example.com".into()), ("CRM_TOKEN".into(), "n3w-token".into())];
    let plan = setup.anam(&["plan", "-f", path(&file)]);
    assert_eq!(code(&plan), 2);
    let text = stdout(&plan);
    assert!(text.contains("~ update     tool crm_lookup ("), "{text}");
    assert!(
        text.contains("      url: \"https://crm.example.com/find\" -> \"https://crm.staging.example.com/find\""),
        "{text}"
    );
    assert!(text.contains("      headers.Authorization: (secret, changed)\n"), "{text}");
    assert!(!text.contains("n3w-token") && !text.contains(TOKEN), "{text}");

    let json = setup.anam(&["plan", "-f", path(&file), "--json"]);
    assert_eq!(code(&json), 2, "the exit codes are plan's");
    let document: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert!(!stdout(&json).contains("n3w-token") && !stdout(&json).contains(TOKEN));
    let crm = document["actions"].as_array().unwrap().iter().find(|a| a["name"] == "crm_lookup").unwrap();
    assert_eq!((crm["kind"].as_str(), crm["action"].as_str()), (Some("tool"), Some("update")));
    assert!(crm["id"].is_string());
    let header = crm["changes"].as_array().unwrap().iter().find(|c| c["field"] == "headers.Authorization").unwrap();
    assert_eq!(
        header,
        &serde_json::json!({"field": "headers.Authorization", "old": "(secret)", "new": "(secret)", "secret": true})
    );
    assert_eq!(document["summary"], serde_json::json!({"create": 0, "update": 1, "delete": 0, "unchanged": 8}));

    let applied = setup.anam(&["apply", "-f", path(&file), "--yes", "--json"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    let document: serde_json::Value = serde_json::from_str(&stdout(&applied)).unwrap();
    let crm = document["actions"].as_array().unwrap().iter().find(|a| a["name"] == "crm_lookup").unwrap();
    assert_eq!(crm["result"], "done");
    let held =
        setup.mock.tools().into_iter().find(|t| t.name.as_deref() == Some("crm_lookup")).unwrap().config.unwrap();
    assert_eq!(held.headers.unwrap()["Authorization"].expose_secret(), "Bearer n3w-token");
    assert_eq!(held.body_template.as_deref(), Some("{\"email\": \"{{email}}\"}"), "the rest of the config stayed");

    setup.env.retain(|(name, _)| name != "CRM_TOKEN");
    let unset = setup.anam(&["plan", "-f", path(&file)]);
    assert_eq!(code(&unset), 1);
    assert_eq!(
        stderr(&unset),
        format!(
            "error: {}:18:7: tools[0].headers.Authorization: ${{CRM_TOKEN}} is not set: set the environment variable CRM_TOKEN\n",
            file.display()
        )
    );
}

#[test]
fn a_changed_document_is_sent_again_and_one_the_file_drops_is_deleted() {
    let setup = Setup::new();
    let file = setup.file("account.yaml", EXAMPLE);
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--yes"])), 0);
    // Uploaded at once, so in either order: by name.
    let id_of = |name: &str| {
        let documents = setup.mock.knowledge_documents();
        documents.iter().find(|d| d.filename.as_deref() == Some(name)).map(|d| d.id.to_string()).unwrap()
    };
    let old = [id_of("opening-hours.md"), id_of("prices.csv")];
    // The same size, another content: only the hash tells.
    let hours = DOCUMENTS[0].1.replace("9:00", "8:00");
    std::fs::write(setup.dir.path().join(DOCUMENTS[0].0), &hours).unwrap();
    let dropped = EXAMPLE.replace("      - handbook/prices.csv\n", "");
    let file = setup.file("account.yaml", &dropped);
    let plan = setup.anam(&["plan", "-f", path(&file)]);
    let text = stdout(&plan);
    assert!(
        text.contains(&format!(
            "~ update     document Handbook/opening-hours.md ({})\n      content: \"sha256:",
            old[0]
        )),
        "{text}"
    );
    assert!(text.contains(&format!("- delete     document Handbook/prices.csv ({})", old[1])), "{text}");
    assert!(text.ends_with("Plan: 0 to create, 1 to update, 1 to delete, 7 unchanged.\n"), "{text}");
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--yes"])), 0);
    let now = setup.mock.knowledge_documents();
    assert_eq!(now.len(), 1);
    assert!(!old.contains(&now[0].id.to_string()), "uploaded again, the old one deleted");
    assert_eq!(code(&setup.anam(&["plan", "-f", path(&file)])), 0);
}

#[test]
fn prune_works_per_kind_and_deletes_a_tool_after_the_persona_that_used_it() {
    let setup = Setup::new();
    let file = setup.file("account.yaml", EXAMPLE);
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&file), "--yes"])), 0);
    let without_crm = EXAMPLE
        .replace("tools: [crm_lookup, search_handbook, open_calendar]", "tools: [search_handbook, open_calendar]");
    let start = without_crm.find("  - name: crm_lookup").unwrap();
    let end = without_crm.find("  - name: search_handbook").unwrap();
    let without_crm = format!("{}{}", &without_crm[..start], &without_crm[end..]);
    let calendar = "  - name: open_calendar\n    type: client                  # the app handles it (its parameters: a JSON \
                    Schema in YAML)\n    description: Open the calendar UI in the client app.\n";
    assert!(without_crm.contains(calendar), "{without_crm}");
    let without_crm = without_crm.replace(calendar, "");
    let file = setup.file("pruned.yaml", &without_crm);
    let refused = setup.anam(&["plan", "-f", path(&file), "--prune=tools"]);
    assert_eq!(code(&refused), 1, "open_calendar is the account's, not the file's: {}", stdout(&refused));
    assert!(
        stderr(&refused)
            .contains("personas[0].tools[1]: \"open_calendar\" is not in the file's tools, so --prune deletes it")
    );
    let only_personas = setup.anam(&["plan", "-f", path(&file), "--prune=personas"]);
    assert!(!stdout(&only_personas).contains("- delete"), "{}", stdout(&only_personas));
    let with_calendar = without_crm.replace(
        "personas:\n",
        "  - name: open_calendar\n    type: client\n    description: Open the calendar UI in the client app.\npersonas:\n",
    );
    let file = setup.file("pruned.yaml", &with_calendar);
    let plan = setup.anam(&["plan", "-f", path(&file), "--prune=tools"]);
    let text = stdout(&plan);
    assert!(
        text.contains("- delete     tool crm_lookup (") && text.contains("~ update     persona Front desk"),
        "{text}"
    );
    // The persona's update fails (after the SDK's retries): the tool it used is not deleted.
    setup.mock.inject_for(Operation::UpdatePersona, anam_mock::Fault::status(500), 3);
    let stopped = setup.anam(&["apply", "-f", path(&file), "--prune=tools", "--yes"]);
    assert_eq!(code(&stopped), 1);
    assert!(stderr(&stopped).contains("\nfailed: update persona Front desk: 500"), "{}", stderr(&stopped));
    assert!(stderr(&stopped).contains("not attempted: delete tool crm_lookup"), "{}", stderr(&stopped));
    assert!(setup.mock.tools().iter().any(|t| t.name.as_deref() == Some("crm_lookup")), "it waits for the persona");
    let applied = setup.anam(&["apply", "-f", path(&file), "--prune=tools", "--yes"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    assert!(setup.mock.tools().iter().all(|t| t.name.as_deref() != Some("crm_lookup")));
    let missing = setup.anam(&["plan", "-f", path(&setup.file("p.yaml", "personas: []\n")), "--prune=tools"]);
    assert!(
        stderr(&missing).contains("--prune=tools, but the file has no `tools:` section; write `tools: []`"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn no_run_has_more_requests_in_flight_than_its_parallelism() {
    let setup = Setup::with_latency(Duration::from_millis(20));
    let mut file = String::from("personas:\n");
    for n in 1..=24 {
        setup.mock.insert(anam::types::PersonaCreate { name: Some(format!("Persona {n}")), ..Default::default() });
        file.push_str(&format!("  - name: Persona {n}\n    description: number {n}\n"));
    }
    let file = setup.file("many.yaml", &file);
    for (args, most) in [
        (vec!["plan", "-f", path(&file), "--parallelism", "3"], 3),
        (vec!["plan", "-f", path(&file)], 8),
        (vec!["apply", "-f", path(&file), "--yes", "--parallelism", "5"], 5),
        (vec!["export", "--parallelism", "2"], 2),
    ] {
        setup.mock.reset_max_in_flight();
        let out = setup.anam(&args);
        assert!(code(&out) != 1, "{args:?}: {}", stderr(&out));
        assert_eq!(setup.mock.max_in_flight(), most, "{args:?}");
    }
    assert_eq!(setup.mock.requests(Operation::UpdatePersona), 24);
    let plan = setup.anam(&["plan", "-f", path(&file)]);
    let text = stdout(&plan);
    let names: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("= unchanged  persona ")).collect();
    let expected: Vec<String> = (1..=24).map(|n| format!("Persona {n}")).collect();
    assert_eq!(
        names.iter().map(|n| n.split(" (").next().unwrap()).collect::<Vec<_>>(),
        expected,
        "in the file's order"
    );
}

#[test]
fn a_throttled_read_is_retried_and_the_plan_completes() {
    let setup = Setup::new();
    let file = setup.file("account.yaml", EXAMPLE);
    setup.mock.inject_for(Operation::ListTools, anam_mock::Fault::status_with_retry_after(429, "1"), 1);
    setup.mock.inject_for(Operation::ListPersonas, anam_mock::Fault::status(503), 1);
    let plan = setup.anam(&["plan", "-f", path(&file)]);
    assert_eq!(code(&plan), 2, "{}", stderr(&plan));
    assert_eq!(setup.mock.requests(Operation::ListTools), 2);
}

#[cfg(unix)]
#[test]
fn a_fifo_where_a_document_goes_is_an_error_not_a_wait() {
    let setup = Setup::new();
    let example = setup.file("account.yaml", EXAMPLE);
    assert_eq!(code(&setup.anam(&["apply", "-f", path(&example), "--yes"])), 0);
    // Reading: a document of the file that is a FIFO is refused when the file is read.
    let fifo = setup.dir.path().join("handbook/pipe.md");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let with_fifo =
        setup.file("fifo.yaml", "knowledgeGroups:\n  - name: Handbook\n    documents: [handbook/pipe.md]\n");
    let out = setup.anam(&["plan", "-f", path(&with_fifo)]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("\"handbook/pipe.md\" is not a regular file"), "{}", stderr(&out));
    // Writing: export (even with --force) does not wait for a reader of a FIFO where a
    // downloaded document goes, nor replace it.
    let target = setup.dir.path().join("export/knowledge/Handbook");
    std::fs::create_dir_all(&target).unwrap();
    nix::unistd::mkfifo(&target.join("opening-hours.md"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let mut export = Command::cargo_bin("anam").unwrap();
    export.env("ANAM_API_URL", setup.mock.base_url()).env("ANAM_API_KEY", setup.mock.api_key());
    // A guard against the defect under test (an open that waits for a reader), not a measure.
    export.timeout(Duration::from_secs(60));
    let out = export.args(["export", "--force", "-o", path(&setup.dir.path().join("export/account.yaml"))]).output();
    let out = out.unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("opening-hours.md: cannot write: not a regular file"), "{}", stderr(&out));
}

#[test]
fn documents_stay_inside_the_files_folder() {
    let setup = Setup::new();
    let outside = EXAMPLE.replace("handbook/prices.csv", "../prices.csv");
    let file = setup.file("account.yaml", &outside);
    let out = setup.anam(&["plan", "-f", path(&file)]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out)
            .contains("knowledgeGroups[0].documents[1]: \"../prices.csv\" is not a path inside the file's folder")
    );
    assert_eq!(setup.mock.total_requests(), 0, "refused before anything is sent");
}

#[test]
fn the_readme_example_plans_with_prune_and_prune_takes_its_kinds_after_a_space_too() {
    let setup = Setup::new();
    let file = setup.file("account.yaml", EXAMPLE);
    let plan = setup.anam(&["plan", "-f", path(&file), "--prune"]);
    assert_eq!(code(&plan), 2, "{}{}", stdout(&plan), stderr(&plan));
    assert!(!stdout(&plan).contains("- delete"), "the example names all it uses: {}", stdout(&plan));
    let equals = stdout(&setup.anam(&["plan", "-f", path(&file), "--prune=personas,tools"]));
    for prune in [vec!["--prune", "personas,tools"], vec!["--prune", "personas", "tools"]] {
        let out = setup.anam(&[&["plan", "-f", path(&file)][..], &prune].concat());
        assert_eq!((code(&out), stdout(&out)), (2, equals.clone()), "{prune:?}: {}", stderr(&out));
    }
}

#[test]
fn completions_and_version() {
    let setup = Setup::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = setup.anam(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        assert!(stdout(&out).contains("anam") && stdout(&out).contains("personas"), "{shell}");
    }
    let out = setup.anam(&["--version"]);
    assert_eq!(stdout(&out), format!("anam {}\n", env!("CARGO_PKG_VERSION")));
    let help = stdout(&setup.anam(&["plan", "--help"]));
    assert!(help.contains("--parallelism <N>") && help.contains("[default: 8]"), "{help}");
    // Bash splits `--prune=` at the `=`: the script still offers the kinds there.
    let script = setup.dir.path().join("anam.bash");
    std::fs::write(&script, stdout(&setup.anam(&["completions", "bash"]))).unwrap();
    for (words, expected) in [
        ("anam plan --prune = ''", "knowledgeGroups tools personas shareLinks"),
        ("anam apply --prune = to", "tools"),
        ("anam plan --prune ''", "knowledgeGroups tools personas shareLinks"),
    ] {
        let complete = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}}-1)); \
             _anam anam \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[*]}}\"",
            script.display()
        );
        let Ok(out) = std::process::Command::new("bash").args(["--norc", "-c", &complete]).output() else {
            eprintln!("no bash here: its completion is not checked");
            return;
        };
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), expected, "{words}: {}", stderr(&out));
    }
}

#[test]
fn every_kind_refuses_unknown_keys_and_bad_values_on_one_line_before_sending() {
    let setup = Setup::new();
    let cases = [
        (
            "tools:\n  - {name: t, type: client, description: d, colour: red}\n",
            "tools[0].colour: unknown field `colour`",
        ),
        ("tools:\n  - {name: t, description: d}\n", "tools[0]: missing field `type`"),
        (
            "tools:\n  - {name: t, type: client, description: d, url: https://crm.example.com}\n",
            "tools[0].url is set, but must be absent for client tools (it applies to webhook)",
        ),
        (
            "tools:\n  - {name: t, type: webhook, description: d, url: https://a.example, method: GET, action: end_call}\n",
            "tools[0].action is set, but must be absent for webhook tools (it applies to system)",
        ),
        (
            "tools:\n  - {name: t, type: client, description: d}\n  - {name: t, type: client, description: e}\n",
            "tools[1].name \"t\" is also the name of tools[0]",
        ),
        (
            "tools:\n  - {name: t, type: knowledge, description: d, knowledgeGroups: [Nowhere]}\n",
            "tools[0].knowledgeGroups[0]: no knowledge group has the id or name \"Nowhere\"",
        ),
        ("knowledgeGroups:\n  - {name: g, files: []}\n", "knowledgeGroups[0].files: unknown field `files`"),
        (
            "knowledgeGroups:\n  - {name: g, documents: [missing.md]}\n",
            "knowledgeGroups[0].documents[0]: \"missing.md\" cannot be read",
        ),
        ("shareLinks:\n  - {persona: Nobody}\n", "shareLinks[0].persona: no persona has the id or name \"Nobody\""),
        (
            "shareLinks:\n  - {persona: p, expiresAt: tomorrow}\n",
            "shareLinks[0].expiresAt is \"tomorrow\", but must be a date",
        ),
        ("shareLinks:\n  - {persona: p, usageLimit: 0}\n", "shareLinks[0].usageLimit is 0, but must be at least 1"),
        (
            "personas:\n  - {name: p, tools: [nothing]}\n",
            "personas[0].tools[0]: no tool has the id or name \"nothing\"",
        ),
    ];
    for (text, expected) in cases {
        let file = setup.file("bad.yaml", text);
        let out = setup.anam(&["plan", "-f", path(&file)]);
        let error = stderr(&out);
        assert_eq!((code(&out), error.lines().count()), (1, 1), "{text}: {error}");
        assert!(error.contains(expected), "{text}\n{error}");
    }
    let writes =
        [Operation::CreateTool, Operation::CreateKnowledgeGroup, Operation::CreateShareLink, Operation::CreatePersona];
    assert!(writes.iter().all(|op| setup.mock.requests(*op) == 0), "nothing was written for a bad file");
}
