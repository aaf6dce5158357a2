//! Start-up order (the Python server's, inventory section 2.3) and the two serving paths.
//!
//! Everything before the tokio runtime starts is single-threaded on purpose: `.env` loading
//! sets process environment variables, which is only sound while no other thread reads them.

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
use zmcp_auth::{AuthConfigError, AuthEnv, AuthMode, ClientAuth};
use zmcp_catalog::{Catalog, CatalogError, Selection, SelectionConfig, TenantScope};
use zmcp_server::{AuditLog, HttpOptions, HttpTransport, McpServer, ServerConfig};
use zmcp_zscaler::{ClientConfig, ConfigError, ZscalerClient};

use tokio_util::sync::CancellationToken;

use crate::{
    VERSION,
    args::{Args, Transport},
    auth_token, banner, demo, entitlements,
    env_file::{self, Notice},
    exit::usage,
    http, lifecycle, list_tools,
    pidfile::{self, PidFile, PidRecord},
    reload::{self, AuthSlot, Reloader, RestartRequest, ZscalerTarget},
    settings::{self, Settings},
    signals, telemetry, truthy,
    zscaler_env::ZscalerEnv,
};

/// Runs the command line; returns the process exit code.
///
/// # Errors
/// Usage errors (exit 2) and runtime failures (exit 1).
pub fn main() -> anyhow::Result<u8> {
    let mut loaded = env_file::load_initial();
    let matches = Args::command().get_matches();
    let args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if args.version {
        println!("Zscaler MCP Server version {VERSION}");
        return Ok(0);
    }
    if matches.value_source("dotenv_path") == Some(ValueSource::CommandLine)
        && let Some(path) = &args.dotenv_path
    {
        let explicit = env_file::load_explicit(path);
        loaded.notices.extend(explicit.notices);
        loaded.path = explicit.path.or(loaded.path);
    }
    let audit_on_stderr = args.log_tool_calls && args.audit_log.is_none();
    telemetry::init(args.debug, args.log_format, audit_on_stderr)?;
    for notice in loaded.notices {
        match notice {
            Notice::Info(text) => tracing::info!("{text}"),
            Notice::Warn(text) => tracing::warn!("{text}"),
        }
    }
    if let Some(command) = &args.command {
        return Ok(lifecycle::run(command, args.pid_file.as_deref()));
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
    let safety = OutputSafety::from_args(&args)?;
    let settings = Settings::from_args(&args)?;
    let launch = Launch::capture(loaded.path);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if runtime.block_on(serve(settings, &launch, safety))? == Ending::Restart {
        // Serving has ended cleanly and the PID file is gone; the runtime's idle threads
        // vanish with the process image.
        let err = reload::exec_self(&launch.executable);
        tracing::error!("[LIFECYCLE] restart failed: {err} — exiting");
        return Ok(1);
    }
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

/// How this process was started: what the PID file records and `restart` repeats.
#[derive(Debug)]
struct Launch {
    /// The `.env` loaded at start-up.
    dotenv: Option<PathBuf>,
    /// This binary.
    executable: PathBuf,
    started_at: f64,
}

impl Launch {
    fn capture(dotenv: Option<PathBuf>) -> Self {
        // The path, not a file handle: a binary upgraded in place is what `restart` runs.
        let executable = std::env::current_exe().unwrap_or_else(|_| {
            PathBuf::from(
                std::env::args_os()
                    .next()
                    .unwrap_or_else(|| "zscaler-mcp".into()),
            )
        });
        Self {
            dotenv,
            executable,
            started_at: pidfile::now_epoch_secs(),
        }
    }

    fn record(&self, settings: &Settings, port: u16) -> PidRecord {
        PidRecord {
            argv: std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            dotenv_path: self.dotenv.as_ref().map(|p| p.display().to_string()),
            executable: self.executable.display().to_string(),
            host: settings.host.clone(),
            pid: std::process::id(),
            port,
            started_at: self.started_at,
            transport: settings.transport.as_str().to_owned(),
            version: VERSION.to_owned(),
        }
    }
}

/// How serving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Stopped (signal, or the stdio client went away).
    Stopped,
    /// `restart` asked for a fresh process.
    Restart,
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

/// What both transports share once the server is configured: the shutdown signal, and what
/// the lifecycle needs (the PID file, reload's targets).
struct Serving<'a> {
    settings: &'a Settings,
    launch: &'a Launch,
    zscaler: ZscalerTarget,
    shutdown: CancellationToken,
    write_tools: usize,
    tools: usize,
    /// The state store, shared by the confirmation ledger and the `oidcproxy` mode.
    store: Option<zmcp_store::Store>,
}

impl Serving<'_> {
    /// Installs the SIGHUP/SIGUSR2 handlers, then writes the PID file (so a `reload` that
    /// finds the file never meets SIGHUP's default action, which would end the process).
    fn start_lifecycle(
        &self,
        auth: Option<AuthSlot>,
        port: u16,
    ) -> (Option<PidFile>, RestartRequest) {
        let reloader = Reloader::new(self.launch.dotenv.clone(), self.zscaler.clone(), auth);
        let restart = reload::listen(reloader, self.shutdown.clone());
        let pid_file = PidFile::create(
            self.settings.pid_file.clone(),
            &self.launch.record(self.settings, port),
        );
        (pid_file, restart)
    }
}

/// What reaches the model and what is recorded about it: output sanitization
/// (`ZSCALER_MCP_DISABLE_OUTPUT_SANITIZATION` ∈ {1,true,yes,on} turns it off) and the audit
/// trail (`--log-tool-calls` to stderr, `--audit-log FILE` to a file).
struct OutputSafety {
    sanitize: bool,
    audit: Option<AuditLog>,
}

impl OutputSafety {
    fn from_args(args: &Args) -> anyhow::Result<Self> {
        let audit = match &args.audit_log {
            Some(path) => Some(AuditLog::append_to(path).map_err(|err| {
                usage(format!(
                    "ERROR: cannot open the audit log {} for appending: {err}",
                    path.display()
                ))
            })?),
            None => args.log_tool_calls.then(AuditLog::tracing),
        };
        let sanitize = !std::env::var("ZSCALER_MCP_DISABLE_OUTPUT_SANITIZATION")
            .is_ok_and(|value| truthy::true_1_yes_on(&value));
        Ok(Self { sanitize, audit })
    }
}

async fn serve(
    settings: Settings,
    launch: &Launch,
    safety: OutputSafety,
) -> anyhow::Result<Ending> {
    let selection = select(&settings.selection)?;
    for warning in &selection.warnings {
        tracing::warn!("{warning}");
    }
    let tenant = tenant(&settings).await?;
    let client = tenant.client.and_then(ZscalerClient::new);
    let selected = entitlements::apply(selection.tools, &client, settings.entitlement_filter).await;
    let names: Vec<&str> = selected.iter().map(|t| t.name.as_str()).collect();
    tracing::info!(
        "zscaler-mcp registered {} tool(s): {}",
        names.len(),
        names.join(", ")
    );
    let write_tools = selected.iter().filter(|t| t.action.is_write()).count();
    let tools = selected.len();
    let zscaler = match (&tenant.demo, &client) {
        (Some(_), _) => ZscalerTarget::Demo,
        (None, Ok(client)) => ZscalerTarget::Live(client.clone()),
        (None, Err(_)) => ZscalerTarget::Unconfigured,
    };
    let store = open_store(&settings).await?;
    let config = ServerConfig {
        tools: selected,
        client,
        tenant: tenant.scope,
        max_list_items: settings.max_list_items,
        confirmation_ttl: settings.confirmation_ttl,
        confirmation_keys: settings.confirmation_keys.clone(),
        confirmation_store: store.clone(),
        sanitize_output: safety.sanitize,
        audit: safety.audit,
    };
    tracing::info!(
        "zscaler-mcp starting (transport={}) — agent-first response shaping enabled",
        settings.transport.as_str()
    );
    let serving = Serving {
        settings: &settings,
        launch,
        zscaler,
        shutdown: signals::shutdown_token(),
        write_tools,
        tools,
        store,
    };
    let served = match settings.transport {
        Transport::Stdio => serve_stdio(config, &serving).await,
        Transport::StreamableHttp => {
            serve_http(config, &serving, HttpTransport::StreamableHttp).await
        }
        Transport::Sse => serve_http(config, &serving, HttpTransport::Sse).await,
    };
    if let Some(demo) = tenant.demo {
        demo.sim.shutdown().await;
    }
    served
}

async fn serve_stdio(config: ServerConfig, serving: &Serving<'_>) -> anyhow::Result<Ending> {
    tracing::info!(
        "{}",
        banner::security_line(&banner::Posture {
            transport: Transport::Stdio,
            http: None,
            write_tools: serving.write_tools,
            tools: serving.tools,
        })
    );
    let (pid_file, restart) = serving.start_lifecycle(None, serving.settings.port);
    tokio::select! {
        result = zmcp_server::serve_stdio(McpServer::new(config)) => result?,
        () = serving.shutdown.cancelled() => {}
    }
    drop(pid_file);
    Ok(ending(&restart))
}

fn ending(restart: &RestartRequest) -> Ending {
    if restart.is_set() {
        Ending::Restart
    } else {
        Ending::Stopped
    }
}

async fn serve_http(
    config: ServerConfig,
    serving: &Serving<'_>,
    transport: HttpTransport,
) -> anyhow::Result<Ending> {
    let settings = serving.settings;
    let hardening = http::check_bind(&settings.host, settings.port)?;
    let listener = http::bind(&settings.host, settings.port).await?;
    let port = listener.local_addr()?.port();
    let auth = resolve_auth(settings, port, serving.store.clone()).await?;
    banner::log_auth_banner(&auth, settings.transport, &settings.host);
    let options = HttpOptions {
        transport,
        allowed_hosts: Vec::new(), // `hardening` guards the whole app below
        shutdown: serving.shutdown.clone(),
    };
    let slot = AuthSlot::new(auth.auth.clone());
    let app = zmcp_server::mcp_routes(McpServer::new(config), &options)
        .merge(auth.auth.routes())
        .layer(axum::middleware::from_fn_with_state(
            slot.clone(),
            reload::require_current_auth,
        ));
    tracing::info!(
        "{}",
        banner::security_line(&banner::Posture {
            transport: settings.transport,
            http: Some(banner::HttpPosture {
                auth: &auth,
                bind: format!("{}:{port}", settings.host),
                host_validation: &hardening.host_validation,
                tls: hardening.tls_on(),
            }),
            write_tools: serving.write_tools,
            tools: serving.tools,
        })
    );
    let (pid_file, restart) = serving.start_lifecycle(Some(slot), port);
    tracing::info!(
        "{}",
        banner::start_line(settings.transport, &settings.host, port, hardening.tls_on())
    );
    let served = http::serve_guarded(listener, app, hardening, serving.shutdown.clone()).await;
    drop(pid_file);
    served.map(|()| ending(&restart))
}

/// Opens the `--store`. Without one, the `oidcproxy` mode on an HTTP transport gets an
/// SQLite file in the state directory, because its registrations, sign-ins and signing key
/// must survive a restart; everything else keeps its state in memory.
async fn open_store(settings: &Settings) -> anyhow::Result<Option<zmcp_store::Store>> {
    let url = match settings.store_url.as_deref() {
        Some(url) => url,
        None if settings.transport != Transport::Stdio
            && AuthEnv::from_process_env()
                .planned_mode(settings.demo && http::is_loopback(&settings.host))
                == Some(AuthMode::OidcProxy) =>
        {
            "sqlite:"
        }
        None => return Ok(None),
    };
    let dir = state_dir();
    let place = if url.starts_with("redis") {
        "Redis".to_owned()
    } else if url.starts_with("memory") {
        "this process's memory".to_owned()
    } else {
        match url.trim_start_matches("sqlite:").trim_start_matches("//") {
            "" => dir
                .join(zmcp_store::DEFAULT_SQLITE_FILE)
                .display()
                .to_string(),
            path => path.to_owned(),
        }
    };
    let store = zmcp_store::Store::open(url, &dir).await.map_err(|err| {
        usage(if settings.store_url.is_some() {
            format!("ERROR: cannot open --store: {err}")
        } else {
            format!(
                "ERROR: cannot open the state store {place}, where the oidcproxy mode keeps \
                 its sign-ins by default: {err}. Choose another place with --store / \
                 ZSCALER_MCP_STORE (sqlite:/path/state.sqlite3 or redis://host:6379/0), or \
                 set XDG_STATE_HOME"
            )
        })
    })?;
    tracing::info!(
        "State store opened ({place}): OAuth sign-ins and spent delete confirmations are kept there"
    );
    Ok(Some(store))
}

/// Where `sqlite:` without a path keeps its file: `$XDG_STATE_HOME/zscaler-mcp`, else
/// `~/.local/state/zscaler-mcp`, else the working directory.
fn state_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(state) = non_empty("XDG_STATE_HOME") {
        return PathBuf::from(state).join("zscaler-mcp");
    }
    match non_empty("HOME") {
        Some(home) => PathBuf::from(home).join(".local/state/zscaler-mcp"),
        None => PathBuf::from("."),
    }
}

/// Client authentication for the HTTP transports, with what it fetches at start-up (JWKS,
/// discovery); a mode that cannot be enforced stops start-up (exit 2) rather than serving
/// open, with the Python server's wording.
async fn resolve_auth(
    settings: &Settings,
    bound_port: u16,
    store: Option<zmcp_store::Store>,
) -> anyhow::Result<zmcp_auth::AuthResolution> {
    let mut env = AuthEnv::from_process_env();
    env.oidcproxy.bind_host.clone_from(&settings.host);
    env.oidcproxy.bind_port = bound_port;
    if settings.demo {
        // The demo ignores real Zscaler settings, so they must not pick the `zscaler` mode.
        env.vanity_domain = None;
    }
    if let (None, Some(vanity)) = (&env.oneapi.token_url, &env.vanity_domain) {
        // The `zscaler` mode checks credentials at the tenant's token endpoint; the client
        // crate owns the cloud-to-host mapping. An unusable vanity domain or cloud leaves it
        // unset: the client reports that itself, and the `zscaler` mode refuses to start.
        env.oneapi.token_url =
            zmcp_zscaler::Cloud::parse(env.oneapi.cloud.as_deref().unwrap_or(""))
                .and_then(|cloud| zmcp_zscaler::oneapi_token_url(vanity, &cloud))
                .ok();
    }
    let demo_on_loopback = settings.demo && http::is_loopback(&settings.host);
    let resolution = ClientAuth::resolve_with_store(&env, demo_on_loopback, store)
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
