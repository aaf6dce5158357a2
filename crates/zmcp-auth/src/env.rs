//! The environment variables that configure client authentication, read once at start-up.

use secrecy::SecretString;

/// The `OIDCPROXY_AUTH_*` variables of the Entra ID guide; any of them selects the OIDC proxy.
const OIDCPROXY_VARS: [&str; 6] = [
    "OIDCPROXY_AUTH_ISSUER",
    "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
    "OIDCPROXY_AUTH_TOKEN_ENDPOINT",
    "OIDCPROXY_AUTH_JWKS_URI",
    "OIDCPROXY_AUTH_AUDIENCE",
    "OIDCPROXY_AUTH_SCOPES",
];

/// The environment values that decide and configure the mode (blank values count as unset).
#[derive(Debug, Clone, Default)]
pub struct AuthEnv {
    /// `ZSCALER_MCP_AUTH_ENABLED`.
    pub enabled: Option<String>,
    /// `ZSCALER_MCP_AUTH_MODE`.
    pub mode: Option<String>,
    /// `ZSCALER_MCP_AUTH_API_KEY`.
    pub api_key: Option<SecretString>,
    /// `ZSCALER_MCP_AUTH_JWKS_URI`.
    pub jwks_uri: Option<String>,
    /// `ZSCALER_VANITY_DOMAIN` (auto-detects the `zscaler` mode); the demo clears it because
    /// it ignores real Zscaler settings.
    pub vanity_domain: Option<String>,
    /// The `OIDCPROXY_AUTH_*` variables that are set.
    pub oidcproxy_vars: Vec<&'static str>,
    /// `ZSCALER_MCP_TRUST_PLATFORM_AUTH` ∈ {true,1,yes}.
    pub trust_platform: bool,
    /// The `jwt` mode's other settings.
    pub jwt: JwtEnv,
    /// The `zscaler` mode's other settings.
    pub oneapi: OneApiEnv,
    /// The `oidc` mode's settings.
    pub oidc: OidcEnv,
    /// The `oidcproxy` mode's settings; the binary fills in the bind.
    pub oidcproxy: crate::proxy::ProxyEnv,
}

/// `ZSCALER_MCP_AUTH_*` settings of the `jwt` mode (besides the JWKS URI).
#[derive(Debug, Clone, Default)]
pub struct JwtEnv {
    /// `ZSCALER_MCP_AUTH_ISSUER` (required).
    pub issuer: Option<String>,
    /// `ZSCALER_MCP_AUTH_AUDIENCE` (CSV; default `zscaler-mcp-server`).
    pub audience: Option<String>,
    /// `ZSCALER_MCP_AUTH_ALGORITHMS` (CSV; default `RS256,ES256`).
    pub algorithms: Option<String>,
}

/// Where the `zscaler` mode checks client credentials.
#[derive(Debug, Clone, Default)]
pub struct OneApiEnv {
    /// `ZSCALER_CLOUD`.
    pub cloud: Option<String>,
    /// `ZSCALER_MCP_TOKEN_URL`: overrides the derived token URL (tests, the simulator).
    pub token_url: Option<String>,
}

/// `OIDCPROXY_*` settings of the `oidc` mode (RFC 9728 protected resource).
#[derive(Debug, Clone, Default)]
pub struct OidcEnv {
    /// `OIDCPROXY_CONFIG_URL`: the IdP's OpenID configuration (discovery) URL.
    pub config_url: Option<String>,
    /// `OIDCPROXY_BASE_URL`: this server's public URL, the OAuth resource identifier.
    pub base_url: Option<String>,
    /// `OIDCPROXY_CLIENT_ID`: the default audience.
    pub client_id: Option<String>,
    /// `OIDCPROXY_AUDIENCE` (CSV).
    pub audience: Option<String>,
    /// `OIDCPROXY_REQUIRED_SCOPES` (CSV).
    pub required_scopes: Option<String>,
    /// Whether `OIDCPROXY_CLIENT_SECRET` is set (the `oidc` mode ignores it, and says so).
    pub client_secret_set: bool,
}

impl AuthEnv {
    /// Reads the values through `lookup` (the process environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            enabled: get("ZSCALER_MCP_AUTH_ENABLED"),
            mode: get("ZSCALER_MCP_AUTH_MODE"),
            api_key: get("ZSCALER_MCP_AUTH_API_KEY").map(SecretString::from),
            jwks_uri: get("ZSCALER_MCP_AUTH_JWKS_URI"),
            vanity_domain: get("ZSCALER_VANITY_DOMAIN"),
            oidcproxy_vars: OIDCPROXY_VARS
                .into_iter()
                .filter(|name| get(name).is_some())
                .collect(),
            trust_platform: get("ZSCALER_MCP_TRUST_PLATFORM_AUTH")
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes")),
            jwt: JwtEnv {
                issuer: get("ZSCALER_MCP_AUTH_ISSUER"),
                audience: get("ZSCALER_MCP_AUTH_AUDIENCE"),
                algorithms: get("ZSCALER_MCP_AUTH_ALGORITHMS"),
            },
            oneapi: OneApiEnv {
                cloud: get("ZSCALER_CLOUD"),
                token_url: get("ZSCALER_MCP_TOKEN_URL"),
            },
            oidc: OidcEnv {
                config_url: get("OIDCPROXY_CONFIG_URL"),
                base_url: get("OIDCPROXY_BASE_URL"),
                client_id: get("OIDCPROXY_CLIENT_ID"),
                audience: get("OIDCPROXY_AUDIENCE"),
                required_scopes: get("OIDCPROXY_REQUIRED_SCOPES"),
                client_secret_set: get("OIDCPROXY_CLIENT_SECRET").is_some(),
            },
            oidcproxy: crate::proxy::ProxyEnv::from_lookup(&lookup, "", 0),
        }
    }

    /// Reads the process environment.
    pub fn from_process_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn auth_disabled(&self) -> bool {
        self.enabled
            .as_deref()
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no"))
    }
}

/// Trimmed, non-empty entries of a comma-separated setting.
pub(crate) fn csv(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}
