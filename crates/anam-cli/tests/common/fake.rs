//! The fake's own program (`anam-mock`, built with its `cli` feature), started on a free port in
//! a process of its own: for tests where the server must go on answering while the CLI is
//! interrupted, with a latency that keeps requests under way. The program is built once per test
//! binary, in the workspace's target directory (cargo holds no lock on it while tests run), in
//! the profile of the `anam` binary under test.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The fake's program, running; stopped when dropped.
pub struct Fake {
    child: Child,
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
}

/// The key the program accepts unless told another.
pub const API_KEY: &str = "mock-api-key";

impl Fake {
    /// Starts the program with `--latency latency` (`1s`, `50ms`).
    pub fn start(latency: &str) -> Fake {
        let mut child = Command::new(program())
            .args(["--port", "0", "--latency", latency])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the fake's program starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).map(str::to_owned);
        let url = url.unwrap_or_else(|| panic!("the fake did not say where it listens: {line:?}"));
        Fake { child, url }
    }

    /// `GET /_mock/stats`: `{"inFlight", "maxInFlight", "requests", "unmatched"}`.
    pub fn stats(&self) -> serde_json::Value {
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(stream, "GET /_mock/stats HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let body = answer.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
        serde_json::from_str(body).unwrap_or_else(|e| panic!("the stats are not JSON ({e}): {answer:?}"))
    }

    /// Waits until the fake has a request under way (a test's safety limit aside, no time is
    /// assumed: it polls).
    pub fn wait_for_a_request_under_way(&self) {
        for _ in 0..6000 {
            if self.stats()["inFlight"].as_u64().unwrap_or(0) > 0 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("no request came in a minute");
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The fake's program, built once.
fn program() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        // The `anam` under test is TARGET/PROFILE/anam: build the fake beside it.
        let anam = PathBuf::from(env!("CARGO_BIN_EXE_anam"));
        let profile_dir = anam.parent().unwrap();
        let target = profile_dir.parent().unwrap();
        let mut build = Command::new(env!("CARGO"));
        build.current_dir(env!("CARGO_MANIFEST_DIR"));
        build.args(["build", "--quiet", "-p", "anam-mock", "--features", "cli", "--bin", "anam-mock", "--target-dir"]);
        build.arg(target);
        if profile_dir.file_name().is_some_and(|name| name == "release") {
            build.arg("--release");
        }
        let out = build.output().expect("cargo runs");
        assert!(out.status.success(), "building anam-mock failed: {}", String::from_utf8_lossy(&out.stderr));
        profile_dir.join(format!("anam-mock{}", std::env::consts::EXE_SUFFIX))
    })
}
