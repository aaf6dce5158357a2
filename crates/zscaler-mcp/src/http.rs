//! HTTP transport hardening that belongs to the process (inventory section 3.7) and the
//! serving loop: TLS settings, the plaintext policy, the wildcard-bind rule, Host-header
//! validation mode, and graceful shutdown.

use std::{fmt, net::SocketAddr, time::Duration};

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{banner, exit::usage, truthy::env_true_1_yes};

/// How long open connections (event streams) may delay the exit after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Host-header validation in force (DNS-rebinding protection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostValidation {
    /// No allowlist configured: only loopback names are accepted.
    LoopbackOnly,
    /// `ZSCALER_MCP_ALLOWED_HOSTS`.
    Allowlist(Vec<String>),
    /// `ZSCALER_MCP_DISABLE_HOST_VALIDATION`.
    Disabled,
}

impl HostValidation {
    /// The `HttpOptions::allowed_hosts` value: empty means loopback only, and `*` any host.
    pub fn allowed_hosts(&self) -> Vec<String> {
        match self {
            HostValidation::LoopbackOnly => Vec::new(),
            HostValidation::Allowlist(hosts) => hosts.clone(),
            HostValidation::Disabled => vec!["*".to_owned()],
        }
    }
}

impl fmt::Display for HostValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostValidation::LoopbackOnly => f.write_str("loopback-only"),
            HostValidation::Allowlist(hosts) => write!(f, "allowlist({})", hosts.join(",")),
            HostValidation::Disabled => f.write_str("off"),
        }
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
/// wildcard bind. Every refusal is a usage error (exit 2).
///
/// # Errors
/// When the configuration must not be served.
pub fn check_bind(host: &str, port: u16) -> anyhow::Result<HostValidation> {
    check_tls_settings()?;
    if !is_loopback(host) && !env_true_1_yes("ZSCALER_MCP_ALLOW_HTTP") {
        banner::warn_block(
            "Refusing to bind a non-localhost address over plaintext HTTP",
            &[
                format!("The server is configured to listen on {host}:{port} without TLS."),
                String::new(),
                "Terminate TLS at a reverse proxy or load balancer and set".to_owned(),
                "ZSCALER_MCP_ALLOW_HTTP=true, or bind 127.0.0.1.".to_owned(),
            ],
        );
        return Err(usage(
            "ERROR: plaintext HTTP on a non-localhost bind requires TLS certs or ZSCALER_MCP_ALLOW_HTTP=true",
        ));
    }
    let validation = host_validation();
    // The Python server matches "0.0.0.0" only; "::" is the same wildcard in IPv6.
    if matches!(host, "0.0.0.0" | "::") && validation == HostValidation::LoopbackOnly {
        return Err(usage(format!(
            "ERROR: Cannot bind to {host} without host validation configuration.\n\
             Set one of:\n  \
             ZSCALER_MCP_ALLOWED_HOSTS=your-host:*,localhost:*  (recommended)\n  \
             ZSCALER_MCP_DISABLE_HOST_VALIDATION=true           (disables protection)"
        )));
    }
    match &validation {
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
        HostValidation::LoopbackOnly => {}
    }
    Ok(validation)
}

/// TLS settings: incomplete ones are refused as in the Python server; complete ones too,
/// because serving TLS in-process is not implemented yet and falling back to plaintext
/// would silently break the operator's expectation.
fn check_tls_settings() -> anyhow::Result<()> {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let (cert, key) = (
        set("ZSCALER_MCP_TLS_CERTFILE"),
        set("ZSCALER_MCP_TLS_KEYFILE"),
    );
    let state = |on: bool| if on { "(set)" } else { "(missing)" };
    match (cert, key) {
        (false, false) => Ok(()),
        (true, true) => Err(usage(
            "ERROR: in-process TLS is not implemented in this build yet; terminate TLS upstream \
             and set ZSCALER_MCP_ALLOW_HTTP=true",
        )),
        _ => Err(usage(format!(
            "ERROR: Incomplete TLS configuration.\n\
             Both ZSCALER_MCP_TLS_CERTFILE and ZSCALER_MCP_TLS_KEYFILE must be set.\n  \
             ZSCALER_MCP_TLS_CERTFILE = {}\n  ZSCALER_MCP_TLS_KEYFILE  = {}",
            state(cert),
            state(key)
        ))),
    }
}

fn host_validation() -> HostValidation {
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
    if hosts.is_empty() {
        HostValidation::LoopbackOnly
    } else {
        HostValidation::Allowlist(hosts)
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

/// Serves `app` until `shutdown` is cancelled, then lets open requests finish for a short
/// grace period. Peer addresses are recorded for the auth and audit logs.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    use std::future::IntoFuture;

    use axum::serve::ListenerExt;
    // Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK hold back every
    // streamed (SSE) reply by ~40 ms.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {err}");
        }
    });
    let graceful = shutdown.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { graceful.cancelled().await })
    .into_future();
    tokio::select! {
        result = server => result.context("HTTP server failed"),
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("connections still open {} s after shutdown; exiting", SHUTDOWN_GRACE.as_secs());
            Ok(())
        }
    }
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
    fn host_validation_display_and_hosts() {
        let list = HostValidation::Allowlist(vec!["a:*".into(), "b".into()]);
        assert_eq!(list.to_string(), "allowlist(a:*,b)");
        assert_eq!(list.allowed_hosts(), ["a:*", "b"]);
        assert!(HostValidation::LoopbackOnly.allowed_hosts().is_empty());
        assert_eq!(HostValidation::Disabled.allowed_hosts(), ["*"]);
    }
}
