//! The enforced mode: built once at start-up (fetching what it needs), then asked about
//! every request.

use std::sync::Arc;

use axum::Router;
use http::HeaderMap;
use secrecy::SecretString;

use crate::{
    AuthConfigError, AuthEnv, AuthMode, ModeSource, Principal, SKIP_PATHS, api_key,
    jwt_mode::JwtAuth, mode::select_mode, oidc_mode::OidcAuth, rejection::Rejection,
    validator::algorithm_names, zscaler_mode::ZscalerAuth,
};

/// A mode the server can enforce.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// Accept every request (as [`crate::Principal::anonymous`]).
    None,
    /// Accept requests carrying this key.
    ApiKey(SecretString),
    /// Accept bearer JWTs signed by the configured IdP.
    Jwt(Arc<JwtAuth>),
    /// Accept OneAPI client credentials the tenant's token endpoint accepts.
    Zscaler(Arc<ZscalerAuth>),
    /// RFC 9728 protected resource: accept the IdP's bearer tokens for this resource.
    Oidc(Arc<OidcAuth>),
    /// The Entra ID guide's OIDC proxy: this server's own tokens (and app tokens).
    OidcProxy(crate::proxy::OidcProxy),
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

const MISSING_API_KEY: &str =
    "Missing API key. Send it as 'Authorization: Bearer <api-key>' or 'X-Api-Key: <api-key>'";
const EXPECTED_BEARER: &str = "Expected: Authorization: Bearer <api-key>";
const INVALID_API_KEY: &str = "Invalid API key";

impl ClientAuth {
    /// The mode this enforces.
    pub fn mode(&self) -> AuthMode {
        match self {
            ClientAuth::None => AuthMode::None,
            ClientAuth::ApiKey(_) => AuthMode::ApiKey,
            ClientAuth::Jwt(_) => AuthMode::Jwt,
            ClientAuth::Zscaler(_) => AuthMode::Zscaler,
            ClientAuth::Oidc(_) => AuthMode::Oidc,
            ClientAuth::OidcProxy(_) => AuthMode::OidcProxy,
        }
    }

    /// Resolves the mode as the Python server does (section 3.6 of the inventory), failing
    /// closed, and prepares it: the `jwt` mode fetches its JWKS and the `oidc` mode its
    /// discovery document and JWKS now, so a wrong URL stops start-up instead of failing
    /// every request. `demo_on_loopback` turns "nothing configured" into `none` (the demo
    /// serves a simulated tenant to the local machine only) instead of the `jwt` default.
    ///
    /// # Errors
    /// An unknown mode, a missing or invalid setting, an IdP that cannot be reached at
    /// start-up, or a mode this build does not implement.
    pub async fn resolve_from_env(
        env: &AuthEnv,
        demo_on_loopback: bool,
    ) -> Result<AuthResolution, AuthConfigError> {
        Self::resolve_with_store(env, demo_on_loopback, None).await
    }

    /// [`ClientAuth::resolve_from_env`] with the state store the `oidcproxy` mode keeps its
    /// registrations, sign-ins and signing key in (memory when `None`: lost at restart).
    ///
    /// # Errors
    /// As [`ClientAuth::resolve_from_env`].
    pub async fn resolve_with_store(
        env: &AuthEnv,
        demo_on_loopback: bool,
        store: Option<zmcp_store::Store>,
    ) -> Result<AuthResolution, AuthConfigError> {
        let explicit = match env.mode.as_deref() {
            Some(raw) => {
                Some(AuthMode::parse(raw).ok_or_else(|| AuthConfigError::UnknownMode(raw.into()))?)
            }
            None => None,
        };
        let mut warnings = Vec::new();
        let (mode, source) = select_mode(env, explicit, demo_on_loopback, &mut warnings);
        if env.trust_platform && matches!(mode, AuthMode::ApiKey | AuthMode::Zscaler) {
            warnings.push(format!(
                "ZSCALER_MCP_TRUST_PLATFORM_AUTH is set, but trusting platform-enforced \
                 authentication is not implemented in this build yet: requests without \
                 {} are rejected",
                if mode == AuthMode::ApiKey {
                    "an API key"
                } else {
                    "client credentials"
                }
            ));
        }
        let auth = match mode {
            AuthMode::None => ClientAuth::None,
            AuthMode::ApiKey => {
                let key = env.api_key.clone().ok_or(AuthConfigError::MissingApiKey)?;
                tracing::info!(
                    "API key auth provider initialized (key fingerprint: {})",
                    api_key::key_fingerprint(&key)
                );
                ClientAuth::ApiKey(key)
            }
            AuthMode::Jwt => ClientAuth::Jwt(Arc::new(JwtAuth::start(env).await?)),
            AuthMode::Zscaler => ClientAuth::Zscaler(Arc::new(ZscalerAuth::start(env)?)),
            AuthMode::Oidc => ClientAuth::Oidc(Arc::new(OidcAuth::start(env).await?)),
            AuthMode::OidcProxy => ClientAuth::OidcProxy(
                crate::proxy::OidcProxy::from_env(&env.oidcproxy, store)
                    .await
                    .map_err(|e| AuthConfigError::Startup {
                        mode,
                        reason: e.to_string(),
                    })?,
            ),
        };
        Ok(AuthResolution {
            auth,
            source,
            warnings,
        })
    }

    /// Routes this mode serves without authentication, for the binary to merge next to
    /// the MCP routes (the `oidc` mode's protected-resource metadata); empty otherwise.
    pub fn routes(&self) -> Router {
        match self {
            ClientAuth::Oidc(oidc) => oidc.routes(),
            ClientAuth::OidcProxy(proxy) => proxy.routes(),
            _ => Router::new(),
        }
    }

    /// Whether `path` is served without authentication: health probes, OAuth discovery
    /// (as in the Python server) and this mode's own [`ClientAuth::routes`].
    pub fn is_public_path(&self, path: &str) -> bool {
        SKIP_PATHS.contains(&path)
            || match self {
                ClientAuth::Oidc(oidc) => oidc.metadata_paths().iter().any(|p| p == path),
                ClientAuth::OidcProxy(proxy) => proxy.public_paths().contains(&path),
                _ => false,
            }
    }

    /// Admits or refuses one request by its headers.
    ///
    /// # Errors
    /// The refusal to send back.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Rejection> {
        match self {
            ClientAuth::None => Ok(Principal::anonymous()),
            ClientAuth::ApiKey(configured) => {
                let presented =
                    presented_api_key(headers).map_err(|m| Rejection::unauthorized("Bearer", m))?;
                let fingerprint = api_key::verify(configured, presented)
                    .ok_or_else(|| Rejection::unauthorized("Bearer", INVALID_API_KEY))?;
                Ok(Principal::named(
                    format!("api-key:{fingerprint}"),
                    AuthMode::ApiKey,
                ))
            }
            ClientAuth::Jwt(jwt) => jwt.authenticate(headers).await,
            ClientAuth::Zscaler(zscaler) => zscaler.authenticate(headers).await,
            ClientAuth::Oidc(oidc) => oidc.authenticate(headers).await,
            ClientAuth::OidcProxy(proxy) => proxy.authenticate(headers).await,
        }
    }

    /// The mode's parameters for the one-line `[SECURITY]` posture, e.g.
    /// `[("issuer", ...), ("audience", ...)]` (`auth=jwt (issuer=..., audience=...)`).
    pub fn summary(&self) -> Vec<(&'static str, String)> {
        match self {
            ClientAuth::None => Vec::new(),
            ClientAuth::ApiKey(key) => vec![("key_fingerprint", api_key::key_fingerprint(key))],
            ClientAuth::Jwt(jwt) => {
                let config = jwt.validator().config();
                vec![
                    ("issuer", config.issuers.join(",")),
                    ("audience", config.audiences.join(",")),
                ]
            }
            ClientAuth::Zscaler(z) => vec![(
                "vanity_domain",
                z.vanity_domain()
                    .map_or_else(|| z.token_url().to_string(), str::to_owned),
            )],
            ClientAuth::Oidc(oidc) => vec![
                ("issuer", oidc.issuer().to_owned()),
                ("resource", oidc.resource().to_owned()),
            ],
            ClientAuth::OidcProxy(proxy) => vec![("issuer", proxy.issuer().to_owned())],
        }
    }

    /// The detail rows of the Python server's `MCP CLIENT AUTHENTICATION ENABLED` banner
    /// (label, value); empty for `none`.
    pub fn banner_rows(&self) -> Vec<(&'static str, String)> {
        match self {
            ClientAuth::None => Vec::new(),
            ClientAuth::ApiKey(_) => vec![
                ("Key configured", "yes".to_owned()),
                (
                    "Accepted credentials",
                    "Authorization: Bearer, X-Api-Key".to_owned(),
                ),
            ],
            ClientAuth::Jwt(jwt) => {
                let config = jwt.validator().config();
                vec![
                    ("JWKS URI", jwt.jwks_uri().to_owned()),
                    ("Issuer", config.issuers.join(", ")),
                    ("Audience", config.audiences.join(", ")),
                    ("Algorithms", algorithm_names(&config.algorithms)),
                ]
            }
            ClientAuth::Zscaler(z) => vec![
                (
                    "Vanity Domain",
                    z.vanity_domain().unwrap_or("(not set)").to_owned(),
                ),
                ("Cloud", z.cloud().to_owned()),
                ("Token URL", z.token_url().to_string()),
                (
                    "Accepted credentials",
                    "Authorization: Basic, X-Zscaler-Client-ID/-Secret".to_owned(),
                ),
            ],
            ClientAuth::Oidc(oidc) => {
                let config = oidc.validator().config();
                vec![
                    ("Authorization server", oidc.issuer().to_owned()),
                    ("Resource (this server)", oidc.resource().to_owned()),
                    ("Audience", config.audiences.join(", ")),
                    (
                        "Required scopes",
                        if config.required_scopes.is_empty() {
                            "(none — any valid token)".to_owned()
                        } else {
                            config.required_scopes.join(" ")
                        },
                    ),
                    ("Metadata URL", oidc.metadata_url().to_owned()),
                    (
                        "Enforced by",
                        "zmcp-auth bearer middleware (RFC 9728 protected resource)".to_owned(),
                    ),
                ]
            }
            ClientAuth::OidcProxy(proxy) => {
                let mut lines = vec![
                    ("Identity provider", proxy.issuer().to_owned()),
                    (
                        "Authorization server (this server)",
                        proxy.base_url().to_owned(),
                    ),
                    ("Metadata URL", proxy.resource_metadata_url()),
                ];
                if let Some(callback) = proxy.upstream_callback() {
                    lines.push((
                        "Flow",
                        "proxy (consent page, this server's own codes)".to_owned(),
                    ));
                    lines.push(("Redirect URI to register at the IdP (Web)", callback));
                }
                lines
            }
        }
    }
}

/// `Authorization: Bearer <key>` first, then `X-Api-Key: <key>`.
fn presented_api_key(headers: &HeaderMap) -> Result<&str, &'static str> {
    let x_api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    let Some(authorization) = headers.get(http::header::AUTHORIZATION) else {
        return x_api_key.ok_or(MISSING_API_KEY);
    };
    let bearer = authorization
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    bearer.or(x_api_key).ok_or(EXPECTED_BEARER)
}
