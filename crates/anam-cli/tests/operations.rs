//! Every operation of the spec from the terminal, run as a user would against the fake: as
//! `anam <resource> <verb>` and as `anam api <operationId>`. The tests walk `Operation::ALL`,
//! so an operation added to the spec is tried here with no change to this file; and no
//! command prints a secret but those that exist to hand one out.

use std::path::PathBuf;

use anam::api::facts::{Effect, InputKind, InputLocation, Operation};
use anam_mock::MockServer;
use serde_json::Value;

#[path = "common/mock.rs"]
mod mock;
#[path = "common/output.rs"]
mod output;
use mock::Setup;
use output::{code, stderr, stdout};

/// A small document to upload.
fn upload(setup: &Setup) -> PathBuf {
    setup.file("hours.md", "We open at nine.")
}

/// A value as a flag gives it: a text as it is, anything else as JSON.
fn flag_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `anam <resource> <verb>` with `op`'s sample inputs: the id and the inputs `finish` takes
/// positionally in order, the rest as kebab-case flags; a file for an upload.
fn resource_args(setup: &Setup, op: Operation) -> Vec<String> {
    let mut args: Vec<String> = op.command().iter().map(|w| w.to_string()).collect();
    let mut sample = anam_tests::sample_args(op);
    for input in op.inputs().iter().filter(|i| i.location == InputLocation::Path) {
        args.push(flag_value(&sample.remove(input.name).unwrap()));
    }
    let positional: &[&str] = match op {
        Operation::SearchKnowledgeGroup => &["query"],
        Operation::CreateShareLink => &["personaId"],
        _ => &[],
    };
    for name in positional {
        args.push(flag_value(&sample.remove(*name).unwrap()));
    }
    for (name, value) in sample {
        args.push(format!("--{}", kebab(&name)));
        args.push(flag_value(&value));
    }
    if let Some(file) = op.inputs().iter().find(|i| i.kind == InputKind::File) {
        let file_path = upload(setup).display().to_string();
        match op {
            Operation::UploadKnowledgeGroupDocument => args.extend([file_path, "--no-wait".into()]),
            _ => args.extend([format!("--{}", kebab(file.name)), file_path]),
        }
    }
    if op.effect() == Effect::Destroys {
        args.push("--yes".into());
    }
    args
}

/// `anam api <operationId>` with `op`'s sample inputs as flags named as in the spec.
fn api_args(setup: &Setup, op: Operation) -> Vec<String> {
    let mut args = vec!["api".to_owned(), op.id().to_owned()];
    for (name, value) in anam_tests::sample_args(op) {
        args.extend([format!("--{name}"), flag_value(&value)]);
    }
    if let Some(file) = op.inputs().iter().find(|i| i.kind == InputKind::File) {
        args.extend([format!("--{}", file.name), upload(setup).display().to_string()]);
    }
    args
}

fn kebab(name: &str) -> String {
    name.chars().fold(String::new(), |mut out, c| {
        if c.is_ascii_uppercase() {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
        out
    })
}

#[test]
fn every_operation_runs_from_its_command_and_from_anam_api() {
    let setup = Setup::new();
    for &op in Operation::ALL {
        for (style, args) in [("resource", resource_args(&setup, op)), ("api", api_args(&setup, op))] {
            let before = setup.mock.requests(op);
            let out = setup.anam(&args);
            // The fake may refuse a sample (an unknown id is a 404): that is exit 1 with the
            // API's error; a usage error (2) or a check before sending would reach nothing.
            assert!(code(&out) == 0 || stderr(&out).starts_with("error: "), "{args:?}: {}", stderr(&out));
            assert_eq!(setup.mock.requests(op), before + 1, "{style} {args:?}: {}", stderr(&out));
        }
    }
    assert_eq!(setup.mock.unmatched_requests(), 0);
}

/// The secrets of the demo account: webhook header values, share-link tokens, meeting URLs.
fn demo_secrets(mock: &MockServer) -> Vec<String> {
    let mut secrets: Vec<String> = Vec::new();
    for tool in mock.tools() {
        let headers = tool.config.iter().flat_map(|c| c.headers.iter().flatten());
        secrets.extend(headers.map(|(_, v)| v.expose_secret().to_owned()));
    }
    secrets.extend(mock.share_links().iter().filter_map(|l| l.token.as_ref()).map(|t| t.expose_secret().to_owned()));
    secrets.extend(
        mock.meeting_invites().iter().filter_map(|i| i.meeting_url.as_ref()).map(|u| u.expose_secret().to_owned()),
    );
    secrets.retain(|s| s.len() >= 8);
    secrets
}

/// An id of the demo account for each id schema, so that every read finds something.
fn demo_id(mock: &MockServer, schema: &str) -> Option<String> {
    Some(match schema {
        "PersonaId" => {
            mock.personas().into_iter().find(|p| !p.tools.clone().unwrap_or_default().is_empty())?.id.to_string()
        }
        "ToolId" => {
            let has_headers =
                |t: &anam::Tool| t.config.as_ref().is_some_and(|c| c.headers.as_ref().is_some_and(|h| !h.is_empty()));
            mock.tools().into_iter().find(has_headers)?.id.to_string()
        }
        "ShareLinkId" => mock.share_links().first()?.id.to_string(),
        "MeetingInviteId" => mock.meeting_invites().first()?.id.to_string(),
        "KnowledgeGroupId" => mock.knowledge_groups().first()?.id.to_string(),
        "KnowledgeDocumentId" => mock.knowledge_documents().first()?.id.to_string(),
        "SessionId" => mock.sessions().iter().find(|s| s.session.end_time.is_some())?.session.id.to_string(),
        "AvatarId" => mock.avatars().first()?.id.to_string(),
        "VoiceId" => mock.voices().first()?.id.to_string(),
        "LlmId" => mock.llms().first()?.id.to_string(),
        _ => return None,
    })
}

#[test]
fn no_command_prints_a_secret_but_those_that_hand_one_out() {
    let setup = Setup::new();
    anam_mock::demo::seed(&setup.mock).unwrap();
    let secrets = demo_secrets(&setup.mock);
    assert!(secrets.len() >= 3, "the demo has secrets to leak: {secrets:?}");
    let mut handed_out = 0;
    for &op in Operation::ALL.iter().filter(|op| op.effect() == Effect::Reads) {
        let mut args: Vec<String> = op.command().iter().map(|w| w.to_string()).collect();
        for input in op.inputs().iter().filter(|i| i.location == InputLocation::Path) {
            args.push(demo_id(&setup.mock, input.id_of.unwrap()).unwrap());
        }
        if op == Operation::GetAggregatedSessionAnalytics {
            args.extend(["--from".into(), "2020-01-01T00:00:00Z".into(), "--to".into(), "2020-01-31T00:00:00Z".into()]);
        }
        for json in [false, true] {
            let mut args = args.clone();
            if json {
                args.push("--json".into());
            }
            let out = setup.anam(&args);
            let all = stdout(&out) + &stderr(&out);
            let leaked: Vec<&String> = secrets.iter().filter(|s| all.contains(s.as_str())).collect();
            if op.hands_out_secret() {
                handed_out += usize::from(!leaked.is_empty());
            } else {
                assert!(leaked.is_empty(), "{args:?} printed {leaked:?}: {all}");
            }
        }
    }
    assert_eq!(handed_out, 4, "share-links list and get print the link (text and JSON)");
}

#[test]
fn documents_upload_several_files_and_wait_until_each_is_processed() {
    let setup = Setup::new();
    setup.mock.set_document_reads_until_ready(2);
    let group = setup.anam(&["knowledge", "create", "--name", "Handbook", "--json"]);
    assert_eq!(code(&group), 0, "{}", stderr(&group));
    let files: Vec<String> = ["hours.md", "prices.csv", "fail-me.txt"]
        .iter()
        .map(|name| {
            let path = setup.dir.path().join(name);
            std::fs::write(&path, "We open at nine; a day pass is 12 EUR.").unwrap();
            path.display().to_string()
        })
        .collect();
    let mut args: Vec<String> = ["knowledge", "documents", "upload", "handbook"].map(String::from).to_vec();
    args.extend(files[..2].iter().cloned());
    let out = setup.anam(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("hours.md") && table.contains("prices.csv"), "{table}");
    assert_eq!(table.matches("READY").count(), 2, "waited until both were processed: {table}");
    let search = setup.anam(&["knowledge", "search", "Handbook", "day pass"].map(String::from));
    assert!(stdout(&search).contains("day pass"), "ready documents are searched: {}", stdout(&search));

    let mut failing = args[..4].to_vec();
    failing.push(files[2].clone());
    let out = setup.anam(&failing);
    assert_eq!(code(&out), 1, "a document that failed is an error");
    assert!(stdout(&out).contains("FAILED"), "{}", stdout(&out));
    assert!(stderr(&out).contains("1 document(s) not ready: fail-me.txt"), "{}", stderr(&out));
}

#[test]
fn names_work_wherever_an_id_does_with_a_hint_for_a_near_miss() {
    let setup = Setup::new();
    anam_mock::demo::seed(&setup.mock).unwrap();
    let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let out = setup.anam(&args(&["personas", "get", "NIGHT SHIFT", "--json"]));
    assert_eq!(code(&out), 0, "any case, when only one matches: {}", stderr(&out));
    let out = setup.anam(&args(&["personas", "get", "Nigth shift"]));
    assert_eq!(stderr(&out), "error: no persona has the id or name \"Nigth shift\"; did you mean \"Night shift\"?\n");
    // A body's ids take names too: a share link for a persona, a persona's tools and voice.
    let created = setup.anam(&args(&[
        "personas",
        "create",
        "--name",
        "Concierge",
        "--voice-id",
        "cara",
        "--tool-ids",
        "crm_lookup",
        "--tool-ids",
        "Search_Handbook",
        "--json",
    ]));
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let persona: Value = serde_json::from_str(&stdout(&created)).unwrap();
    let tools: Vec<&str> = persona["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(tools, ["crm_lookup", "search_handbook"]);
    assert_eq!(persona["voice"]["displayName"], "Cara");
    let link = setup.anam(&args(&["share-links", "create", "Concierge", "--usage-limit", "3"]));
    assert_eq!(code(&link), 0, "{}", stderr(&link));
    assert!(stdout(&link).contains("https://lab.anam.ai/share/"), "{}", stdout(&link));
    let unknown = setup.anam(&args(&["tools", "delete", "crm_lokup", "--yes"]));
    assert!(stderr(&unknown).contains("did you mean \"crm_lookup\"?"), "{}", stderr(&unknown));
    let deleted = setup.anam(&args(&["tools", "delete", "CRM_Lookup", "--yes"]));
    assert_eq!(stdout(&deleted), "deleted tool CRM_Lookup (de300002-0000-4000-8000-000000000001)\n");
}

#[test]
fn help_shows_each_operation_with_its_inputs_ranges_and_values() {
    let setup = Setup::new();
    let api = stdout(&setup.anam(&["api", "--help"]));
    for &op in Operation::ALL {
        assert!(api.contains(op.id()) && api.contains(op.summary()), "{} in {api}", op.id());
    }
    let list = stdout(&setup.anam(&["api", "listSessions", "--help"].map(String::from)));
    assert!(list.contains("--perPage <N>") && list.contains("Accepted: between 1 and 100."), "{list}");
    let avatars = stdout(&setup.anam(&["avatars", "list", "--help"].map(String::from)));
    assert!(avatars.contains("--render-style") && avatars.contains("realistic"), "{avatars}");
    let out = setup.anam(&["avatars", "list", "--render-style", "cubist"].map(String::from));
    assert_eq!(code(&out), 2, "an enum's other values are usage errors: {}", stderr(&out));
    let out = setup.anam(&["sessions", "list", "--per-page", "101"].map(String::from));
    assert_eq!(stderr(&out), "error: perPage is 101, but must be between 1 and 100\n");
    assert_eq!(setup.mock.total_requests(), 0, "nothing was sent");
}
