//! Faults the fake can inject.

use std::time::Duration;

use anam_api::Operation;

/// What goes wrong with a request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this status with a JSON error body (and `Retry-After`, if given), without processing.
    Status {
        /// The status to answer.
        status: u16,
        /// The `Retry-After` header value, e.g. `"1"`.
        retry_after: Option<String>,
    },
    /// Wait this long, then process the request normally.
    Delay(Duration),
    /// Close the connection without an answer, before processing (nothing changes).
    DropBeforeProcessing,
    /// Process the request (a create creates), then close the connection without an answer.
    DropAfterProcessing,
    /// Process the request, then send only the first half of the JSON body.
    TruncatedBody,
    /// Answer this status with an HTML page, as a proxy in front of the API would, without processing.
    HtmlPage(u16),
}

impl Fault {
    /// [`Fault::Status`] without `Retry-After`.
    pub fn status(status: u16) -> Fault {
        Fault::Status { status, retry_after: None }
    }

    /// [`Fault::Status`] with a `Retry-After` header.
    pub fn status_with_retry_after(status: u16, retry_after: impl Into<String>) -> Fault {
        Fault::Status { status, retry_after: Some(retry_after.into()) }
    }
}

/// A fault planned for the next `remaining` matching requests.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub fault: Fault,
    pub only: Option<Operation>,
    pub remaining: usize,
}

/// The HTML page [`Fault::HtmlPage`] sends.
pub(crate) fn html_page(status: u16, reason: &str) -> String {
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}
