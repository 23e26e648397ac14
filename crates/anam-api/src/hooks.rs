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

/// The future an [`Exec`] returns.
pub type ExecFuture<'a> = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends one request of an operation, however it likes (retrying, adding headers, tracing).
pub trait Exec: Debug + Send + Sync {
    /// Sends `request`, the request of the operation `operation_id` (e.g. `createPersona`), with
    /// `client`, and returns the final response.
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecFuture<'a>;
}

/// The state the generated client carries: an optional [`Exec`] that sends its requests.
pub type Inner = Option<Arc<dyn Exec>>;

impl ClientHooks<Inner> for Client {
    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        match self.inner() {
            Some(exec) => exec.exec(self.client(), request, info.operation_id).await,
            None => self.client().execute(request).await,
        }
    }
}
