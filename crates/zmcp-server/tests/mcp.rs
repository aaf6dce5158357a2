//! The MCP surface: handshake, tools/list, capabilities, and every transport (in-process pipe,
//! streamable HTTP with the real rmcp client, legacy SSE with a raw HTTP client).

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::SocketAddr;

use common::*;
use rmcp::ServiceExt;
use rmcp::model::{
    ClientCapabilities, ClientConfig as McpClientConfig, Implementation, ProtocolVersion,
};
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use zmcp_server::{HttpOptions, HttpTransport, McpServer, serve_http};

#[tokio::test]
async fn initialize_and_tools_list_advertise_the_selection() {
    let client = connect(server_without_credentials(), plain_client()).await;
    let info = client.peer_info().expect("server info");
    assert_eq!(info.protocol_version, ProtocolVersion::V_2025_11_25);
    let server = info.server_info.as_ref().expect("implementation");
    assert_eq!(server.name, "zscaler-mcp");
    assert_eq!(server.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(server.title.as_deref(), Some("Zscaler MCP Server"));
    let caps = &info.capabilities;
    assert!(caps.tools.is_some() && caps.prompts.is_some() && caps.resources.is_some());

    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), all_tools().len());
    let by_name = |name: &str| {
        tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} listed"))
    };

    let read = by_name("zia_get_rule_label");
    let hints = read.annotations.as_ref().expect("annotations");
    assert_eq!(hints.read_only_hint, Some(true));
    assert!(read.input_schema["properties"]["label_id"].is_object());
    assert!(by_name("zia_list_rule_labels").input_schema["properties"]["query"].is_object());
    let delete = by_name("zia_delete_rule_label");
    assert_eq!(
        delete.annotations.as_ref().and_then(|a| a.destructive_hint),
        Some(true)
    );
    assert!(delete.input_schema["properties"]["kwargs"].is_object());

    assert_eq!(
        client
            .list_prompts(None)
            .await
            .expect("prompts/list")
            .prompts
            .len(),
        4,
        "the reference's four workflow prompts (tests/prompts.rs)"
    );
    assert!(
        client
            .list_resources(None)
            .await
            .expect("resources/list")
            .resources
            .is_empty()
    );
    #[allow(deprecated)]
    client
        .set_level(rmcp::model::SetLevelRequestParams::new(
            rmcp::model::LoggingLevel::Debug,
        ))
        .await
        .expect("logging/setLevel");
}

#[tokio::test]
async fn every_revision_with_a_handshake_is_negotiated() {
    for version in [
        ProtocolVersion::V_2024_11_05,
        ProtocolVersion::V_2025_03_26,
        ProtocolVersion::V_2025_06_18,
        ProtocolVersion::V_2025_11_25,
    ] {
        let hello = McpClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("old", "1"),
        )
        .with_protocol_version(version.clone());
        let client = connect(server_without_credentials(), hello).await;
        assert_eq!(client.peer_info().expect("info").protocol_version, version);
        assert!(
            !client
                .list_all_tools()
                .await
                .expect("tools/list")
                .is_empty()
        );
    }
}

struct HttpServer {
    addr: SocketAddr,
    shutdown: CancellationToken,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn start_http(
    server: McpServer,
    transport: HttpTransport,
    allowed_hosts: &[&str],
) -> HttpServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shutdown = CancellationToken::new();
    let options = HttpOptions {
        transport,
        allowed_hosts: allowed_hosts.iter().map(|h| (*h).to_string()).collect(),
        shutdown: shutdown.clone(),
    };
    tokio::spawn(serve_http(server, listener, options));
    HttpServer { addr, shutdown }
}

#[tokio::test]
async fn streamable_http_serves_legacy_and_2026_clients() {
    let sim = start_sim().await;
    let http = start_http(server_for(&sim), HttpTransport::StreamableHttp, &[]).await;
    let url = format!("http://{}/mcp", http.addr);

    let legacy = plain_client()
        .serve(StreamableHttpClientTransport::from_uri(url.clone()))
        .await
        .expect("legacy session");
    assert_eq!(
        legacy.list_all_tools().await.expect("tools/list").len(),
        all_tools().len()
    );
    let labels = json(&call(&legacy, "zia_list_rule_labels", json!({"query": "[].name"})).await);
    assert!(
        labels
            .as_array()
            .expect("names")
            .contains(&json!("Baseline"))
    );

    let modern = McpClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("new", "1"),
    );
    let modern = modern
        .serve(StreamableHttpClientTransport::from_uri(url))
        .await
        .expect("2026 client");
    let groups = json(
        &call(
            &modern,
            "zpa_list_segment_groups",
            json!({"query": "length(@)"}),
        )
        .await,
    );
    assert!(
        groups[0].as_u64().is_some_and(|n| n > 20),
        "a scalar comes back as a one-element list: {groups}"
    );
}

#[tokio::test]
async fn health_answers_without_checks_and_bad_hosts_are_refused() {
    let http = start_http(
        server_without_credentials(),
        HttpTransport::StreamableHttp,
        &["127.0.0.1:*", "localhost:*"],
    )
    .await;
    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{}/health", http.addr))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<Value>().await.expect("json"),
        json!({"status": "ok"})
    );

    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    let post = |host: String| {
        client
            .post(format!("http://{}/mcp", http.addr))
            .header("host", host)
            .header("accept", "application/json, text/event-stream")
            .json(&initialize)
            .send()
    };
    let evil = post("evil.example.com".into()).await.expect("answer");
    assert_eq!(evil.status(), 421);
    let evil_port = post(format!("evil.example.com:{}", http.addr.port()))
        .await
        .expect("answer");
    assert_eq!(evil_port.status(), 421);
    let good = post(format!("localhost:{}", http.addr.port()))
        .await
        .expect("answer");
    assert_eq!(good.status(), 200);

    let sse = client
        .get(format!("http://{}/sse", http.addr))
        .header("host", "evil.example.com")
        .send()
        .await
        .expect("answer");
    assert_eq!(sse.status(), 421);
}

/// Reads SSE events (event name, data) from a streaming response.
struct EventReader {
    response: reqwest::Response,
    buffer: String,
}

impl EventReader {
    async fn next(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = String::from("message");
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = name.trim().to_string();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.trim_start().to_string());
                    }
                }
                if data.is_empty() {
                    continue; // keep-alive comment
                }
                return (event, data.join("\n"));
            }
            let chunk = self
                .response
                .chunk()
                .await
                .expect("stream")
                .expect("stream open");
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }
}

async fn legacy_sse_round_trip(path: &str, transport: HttpTransport) {
    let http = start_http(server_without_credentials(), transport, &[]).await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{}{path}", http.addr))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("sse");
    assert_eq!(response.status(), 200);
    let mut events = EventReader {
        response,
        buffer: String::new(),
    };
    let (event, endpoint) = events.next().await;
    assert_eq!(event, "endpoint");
    assert!(endpoint.starts_with("/messages/?session_id="), "{endpoint}");

    let messages = format!("http://{}{endpoint}", http.addr);
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "sse", "version": "1"}}});
    let accepted = client
        .post(&messages)
        .json(&initialize)
        .send()
        .await
        .expect("post");
    assert_eq!(accepted.status(), 202);
    let (event, data) = events.next().await;
    assert_eq!(event, "message");
    let answer: Value = serde_json::from_str(&data).expect("json-rpc");
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["serverInfo"]["name"], "zscaler-mcp");
    assert_eq!(answer["result"]["protocolVersion"], "2024-11-05");

    client
        .post(&messages)
        .json(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .send()
        .await
        .expect("post");
    client
        .post(&messages)
        .json(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        .send()
        .await
        .expect("post");
    let (_, data) = events.next().await;
    let listed: Value = serde_json::from_str(&data).expect("json-rpc");
    assert_eq!(listed["id"], 2);
    assert!(
        listed["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );

    let malformed = client
        .post(&messages)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("post");
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        malformed.json::<Value>().await.expect("body")["error"]["code"],
        -32700
    );
    let unknown = client
        .post(format!("http://{}/messages/?session_id=0000", http.addr))
        .json(&initialize)
        .send()
        .await
        .expect("post");
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn legacy_sse_transport_round_trips_json_rpc() {
    legacy_sse_round_trip("/sse", HttpTransport::StreamableHttp).await;
}

#[tokio::test]
async fn sse_mode_serves_the_event_stream_at_mcp() {
    legacy_sse_round_trip("/mcp", HttpTransport::Sse).await;
}

/// Stands in for the auth layer: the caller named in `x-test-user` becomes the request's
/// Principal (the real layer does the same after validating a credential).
async fn principal_from_test_header(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(user) = request
        .headers()
        .get("x-test-user")
        .and_then(|v| v.to_str().ok())
    {
        let principal = zmcp_auth::Principal::named(user.to_owned(), zmcp_auth::AuthMode::ApiKey);
        request.extensions_mut().insert(principal);
    }
    next.run(request).await
}

#[tokio::test]
async fn legacy_sse_session_accepts_messages_only_from_its_own_caller() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let options = HttpOptions {
        transport: HttpTransport::StreamableHttp,
        allowed_hosts: Vec::new(),
        shutdown: CancellationToken::new(),
    };
    let app = zmcp_server::router(server_without_credentials(), &options)
        .layer(axum::middleware::from_fn(principal_from_test_header));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{addr}/sse"))
        .header("accept", "text/event-stream")
        .header("x-test-user", "alice")
        .send()
        .await
        .expect("sse");
    assert_eq!(response.status(), 200);
    let mut events = EventReader {
        response,
        buffer: String::new(),
    };
    let (_, endpoint) = events.next().await;
    let messages = format!("http://{addr}{endpoint}");
    let ping = json!({"jsonrpc": "2.0", "id": 7, "method": "ping"});

    let mallory = client
        .post(&messages)
        .header("x-test-user", "mallory")
        .json(&ping)
        .send()
        .await
        .expect("post");
    assert_eq!(
        mallory.status(),
        403,
        "another caller must not use alice's session"
    );
    let anonymous = client
        .post(&messages)
        .json(&ping)
        .send()
        .await
        .expect("post");
    assert_eq!(anonymous.status(), 403);

    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "sse", "version": "1"}}});
    let alice = client
        .post(&messages)
        .header("x-test-user", "alice")
        .json(&initialize)
        .send()
        .await
        .expect("post");
    assert_eq!(alice.status(), 202);
    let (event, data) = events.next().await;
    assert_eq!(event, "message");
    let reply: Value = serde_json::from_str(&data).expect("json");
    assert_eq!(reply["id"], 1, "{reply}");
}
