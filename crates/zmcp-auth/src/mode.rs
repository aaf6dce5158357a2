//! Which client-authentication mode applies, decided once at start-up from the environment.
//!
//! The order follows the Python server (disabled flag, `mode=none`, explicit mode, then
//! auto-detection), with two additions that only ever make the server stricter: the
//! `OIDCPROXY_AUTH_*` variables of the Entra ID guide select the OIDC proxy even when that
//! guide's `ZSCALER_MCP_AUTH_ENABLED=false` is present, and a mode this build cannot enforce
//! is an error rather than an open door.

use crate::AuthEnv;

/// The client-authentication modes the Python server knows (plus the OIDC proxy of the
/// Entra ID guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMode {
    /// Every request is accepted.
    None,
    /// One shared secret (`ZSCALER_MCP_AUTH_API_KEY`).
    ApiKey,
    /// JWTs checked against a JWKS (`ZSCALER_MCP_AUTH_JWKS_URI`).
    Jwt,
    /// OneAPI client credentials checked at the Zscaler token endpoint.
    Zscaler,
    /// RFC 9728 protected resource in front of an external IdP.
    Oidc,
    /// OAuth 2.1 authorization-server facade in front of an OIDC IdP.
    OidcProxy,
}

impl AuthMode {
    /// The name used in `ZSCALER_MCP_AUTH_MODE`, banners and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::ApiKey => "api-key",
            AuthMode::Jwt => "jwt",
            AuthMode::Zscaler => "zscaler",
            AuthMode::Oidc => "oidc",
            AuthMode::OidcProxy => "oidcproxy",
        }
    }

    /// Parses `ZSCALER_MCP_AUTH_MODE` (case-insensitive; `oauth-proxy` and `oidc-proxy` are
    /// accepted spellings of `oidcproxy`).
    pub fn parse(value: &str) -> Option<AuthMode> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" => Some(AuthMode::None),
            "api-key" => Some(AuthMode::ApiKey),
            "jwt" => Some(AuthMode::Jwt),
            "zscaler" => Some(AuthMode::Zscaler),
            "oidc" => Some(AuthMode::Oidc),
            "oidcproxy" | "oidc-proxy" | "oauth-proxy" => Some(AuthMode::OidcProxy),
            _ => None,
        }
    }
}

impl std::fmt::Display for AuthMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the mode is what it is; printed in banners and errors so operators know which
/// setting to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeSource {
    /// `ZSCALER_MCP_AUTH_ENABLED` ∈ {false,0,no}.
    DisabledByEnv,
    /// `ZSCALER_MCP_AUTH_MODE=none`.
    ModeNone,
    /// `--demo` on a loopback bind with nothing configured.
    DemoLoopback,
    /// `ZSCALER_MCP_AUTH_MODE` named it.
    Explicit,
    /// The named variable is set.
    AutoDetected(&'static str),
    /// Nothing configured: the Python server's fail-closed default (`jwt`).
    Default,
}

impl std::fmt::Display for ModeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModeSource::DisabledByEnv => f.write_str("ZSCALER_MCP_AUTH_ENABLED=false"),
            ModeSource::ModeNone => f.write_str("ZSCALER_MCP_AUTH_MODE=none"),
            ModeSource::DemoLoopback => {
                f.write_str("demo mode on a loopback bind, no client authentication configured")
            }
            ModeSource::Explicit => f.write_str("selected by ZSCALER_MCP_AUTH_MODE"),
            ModeSource::AutoDetected(var) => write!(f, "auto-detected: {var} is set"),
            ModeSource::Default => {
                f.write_str("the default when no client authentication is configured")
            }
        }
    }
}

impl AuthEnv {
    /// The mode [`crate::ClientAuth::resolve_from_env`] would enforce, without preparing it
    /// (so the binary can first open what that mode needs, such as its state store); `None`
    /// when `ZSCALER_MCP_AUTH_MODE` names no mode (resolving then fails).
    pub fn planned_mode(&self, demo_on_loopback: bool) -> Option<AuthMode> {
        let explicit = match self.mode.as_deref() {
            Some(raw) => Some(AuthMode::parse(raw)?),
            None => None,
        };
        Some(select_mode(self, explicit, demo_on_loopback, &mut Vec::new()).0)
    }
}

/// The mode the environment asks for and why; settings that lose are reported in
/// `warnings`.
pub(crate) fn select_mode(
    env: &AuthEnv,
    explicit: Option<AuthMode>,
    demo_on_loopback: bool,
    warnings: &mut Vec<String>,
) -> (AuthMode, ModeSource) {
    if let Some(&var) = env.oidcproxy_vars.first() {
        match explicit {
            None | Some(AuthMode::None) => {
                return (AuthMode::OidcProxy, ModeSource::AutoDetected(var));
            }
            Some(AuthMode::OidcProxy) => return (AuthMode::OidcProxy, ModeSource::Explicit),
            Some(other) => warnings.push(format!(
                "{} set, but ZSCALER_MCP_AUTH_MODE={other} selects the {other} mode; they are ignored",
                env.oidcproxy_vars.join(", ")
            )),
        }
    }
    if env.auth_disabled() {
        return (AuthMode::None, ModeSource::DisabledByEnv);
    }
    if let Some(mode) = explicit {
        let source = if mode == AuthMode::None {
            ModeSource::ModeNone
        } else {
            ModeSource::Explicit
        };
        return (mode, source);
    }
    if env.jwks_uri.is_some() {
        (
            AuthMode::Jwt,
            ModeSource::AutoDetected("ZSCALER_MCP_AUTH_JWKS_URI"),
        )
    } else if env.api_key.is_some() {
        (
            AuthMode::ApiKey,
            ModeSource::AutoDetected("ZSCALER_MCP_AUTH_API_KEY"),
        )
    } else if env.vanity_domain.is_some() {
        (
            AuthMode::Zscaler,
            ModeSource::AutoDetected("ZSCALER_VANITY_DOMAIN"),
        )
    } else if demo_on_loopback {
        (AuthMode::None, ModeSource::DemoLoopback)
    } else {
        (AuthMode::Jwt, ModeSource::Default)
    }
}
