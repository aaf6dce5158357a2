//! The command line, flag for flag and env var for env var as the Python server's `argparse`
//! parser (inventory section 2.1), plus our `--demo`, `--log-format` and `--max-list-items`.
//!
//! Raw values only: validation and everything derived from them lives in `settings.rs`.
//! No flag carries a secret: credentials are read from the environment by `settings.rs`
//! straight into `SecretString`, so `--help` can never print one.

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};

use crate::truthy;

/// Zscaler MCP Server: lets AI assistants read (and, when explicitly allowed, change) a
/// Zscaler tenant through the Model Context Protocol.
#[derive(Debug, Parser)]
#[command(name = "zscaler-mcp", disable_version_flag = true)]
pub struct Args {
    /// Lifecycle command for a running server (no command = serve).
    #[command(subcommand)]
    pub command: Option<Lifecycle>,

    /// Transport.
    #[arg(long, env = "ZSCALER_MCP_TRANSPORT", value_enum, default_value_t = Transport::Stdio)]
    pub transport: Transport,

    /// Bind address (HTTP transports only).
    #[arg(long, env = "ZSCALER_MCP_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Listen port (HTTP transports only; 0 picks a free port).
    #[arg(long, env = "ZSCALER_MCP_PORT", default_value_t = 8000)]
    pub port: u16,

    /// Service allowlist by code: zia,zpa,zdx,zcc,ztw,zid,zeasm,zins,zms,zcell (default: all).
    #[arg(
        short = 's',
        long,
        env = "ZSCALER_MCP_SERVICES",
        value_delimiter = ',',
        value_name = "SERVICE,..."
    )]
    pub services: Vec<String>,

    /// Service blocklist (wins over --services).
    #[arg(
        long,
        env = "ZSCALER_MCP_DISABLED_SERVICES",
        value_delimiter = ',',
        value_name = "SERVICE,..."
    )]
    pub disabled_services: Vec<String>,

    /// Toolset allowlist (`all` or `default` = no filter).
    #[arg(
        long,
        env = "ZSCALER_MCP_TOOLSETS",
        value_delimiter = ',',
        value_name = "TOOLSET,..."
    )]
    pub toolsets: Vec<String>,

    /// Toolset blocklist (wins over --toolsets).
    #[arg(
        long,
        env = "ZSCALER_MCP_DISABLED_TOOLSETS",
        value_delimiter = ',',
        value_name = "TOOLSET,..."
    )]
    pub disabled_toolsets: Vec<String>,

    /// Master switch for write tools; does nothing without --write-tools.
    #[arg(long, env = "ZSCALER_MCP_WRITE_ENABLED", action = ArgAction::SetTrue, value_parser = truthy::true_1_yes)]
    pub enable_write_tools: bool,

    /// fnmatch allowlist of write tools, e.g. 'zpa_create_*,zia_update_*' (needs --enable-write-tools).
    #[arg(
        long,
        env = "ZSCALER_MCP_WRITE_TOOLS",
        value_delimiter = ',',
        value_name = "PATTERN,..."
    )]
    pub write_tools: Vec<String>,

    /// fnmatch blocklist of tool names; highest precedence, read tools included.
    #[arg(
        long,
        env = "ZSCALER_MCP_DISABLED_TOOLS",
        value_delimiter = ',',
        value_name = "PATTERN,..."
    )]
    pub disabled_tools: Vec<String>,

    /// Skip the OneAPI entitlement downscoping (dropping tools of products the credentials are not entitled to).
    #[arg(long, env = "ZSCALER_MCP_DISABLE_ENTITLEMENT_FILTER", action = ArgAction::SetTrue, value_parser = truthy::true_1_yes)]
    pub no_entitlement_filter: bool,

    /// Write one JSON audit line per tool call (who, tool, non-secret arguments, outcome; never the result) to stderr.
    #[arg(long, env = "ZSCALER_MCP_LOG_TOOL_CALLS", action = ArgAction::SetTrue, value_parser = truthy::true_only)]
    pub log_tool_calls: bool,

    /// Append the tool-call audit lines to FILE instead of stderr (implies --log-tool-calls).
    #[arg(long, env = "ZSCALER_MCP_AUDIT_LOG", value_name = "FILE")]
    pub audit_log: Option<PathBuf>,

    /// Rewrite the generated documentation regions (source checkouts only; not in this build).
    #[arg(long)]
    pub generate_docs: bool,

    /// Check the generated documentation regions (source checkouts only; not in this build).
    #[arg(long)]
    pub check_docs: bool,

    /// Suffix appended to the User-Agent of Zscaler API calls.
    #[arg(long, env = "ZSCALER_MCP_USER_AGENT_COMMENT")]
    pub user_agent_comment: Option<String>,

    /// Print the tool inventory (honours --services/--disabled-services, includes write tools) and exit.
    #[arg(long)]
    pub list_tools: bool,

    /// Print MCP client configuration snippets built from ZSCALER_CLIENT_ID/SECRET and exit.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "basic", value_name = "FORMAT")]
    pub generate_auth_token: Option<TokenFormat>,

    /// Explicit .env file, loaded with override.
    #[arg(long, env = "ZSCALER_MCP_DOTENV_PATH")]
    pub dotenv_path: Option<PathBuf>,

    /// PID file for the lifecycle commands (default: /var/run/zscaler-mcp.pid, /tmp/zscaler-mcp.pid or ~/.zscaler-mcp/server.pid).
    #[arg(long, env = "ZSCALER_MCP_PID_FILE", global = true)]
    pub pid_file: Option<PathBuf>,

    /// Print the version and exit.
    #[arg(short = 'v', long)]
    pub version: bool,

    /// Debug logging.
    #[arg(long, env = "ZSCALER_MCP_DEBUG", action = ArgAction::SetTrue, value_parser = truthy::true_only)]
    pub debug: bool,

    /// Serve the built-in demo tenant from the embedded Zscaler simulator (no Zscaler account used).
    #[arg(long, env = "ZSCALER_MCP_DEMO", action = ArgAction::SetTrue, value_parser = truthy::true_1_yes)]
    pub demo: bool,

    /// Log format on stderr.
    #[arg(long, env = "ZSCALER_MCP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Upper bound of records one list tool gathers across pages.
    #[arg(long, env = "ZSCALER_MCP_MAX_LIST_ITEMS", default_value_t = 10_000)]
    pub max_list_items: usize,

    /// Where state lives: `sqlite:<path>`, `redis://host:port/db` (several replicas) or
    /// `memory:`. OAuth sign-ins of the `oidcproxy` mode and spent delete confirmations are
    /// kept there (default: SQLite in the state directory for `oidcproxy`, else memory).
    #[arg(long = "store", env = "ZSCALER_MCP_STORE", value_name = "URL")]
    pub store: Option<String>,
}

/// `--transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// MCP over stdin/stdout.
    Stdio,
    /// MCP streamable HTTP on /mcp.
    StreamableHttp,
    /// The legacy HTTP+SSE transport on /mcp.
    Sse,
}

impl Transport {
    /// The name as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::StreamableHttp => "streamable-http",
            Transport::Sse => "sse",
        }
    }
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `--generate-auth-token [basic|bearer]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenFormat {
    /// `Authorization: Basic base64(id:secret)`, for the `zscaler` auth mode.
    Basic,
    /// `Authorization: Bearer <secret>`, for the `api-key` auth mode.
    Bearer,
}

/// The Python server's lifecycle subcommands, acting on the server named by the PID file.
#[derive(Debug, Clone, Subcommand)]
pub enum Lifecycle {
    /// Show the running server's status.
    Status,
    /// Soft reload (SIGHUP): re-read .env and rotate the Zscaler credential and API key; sessions survive.
    Reload,
    /// Hard restart (SIGUSR2): stop cleanly and re-execute the same binary and arguments (same PID).
    Restart,
    /// Stop the running server (SIGTERM).
    Stop,
    /// Not available in this build: a binary is upgraded by its installer, then `restart`.
    Update {
        /// Accepted for compatibility; has no effect.
        #[arg(long)]
        apply: bool,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_is_well_formed() {
        Args::command().debug_assert();
    }

    #[test]
    fn bare_generate_auth_token_means_basic() {
        let args = Args::try_parse_from(["zscaler-mcp", "--generate-auth-token"]).unwrap();
        assert_eq!(args.generate_auth_token, Some(TokenFormat::Basic));
        let args =
            Args::try_parse_from(["zscaler-mcp", "--generate-auth-token", "bearer"]).unwrap();
        assert_eq!(args.generate_auth_token, Some(TokenFormat::Bearer));
    }

    #[test]
    fn csv_lists_split_on_commas() {
        let args = Args::try_parse_from(["zscaler-mcp", "-s", "zia,zpa", "--write-tools", "zpa_*"])
            .unwrap();
        assert_eq!(args.services, ["zia", "zpa"]);
        assert_eq!(args.write_tools, ["zpa_*"]);
    }

    #[test]
    fn flags_set_booleans() {
        let args =
            Args::try_parse_from(["zscaler-mcp", "--enable-write-tools", "--debug", "--demo"])
                .unwrap();
        assert!(args.enable_write_tools && args.debug && args.demo);
    }

    #[test]
    fn removed_stateless_http_flag_is_rejected() {
        assert!(Args::try_parse_from(["zscaler-mcp", "--stateless-http"]).is_err());
    }
}
