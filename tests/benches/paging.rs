//! Paging at scale: streaming 10,000 personas from `anam-mock`, against fetching the same 100
//! pages one by one. Prints figures; asserts nothing.
//!
//! ```text
//! cargo bench -p anam-tests --bench paging
//! ```
//!
//! Memory is the peak of live heap bytes allocated on the client's thread (the fake runs on
//! another thread, so its 10,000 stored personas are not counted), above what was live when the
//! measurement started, in 3 runs of their own. Each of 21 timed runs (no counting: its atomic
//! operations on every allocation would weigh on the side that allocates more) fetches the pages,
//! each dropped inside the timing as the stream's consumer drops each item, and streams, in
//! alternating order; the time ratio is the median of the runs' ratios. Target: the stream takes
//! no more than 1.1x the sum of the page fetches. Its memory is one page plus the ids it has
//! yielded (it skips every id seen before), which the table gives per item.
//!
//! The counting allocator is hand-written because it counts per thread: `dhat` and the like count
//! the whole process, here including the fake serving the pages on another thread.

// The one unsafe item of the workspace: a global allocator that counts bytes (GlobalAlloc is an
// unsafe trait). It only adds bookkeeping around the system allocator.
#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use anam::ListPersonas;
use common::Fake;
use futures::TryStreamExt;

const PERSONAS: usize = 10_000;
const PER_PAGE: u64 = 100;
const RUNS: usize = 21;
const MEMORY_RUNS: usize = 3;

/// Counts live bytes and their peak, for allocations made on threads that opted in.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    COUNTED.try_with(Cell::get).unwrap_or(false)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            let live = LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed) + layout.size() as isize;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counted() {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, with counting on for this thread when `count` says so; returns its value, time and
/// peak bytes above the start (0 uncounted). Timed runs are uncounted: the counting's atomic
/// operations on every allocation would weigh on the side that allocates more.
fn measured<T>(count: bool, f: impl FnOnce() -> T) -> (T, Duration, isize) {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    COUNTED.with(|c| c.set(count));
    let started = Instant::now();
    let value = f();
    let took = started.elapsed();
    COUNTED.with(|c| c.set(false));
    (value, took, if count { PEAK.load(Ordering::Relaxed) - start } else { 0 })
}

fn median<T: Copy + PartialOrd>(values: &mut [T]) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

fn main() {
    let Fake { runtime, client, .. } = &Fake::with_personas(PERSONAS);
    let pages = (PERSONAS as u64).div_ceil(PER_PAGE);
    // Warm the connection and the allocator.
    runtime.block_on(client.personas().list(ListPersonas::new().per_page(PER_PAGE))).expect("list");

    let (mut sums, mut streams, mut page_peaks, mut stream_peaks, mut collect_peaks) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut ratios = Vec::new();
    // The first MEMORY_RUNS runs count bytes (their times are not used), the other RUNS time.
    for run in 0..MEMORY_RUNS + RUNS {
        let count = run < MEMORY_RUNS;
        // The pages one by one; each page is dropped before the next is fetched.
        let fetch_pages = || {
            let mut sum = Duration::ZERO;
            let mut peak = 0;
            for page in 1..=pages {
                let request = ListPersonas::new().page(page).per_page(PER_PAGE);
                // The page is dropped inside the timing, as the stream's consumer drops each item.
                let (len, took, page_peak) =
                    measured(count, || runtime.block_on(client.personas().list(request)).expect("page").data.len());
                assert_eq!(len, PER_PAGE as usize);
                sum += took;
                peak = peak.max(page_peak);
            }
            (sum, peak)
        };
        // The stream, consumed item by item.
        let stream_all = || {
            let (items, took, stream_peak) = measured(count, || {
                runtime.block_on(async {
                    let mut stream = client.personas().stream(ListPersonas::new());
                    let mut count = 0;
                    while stream.try_next().await.expect("item").is_some() {
                        count += 1;
                    }
                    count
                })
            });
            assert_eq!(items, PERSONAS);
            (took, stream_peak)
        };
        // Alternate which goes first, so drift of the machine hits both alike.
        let ((sum, peak), (took, stream_peak)) = if run % 2 == 0 {
            let pages = fetch_pages();
            (pages, stream_all())
        } else {
            let stream = stream_all();
            (fetch_pages(), stream)
        };
        if count {
            page_peaks.push(peak);
            stream_peaks.push(stream_peak);
            // For contrast: collecting everything.
            let (all, _, collect_peak) =
                measured(true, || runtime.block_on(client.personas().list_all(ListPersonas::new())).expect("all"));
            assert_eq!(all.len(), PERSONAS);
            collect_peaks.push(collect_peak);
        } else {
            sums.push(sum);
            streams.push(took);
            ratios.push(took.as_secs_f64() / sum.as_secs_f64());
        }
    }
    let (sum, stream) = (median(&mut sums), median(&mut streams));
    let (page_peak, stream_peak, collect_peak) =
        (median(&mut page_peaks), median(&mut stream_peaks), median(&mut collect_peaks));
    let kib = |bytes: isize| bytes as f64 / 1024.0;
    let time_ratio = median(&mut ratios);
    let per_item = (stream_peak - page_peak) as f64 / PERSONAS as f64;
    println!(
        "paging {PERSONAS} personas, {PER_PAGE} a page ({pages} pages), medians of {RUNS} timed and {MEMORY_RUNS} counted runs"
    );
    println!("| measure | value | target | met |");
    println!("|---|---|---|---|");
    println!("| sum of {pages} page fetches | {:.1} ms | | |", sum.as_secs_f64() * 1e3);
    println!("| stream of all items | {:.1} ms | | |", stream.as_secs_f64() * 1e3);
    println!(
        "| stream / sum of fetches (median of the runs' ratios) | {time_ratio:.3} | <= 1.1 | {} |",
        if time_ratio <= 1.1 { "yes" } else { "NO" }
    );
    println!("| peak heap, one page fetch | {:.0} KiB | | |", kib(page_peak));
    println!("| peak heap, stream | {:.0} KiB | | |", kib(stream_peak));
    println!("| stream peak above one page, per item yielded (the ids it remembers) | {per_item:.0} bytes | | |");
    println!("| peak heap, list_all (collects all, for contrast) | {:.0} KiB | | |", kib(collect_peak));
}
