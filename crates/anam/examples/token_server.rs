//! The server side of a real app: an `axum` endpoint that mints a session token for one persona
//! and returns it as JSON. The browser (or app) calls it, then streams the avatar with Anam's
//! client SDK; the API key never leaves this server.
//!
//! ```text
//! ANAM_API_KEY=... ANAM_PERSONA_ID=... cargo run -p anam --example token_server
//! curl -X POST http://127.0.0.1:3000/session-token      # {"sessionToken":"eyJ..."}
//! ```
//!
//! Without `ANAM_API_KEY` it starts the embedded `anam-mock` fake and creates a persona there.
//! `PORT` changes the port (default 3000). Its tests (`cargo test -p anam --example
//! token_server`, part of `cargo test --workspace`) run it against the fake.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use anam::{Client, CreatePersona, CreateSessionToken, PersonaId};

/// What the handler needs: a client (cheap to clone) and the persona the app streams.
#[derive(Clone)]
struct App {
    client: Client,
    persona: PersonaId,
}

/// `POST /session-token`: a fresh token for the app's persona.
fn router(app: App) -> Router {
    Router::new().route("/session-token", post(session_token)).with_state(app)
}

async fn session_token(State(app): State<App>) -> Response {
    let request = CreateSessionToken::persona(&app.persona).client_label("web");
    match app.client.sessions().token(request).await {
        Ok(token) => Json(json!({ "sessionToken": token.session_token.expose_secret() })).into_response(),
        Err(error) => {
            // The details stay in this server's log; the browser learns only that it failed.
            eprintln!("token_server: minting a session token failed: {error}");
            let status = if error.is_retryable() { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::BAD_GATEWAY };
            (status, Json(json!({ "error": "could not start a session" }))).into_response()
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut _mock = None; // the fake, kept alive while the server runs
    let app = if std::env::var(anam::API_KEY_ENV).is_ok_and(|key| !key.trim().is_empty()) {
        let persona = std::env::var("ANAM_PERSONA_ID").map_err(|_| "set ANAM_PERSONA_ID to the persona to stream")?;
        App { client: Client::from_env()?, persona: persona.into() }
    } else {
        let mock = anam_mock::MockServer::start().await;
        let client = Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build()?;
        let persona = client.personas().create(CreatePersona::cara()).await?.id;
        println!("ANAM_API_KEY is not set: using the embedded anam-mock fake, persona {persona}.");
        _mock = Some(mock);
        App { client, persona }
    };
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("POST http://{}/session-token mints a token", listener.local_addr()?);
    axum::serve(listener, router(app)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anam_mock::{Fault, MockServer, Operation};
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn app(mock: &MockServer) -> App {
        let client =
            Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).max_retries(0).build().unwrap();
        let persona = client.personas().create(CreatePersona::cara()).await.unwrap().id;
        App { client, persona }
    }

    async fn post(app: &App) -> (StatusCode, serde_json::Value) {
        let request = Request::post("/session-token").body(Body::empty()).unwrap();
        let response = router(app.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn the_endpoint_returns_the_token_the_api_issued_for_the_persona() {
        let mock = MockServer::start().await;
        let app = app(&mock).await;
        let (status, body) = post(&app).await;
        assert_eq!(status, StatusCode::OK);
        let issued = mock.issued_session_tokens();
        assert_eq!(issued.len(), 1);
        assert_eq!(body, json!({ "sessionToken": issued[0].token.expose_secret() }));
        let (_, again) = post(&app).await;
        assert_ne!(again, body, "every call mints a new token");
    }

    #[tokio::test]
    async fn a_failure_reaches_the_browser_without_details() {
        let mock = MockServer::start().await;
        let app = app(&mock).await;
        mock.inject_for(Operation::CreateSessionToken, Fault::status(500), 1);
        let (status, body) = post(&app).await;
        assert_eq!((status, body), (StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "could not start a session" })));
        app.client.personas().delete(&app.persona).await.unwrap();
        assert_eq!(post(&app).await.0, StatusCode::BAD_GATEWAY, "a persona that is gone is no retryable failure");
    }
}
