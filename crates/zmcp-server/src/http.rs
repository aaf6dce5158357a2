//! The HTTP surface: `/mcp` (streamable HTTP, or the legacy SSE stream), `/sse` +
//! `/messages/` (legacy HTTP+SSE), `/health`, behind Host/Origin validation against DNS
//! rebinding and a request body limit.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderMap, StatusCode, header};
use rmcp::transport::StreamableHttpService;
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use tokio_util::sync::CancellationToken;

use crate::{McpServer, ServerError, sse};

/// Largest accepted request body.
pub const MAX_REQUEST_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Which MCP transport `/mcp` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpTransport {
    /// Streamable HTTP (sessions for pre-2026 clients, stateless for 2026-07-28).
    StreamableHttp,
    /// The legacy HTTP+SSE transport (2024-11-05): `GET /mcp` opens the event stream.
    Sse,
}

/// How the HTTP surface is served.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// What `/mcp` speaks.
    pub transport: HttpTransport,
    /// Accepted `Host` values: `name`, `name:port` or `name:*`; empty means loopback names
    /// only (`localhost`, `127.0.0.1`, `::1`, any port).
    pub allowed_hosts: Vec<String>,
    /// Cancelled to stop serving; open sessions and event streams end with it.
    pub shutdown: CancellationToken,
}

/// The router for `server` (used by [`serve_http`] and by tests).
pub fn router(server: McpServer, options: &HttpOptions) -> Router {
    let sse_state = sse::SseState::new(server.clone(), options.shutdown.clone());
    let legacy = sse::routes(sse_state.clone());
    let mcp = match options.transport {
        HttpTransport::StreamableHttp => {
            let config = StreamableHttpServerConfig::default()
                .disable_allowed_hosts() // checked by `validate_host` for every route
                .with_max_request_body_bytes(MAX_REQUEST_BODY_BYTES)
                .with_cancellation_token(options.shutdown.child_token());
            let service = StreamableHttpService::new(
                move || Ok(server.clone()),
                Arc::new(LocalSessionManager::default()),
                config,
            );
            Router::new().route_service("/mcp", service)
        }
        HttpTransport::Sse => sse::stream_route("/mcp", sse_state),
    };
    let allowed = Arc::new(HostAllowlist::new(&options.allowed_hosts));
    Router::new()
        .merge(mcp)
        .merge(legacy)
        .layer(middleware::from_fn_with_state(allowed, validate_host))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
        .route("/health", get(health))
}

/// Serves the router on `listener` until `options.shutdown` is cancelled.
///
/// # Errors
/// When the listener fails.
pub async fn serve_http(
    server: McpServer,
    listener: tokio::net::TcpListener,
    options: HttpOptions,
) -> Result<(), ServerError> {
    let app = router(server, &options);
    let shutdown = options.shutdown.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await?;
    Ok(())
}

async fn health() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
}

/// Rejects requests whose `Host` (or `Origin`, when sent) is not allowed: a web page that
/// rebinds its DNS name to this server still carries its own name in both.
async fn validate_host(
    State(allowed): State<Arc<HostAllowlist>>,
    request: Request,
    next: Next,
) -> Response {
    match allowed.check(request.headers(), request.uri()) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(%reason, "rejected request (possible DNS rebinding)");
            (StatusCode::FORBIDDEN, format!("Forbidden: {reason}")).into_response()
        }
    }
}

/// Parsed `allowed_hosts` patterns.
#[derive(Debug)]
struct HostAllowlist {
    patterns: Vec<HostPattern>,
}

#[derive(Debug, PartialEq, Eq)]
struct HostPattern {
    host: String,
    /// `None` matches any port.
    port: Option<u16>,
}

const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl HostAllowlist {
    fn new(patterns: &[String]) -> Self {
        let mut parsed: Vec<HostPattern> = patterns
            .iter()
            .filter_map(|pattern| HostPattern::parse(pattern))
            .collect();
        if parsed.is_empty() {
            parsed = LOOPBACK_NAMES
                .iter()
                .map(|host| HostPattern {
                    host: (*host).into(),
                    port: None,
                })
                .collect();
        }
        Self { patterns: parsed }
    }

    fn check(&self, headers: &HeaderMap, uri: &http::Uri) -> Result<(), String> {
        let host = match headers.get(header::HOST) {
            Some(value) => value
                .to_str()
                .map_err(|_| "Host header is not valid text".to_string())?
                .to_string(),
            None => uri
                .authority()
                .map(|a| a.as_str().to_string())
                .ok_or_else(|| "missing Host header".to_string())?,
        };
        let (name, port) = split_authority(&host).ok_or("malformed Host header")?;
        if !self.allows(&name, port) {
            return Err(format!("Host {host:?} is not allowed"));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().map_err(|_| "Origin is not valid text")?;
            let (name, port) = origin_authority(origin).ok_or("malformed Origin header")?;
            if !self.allows(&name, port) {
                return Err(format!("Origin {origin:?} is not allowed"));
            }
        }
        Ok(())
    }

    fn allows(&self, host: &str, port: Option<u16>) -> bool {
        self.patterns.iter().any(|pattern| {
            pattern.host == host && pattern.port.is_none_or(|wanted| port == Some(wanted))
        })
    }
}

impl HostPattern {
    fn parse(pattern: &str) -> Option<Self> {
        let pattern = pattern.trim().to_ascii_lowercase();
        if pattern.is_empty() {
            return None;
        }
        if let Some(host) = pattern.strip_suffix(":*") {
            return Some(Self {
                host: host.trim_matches(['[', ']']).to_string(),
                port: None,
            });
        }
        let (host, port) = split_authority(&pattern)?;
        Some(Self { host, port })
    }
}

/// `name`, `name:port`, `[v6]`, `[v6]:port` → lowercase name and port.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let authority = authority.trim().to_ascii_lowercase();
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        let port = match tail.strip_prefix(':') {
            Some(port) => Some(port.parse().ok()?),
            None if tail.is_empty() => None,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        // More than one colon without brackets: a bare IPv6 address.
        Some((host, _)) if host.contains(':') => Some((authority.clone(), None)),
        Some((host, port)) => Some((host.to_string(), Some(port.parse().ok()?))),
        None if authority.is_empty() => None,
        None => Some((authority, None)),
    }
}

/// The authority of an `Origin` (`scheme://host[:port]`); `null` and other opaque origins
/// have none and are refused.
fn origin_authority(origin: &str) -> Option<(String, Option<u16>)> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    let authority = rest.split('/').next()?;
    let (host, port) = split_authority(authority)?;
    let port = port.or(match scheme.to_ascii_lowercase().as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    });
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::HOST, host.parse().expect("header"));
        if let Some(origin) = origin {
            map.insert(header::ORIGIN, origin.parse().expect("header"));
        }
        map
    }

    fn check(patterns: &[&str], host: &str, origin: Option<&str>) -> bool {
        let list = HostAllowlist::new(
            &patterns
                .iter()
                .map(|p| (*p).to_string())
                .collect::<Vec<_>>(),
        );
        list.check(&headers(host, origin), &http::Uri::from_static("/mcp"))
            .is_ok()
    }

    #[test]
    fn default_allows_loopback_names_on_any_port() {
        assert!(check(&[], "localhost:8123", None));
        assert!(check(&[], "127.0.0.1", None));
        assert!(check(&[], "[::1]:9000", None));
        assert!(!check(&[], "evil.example.com", None));
        assert!(!check(&[], "evil.example.com:8123", None));
    }

    #[test]
    fn patterns_with_wildcard_or_fixed_ports() {
        let patterns = [
            "127.0.0.1:*",
            "localhost:*",
            "mcp.example.com",
            "api.example.com:8443",
        ];
        assert!(check(&patterns, "127.0.0.1:8123", None));
        assert!(check(&patterns, "MCP.example.com:443", None));
        assert!(check(&patterns, "api.example.com:8443", None));
        assert!(!check(&patterns, "api.example.com:8080", None));
        assert!(!check(&patterns, "example.com", None));
    }

    #[test]
    fn a_foreign_origin_is_refused_even_with_a_good_host() {
        assert!(check(&[], "localhost:8123", Some("http://localhost:6274")));
        assert!(!check(
            &[],
            "localhost:8123",
            Some("http://evil.example.com")
        ));
        assert!(!check(&[], "localhost:8123", Some("null")));
    }
}
