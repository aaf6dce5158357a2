//! The rmcp `ServerHandler`: server identity, capabilities, the prebuilt tool list and the
//! entry into the call pipeline.
#![allow(deprecated)] // logging/setLevel is deprecated by SEP-2577 but still negotiated by older clients

use std::sync::{Arc, Mutex};

use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CompleteRequestParams, CompleteResult,
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult, ListToolsResult,
    LoggingLevel, PaginatedRequestParams, Reference, ServerCapabilities,
    ServerConfig as RmcpServerConfig, SetLevelRequestParams, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use zmcp_catalog::{ArgValidators, TenantScope};
use zmcp_zscaler::{ConfigError, ZscalerClient};

use crate::audit::AuditLog;
use crate::confirm::{ConfirmationGate, MemoryLedger, NonceLedger, StoreLedger};
use crate::tools::ToolTable;
use crate::{McpServer, ServerConfig};

/// How long clients may cache `tools/list`: the selection is fixed for the process lifetime,
/// but a short TTL keeps a restart with other flags visible quickly.
const TOOLS_LIST_TTL_MS: u64 = 60_000;

const INSTRUCTIONS: &str = "Tools for the Zscaler Zero Trust Exchange (ZIA, ZPA, ZDX, ZCC, ZTW, \
ZIdentity, EASM, Z-Insights, ZMS, ZCell) through the Zscaler OneAPI. Tool names start with the \
service code. Results are the API's JSON; list tools fetch every page and accept a JMESPath \
`query` to filter and project. Write tools exist only when the operator enabled them; every \
delete asks a human to confirm. ZIA changes are staged until zia_activate_configuration.";

/// Everything shared by all sessions; built once.
pub struct ServerState {
    pub(crate) tools: ToolTable,
    pub(crate) validators: ArgValidators,
    pub(crate) client: Result<ZscalerClient, ConfigError>,
    pub(crate) tenant: TenantScope,
    pub(crate) max_list_items: usize,
    pub(crate) gate: ConfirmationGate,
    pub(crate) sanitize_output: bool,
    pub(crate) audit: Option<AuditLog>,
    info: RmcpServerConfig,
    log_level: Mutex<LoggingLevel>,
}

impl ServerState {
    pub(crate) fn new(config: ServerConfig) -> Self {
        let tools = ToolTable::new(&config.tools);
        let validators = ArgValidators::new(&config.tools);
        if config.sanitize_output {
            tracing::info!("Output sanitization active (BiDi / zero-width / HTML / code-fence)");
        } else {
            tracing::warn!(
                "Output sanitization is DISABLED (ZSCALER_MCP_DISABLE_OUTPUT_SANITIZATION) — tool \
                 results reach the agent with invisible Unicode, HTML and forged code-fence \
                 markers intact."
            );
        }
        if let Some(audit) = &config.audit {
            tracing::info!("Tool-call audit trail → {}", audit.destination());
        }
        Self {
            tools,
            validators,
            client: config.client,
            tenant: config.tenant,
            max_list_items: config.max_list_items,
            gate: ConfirmationGate::new(
                config.confirmation_ttl,
                &config.confirmation_keys,
                match config.confirmation_store {
                    Some(store) => Arc::new(StoreLedger::new(store)) as Arc<dyn NonceLedger>,
                    None => Arc::new(MemoryLedger::default()),
                },
            ),
            sanitize_output: config.sanitize_output,
            audit: config.audit,
            info: server_info(),
            log_level: Mutex::new(LoggingLevel::Info),
        }
    }

    pub(crate) fn tool_count(&self) -> usize {
        self.tools.len()
    }

    /// Whether a tool of the service with this name prefix is served (gates the prompts).
    fn serves(&self, prefix: &str) -> bool {
        self.tools
            .advertised()
            .iter()
            .any(|t| t.name.starts_with(prefix))
    }
}

fn server_info() -> RmcpServerConfig {
    let capabilities = ServerCapabilities::builder()
        .enable_logging()
        .enable_prompts()
        .enable_completions()
        .enable_resources()
        .enable_tools()
        .build();
    let implementation = Implementation::new("zscaler-mcp", env!("CARGO_PKG_VERSION"))
        .with_title("Zscaler MCP Server")
        .with_description(
            "Manage the Zscaler Zero Trust Exchange through the Model Context Protocol. \
             Read-only by default; write tools require an explicit allowlist and every delete \
             is confirmed by a human.",
        )
        .with_website_url("https://github.com/zscaler-mcp-rs/zscaler-mcp");
    RmcpServerConfig::new(capabilities)
        .with_server_info(implementation)
        .with_instructions(INSTRUCTIONS)
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> RmcpServerConfig {
        self.state.info.clone()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(
            ListToolsResult::with_all_items(self.state.tools.advertised().to_vec())
                .with_ttl_ms(TOOLS_LIST_TTL_MS)
                .with_cache_scope(CacheScope::Private),
        )
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.state.tools.tool(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        Ok(crate::dispatch::call_tool(&self.state, request, context, self.channel).await)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(crate::prompts::list(
            |p| self.state.serves(p),
        )))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        crate::prompts::get(&request.name, request.arguments.as_ref(), |p| {
            self.state.serves(p)
        })
        .map(Into::into)
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        match &request.r#ref {
            Reference::Prompt(prompt) => crate::prompts::complete(
                &prompt.name,
                &request.argument.name,
                &request.argument.value,
                |p| self.state.serves(p),
            ),
            _ => Ok(CompleteResult::default()),
        }
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        // The tracing subscriber belongs to the binary; the level is recorded so that a later
        // log-notification sink can honour it.
        if let Ok(mut level) = self.state.log_level.lock() {
            *level = request.level;
        }
        tracing::debug!(level = ?request.level, "client set the MCP log level");
        Ok(())
    }
}
