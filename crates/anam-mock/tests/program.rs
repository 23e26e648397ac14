//! The `anam-mock` program (the `cli` feature): with `--demo` it starts, says on its first line
//! that it serves the demo account and what to export, and serves it there.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The program, running; killed when dropped, so that a failed test leaves no process behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the program with `args` and returns it with its first line (waiting 60 s at most).
fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anam-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = send.send(line);
    });
    let line = receive.recv_timeout(Duration::from_secs(60)).expect("the program prints a line when it listens");
    (running, line)
}

#[tokio::test]
async fn with_demo_it_says_what_to_export_and_serves_the_demo_account() {
    let (_program, line) = start(&["--demo", "--port", "0", "--api-key", "demo-key", "--latency", "1ms"]);
    assert!(line.starts_with("anam-mock listening on http://127.0.0.1:"), "{line}");
    assert!(
        line.contains(" with the demo account (3 personas, 4 tools, 3 documents, 7 sessions; latency 1ms)"),
        "{line}"
    );
    let (_, export) = line.trim_end().split_once("export ").expect("an export to copy");
    let settings: Vec<(&str, &str)> = export.split(' ').filter_map(|word| word.split_once('=')).collect();
    let [("ANAM_API_URL", url), ("ANAM_API_KEY", key)] = settings[..] else { panic!("{export:?}") };
    assert_eq!(key, "demo-key");

    let client = anam::Client::builder().base_url(url).api_key(key).build().unwrap();
    let sessions = client.sessions().list_all(anam::ListSessions::new()).await.unwrap();
    assert_eq!(sessions.len(), 7);
    let persona = client.personas().get("de300001-0000-4000-8000-000000000001").await.unwrap();
    assert_eq!(persona.name.as_deref(), Some("Front desk"));
    let wrong = anam::Client::builder().base_url(url).api_key("mock-api-key").build().unwrap();
    assert!(wrong.personas().list(anam::ListPersonas::new()).await.unwrap_err().is_unauthorized());
}

#[test]
fn demo_and_seed_do_not_go_together() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_anam-mock")).args(["--demo", "--seed", "3", "--port", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seed"));
}
