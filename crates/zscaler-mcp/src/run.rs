//! Start-up order (the Python server's, inventory section 2.3) and the two serving paths.
//!
//! Everything before the tokio runtime starts is single-threaded on purpose: `.env` loading
//! sets process environment variables, which is only sound while no other thread reads them.

use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
use zmcp_auth::{AuthConfigError, AuthEnv, AuthMode, ClientAuth};
use zmcp_catalog::{Catalog, CatalogError, Selection, SelectionConfig, TenantScope};
use zmcp_server::{HttpOptions, HttpTransport, McpServer, ServerConfig};
use zmcp_zscaler::{ClientConfig, ConfigError, ZscalerClient};

use crate::{
    VERSION,
    args::{Args, Transport},
    auth_token, banner, demo,
    env_file::{self, Notice},
    exit::usage,
    http, list_tools,
    settings::{self, Settings},
    signals, telemetry,
    zscaler_env::ZscalerEnv,
};

/// Runs the command line; returns the process exit code.
///
/// # Errors
/// Usage errors (exit 2) and runtime failures (exit 1).
pub fn main() -> anyhow::Result<u8> {
    let mut notices = env_file::load_initial();
    let matches = Args::command().get_matches();
    let args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if args.version {
        println!("Zscaler MCP Server version {VERSION}");
        return Ok(0);
    }
    if matches.value_source("dotenv_path") == Some(ValueSource::CommandLine)
        && let Some(path) = &args.dotenv_path
    {
        notices.extend(env_file::load_explicit(path));
    }
    telemetry::init(args.debug, args.log_format)?;
    for notice in notices {
        match notice {
            Notice::Info(text) => tracing::info!("{text}"),
            Notice::Warn(text) => tracing::warn!("{text}"),
        }
    }
    if let Some(command) = &args.command {
        not_implemented(command.name());
        return Ok(1);
    }
    if args.generate_docs || args.check_docs {
        not_implemented(if args.generate_docs {
            "--generate-docs"
        } else {
            "--check-docs"
        });
        return Ok(2);
    }
    if args.list_tools {
        let selection = select(&settings::list_selection(&args))?;
        print!("{}", list_tools::render(&selection.tools));
        return Ok(0);
    }
    if let Some(format) = args.generate_auth_token {
        return Ok(auth_token::run(format));
    }
    for (set, flag) in [
        (args.log_tool_calls, "--log-tool-calls"),
        (args.no_entitlement_filter, "--no-entitlement-filter"),
        (args.pid_file.is_some(), "--pid-file"),
    ] {
        if set {
            not_implemented(flag);
        }
    }
    let settings = Settings::from_args(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(settings))?;
    Ok(0)
}

fn not_implemented(what: &str) {
    tracing::warn!("not implemented yet in this build: {what}");
}

/// The catalog's selection; unknown service or toolset names are usage errors.
fn select(config: &SelectionConfig) -> anyhow::Result<Selection> {
    let catalog = Catalog::builtin()?;
    catalog.select(config).map_err(|err| match err {
        CatalogError::Selection(message) => usage(message),
        other => other.into(),
    })
}

/// The tenant the server talks to: the simulator in demo mode, else the environment's.
struct Tenant {
    client: Result<ClientConfig, ConfigError>,
    scope: TenantScope,
    /// The simulator behind the demo tenant, stopped after serving ends.
    demo: Option<demo::Demo>,
}

async fn tenant(settings: &Settings) -> anyhow::Result<Tenant> {
    let real = ZscalerEnv::from_process_env();
    let comment = settings.user_agent_comment.as_deref();
    if settings.demo {
        let demo = demo::start(&real, comment).await?;
        return Ok(Tenant {
            client: Ok(demo.client.clone()),
            scope: demo.tenant.clone(),
            demo: Some(demo),
        });
    }
    let client = real.client_config(comment);
    if let Err(err) = &client {
        tracing::warn!(
            "{err} The server starts anyway; every tool call answers with this error until they are set."
        );
    }
    Ok(Tenant {
        client,
        scope: real.tenant(),
        demo: None,
    })
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let selection = select(&settings.selection)?;
    for warning in &selection.warnings {
        tracing::warn!("{warning}");
    }
    let tenant = tenant(&settings).await?;
    let names: Vec<&str> = selection.tools.iter().map(|t| t.name.as_str()).collect();
    tracing::info!(
        "zscaler-mcp registered {} tool(s): {}",
        names.len(),
        names.join(", ")
    );
    let write_tools = selection
        .tools
        .iter()
        .filter(|t| t.action.is_write())
        .count();
    let tools = selection.tools.len();
    let config = ServerConfig {
        tools: selection.tools,
        client: tenant.client.and_then(ZscalerClient::new),
        tenant: tenant.scope,
        max_list_items: settings.max_list_items,
        confirmation_ttl: settings.confirmation_ttl,
    };
    tracing::info!(
        "zscaler-mcp starting (transport={}) — agent-first response shaping enabled",
        settings.transport.as_str()
    );
    let counts = (write_tools, tools);
    let served = match settings.transport {
        Transport::Stdio => serve_stdio(config, counts).await,
        Transport::StreamableHttp => {
            serve_http(&settings, config, counts, HttpTransport::StreamableHttp).await
        }
        Transport::Sse => serve_http(&settings, config, counts, HttpTransport::Sse).await,
    };
    if let Some(demo) = tenant.demo {
        demo.sim.shutdown().await;
    }
    served
}

async fn serve_stdio(
    config: ServerConfig,
    (write_tools, tools): (usize, usize),
) -> anyhow::Result<()> {
    tracing::info!(
        "{}",
        banner::security_line(&banner::Posture {
            transport: Transport::Stdio,
            http: None,
            write_tools,
            tools,
        })
    );
    let shutdown = signals::shutdown_token();
    tokio::select! {
        result = zmcp_server::serve_stdio(McpServer::new(config)) => result?,
        () = shutdown.cancelled() => {}
    }
    Ok(())
}

async fn serve_http(
    settings: &Settings,
    config: ServerConfig,
    (write_tools, tools): (usize, usize),
    transport: HttpTransport,
) -> anyhow::Result<()> {
    let host_validation = http::check_bind(&settings.host, settings.port)?;
    let auth = resolve_auth(settings).await?;
    banner::log_auth_banner(&auth, settings.transport, &settings.host);
    let listener = http::bind(&settings.host, settings.port).await?;
    let port = listener.local_addr()?.port();
    let shutdown = signals::shutdown_token();
    let options = HttpOptions {
        transport,
        allowed_hosts: host_validation.allowed_hosts(),
        shutdown: shutdown.clone(),
    };
    let app = zmcp_server::router(McpServer::new(config), &options)
        .merge(auth.auth.routes())
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(auth.auth.clone()),
            zmcp_auth::require_auth,
        ));
    tracing::info!(
        "{}",
        banner::security_line(&banner::Posture {
            transport: settings.transport,
            http: Some(banner::HttpPosture {
                auth: &auth,
                bind: format!("{}:{port}", settings.host),
                host_validation: &host_validation,
            }),
            write_tools,
            tools,
        })
    );
    tracing::info!(
        "{}",
        banner::start_line(settings.transport, &settings.host, port)
    );
    http::serve(listener, app, shutdown).await
}

/// Client authentication for the HTTP transports, with what it fetches at start-up (JWKS,
/// discovery); a mode that cannot be enforced stops start-up (exit 2) rather than serving
/// open, with the Python server's wording.
async fn resolve_auth(settings: &Settings) -> anyhow::Result<zmcp_auth::AuthResolution> {
    let mut env = AuthEnv::from_process_env();
    if settings.demo {
        // The demo ignores real Zscaler settings, so they must not pick the `zscaler` mode.
        env.vanity_domain = None;
    }
    let demo_on_loopback = settings.demo && http::is_loopback(&settings.host);
    let resolution = ClientAuth::resolve_from_env(&env, demo_on_loopback)
        .await
        .map_err(|err| usage(auth_error_text(&err)))?;
    for warning in &resolution.warnings {
        tracing::warn!("{warning}");
    }
    Ok(resolution)
}

fn auth_error_text(err: &AuthConfigError) -> String {
    match err.mode() {
        Some(AuthMode::Oidc) => {
            format!("ERROR: oidc auth mode is selected but misconfigured.\n  Error: {err}")
        }
        mode => {
            let mode = mode.map_or_else(|| "(unknown)".to_owned(), |m| m.to_string());
            format!(
                "ERROR: Authentication is enabled (default) but configuration is invalid.\n  \
                 Mode: {mode}\n  Error: {err}\n\nEither:\n  \
                 1. Configure valid auth settings for the '{mode}' mode, or\n  \
                 2. Set ZSCALER_MCP_AUTH_ENABLED=false to disable (not recommended)\n"
            )
        }
    }
}
