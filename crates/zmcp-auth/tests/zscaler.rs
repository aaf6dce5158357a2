//! The `zscaler` mode against the real simulator's OneAPI token endpoint.

// The helpers are test code: a failed expectation there is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use axum::Router;
use base64::{Engine, engine::general_purpose::STANDARD};
use common::{Reply, app, call, env};
use http::StatusCode;
use zmcp_auth::ClientAuth;
use zscaler_sim::{Fault, FaultKind, SimConfig, SimHandle};

async fn setup() -> (SimHandle, Router) {
    let sim = zscaler_sim::start(SimConfig::default()).await.unwrap();
    let token_url = sim.token_url();
    let resolution = ClientAuth::resolve_from_env(
        &env(&[
            ("ZSCALER_MCP_AUTH_MODE", "zscaler"),
            ("ZSCALER_VANITY_DOMAIN", "acme"),
            ("ZSCALER_MCP_TOKEN_URL", token_url.as_str()),
        ]),
        false,
    )
    .await
    .unwrap();
    (sim, app(resolution.auth))
}

fn token_requests(sim: &SimHandle) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/oauth2/v1/token")
        .count()
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

async fn with_headers(app: &Router, id: &str, secret: &str) -> Reply {
    call(
        app,
        "POST",
        "/mcp",
        &[
            ("x-zscaler-client-id", id),
            ("x-zscaler-client-secret", secret),
        ],
    )
    .await
}

async fn with_basic(app: &Router, id: &str, secret: &str) -> Reply {
    call(
        app,
        "POST",
        "/mcp",
        &[("authorization", &basic(id, secret))],
    )
    .await
}

fn assert_refused(reply: &Reply, message: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(reply.challenge(), "Basic");
    assert_eq!(reply.error_message(), format!("Unauthorized: {message}"));
}

#[tokio::test]
async fn right_credentials_are_admitted_by_header_or_basic() {
    let (sim, app) = setup().await;
    let reply = with_headers(&app, "demo-client", "demo-secret").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "zscaler:demo-client|zscaler||");
    let reply = with_basic(&app, "demo-client", "demo-secret").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        token_requests(&sim),
        1,
        "the same credential is cached whichever way it is sent"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_are_refused_and_not_cached_for_long() {
    let (sim, app) = setup().await;
    for _ in 0..3 {
        let reply = with_basic(&app, "demo-client", "wrong").await;
        assert_refused(&reply, "Invalid OneAPI credentials");
        assert!(!reply.body.contains("wrong"), "the secret is never echoed");
    }
    assert_eq!(token_requests(&sim), 1, "a refusal is remembered briefly");
    // The right secret works at once (another cache entry).
    let reply = with_basic(&app, "demo-client", "demo-secret").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(token_requests(&sim), 2);
    // A few seconds later the wrong secret is asked about again.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(6)).await;
    tokio::time::resume();
    assert_refused(
        &with_headers(&app, "demo-client", "wrong").await,
        "Invalid OneAPI credentials",
    );
    assert_eq!(token_requests(&sim), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_validation_is_reused_until_the_token_would_expire() {
    let (sim, app) = setup().await;
    assert_eq!(
        with_headers(&app, "demo-client", "demo-secret")
            .await
            .status,
        StatusCode::OK
    );
    // The simulator's tokens live 3600 s; the validation is kept 60 s less.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(3500)).await;
    tokio::time::resume();
    assert_eq!(
        with_headers(&app, "demo-client", "demo-secret")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(token_requests(&sim), 1);
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(60)).await;
    tokio::time::resume();
    assert_eq!(
        with_headers(&app, "demo-client", "demo-secret")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(token_requests(&sim), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn concurrent_requests_share_one_token_request() {
    let (sim, app) = setup().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let app = app.clone();
        tasks.spawn(async move { with_basic(&app, "demo-client", "demo-secret").await.status });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert_eq!(token_requests(&sim), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_credentials_are_explained() {
    let (sim, app) = setup().await;
    assert_refused(
        &call(&app, "POST", "/mcp", &[]).await,
        "Missing credentials. Send 'X-Zscaler-Client-ID' and 'X-Zscaler-Client-Secret' headers, \
         or 'Authorization: Basic base64(client_id:client_secret)'",
    );
    assert_refused(
        &call(&app, "POST", "/mcp", &[("authorization", "Basic %%%")]).await,
        "Invalid Base64 encoding in Basic auth header",
    );
    assert_refused(
        &call(
            &app,
            "POST",
            "/mcp",
            &[("x-zscaler-client-id", "demo-client")],
        )
        .await,
        "Both X-Zscaler-Client-ID and X-Zscaler-Client-Secret headers are required",
    );
    assert_eq!(token_requests(&sim), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn oneapi_trouble_is_reported_and_not_cached() {
    let (sim, app) = setup().await;
    sim.inject_fault(Fault::once(FaultKind::ServerError { status: 503 }).on_prefix("/oauth2/"));
    assert_refused(
        &with_headers(&app, "demo-client", "demo-secret").await,
        "OneAPI /token returned HTTP 503",
    );
    sim.inject_fault(Fault::once(FaultKind::Garbage).on_prefix("/oauth2/"));
    assert_refused(
        &with_headers(&app, "demo-client", "demo-secret").await,
        "OneAPI /token response did not include access_token",
    );
    let reply = with_headers(&app, "demo-client", "demo-secret").await;
    assert_eq!(reply.status, StatusCode::OK, "outages are not remembered");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_named() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let url = format!("http://{dead}/oauth2/v1/token");
    let auth = ClientAuth::resolve_from_env(
        &env(&[
            ("ZSCALER_MCP_AUTH_MODE", "zscaler"),
            ("ZSCALER_MCP_TOKEN_URL", url.as_str()),
        ]),
        false,
    )
    .await
    .unwrap()
    .auth;
    assert_refused(
        &with_basic(&app(auth), "id", "secret").await,
        "Cannot reach OneAPI auth endpoint (ConnectError)",
    );
}
