//! Client authentication of the real binary against a loopback identity provider: the
//! `jwt` mode (tokens checked against a JWKS fetched at start-up) and the `oidc` mode's
//! public metadata.

// The request helpers are test code: a failed expectation there is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::{Server, initialize, json_rpc_body, run, start_server, stderr, zscaler_mcp};
use serde_json::json;
use zmcp_auth::test_support::{IdpServer, TestKey, claims};

const ISSUER: &str = "https://idp.example";

async fn post_initialize(server: &Server, token: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(server.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(&initialize(1));
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    req.send().await.unwrap()
}

fn error_message(body: &serde_json::Value) -> &str {
    body["error"]["message"].as_str().unwrap()
}

// Multi-threaded: `start_server` blocks this thread while the IdP answers the binary's
// start-up JWKS fetch from a worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_admits_valid_tokens_only() {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(
        zscaler_mcp(dir.path())
            .env("ZSCALER_MCP_AUTH_MODE", "jwt")
            .env("ZSCALER_MCP_AUTH_JWKS_URI", idp.jwks_url())
            .env("ZSCALER_MCP_AUTH_ISSUER", ISSUER)
            .args(["--demo", "--transport", "streamable-http", "--port", "0"]),
    );
    let log = &server.startup_log;
    assert!(
        log.contains(
            "[SECURITY] transport=streamable-http auth=jwt (issuer=https://idp.example, \
             audience=zscaler-mcp-server) host=127.0.0.1:"
        ),
        "{log}"
    );
    assert!(log.contains("MCP CLIENT AUTHENTICATION ENABLED"), "{log}");
    assert!(
        log.contains(&format!("JWKS URI: {}", idp.jwks_url())),
        "{log}"
    );
    assert_eq!(idp.jwks_hits(), 1, "the JWKS is fetched at start-up");

    let resp = post_initialize(&server, None).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");

    let token = key.sign(&claims(ISSUER, "zscaler-mcp-server")).unwrap();
    let resp = post_initialize(&server, Some(&token)).await;
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    let message = json_rpc_body(&content_type, &resp.text().await.unwrap());
    assert_eq!(message["result"]["serverInfo"]["name"], "zscaler-mcp");

    let wrong_audience = key.sign(&claims(ISSUER, "another-api")).unwrap();
    let resp = post_initialize(&server, Some(&wrong_audience)).await;
    assert_eq!(resp.status(), 401);
    let challenge = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\""),
        "{challenge}"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        error_message(&body).starts_with("Unauthorized: Invalid token audience"),
        "{body}"
    );

    let forged = TestKey::rsa("k1")
        .unwrap()
        .sign(&claims(ISSUER, "zscaler-mcp-server"))
        .unwrap();
    let resp = post_initialize(&server, Some(&forged)).await;
    assert_eq!(resp.status(), 401);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_with_an_unreachable_jwks_does_not_start() {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    idp.set_jwks_status(Some(404));
    let dir = tempfile::tempdir().unwrap();
    let jwks = idp.jwks_url();
    let out = tokio::task::spawn_blocking(move || {
        run(zscaler_mcp(dir.path())
            .env("ZSCALER_MCP_AUTH_JWKS_URI", &jwks)
            .env("ZSCALER_MCP_AUTH_ISSUER", ISSUER)
            .args(["--demo", "--transport", "streamable-http", "--port", "0"]))
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("Mode: jwt"), "{err}");
    assert!(
        err.contains(&format!(
            "Could not fetch the JWKS from {}: HTTP 404",
            idp.jwks_url()
        )),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_mode_serves_its_metadata_and_points_clients_at_it() {
    let key = TestKey::ec("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(
        zscaler_mcp(dir.path())
            .env("ZSCALER_MCP_AUTH_MODE", "oidc")
            .env("OIDCPROXY_CONFIG_URL", idp.discovery_url())
            .env("OIDCPROXY_BASE_URL", "https://mcp.example.com/mcp")
            .env("OIDCPROXY_CLIENT_ID", "client-1")
            .args(["--demo", "--transport", "streamable-http", "--port", "0"]),
    );
    assert!(
        server.startup_log.contains(&format!(
            "auth=oidc (issuer={}, resource=https://mcp.example.com/mcp)",
            idp.issuer()
        )),
        "{}",
        server.startup_log
    );
    let doc: serde_json::Value =
        reqwest::get(server.url("/.well-known/oauth-protected-resource/mcp"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(doc["resource"], "https://mcp.example.com/mcp");
    assert_eq!(doc["authorization_servers"], json!([idp.issuer()]));

    let resp = post_initialize(&server, None).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.headers()["www-authenticate"],
        "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\""
    );
    let token = key.sign(&claims(&idp.issuer(), "client-1")).unwrap();
    assert_eq!(post_initialize(&server, Some(&token)).await.status(), 200);
}

/// The `oidcproxy` mode's variables (the Entra ID guide's Step 4) pointing at `idp`.
fn oidcproxy_env<'a>(
    cmd: &'a mut std::process::Command,
    idp: &IdpServer,
) -> &'a mut std::process::Command {
    cmd.env("OIDCPROXY_AUTH_ISSUER", idp.issuer())
        .env(
            "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
            format!("{}/authorize", idp.url()),
        )
        .env(
            "OIDCPROXY_AUTH_TOKEN_ENDPOINT",
            format!("{}/token", idp.url()),
        )
        .env("OIDCPROXY_AUTH_JWKS_URI", idp.jwks_url())
        .env("OIDCPROXY_AUTH_AUDIENCE", "app-id")
        .env("OIDCPROXY_AUTH_SCOPES", "openid profile offline_access")
        .args(["--demo", "--transport", "streamable-http", "--port", "0"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oauth_facade_keeps_its_state_in_the_state_directory_by_default() {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state_home = dir.path().join("state-home");
    let server = start_server(
        oidcproxy_env(&mut zscaler_mcp(dir.path()), &idp)
            .env("XDG_STATE_HOME", &state_home)
            .env("OIDCPROXY_FLOW", "proxy")
            .env("OIDCPROXY_AUTH_CLIENT_SECRET", "the-app-secret"),
    );
    let file = state_home.join("zscaler-mcp").join("state.sqlite3");
    assert!(
        server
            .startup_log
            .contains(&format!("State store opened ({})", file.display())),
        "{}",
        server.startup_log
    );
    assert!(file.exists());
    let meta: serde_json::Value =
        reqwest::get(server.url("/.well-known/oauth-authorization-server"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    let jwks: serde_json::Value = reqwest::get(server.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();
    assert!(!server.startup_log.contains("the-app-secret"));
    server.terminate();

    // A restart finds the same signing key in the file.
    let again = start_server(
        oidcproxy_env(&mut zscaler_mcp(dir.path()), &idp)
            .env("XDG_STATE_HOME", &state_home)
            .env("OIDCPROXY_FLOW", "proxy")
            .env("OIDCPROXY_AUTH_CLIENT_SECRET", "the-app-secret"),
    );
    let jwks: serde_json::Value = reqwest::get(again.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], kid.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oauth_facade_without_a_client_secret_does_not_start() {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = zscaler_mcp(dir.path());
    oidcproxy_env(&mut cmd, &idp).env("OIDCPROXY_FLOW", "proxy");
    let out = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("OIDCPROXY_FLOW"), "{err}");
    assert!(err.contains("OIDCPROXY_AUTH_CLIENT_SECRET"), "{err}");
    assert!(err.contains("/auth/callback"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_default_state_directory_is_named_with_the_way_out() {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the state directory would have to be created.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, b"").unwrap();
    let mut cmd = zscaler_mcp(dir.path());
    oidcproxy_env(&mut cmd, &idp).env("XDG_STATE_HOME", &blocker);
    let out = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("cannot open the state store"), "{err}");
    assert!(err.contains("not-a-directory"), "{err}");
    assert!(err.contains("ZSCALER_MCP_STORE"), "{err}");
}
