//! One side of one operation, run on its own, for profilers (callgrind, perf), which cannot tell
//! the interleaved sides of `overhead_ratio` apart. Prints the mean wall time and the client
//! thread's CPU time per request; asserts nothing.
//!
//! ```text
//! cargo bench -p anam-tests --bench one_side -- SIDE OPERATION [COUNT]
//! ```
//!
//! `SIDE` is `anam`, `generated` or `baseline`, `OPERATION` is `create`, `get` or `list100`, and
//! `COUNT` (default 3000) requests follow 100 unmeasured ones. Instructions per request, without
//! the setup (TLS roots, runtimes), are the difference of two callgrind runs (BENCHMARKS.md):
//!
//! ```text
//! valgrind --tool=callgrind target/release/deps/one_side-<hash> anam get 1000
//! valgrind --tool=callgrind target/release/deps/one_side-<hash> anam get 4000   # (second - first) / 3000
//! ```

mod common;

use std::time::Instant;

use common::{Op, Setup};

fn main() {
    // `cargo bench` passes `--bench`; the rest are positional.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let usage = "usage: one_side anam|generated|baseline create|get|list100 [COUNT]";
    let (Some(side), Some(op_name)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Some((op, _)) = Op::ALL.into_iter().find(|(_, name)| name == op_name) else {
        eprintln!("unknown operation {op_name:?}; {usage}");
        std::process::exit(2);
    };
    if !["anam", "generated", "baseline"].contains(&side.as_str()) {
        eprintln!("unknown side {side:?}; {usage}");
        std::process::exit(2);
    }
    let count: usize = match args.get(2).map(|c| c.parse()) {
        None => 3000,
        Some(Ok(count)) if count > 0 => count,
        Some(_) => {
            eprintln!("COUNT must be a positive whole number; {usage}");
            std::process::exit(2);
        }
    };
    let setup = Setup::new();
    let one = || async {
        match side.as_str() {
            "anam" => op.anam(&setup.client, &setup.create).await,
            "generated" => op.generated(&setup.generated, &setup.body).await,
            _ => op.baseline(&setup.baseline, &setup.body).await,
        }
    };
    setup.client_runtime.block_on(async {
        for _ in 0..100 {
            one().await;
        }
        let (cpu_before, started) = (thread_cpu_ns(), Instant::now());
        for _ in 0..count {
            one().await;
        }
        let wall = started.elapsed().as_secs_f64() * 1e6 / count as f64;
        let cpu = match (cpu_before, thread_cpu_ns()) {
            (Some(before), Some(after)) => format!("{:.1} µs", (after - before) as f64 / 1e3 / count as f64),
            _ => "n/a".to_string(),
        };
        println!("{side} {op_name}: {count} requests, {wall:.1} µs wall and {cpu} client-thread CPU per request");
    });
}

/// CPU time of the calling thread so far (Linux: the first field of its schedstat), if known.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}
