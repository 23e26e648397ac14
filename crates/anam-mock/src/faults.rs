//! Faults the fake can inject, and the operations they can be limited to.

use std::time::Duration;

/// An operation of the personas API, for limiting faults and counting requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `GET /v1/personas`
    ListPersonas,
    /// `POST /v1/personas`
    CreatePersona,
    /// `GET /v1/personas/{id}`
    GetPersona,
    /// `PUT /v1/personas/{id}`
    UpdatePersona,
    /// `DELETE /v1/personas/{id}`
    DeletePersona,
}

impl Operation {
    /// The operation a request is for, from its method and path (`None` for other routes).
    pub fn classify(method: &http::Method, path: &str) -> Option<Operation> {
        let rest = path.strip_prefix("/v1/personas")?;
        if rest.is_empty() {
            return match method.as_str() {
                "GET" => Some(Operation::ListPersonas),
                "POST" => Some(Operation::CreatePersona),
                _ => None,
            };
        }
        let id = rest.strip_prefix('/')?;
        if id.is_empty() || id.contains('/') {
            return None;
        }
        match method.as_str() {
            "GET" => Some(Operation::GetPersona),
            "PUT" => Some(Operation::UpdatePersona),
            "DELETE" => Some(Operation::DeletePersona),
            _ => None,
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn requests_are_classified_by_method_and_path() {
        assert_eq!(Operation::classify(&Method::GET, "/v1/personas"), Some(Operation::ListPersonas));
        assert_eq!(Operation::classify(&Method::POST, "/v1/personas"), Some(Operation::CreatePersona));
        assert_eq!(Operation::classify(&Method::GET, "/v1/personas/abc"), Some(Operation::GetPersona));
        assert_eq!(Operation::classify(&Method::PUT, "/v1/personas/abc"), Some(Operation::UpdatePersona));
        assert_eq!(Operation::classify(&Method::DELETE, "/v1/personas/abc"), Some(Operation::DeletePersona));
        assert_eq!(Operation::classify(&Method::GET, "/v1/personasx"), None);
        assert_eq!(Operation::classify(&Method::GET, "/v1/personas/a/b"), None);
        assert_eq!(Operation::classify(&Method::GET, "/v1/personas/"), None);
        assert_eq!(Operation::classify(&Method::PATCH, "/v1/personas/abc"), None);
    }
}
