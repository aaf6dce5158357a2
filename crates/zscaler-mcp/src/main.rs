//! `zscaler-mcp`: the MCP server for the Zscaler Zero Trust Exchange, a drop-in replacement
//! for the Python `zscaler-mcp` (same flags, environment variables and tool names).
//!
//! The binary is thin: command line and environment → validated settings → the libraries'
//! configurations → serve. Exit codes: 0 success, 1 runtime failure, 2 usage or
//! configuration error.

mod args;
mod auth_token;
mod banner;
mod demo;
mod entitlements;
mod env_file;
mod exit;
mod http;
mod lifecycle;
mod list_tools;
mod pidfile;
mod reload;
mod run;
mod settings;
mod signals;
mod telemetry;
mod truthy;
mod zscaler_env;

/// This build's version, as `--version` and `--list-tools` print it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn main() {
    // reqwest already selects aws-lc-rs; installing it process-wide first means a library
    // that asks rustls for "the" provider can never panic because a second one (ring)
    // entered the dependency tree.
    let _already_installed = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let code = match run::main() {
        Ok(code) => code,
        Err(error) => exit::report(&error),
    };
    // Exit explicitly: a pending read on stdin (stdio transport) cannot be cancelled, so
    // waiting for the runtime's threads could hang until the client closes the pipe.
    std::process::exit(i32::from(code));
}
