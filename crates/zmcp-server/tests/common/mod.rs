//! Shared test set-up: a simulator, a server wired to it, and an in-process MCP client.
#![allow(dead_code)] // each test binary uses a different subset

use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig as McpClientConfig,
    Implementation, ProtocolVersion,
};
use rmcp::service::RunningService;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use secrecy::SecretString;
use serde_json::{Map, Value};
use zmcp_catalog::{Catalog, SelectionConfig, TenantScope, ToolSpec};
use zmcp_server::{McpServer, ServerConfig};
use zmcp_zscaler::{ClientConfig, Cloud, ConfigError, Credential, ZscalerClient};
use zscaler_sim::{SimConfig, SimHandle};

/// Every catalog tool, writes included.
pub fn all_tools() -> Vec<&'static ToolSpec> {
    let config = SelectionConfig {
        enable_write: true,
        write_tools: vec!["*".into()],
        ..SelectionConfig::default()
    };
    Catalog::builtin()
        .expect("catalog")
        .select(&config)
        .expect("selection")
        .tools
}

pub async fn start_sim() -> SimHandle {
    zscaler_sim::start(SimConfig::default())
        .await
        .expect("simulator")
}

pub fn client_for(sim: &SimHandle) -> ZscalerClient {
    ZscalerClient::new(client_config_for(sim)).expect("client")
}

pub fn config_for(sim: &SimHandle) -> ServerConfig {
    ServerConfig {
        tools: all_tools(),
        client: Ok(client_for(sim)),
        tenant: TenantScope {
            customer_id: Some(sim.customer_id().to_string()),
            ..TenantScope::default()
        },
        max_list_items: ServerConfig::DEFAULT_MAX_LIST_ITEMS,
        confirmation_ttl: ServerConfig::DEFAULT_CONFIRMATION_TTL,
        confirmation_keys: Vec::new(),
        confirmation_store: None,
        sanitize_output: true,
        audit: None,
    }
}

pub fn server_for(sim: &SimHandle) -> McpServer {
    McpServer::new(config_for(sim))
}

pub fn server_without_credentials() -> McpServer {
    McpServer::new(ServerConfig {
        tools: all_tools(),
        client: Err(ConfigError::Missing(vec![
            "ZSCALER_CLIENT_ID",
            "ZSCALER_CLIENT_SECRET",
        ])),
        tenant: TenantScope::default(),
        max_list_items: ServerConfig::DEFAULT_MAX_LIST_ITEMS,
        confirmation_ttl: ServerConfig::DEFAULT_CONFIRMATION_TTL,
        confirmation_keys: Vec::new(),
        confirmation_store: None,
        sanitize_output: true,
        audit: None,
    })
}

/// A client that declares nothing special, on the newest revision with a handshake.
pub fn plain_client() -> McpClientConfig {
    McpClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("test-client", "1.0"),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25)
}

/// Connects `client` to `server` over an in-process byte pipe (the stdio code path).
pub async fn connect<C: ClientHandler>(
    server: McpServer,
    client: C,
) -> RunningService<RoleClient, C> {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    client.serve(client_io).await.expect("client connects")
}

pub fn args(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments must be an object, got {other}"),
    }
}

pub async fn call<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    tool: &str,
    arguments: Value,
) -> CallToolResult {
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args(arguments)))
        .await
        .expect("tools/call answers")
}

/// The single text block of a result.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON of a successful result (the first line that parses, skipping labels and notes).
pub fn json(result: &CallToolResult) -> Value {
    assert_ne!(result.is_error, Some(true), "tool failed: {}", text(result));
    text(result)
        .lines()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no JSON in {}", text(result)))
}

pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// Runs a delete tool through the confirmation-token flow (prompt, then replay with the
/// token) and returns the confirmed call's result.
pub async fn delete_confirmed<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    tool: &str,
    arguments: Value,
) -> CallToolResult {
    let prompt = text(&call(client, tool, arguments.clone()).await);
    let marker = "\"confirmation_token\": \"";
    let start = prompt
        .find(marker)
        .unwrap_or_else(|| panic!("no confirmation token in {prompt}"))
        + marker.len();
    let token: String = prompt[start..].chars().take_while(|c| *c != '"').collect();
    let mut replay = arguments;
    replay["kwargs"] = serde_json::json!({"confirmation_token": token});
    call(client, tool, replay).await
}

/// The JSON of a call that must succeed.
pub async fn ok_json<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    tool: &str,
    arguments: Value,
) -> Value {
    json(&call(client, tool, arguments).await)
}

/// The rows of a list result.
pub fn list_rows(value: &Value) -> &Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected a list, got {value}"))
}

/// The row whose `key` equals `wanted`.
pub fn row_with<'a>(value: &'a Value, key: &str, wanted: &str) -> &'a Value {
    list_rows(value)
        .iter()
        .find(|row| row[key] == wanted)
        .unwrap_or_else(|| panic!("no row with {key} = {wanted} in {value}"))
}

/// Deletes through the confirmation flow, checks the operation result, then proves the
/// record is gone: `get` with the same arguments answers 404.
pub async fn delete_and_verify_gone<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    delete: &str,
    get: &str,
    arguments: Value,
) {
    let done = delete_confirmed(client, delete, arguments.clone()).await;
    assert_eq!(json(&done)["success"], true, "{}", text(&done));
    let gone = call(client, get, arguments).await;
    assert!(is_error(&gone), "{get} still answers: {}", text(&gone));
    assert!(text(&gone).contains("404"), "{}", text(&gone));
}

/// The client configuration [`client_for`] uses, for tests that adjust it (retries, ...).
pub fn client_config_for(sim: &SimHandle) -> ClientConfig {
    let mut config = ClientConfig::new(
        sim.client_id(),
        Credential::Secret(SecretString::from(sim.client_secret().to_string())),
        "demo",
        Cloud::Production,
    );
    config.token_url = Some(sim.token_url());
    config.api_base_url = Some(sim.base_url());
    config.max_backoff = Duration::from_millis(20);
    config.request_timeout = Duration::from_secs(10);
    config
}

/// A server for `sim` whose Zscaler client uses `client_config`.
pub fn server_with_client_config(sim: &SimHandle, client_config: ClientConfig) -> McpServer {
    McpServer::new(ServerConfig {
        client: Ok(ZscalerClient::new(client_config).expect("client")),
        ..config_for(sim)
    })
}
