//! Which redirect URIs a client may register, and whether an authorization request's URI
//! is one of them.
//!
//! Loopback `http` URIs are accepted with any port (RFC 8252 §7.3: native apps pick a free
//! port per run); anything else must match an operator pattern from
//! `OIDCPROXY_ALLOWED_REDIRECT_URIS`, except custom native schemes (`cursor://...`,
//! `com.example.app:/cb`). Because the identity provider redirects the browser straight to
//! this URI with an authorization code, a URI accepted here must also be registered at the
//! provider; this check keeps out the ones that could leak a code to someone else.

use std::net::IpAddr;

use url::{Host, Url};

/// Schemes a browser would execute or resolve locally instead of handing to an app.
const UNSAFE_SCHEMES: [&str; 10] = [
    "javascript",
    "data",
    "file",
    "vbscript",
    "about",
    "blob",
    "filesystem",
    "view-source",
    "ws",
    "wss",
];

/// Longest redirect URI accepted (RFC 7591 sets none; browsers cope with ~2 kB).
const MAX_URI_LEN: usize = 2048;

/// One `OIDCPROXY_ALLOWED_REDIRECT_URIS` entry, matched component by component so that a
/// wildcard can never span a host boundary (`https://*.example.com/*` does not match
/// `https://evil.test/.example.com/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedirectPattern {
    scheme: String,
    host: HostPattern,
    port: PortPattern,
    path: PathPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// `*.example.com`: any subdomain, not the apex.
    SubdomainsOf(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Any,
    /// The scheme's default port when `None`.
    Exact(Option<u16>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathPattern {
    Exact(String),
    Prefix(String),
}

impl RedirectPattern {
    /// Parses `scheme://host[:port][/path]` where `host` may start with `*.`, `port` may be
    /// `*`, and `path` may end with `*` (prefix match); a missing path or `/` matches any
    /// path. A loopback pattern without a port matches any port (RFC 8252 §7.3).
    pub(crate) fn parse(raw: &str) -> Result<Self, String> {
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| "expected scheme://host[:port][/path]".to_owned())?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err("only http and https patterns are supported".to_owned());
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        if authority.contains('@') || path.contains(['?', '#']) {
            return Err("patterns may not contain userinfo, a query or a fragment".to_owned());
        }
        let (host, port) = split_port(authority)?;
        let host = host.to_ascii_lowercase();
        let host = match host.strip_prefix("*.") {
            Some(domain) if !domain.is_empty() && !domain.contains('*') => {
                HostPattern::SubdomainsOf(domain.to_owned())
            }
            _ if host.is_empty() || host.contains('*') => {
                return Err("the host must be a name or start with '*.'".to_owned());
            }
            _ => HostPattern::Exact(host),
        };
        let port = match (&host, port) {
            (HostPattern::Exact(h), PortPattern::Exact(None)) if is_loopback_name(h) => {
                PortPattern::Any
            }
            (_, port) => port,
        };
        let path = match path.strip_suffix('*') {
            Some(prefix) if !prefix.contains('*') => PathPattern::Prefix(prefix.to_owned()),
            None if path == "/" => PathPattern::Prefix("/".to_owned()),
            None if !path.contains('*') => PathPattern::Exact(path.to_owned()),
            _ => return Err("'*' is only allowed at the end of the path".to_owned()),
        };
        Ok(Self {
            scheme,
            host,
            port,
            path,
        })
    }

    fn matches(&self, uri: &Url) -> bool {
        let Some(host) = uri.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        let host_ok = match &self.host {
            HostPattern::Exact(h) => *h == host,
            HostPattern::SubdomainsOf(domain) => host
                .strip_suffix(domain.as_str())
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        };
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Exact(port) => uri.port() == port,
        };
        let path_ok = match &self.path {
            PathPattern::Exact(p) => uri.path() == p,
            PathPattern::Prefix(p) => uri.path().starts_with(p.as_str()),
        };
        uri.scheme() == self.scheme && host_ok && port_ok && path_ok
    }
}

/// `host[:port]`, where the host may be a bracketed IPv6 literal and the port `*`.
fn split_port(authority: &str) -> Result<(&str, PortPattern), String> {
    let host_end = if authority.starts_with('[') {
        authority.find(']').map_or(authority.len(), |i| i + 1)
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, port) = authority.split_at(host_end);
    let port = match port.strip_prefix(':') {
        None if port.is_empty() => PortPattern::Exact(None),
        Some("*") => PortPattern::Any,
        Some(digits) => PortPattern::Exact(Some(
            digits
                .parse::<u16>()
                .map_err(|_| format!("invalid port {digits:?}"))?,
        )),
        None => return Err(format!("invalid authority {authority:?}")),
    };
    Ok((host, port))
}

/// The registration rule: which redirect URIs a client may register (and present).
#[derive(Debug, Clone, Default)]
pub(crate) struct RedirectPolicy {
    patterns: Vec<RedirectPattern>,
    /// This server's own origin: a redirect there would hand a client's code to us.
    own_origin: Option<Url>,
}

impl RedirectPolicy {
    /// A policy accepting loopback and custom-scheme URIs plus those matching `patterns`,
    /// and never a URI on `own_origin` (this server's base URL).
    pub(crate) fn new(patterns: Vec<RedirectPattern>, own_origin: &str) -> Self {
        Self {
            patterns,
            own_origin: Url::parse(own_origin).ok(),
        }
    }

    /// Whether `uri` is on this server: same scheme and port, and the same host or both
    /// loopback (`localhost` and `127.0.0.1` reach the same listener).
    fn is_own(&self, uri: &Url) -> bool {
        let Some(own) = &self.own_origin else {
            return false;
        };
        let same_host = match (own.host(), uri.host()) {
            (Some(a), Some(b)) => a == b || (is_loopback_host(a) && is_loopback_host(b)),
            _ => false,
        };
        own.scheme() == uri.scheme()
            && own.port_or_known_default() == uri.port_or_known_default()
            && same_host
    }

    /// `Ok` if a client may register `raw`; otherwise why not, for the
    /// `invalid_redirect_uri` error.
    pub(crate) fn check(&self, raw: &str) -> Result<(), String> {
        if raw.len() > MAX_URI_LEN {
            return Err(format!("longer than {MAX_URI_LEN} characters"));
        }
        if has_dot_segment(raw) {
            return Err("'.' and '..' path segments are not allowed".to_owned());
        }
        let uri = Url::parse(raw).map_err(|e| format!("not an absolute URI ({e})"))?;
        if uri.fragment().is_some() || raw.contains('#') {
            return Err("a fragment is not allowed (RFC 6749 §3.1.2)".to_owned());
        }
        if !uri.username().is_empty() || uri.password().is_some() {
            return Err("userinfo is not allowed".to_owned());
        }
        let scheme = uri.scheme();
        if UNSAFE_SCHEMES.contains(&scheme) {
            return Err(format!("the {scheme}: scheme is not allowed"));
        }
        if self.is_own(&uri) {
            return Err("it points at this server, not at the client".to_owned());
        }
        if scheme == "http" && uri.host().is_some_and(is_loopback_host) {
            return Ok(());
        }
        if self.patterns.iter().any(|p| p.matches(&uri)) {
            return Ok(());
        }
        match scheme {
            "http" | "https" => Err(
                "only loopback http redirect URIs (http://localhost:<port>/..., \
                 http://127.0.0.1:<port>/...) are accepted unless the server's \
                 OIDCPROXY_ALLOWED_REDIRECT_URIS allows this one"
                    .to_owned(),
            ),
            _ => Ok(()),
        }
    }
}

/// Whether `presented` names the registered redirect URI `registered`: byte-equal, or both
/// are loopback `http` URIs differing only in the port (RFC 8252 §7.3). `localhost` and
/// `127.0.0.1` stay distinct, as the identity provider treats them.
pub(crate) fn same_redirect(registered: &str, presented: &str) -> bool {
    if registered == presented {
        return true;
    }
    let (Ok(a), Ok(b)) = (Url::parse(registered), Url::parse(presented)) else {
        return false;
    };
    let loopback = |u: &Url| u.scheme() == "http" && u.host().is_some_and(is_loopback_host);
    loopback(&a)
        && loopback(&b)
        && a.host_str() == b.host_str()
        && a.path() == b.path()
        && a.query() == b.query()
        && a.fragment().is_none()
        && b.fragment().is_none()
        && !has_dot_segment(presented)
}

fn is_loopback_host(host: Host<&str>) -> bool {
    match host {
        Host::Domain(name) => is_loopback_name(name),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn is_loopback_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `.`/`..` segments (also percent-encoded) in the raw text: the URL parser would quietly
/// resolve them, so the registered URI would differ from what the client sent.
fn has_dot_segment(raw: &str) -> bool {
    let before_query = raw.split(['?', '#']).next().unwrap_or(raw);
    let decoded = before_query.to_ascii_lowercase().replace("%2e", ".");
    let path = match decoded.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, path)| path),
        None => decoded.split_once(':').map_or("", |(_, path)| path),
    };
    path.split(['/', '\\']).any(|seg| seg == "." || seg == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(patterns: &[&str]) -> RedirectPolicy {
        RedirectPolicy::new(
            patterns
                .iter()
                .map(|p| RedirectPattern::parse(p).unwrap())
                .collect(),
            "http://127.0.0.1:8000",
        )
    }

    #[test]
    fn uris_on_this_server_are_refused_whatever_the_loopback_spelling() {
        let p = policy(&["http://127.0.0.1:*/*"]);
        for uri in [
            "http://127.0.0.1:8000/auth/callback",
            "http://localhost:8000/auth/callback",
            "http://[::1]:8000/cb",
        ] {
            let err = p.check(uri).unwrap_err();
            assert!(err.contains("this server"), "{uri}: {err}");
        }
        assert!(p.check("http://127.0.0.1:8001/auth/callback").is_ok());
        assert!(
            p.check("https://127.0.0.1:8000/cb").is_err(),
            "not loopback http"
        );
    }

    #[test]
    fn loopback_http_is_accepted_with_any_port() {
        let p = policy(&[]);
        for uri in [
            "http://localhost:3334/oauth/callback",
            "http://127.0.0.1:49152/cb",
            "http://127.0.0.2/cb",
            "http://[::1]:8080/cb",
            "http://app.localhost:1/cb",
        ] {
            assert_eq!(p.check(uri), Ok(()), "{uri}");
        }
    }

    #[test]
    fn non_loopback_web_uris_need_a_pattern() {
        let p = policy(&[]);
        for uri in [
            "https://claude.ai/api/mcp/auth_callback",
            "http://localhost.evil.com/cb",
            "http://192.168.1.10/cb",
        ] {
            assert!(
                p.check(uri)
                    .unwrap_err()
                    .contains("OIDCPROXY_ALLOWED_REDIRECT_URIS"),
                "{uri}"
            );
        }
        let p = policy(&["https://claude.ai/api/mcp/auth_callback"]);
        assert_eq!(p.check("https://claude.ai/api/mcp/auth_callback"), Ok(()));
        assert!(p.check("https://claude.ai/api/mcp/other").is_err());
    }

    #[test]
    fn unsafe_uris_are_rejected_even_when_a_pattern_would_match() {
        let p = policy(&["https://*.example.com/*", "http://localhost:*"]);
        let cases = [
            ("http://localhost@evil.com/cb", "userinfo"),
            ("http://user:pw@localhost:1/cb", "userinfo"),
            ("http://localhost:1/cb#frag", "fragment"),
            ("https://a.example.com/cb/../../evil", "segments"),
            ("https://a.example.com/%2E%2e/evil", "segments"),
            ("http://localhost:1/./cb", "segments"),
            ("javascript:alert(1)", "scheme"),
            ("data:text/html,hi", "scheme"),
            ("file:///etc/passwd", "scheme"),
            ("not a uri", "absolute"),
        ];
        for (uri, why) in cases {
            let err = p.check(uri).unwrap_err();
            assert!(err.contains(why), "{uri}: {err}");
        }
    }

    #[test]
    fn custom_native_schemes_are_accepted() {
        let p = policy(&[]);
        assert_eq!(
            p.check("cursor://anysphere.cursor-mcp/oauth/callback"),
            Ok(())
        );
        assert_eq!(p.check("com.example.app:/oauth2redirect"), Ok(()));
    }

    #[test]
    fn subdomain_patterns_never_match_the_apex_or_other_hosts() {
        let p = policy(&["https://*.example.com/cb/*"]);
        assert_eq!(p.check("https://a.example.com/cb/x"), Ok(()));
        assert_eq!(p.check("https://a.b.example.com/cb/"), Ok(()));
        assert!(p.check("https://example.com/cb/x").is_err());
        assert!(p.check("https://evilexample.com/cb/x").is_err());
        assert!(p.check("https://a.example.com/other").is_err());
        assert!(p.check("https://a.example.com:8443/cb/x").is_err());
        assert!(p.check("http://a.example.com/cb/x").is_err());
    }

    #[test]
    fn pattern_ports() {
        let p = policy(&["https://h.test:*/cb"]);
        assert_eq!(p.check("https://h.test:9/cb"), Ok(()));
        assert_eq!(p.check("https://h.test/cb"), Ok(()));
        let p = policy(&["https://h.test:8443/cb"]);
        assert_eq!(p.check("https://h.test:8443/cb"), Ok(()));
        assert!(p.check("https://h.test/cb").is_err());
    }

    #[test]
    fn bad_patterns_are_refused() {
        for raw in [
            "h.test/cb",
            "ftp://h.test/",
            "https://*/cb",
            "https://a.*.test/",
            "https://h.test/a*b",
            "https://u@h.test/",
            "https://h.test:x/",
            "https://h.test/cb?x=1",
        ] {
            assert!(RedirectPattern::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn registered_uri_matching_allows_only_the_loopback_port_to_vary() {
        let reg = "http://localhost:3334/oauth/callback";
        assert!(same_redirect(reg, reg));
        assert!(same_redirect(reg, "http://localhost:5555/oauth/callback"));
        assert!(!same_redirect(reg, "http://127.0.0.1:3334/oauth/callback"));
        assert!(!same_redirect(reg, "http://localhost:3334/oauth/callback2"));
        assert!(!same_redirect(
            reg,
            "http://localhost:3334/oauth/callback?x=1"
        ));
        assert!(!same_redirect(reg, "https://localhost:3334/oauth/callback"));
        let web = "https://claude.ai/api/mcp/auth_callback";
        assert!(same_redirect(web, web));
        assert!(!same_redirect(
            web,
            "https://claude.ai:444/api/mcp/auth_callback"
        ));
    }
}
