//! The source-IP allowlist: only peers in the listed addresses and networks reach the
//! server. The peer is the TCP connection's address, never `X-Forwarded-For`, which any
//! client can write.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;
use ipnet::IpNet;

use crate::http::json_rpc_rejection;

/// The networks whose peers are admitted (exact addresses are /32 or /128 networks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceIpAcl {
    networks: Vec<IpNet>,
}

/// An allowlist entry that is neither an IP address nor a CIDR network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid source IP entry {0:?}: expected an IP address or a CIDR network such as 10.0.0.0/8"
)]
pub struct SourceIpError(pub String);

impl SourceIpAcl {
    /// Parses a comma-separated list. `None` when every peer is admitted: an empty list,
    /// or one holding `*` or `0.0.0.0/0`.
    ///
    /// # Errors
    /// The first entry that is not an address or a network.
    pub fn parse_csv(csv: &str) -> Result<Option<Self>, SourceIpError> {
        let entries: Vec<&str> = csv
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() || entries.iter().any(|e| matches!(*e, "*" | "0.0.0.0/0")) {
            return Ok(None);
        }
        let networks = entries
            .into_iter()
            .map(parse_entry)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Self { networks }))
    }

    /// Whether `peer` may connect; an IPv4 peer seen on an IPv6 socket (`::ffff:a.b.c.d`)
    /// is matched as IPv4.
    pub fn allows(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        self.networks.iter().any(|net| net.contains(&peer))
    }

    /// The entries as written in canonical form, for the start-up log.
    pub fn entries(&self) -> Vec<String> {
        self.networks
            .iter()
            .map(|net| {
                if net.prefix_len() == net.max_prefix_len() {
                    net.addr().to_string()
                } else {
                    net.to_string()
                }
            })
            .collect()
    }
}

fn parse_entry(entry: &str) -> Result<IpNet, SourceIpError> {
    let invalid = || SourceIpError(entry.to_owned());
    if entry.contains('/') {
        return IpNet::from_str(entry)
            .map(|net| net.trunc())
            .map_err(|_| invalid());
    }
    let bare = entry.trim_start_matches('[').trim_end_matches(']');
    IpAddr::from_str(bare)
        .map(|ip| IpNet::from(ip.to_canonical()))
        .map_err(|_| invalid())
}

/// Refuses peers outside the allowlist with 403 and the Python server's JSON-RPC body. A
/// request without a recorded peer (served without connection info) is refused too.
pub(crate) async fn check_source_ip(
    State(acl): State<Arc<SourceIpAcl>>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical());
    match peer {
        Some(ip) if acl.allows(ip) => next.run(request).await,
        _ => {
            let shown = peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
            tracing::warn!(peer = %shown, "rejected request: source IP not allowed");
            json_rpc_rejection(
                StatusCode::FORBIDDEN,
                &format!("Forbidden: source IP {shown} is not in the allowed list"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl(csv: &str) -> SourceIpAcl {
        SourceIpAcl::parse_csv(csv)
            .expect("valid")
            .expect("restrictive")
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn everyone_when_empty_or_wildcard() {
        for csv in ["", " , ", "*", "10.0.0.0/8, *", "0.0.0.0/0"] {
            assert_eq!(SourceIpAcl::parse_csv(csv), Ok(None), "{csv:?}");
        }
    }

    #[test]
    fn addresses_and_networks() {
        let list = acl("10.0.0.0/8, 192.168.1.7 ,2001:db8::/32,[::1], 172.16.5.9/12");
        assert!(list.allows(ip("10.200.0.1")));
        assert!(list.allows(ip("192.168.1.7")));
        assert!(!list.allows(ip("192.168.1.8")));
        assert!(list.allows(ip("2001:db8::42")));
        assert!(list.allows(ip("::1")));
        assert!(
            list.allows(ip("172.31.255.255")),
            "host bits of a network are dropped"
        );
        assert!(!list.allows(ip("127.0.0.1")));
        assert_eq!(
            list.entries(),
            [
                "10.0.0.0/8",
                "192.168.1.7",
                "2001:db8::/32",
                "::1",
                "172.16.0.0/12"
            ]
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_entries() {
        let list = acl("127.0.0.1");
        assert!(list.allows(ip("::ffff:127.0.0.1")));
    }

    #[test]
    fn invalid_entries_are_named() {
        for bad in ["10.0.0.0/33", "example.com", "10.0.0", "1.2.3.4/x"] {
            assert_eq!(
                SourceIpAcl::parse_csv(&format!("127.0.0.1,{bad}")),
                Err(SourceIpError(bad.to_owned())),
                "{bad}"
            );
        }
    }
}
