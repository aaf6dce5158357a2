//! The start-up lines operators read to know what is enforced: the Python server's security
//! warning and auth banners, our one-line `[SECURITY]` posture, and the start line.

use zmcp_auth::{AuthResolution, ClientAuth, ModeSource};

use crate::{
    args::Transport,
    http::{HostValidation, is_loopback},
};

/// The Python server's `log_security_warning` block: 72 `=`, the title, a blank line, the
/// detail lines indented by two spaces, 72 `=`.
pub fn security_warning(title: &str, lines: &[String]) -> String {
    let bar = "=".repeat(72);
    let mut out = vec![
        bar.clone(),
        format!("  SECURITY WARNING: {title}"),
        String::new(),
    ];
    out.extend(lines.iter().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!("  {line}")
        }
    }));
    out.push(bar);
    out.join("\n")
}

/// Logs [`security_warning`] as one WARN event (one JSON line in `--log-format json`).
pub fn warn_block(title: &str, lines: &[String]) {
    tracing::warn!("{}", security_warning(title, lines));
}

/// What `auth=` says: the mode, then why or how in parentheses (as in the Entra guide's
/// `auth=OIDCProxy (issuer=...)`).
fn auth_summary(resolution: &AuthResolution) -> String {
    let mode = resolution.auth.mode();
    match &resolution.auth {
        ClientAuth::None => {
            return match resolution.source {
                ModeSource::DemoLoopback => "none (demo, loopback bind)".to_owned(),
                source => format!("none ({source})"),
            };
        }
        // The Entra guide's Verification section shows exactly this spelling.
        ClientAuth::OidcProxy(proxy) => return proxy.banner(),
        _ => {}
    }
    let params: Vec<String> = resolution
        .auth
        .summary()
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    if params.is_empty() {
        mode.to_string()
    } else {
        format!("{mode} ({})", params.join(", "))
    }
}

/// What the one-line posture reports.
#[derive(Debug)]
pub struct Posture<'a> {
    /// The transport.
    pub transport: Transport,
    /// Client authentication and the bind, for HTTP transports; `None` for stdio.
    pub http: Option<HttpPosture<'a>>,
    /// Write tools registered.
    pub write_tools: usize,
    /// Tools registered.
    pub tools: usize,
}

/// The HTTP-only part of [`Posture`].
#[derive(Debug)]
pub struct HttpPosture<'a> {
    /// Resolved client authentication.
    pub auth: &'a AuthResolution,
    /// `host:port` actually bound.
    pub bind: String,
    /// Host-header validation in force.
    pub host_validation: &'a HostValidation,
    /// TLS terminated in-process.
    pub tls: bool,
}

/// `[SECURITY] transport=<t> auth=<mode...> host=<h:p> tls=<on|off> host_validation=<...>
/// write_tools=<disabled|N enabled> tools=<N>`: one line that states everything enforced.
pub fn security_line(posture: &Posture<'_>) -> String {
    let mut line = format!("[SECURITY] transport={}", posture.transport.as_str());
    match &posture.http {
        Some(http) => line.push_str(&format!(
            " auth={} host={} tls={} host_validation={}",
            auth_summary(http.auth),
            http.bind,
            on_off(http.tls),
            http.host_validation
        )),
        None => line.push_str(" auth=none (stdio is never authenticated)"),
    }
    match posture.write_tools {
        0 => line.push_str(" write_tools=disabled"),
        n => line.push_str(&format!(" write_tools={n} enabled")),
    }
    line.push_str(&format!(" tools={}", posture.tools));
    line
}

/// The Python server's auth banner for an enforced mode, or its DISABLED warning, plus a
/// louder one when nothing is enforced on an address other machines can reach.
pub fn log_auth_banner(resolution: &AuthResolution, transport: Transport, host: &str) {
    if let ClientAuth::None = resolution.auth {
        let title = match resolution.source {
            ModeSource::ModeNone => "MCP Client Authentication is DISABLED (mode=none)",
            ModeSource::DemoLoopback => {
                "MCP Client Authentication is DISABLED (demo mode, loopback bind)"
            }
            _ => "MCP Client Authentication is DISABLED",
        };
        warn_block(title, &disabled_auth_lines());
        if !is_loopback(host) {
            warn_block(
                &format!("MCP Client Authentication is DISABLED on a network bind ({host})"),
                &[
                    "Anyone who can reach this address can call every exposed tool against"
                        .to_owned(),
                    "your Zscaler tenant, with this server's OneAPI credentials.".to_owned(),
                    "Enable one of the modes above, or bind 127.0.0.1.".to_owned(),
                ],
            );
        }
        return;
    }
    let bar = "=".repeat(70);
    let mut banner = format!(
        "{bar}\nMCP CLIENT AUTHENTICATION ENABLED\n   Mode: {}\n   Transport: {}",
        resolution.auth.mode(),
        transport.as_str()
    );
    for (label, value) in resolution.auth.banner_rows() {
        banner.push_str(&format!("\n   {label}: {value}"));
    }
    banner.push_str(&format!("\n{bar}"));
    tracing::info!("{banner}");
}

fn disabled_auth_lines() -> Vec<String> {
    [
        "The server will accept ALL requests without authentication.",
        "This is NOT recommended for production or network-accessible deployments.",
        "",
        "To enable authentication, set one of:",
        "  ZSCALER_MCP_AUTH_API_KEY=<secret>            (api-key; clients send Authorization: Bearer <secret>)",
        "  ZSCALER_MCP_AUTH_JWKS_URI + ZSCALER_MCP_AUTH_ISSUER   (jwt; tokens from your IdP)",
        "  ZSCALER_MCP_AUTH_MODE=zscaler + ZSCALER_VANITY_DOMAIN (zscaler; OneAPI client credentials)",
        "  ZSCALER_MCP_AUTH_MODE=oidc + OIDCPROXY_CONFIG_URL, OIDCPROXY_BASE_URL, OIDCPROXY_CLIENT_ID",
        "                                               (oidc; RFC 9728 protected resource)",
        "",
        "Remove ZSCALER_MCP_AUTH_ENABLED=false / ZSCALER_MCP_AUTH_MODE=none to re-enable.",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// The Python server's final start-up line, with the port actually bound.
pub fn start_line(transport: Transport, host: &str, port: u16, tls: bool) -> String {
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let sessions = match transport {
        Transport::StreamableHttp => "on (handshake clients)",
        Transport::Stdio | Transport::Sse => "on",
    };
    let scheme = if tls { "https" } else { "http" };
    format!(
        "Starting {} transport on {scheme}://{host}:{port} (path=/mcp, tls={}, sessions={sessions})",
        transport.as_str(),
        on_off(tls)
    )
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;
    use zmcp_auth::key_fingerprint;

    use super::*;

    #[test]
    fn warning_block_shape() {
        let block = security_warning("T", &["a".to_owned(), String::new(), "b".to_owned()]);
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(lines[0], "=".repeat(72));
        assert_eq!(lines[1], "  SECURITY WARNING: T");
        assert_eq!(lines[2], "");
        assert_eq!(lines[3], "  a");
        assert_eq!(lines[4], "");
        assert_eq!(lines[6], "=".repeat(72));
    }

    #[test]
    fn security_line_for_api_key_over_http() {
        let key = SecretString::from("k".to_owned());
        let auth = AuthResolution {
            auth: ClientAuth::ApiKey(key.clone()),
            source: ModeSource::Explicit,
            warnings: vec![],
        };
        let line = security_line(&Posture {
            transport: Transport::StreamableHttp,
            http: Some(HttpPosture {
                auth: &auth,
                bind: "127.0.0.1:8000".into(),
                host_validation: &HostValidation::LoopbackOnly,
                tls: false,
            }),
            write_tools: 2,
            tools: 40,
        });
        assert_eq!(
            line,
            format!(
                "[SECURITY] transport=streamable-http auth=api-key (key_fingerprint={}) \
                 host=127.0.0.1:8000 tls=off host_validation=loopback-only write_tools=2 enabled tools=40",
                key_fingerprint(&key)
            )
        );
    }

    #[test]
    fn security_line_for_stdio() {
        let line = security_line(&Posture {
            transport: Transport::Stdio,
            http: None,
            write_tools: 0,
            tools: 7,
        });
        assert!(line.starts_with("[SECURITY] transport=stdio auth=none"));
        assert!(line.ends_with(" write_tools=disabled tools=7"));
    }

    #[test]
    fn start_line_brackets_ipv6() {
        assert_eq!(
            start_line(Transport::StreamableHttp, "::1", 8000, false),
            "Starting streamable-http transport on http://[::1]:8000 \
             (path=/mcp, tls=off, sessions=on (handshake clients))"
        );
        assert_eq!(
            start_line(Transport::Sse, "mcp.example.com", 8443, true),
            "Starting sse transport on https://mcp.example.com:8443 (path=/mcp, tls=on, sessions=on)"
        );
    }
}
