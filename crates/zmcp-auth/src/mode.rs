//! Which client-authentication mode applies, decided once at start-up from the environment.
//!
//! The order follows the Python server (disabled flag, `mode=none`, explicit mode, then
//! auto-detection), with two additions that only ever make the server stricter: the
//! `OIDCPROXY_AUTH_*` variables of the Entra ID guide select the OIDC proxy even when that
//! guide's `ZSCALER_MCP_AUTH_ENABLED=false` is present, and a mode this build cannot enforce
//! is an error rather than an open door.

use secrecy::SecretString;

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

/// The `OIDCPROXY_AUTH_*` variables of the Entra ID guide; any of them selects the OIDC proxy.
const OIDCPROXY_VARS: [&str; 6] = [
    "OIDCPROXY_AUTH_ISSUER",
    "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
    "OIDCPROXY_AUTH_TOKEN_ENDPOINT",
    "OIDCPROXY_AUTH_JWKS_URI",
    "OIDCPROXY_AUTH_AUDIENCE",
    "OIDCPROXY_AUTH_SCOPES",
];

/// The environment values that decide the mode, read once (blank values count as unset).
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
        }
    }

    /// Reads the process environment.
    pub fn from_process_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn auth_disabled(&self) -> bool {
        self.enabled
            .as_deref()
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no"))
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

/// A mode the server can enforce.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// Accept every request (as [`crate::Principal::anonymous`]).
    None,
    /// Accept requests carrying this key.
    ApiKey(SecretString),
}

/// The outcome of [`ClientAuth::resolve_from_env`].
#[derive(Debug, Clone)]
pub struct AuthResolution {
    /// What to enforce.
    pub auth: ClientAuth,
    /// Why.
    pub source: ModeSource,
    /// Settings that were present but have no effect, worded for a WARN line.
    pub warnings: Vec<String>,
}

/// Why no enforceable mode could be resolved; the server must not start.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthConfigError {
    /// `ZSCALER_MCP_AUTH_MODE` names no mode.
    #[error("Unknown auth mode: '{0}'. Supported: none, jwt, zscaler, api-key, oidc, oidcproxy")]
    UnknownMode(String),
    /// `api-key` without a key.
    #[error("ZSCALER_MCP_AUTH_API_KEY must be set and non-empty when using api-key auth mode.")]
    MissingApiKey,
    /// A mode this build cannot enforce yet.
    #[error(
        "the '{mode}' client-authentication mode ({selected_by}) is not implemented in this build yet; \
         the server refuses to start rather than accept unauthenticated requests. \
         Use api-key mode (set ZSCALER_MCP_AUTH_MODE=api-key and ZSCALER_MCP_AUTH_API_KEY=<secret>), \
         or set ZSCALER_MCP_AUTH_ENABLED=false{} to disable client authentication (not recommended)",
        disable_hint(.mode)
    )]
    NotImplemented {
        /// The mode.
        mode: AuthMode,
        /// Why it was selected.
        selected_by: ModeSource,
    },
}

/// What else must go for `ZSCALER_MCP_AUTH_ENABLED=false` to take effect.
fn disable_hint(mode: &AuthMode) -> &'static str {
    if *mode == AuthMode::OidcProxy {
        " and unset the OIDCPROXY_AUTH_* variables"
    } else {
        ""
    }
}

impl AuthConfigError {
    /// The mode the configuration asked for, when one was recognised.
    pub fn mode(&self) -> Option<AuthMode> {
        match self {
            AuthConfigError::UnknownMode(_) => None,
            AuthConfigError::MissingApiKey => Some(AuthMode::ApiKey),
            AuthConfigError::NotImplemented { mode, .. } => Some(*mode),
        }
    }
}

impl ClientAuth {
    /// The mode this enforces.
    pub fn mode(&self) -> AuthMode {
        match self {
            ClientAuth::None => AuthMode::None,
            ClientAuth::ApiKey(_) => AuthMode::ApiKey,
        }
    }

    /// Resolves the mode as the Python server does (section 3.6 of the inventory), failing
    /// closed. `demo_on_loopback` turns "nothing configured" into `none` (the demo serves a
    /// simulated tenant to the local machine only) instead of the `jwt` default.
    ///
    /// # Errors
    /// An unknown mode, `api-key` without a key, or a mode this build does not implement.
    pub fn resolve_from_env(
        env: &AuthEnv,
        demo_on_loopback: bool,
    ) -> Result<AuthResolution, AuthConfigError> {
        let explicit = match env.mode.as_deref() {
            Some(raw) => {
                Some(AuthMode::parse(raw).ok_or_else(|| AuthConfigError::UnknownMode(raw.into()))?)
            }
            None => None,
        };
        let mut warnings = Vec::new();
        let (mode, source) = select_mode(env, explicit, demo_on_loopback, &mut warnings);
        let auth = match mode {
            AuthMode::None => ClientAuth::None,
            AuthMode::ApiKey => {
                let key = env.api_key.clone().ok_or(AuthConfigError::MissingApiKey)?;
                if env.trust_platform {
                    warnings.push(
                        "ZSCALER_MCP_TRUST_PLATFORM_AUTH is set, but trusting platform-enforced \
                         authentication is not implemented in this build yet: requests without \
                         an API key are rejected"
                            .to_owned(),
                    );
                }
                ClientAuth::ApiKey(key)
            }
            AuthMode::Jwt | AuthMode::Zscaler | AuthMode::Oidc | AuthMode::OidcProxy => {
                return Err(AuthConfigError::NotImplemented {
                    mode,
                    selected_by: source,
                });
            }
        };
        Ok(AuthResolution {
            auth,
            source,
            warnings,
        })
    }
}

fn select_mode(
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> AuthEnv {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        AuthEnv::from_lookup(|name| map.get(name).cloned())
    }

    fn resolve(pairs: &[(&str, &str)], demo: bool) -> Result<AuthResolution, AuthConfigError> {
        ClientAuth::resolve_from_env(&env(pairs), demo)
    }

    #[test]
    fn nothing_configured_defaults_to_jwt_and_fails_closed() {
        let err = resolve(&[], false).unwrap_err();
        assert!(matches!(
            err,
            AuthConfigError::NotImplemented {
                mode: AuthMode::Jwt,
                selected_by: ModeSource::Default
            }
        ));
        let text = err.to_string();
        assert!(text.contains("not implemented in this build"), "{text}");
        assert!(text.contains("ZSCALER_MCP_AUTH_ENABLED=false"), "{text}");
    }

    #[test]
    fn nothing_configured_in_demo_on_loopback_is_none() {
        let r = resolve(&[], true).unwrap();
        assert!(matches!(r.auth, ClientAuth::None));
        assert_eq!(r.source, ModeSource::DemoLoopback);
    }

    #[test]
    fn demo_does_not_override_configured_auth() {
        let r = resolve(&[("ZSCALER_MCP_AUTH_API_KEY", "k")], true).unwrap();
        assert_eq!(r.auth.mode(), AuthMode::ApiKey);
    }

    #[test]
    fn disabled_flag_accepts_false_0_no_only() {
        for v in ["false", "0", "no", "FALSE", " No "] {
            let r = resolve(&[("ZSCALER_MCP_AUTH_ENABLED", v)], false).unwrap();
            assert_eq!(r.source, ModeSource::DisabledByEnv, "{v}");
        }
        for v in ["off", "n", "true"] {
            assert!(
                resolve(&[("ZSCALER_MCP_AUTH_ENABLED", v)], false).is_err(),
                "{v}"
            );
        }
    }

    #[test]
    fn disabled_flag_wins_over_explicit_mode() {
        let r = resolve(
            &[
                ("ZSCALER_MCP_AUTH_ENABLED", "false"),
                ("ZSCALER_MCP_AUTH_MODE", "jwt"),
            ],
            false,
        )
        .unwrap();
        assert!(matches!(r.auth, ClientAuth::None));
    }

    #[test]
    fn mode_none_disables() {
        let r = resolve(&[("ZSCALER_MCP_AUTH_MODE", "None")], false).unwrap();
        assert_eq!(r.source, ModeSource::ModeNone);
        assert!(matches!(r.auth, ClientAuth::None));
    }

    #[test]
    fn api_key_is_auto_detected_and_explicit() {
        let r = resolve(&[("ZSCALER_MCP_AUTH_API_KEY", " sk-1 ")], false).unwrap();
        assert_eq!(
            r.source,
            ModeSource::AutoDetected("ZSCALER_MCP_AUTH_API_KEY")
        );
        match r.auth {
            ClientAuth::ApiKey(k) => assert_eq!(k.expose_secret(), "sk-1"),
            ClientAuth::None => panic!("expected api-key"),
        }
        let r = resolve(
            &[
                ("ZSCALER_MCP_AUTH_MODE", "api-key"),
                ("ZSCALER_MCP_AUTH_API_KEY", "sk-1"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(r.source, ModeSource::Explicit);
    }

    #[test]
    fn explicit_api_key_without_key_is_an_error() {
        let err = resolve(
            &[
                ("ZSCALER_MCP_AUTH_MODE", "api-key"),
                ("ZSCALER_MCP_AUTH_API_KEY", "  "),
            ],
            false,
        )
        .unwrap_err();
        assert!(matches!(err, AuthConfigError::MissingApiKey));
    }

    #[test]
    fn auto_detection_order_is_jwks_then_api_key_then_vanity() {
        let err = resolve(
            &[
                ("ZSCALER_MCP_AUTH_JWKS_URI", "https://idp/jwks"),
                ("ZSCALER_MCP_AUTH_API_KEY", "k"),
            ],
            false,
        )
        .unwrap_err();
        assert_eq!(err.mode(), Some(AuthMode::Jwt));
        let err = resolve(&[("ZSCALER_VANITY_DOMAIN", "acme")], false).unwrap_err();
        assert!(matches!(
            err,
            AuthConfigError::NotImplemented {
                mode: AuthMode::Zscaler,
                selected_by: ModeSource::AutoDetected("ZSCALER_VANITY_DOMAIN")
            }
        ));
    }

    #[test]
    fn unknown_mode_is_an_error() {
        let err = resolve(&[("ZSCALER_MCP_AUTH_MODE", "magic")], false).unwrap_err();
        assert!(err.to_string().contains("Unknown auth mode: 'magic'"));
    }

    #[test]
    fn oidc_modes_are_refused() {
        for m in ["oidc", "oidcproxy", "oauth-proxy", "zscaler", "jwt"] {
            let err = resolve(&[("ZSCALER_MCP_AUTH_MODE", m)], false).unwrap_err();
            assert!(matches!(err, AuthConfigError::NotImplemented { .. }), "{m}");
        }
    }

    #[test]
    fn entra_guide_variables_are_never_served_open() {
        // The guide pairs OIDCPROXY_AUTH_* with ZSCALER_MCP_AUTH_ENABLED=false.
        let err = resolve(
            &[
                (
                    "OIDCPROXY_AUTH_ISSUER",
                    "https://login.microsoftonline.com/t/v2.0",
                ),
                ("ZSCALER_MCP_AUTH_ENABLED", "false"),
            ],
            true,
        )
        .unwrap_err();
        assert_eq!(err.mode(), Some(AuthMode::OidcProxy));
        assert!(err.to_string().contains("OIDCPROXY_AUTH_"));
    }

    #[test]
    fn explicit_mode_beats_entra_variables_with_a_warning() {
        let r = resolve(
            &[
                ("OIDCPROXY_AUTH_AUDIENCE", "x"),
                ("ZSCALER_MCP_AUTH_MODE", "api-key"),
                ("ZSCALER_MCP_AUTH_API_KEY", "k"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(r.auth.mode(), AuthMode::ApiKey);
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("OIDCPROXY_AUTH_AUDIENCE"))
        );
    }

    #[test]
    fn trust_platform_is_not_honoured_and_says_so() {
        let r = resolve(
            &[
                ("ZSCALER_MCP_AUTH_API_KEY", "k"),
                ("ZSCALER_MCP_TRUST_PLATFORM_AUTH", "yes"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(r.warnings.len(), 1);
    }
}
