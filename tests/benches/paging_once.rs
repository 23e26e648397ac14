//! Streams 10,000 personas from `anam-mock` once, or fetches the same 100 pages one by one, and
//! exits: for profilers (callgrind, perf), which the timed `paging` bench would swamp. Asserts
//! only that every item arrives.
//!
//! ```text
//! cargo bench -p anam-tests --bench paging_once -- stream|pages
//! valgrind --tool=callgrind target/release/deps/paging_once-<hash> pages
//! valgrind --tool=callgrind target/release/deps/paging_once-<hash> stream   # (second - first) / 100
//! ```
//!
//! The difference of the two totals, divided by the 100 pages, is what the stream costs per page
//! beyond fetching it (the setup, the fake's work and the page fetches are the same in both).

mod common;

use anam::ListPersonas;
use common::Fake;
use futures::TryStreamExt;

const PERSONAS: usize = 10_000;
const PER_PAGE: u64 = 100;

fn main() {
    // `cargo bench` passes `--bench`; the mode is the first other argument.
    let mode = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let stream = match mode.as_deref() {
        Some("stream") => true,
        Some("pages") => false,
        _ => {
            eprintln!("usage: paging_once stream|pages");
            std::process::exit(2);
        }
    };
    let Fake { runtime, client, .. } = &Fake::with_personas(PERSONAS);
    let received = runtime.block_on(async {
        let mut received = 0;
        if stream {
            let mut items = client.personas().stream(ListPersonas::new().per_page(PER_PAGE));
            while items.try_next().await.expect("item").is_some() {
                received += 1;
            }
        } else {
            for page in 1..=(PERSONAS as u64).div_ceil(PER_PAGE) {
                let request = ListPersonas::new().page(page).per_page(PER_PAGE);
                received += client.personas().list(request).await.expect("page").data.len();
            }
        }
        received
    });
    assert_eq!(received, PERSONAS);
    println!("{} {received} personas", if stream { "streamed" } else { "fetched" });
}
