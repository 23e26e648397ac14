//! `cargo bench -p anam-cli --bench hostile_files [-- RUNS]`: the time and peak memory of
//! `anam plan -f FILE` for each hostile file of `tests/common/hostile.rs` (and for a
//! good file of exactly the 4 MiB limit), as figures to read, not assertions. Each run of the
//! binary is measured from a process of its own (this program started again with `--one`), so
//! that `getrusage(RUSAGE_CHILDREN)` gives that run's peak alone.

#[path = "../tests/common/hostile.rs"]
mod hostile;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anam_mock::MockServer;
use nix::sys::resource::{UsageWho, getrusage};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, url, key, path] = args.as_slice()
        && flag == "--one"
    {
        return one(url, key, Path::new(path));
    }
    let runs: usize = args.iter().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mock = runtime.block_on(MockServer::start());
    let dir = tempfile::tempdir().unwrap();
    let head = "personas:\n  - name: a\n    description: ";
    let limit = dir.path().join("limit.yaml");
    std::fs::write(&limit, format!("{head}{}\n", "x".repeat((4 << 20) - head.len() - 1))).unwrap();
    println!("anam plan -f FILE, {runs} runs each: median wall time, highest peak resident memory");
    println!("{:<28} {:>5} {:>10} {:>9}  the error says", "file", "exit", "time", "peak");
    let mut cases = vec![("good file of exactly 4 MiB", limit, "(plans a create)")];
    cases.extend(hostile::cases(dir.path()).into_iter().map(|c| (c.name, c.path, c.expected)));
    for (name, path, says) in cases {
        let mut figures: Vec<(i32, f64, i64)> = (0..runs).map(|_| measure(&mock, &path)).collect();
        figures.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (code, time, _) = figures[runs / 2];
        let peak = figures.iter().map(|f| f.2).max().unwrap_or(0);
        println!("{name:<28} {code:>5} {:>7.1} ms {:>5.1} MiB  {says}", time * 1e3, peak as f64 / 1024.0);
    }
}

/// One run, from a process of its own: its exit code, wall time (s) and peak memory (KiB).
fn measure(mock: &MockServer, path: &Path) -> (i32, f64, i64) {
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me).arg("--one").arg(mock.base_url()).arg(mock.api_key()).arg(path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let mut next = || fields.next().unwrap_or("0").to_owned();
    (next().parse().unwrap_or(-1), next().parse().unwrap_or(0.0), next().parse().unwrap_or(0))
}

/// Runs the binary once and prints its exit code, wall time (s) and peak memory (KiB on Linux).
fn one(url: &str, key: &str, path: &Path) {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_anam"))
        .env("ANAM_API_URL", url)
        .env("ANAM_API_KEY", key)
        .args(["plan", "-f"])
        .arg(path)
        .output()
        .unwrap()
        .status;
    let took = started.elapsed().as_secs_f64();
    let peak = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss();
    println!("{} {took} {peak}", status.code().unwrap_or(-1));
}
