//! `anam mcp --http ADDR`: rmcp's streamable HTTP transport at `http://ADDR/mcp`, served by
//! axum. A loopback address only, unless `--allow-remote`, which needs a bearer token (given
//! with `--bearer-token` or `ANAM_MCP_BEARER_TOKEN`). A token, when there is one, is checked on
//! every request, before rmcp reads it; on loopback, rmcp also refuses a `Host` that is not
//! loopback (DNS rebinding) and a browser's request from a page that is not served from this
//! machine (its `Origin`).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use super::{MIN_TOKEN_CHARS, Server, TOKEN_VARIABLE};

/// The largest request body, in bytes: an account file's limit (4 MiB) as a JSON string, with
/// room for its escapes.
const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;

/// The browser origins a loopback server answers: pages served from this machine.
const LOOPBACK_ORIGINS: [&str; 3] = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/// The path the transport answers at.
pub const PATH: &str = "/mcp";

/// `--http`'s address: `IP:PORT` (`127.0.0.1:8765`, `[::1]:8765`) or `localhost:PORT`.
pub fn parse_address(text: &str) -> Result<SocketAddr, String> {
    if let Some(port) = text.strip_prefix("localhost:") {
        let port: u16 = port.parse().map_err(|_| format!("{port:?} is not a port (0 to 65535)"))?;
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    text.parse().map_err(|_| "write it as IP:PORT (127.0.0.1:8765, [::1]:8765) or localhost:PORT".to_owned())
}

/// The bearer token: `--bearer-token`, else the environment's `ANAM_MCP_BEARER_TOKEN`, if
/// either is set; refused when shorter than [`MIN_TOKEN_CHARS`].
pub fn token(given: Option<String>, from_environment: Option<String>) -> Result<Option<String>, String> {
    let token = given.or(from_environment.filter(|t| !t.is_empty()));
    match token {
        Some(token) if token.chars().count() < MIN_TOKEN_CHARS || token.chars().any(char::is_whitespace) => {
            Err(format!(
                "the bearer token (--bearer-token or {TOKEN_VARIABLE}) must be at least {MIN_TOKEN_CHARS} characters, without spaces"
            ))
        }
        other => Ok(other),
    }
}

/// Whether `address` may be served with these switches: loopback always, another address only
/// with `--allow-remote` and a token.
pub fn check_address(address: SocketAddr, allow_remote: bool, has_token: bool) -> Result<(), String> {
    if address.ip().is_loopback() {
        return Ok(());
    }
    if !allow_remote {
        return Err(format!(
            "--http {address} is not a loopback address: anyone who reaches it could use the account; pass \
             --allow-remote with a bearer token ({TOKEN_VARIABLE} or --bearer-token) to serve other machines"
        ));
    }
    if !has_token {
        return Err(format!(
            "--allow-remote needs a bearer token: set {TOKEN_VARIABLE} (or pass --bearer-token) to a secret of at least {MIN_TOKEN_CHARS} characters"
        ));
    }
    Ok(())
}

/// Serves `server` at `address` until the process is stopped; its address and path are said on
/// standard error once it listens (with the port chosen, for port 0).
pub async fn serve(
    server: Server,
    address: SocketAddr,
    allow_remote: bool,
    token: Option<String>,
) -> Result<(), String> {
    check_address(address, allow_remote, token.is_some())?;
    let mut config = StreamableHttpServerConfig::default().with_max_request_body_bytes(MAX_REQUEST_BYTES);
    config = match address.ip().is_loopback() {
        // A browser page may call it only from a loopback origin (a local inspector), not from a site.
        true => config.with_allowed_origins(LOOPBACK_ORIGINS).enforce_origin_validation(),
        // Another machine reaches it by a name this one cannot know; the token guards it.
        false => config.disable_allowed_hosts(),
    };
    let described = server.describe();
    let service =
        StreamableHttpService::new(move || Ok(server.clone()), Arc::new(LocalSessionManager::default()), config);
    let mut router = axum::Router::new().nest_service(PATH, service);
    if let Some(token) = token {
        router = router.layer(axum::middleware::from_fn_with_state(Arc::new(token), bearer));
    }
    let listener =
        tokio::net::TcpListener::bind(address).await.map_err(|e| format!("--http {address}: cannot listen: {e}"))?;
    let bound = listener.local_addr().map_err(|e| format!("--http {address}: {e}"))?;
    eprintln!("{}", crate::text::line(&format!("anam mcp: {described} at http://{bound}{PATH}")));
    axum::serve(listener, router).await.map_err(|e| format!("the HTTP server stopped: {e}"))
}

/// Lets a request through only with `Authorization: Bearer TOKEN`; else 401.
async fn bearer(State(token): State<Arc<String>>, request: Request, next: Next) -> Response {
    let given = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let given = given.and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    match given.is_some_and(|given| same(given.trim().as_bytes(), token.as_bytes())) {
        true => next.run(request).await,
        false => {
            let headers = [(header::WWW_AUTHENTICATE, "Bearer")];
            (StatusCode::UNAUTHORIZED, headers, "a bearer token is required: Authorization: Bearer TOKEN\n")
                .into_response()
        }
    }
}

/// Whether `a` and `b` are the same bytes, in a time that depends on their lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_without_allow_remote_and_never_remote_without_a_token() {
        let loopback = parse_address("127.0.0.1:8765").unwrap();
        assert!(check_address(loopback, false, false).is_ok());
        assert!(check_address(parse_address("[::1]:0").unwrap(), false, false).is_ok());
        assert_eq!(parse_address("localhost:9").unwrap(), SocketAddr::from((Ipv4Addr::LOCALHOST, 9)));
        let any = parse_address("0.0.0.0:8765").unwrap();
        let err = check_address(any, false, true).unwrap_err();
        assert!(
            err.starts_with("--http 0.0.0.0:8765 is not a loopback address") && err.contains("--allow-remote"),
            "{err}"
        );
        let err = check_address(any, true, false).unwrap_err();
        assert!(err.starts_with("--allow-remote needs a bearer token"), "{err}");
        assert!(check_address(any, true, true).is_ok());
        assert!(parse_address("example.com:80").unwrap_err().contains("IP:PORT"));
        assert!(parse_address("localhost:http").is_err());
    }

    #[test]
    fn tokens_are_long_and_compared_whole() {
        assert_eq!(token(None, None).unwrap(), None);
        assert_eq!(token(None, Some(String::new())).unwrap(), None);
        assert!(token(Some("short".into()), None).unwrap_err().contains("at least 16 characters"));
        assert!(token(Some("sixteen chars ok".into()), None).is_err(), "no spaces");
        let env = "e".repeat(16);
        assert_eq!(token(None, Some(env.clone())).unwrap(), Some(env.clone()));
        assert_eq!(token(Some("g".repeat(20)), Some(env)).unwrap(), Some("g".repeat(20)), "the flag wins");
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd") && !same(b"abc", b"ab") && !same(b"", b"a"));
    }
}
