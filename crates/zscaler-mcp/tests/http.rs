//! The HTTP transports of the real binary: health, MCP initialize, api-key client
//! authentication and graceful shutdown.

// The request helpers are test code: a failed expectation there is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::{Server, initialize, json_rpc_body, start_server, zscaler_mcp};

async fn post_initialize(server: &Server, auth: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(server.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(&initialize(1));
    if let Some(value) = auth {
        req = req.header("authorization", value);
    }
    req.send().await.unwrap()
}

async fn server_name(resp: reqwest::Response) -> String {
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = resp.text().await.unwrap();
    let message = json_rpc_body(&content_type, &body);
    message["result"]["serverInfo"]["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn demo_serves_health_and_initialize_without_auth_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(zscaler_mcp(dir.path()).args([
        "--demo",
        "--transport",
        "streamable-http",
        "--port",
        "0",
    ]));
    assert!(server.startup_log.contains(
        "[SECURITY] transport=streamable-http auth=none (demo, loopback bind) host=127.0.0.1:"
    ));
    assert!(
        server
            .startup_log
            .contains("Demo mode: serving the built-in demo tenant \"Acme Corp\"")
    );

    let health = reqwest::get(server.url("/health")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), r#"{"status":"ok"}"#);

    let resp = post_initialize(&server, None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(server_name(resp).await, "zscaler-mcp");

    let status = server.terminate();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

#[tokio::test]
async fn api_key_auth_rejects_without_the_key_and_admits_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(
        zscaler_mcp(dir.path())
            .env("ZSCALER_MCP_AUTH_API_KEY", "sk-integration-test")
            .args(["--demo", "--transport", "streamable-http", "--port", "0"]),
    );
    assert!(
        server
            .startup_log
            .contains("MCP CLIENT AUTHENTICATION ENABLED")
    );
    assert!(
        server
            .startup_log
            .contains("auth=api-key (key_fingerprint=")
    );
    assert!(!server.startup_log.contains("sk-integration-test"));

    let resp = post_initialize(&server, None).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(body["error"]["code"], -32001);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unauthorized: ")
    );

    let resp = post_initialize(&server, Some("Bearer wrong-key")).await;
    assert_eq!(resp.status(), 401);

    let resp = post_initialize(&server, Some("Bearer sk-integration-test")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(server_name(resp).await, "zscaler-mcp");

    let health = reqwest::get(server.url("/health")).await.unwrap();
    assert_eq!(health.status(), 200, "health probes need no key");
}
