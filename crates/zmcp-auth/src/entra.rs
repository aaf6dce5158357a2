//! Microsoft Entra ID's usual misconfigurations, recognised from a rejected token's claims so
//! the rejection can say what to change instead of only "invalid audience".

use std::fmt;

/// Microsoft Graph's application id: tokens for Graph carry it as `aud`.
pub(crate) const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const GRAPH_AUDIENCES: [&str; 3] = [
    GRAPH_APP_ID,
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
];
/// Entra's v2.0 token issuers live on these hosts (public and sovereign clouds).
const ENTRA_V2_HOSTS: [&str; 3] = [
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.partner.microsoftonline.cn",
];
/// The issuer prefix of Entra v1 access tokens.
const ENTRA_V1_ISSUER_PREFIX: &str = "https://sts.windows.net/";

/// A known Entra ID mistake behind a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntraHint {
    /// The token was issued for Microsoft Graph, not for this server.
    GraphToken,
    /// A v1 access token where the v2.0 issuer is expected.
    V1Token,
    /// The expected audience is not the application's client id.
    AudienceMustBeClientId,
}

impl fmt::Display for EntraHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntraHint::GraphToken => {
                "this is a Microsoft Graph access token, which only Graph can validate; send the \
                 ID token or configure an API scope for this application"
            }
            EntraHint::V1Token => {
                "this is a v1 access token; set requestedAccessTokenVersion to 2 in the app manifest"
            }
            EntraHint::AudienceMustBeClientId => {
                "for Entra ID the audience must be the application's client id (a GUID), not an \
                 API identifier"
            }
        })
    }
}

/// Whether `issuer` is an Entra ID issuer (any version).
pub(crate) fn is_entra_issuer(issuer: &str) -> bool {
    issuer.starts_with(ENTRA_V1_ISSUER_PREFIX) || entra_v2_host(issuer)
}

fn entra_v2_host(issuer: &str) -> bool {
    url::Url::parse(issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| ENTRA_V2_HOSTS.contains(&host.as_str()))
}

/// Whether the token's audiences name Microsoft Graph.
pub(crate) fn is_graph_audience(audiences: &[String]) -> bool {
    audiences
        .iter()
        .any(|a| GRAPH_AUDIENCES.iter().any(|g| a.eq_ignore_ascii_case(g)))
}

/// The hint for a token whose `iss` did not match: a v1 token sent to a server that expects
/// the v2.0 issuer.
pub(crate) fn issuer_hint(expected: &[String], found: Option<&str>) -> Option<EntraHint> {
    let found = found?;
    let expects_v2 = expected
        .iter()
        .any(|e| entra_v2_host(e) && e.trim_end_matches('/').ends_with("/v2.0"));
    (expects_v2 && found.starts_with(ENTRA_V1_ISSUER_PREFIX)).then_some(EntraHint::V1Token)
}

/// The hint for a token whose `aud` did not match, when the expected issuer is Entra's.
pub(crate) fn audience_hint(expected_issuers: &[String]) -> Option<EntraHint> {
    expected_issuers
        .iter()
        .any(|i| is_entra_issuer(i))
        .then_some(EntraHint::AudienceMustBeClientId)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn v1_issuer_is_recognised_only_when_v2_is_expected() {
        let v2 = s(&["https://login.microsoftonline.com/tid/v2.0"]);
        assert_eq!(
            issuer_hint(&v2, Some("https://sts.windows.net/tid/")),
            Some(EntraHint::V1Token)
        );
        assert_eq!(issuer_hint(&v2, Some("https://other.example/")), None);
        let okta = s(&["https://acme.okta.com/oauth2/default"]);
        assert_eq!(
            issuer_hint(&okta, Some("https://sts.windows.net/tid/")),
            None
        );
    }

    #[test]
    fn audience_hint_needs_an_entra_issuer() {
        assert_eq!(
            audience_hint(&s(&["https://login.microsoftonline.com/tid/v2.0"])),
            Some(EntraHint::AudienceMustBeClientId)
        );
        assert_eq!(
            audience_hint(&s(&["https://sts.windows.net/tid/"])),
            Some(EntraHint::AudienceMustBeClientId)
        );
        assert_eq!(
            audience_hint(&s(&["https://login.microsoftonline.com.evil/x"])),
            None
        );
    }

    #[test]
    fn graph_audiences() {
        assert!(is_graph_audience(&s(&[GRAPH_APP_ID])));
        assert!(is_graph_audience(&s(&["x", "https://graph.microsoft.com"])));
        assert!(!is_graph_audience(&s(&["api://zscaler-mcp"])));
    }
}
