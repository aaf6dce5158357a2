//! Calls this crate makes to identity providers (JWKS, discovery, the OneAPI token endpoint):
//! which URLs may be called, with what client, and how much of an answer is read.

use std::{net::IpAddr, time::Duration};

use url::Url;

/// Bound on one connection attempt; the IdPs answer from the same region or not at all.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest response body read from an IdP: a JWKS or discovery document is a few KiB, so a
/// bigger one is an error, not a reason to buffer without limit.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

/// Parses a configured URL and refuses anything but `https`, except plain `http` to a
/// loopback address (tests and local IdPs), so a typo cannot send tokens' trust anchors or
/// client secrets over the network in clear text.
pub(crate) fn parse_url(setting: &str, value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("{setting}={value:?} is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "{setting}={value} uses plain http; only loopback addresses may (use https)"
        )),
        other => Err(format!(
            "{setting}={value}: scheme {other:?} is not supported (use https)"
        )),
    }
}

/// Whether `url` points at this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A client for calls to `url` with an overall `timeout`. Redirects are followed only when
/// asked (discovery documents are sometimes moved; a token endpoint never is), and a proxy
/// from the environment is ignored for loopback targets.
pub(crate) fn client_for(
    url: &Url,
    timeout: Duration,
    follow_redirects: bool,
) -> Result<reqwest::Client, String> {
    let redirects = if follow_redirects {
        reqwest::redirect::Policy::limited(5)
    } else {
        reqwest::redirect::Policy::none()
    };
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("zscaler-mcp/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .redirect(redirects);
    if is_loopback(url) {
        builder = builder.no_proxy();
    } else {
        builder = builder.https_only(true);
    }
    builder
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// Reads at most [`MAX_BODY_BYTES`] of `response`.
pub(crate) async fn read_body(response: reqwest::Response) -> Result<Vec<u8>, String> {
    read_body_at_most(response, MAX_BODY_BYTES).await
}

/// Reads at most `max` bytes of `response`; a longer body is an error.
pub(crate) async fn read_body_at_most(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the response failed: {}", describe(&e)))?
    {
        if body.len() + chunk.len() > max {
            return Err(format!("the response is larger than {} KiB", max / 1024));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport error in words an operator can act on (reqwest's own text nests the cause).
pub(crate) fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A value from a client or a remote document made safe for a log line or a header
/// parameter: visible ASCII without quotes or backslashes, at most `max` characters.
pub(crate) fn printable(value: &str, max: usize) -> String {
    let mut out: String = value
        .chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .take(max)
        .collect();
    if value.chars().count() > max {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(parse_url("X", "https://idp.example.com/jwks").is_ok());
        assert!(parse_url("X", "http://127.0.0.1:8080/jwks").is_ok());
        assert!(parse_url("X", "http://localhost/jwks").is_ok());
        assert!(parse_url("X", "http://[::1]/jwks").is_ok());
        let err = parse_url("X", "http://idp.example.com/jwks").unwrap_err();
        assert!(err.contains("plain http"), "{err}");
        assert!(parse_url("X", "ftp://idp/jwks").is_err());
        assert!(parse_url("X", "not a url").is_err());
    }

    #[test]
    fn printable_strips_quotes_and_controls() {
        assert_eq!(printable("a\"b\\c\r\nd", 100), "a'b'c??d");
        assert_eq!(printable("abcdef", 3), "abc...");
        assert_eq!(printable("é", 5), "?");
    }
}
