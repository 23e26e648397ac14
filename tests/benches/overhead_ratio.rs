//! Paired measurement of the SDK's cost: `anam` and the hand-written baseline (see `overhead`)
//! run in alternating blocks (ABBA order), so machine drift hits both sides alike, and the
//! ratio is the median of the per-round ratios. Prints a table; asserts nothing.
//!
//! ```text
//! cargo bench -p anam-tests --bench overhead_ratio [-- ROUNDS] [OPERATION]   # default: 21, all
//! ```
//!
//! Per round and side: concurrency 1 sends 200 requests one after another (latency = time / 200);
//! concurrency 64 sends 20 batches of 64 concurrent requests (throughput = 1280 / time).
//! Targets: latency ratio anam/baseline <= 1.05, throughput ratio >= 0.95.

mod common;

use std::time::{Duration, Instant};

use common::{Op, Setup};
use futures::future::join_all;

const C1_REQUESTS: usize = 200;
const C64_BATCHES: usize = 20;

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Anam,
    Baseline,
}

/// Runs one block of `op` on `side` and returns how long it took.
fn block(setup: &Setup, op: Op, side: Side, concurrent: bool) -> Duration {
    let started = Instant::now();
    setup.client_runtime.block_on(async {
        let one = || async {
            match side {
                Side::Anam => op.anam(&setup.client, &setup.create).await,
                Side::Baseline => op.baseline(&setup.baseline, &setup.body).await,
            }
        };
        if concurrent {
            for _ in 0..C64_BATCHES {
                join_all((0..64).map(|_| one())).await;
            }
        } else {
            for _ in 0..C1_REQUESTS {
                one().await;
            }
        }
    });
    started.elapsed()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number is the round count.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rounds: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(21);
    let only = args.iter().find(|a| a.parse::<usize>().is_err());
    let setup = Setup::new();
    println!("paired overhead, {rounds} rounds per row (ABBA order), medians");
    println!("| operation | concurrency | anam | baseline | ratio anam/baseline | target | met |");
    println!("|---|---|---|---|---|---|---|");
    for (op, name) in Op::ALL.into_iter().filter(|(_, name)| only.is_none_or(|o| o == name)) {
        for concurrent in [false, true] {
            // Warm both sides (connections, allocator) before measuring.
            block(&setup, op, Side::Anam, concurrent);
            block(&setup, op, Side::Baseline, concurrent);
            let (mut anam, mut baseline, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
            for round in 0..rounds {
                let order = if round % 2 == 0 { [Side::Anam, Side::Baseline] } else { [Side::Baseline, Side::Anam] };
                let mut times = [Duration::ZERO; 2];
                for side in order {
                    times[usize::from(side == Side::Baseline)] = block(&setup, op, side, concurrent);
                }
                let [a, b] = times.map(|t| t.as_secs_f64());
                if concurrent {
                    let requests = (C64_BATCHES * 64) as f64;
                    anam.push(requests / a);
                    baseline.push(requests / b);
                    ratios.push(b / a); // throughput ratio anam/baseline
                } else {
                    anam.push(a / C1_REQUESTS as f64 * 1e6);
                    baseline.push(b / C1_REQUESTS as f64 * 1e6);
                    ratios.push(a / b); // latency ratio anam/baseline
                }
            }
            let (a, b, r) = (median(&mut anam), median(&mut baseline), median(&mut ratios));
            let (unit, target, met) =
                if concurrent { ("req/s", ">= 0.95", r >= 0.95) } else { ("µs", "<= 1.05", r <= 1.05) };
            let fmt = |v: f64| if concurrent { format!("{v:.0} {unit}") } else { format!("{v:.1} {unit}") };
            let concurrency = if concurrent { 64 } else { 1 };
            println!(
                "| {name} | {concurrency} | {} | {} | {r:.3} | {target} | {} |",
                fmt(a),
                fmt(b),
                if met { "yes" } else { "NO" }
            );
        }
    }
}
