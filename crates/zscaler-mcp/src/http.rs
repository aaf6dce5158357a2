//! HTTP transport hardening that belongs to the process (inventory section 3.7): TLS
//! settings, the plaintext policy, the wildcard-bind rule, Host-header validation and the
//! source-IP allowlist, checked before anything is bound; then the guarded router is handed
//! to `zmcp_server::serve`, the one serving loop.

use std::{
    fmt,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use zmcp_server::{Guard, HostPolicy, ServeOptions, SourceIpAcl, TlsFiles, TlsServer};

use crate::{banner, exit::usage, truthy::env_true_1_yes};

/// How long open connections (event streams) may delay the exit after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How often the TLS certificate and key files are checked for changes by default.
const DEFAULT_TLS_RELOAD_SECS: u64 = 30;

/// Host-header validation in force (DNS-rebinding protection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostValidation {
    /// Loopback bind without an allowlist: only loopback names are accepted.
    LoopbackOnly,
    /// `ZSCALER_MCP_ALLOWED_HOSTS`.
    Allowlist(Vec<String>),
    /// `ZSCALER_MCP_DISABLE_HOST_VALIDATION`.
    Disabled,
    /// A non-loopback bind without an allowlist: any Host, as the Python server does.
    NotConfigured,
}

impl fmt::Display for HostValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostValidation::LoopbackOnly => f.write_str("loopback-only"),
            HostValidation::Allowlist(hosts) => write!(f, "allowlist({})", hosts.join(",")),
            HostValidation::Disabled => f.write_str("off"),
            HostValidation::NotConfigured => f.write_str("off (no allowlist)"),
        }
    }
}

/// Everything the transport enforces, validated before binding.
#[derive(Debug)]
pub struct Hardening {
    /// Host-header validation, as the banners report it.
    pub host_validation: HostValidation,
    hosts: HostPolicy,
    source_ips: Option<SourceIpAcl>,
    tls: Option<TlsServer>,
    tls_reload_every: Duration,
}

impl Hardening {
    /// Whether TLS is terminated in-process.
    pub fn tls_on(&self) -> bool {
        self.tls.is_some()
    }
}

/// Whether `host` only accepts connections from this machine (the Python server's exact
/// names, plus any address in 127.0.0.0/8).
pub fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The Python server's `_run_http` checks, in its order: TLS settings, plaintext policy,
/// wildcard bind; then the allowlists. Every refusal is a usage error (exit 2).
///
/// # Errors
/// When the configuration must not be served.
pub fn check_bind(host: &str, port: u16) -> anyhow::Result<Hardening> {
    let tls = tls_server()?;
    if tls.is_none() && !is_loopback(host) && !env_true_1_yes("ZSCALER_MCP_ALLOW_HTTP") {
        banner::warn_block(
            "Refusing to bind a non-localhost address over plaintext HTTP",
            &[
                format!("The server is configured to listen on {host}:{port} without TLS."),
                String::new(),
                "Set ZSCALER_MCP_TLS_CERTFILE and ZSCALER_MCP_TLS_KEYFILE, or terminate TLS at"
                    .to_owned(),
                "a reverse proxy and set ZSCALER_MCP_ALLOW_HTTP=true, or bind 127.0.0.1."
                    .to_owned(),
            ],
        );
        return Err(usage(
            "ERROR: plaintext HTTP on a non-localhost bind requires TLS certs or ZSCALER_MCP_ALLOW_HTTP=true",
        ));
    }
    let validation = host_validation(host);
    // The Python server matches "0.0.0.0" only; "::" is the same wildcard in IPv6.
    if matches!(host, "0.0.0.0" | "::") && validation == HostValidation::NotConfigured {
        return Err(usage(format!(
            "ERROR: Cannot bind to {host} without host validation configuration.\n\
             Set one of:\n  \
             ZSCALER_MCP_ALLOWED_HOSTS=your-host:*,localhost:*  (recommended)\n  \
             ZSCALER_MCP_DISABLE_HOST_VALIDATION=true           (disables protection)"
        )));
    }
    let hosts = match &validation {
        HostValidation::LoopbackOnly => HostPolicy::LoopbackOnly,
        HostValidation::Allowlist(entries) => HostPolicy::parse(entries)
            .map_err(|err| usage(format!("ERROR: ZSCALER_MCP_ALLOWED_HOSTS: {err}")))?,
        HostValidation::Disabled | HostValidation::NotConfigured => HostPolicy::Any,
    };
    let source_ips = SourceIpAcl::parse_csv(
        &std::env::var("ZSCALER_MCP_ALLOWED_SOURCE_IPS").unwrap_or_default(),
    )
    .map_err(|err| usage(format!("ERROR: ZSCALER_MCP_ALLOWED_SOURCE_IPS: {err}")))?;
    let tls_reload_every = tls_reload_every()?;
    log_posture(
        host,
        &validation,
        source_ips.as_ref(),
        tls.as_ref(),
        tls_reload_every,
    );
    Ok(Hardening {
        host_validation: validation,
        hosts,
        source_ips,
        tls,
        tls_reload_every,
    })
}

fn log_posture(
    host: &str,
    validation: &HostValidation,
    source_ips: Option<&SourceIpAcl>,
    tls: Option<&TlsServer>,
    reload_every: Duration,
) {
    match validation {
        HostValidation::Disabled => banner::warn_block(
            "Host Header Validation is DISABLED",
            &[
                "The server is vulnerable to DNS rebinding attacks.".to_owned(),
                "This is NOT recommended for production deployments.".to_owned(),
                String::new(),
                "To enable, set ZSCALER_MCP_ALLOWED_HOSTS with your expected hostnames.".to_owned(),
                "Remove ZSCALER_MCP_DISABLE_HOST_VALIDATION=true to re-enable.".to_owned(),
            ],
        ),
        HostValidation::Allowlist(hosts) => {
            tracing::info!("Host header allowlist active: {hosts:?}");
        }
        HostValidation::NotConfigured => tracing::warn!(
            "Host header validation is off on {host}: set ZSCALER_MCP_ALLOWED_HOSTS to the \
             names clients use (DNS-rebinding protection)"
        ),
        HostValidation::LoopbackOnly => {}
    }
    if let Some(acl) = source_ips {
        tracing::info!("Source IP ACL active: {:?}", acl.entries());
    }
    if let Some(tls) = tls {
        tracing::info!(
            "TLS enabled (rustls): certificate reloaded when its files change (checked every {} s and on SIGHUP){}",
            reload_every.as_secs(),
            if tls.requires_client_certificates() {
                "; client certificates required (mTLS)"
            } else {
                ""
            }
        );
    }
}

/// A non-empty environment value.
fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The TLS settings, loaded: both files or neither (the Python server's messages), each
/// file present, and a usable certificate and key.
fn tls_server() -> anyhow::Result<Option<TlsServer>> {
    let (cert, key) = (
        env_value("ZSCALER_MCP_TLS_CERTFILE"),
        env_value("ZSCALER_MCP_TLS_KEYFILE"),
    );
    let state = |v: &Option<String>| if v.is_some() { "(set)" } else { "(missing)" };
    let (cert, key) = match (cert, key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (PathBuf::from(cert), PathBuf::from(key)),
        (cert, key) => {
            return Err(usage(format!(
                "ERROR: Incomplete TLS configuration.\n\
                 Both ZSCALER_MCP_TLS_CERTFILE and ZSCALER_MCP_TLS_KEYFILE must be set.\n  \
                 ZSCALER_MCP_TLS_CERTFILE = {}\n  ZSCALER_MCP_TLS_KEYFILE  = {}",
                state(&cert),
                state(&key)
            )));
        }
    };
    let client_ca = env_value("ZSCALER_MCP_TLS_CA_CERTS").map(PathBuf::from);
    require_file(&cert, "certificate")?;
    require_file(&key, "key")?;
    if let Some(ca) = &client_ca {
        require_file(ca, "CA certificate")?;
    }
    if env_value("ZSCALER_MCP_TLS_KEYFILE_PASSWORD").is_some() {
        tracing::warn!(
            "ZSCALER_MCP_TLS_KEYFILE_PASSWORD is ignored: encrypted private keys are not \
             supported, so ZSCALER_MCP_TLS_KEYFILE must hold an unencrypted key"
        );
    }
    TlsServer::load(TlsFiles {
        cert,
        key,
        client_ca,
    })
    .map(Some)
    .map_err(|err| usage(format!("ERROR: cannot use the TLS configuration: {err}")))
}

fn require_file(path: &Path, what: &str) -> anyhow::Result<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(usage(format!(
            "ERROR: TLS {what} file not found: {}",
            path.display()
        )))
    }
}

/// `ZSCALER_MCP_TLS_RELOAD_SECS`: how often the certificate files are checked (whole
/// seconds, at least 1).
fn tls_reload_every() -> anyhow::Result<Duration> {
    match env_value("ZSCALER_MCP_TLS_RELOAD_SECS") {
        None => Ok(Duration::from_secs(DEFAULT_TLS_RELOAD_SECS)),
        Some(text) => match text.parse::<u64>() {
            Ok(secs) if secs >= 1 => Ok(Duration::from_secs(secs)),
            _ => Err(usage(format!(
                "ERROR: ZSCALER_MCP_TLS_RELOAD_SECS must be a whole number of seconds, at least 1 (got {text:?})"
            ))),
        },
    }
}

fn host_validation(host: &str) -> HostValidation {
    if env_true_1_yes("ZSCALER_MCP_DISABLE_HOST_VALIDATION") {
        return HostValidation::Disabled;
    }
    let hosts: Vec<String> = std::env::var("ZSCALER_MCP_ALLOWED_HOSTS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect();
    if !hosts.is_empty() {
        HostValidation::Allowlist(hosts)
    } else if is_loopback(host) {
        HostValidation::LoopbackOnly
    } else {
        HostValidation::NotConfigured
    }
}

/// Binds `host:port` (a name such as `localhost` is resolved).
///
/// # Errors
/// When the address cannot be bound.
pub async fn bind(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port))
        .await
        .with_context(|| format!("cannot listen on {host}:{port}"))
}

/// Guards `app` with `hardening`, starts the certificate reloader, and serves until
/// `shutdown` (then open requests get a short grace period).
///
/// # Errors
/// When the listener fails.
pub async fn serve_guarded(
    listener: TcpListener,
    app: Router,
    hardening: Hardening,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    if let Some(tls) = &hardening.tls {
        tls.watch(hardening.tls_reload_every, shutdown.clone());
    }
    let app = zmcp_server::guard(
        app,
        &Guard {
            hosts: hardening.hosts,
            source_ips: hardening.source_ips,
            tls: hardening.tls.is_some(),
        },
    );
    let options = ServeOptions {
        tls: hardening.tls,
        shutdown,
        grace: SHUTDOWN_GRACE,
    };
    zmcp_server::serve(listener, app, options)
        .await
        .context("HTTP server failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names() {
        for h in ["127.0.0.1", "localhost", "::1", "127.0.0.2"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["0.0.0.0", "::", "10.0.0.1", "example.com"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn host_validation_display() {
        let list = HostValidation::Allowlist(vec!["a:*".into(), "b".into()]);
        assert_eq!(list.to_string(), "allowlist(a:*,b)");
        assert_eq!(HostValidation::Disabled.to_string(), "off");
        assert_eq!(
            HostValidation::NotConfigured.to_string(),
            "off (no allowlist)"
        );
    }
}
