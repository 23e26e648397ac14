//! Paired measurement of the SDK's cost: the `anam` client, a hand-written reqwest + serde_json
//! baseline (`common::Baseline`) and, for attribution, the generated `anam-api` client alone (no retries, tracing
//! or error mapping; its two per-client headers set as reqwest default headers), interleaved
//! unit by unit so that machine drift hits every side alike. Prints a table; asserts nothing.
//!
//! ```text
//! cargo bench -p anam-tests --bench overhead_ratio [-- SCALE] [OPERATION]   # default: 1, all
//! ```
//!
//! A unit is one request (concurrency 1) or one batch of 64 concurrent requests (concurrency 64).
//! Each iteration runs one unit of every side, in an order that cycles through all six orders;
//! there are `SCALE` x 3000 iterations at concurrency 1 and `SCALE` x 300 at concurrency 64
//! (three tenths of that for the 100-item list). Figures are medians of the units' times: latency is
//! the median time of a request, throughput is 64 / the median time of a batch. The ratio is
//! anam / baseline for latency and anam / baseline for throughput. Targets: latency ratio <= 1.10,
//! throughput ratio >= 0.90.

mod common;

use std::time::Instant;

use common::{Op, Setup};
use futures::future::join_all;

/// The sides, in the order of the table's columns.
#[derive(Clone, Copy)]
enum Side {
    Anam,
    Generated,
    Baseline,
}

/// The six orders of the three sides; iteration `i` uses `ORDERS[i % 6]`.
const ORDERS: [[Side; 3]; 6] = {
    use Side::*;
    [
        [Anam, Generated, Baseline],
        [Baseline, Generated, Anam],
        [Generated, Baseline, Anam],
        [Anam, Baseline, Generated],
        [Baseline, Anam, Generated],
        [Generated, Anam, Baseline],
    ]
};

/// Runs one unit of `op` on `side` and returns how long it took, in microseconds.
async fn unit(setup: &Setup, op: Op, side: Side, concurrency: usize) -> f64 {
    let one = || async {
        match side {
            Side::Anam => op.anam(&setup.client, &setup.create).await,
            Side::Generated => op.generated(&setup.generated, &setup.body).await,
            Side::Baseline => op.baseline(&setup.baseline, &setup.body).await,
        }
    };
    let started = Instant::now();
    if concurrency == 1 {
        one().await;
    } else {
        join_all((0..concurrency).map(|_| one())).await;
    }
    started.elapsed().as_secs_f64() * 1e6
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number is the scale.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let scale: f64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1.0);
    let only = args.iter().find(|a| a.parse::<f64>().is_err());
    let setup = Setup::new();
    println!("paired overhead, medians of interleaved units (scale {scale})");
    println!("| operation | concurrency | anam | generated alone | baseline | ratio anam/baseline | target | met |");
    println!("|---|---|---|---|---|---|---|---|");
    for (op, name) in Op::ALL.into_iter().filter(|(_, name)| only.is_none_or(|o| o == name)) {
        for concurrency in [1, 64] {
            let base = if concurrency == 1 { 3000.0 } else { 300.0 };
            let per_op = if matches!(op, Op::List) { 0.3 } else { 1.0 };
            let iterations = ((base * per_op * scale) as usize).max(6);
            let mut times: [Vec<f64>; 3] = Default::default();
            setup.client_runtime.block_on(async {
                // Warm every side (connections, allocator) before measuring.
                for side in ORDERS[0] {
                    for _ in 0..3 {
                        unit(&setup, op, side, concurrency).await;
                    }
                }
                for i in 0..iterations {
                    for side in ORDERS[i % 6] {
                        times[side as usize].push(unit(&setup, op, side, concurrency).await);
                    }
                }
            });
            let [anam, generated, baseline] = times.map(|mut t| median(&mut t));
            let row = if concurrency == 1 {
                let ratio = anam / baseline;
                let f = |v: f64| format!("{v:.1} µs");
                (f(anam), f(generated), f(baseline), ratio, "<= 1.10", ratio <= 1.10)
            } else {
                let per_second = |v: f64| concurrency as f64 / v * 1e6;
                let ratio = baseline / anam;
                let f = |v: f64| format!("{:.0} req/s", per_second(v));
                (f(anam), f(generated), f(baseline), ratio, ">= 0.90", ratio >= 0.90)
            };
            let (a, g, b, ratio, target, met) = row;
            println!(
                "| {name} | {concurrency} | {a} | {g} | {b} | {ratio:.3} | {target} | {} |",
                if met { "yes" } else { "NO" }
            );
        }
    }
}
