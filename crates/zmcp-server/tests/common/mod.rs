//! Shared test set-up: a simulator, a server wired to it, and an in-process MCP client.
#![allow(dead_code)] // each test binary uses a different subset

use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
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
    zscaler_sim::start(SimConfig::default()).await.expect("simulator")
}

pub fn client_for(sim: &SimHandle) -> ZscalerClient {
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
    ZscalerClient::new(config).expect("client")
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
    }
}

pub fn server_for(sim: &SimHandle) -> McpServer {
    McpServer::new(config_for(sim))
}

pub fn server_without_credentials() -> McpServer {
    McpServer::new(ServerConfig {
        tools: all_tools(),
        client: Err(ConfigError::Missing(vec!["ZSCALER_CLIENT_ID", "ZSCALER_CLIENT_SECRET"])),
        tenant: TenantScope::default(),
        max_list_items: ServerConfig::DEFAULT_MAX_LIST_ITEMS,
        confirmation_ttl: ServerConfig::DEFAULT_CONFIRMATION_TTL,
    })
}

/// A client that declares nothing special, on the newest revision with a handshake.
pub fn plain_client() -> ClientConfig {
    ClientConfig::new(ClientCapabilities::default(), Implementation::new("test-client", "1.0"))
        .with_protocol_version(ProtocolVersion::V_2025_11_25)
}

/// Connects `client` to `server` over an in-process byte pipe (the stdio code path).
pub async fn connect<C: ClientHandler>(server: McpServer, client: C) -> RunningService<RoleClient, C> {
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
