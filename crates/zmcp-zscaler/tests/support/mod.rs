//! A scriptable OneAPI stand-in on 127.0.0.1 for protocol edge cases the simulator does not
//! model: counted token requests, scripted statuses, endless cursors.

#![allow(
    dead_code,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use secrecy::SecretString;
use zmcp_zscaler::{ClientConfig, Cloud, Credential, ZscalerClient};

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "s3cr3t-value-never-logged";

/// A canned HTTP answer.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Canned {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn raw(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl IntoResponse for Canned {
    fn into_response(self) -> Response {
        let mut response = (StatusCode::from_u16(self.status).unwrap(), self.body).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(&value).unwrap(),
            );
        }
        response
    }
}

/// One API request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// 0-based index among API (non-token) requests.
    pub index: usize,
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn token(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }
}

pub type Responder = Arc<dyn Fn(&Seen) -> Canned + Send + Sync>;

/// How the token endpoint behaves.
#[derive(Clone)]
pub struct TokenBehaviour {
    pub ttl_secs: u64,
    /// Answer this instead of a token.
    pub refusal: Option<Canned>,
    /// Time spent before answering, so concurrent callers pile up.
    pub delay: Duration,
}

impl Default for TokenBehaviour {
    fn default() -> Self {
        Self {
            ttl_secs: 3600,
            refusal: None,
            delay: Duration::from_millis(50),
        }
    }
}

#[derive(Default)]
struct Log {
    token_forms: Vec<HashMap<String, String>>,
    token_headers: Vec<HeaderMap>,
    requests: Vec<Seen>,
}

#[derive(Clone)]
struct AppState {
    log: Arc<Mutex<Log>>,
    token: TokenBehaviour,
    responder: Responder,
}

/// A running stand-in.
pub struct Mock {
    pub base: String,
    log: Arc<Mutex<Log>>,
}

impl Mock {
    pub async fn start(token: TokenBehaviour, responder: Responder) -> Self {
        let log = Arc::new(Mutex::new(Log::default()));
        let state = AppState {
            log: log.clone(),
            token,
            responder,
        };
        let app = Router::new()
            .route("/oauth2/v1/token", post(token_endpoint))
            .fallback(api)
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base: format!("http://{addr}"),
            log,
        }
    }

    /// A stand-in with a well-behaved token endpoint.
    pub async fn answering(responder: impl Fn(&Seen) -> Canned + Send + Sync + 'static) -> Self {
        Self::start(TokenBehaviour::default(), Arc::new(responder)).await
    }

    pub fn config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            CLIENT_ID,
            Credential::Secret(SecretString::from(CLIENT_SECRET)),
            "acme",
            Cloud::Production,
        );
        config.token_url = Some(format!("{}/oauth2/v1/token", self.base));
        config.api_base_url = Some(self.base.clone());
        config.max_backoff = Duration::from_secs(10);
        config
    }

    pub fn client(&self) -> ZscalerClient {
        ZscalerClient::new(self.config()).unwrap()
    }

    pub fn token_requests(&self) -> usize {
        self.log.lock().unwrap().token_forms.len()
    }
    pub fn token_forms(&self) -> Vec<HashMap<String, String>> {
        self.log.lock().unwrap().token_forms.clone()
    }
    pub fn token_headers(&self) -> Vec<HeaderMap> {
        self.log.lock().unwrap().token_headers.clone()
    }
    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().requests.clone()
    }
}

async fn token_endpoint(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Canned {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let n = {
        let mut log = state.log.lock().unwrap();
        log.token_forms.push(form);
        log.token_headers.push(headers);
        log.token_forms.len()
    };
    tokio::time::sleep(state.token.delay).await;
    match state.token.refusal {
        Some(refusal) => refusal,
        None => Canned::json(
            200,
            serde_json::json!({
                "access_token": format!("tok-{n}"),
                "token_type": "Bearer",
                "expires_in": state.token.ttl_secs,
            }),
        ),
    }
}

async fn api(State(state): State<AppState>, request: Request) -> Canned {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let query = url::form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let seen = {
        let mut log = state.log.lock().unwrap();
        let seen = Seen {
            index: log.requests.len(),
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query,
            raw_query,
            headers: parts.headers,
            body,
        };
        log.requests.push(seen.clone());
        seen
    };
    (state.responder)(&seen)
}
