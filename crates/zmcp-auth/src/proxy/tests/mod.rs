//! The proxy's routes end to end against a small in-test identity provider: the JWKS of
//! `test_support::IdpServer` plus a token endpoint that answers what each test scripts.
//! `passthrough` covers the Entra ID guide's flow, `facade` the authorization-server facade
//! (`OIDCPROXY_FLOW=proxy`) and its defences.

mod facade;
mod passthrough;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{Json, Router, body::Body, extract::State, response::IntoResponse, routing::post};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use url::Url;

use super::*;
use crate::test_support::{IdpServer, TestKey, now};
use zmcp_store::Store;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP: &str = "6f3c1a2e-8d4b-4c1e-9f0a-1b2c3d4e5f60";
const BASE: &str = "http://127.0.0.1:8000";
const CALLBACK: &str = "http://localhost:3334/oauth/callback";
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";

fn v2_issuer() -> String {
    format!("https://login.microsoftonline.com/{TENANT}/v2.0")
}

/// The provider's token endpoint: records each form, answers the scripted response.
#[derive(Clone, Default)]
struct TokenEndpoint {
    requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
    answer: Arc<Mutex<(u16, Value)>>,
}

impl TokenEndpoint {
    async fn start() -> (Self, SocketAddr) {
        let endpoint = Self::default();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/token", post(Self::serve))
            .with_state(endpoint.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (endpoint, addr)
    }

    async fn serve(
        State(me): State<Self>,
        axum::Form(form): axum::Form<HashMap<String, String>>,
    ) -> axum::response::Response {
        me.requests.lock().unwrap().push(form);
        let (status, body) = me.answer.lock().unwrap().clone();
        (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
    }

    fn answer(&self, status: u16, body: Value) {
        *self.answer.lock().unwrap() = (status, body);
    }

    fn last_request(&self) -> HashMap<String, String> {
        self.requests.lock().unwrap().last().cloned().unwrap()
    }

    fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

struct Harness {
    key: TestKey,
    idp: IdpServer,
    upstream: TokenEndpoint,
    proxy: OidcProxy,
    /// What the proxy was started with, to start it again (a restart).
    vars: HashMap<&'static str, String>,
    store: Store,
    lifetimes: Lifetimes,
}

fn guide_env(idp: &IdpServer, token_addr: SocketAddr) -> HashMap<&'static str, String> {
    HashMap::from([
        ("OIDCPROXY_AUTH_ISSUER", v2_issuer()),
        (
            "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize"),
        ),
        (
            "OIDCPROXY_AUTH_TOKEN_ENDPOINT",
            format!("http://{token_addr}/token"),
        ),
        ("OIDCPROXY_AUTH_JWKS_URI", idp.jwks_url()),
        ("OIDCPROXY_AUTH_AUDIENCE", APP.to_owned()),
        (
            "OIDCPROXY_AUTH_SCOPES",
            "openid profile offline_access".to_owned(),
        ),
    ])
}

/// Test tuning: these lifetimes, metadata documents served from loopback, default limits.
fn tuning(lifetimes: Lifetimes) -> Tuning {
    Tuning {
        lifetimes,
        documents: cimd::Fetcher::allowing_loopback(),
        ..Tuning::default()
    }
}

fn proxy_env(vars: &HashMap<&'static str, String>) -> ProxyEnv {
    ProxyEnv::from_lookup(|name| vars.get(name).cloned(), "127.0.0.1", 8000)
}

impl Harness {
    /// The guide's pass-through, state in memory.
    async fn start() -> Self {
        Self::start_with(&[], Store::memory(), Lifetimes::default()).await
    }

    /// The guide's variables plus `extra`, state in `store`.
    async fn start_with(
        extra: &[(&'static str, &str)],
        store: Store,
        lifetimes: Lifetimes,
    ) -> Self {
        let key = TestKey::rsa("idp-key-1").unwrap();
        let idp = IdpServer::start(&[&key], Some(&v2_issuer())).await.unwrap();
        let (upstream, token_addr) = TokenEndpoint::start().await;
        let mut vars = guide_env(&idp, token_addr);
        for (name, value) in extra {
            vars.insert(name, (*value).to_owned());
        }
        let proxy = OidcProxy::start(&proxy_env(&vars), Some(store.clone()), tuning(lifetimes))
            .await
            .unwrap();
        Self {
            key,
            idp,
            upstream,
            proxy,
            vars,
            store,
            lifetimes,
        }
    }

    /// Stops the proxy and starts a new one on the same settings and store.
    async fn restart(&mut self) {
        self.proxy = OidcProxy::start(
            &proxy_env(&self.vars),
            Some(self.store.clone()),
            tuning(self.lifetimes),
        )
        .await
        .unwrap();
    }

    async fn call(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let response = self.proxy.routes().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn get(&self, path: &str) -> (StatusCode, HeaderMap, String) {
        self.call(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let (status, _, text) = self
            .call(
                Request::post(path)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await;
        (status, serde_json::from_str(&text).unwrap())
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let (status, _, text) = self.browser_post(path, form, &[]).await;
        (status, serde_json::from_str(&text).unwrap())
    }

    /// A form post carrying `cookies` (`name=value` pairs), as a browser sends it.
    async fn browser_post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookies: &[String],
    ) -> (StatusCode, HeaderMap, String) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        self.call(request.body(Body::from(body)).unwrap()).await
    }

    /// Registers a client the way mcp-remote does; returns its id.
    async fn register(&self) -> String {
        let (status, body) = self
            .post_json("/register", &mcp_remote_registration())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["client_id"].as_str().unwrap().to_owned()
    }

    /// Starts a sign-in; returns the provider URL we were redirected to.
    async fn authorize(&self, client_id: &str, verifier: &str, state: &str) -> Url {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("response_type", "code"),
                ("client_id", client_id),
                ("code_challenge", &challenge(verifier)),
                ("code_challenge_method", "S256"),
                ("redirect_uri", CALLBACK),
                ("state", state),
                ("scope", "openid profile offline_access"),
                ("resource", &format!("{BASE}/mcp")),
            ])
            .finish();
        let (status, headers, _) = self.get(&format!("/authorize?{query}")).await;
        assert_eq!(status, StatusCode::FOUND);
        Url::parse(headers[header::LOCATION].to_str().unwrap()).unwrap()
    }

    /// An ID token from the provider with these extra claims.
    fn id_token(&self, extra: &Value) -> String {
        let mut claims = json!({
            "iss": v2_issuer(),
            "aud": APP,
            "sub": "pairwise-sub-1",
            "oid": "00000000-0000-0000-0000-0000000000a1",
            "tid": TENANT,
            "preferred_username": "ada@contoso.example",
            "email": "ada@contoso.example",
            "name": "Ada Lovelace",
            "iat": now(),
            "exp": now() + 3600,
        });
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        self.key.sign(&claims).unwrap()
    }

    /// Scripts the provider's token endpoint to answer a code redemption for the sign-in
    /// with this `nonce`: its tokens, a refresh token and a valid ID token.
    fn provider_signs_in(&self, nonce: &str) {
        self.upstream.answer(
            200,
            json!({
                "token_type": "Bearer",
                "access_token": "UPSTREAM-ACCESS-TOKEN",
                "refresh_token": "UPSTREAM-REFRESH-1",
                "id_token": self.id_token(&json!({ "nonce": nonce })),
                "expires_in": 3600,
            }),
        );
    }

    /// Registers, authorizes and redeems a code; returns (client_id, token response).
    async fn sign_in(&self) -> (String, Value) {
        let client_id = self.register().await;
        let verifier = "v".repeat(50);
        let location = self.authorize(&client_id, &verifier, "st-1").await;
        self.provider_signs_in(&param(&location, "nonce").unwrap());
        let (status, body) = self
            .post_form(
                "/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", "CODE-FROM-IDP"),
                    ("code_verifier", &verifier),
                    ("redirect_uri", CALLBACK),
                    ("client_id", &client_id),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (client_id, body)
    }

    async fn authenticate(&self, token: &str) -> Result<Principal, Rejection> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        self.proxy.authenticate(&headers).await
    }
}

fn mcp_remote_registration() -> Value {
    json!({
        "redirect_uris": [CALLBACK],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "client_name": "MCP CLI Client",
        "client_uri": "https://github.com/modelcontextprotocol/mcp-cli",
        "software_id": "2e6dc280-f3c3-4e01-99a7-8181dbd1d23d",
        "software_version": "0.15.1",
    })
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}
