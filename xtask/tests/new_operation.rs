//! An operation added to the spec gets the SDK's call path and its commands with no other
//! change: on a copy of the workspace whose spec has one more operation (`GET /v1/ping`),
//! `cargo xtask codegen` regenerates the client, and
//!
//! - a program that uses only the hand-written `anam` crate as it is sends the new operation
//!   through `Client::send`. It is retried after a 503, answers as the spec says, fails with the
//!   SDK's error type on a 404, and is traced as an `anam.request` span;
//! - the `anam` command line, built from the copy as it is, runs it as `anam health get` (its
//!   tag and verb) and as `anam api getPing`, and lists it in `--help`.
//!
//! The copy builds in the workspace's target directory, reusing its dependencies; its crates
//! are given another version and its command line another name (`anam-new-operation`), so that
//! none of its artifacts takes the place of the workspace's.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Copies a directory tree, leaving out `target` directories.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&source, &target);
            }
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}

/// The new operation and its answer, added to the spec's text.
fn with_ping(spec: &str) -> String {
    let path = "  /v1/ping:\n    get:\n      operationId: getPing\n      tags: [Health]\n      \
        summary: Ping\n      description: Answers whether the API is up.\n      responses:\n        \
        \"200\":\n          description: The API is up.\n          content:\n            application/json:\n              \
        schema:\n                $ref: \"#/components/schemas/Pong\"\n        \"404\":\n          \
        $ref: \"#/components/responses/NotFound\"\n";
    let schema = "    Pong:\n      type: object\n      description: A ping's answer.\n      required: [pong]\n      \
        properties:\n        pong:\n          type: boolean\n          description: Always true.\n";
    let spec = spec.replacen("paths:\n", &format!("paths:\n{path}"), 1);
    spec.replacen("  schemas:\n", &format!("  schemas:\n{schema}"), 1)
}

const PROGRAM: &str = r##"
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

/// A server that answers each connection with the next of `answers` (status line and body).
fn server(answers: Vec<(&'static str, &'static str)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (status, body) in answers {
            let (mut socket, _) = listener.accept().unwrap();
            let mut request = [0u8; 8192];
            let _ = socket.read(&mut request);
            let answer = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
            socket.write_all(answer.as_bytes()).unwrap();
        }
    });
    url
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let url = server(vec![("503 Service Unavailable", "{}"), ("200 OK", r#"{"pong":true}"#), ("404 Not Found", r#"{"error":"gone"}"#)]);
    let client = anam::Client::builder()
        .base_url(url)
        .api_key("sk-test-0123456789")
        .initial_backoff(std::time::Duration::from_millis(10))
        .build()
        .unwrap();
    let pong = client.send(client.api().get_ping()).await.expect("retried after the 503");
    assert!(pong.pong);
    let gone = client.send(client.api().get_ping()).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(gone.to_string().split(" [").next(), Some("404 Not Found: gone"));
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("anam.request") && log.contains("operation=\"getPing\"") && log.contains("attempts=2"), "{log}");
    println!("getPing reached through Client::send: retried, decoded, classified and traced");
}
"##;

#[test]
fn an_operation_added_to_the_spec_is_sent_through_the_generic_path() {
    let root = repo();
    let copy = tempfile::tempdir().unwrap();
    let dir = copy.path();
    for krate in ["anam-api", "anam", "anam-mock", "anam-cli"] {
        copy_tree(&root.join("crates").join(krate), &dir.join("crates").join(krate));
    }
    rename_command_line(dir);
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    let spec = std::fs::read_to_string(root.join("openapi/anam.yaml")).unwrap();
    std::fs::write(dir.join("openapi/anam.yaml"), with_ping(&spec)).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members =
        "members = [\"crates/anam-api\", \"crates/anam\", \"crates/anam-mock\", \"crates/anam-cli\", \"reach\"]";
    // Another version for the copied crates: cargo names a workspace member's artifacts by its
    // name, version and features, not its path, so the copy's `anam-api` of the same version
    // would take the place of the workspace's in the shared target directory.
    let manifest: String = manifest
        .lines()
        .filter(|l| !l.starts_with("default-members"))
        .map(|l| if l.starts_with("members") { members } else { l })
        .map(|l| if l == "version = \"0.1.0\"" { "version = \"0.1.1\"" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(manifest.contains("version = \"0.1.1\""), "the workspace's version is 0.1.0, to be changed");
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir_all(dir.join("reach/src")).unwrap();
    let reach = "[package]\nname = \"reach\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n\
        anam = { path = \"../crates/anam\" }\ntokio = { workspace = true }\ntracing = { workspace = true }\n\
        tracing-subscriber = { workspace = true }\n";
    std::fs::write(dir.join("reach/Cargo.toml"), reach).unwrap();
    std::fs::write(dir.join("reach/src/main.rs"), PROGRAM).unwrap();

    let codegen = Command::new(env!("CARGO_BIN_EXE_xtask")).args(["codegen", "--root"]).arg(dir).output().unwrap();
    assert!(codegen.status.success(), "{}", String::from_utf8_lossy(&codegen.stderr));
    let generated = std::fs::read_to_string(dir.join("crates/anam-api/src/generated.rs")).unwrap();
    assert!(generated.contains("impl<'a> crate::call::Call for GetPing<'a>"), "codegen gave getPing its Call");

    // Both programs in one build, so that their crates build side by side. The workspace's
    // target directory: the registry dependencies are built already (cargo holds no lock on it
    // while tests run); the copied crates build again, at their paths.
    let build = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", "reach", "-p", "anam-cli", "--bin", "reach", "--bin", "anam-new-operation"])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .unwrap();
    assert!(build.status.success(), "the copy builds:\n{}", String::from_utf8_lossy(&build.stderr));
    let program = |name: &str| root.join("target/debug").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));

    let run = Command::new(program("reach")).output().unwrap();
    let (out, err) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the program failed:\n{out}\n{err}");
    assert!(out.contains("getPing reached through Client::send"), "{out}");

    let anam = program("anam-new-operation");
    let help = Command::new(&anam).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("health"), "the new resource is listed");
    for args in [&["health", "get", "--json"][..], &["api", "getPing"]] {
        let url = answer_once(r#"{"pong":true}"#);
        let mut run = Command::new(&anam);
        let out = run.args(args).env("ANAM_API_URL", url).env("ANAM_API_KEY", "sk-test-0123456789").output().unwrap();
        let (shown, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "anam {args:?}: {err}");
        assert_eq!(shown.split_whitespace().collect::<String>(), r#"{"pong":true}"#, "anam {args:?}");
    }
}

/// Renames the copy's command line `anam-new-operation`, and leaves out its test dependency on
/// the workspace's `tests` crate, which the copy does not have.
fn rename_command_line(copy: &Path) {
    let manifest = copy.join("crates/anam-cli/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text: String = text
        .lines()
        .filter(|line| !line.starts_with("anam-tests"))
        .map(|line| if line == "name = \"anam\"" { "name = \"anam-new-operation\"" } else { line })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&manifest, text).unwrap();
}

/// A server on loopback that answers one request with `body` (status 200), then stops.
fn answer_once(body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut request = [0u8; 8192];
        let _ = socket.read(&mut request);
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).unwrap();
    });
    url
}
