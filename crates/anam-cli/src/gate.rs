//! Bounded parallelism with a shared pause: every request of `plan`, `apply` and `export` goes
//! through one [`Gate`], which lets at most N of them out at once (`--parallelism`, a
//! semaphore) and holds all of them back while the server asks for a pause.
//!
//! A 429 or 503 slows the whole run down, not one request: the SDK tells of each retry it is
//! about to make ([`anam::ClientBuilder::on_retry`]), and a call's final error is seen here
//! too; either pauses every worker until the server's `Retry-After` has passed (else the SDK's
//! backoff, or for a final error a backoff shared by the run: 1 s, doubling to 16 s, back to 1 s
//! after a success). The SDK's own retries still apply within each call. A pause is at most a
//! minute: a longer `Retry-After` is not waited for (the call fails, and says so).

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::TryStreamExt;
use futures::stream::BoxStream;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// The default of `--parallelism`: requests at once (Terraform's default is 10; 8 keeps the
/// figures of `BENCHMARKS.md` within their targets on a 50 ms round trip).
pub const DEFAULT_PARALLELISM: usize = 8;

/// The longest pause the run takes for one answer.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// The first pause of the shared backoff, for a final 429 or 503 without `Retry-After`.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The longest pause of the shared backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(16);

/// The gate every request goes through.
#[derive(Debug)]
pub struct Gate {
    parallelism: usize,
    permits: Semaphore,
    pause: Mutex<Pause>,
}

/// When requests may go out again, and how many throttled answers came in a row.
#[derive(Debug, Default)]
struct Pause {
    until: Option<Instant>,
    throttled: u32,
}

impl Gate {
    /// A gate letting `parallelism` requests out at once (at least 1).
    pub fn new(parallelism: usize) -> Arc<Gate> {
        let parallelism = parallelism.max(1);
        Arc::new(Gate { parallelism, permits: Semaphore::new(parallelism), pause: Mutex::default() })
    }

    /// How many requests it lets out at once.
    pub fn parallelism(&self) -> usize {
        self.parallelism
    }

    /// Waits until no pause holds and a slot is free, and returns the slot: one request (or a
    /// sequence of them, one at a time) may go out while it is held.
    pub async fn admit(&self) -> SemaphorePermit<'_> {
        loop {
            self.wait_out_pause().await;
            // The semaphore is never closed, so acquiring fails never; a pause set while this
            // waited for a slot is waited out too.
            let Ok(permit) = self.permits.acquire().await else { continue };
            if self.paused_until().is_none_or(|until| until <= Instant::now()) {
                return permit;
            }
        }
    }

    /// Runs one call through the gate, and learns from its outcome.
    pub async fn call<T>(&self, call: impl Future<Output = anam::Result<T>>) -> anam::Result<T> {
        let _slot = self.admit().await;
        let outcome = call.await;
        self.learn(outcome.as_ref().err());
        outcome
    }

    /// Collects a list (its pages one after another) in one slot of the gate.
    pub async fn collect<T>(&self, stream: BoxStream<'static, anam::Result<T>>) -> anam::Result<Vec<T>> {
        let _slot = self.admit().await;
        let outcome = stream.try_collect().await;
        self.learn(outcome.as_ref().err());
        outcome
    }

    /// What the SDK tells of a retry: a 429 or 503 pauses every request for the wait it takes.
    pub fn observe_retry(&self, event: &anam::RetryEvent) {
        if event.status.is_some_and(throttles) {
            self.pause_for(event.retry_after.unwrap_or(event.wait));
        }
    }

    /// What a call's outcome tells: a final 429 or 503 pauses every request (its `Retry-After`,
    /// else the shared backoff); anything else ends the backoff.
    pub fn learn(&self, error: Option<&anam::Error>) {
        self.note(error.and_then(anam::Error::status), error.and_then(anam::Error::retry_after));
    }

    /// [`Gate::learn`] from an outcome's status (none for a success) and `Retry-After`.
    fn note(&self, status: Option<anam::StatusCode>, retry_after: Option<Duration>) {
        if !status.is_some_and(throttles) {
            self.lock().throttled = 0;
            return;
        }
        let backoff = {
            let mut pause = self.lock();
            pause.throttled = pause.throttled.saturating_add(1);
            FIRST_BACKOFF.saturating_mul(1 << (pause.throttled - 1).min(4)).min(MAX_BACKOFF)
        };
        self.pause_for(retry_after.unwrap_or(backoff));
    }

    /// Holds every request back for `wait` from now (at most [`MAX_PAUSE`]), unless a longer
    /// pause already holds.
    fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait.min(MAX_PAUSE);
        let mut pause = self.lock();
        pause.until = Some(pause.until.map_or(until, |current| current.max(until)));
    }

    /// When the current pause ends, if one was set.
    fn paused_until(&self) -> Option<Instant> {
        self.lock().until
    }

    /// Sleeps until no pause holds.
    async fn wait_out_pause(&self) {
        while let Some(until) = self.paused_until().filter(|until| *until > Instant::now()) {
            tokio::time::sleep_until(until).await;
        }
    }

    /// The pause, whatever a panicking holder left (it is plain data).
    fn lock(&self) -> std::sync::MutexGuard<'_, Pause> {
        self.pause.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether a status asks the whole run to slow down: 429 Too Many Requests, 503 Unavailable.
fn throttles(status: anam::StatusCode) -> bool {
    status == anam::StatusCode::TOO_MANY_REQUESTS || status == anam::StatusCode::SERVICE_UNAVAILABLE
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const TOO_MANY: anam::StatusCode = anam::StatusCode::TOO_MANY_REQUESTS;

    /// A call that takes 50 ms of the (paused, virtual) clock, counting calls at once.
    async fn slow(now: &AtomicUsize, peak: &AtomicUsize) -> anam::Result<Instant> {
        let at = now.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(at, Ordering::SeqCst);
        let started = Instant::now();
        tokio::time::sleep(Duration::from_millis(50)).await;
        now.fetch_sub(1, Ordering::SeqCst);
        Ok(started)
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_n_calls_run_at_once() {
        let gate = Gate::new(3);
        let (now, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let calls = (0..10).map(|_| gate.call(slow(&now, &peak)));
        let started = Instant::now();
        futures::future::try_join_all(calls).await.unwrap();
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        assert_eq!(started.elapsed(), Duration::from_millis(200), "four rounds of 50 ms (virtual time)");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_every_worker_until_its_retry_after() {
        let gate = Gate::new(4);
        let (now, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let start = Instant::now();
        gate.note(Some(TOO_MANY), Some(Duration::from_secs(2)));
        let calls = (0..4).map(|_| gate.call(slow(&now, &peak)));
        let started = futures::future::try_join_all(calls).await.unwrap();
        assert!(started.iter().all(|at| *at >= start + Duration::from_secs(2)), "none before the Retry-After");
        gate.note(Some(anam::StatusCode::INTERNAL_SERVER_ERROR), None);
        assert_eq!(gate.lock().throttled, 0, "another outcome ends the shared backoff");
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_set_while_running_holds_back_the_next_requests() {
        let gate = Gate::new(2);
        let start = Instant::now();
        let throttled = async {
            gate.note(Some(TOO_MANY), Some(Duration::from_secs(3)));
            Ok(Instant::now())
        };
        let mut calls = vec![gate.call(throttled).boxed_local()];
        calls.extend((0..3).map(|_| gate.call(async { Ok(Instant::now()) }).boxed_local()));
        let started = futures::future::try_join_all(calls).await.unwrap();
        assert_eq!(started[0], start);
        assert!(started[1..].iter().all(|at| *at == start + Duration::from_secs(3)), "{started:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn without_retry_after_the_backoff_is_shared_and_doubles() {
        let gate = Gate::new(2);
        let start = Instant::now();
        gate.note(Some(TOO_MANY), None);
        assert_eq!(gate.paused_until(), Some(start + Duration::from_secs(1)));
        gate.note(Some(TOO_MANY), None);
        assert_eq!(gate.paused_until(), Some(start + Duration::from_secs(2)));
        for _ in 0..10 {
            gate.note(Some(TOO_MANY), None);
        }
        assert_eq!(gate.paused_until(), Some(start + MAX_BACKOFF));
        gate.note(Some(anam::StatusCode::SERVICE_UNAVAILABLE), Some(Duration::from_secs(86400)));
        assert_eq!(gate.paused_until(), Some(start + MAX_PAUSE), "a pause is at most a minute");
    }
}
