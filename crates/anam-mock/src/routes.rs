//! The HTTP surface: every operation of the spec (`anam_api::Operation::ALL`) at its method and
//! path template, behind the bearer check, read into an [`Input`] and handed to the handler of
//! its resource's module.

use std::sync::Arc;

use anam_api::Operation;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use http::StatusCode;

use crate::input::Input;
use crate::reply::{Answer, Failure, error, refuse};
use crate::{
    Shared, analytics, avatars, knowledge, llms, meetings, personas, sessions, share_links, tokens, tools, voices,
};

/// What the fake answers a request that matches no operation of the spec.
pub(crate) const NO_ROUTE: &str = "No operation of the API has this method and path";

/// The routes: each operation of the spec at its path template.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for &op in Operation::ALL {
        let Some(method) = method_filter(op.method()) else { continue };
        let handler = move |State(shared): State<Arc<Shared>>, request: Request| handle(op, shared, request);
        router = router.route(op.path(), on(method, handler));
    }
    router
        .fallback(|| async { error(StatusCode::NOT_FOUND, NO_ROUTE) })
        .method_not_allowed_fallback(|| async { error(StatusCode::METHOD_NOT_ALLOWED, NO_ROUTE) })
        // Each operation reads its body within its own limit (`Input::read`).
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
}

fn method_filter(method: &str) -> Option<MethodFilter> {
    match method {
        "GET" => Some(MethodFilter::GET),
        "POST" => Some(MethodFilter::POST),
        "PUT" => Some(MethodFilter::PUT),
        "DELETE" => Some(MethodFilter::DELETE),
        "PATCH" => Some(MethodFilter::PATCH),
        _ => None,
    }
}

/// One request of `op`: the credential, the input, then its handler under the state's lock.
async fn handle(op: Operation, shared: Arc<Shared>, request: Request) -> Response {
    if !authorized(&shared, op, crate::input::bearer(request.headers()).as_deref()) {
        return unauthorized();
    }
    let input = match Input::read(op, request).await {
        Ok(input) => input,
        Err(problem) => return Failure::Invalid(problem).into_response(),
    };
    if let Err(problem) = crate::validate::check_body_rules(&input) {
        return Failure::Invalid(problem).into_response();
    }
    let answer = dispatch(&mut shared.state(), &input);
    match answer {
        Ok(reply) => reply.into_response(),
        Err(failure) => failure.into_response(),
    }
}

fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "Invalid or missing API key")
}

/// The API key, or for the engine session a session token the fake issued.
fn authorized(shared: &Shared, op: Operation, bearer: Option<&str>) -> bool {
    let Some(bearer) = bearer else { return false };
    if bearer == shared.api_key {
        return true;
    }
    op == Operation::CreateEngineSession && shared.state().tokens.iter().any(|t| t.token.expose_secret() == bearer)
}

/// The handler of each operation.
fn dispatch(state: &mut crate::state::State, input: &Input) -> Answer {
    use Operation as O;
    let handler: fn(&mut crate::state::State, &Input) -> Answer = match input.op {
        O::ListPersonas => personas::list,
        O::CreatePersona => personas::create,
        O::GetPersona => personas::get,
        O::UpdatePersona => personas::update,
        O::DeletePersona => personas::delete,
        O::CreateSessionToken => tokens::create,
        O::ListAvatars => avatars::list,
        O::CreateAvatar => avatars::create,
        O::GetAvatar => avatars::get,
        O::UpdateAvatar => avatars::update,
        O::DeleteAvatar => avatars::delete,
        O::ListVoices => voices::list,
        O::CreateVoice => voices::create,
        O::CreateVoicePresignedUpload => voices::presigned_upload,
        O::GetVoice => voices::get,
        O::UpdateVoice => voices::update,
        O::DeleteVoice => voices::delete,
        O::ListLlms => llms::list,
        O::CreateLlm => llms::create,
        O::GetLlm => llms::get,
        O::UpdateLlm => llms::update,
        O::DeleteLlm => llms::delete,
        O::ListTools => tools::list,
        O::CreateTool => tools::create,
        O::GetTool => tools::get,
        O::UpdateTool => tools::update,
        O::DeleteTool => tools::delete,
        O::ListMeetingInvites => meetings::list,
        O::CreateMeetingInvite => meetings::create,
        O::GetMeetingInvite => meetings::get,
        O::CancelMeetingInvite => meetings::cancel,
        O::ListShareLinks => share_links::list,
        O::CreateShareLink => share_links::create,
        O::GetShareLink => share_links::get,
        O::UpdateShareLink => share_links::update,
        O::DeleteShareLink => share_links::delete,
        O::ListSessions => sessions::list,
        O::GetSessionConcurrency => sessions::concurrency,
        O::GetAggregatedSessionAnalytics => analytics::aggregate,
        O::GetSession => sessions::get,
        O::GetSessionTranscript => sessions::transcript,
        O::StopSession => sessions::stop,
        O::GetSessionRecording => sessions::recording,
        O::GetSessionAnalytics => analytics::session,
        O::ListKnowledgeGroups => knowledge::list_groups,
        O::CreateKnowledgeGroup => knowledge::create_group,
        O::GetKnowledgeGroup => knowledge::get_group,
        O::UpdateKnowledgeGroup => knowledge::update_group,
        O::DeleteKnowledgeGroup => knowledge::delete_group,
        O::SearchKnowledgeGroup => knowledge::search,
        O::ListKnowledgeGroupDocuments => knowledge::list_documents,
        O::UploadKnowledgeGroupDocument => knowledge::upload,
        O::GetKnowledgeDocument => knowledge::get_document,
        O::UpdateKnowledgeDocument => knowledge::update_document,
        O::DeleteKnowledgeDocument => knowledge::delete_document,
        O::GetKnowledgeDocumentDownload => knowledge::download,
        O::CreateEngineSession => sessions::engine_session,
        // An operation added to the spec after this fake was written: routed, not yet served.
        _ => {
            return Err(refuse(StatusCode::NOT_IMPLEMENTED, format!("anam-mock does not serve {} yet", input.op.id())));
        }
    };
    handler(state, input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    /// Every operation of the spec reaches a handler: its answer is not the fake's "no route"
    /// (404 or 405 with [`NO_ROUTE`]) nor the 501 of an operation it does not serve.
    #[tokio::test]
    async fn every_operation_gets_an_answer_from_its_handler() {
        let shared = Shared::new(crate::DEFAULT_API_KEY.to_owned(), None);
        let router = router(Arc::new(shared));
        for &op in Operation::ALL {
            let path = op.path().replace("{id}", "00000000-0000-0000-0000-00000000abcd");
            let request = http::Request::builder()
                .method(op.method())
                .uri(&path)
                .header("authorization", format!("Bearer {}", crate::DEFAULT_API_KEY))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{}"))
                .unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&body);
            assert!(!text.contains(NO_ROUTE), "{op:?} {path}: {status} {text}");
            assert_ne!(status, StatusCode::NOT_IMPLEMENTED, "{op:?}: {text}");
            assert!(op.statuses().contains(&status.as_u16()), "{op:?} answered {status}, which the spec does not list");
        }
    }

    #[test]
    fn a_method_the_router_cannot_route_is_none() {
        assert_eq!(method_filter("TRACE"), None);
        assert!(Operation::ALL.iter().all(|op| method_filter(op.method()).is_some()));
    }
}
