//! Validated settings derived from the raw command line and the environment, and the
//! library configurations built from them. Everything here is checked once, before any
//! socket is opened; a setting that cannot work is a usage error (exit 2).

use std::{path::PathBuf, time::Duration};

use zmcp_catalog::SelectionConfig;
use zmcp_server::{ConfirmationKey, KEYS_ENV};

use crate::{
    args::{Args, Transport},
    exit::usage,
    pidfile,
};

/// `ZSCALER_MCP_CONFIRMATION_TTL` when unset, seconds.
const DEFAULT_CONFIRMATION_TTL_SECS: u64 = 300;

/// What the serving path needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Transport.
    pub transport: Transport,
    /// Bind host (HTTP).
    pub host: String,
    /// Bind port (HTTP; 0 = any free port).
    pub port: u16,
    /// Which tools to expose.
    pub selection: SelectionConfig,
    /// Serve the demo tenant from the embedded simulator.
    pub demo: bool,
    /// User-Agent suffix for Zscaler API calls.
    pub user_agent_comment: Option<String>,
    /// Bound of a fetch-all list walk.
    pub max_list_items: usize,
    /// Lifetime of a delete confirmation token.
    pub confirmation_ttl: Duration,
    /// Keys shared by replicas for delete confirmations; empty = one key per process.
    pub confirmation_keys: Vec<ConfirmationKey>,
    /// `--store` URL (opened at start-up; a bad URL or an unreachable store stops it).
    pub store_url: Option<String>,
    /// Drop tools of products the OneAPI token does not entitle.
    pub entitlement_filter: bool,
    /// Where the PID file is written.
    pub pid_file: PathBuf,
}

impl Settings {
    /// Validates `args` and the environment.
    ///
    /// # Errors
    /// A usage error naming the setting and what it accepts.
    pub fn from_args(args: &Args) -> anyhow::Result<Self> {
        if args.max_list_items == 0 {
            return Err(usage(
                "ERROR: --max-list-items (ZSCALER_MCP_MAX_LIST_ITEMS) must be at least 1",
            ));
        }
        if args.host.trim().is_empty() {
            return Err(usage("ERROR: --host (ZSCALER_MCP_HOST) must not be empty"));
        }
        Ok(Self {
            transport: args.transport,
            host: args.host.trim().to_owned(),
            port: args.port,
            selection: serve_selection(args),
            demo: args.demo,
            user_agent_comment: args
                .user_agent_comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            max_list_items: args.max_list_items,
            confirmation_ttl: confirmation_ttl(std::env::var("ZSCALER_MCP_CONFIRMATION_TTL").ok())?,
            confirmation_keys: confirmation_keys(std::env::var(KEYS_ENV).ok())?,
            store_url: args
                .store
                .as_deref()
                .map(str::trim)
                .filter(|url| !url.is_empty())
                .map(str::to_owned),
            entitlement_filter: !args.no_entitlement_filter,
            pid_file: pidfile::location(args.pid_file.as_deref()),
        })
    }
}

/// The selection served: every filter and the write gate.
fn serve_selection(args: &Args) -> SelectionConfig {
    SelectionConfig {
        services: csv(&args.services),
        disabled_services: csv(&args.disabled_services),
        toolsets: csv(&args.toolsets),
        disabled_toolsets: csv(&args.disabled_toolsets),
        enable_write: args.enable_write_tools,
        write_tools: csv(&args.write_tools),
        disabled_tools: csv(&args.disabled_tools),
        include_all_writes: false,
    }
}

/// The selection `--list-tools` prints: as the Python server, only the service filters
/// apply, and write tools are listed whatever the gate says.
pub fn list_selection(args: &Args) -> SelectionConfig {
    SelectionConfig {
        services: csv(&args.services),
        disabled_services: csv(&args.disabled_services),
        include_all_writes: true,
        ..SelectionConfig::default()
    }
}

/// Trimmed, non-empty entries (`a, ,b,` is `[a, b]`, and an empty env var is no entry).
fn csv(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

fn confirmation_ttl(raw: Option<String>) -> anyhow::Result<Duration> {
    let Some(raw) = raw.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()) else {
        return Ok(Duration::from_secs(DEFAULT_CONFIRMATION_TTL_SECS));
    };
    match raw.parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => Err(usage(format!(
            "ERROR: ZSCALER_MCP_CONFIRMATION_TTL must be a positive number of seconds, got {raw:?}"
        ))),
    }
}

/// `ZSCALER_MCP_REQUEST_STATE_KEYS`: unset or blank is no key ring; a set value must parse
/// (JSON array or CSV, each key at least 32 bytes, used as given).
fn confirmation_keys(raw: Option<String>) -> anyhow::Result<Vec<ConfirmationKey>> {
    match raw.filter(|r| !r.trim().is_empty()) {
        None => Ok(Vec::new()),
        Some(raw) => {
            ConfirmationKey::parse_list(&raw).map_err(|error| usage(format!("ERROR: {error}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn csv_drops_blanks() {
        let raw = vec![" zia".to_owned(), String::new(), "zpa ".to_owned()];
        assert_eq!(csv(&raw), ["zia", "zpa"]);
    }

    #[test]
    fn confirmation_ttl_default_and_validation() {
        assert_eq!(confirmation_ttl(None).unwrap(), Duration::from_secs(300));
        assert_eq!(
            confirmation_ttl(Some(" ".into())).unwrap(),
            Duration::from_secs(300)
        );
        assert_eq!(
            confirmation_ttl(Some("60".into())).unwrap(),
            Duration::from_secs(60)
        );
        for bad in ["0", "-5", "5m"] {
            assert!(confirmation_ttl(Some(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn confirmation_keys_are_optional_but_must_be_long_enough() {
        assert!(confirmation_keys(None).unwrap().is_empty());
        assert!(confirmation_keys(Some("  ".into())).unwrap().is_empty());
        let two = format!("{},{}", "a".repeat(32), "b".repeat(40));
        assert_eq!(confirmation_keys(Some(two)).unwrap().len(), 2);
        let error = confirmation_keys(Some("too-short".into()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(KEYS_ENV) && !error.contains("too-short"),
            "{error}"
        );
    }

    #[test]
    fn list_selection_ignores_the_write_gate_and_toolsets() {
        let args = Args::try_parse_from([
            "zscaler-mcp",
            "-s",
            "zpa",
            "--toolsets",
            "x",
            "--disabled-tools",
            "zpa_*",
        ])
        .unwrap();
        let sel = list_selection(&args);
        assert_eq!(sel.services, ["zpa"]);
        assert!(sel.include_all_writes);
        assert!(sel.toolsets.is_empty() && sel.disabled_tools.is_empty());
        let served = serve_selection(&args);
        assert!(!served.include_all_writes);
        assert_eq!(served.disabled_tools, ["zpa_*"]);
    }
}
