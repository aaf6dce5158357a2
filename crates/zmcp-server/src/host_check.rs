//! DNS-rebinding protection: the `Host` header (and a browser's `Origin`) must name this
//! server, because a web page that rebinds its own DNS name to this address still sends its
//! own name in both.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, StatusCode, Uri, header};

use crate::http::json_rpc_rejection;

/// Which `Host` values are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPolicy {
    /// `localhost` and loopback addresses (`127.0.0.0/8`, `::1`) on any port: the default on
    /// a loopback bind.
    LoopbackOnly,
    /// `ZSCALER_MCP_ALLOWED_HOSTS` entries (never empty).
    Allow(Vec<HostPattern>),
    /// No check: `*` in the allowlist, validation disabled, or a non-loopback bind without
    /// an allowlist (the Python server's behaviour).
    Any,
}

/// One allowlist entry: a lowercase host and the port it is accepted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    host: String,
    /// `None` matches any port (`host:*` and bare `host`).
    port: Option<u16>,
}

/// An allowlist entry that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid allowed-host entry {0:?}: expected `*`, `host`, `host:port` or `host:*`")]
pub struct HostPatternError(pub String);

const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl HostPolicy {
    /// Parses allowlist entries: empty means [`HostPolicy::LoopbackOnly`], a `*` entry
    /// [`HostPolicy::Any`].
    ///
    /// # Errors
    /// The first entry that is not a host pattern.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, HostPatternError> {
        let entries: Vec<&str> = entries
            .iter()
            .map(|e| e.as_ref().trim())
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return Ok(Self::LoopbackOnly);
        }
        if entries.contains(&"*") {
            return Ok(Self::Any);
        }
        entries
            .into_iter()
            .map(HostPattern::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Allow)
    }

    /// Whether `host` (an authority: `name`, `name:port`, `[v6]:port`) is accepted.
    fn allows(&self, name: &str, port: Option<u16>) -> bool {
        match self {
            Self::Any => true,
            Self::LoopbackOnly => {
                LOOPBACK_NAMES.contains(&name)
                    || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
            Self::Allow(patterns) => patterns
                .iter()
                .any(|p| p.host == name && p.port.is_none_or(|wanted| port == Some(wanted))),
        }
    }

    /// Checks `Host` (or the URI authority of an HTTP/2 request) and, when sent, `Origin`.
    fn check(&self, headers: &HeaderMap, uri: &Uri) -> Result<(), Rejection> {
        if *self == Self::Any {
            return Ok(());
        }
        let host = match headers.get(header::HOST) {
            Some(value) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
            None => uri
                .authority()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
        };
        match split_authority(&host) {
            Some((name, port)) if self.allows(&name, port) => {}
            _ => return Err(Rejection::Host(host)),
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
            match origin_authority(&origin) {
                Some((name, port)) if self.allows(&name, port) => {}
                _ => return Err(Rejection::Origin(origin)),
            }
        }
        Ok(())
    }
}

impl HostPattern {
    fn parse(entry: &str) -> Result<Self, HostPatternError> {
        let invalid = || HostPatternError(entry.to_owned());
        let lower = entry.to_ascii_lowercase();
        if let Some(host) = lower.strip_suffix(":*") {
            let (host, port) = split_authority(host).ok_or_else(invalid)?;
            if port.is_some() {
                return Err(invalid());
            }
            return Ok(Self { host, port: None });
        }
        let (host, port) = split_authority(&lower).ok_or_else(invalid)?;
        Ok(Self { host, port })
    }
}

/// Why a request was refused.
#[derive(Debug, PartialEq, Eq)]
enum Rejection {
    /// Misdirected: the `Host` does not name this server.
    Host(String),
    /// A browser page from a foreign origin.
    Origin(String),
}

/// `name`, `name:port`, `[v6]`, `[v6]:port` (or a bare IPv6 address) → lowercase name and
/// port; `None` when empty or malformed.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let authority = authority.trim().to_ascii_lowercase();
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        let port = match tail.strip_prefix(':') {
            Some(port) => Some(port.parse().ok()?),
            None if tail.is_empty() => None,
            None => return None,
        };
        return (!host.is_empty()).then(|| (host.to_owned(), port));
    }
    match authority.rsplit_once(':') {
        // More than one colon without brackets: a bare IPv6 address.
        Some((host, _)) if host.contains(':') => Some((authority.clone(), None)),
        Some((host, port)) if !host.is_empty() => Some((host.to_owned(), Some(port.parse().ok()?))),
        Some(_) => None,
        None if authority.is_empty() => None,
        None => Some((authority, None)),
    }
}

/// The authority of an `Origin` (`scheme://host[:port]`), with the scheme's default port;
/// `null` and other opaque origins have none.
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

/// Refuses a misdirected `Host` with 421 and a foreign `Origin` with 403, both with the
/// Python server's JSON-RPC error body.
pub(crate) async fn check_host(
    State(policy): State<Arc<HostPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    match policy.check(request.headers(), request.uri()) {
        Ok(()) => next.run(request).await,
        Err(Rejection::Host(host)) => {
            tracing::warn!(host = ?host, "rejected request: Host not allowed (possible DNS rebinding)");
            json_rpc_rejection(
                StatusCode::MISDIRECTED_REQUEST,
                &format!(
                    "Misdirected request: Host header '{host}' is not in the allowed list \
                     (possible DNS rebinding attempt)"
                ),
            )
        }
        Err(Rejection::Origin(origin)) => {
            tracing::warn!(origin = ?origin, "rejected request: Origin not allowed (possible DNS rebinding)");
            json_rpc_rejection(
                StatusCode::FORBIDDEN,
                &format!(
                    "Forbidden: Origin header '{origin}' is not in the allowed list \
                     (possible DNS rebinding attempt)"
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[&str]) -> HostPolicy {
        HostPolicy::parse(entries).expect("valid entries")
    }

    fn check(
        policy: &HostPolicy,
        host: Option<&str>,
        origin: Option<&str>,
    ) -> Result<(), Rejection> {
        let mut map = HeaderMap::new();
        if let Some(host) = host {
            map.insert(header::HOST, host.parse().expect("header"));
        }
        if let Some(origin) = origin {
            map.insert(header::ORIGIN, origin.parse().expect("header"));
        }
        policy.check(&map, &Uri::from_static("/mcp"))
    }

    #[test]
    fn parse_entry_forms() {
        assert_eq!(policy(&[]), HostPolicy::LoopbackOnly);
        assert_eq!(policy(&[" ", ""]), HostPolicy::LoopbackOnly);
        assert_eq!(policy(&["a.example", "*"]), HostPolicy::Any);
        let HostPolicy::Allow(parsed) = policy(&[
            "A.Example:*",
            "b.example:8443",
            "c",
            "[::1]:*",
            "[FE80::1]:9",
        ]) else {
            panic!("an allowlist");
        };
        let pairs: Vec<(&str, Option<u16>)> =
            parsed.iter().map(|p| (p.host.as_str(), p.port)).collect();
        assert_eq!(
            pairs,
            [
                ("a.example", None),
                ("b.example", Some(8443)),
                ("c", None),
                ("::1", None),
                ("fe80::1", Some(9)),
            ]
        );
        for bad in ["a:b", "a:99999", ":80", "[::1", "[::1]x", "a:80:*"] {
            assert_eq!(
                HostPolicy::parse(&[bad]),
                Err(HostPatternError(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn loopback_default_accepts_loopback_names_on_any_port() {
        let p = HostPolicy::LoopbackOnly;
        assert!(check(&p, Some("localhost:8123"), None).is_ok());
        assert!(check(&p, Some("127.0.0.1"), None).is_ok());
        assert!(check(&p, Some("[::1]:9000"), None).is_ok());
        assert!(check(&p, Some("127.0.0.2:8000"), None).is_ok());
        assert!(check(&p, Some("10.0.0.1:8000"), None).is_err());
        assert_eq!(
            check(&p, Some("evil.example.com:8123"), None),
            Err(Rejection::Host("evil.example.com:8123".into()))
        );
    }

    #[test]
    fn allowlist_matches_ports_case_insensitively() {
        let p = policy(&[
            "127.0.0.1:*",
            "mcp.example.com",
            "api.example.com:8443",
            "[::1]:*",
        ]);
        assert!(check(&p, Some("127.0.0.1:8123"), None).is_ok());
        assert!(check(&p, Some("MCP.Example.COM:443"), None).is_ok());
        assert!(check(&p, Some("api.example.com:8443"), None).is_ok());
        assert!(check(&p, Some("[::1]:1"), None).is_ok());
        assert!(check(&p, Some("api.example.com:8080"), None).is_err());
        assert!(check(&p, Some("api.example.com"), None).is_err());
        assert!(check(&p, Some("localhost"), None).is_err());
    }

    #[test]
    fn empty_or_missing_host_is_rejected() {
        let p = policy(&["mcp.example.com"]);
        assert_eq!(
            check(&p, Some(""), None),
            Err(Rejection::Host(String::new()))
        );
        assert_eq!(check(&p, None, None), Err(Rejection::Host(String::new())));
        assert!(check(&HostPolicy::Any, None, None).is_ok());
    }

    #[test]
    fn a_foreign_origin_is_refused_even_with_a_good_host() {
        let p = HostPolicy::LoopbackOnly;
        assert!(check(&p, Some("localhost:8123"), Some("http://localhost:6274")).is_ok());
        assert_eq!(
            check(&p, Some("localhost:8123"), Some("http://evil.example.com")),
            Err(Rejection::Origin("http://evil.example.com".into()))
        );
        assert!(check(&p, Some("localhost:8123"), Some("null")).is_err());
        let fixed = policy(&["mcp.example.com:443"]);
        assert!(
            check(
                &fixed,
                Some("mcp.example.com:443"),
                Some("https://mcp.example.com")
            )
            .is_ok()
        );
        assert!(
            check(
                &fixed,
                Some("mcp.example.com:443"),
                Some("http://mcp.example.com")
            )
            .is_err()
        );
    }
}
