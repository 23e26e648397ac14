//! The SDK's cost over the HTTP call it makes: the `anam` client against a hand-written baseline
//! (plain reqwest + serde_json: same request, same headers, same body, decoded into the same
//! types), both calling one minimal hyper server on 127.0.0.1 that answers canned bodies.
//!
//! ```text
//! cargo bench -p anam-tests --bench overhead
//! ```
//!
//! Groups: `latency_c1` (one request at a time) and `throughput_c64` (64 requests in flight per
//! iteration; criterion reports elements per second). Operations: create (the documented example
//! persona), get, and list of a 100-item page. For ratios robust to drift between the two sides,
//! see the paired harness `overhead_ratio`.

mod common;

use common::{Op, Setup};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures::future::join_all;

fn benches(c: &mut Criterion) {
    let setup = Setup::new();
    let Setup { client_runtime, client, baseline, create, body, .. } = &setup;

    let mut latency = c.benchmark_group("latency_c1");
    for (op, name) in Op::ALL {
        latency.bench_function(BenchmarkId::new(name, "anam"), |b| {
            b.to_async(client_runtime).iter(|| op.anam(client, create))
        });
        latency.bench_function(BenchmarkId::new(name, "baseline"), |b| {
            b.to_async(client_runtime).iter(|| op.baseline(baseline, body))
        });
    }
    latency.finish();

    let mut throughput = c.benchmark_group("throughput_c64");
    throughput.throughput(Throughput::Elements(64));
    for (op, name) in Op::ALL {
        throughput.bench_function(BenchmarkId::new(name, "anam"), |b| {
            b.to_async(client_runtime).iter(|| join_all((0..64).map(|_| op.anam(client, create))))
        });
        throughput.bench_function(BenchmarkId::new(name, "baseline"), |b| {
            b.to_async(client_runtime).iter(|| join_all((0..64).map(|_| op.baseline(baseline, body))))
        });
    }
    throughput.finish();
}

criterion_group! {
    name = overhead;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(overhead);
