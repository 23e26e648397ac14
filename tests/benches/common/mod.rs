//! What the harnesses share: the canned loopback server, the hand-written baseline,
//! and the operations each side runs; and, for the paging harnesses, the fake with its personas.

#![allow(dead_code)] // each harness uses a part

use std::convert::Infallible;
use std::net::SocketAddr;

use anam::types::{Persona, PersonaCreate, PersonaList};
use anam::{Client, CreatePersona, ListPersonas};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use tokio::runtime::Runtime;

pub const KEY: &str = "bench-key";
const ID: &str = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";
const PERSONA: &str = include_str!("../../../crates/anam/tests/fixtures/persona_full.json");

/// A 100-item list page, built once from the summary fixture shape.
fn page_of_100() -> Bytes {
    let items: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            serde_json::json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "name": format!("Persona {i}"),
            "description": "", "personaPreset": "", "avatar": {"id": "30fa96d0-26c4-4e55-94a0-517025942e18",
            "displayName": "Cara"}, "voice": {"id": "6bfbe25a-979d-40f3-a92b-5394170af54b", "provider": "ELEVENLABS"},
            "voiceSpeed": null, "isDefaultPersona": false, "languageCode": "inherit",
            "createdAt": "2026-04-01T10:00:00.000Z", "updatedAt": "2026-04-01T10:00:00.000Z"})
        })
        .collect();
    let page = serde_json::json!({"data": items,
        "meta": {"total": 100, "lastPage": 1, "currentPage": 1, "perPage": 100, "prev": null, "next": null}});
    Bytes::from(serde_json::to_vec(&page).expect("a page serializes"))
}

/// Serves canned answers on 127.0.0.1: 201 + persona for POST, the page for the list, the persona otherwise.
pub fn start_server(runtime: &Runtime) -> SocketAddr {
    let persona = Bytes::from_static(PERSONA.as_bytes());
    let page = page_of_100();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    runtime.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let (persona, page) = (persona.clone(), page.clone());
            let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                let (persona, page) = (persona.clone(), page.clone());
                async move {
                    let (parts, body) = request.into_parts();
                    let _ = body.collect().await; // read the request like a real server
                    let (status, bytes) = match (parts.method.as_str(), parts.uri.path()) {
                        ("POST", _) => (StatusCode::CREATED, persona),
                        ("GET", "/v1/personas") => (StatusCode::OK, page),
                        _ => (StatusCode::OK, persona),
                    };
                    let mut response = Response::new(Full::new(bytes));
                    *response.status_mut() = status;
                    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    address
}

/// The hand-written baseline: what a user without the SDK would write with reqwest and serde_json.
pub struct Baseline {
    http: reqwest::Client,
    base: String,
    auth: HeaderValue,
    agent: HeaderValue,
}

impl Baseline {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(anam::DEFAULT_CONNECT_TIMEOUT)
            .timeout(anam::DEFAULT_TIMEOUT)
            .build()
            .expect("reqwest client");
        let mut auth = HeaderValue::from_str(&format!("Bearer {KEY}")).expect("header");
        auth.set_sensitive(true);
        let agent = HeaderValue::from_str(&format!("anam-rust/{}", env!("CARGO_PKG_VERSION"))).expect("header");
        Baseline { http, base: base.to_string(), auth, agent }
    }

    /// A client like the baseline's that adds its two per-client headers by itself, for the
    /// generated client, which knows nothing of keys.
    fn http_with_headers(&self) -> reqwest::Client {
        let headers = [(AUTHORIZATION, self.auth.clone()), (USER_AGENT, self.agent.clone())];
        reqwest::Client::builder()
            .default_headers(headers.into_iter().collect())
            .connect_timeout(anam::DEFAULT_CONNECT_TIMEOUT)
            .timeout(anam::DEFAULT_TIMEOUT)
            .build()
            .expect("reqwest client")
    }

    fn request(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        builder
            .header(AUTHORIZATION, self.auth.clone())
            .header(USER_AGENT, self.agent.clone())
            .header(ACCEPT, "application/json")
            .header("api-version", "1.0")
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, builder: reqwest::RequestBuilder) -> T {
        let response = self.request(builder).send().await.expect("sent");
        assert!(response.status().is_success(), "{}", response.status());
        let body = response.bytes().await.expect("body");
        serde_json::from_slice(&body).expect("decodes")
    }

    async fn create(&self, body: &PersonaCreate) -> Persona {
        let bytes = serde_json::to_vec(body).expect("serializes");
        let builder = self.http.post(format!("{}/v1/personas", self.base)).header(CONTENT_TYPE, "application/json");
        self.send(builder.body(bytes)).await
    }

    async fn get(&self, id: &str) -> Persona {
        self.send(self.http.get(format!("{}/v1/personas/{id}", self.base))).await
    }

    async fn list(&self) -> PersonaList {
        self.send(self.http.get(format!("{}/v1/personas", self.base)).query(&[("perPage", "100")])).await
    }
}

/// The operations, each run by both sides; `usize` counts the items decoded (to keep the work observable).
#[derive(Clone, Copy)]
pub enum Op {
    Create,
    Get,
    List,
}

impl Op {
    pub const ALL: [(Op, &'static str); 3] = [(Op::Create, "create"), (Op::Get, "get"), (Op::List, "list100")];

    pub async fn anam(self, client: &Client, create: &CreatePersona) -> usize {
        let personas = client.personas();
        match self {
            Op::Create => personas.create(create.clone()).await.map(|p| p.id.len()),
            Op::Get => personas.get(ID).await.map(|p| p.id.len()),
            Op::List => personas.list(ListPersonas::new().per_page(100)).await.map(|l| l.data.len()),
        }
        .expect("the anam call succeeds")
    }

    /// The generated client alone, without the `anam` layer (no retries, tracing or error mapping).
    pub async fn generated(self, client: &anam_api::Client, body: &PersonaCreate) -> usize {
        match self {
            Op::Create => client.create_persona().body(body.clone()).send().await.map(|p| p.id.len()),
            Op::Get => client.get_persona().id(ID).send().await.map(|p| p.id.len()),
            Op::List => client.list_personas().per_page(100).send().await.map(|l| l.data.len()),
        }
        .expect("the generated call succeeds")
    }

    pub async fn baseline(self, baseline: &Baseline, body: &PersonaCreate) -> usize {
        match self {
            Op::Create => baseline.create(&body.clone()).await.id.len(),
            Op::Get => baseline.get(ID).await.id.len(),
            Op::List => baseline.list().await.data.len(),
        }
    }
}

/// Everything a harness needs: the server's runtime (keep it alive), a client runtime, the sides.
pub struct Setup {
    pub server_runtime: Runtime,
    pub client_runtime: Runtime,
    pub client: Client,
    pub baseline: Baseline,
    pub generated: anam_api::Client,
    pub create: CreatePersona,
    pub body: PersonaCreate,
}

impl Setup {
    /// The server on a one-thread runtime, both clients on a current-thread runtime.
    pub fn new() -> Setup {
        let server_runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let address = start_server(&server_runtime);
        let client_runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let base = format!("http://{address}");
        let client = Client::builder().base_url(&base).api_key(KEY).build().expect("client");
        let baseline = Baseline::new(&base);
        let settings = anam_api::hooks::RequestSettings::default();
        let generated = anam_api::Client::new_with_client(&base, baseline.http_with_headers(), settings);
        let create = CreatePersona::documented_example();
        let body = create.clone().build().expect("the documented example is valid");
        Setup { server_runtime, client_runtime, client, baseline, generated, create, body }
    }
}

/// `anam-mock` holding `count` personas, on a one-worker runtime of its own (keep it alive), and
/// a client of it on a current-thread runtime: what the paging harnesses share.
pub struct Fake {
    pub mock_runtime: Runtime,
    pub mock: anam_mock::MockServer,
    pub runtime: Runtime,
    pub client: Client,
}

impl Fake {
    pub fn with_personas(count: usize) -> Fake {
        let mock_runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let mock = mock_runtime.block_on(anam_mock::MockServer::start());
        for n in 0..count {
            mock.insert(PersonaCreate { name: Some(format!("Persona {n:05}")), ..Default::default() });
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let client = Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build().expect("client");
        Fake { mock_runtime, mock, runtime, client }
    }
}
