//! The proxy's settings: the Entra ID guide's `OIDCPROXY_AUTH_*` variables plus this
//! server's public URL, read once and checked before anything is served.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use super::{
    credential::{Certificate, Credential},
    redirect_uri::{RedirectPattern, RedirectPolicy},
};
use crate::outbound;

/// The raw `OIDCPROXY_*` values (blank counts as unset) and the bind, from which
/// [`super::OidcProxy::from_env`] builds the proxy.
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    /// `OIDCPROXY_AUTH_ISSUER`: the `iss` of the provider's ID tokens.
    pub issuer: Option<String>,
    /// `OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT`.
    pub authorization_endpoint: Option<String>,
    /// `OIDCPROXY_AUTH_TOKEN_ENDPOINT`.
    pub token_endpoint: Option<String>,
    /// `OIDCPROXY_AUTH_JWKS_URI`.
    pub jwks_uri: Option<String>,
    /// `OIDCPROXY_AUTH_AUDIENCE`: for Entra ID, the application (client) id.
    pub audience: Option<String>,
    /// `OIDCPROXY_AUTH_SCOPES`, space or comma separated.
    pub scopes: Option<String>,
    /// `OIDCPROXY_AUTH_CLIENT_ID`; defaults to the audience, as Entra ID needs.
    pub client_id: Option<String>,
    /// `OIDCPROXY_AUTH_CLIENT_SECRET`, for a confidential app registration.
    pub client_secret: Option<SecretString>,
    /// `OIDCPROXY_AUTH_CLIENT_CERTIFICATE`: a PEM file with the app's certificate and its
    /// private key, the alternative to a client secret.
    pub client_certificate: Option<String>,
    /// `OIDCPROXY_AUTH_DISCOVERY_URL`: checked against the issuer and used for endpoints
    /// left unset.
    pub discovery_url: Option<String>,
    /// `OIDCPROXY_BASE_URL`: this server's public URL.
    pub base_url: Option<String>,
    /// `OIDCPROXY_ALLOWED_REDIRECT_URIS`: patterns for non-loopback client redirect URIs.
    pub allowed_redirect_uris: Option<String>,
    /// `OIDCPROXY_FLOW`: `passthrough` (default) or `proxy` (the authorization-server facade).
    pub flow: Option<String>,
    /// `OIDCPROXY_STATE_KEY`: the secret that encrypts stored state; defaults to the client
    /// secret.
    pub state_key: Option<SecretString>,
    /// `OIDCPROXY_ACCESS_TOKEN_TTL`: lifetime in seconds of the access tokens we issue.
    pub access_token_ttl: Option<String>,
    /// The bind host, for the loopback-only default base URL.
    pub bind_host: String,
    /// The bind port, for the loopback-only default base URL.
    pub bind_port: u16,
}

impl ProxyEnv {
    /// Reads the values through `lookup` (the process environment, or a map in tests).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        bind_host: &str,
        bind_port: u16,
    ) -> Self {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            issuer: get("OIDCPROXY_AUTH_ISSUER"),
            authorization_endpoint: get("OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT"),
            token_endpoint: get("OIDCPROXY_AUTH_TOKEN_ENDPOINT"),
            jwks_uri: get("OIDCPROXY_AUTH_JWKS_URI"),
            audience: get("OIDCPROXY_AUTH_AUDIENCE"),
            scopes: get("OIDCPROXY_AUTH_SCOPES"),
            client_id: get("OIDCPROXY_AUTH_CLIENT_ID"),
            // The facade's issue text and the `oidc` mode call it OIDCPROXY_CLIENT_SECRET.
            client_secret: get("OIDCPROXY_AUTH_CLIENT_SECRET")
                .or_else(|| get("OIDCPROXY_CLIENT_SECRET"))
                .map(SecretString::from),
            client_certificate: get("OIDCPROXY_AUTH_CLIENT_CERTIFICATE"),
            discovery_url: get("OIDCPROXY_AUTH_DISCOVERY_URL"),
            base_url: get("OIDCPROXY_BASE_URL"),
            allowed_redirect_uris: get("OIDCPROXY_ALLOWED_REDIRECT_URIS"),
            flow: get("OIDCPROXY_FLOW"),
            state_key: get("OIDCPROXY_STATE_KEY").map(SecretString::from),
            access_token_ttl: get("OIDCPROXY_ACCESS_TOKEN_TTL"),
            bind_host: bind_host.to_owned(),
            bind_port,
        }
    }

    /// Reads the process environment.
    pub fn from_process_env(bind_host: &str, bind_port: u16) -> Self {
        Self::from_lookup(|name| std::env::var(name).ok(), bind_host, bind_port)
    }
}

/// Why the proxy cannot start; the server must not serve `/mcp` without it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProxyConfigError {
    /// Required variables are unset.
    #[error("oidcproxy auth mode requires: {}", .0.join(", "))]
    Missing(Vec<&'static str>),
    /// A value is not usable as given.
    #[error("{var}: {reason}")]
    Invalid {
        /// The variable.
        var: &'static str,
        /// What is wrong with it (never its value when it is a secret).
        reason: String,
    },
    /// The discovery document could not be read.
    #[error(
        "could not read the identity provider's OpenID configuration from {url}: {reason}. \
         Check OIDCPROXY_AUTH_DISCOVERY_URL and that this host can reach the provider"
    )]
    Discovery {
        /// The discovery URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The discovery document names another issuer than the one configured.
    #[error(
        "OIDCPROXY_AUTH_ISSUER is {configured} but the OpenID configuration at {url} says \
         issuer {discovered}; ID tokens would never validate. For Entra ID use \
         https://login.microsoftonline.com/<tenant-id>/v2.0 with the v2.0 discovery URL"
    )]
    IssuerMismatch {
        /// `OIDCPROXY_AUTH_ISSUER`.
        configured: String,
        /// The document's `issuer`.
        discovered: String,
        /// The discovery URL.
        url: String,
    },
    /// The provider's signing keys could not be fetched.
    #[error(
        "{0}. Check OIDCPROXY_AUTH_JWKS_URI and that this host can reach the identity provider"
    )]
    Jwks(String),
    /// Local set-up failed (HTTP client, key generation).
    #[error("oidcproxy start-up failed: {0}")]
    Internal(String),
}

/// Settings after validation: every URL parsed, every default applied.
#[derive(Debug)]
pub(crate) struct ProxyConfig {
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: Url,
    pub(crate) token_endpoint: Url,
    pub(crate) jwks_uri: Url,
    /// `aud` of provider access tokens accepted on `/mcp`.
    pub(crate) audience: String,
    /// The provider's client id: sent upstream and the `aud` of its ID tokens.
    pub(crate) client_id: String,
    /// How this server authenticates at the token endpoint; `None` for a public client.
    pub(crate) credential: Option<std::sync::Arc<Credential>>,
    pub(crate) scopes: Vec<String>,
    /// This server's public origin, no trailing slash: our `issuer`.
    pub(crate) base_url: String,
    /// `<base_url>/mcp`: the RFC 9728 resource and our tokens' `aud`.
    pub(crate) resource: String,
    pub(crate) redirect_policy: RedirectPolicy,
    pub(crate) flow: Flow,
    /// Lifetime of the access tokens we issue.
    pub(crate) access_token_ttl: Duration,
}

/// How a sign-in reaches the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The client's own redirect URI and PKCE go to the provider, which redirects the
    /// browser straight back to the client (the Entra ID guide; each client redirect URI
    /// must be registered at the provider).
    PassThrough,
    /// This server is the authorization server: it signs users in at the provider as one
    /// confidential client with one callback (`<base>/auth/callback`), shows a consent
    /// page, and issues its own codes.
    Proxy,
}

/// How long the short-lived records of a sign-in last (shortened by tests).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifetimes {
    /// From `/authorize` to the provider's callback (consent and provider login included).
    pub(crate) sign_in: Duration,
    /// Our authorization codes, from the redirect to the client until redeemed.
    pub(crate) code: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            sign_in: Duration::from_secs(600),
            code: Duration::from_secs(300),
        }
    }
}

/// Default lifetime of our access tokens: short, since refresh is cheap and revocation of
/// a stolen token otherwise waits for expiry.
const DEFAULT_ACCESS_TOKEN_TTL: Duration = Duration::from_secs(900);
/// Bounds of `OIDCPROXY_ACCESS_TOKEN_TTL`.
const ACCESS_TOKEN_TTL_RANGE: std::ops::RangeInclusive<u64> = 5..=86_400;

/// The identity-provider values a discovery document may supply.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct Discovered {
    pub(crate) issuer: Option<String>,
    pub(crate) authorization_endpoint: Option<String>,
    pub(crate) token_endpoint: Option<String>,
    pub(crate) jwks_uri: Option<String>,
}

impl ProxyConfig {
    /// Validates `env`, filling unset provider endpoints from `discovered` (the document at
    /// `OIDCPROXY_AUTH_DISCOVERY_URL`, already fetched).
    pub(crate) fn build(
        env: &ProxyEnv,
        discovered: Option<&Discovered>,
    ) -> Result<Self, ProxyConfigError> {
        let from_doc =
            |f: fn(&Discovered) -> &Option<String>| discovered.and_then(|d| f(d).clone());
        let issuer = env.issuer.clone().or_else(|| from_doc(|d| &d.issuer));
        if let (Some(configured), Some(discovered), Some(url)) = (
            env.issuer.as_ref(),
            discovered.and_then(|d| d.issuer.as_ref()),
            env.discovery_url.as_ref(),
        ) && configured != discovered
        {
            return Err(ProxyConfigError::IssuerMismatch {
                configured: configured.clone(),
                discovered: discovered.clone(),
                url: url.clone(),
            });
        }
        let authorization_endpoint = env
            .authorization_endpoint
            .clone()
            .or_else(|| from_doc(|d| &d.authorization_endpoint));
        let token_endpoint = env
            .token_endpoint
            .clone()
            .or_else(|| from_doc(|d| &d.token_endpoint));
        let jwks_uri = env.jwks_uri.clone().or_else(|| from_doc(|d| &d.jwks_uri));

        let mut missing = Vec::new();
        let mut require = |value: &Option<String>, name: &'static str| {
            if value.is_none() {
                missing.push(name);
            }
        };
        require(&issuer, "OIDCPROXY_AUTH_ISSUER");
        require(
            &authorization_endpoint,
            "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
        );
        require(&token_endpoint, "OIDCPROXY_AUTH_TOKEN_ENDPOINT");
        require(&jwks_uri, "OIDCPROXY_AUTH_JWKS_URI");
        require(&env.audience, "OIDCPROXY_AUTH_AUDIENCE");
        require(&env.scopes, "OIDCPROXY_AUTH_SCOPES");
        let (
            Some(issuer),
            Some(authorization_endpoint),
            Some(token_endpoint),
            Some(jwks_uri),
            Some(audience),
            Some(scopes),
        ) = (
            issuer,
            authorization_endpoint,
            token_endpoint,
            jwks_uri,
            env.audience.clone(),
            env.scopes.as_deref(),
        )
        else {
            return Err(ProxyConfigError::Missing(missing));
        };

        let scopes = parse_scopes(scopes);
        if !scopes.iter().any(|s| s == "openid") {
            return Err(ProxyConfigError::Invalid {
                var: "OIDCPROXY_AUTH_SCOPES",
                reason: "must include openid: the proxy identifies users by the ID token \
                         (the guide's value is \"openid profile offline_access\")"
                    .to_owned(),
            });
        }
        let base_url = base_url(env)?;
        let credential = credential(env)?;
        let flow = flow(env, credential.is_some())?;
        let access_token_ttl = access_token_ttl(env)?;
        let patterns = env
            .allowed_redirect_uris
            .as_deref()
            .map(parse_patterns)
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            issuer,
            authorization_endpoint: provider_url(
                "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
                &authorization_endpoint,
            )?,
            token_endpoint: provider_url("OIDCPROXY_AUTH_TOKEN_ENDPOINT", &token_endpoint)?,
            jwks_uri: provider_url("OIDCPROXY_AUTH_JWKS_URI", &jwks_uri)?,
            client_id: env.client_id.clone().unwrap_or_else(|| audience.clone()),
            audience,
            credential,
            scopes,
            resource: format!("{base_url}/mcp"),
            redirect_policy: RedirectPolicy::new(patterns, &base_url),
            base_url,
            flow,
            access_token_ttl,
        })
    }

    /// The configured scopes as one `scope` parameter.
    pub(crate) fn scope_param(&self) -> String {
        self.scopes.join(" ")
    }
}

/// `OIDCPROXY_FLOW`; the facade needs a confidential client, since it redeems codes for
/// itself rather than relaying a client's PKCE.
fn flow(env: &ProxyEnv, confidential: bool) -> Result<Flow, ProxyConfigError> {
    const VAR: &str = "OIDCPROXY_FLOW";
    match env.flow.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("passthrough" | "pass-through") => Ok(Flow::PassThrough),
        Some("proxy") if confidential => Ok(Flow::Proxy),
        Some("proxy") => Err(ProxyConfigError::Invalid {
            var: VAR,
            reason: "proxy needs a confidential client at the identity provider: set \
                     OIDCPROXY_AUTH_CLIENT_SECRET or OIDCPROXY_AUTH_CLIENT_CERTIFICATE (for \
                     Entra ID: Certificates & secrets) and register <base>/auth/callback as \
                     its Web redirect URI"
                .to_owned(),
        }),
        Some(other) => Err(ProxyConfigError::Invalid {
            var: VAR,
            reason: format!("{other:?} is not a flow; use passthrough (default) or proxy"),
        }),
    }
}

/// The client secret or the certificate credential (not both: which one Entra ID checks
/// would be a guess).
fn credential(env: &ProxyEnv) -> Result<Option<std::sync::Arc<Credential>>, ProxyConfigError> {
    match (&env.client_secret, &env.client_certificate) {
        (Some(_), Some(_)) => Err(ProxyConfigError::Invalid {
            var: "OIDCPROXY_AUTH_CLIENT_CERTIFICATE",
            reason: "set either a client secret or a client certificate, not both".to_owned(),
        }),
        (Some(secret), None) => Ok(Some(std::sync::Arc::new(Credential::Secret(
            secret.clone(),
        )))),
        (None, Some(path)) => Certificate::from_file(path)
            .map(|cert| Some(std::sync::Arc::new(Credential::Certificate(cert))))
            .map_err(|reason| ProxyConfigError::Invalid {
                var: "OIDCPROXY_AUTH_CLIENT_CERTIFICATE",
                reason,
            }),
        (None, None) => Ok(None),
    }
}

fn access_token_ttl(env: &ProxyEnv) -> Result<Duration, ProxyConfigError> {
    let Some(raw) = env.access_token_ttl.as_deref() else {
        return Ok(DEFAULT_ACCESS_TOKEN_TTL);
    };
    match raw.parse::<u64>() {
        Ok(secs) if ACCESS_TOKEN_TTL_RANGE.contains(&secs) => Ok(Duration::from_secs(secs)),
        _ => Err(ProxyConfigError::Invalid {
            var: "OIDCPROXY_ACCESS_TOKEN_TTL",
            reason: format!(
                "{raw:?} must be a number of seconds from {} to {}",
                ACCESS_TOKEN_TTL_RANGE.start(),
                ACCESS_TOKEN_TTL_RANGE.end()
            ),
        }),
    }
}

fn parse_scopes(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split([' ', ',']).filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

fn parse_patterns(raw: &str) -> Result<Vec<RedirectPattern>, ProxyConfigError> {
    raw.split([' ', ','])
        .filter(|p| !p.is_empty())
        .map(|p| {
            RedirectPattern::parse(p).map_err(|reason| ProxyConfigError::Invalid {
                var: "OIDCPROXY_ALLOWED_REDIRECT_URIS",
                reason: format!("{p}: {reason}"),
            })
        })
        .collect()
}

/// A provider endpoint: `https`, or `http` on this machine (a local test provider),
/// because codes and tokens travel over it.
fn provider_url(var: &'static str, raw: &str) -> Result<Url, ProxyConfigError> {
    outbound::parse_url(var, raw).map_err(|reason| ProxyConfigError::Invalid { var, reason })
}

/// `OIDCPROXY_BASE_URL` without a trailing slash, or `http://<bind>` on a loopback bind.
fn base_url(env: &ProxyEnv) -> Result<String, ProxyConfigError> {
    const VAR: &str = "OIDCPROXY_BASE_URL";
    let invalid = |reason: String| ProxyConfigError::Invalid { var: VAR, reason };
    let Some(raw) = env.base_url.as_deref() else {
        if !is_loopback(&env.bind_host) {
            return Err(ProxyConfigError::Missing(vec![VAR]));
        }
        let host = if env.bind_host.contains(':') && !env.bind_host.starts_with('[') {
            format!("[{}]", env.bind_host)
        } else {
            env.bind_host.clone()
        };
        return Ok(format!("http://{host}:{}", env.bind_port));
    };
    let url = Url::parse(raw).map_err(|e| invalid(format!("{raw} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!("{raw} must be an http(s) URL")));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "{raw} must be an origin such as https://mcp.example.com (no path, query or \
             fragment): the OAuth endpoints and /mcp are served at its root"
        )));
    }
    // The serialized origin: scheme and host lowercased, a default port dropped, so the
    // issuer clients compare and the `https` test for cookies see one spelling.
    Ok(url.origin().ascii_serialization())
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const GUIDE: [(&str, &str); 6] = [
        (
            "OIDCPROXY_AUTH_ISSUER",
            "https://login.microsoftonline.com/tid/v2.0",
        ),
        (
            "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
            "https://login.microsoftonline.com/tid/oauth2/v2.0/authorize",
        ),
        (
            "OIDCPROXY_AUTH_TOKEN_ENDPOINT",
            "https://login.microsoftonline.com/tid/oauth2/v2.0/token",
        ),
        (
            "OIDCPROXY_AUTH_JWKS_URI",
            "https://login.microsoftonline.com/tid/discovery/v2.0/keys",
        ),
        ("OIDCPROXY_AUTH_AUDIENCE", "app-guid"),
        ("OIDCPROXY_AUTH_SCOPES", "openid profile offline_access"),
    ];

    fn env_with(pairs: &[(&str, &str)], host: &str) -> ProxyEnv {
        let map: HashMap<String, String> = GUIDE
            .iter()
            .chain(pairs)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ProxyEnv::from_lookup(|name| map.get(name).cloned(), host, 8000)
    }

    #[test]
    fn the_guide_values_work_on_a_loopback_bind() {
        let c = ProxyConfig::build(&env_with(&[], "127.0.0.1"), None).unwrap();
        assert_eq!(c.issuer, "https://login.microsoftonline.com/tid/v2.0");
        assert_eq!(c.client_id, "app-guid");
        assert_eq!(c.audience, "app-guid");
        assert_eq!(c.scopes, ["openid", "profile", "offline_access"]);
        assert_eq!(c.base_url, "http://127.0.0.1:8000");
        assert_eq!(c.resource, "http://127.0.0.1:8000/mcp");
        assert_eq!(c.scope_param(), "openid profile offline_access");
    }

    #[test]
    fn missing_values_are_all_named() {
        let env = ProxyEnv::from_lookup(
            |n| (n == "OIDCPROXY_AUTH_AUDIENCE").then(|| "a".to_owned()),
            "127.0.0.1",
            1,
        );
        let err = ProxyConfig::build(&env, None).unwrap_err().to_string();
        for name in [
            "OIDCPROXY_AUTH_ISSUER",
            "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
            "OIDCPROXY_AUTH_TOKEN_ENDPOINT",
            "OIDCPROXY_AUTH_JWKS_URI",
            "OIDCPROXY_AUTH_SCOPES",
        ] {
            assert!(err.contains(name), "{err}");
        }
        assert!(!err.contains("OIDCPROXY_AUTH_AUDIENCE"), "{err}");
    }

    #[test]
    fn a_public_bind_needs_a_base_url() {
        let err = ProxyConfig::build(&env_with(&[], "0.0.0.0"), None).unwrap_err();
        assert!(err.to_string().contains("OIDCPROXY_BASE_URL"), "{err}");
        let c = ProxyConfig::build(
            &env_with(
                &[("OIDCPROXY_BASE_URL", "https://mcp.example.com/")],
                "0.0.0.0",
            ),
            None,
        )
        .unwrap();
        assert_eq!(c.base_url, "https://mcp.example.com");
        assert_eq!(c.resource, "https://mcp.example.com/mcp");
        let c = ProxyConfig::build(
            &env_with(
                &[("OIDCPROXY_BASE_URL", "HTTPS://MCP.Example.com:443")],
                "0.0.0.0",
            ),
            None,
        )
        .unwrap();
        assert_eq!(c.base_url, "https://mcp.example.com");
        let err = ProxyConfig::build(
            &env_with(
                &[("OIDCPROXY_BASE_URL", "https://h.example/mcp")],
                "0.0.0.0",
            ),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("origin"), "{err}");
    }

    #[test]
    fn client_id_and_scope_rules() {
        let c = ProxyConfig::build(
            &env_with(
                &[
                    ("OIDCPROXY_AUTH_CLIENT_ID", "other"),
                    ("OIDCPROXY_AUTH_SCOPES", "openid,email openid"),
                ],
                "::1",
            ),
            None,
        )
        .unwrap();
        assert_eq!(c.client_id, "other");
        assert_eq!(c.audience, "app-guid");
        assert_eq!(c.scopes, ["openid", "email"]);
        assert_eq!(c.base_url, "http://[::1]:8000");
        let err = ProxyConfig::build(
            &env_with(&[("OIDCPROXY_AUTH_SCOPES", "profile")], "127.0.0.1"),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("openid"), "{err}");
    }

    #[test]
    fn provider_endpoints_must_be_https_off_this_machine() {
        let err = ProxyConfig::build(
            &env_with(
                &[("OIDCPROXY_AUTH_TOKEN_ENDPOINT", "http://idp.example/token")],
                "127.0.0.1",
            ),
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("OIDCPROXY_AUTH_TOKEN_ENDPOINT"),
            "{err}"
        );
        ProxyConfig::build(
            &env_with(
                &[("OIDCPROXY_AUTH_TOKEN_ENDPOINT", "http://127.0.0.1:9/token")],
                "127.0.0.1",
            ),
            None,
        )
        .unwrap();
    }

    #[test]
    fn discovery_fills_endpoints_and_must_agree_on_the_issuer() {
        let map: HashMap<&str, &str> = [
            ("OIDCPROXY_AUTH_AUDIENCE", "app"),
            ("OIDCPROXY_AUTH_SCOPES", "openid"),
            (
                "OIDCPROXY_AUTH_DISCOVERY_URL",
                "https://idp/.well-known/openid-configuration",
            ),
        ]
        .into();
        let env = ProxyEnv::from_lookup(|n| map.get(n).map(|v| (*v).to_owned()), "127.0.0.1", 1);
        let doc = Discovered {
            issuer: Some("https://idp/".into()),
            authorization_endpoint: Some("https://idp/authorize".into()),
            token_endpoint: Some("https://idp/token".into()),
            jwks_uri: Some("https://idp/keys".into()),
        };
        let c = ProxyConfig::build(&env, Some(&doc)).unwrap();
        assert_eq!(c.issuer, "https://idp/");
        assert_eq!(c.token_endpoint.as_str(), "https://idp/token");

        let mut env = env;
        env.issuer = Some("https://other/".into());
        let err = ProxyConfig::build(&env, Some(&doc)).unwrap_err();
        assert!(
            matches!(err, ProxyConfigError::IssuerMismatch { .. }),
            "{err}"
        );
    }

    #[test]
    fn the_facade_needs_a_client_secret_and_ttls_are_bounded() {
        let c = ProxyConfig::build(&env_with(&[], "127.0.0.1"), None).unwrap();
        assert_eq!(c.flow, Flow::PassThrough);
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
        let err = ProxyConfig::build(&env_with(&[("OIDCPROXY_FLOW", "proxy")], "127.0.0.1"), None)
            .unwrap_err();
        assert!(
            err.to_string().contains("OIDCPROXY_AUTH_CLIENT_SECRET"),
            "{err}"
        );
        let c = ProxyConfig::build(
            &env_with(
                &[
                    ("OIDCPROXY_FLOW", "Proxy"),
                    ("OIDCPROXY_CLIENT_SECRET", "s3cret"),
                    ("OIDCPROXY_ACCESS_TOKEN_TTL", "60"),
                ],
                "127.0.0.1",
            ),
            None,
        )
        .unwrap();
        assert_eq!(c.flow, Flow::Proxy);
        assert_eq!(c.access_token_ttl, Duration::from_secs(60));
        for (var, value) in [
            ("OIDCPROXY_FLOW", "direct"),
            ("OIDCPROXY_ACCESS_TOKEN_TTL", "1"),
            ("OIDCPROXY_ACCESS_TOKEN_TTL", "ten"),
        ] {
            let err =
                ProxyConfig::build(&env_with(&[(var, value)], "127.0.0.1"), None).unwrap_err();
            assert!(err.to_string().contains(var), "{err}");
        }
    }

    #[test]
    fn bad_redirect_patterns_fail_start_up() {
        let err = ProxyConfig::build(
            &env_with(
                &[(
                    "OIDCPROXY_ALLOWED_REDIRECT_URIS",
                    "https://ok.example/cb, nope",
                )],
                "127.0.0.1",
            ),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
