//! The MCP server of zscaler-mcp, and the only crate that imports rmcp.
//!
//! It turns the selected catalog into an rmcp `ServerHandler` (tools built once at start-up),
//! runs each tool call through one pipeline (validate, confirm deletes, plan, call the Zscaler
//! API, shape the result) and serves it over stdio, streamable HTTP and the legacy HTTP+SSE
//! transport. It depends on the catalog and the Zscaler client, never the other way round.

mod audit;
mod confirm;
mod dispatch;
mod handler;
mod handlers;
mod host_check;
mod http;
mod outcome;
mod prompts;
mod sanitize;
mod serve;
mod source_ip;
mod sse;
mod tls;
mod tools;

use std::sync::Arc;
use std::time::Duration;

pub use audit::AuditLog;
pub use confirm::{ConfirmationKey, KEYS_ENV, KeyError};
pub use host_check::{HostPattern, HostPatternError, HostPolicy};
pub use http::{
    Guard, HttpOptions, HttpTransport, MAX_REQUEST_BODY_BYTES, guard, mcp_routes, router,
    serve_http,
};
pub use serve::{ServeOptions, serve};
pub use source_ip::{SourceIpAcl, SourceIpError};
pub use tls::{TlsError, TlsFiles, TlsServer};

/// Everything the server needs, resolved by the binary before start-up.
#[derive(Debug)]
pub struct ServerConfig {
    /// The selected tools (the catalog's selection for this configuration).
    pub tools: Vec<&'static zmcp_catalog::ToolSpec>,
    /// The Zscaler client; `Err` keeps the server up (conformance runs without credentials)
    /// and every tool call answers with the configuration error.
    pub client: Result<zmcp_zscaler::ZscalerClient, zmcp_zscaler::ConfigError>,
    /// Tenant-scoped values (customer ids) that never come from the model.
    pub tenant: zmcp_catalog::TenantScope,
    /// Upper bound of records a fetch-all walk gathers (default 10 000).
    pub max_list_items: usize,
    /// Lifetime of a delete confirmation token (`ZSCALER_MCP_CONFIRMATION_TTL`, default 300 s).
    pub confirmation_ttl: Duration,
    /// Keys signing delete confirmations (tokens and sealed request states), from
    /// `ZSCALER_MCP_REQUEST_STATE_KEYS`: the first signs, all verify. Empty means one random
    /// key per process, so confirmations die with the process and stay on its replica.
    pub confirmation_keys: Vec<ConfirmationKey>,
    /// Where spent confirmation nonces are recorded; `None` = this process's memory. Replicas
    /// behind one load balancer share a store (`--store`), so an approval is spent once.
    pub confirmation_store: Option<zmcp_store::Store>,
    /// Clean API strings before the model reads them (invisible and BiDi characters,
    /// executable markup, code fences); off only by `ZSCALER_MCP_DISABLE_OUTPUT_SANITIZATION`.
    pub sanitize_output: bool,
    /// Where the tool-call audit trail goes; `None` writes none.
    pub audit: Option<AuditLog>,
}

impl ServerConfig {
    /// Default bound of a fetch-all walk.
    pub const DEFAULT_MAX_LIST_ITEMS: usize = 10_000;
    /// Default lifetime of a delete confirmation token.
    pub const DEFAULT_CONFIRMATION_TTL: Duration = Duration::from_secs(300);
}

/// The MCP server: a cheap handle (one `Arc`) that rmcp clones per session or request.
#[derive(Clone)]
pub struct McpServer {
    state: Arc<handler::ServerState>,
    /// What this handle serves, for the audit trail.
    channel: audit::Channel,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("tools", &self.state.tool_count())
            .finish_non_exhaustive()
    }
}

impl McpServer {
    /// Builds every advertised tool, the argument validators and the confirmation key once,
    /// so that `tools/list` and each call do no catalog work.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            state: Arc::new(handler::ServerState::new(config)),
            channel: audit::Channel::InProcess,
        }
    }

    /// The same server, its calls audited as arriving over `channel`.
    pub(crate) fn on(self, channel: audit::Channel) -> Self {
        Self { channel, ..self }
    }
}

/// Why a transport stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The MCP session could not start (the client never completed `initialize`, ...).
    #[error("MCP session failed to start: {0}")]
    Initialize(String),
    /// Socket or pipe failure.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The session task ended abnormally.
    #[error("MCP session task failed: {0}")]
    Task(String),
}

/// Serves one MCP session over stdin/stdout until the client closes it.
///
/// Logging must go to stderr (the binary configures tracing): stdout is the protocol.
///
/// # Errors
/// When the session cannot start or the task fails.
pub async fn serve_stdio(server: McpServer) -> Result<(), ServerError> {
    use rmcp::ServiceExt;
    let running = server
        .on(audit::Channel::Stdio)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| ServerError::Initialize(e.to_string()))?;
    let reason = running
        .waiting()
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?;
    tracing::info!(?reason, "stdio session ended");
    Ok(())
}
