//! The `oidcproxy` mode of the Entra ID guide: this server is the OAuth authorization
//! server MCP clients see, and passes their sign-in through to an OIDC provider.
//!
//! `mcp-remote` registers here (Entra ID has no dynamic registration), is sent to the
//! provider with its own redirect URI and PKCE challenge, and redeems the provider's code at
//! our `/token`. There the provider's ID token is validated and the client receives a token
//! signed by this server for `<base>/mcp`; the provider's tokens stay here. `/mcp` accepts
//! those tokens, and also provider access tokens issued for the app itself (API scope).
//!
//! Registrations, pending sign-ins and refresh tokens are held in memory for now: a restart
//! makes clients register and sign in again.

mod authorize;
mod config;
mod metadata;
mod own_token;
mod redirect_uri;
mod register;
mod store;
mod token;
mod upstream;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    response::{IntoResponse, Response},
    routing::{get, post},
};
pub use config::{ProxyConfigError, ProxyEnv};
use http::{HeaderMap, StatusCode, header};

use self::{
    authorize::PendingAuthorization, config::ProxyConfig, own_token::OwnTokens,
    register::RegisteredClient, store::ExpiringMap, token::RefreshGrant, upstream::Upstream,
};
use crate::{
    AuthMode, Principal,
    jwks::JwksCache,
    outbound,
    rejection::Rejection,
    validator::{DEFAULT_ALGORITHMS, TokenValidator, ValidatorConfig, bearer_token},
};

/// Most registered clients kept; beyond it the oldest registration is forgotten.
const MAX_CLIENTS: usize = 10_000;
/// Most sign-ins in flight.
const MAX_PENDING: usize = 10_000;
/// Most refresh tokens kept.
const MAX_REFRESH: usize = 50_000;
/// Every path [`OidcProxy::routes`] serves: the authentication layer must let them through,
/// since a client reaches them before it has a token.
const PUBLIC_PATHS: [&str; 7] = [
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    "/.well-known/oauth-protected-resource",
    metadata::RESOURCE_METADATA_PATH,
    "/register",
    "/authorize",
    "/token",
];
/// Largest `/register` or `/token` body read.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The running proxy; cheap to clone (shared state).
#[derive(Clone)]
pub struct OidcProxy {
    state: Arc<ProxyState>,
}

/// Everything the routes share.
pub(crate) struct ProxyState {
    config: ProxyConfig,
    own: OwnTokens,
    /// The provider's ID tokens: `aud` = the provider client id.
    id_tokens: TokenValidator,
    /// Provider access tokens presented on `/mcp`: `aud` = the configured audience.
    access_tokens: TokenValidator,
    upstream: Upstream,
    clients: ExpiringMap<RegisteredClient>,
    pending: ExpiringMap<PendingAuthorization>,
    refresh: ExpiringMap<RefreshGrant>,
}

impl std::fmt::Debug for OidcProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.state.config;
        f.debug_struct("OidcProxy")
            .field("issuer", &c.issuer)
            .field("client_id", &c.client_id)
            .field("base_url", &c.base_url)
            .finish_non_exhaustive()
    }
}

impl OidcProxy {
    /// Validates the settings, reads the discovery document when one is configured, and
    /// fetches the provider's signing keys: a proxy that could not validate a sign-in must
    /// not start.
    ///
    /// # Errors
    /// Missing or invalid settings, an unreachable discovery document or JWKS, or a
    /// discovery document naming another issuer.
    pub async fn from_env(env: &ProxyEnv) -> Result<Self, ProxyConfigError> {
        let discovered = match env.discovery_url.as_deref() {
            Some(raw) => {
                let url =
                    outbound::parse_url("OIDCPROXY_AUTH_DISCOVERY_URL", raw).map_err(|reason| {
                        ProxyConfigError::Invalid {
                            var: "OIDCPROXY_AUTH_DISCOVERY_URL",
                            reason,
                        }
                    })?;
                let doc = upstream::fetch_discovery(&url).await.map_err(|reason| {
                    ProxyConfigError::Discovery {
                        url: raw.to_owned(),
                        reason,
                    }
                })?;
                Some(doc)
            }
            None => None,
        };
        let config = ProxyConfig::build(env, discovered.as_ref())?;
        if config.audience != config.client_id {
            tracing::warn!(
                "oidcproxy: OIDCPROXY_AUTH_AUDIENCE ({}) differs from the client id ({}); \
                 for Entra ID the audience must be the application's client id",
                config.audience,
                config.client_id
            );
        }
        let keys: Arc<JwksCache> = Arc::new(
            JwksCache::load(config.jwks_uri.clone())
                .await
                .map_err(ProxyConfigError::Jwks)?,
        );
        let validator = |audience: &str| {
            TokenValidator::new(
                ValidatorConfig {
                    issuers: vec![config.issuer.clone()],
                    audiences: vec![audience.to_owned()],
                    algorithms: DEFAULT_ALGORITHMS.to_vec(),
                    required_scopes: Vec::new(),
                },
                keys.clone(),
            )
        };
        let id_tokens = validator(&config.client_id);
        let access_tokens = validator(&config.audience);
        let own = OwnTokens::generate(&config.base_url, &config.resource)
            .map_err(ProxyConfigError::Internal)?;
        let upstream = Upstream::new(
            config.token_endpoint.clone(),
            config.client_id.clone(),
            config.client_secret.clone(),
        )
        .map_err(ProxyConfigError::Internal)?;
        tracing::info!(
            "OIDCProxy auth initialized (issuer={}, client_id={}, base_url={}, scopes={}, \
             client secret {})",
            config.issuer,
            config.client_id,
            config.base_url,
            config.scope_param(),
            if config.client_secret.is_some() {
                "set"
            } else {
                "not set (public client)"
            }
        );
        Ok(Self {
            state: Arc::new(ProxyState {
                config,
                own,
                id_tokens,
                access_tokens,
                upstream,
                clients: ExpiringMap::new(MAX_CLIENTS),
                pending: ExpiringMap::new(MAX_PENDING),
                refresh: ExpiringMap::new(MAX_REFRESH),
            }),
        })
    }

    /// The public OAuth routes, to merge beside `/mcp` and OUTSIDE the authentication
    /// layer: discovery documents, `/register`, `/authorize`, `/token`.
    pub fn routes(&self) -> Router {
        let body_limit = DefaultBodyLimit::max(MAX_BODY_BYTES);
        Router::new()
            .route(
                "/.well-known/oauth-authorization-server",
                get(metadata::authorization_server_handler),
            )
            .route(
                "/.well-known/openid-configuration",
                get(metadata::authorization_server_handler),
            )
            .route(
                "/.well-known/oauth-protected-resource",
                get(metadata::protected_resource_handler),
            )
            .route(
                metadata::RESOURCE_METADATA_PATH,
                get(metadata::protected_resource_handler),
            )
            .route("/register", post(register::register).layer(body_limit))
            .route("/authorize", get(authorize::authorize))
            .route("/token", post(token::token).layer(body_limit))
            .with_state(self.state.clone())
    }

    /// The paths [`OidcProxy::routes`] serves, all public.
    pub fn public_paths(&self) -> &'static [&'static str] {
        &PUBLIC_PATHS
    }

    /// Admits a request to `/mcp` carrying one of our access tokens, or a provider access
    /// token issued for this app. Refusals carry the RFC 9728 `resource_metadata` pointer
    /// that starts a client's sign-in.
    ///
    /// # Errors
    /// Why the request is refused (401, with the Entra hint when one applies).
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Rejection> {
        let metadata_url = self.resource_metadata_url();
        let reject = |err| Rejection::bearer(&err, Some(&metadata_url), &[]);
        let token = bearer_token(headers).map_err(reject)?;
        let validator = if self.state.own.is_ours(token) {
            self.state.own.validator()
        } else {
            &self.state.access_tokens
        };
        validator
            .authenticate(headers, AuthMode::OidcProxy)
            .await
            .map_err(reject)
    }

    /// What the `[SECURITY]` line says after `auth=`: `OIDCProxy (issuer=<issuer>)`.
    pub fn banner(&self) -> String {
        format!("OIDCProxy (issuer={})", self.state.config.issuer)
    }

    /// The provider's issuer (`OIDCPROXY_AUTH_ISSUER`).
    pub fn issuer(&self) -> &str {
        &self.state.config.issuer
    }

    /// This server's public URL: the issuer MCP clients see.
    pub fn base_url(&self) -> &str {
        &self.state.config.base_url
    }

    /// `<base>/.well-known/oauth-protected-resource/mcp`.
    pub fn resource_metadata_url(&self) -> String {
        format!(
            "{}{}",
            self.state.config.base_url,
            metadata::RESOURCE_METADATA_PATH
        )
    }
}

/// An OAuth error answer (RFC 6749 §5.2 shape), never cached.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(serde_json::json!({ "error": error, "error_description": description })),
    )
        .into_response()
}
