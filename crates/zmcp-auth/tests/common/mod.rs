//! Helpers shared by the integration tests: the real middleware in front of a route that
//! echoes the principal, and a way to call it.

#![allow(dead_code)]
// each test binary uses a different subset
// Helpers of tests: a failed expectation here is a test failure, as inside a #[test].
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::{collections::HashMap, sync::Arc};

use axum::{Extension, Router, body::Body, middleware::from_fn_with_state, routing::post};
use http::{HeaderMap, Request, StatusCode};
use tower::ServiceExt;
use zmcp_auth::{AuthEnv, ClientAuth, Principal, require_auth};

/// An environment made of these pairs only.
pub fn env(pairs: &[(&str, &str)]) -> AuthEnv {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    AuthEnv::from_lookup(|name| map.get(name).cloned())
}

/// `/mcp` echoing `subject|mode|name|scopes`, plus the mode's routes, behind `require_auth`.
pub fn app(auth: ClientAuth) -> Router {
    Router::new()
        .route(
            "/mcp",
            post(|Extension(p): Extension<Principal>| async move {
                format!(
                    "{}|{}|{}|{}",
                    p.subject,
                    p.auth_mode,
                    p.name.unwrap_or_default(),
                    p.scopes.join(" ")
                )
            }),
        )
        .merge(auth.routes())
        .layer(from_fn_with_state(Arc::new(auth), require_auth))
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The `WWW-Authenticate` value.
    pub fn challenge(&self) -> &str {
        self.headers
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// The JSON-RPC error message.
    pub fn error_message(&self) -> String {
        let v: serde_json::Value = serde_json::from_str(&self.body).unwrap();
        assert_eq!(v["jsonrpc"], "2.0");
        assert_eq!(v["error"]["code"], -32001);
        v["error"]["message"].as_str().unwrap().to_owned()
    }
}

/// Calls `method path` with these headers.
pub async fn call(app: &Router, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// `POST /mcp` with `Authorization: Bearer <token>`.
pub async fn call_with_token(app: &Router, token: &str) -> Reply {
    call(
        app,
        "POST",
        "/mcp",
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
}
