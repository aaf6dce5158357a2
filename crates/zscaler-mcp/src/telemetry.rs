//! Logging: everything goes to stderr (stdout carries the stdio protocol), human-readable or
//! JSON lines, at INFO (DEBUG with `--debug`); `RUST_LOG` overrides both.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::args::LogFormat;

/// Installs the global subscriber; `audit` keeps the tool-call audit lines (target `audit`)
/// whatever `RUST_LOG` says, since the operator asked for them explicitly.
///
/// # Errors
/// When `RUST_LOG` does not parse or a subscriber is already installed.
pub fn init(debug: bool, format: LogFormat, audit: bool) -> anyhow::Result<()> {
    let mut filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::try_new(directives)?,
        // rmcp narrates every session at INFO; its warnings are what an operator needs.
        _ if debug => EnvFilter::try_new("debug")?,
        _ => EnvFilter::try_new("info,rmcp=warn")?,
    };
    if audit {
        filter = filter.add_directive("audit=info".parse()?);
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().try_init(),
    }
    .map_err(|e| anyhow::anyhow!("cannot initialise logging: {e}"))
}
