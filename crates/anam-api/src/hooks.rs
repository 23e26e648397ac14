//! Hand-written glue: the `ClientHooks` impl that the orphan rule forces into this crate.
//!
//! The generated [`Client`] carries an [`Inner`] value. When it holds an [`Exec`], every request
//! goes through it (the `anam` crate uses this for authentication, retries, timeouts and tracing);
//! when it is `None`, requests go straight to the `reqwest::Client`.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::Client;

/// The future [`Exec::settle`] returns.
pub type ExecFuture<'a> = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends the requests of the generated client, however it likes (adding headers, retrying,
/// tracing). The first attempt is sent here, without an allocation of its own; only an outcome
/// that [`Exec::done`] does not accept goes to [`Exec::settle`] (boxed).
pub trait Exec: Debug + Send + Sync {
    /// Readies `request` for its first attempt (headers, timeout) and returns a copy to send
    /// again, if it may be retried.
    fn prepare(&self, request: &mut reqwest::Request) -> Option<reqwest::Request>;

    /// Whether the first attempt's `outcome` is final as it is (a success, say).
    fn done(&self, outcome: &reqwest::Result<reqwest::Response>) -> bool;

    /// Turns a first attempt's outcome that is not [`done`](Exec::done) into the final one
    /// (retrying with `spare`, reading an error answer).
    fn settle<'a>(
        &'a self,
        client: &'a reqwest::Client,
        outcome: reqwest::Result<reqwest::Response>,
        spare: Option<reqwest::Request>,
    ) -> ExecFuture<'a>;
}

/// The state the generated client carries: an optional [`Exec`] that sends its requests.
pub type Inner = Option<Arc<dyn Exec>>;

impl ClientHooks<Inner> for Client {
    async fn exec(&self, mut request: reqwest::Request, _info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        let Some(exec) = self.inner() else {
            return self.client().execute(request).await;
        };
        let spare = exec.prepare(&mut request);
        let outcome = self.client().execute(request).await;
        if exec.done(&outcome) {
            return outcome;
        }
        exec.settle(self.client(), outcome, spare).await
    }
}
