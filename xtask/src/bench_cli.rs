//! `cargo xtask bench-cli`: the `anam` CLI at scale, against the fake's binary. Builds both in
//! release, starts `anam-mock --seed N --latency L` on a free port, and times three runs of the
//! CLI as a user would make them: `export` of the N personas, `plan` of that export (no change),
//! and `apply` of a file that changes every persona's description (its plan included). Before
//! each run the fake's peak of requests in flight is reset (`POST /_mock/stats/reset`), and read
//! after it (`GET /_mock/stats`). Prints a Markdown table of figures to read, with the issue's
//! targets; nothing here is an assertion.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The settings of one benchmark.
pub struct Settings {
    /// Personas the fake starts with.
    pub personas: usize,
    /// The fake's latency per request (`50ms`).
    pub latency: String,
    /// The CLI's `--parallelism`.
    pub parallelism: usize,
}

/// Runs the benchmark from the workspace at `root`.
pub fn run(root: &Path, settings: &Settings) -> Result<(), String> {
    let built = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "--release", "-p", "anam-cli", "-p", "anam-mock", "--features", "anam-mock/cli"])
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !built.success() {
        return Err("cargo build --release of anam-cli and anam-mock failed".into());
    }
    let release = root.join("target/release");
    let mut fake = Fake::start(&release.join("anam-mock"), settings)?;
    let outcome = measure(&release.join("anam"), &fake, settings);
    fake.stop();
    let rows = outcome?;
    println!(
        "anam CLI against anam-mock (release): {} personas, latency {} per request, --parallelism {}",
        settings.personas, settings.latency, settings.parallelism
    );
    println!();
    println!("| run | wall time | target | met | most requests in flight | API requests |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        let met = if row.seconds <= row.target && row.in_flight <= settings.parallelism { "yes" } else { "NO" };
        println!(
            "| {} | {:.2} s | <= {:.0} s, <= {} in flight | {met} | {} | {} |",
            row.name, row.seconds, row.target, settings.parallelism, row.in_flight, row.requests
        );
    }
    Ok(())
}

/// One timed run.
struct Row {
    name: &'static str,
    seconds: f64,
    target: f64,
    in_flight: usize,
    requests: u64,
}

/// The three runs.
fn measure(anam: &Path, fake: &Fake, settings: &Settings) -> Result<Vec<Row>, String> {
    let dir = std::env::temp_dir().join(format!("anam-bench-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let exported = dir.join("export.yaml");
    let changed = dir.join("changed.yaml");
    let mut text = String::from("personas:\n");
    for n in 1..=settings.personas {
        text.push_str(&format!("  - name: Persona {n}\n    description: Changed by the benchmark\n"));
    }
    std::fs::write(&changed, text).map_err(|e| e.to_string())?;
    let parallelism = settings.parallelism.to_string();
    let runs: [(&'static str, f64, Vec<&str>, i32); 3] = [
        ("`export -o FILE` of all personas", 8.0, vec!["export", "-o", path(&exported)?], 0),
        ("`plan -f` the export (no change)", 8.0, vec!["plan", "-f", path(&exported)?], 0),
        (
            "`apply -f --yes`: every persona updated (plan included)",
            16.0,
            vec!["apply", "-f", path(&changed)?, "--yes"],
            0,
        ),
    ];
    let mut rows = Vec::new();
    for (name, target, args, expected) in runs {
        let before = fake.stats("POST", "/_mock/stats/reset")?;
        let started = Instant::now();
        let out = Command::new(anam)
            .env("ANAM_API_URL", &fake.url)
            .env("ANAM_API_KEY", anam_key())
            .args(&args)
            .args(["--parallelism", &parallelism])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", anam.display()))?;
        let seconds = started.elapsed().as_secs_f64();
        if out.status.code() != Some(expected) {
            return Err(format!(
                "anam {args:?} exited {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let after = fake.stats("GET", "/_mock/stats")?;
        let in_flight = after["maxInFlight"].as_u64().unwrap_or(0) as usize;
        let requests = after["requests"].as_u64().unwrap_or(0) - before["requests"].as_u64().unwrap_or(0);
        rows.push(Row { name, seconds, target, in_flight, requests });
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(rows)
}

/// The key the fake accepts by default.
fn anam_key() -> &'static str {
    "mock-api-key"
}

/// A path as an argument.
fn path(p: &Path) -> Result<&str, String> {
    p.to_str().ok_or_else(|| format!("{} is not UTF-8", p.display()))
}

/// The fake's program, running.
struct Fake {
    child: Child,
    url: String,
}

impl Fake {
    /// Starts it on a free port and reads its URL from its first line.
    fn start(program: &Path, settings: &Settings) -> Result<Fake, String> {
        let mut child = Command::new(program)
            .args(["--port", "0", "--seed", &settings.personas.to_string(), "--latency", &settings.latency])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or("the fake has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).map(str::to_owned);
        let Some(url) = url else {
            let _ = child.kill();
            return Err(format!("the fake did not say where it listens: {line:?}"));
        };
        Ok(Fake { child, url })
    }

    /// One of the fake's stats endpoints, as JSON (HTTP/1.0 over a plain socket: no client
    /// library needed for one loopback request).
    fn stats(&self, method: &str, path: &str) -> Result<serde_json::Value, String> {
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).map_err(|e| format!("cannot reach the fake: {e}"))?;
        write!(stream, "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n")
            .map_err(|e| e.to_string())?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).map_err(|e| e.to_string())?;
        let body = answer.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
        serde_json::from_str(body).map_err(|e| format!("the fake's stats are not JSON ({e}): {answer:?}"))
    }

    /// Stops it.
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
