//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP
//! 2025-11-25): a client whose `client_id` is an https URL is described by the JSON
//! document at that URL, so it needs no registration here.
//!
//! Fetching a URL an anonymous caller chose is a server-side request forgery risk, so the
//! fetch is fenced: https only, every address the name resolves to must be a public one
//! (the connection is pinned to the checked address, so a second DNS answer cannot swap
//! in an internal one), no redirects, a few seconds and a few KiB at most. And it is a
//! resource an anonymous caller spends, so few run at once and few start per second:
//! name resolution holds a blocking thread for as long as the resolver takes, whatever
//! our own timeout says.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use url::Url;

use super::{limit::RateLimit, redirect_uri::RedirectPolicy};
use crate::outbound::{self, printable};

/// Upper bound on the whole fetch.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Largest document read; real ones are a few hundred bytes.
const MAX_DOCUMENT_BYTES: usize = 16 * 1024;
/// Longest client id URL accepted.
const MAX_URL_LEN: usize = 512;
/// At most this many redirect URIs in a document.
const MAX_REDIRECT_URIS: usize = 10;

/// What this server uses of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientDocument {
    pub(crate) client_name: String,
    pub(crate) redirect_uris: Vec<String>,
}

/// Whether `client_id` is meant as a metadata document URL (rather than an id issued by
/// `/register`, which never contains `:`).
pub(crate) fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// Why a document could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchError {
    /// Too many fetches right now; nothing was tried, a retry may work.
    Busy,
    /// Tried and refused: why, worded for the sign-in refusal page.
    Refused(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Busy => f.write_str(
                "too many client metadata documents are being fetched; retry in a moment",
            ),
            FetchError::Refused(reason) => f.write_str(reason),
        }
    }
}

/// Fetches in flight at most.
const MAX_CONCURRENT: usize = 8;

/// Fetches and checks metadata documents; clones share their limits.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    /// Tests serve documents from 127.0.0.1 over http; never set outside tests.
    allow_loopback: bool,
    in_flight: Arc<Semaphore>,
    starts: Arc<RateLimit>,
}

impl Fetcher {
    pub(crate) fn new() -> Self {
        Self::with_loopback(false)
    }

    #[cfg(test)]
    pub(crate) fn allowing_loopback() -> Self {
        Self::with_loopback(true)
    }

    fn with_loopback(allow_loopback: bool) -> Self {
        Self {
            allow_loopback,
            in_flight: Arc::new(Semaphore::new(MAX_CONCURRENT)),
            starts: Arc::new(RateLimit::new(2, 20)),
        }
    }

    /// The checked document describing `client_id`, or why it cannot be used (worded for
    /// the sign-in refusal page).
    pub(crate) async fn fetch(
        &self,
        client_id: &str,
        policy: &RedirectPolicy,
    ) -> Result<ClientDocument, FetchError> {
        let url = self.check_url(client_id).map_err(FetchError::Refused)?;
        let _permit = self.in_flight.try_acquire().map_err(|_| FetchError::Busy)?;
        if !self.starts.allow() {
            return Err(FetchError::Busy);
        }
        self.fetch_checked(client_id, &url, policy)
            .await
            .map_err(FetchError::Refused)
    }

    async fn fetch_checked(
        &self,
        client_id: &str,
        url: &Url,
        policy: &RedirectPolicy,
    ) -> Result<ClientDocument, String> {
        let host = url
            .host_str()
            .ok_or_else(|| "the client id URL has no host".to_owned())?;
        let port = url.port_or_known_default().unwrap_or(443);
        let addr = self.public_address(host, port).await?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("zscaler-mcp/", env!("CARGO_PKG_VERSION")))
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .resolve(host, addr)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        let response = http
            .get(url.clone())
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                format!(
                    "fetching the client metadata document failed: {}",
                    outbound::describe(&e)
                )
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!(
                "the client metadata document answered HTTP {status} (redirects are not followed)"
            ));
        }
        let body = outbound::read_body_at_most(response, MAX_DOCUMENT_BYTES).await?;
        parse_document(client_id, &body, policy)
    }

    /// An https URL with a path, no userinfo, fragment or dot segments (the draft's rules),
    /// compared to the client id byte for byte.
    fn check_url(&self, client_id: &str) -> Result<Url, String> {
        if client_id.len() > MAX_URL_LEN {
            return Err(format!(
                "a client id URL is at most {MAX_URL_LEN} characters"
            ));
        }
        let url = Url::parse(client_id).map_err(|_| "the client id is not a URL".to_owned())?;
        let scheme_ok = url.scheme() == "https"
            || (self.allow_loopback && url.scheme() == "http" && outbound::is_loopback(&url));
        if !scheme_ok {
            return Err("a client id URL must use https".to_owned());
        }
        if url.path() == "/"
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err("a client id URL needs a path and no fragment or userinfo".to_owned());
        }
        if url.as_str() != client_id {
            return Err("the client id URL is not in canonical form (dot segments, case or escaping differ)".to_owned());
        }
        Ok(url)
    }

    /// The first address `host` resolves to, if every one of them is public.
    async fn public_address(&self, host: &str, port: u16) -> Result<SocketAddr, String> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> =
            tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((host, port)))
                .await
                .map_err(|_| "resolving the client id host timed out".to_owned())?
                .map_err(|_| {
                    format!(
                        "the client id host {} does not resolve",
                        printable(host, 100)
                    )
                })?
                .collect();
        let first = addrs
            .first()
            .copied()
            .ok_or_else(|| "the client id host has no address".to_owned())?;
        if addrs
            .iter()
            .all(|a| is_public(a.ip()) || (self.allow_loopback && a.ip().is_loopback()))
        {
            Ok(first)
        } else {
            Err("the client id host resolves to a private, loopback or reserved address".to_owned())
        }
    }
}

/// Whether `ip` is a globally routable unicast address (the std `is_global` is unstable).
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19))) // benchmarking
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments().first().copied().unwrap_or(0);
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || first == 0x2001 && ip.segments().get(1).is_some_and(|s| *s == 0x0db8) // documentation
        || first == 0x0064 // NAT64 well-known prefix 64:ff9b::/96 and friends
        || ip.to_ipv4().is_some()) // IPv4-compatible
}

/// Checks a fetched document: a JSON object whose `client_id` is the URL it came from,
/// with a name and redirect URIs this server's policy allows, for a public client.
pub(crate) fn parse_document(
    client_id: &str,
    body: &[u8],
    policy: &RedirectPolicy,
) -> Result<ClientDocument, String> {
    let doc: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err("the client metadata document is not a JSON object".to_owned()),
    };
    if doc.get("client_id").and_then(Value::as_str) != Some(client_id) {
        return Err("the document's client_id is not the URL it was fetched from".to_owned());
    }
    let client_name = doc
        .get("client_name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| "the document has no client_name".to_owned())?;
    if client_name.chars().count() > 200 {
        return Err("the document's client_name is longer than 200 characters".to_owned());
    }
    match doc
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
    {
        None | Some("none") => {}
        Some(other) => {
            return Err(format!(
                "token_endpoint_auth_method {} is not supported; only public clients (none)",
                printable(other, 40)
            ));
        }
    }
    let redirect_uris: Vec<String> = match doc.get("redirect_uris") {
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_REDIRECT_URIS => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| "every redirect URI must be a string".to_owned())?,
        _ => {
            return Err(format!(
                "the document needs redirect_uris: 1 to {MAX_REDIRECT_URIS} URIs"
            ));
        }
    };
    for uri in &redirect_uris {
        policy
            .check(uri)
            .map_err(|reason| format!("redirect URI {} refused: {reason}", printable(uri, 200)))?;
    }
    Ok(ClientDocument {
        client_name: client_name.to_owned(),
        redirect_uris,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "https://app.example.com/oauth/client.json";

    fn doc(extra: Value) -> Vec<u8> {
        let mut d = serde_json::json!({
            "client_id": ID,
            "client_name": "Example Agent",
            "redirect_uris": ["http://127.0.0.1:33418/callback"],
        });
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        d.to_string().into_bytes()
    }

    #[test]
    fn a_good_document_is_accepted() {
        let got =
            parse_document(ID, &doc(serde_json::json!({})), &RedirectPolicy::default()).unwrap();
        assert_eq!(got.client_name, "Example Agent");
        assert_eq!(got.redirect_uris, ["http://127.0.0.1:33418/callback"]);
    }

    #[test]
    fn bad_documents_are_refused_with_the_reason() {
        let policy = RedirectPolicy::default();
        for (extra, reason) in [
            (
                serde_json::json!({"client_id": "https://evil.example/c.json"}),
                "client_id",
            ),
            (serde_json::json!({"client_name": ""}), "client_name"),
            (serde_json::json!({"redirect_uris": []}), "redirect_uris"),
            (
                serde_json::json!({"redirect_uris": ["https://evil.example/cb"]}),
                "refused",
            ),
            (
                serde_json::json!({"redirect_uris": ["javascript:alert(1)"]}),
                "refused",
            ),
            (
                serde_json::json!({"token_endpoint_auth_method": "private_key_jwt"}),
                "not supported",
            ),
        ] {
            let err = parse_document(ID, &doc(extra.clone()), &policy).unwrap_err();
            assert!(err.contains(reason), "{extra}: {err}");
        }
        assert!(parse_document(ID, b"[1]", &policy).is_err());
        assert!(parse_document(ID, b"not json", &policy).is_err());
    }

    #[test]
    fn client_id_urls_must_be_https_with_a_path_in_canonical_form() {
        let f = Fetcher::new();
        assert!(f.check_url(ID).is_ok());
        for bad in [
            "http://app.example.com/client.json",
            "https://app.example.com/",
            "https://app.example.com/a/../client.json",
            "https://user@app.example.com/client.json",
            "https://app.example.com/client.json#x",
            "HTTPS://APP.example.com/client.json",
        ] {
            assert!(f.check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_public_addresses_count() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "198.18.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn fetches_are_few_at_a_time_and_per_second() {
        let f = Fetcher::new();
        let policy = RedirectPolicy::default();
        let held: Vec<_> = (0..MAX_CONCURRENT)
            .map(|_| f.in_flight.try_acquire().unwrap())
            .collect();
        assert_eq!(f.fetch(ID, &policy).await.unwrap_err(), FetchError::Busy);
        drop(held);
        for _ in 0..20 {
            assert!(f.starts.allow());
        }
        assert_eq!(
            f.clone().fetch(ID, &policy).await.unwrap_err(),
            FetchError::Busy,
            "a clone shares the limits"
        );
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_not_fetched() {
        let err = Fetcher::new()
            .fetch("https://localhost/client.json", &RedirectPolicy::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("private, loopback or reserved"), "{err}");
    }
}
