//! Any operation chosen at run time, with its inputs as named values: what a command line or an
//! assistant needs to offer every operation of the spec through one call path.
//!
//! `cargo xtask codegen` writes [`send`] (in the generated client): for the operation it is
//! given, it builds that operation's generated builder from the [`Arguments`] (each parameter
//! and the body decoded into its generated type) and hands it to a [`Sender`], which sends it as
//! any other [`Call`] and encodes the answer as JSON. So the inputs are checked by the same
//! types and checks as in Rust code, and an operation added to the spec can be sent this way
//! with no code written for it. The `anam` crate implements both traits (`anam::dynamic`).

use std::future::Future;

use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::invalid::ValidationError;

pub use crate::generated::dispatch::send;

/// Where [`send`] reads an operation's inputs from, by their names on the wire
/// ([`crate::facts::Operation::inputs`]).
pub trait Arguments: Sync {
    /// The parameter `name` (`id`, `perPage`) decoded as `T`, or `None` when it was not given.
    fn parameter<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ValidationError>;

    /// The JSON body decoded as `T`, from the body fields given.
    fn body<T: DeserializeOwned>(&self) -> Result<T, ValidationError>;
}

/// What [`send`] hands the operation's builder to.
pub trait Sender: Sync {
    /// What a failed call is; a refused input becomes one through `From`.
    type Error: From<ValidationError>;

    /// Sends `call` and returns its answer as JSON.
    fn send<C>(&self, call: C) -> impl Future<Output = Result<serde_json::Value, Self::Error>> + Send
    where
        C: Call,
        C::Output: serde::Serialize;
}

/// The error of a required input that was not given.
pub fn missing(name: &str) -> ValidationError {
    ValidationError::new(name, "missing", "given: the operation requires it")
}

/// The error of an operation [`send`] cannot build from JSON: one whose only body is a
/// `multipart/form-data` upload, which the `anam` crate sends itself.
pub fn not_json(operation: crate::facts::Operation) -> ValidationError {
    ValidationError::new(operation.id(), "called without a file", "given a file to upload")
}
