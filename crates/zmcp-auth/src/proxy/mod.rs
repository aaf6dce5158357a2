//! The `oidcproxy` mode of the Entra ID guide: this server is the OAuth authorization
//! server MCP clients see, in front of an OIDC provider that has no dynamic registration.
//!
//! Two flows ([`Flow`], `OIDCPROXY_FLOW`):
//! - **pass-through** (the guide): `mcp-remote` registers here and is sent to the provider
//!   with its own redirect URI and PKCE challenge; it redeems the provider's code at our
//!   `/token`, where the provider's ID token is validated. Each client redirect URI must be
//!   registered at the provider.
//! - **proxy** (the facade): the client is sent to our consent page, then to the provider
//!   as this server's one confidential client with one callback (`<base>/auth/callback`);
//!   the provider's code is redeemed here and the client gets a code of ours. Any client
//!   works, with any loopback port, and nothing is registered per client at the provider.
//!
//! Either way the client receives tokens signed by this server for `<base>/mcp`; the
//! provider's tokens stay here, sealed in the state store. Registrations, sign-ins in
//! flight, codes, sessions and the signing key live in `zmcp-store` (SQLite by default,
//! Redis for replicas), so a restart signs nobody out. `/mcp` accepts our tokens while
//! their session lives, and also provider access tokens issued for the app itself.

mod authorize;
mod callback;
mod cimd;
mod clients;
mod config;
mod consent;
mod cookies;
mod credential;
mod html;
mod limit;
mod metadata;
mod own_token;
mod redirect_uri;
mod register;
mod revoke;
mod sealed;
mod sessions;
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
pub use config::{Flow, ProxyConfigError, ProxyEnv};
use http::{HeaderMap, StatusCode, header};
use secrecy::ExposeSecret;
use serde_json::Value;
use zmcp_store::Store;

use self::{
    clients::Clients,
    config::{Lifetimes, ProxyConfig},
    cookies::Cookies,
    limit::Limits,
    own_token::OwnTokens,
    sealed::{Sealed, StateError, StateKeys},
    sessions::Sessions,
    upstream::Upstream,
};
use crate::{
    AuthMode, Principal,
    jwks::JwksCache,
    outbound,
    rejection::Rejection,
    validation_error::ValidationError,
    validator::{DEFAULT_ALGORITHMS, TokenValidator, ValidatorConfig, bearer_token, principal},
};

/// Every path [`OidcProxy::routes`] serves in the facade: the authentication layer must let
/// them through, since a client reaches them before it has a token. The pass-through serves
/// all but the last two.
const PUBLIC_PATHS: [&str; 11] = [
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    "/.well-known/oauth-protected-resource",
    metadata::RESOURCE_METADATA_PATH,
    "/register",
    "/authorize",
    "/token",
    "/revoke",
    metadata::JWKS_PATH,
    consent::CONSENT_PATH,
    callback::CALLBACK_PATH,
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
    /// Everything kept between requests, sealed.
    state: Sealed,
    clients: Clients,
    sessions: Sessions,
    cookies: Cookies,
    lifetimes: Lifetimes,
    limits: Limits,
}

/// What tests tune: record lifetimes, the metadata-document fetcher, rate limits.
#[derive(Debug)]
pub(crate) struct Tuning {
    pub(crate) lifetimes: Lifetimes,
    pub(crate) documents: cimd::Fetcher,
    pub(crate) limits: Limits,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            lifetimes: Lifetimes::default(),
            documents: cimd::Fetcher::new(),
            limits: Limits::default(),
        }
    }
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
    /// not start. State goes to `store` (the binary's `--store`, SQLite by default), or to
    /// memory when there is none.
    ///
    /// # Errors
    /// Missing or invalid settings, an unreachable discovery document or JWKS, a discovery
    /// document naming another issuer, or a state store that cannot be read.
    pub async fn from_env(env: &ProxyEnv, store: Option<Store>) -> Result<Self, ProxyConfigError> {
        Self::start(env, store, Tuning::default()).await
    }

    /// [`OidcProxy::from_env`] with `tuning` (tests shorten lifetimes, let the document
    /// fetcher reach loopback, tighten limits).
    pub(crate) async fn start(
        env: &ProxyEnv,
        store: Option<Store>,
        tuning: Tuning,
    ) -> Result<Self, ProxyConfigError> {
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
        if config.base_url.starts_with("http://")
            && !url::Url::parse(&config.base_url).is_ok_and(|u| outbound::is_loopback(&u))
        {
            tracing::warn!(
                "oidcproxy: OIDCPROXY_BASE_URL {} is plain http on a non-loopback host: codes \
                 and tokens cross the network in clear and sign-in cookies cannot be Secure; \
                 serve https (or terminate TLS in front and give the https URL)",
                config.base_url
            );
        }
        if !config.scopes.iter().any(|s| s == "offline_access") {
            tracing::warn!(
                "oidcproxy: OIDCPROXY_AUTH_SCOPES has no offline_access, so the identity \
                 provider gives no refresh token and clients get none either: users sign in \
                 again whenever an access token expires ({} s)",
                config.access_token_ttl.as_secs()
            );
        }
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
        let state = open_state(env, &config, store)?;
        let own = OwnTokens::load_or_create(
            &state,
            &config.base_url,
            &config.resource,
            config.access_token_ttl,
        )
        .await
        .map_err(ProxyConfigError::Internal)?;
        let upstream = Upstream::new(
            config.token_endpoint.clone(),
            config.client_id.clone(),
            config.credential.clone(),
        )
        .map_err(ProxyConfigError::Internal)?;
        tracing::info!(
            "OIDCProxy auth initialized (issuer={}, client_id={}, base_url={}, scopes={}, \
             credential={}, flow={})",
            config.issuer,
            config.client_id,
            config.base_url,
            config.scope_param(),
            config
                .credential
                .as_ref()
                .map_or_else(|| "none (public client)".to_owned(), |c| c.describe()),
            match config.flow {
                Flow::PassThrough => "passthrough",
                Flow::Proxy => "proxy (upstream callback <base>/auth/callback)",
            }
        );
        let documents = (config.flow == Flow::Proxy).then_some(tuning.documents);
        let cookies = Cookies::new(config.base_url.starts_with("https://"));
        Ok(Self {
            state: Arc::new(ProxyState {
                clients: Clients::new(state.clone(), documents),
                sessions: Sessions::new(state.clone()),
                state,
                cookies,
                lifetimes: tuning.lifetimes,
                limits: tuning.limits,
                config,
                own,
                id_tokens,
                access_tokens,
                upstream,
            }),
        })
    }

    /// [`OidcProxy::from_env`] without rate limits, for fuzz targets that send thousands of
    /// requests a second through the routes.
    ///
    /// # Errors
    /// As [`OidcProxy::from_env`].
    #[cfg(feature = "test-support")]
    pub async fn without_rate_limits(
        env: &ProxyEnv,
        store: Option<Store>,
    ) -> Result<Self, ProxyConfigError> {
        let tuning = Tuning {
            limits: Limits::unlimited(),
            ..Tuning::default()
        };
        Self::start(env, store, tuning).await
    }

    /// The public OAuth routes, to merge beside `/mcp` and OUTSIDE the authentication
    /// layer: discovery documents, `/register`, `/authorize`, `/token`, `/revoke`, `/jwks`
    /// and, in the facade, the consent page and the provider's callback.
    pub fn routes(&self) -> Router {
        let body_limit = DefaultBodyLimit::max(MAX_BODY_BYTES);
        let router = Router::new()
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
            .route("/revoke", post(revoke::revoke).layer(body_limit))
            .route(metadata::JWKS_PATH, get(metadata::jwks_handler));
        let router = match self.state.config.flow {
            Flow::PassThrough => router,
            Flow::Proxy => router
                .route(
                    consent::CONSENT_PATH,
                    get(consent::show).post(consent::decide).layer(body_limit),
                )
                .route(callback::CALLBACK_PATH, get(callback::callback)),
        };
        router.with_state(self.state.clone())
    }

    /// The paths [`OidcProxy::routes`] serves, all public.
    pub fn public_paths(&self) -> &'static [&'static str] {
        match self.state.config.flow {
            Flow::Proxy => &PUBLIC_PATHS,
            Flow::PassThrough => PUBLIC_PATHS.get(..9).unwrap_or(&PUBLIC_PATHS),
        }
    }

    /// Admits a request to `/mcp` carrying one of our access tokens whose session lives,
    /// or a provider access token issued for this app. Refusals carry the RFC 9728
    /// `resource_metadata` pointer that starts a client's sign-in.
    ///
    /// # Errors
    /// Why the request is refused (401, with the Entra hint when one applies).
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Rejection> {
        let metadata_url = self.resource_metadata_url();
        let reject = |err| Rejection::bearer(&err, Some(&metadata_url), &[]);
        let token = bearer_token(headers).map_err(reject)?;
        if !self.state.own.is_ours(token) {
            let claims = self
                .state
                .access_tokens
                .validate(token)
                .await
                .map_err(reject)?;
            // An ID token of this app has the same issuer, audience and keys; only an
            // access token carries delegated (`scp`) or application (`roles`) permissions.
            if claims.get("scp").is_none() && claims.get("roles").is_none() {
                return Err(reject(ValidationError::Malformed(
                    "this is not an access token (no scp or roles claim; an ID token cannot \
                     be used as a bearer token)"
                        .to_owned(),
                )));
            }
            return Ok(principal(&claims, AuthMode::OidcProxy));
        }
        let claims = self
            .state
            .own
            .validator()
            .validate(token)
            .await
            .map_err(reject)?;
        let sid = claims
            .get("sid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match self.state.sessions.is_live(sid).await {
            Ok(true) => Ok(principal(&claims, AuthMode::OidcProxy)),
            Ok(false) => Err(reject(ValidationError::SessionEnded)),
            Err(err) => {
                tracing::error!("oidcproxy: {err}");
                Err(reject(ValidationError::SessionUnknown))
            }
        }
    }

    /// What the `[SECURITY]` line says after `auth=`: `OIDCProxy (issuer=<issuer>)`.
    pub fn banner(&self) -> String {
        match self.state.config.flow {
            Flow::PassThrough => format!("OIDCProxy (issuer={})", self.state.config.issuer),
            Flow::Proxy => format!(
                "OIDCProxy (issuer={}, flow=proxy)",
                self.state.config.issuer
            ),
        }
    }

    /// In the facade, `<base>/auth/callback`: the one redirect URI registered at the IdP.
    pub fn upstream_callback(&self) -> Option<String> {
        (self.state.config.flow == Flow::Proxy)
            .then(|| callback::callback_url(&self.state.config.base_url))
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

/// The state keys: `OIDCPROXY_STATE_KEY`, else the client credential (every replica has
/// it), else random for this process; and the store, or memory when the binary gave none
/// or the keys are random.
fn open_state(
    env: &ProxyEnv,
    config: &ProxyConfig,
    store: Option<Store>,
) -> Result<Sealed, ProxyConfigError> {
    let secret = match (&env.state_key, &config.credential) {
        (Some(key), _) => Some(key.expose_secret().as_bytes().to_vec()),
        (None, Some(credential)) => Some(credential.shared_secret()),
        (None, None) => None,
    };
    let keys = match secret {
        Some(secret) => StateKeys::derive(&secret),
        None => StateKeys::ephemeral(),
    }
    .map_err(ProxyConfigError::Internal)?;
    let store = match store {
        Some(store) if keys.durable() => store,
        Some(_) => {
            // Sealed with a key that dies with the process, records in a file or in Redis
            // would be unreadable litter after a restart and useless to other replicas.
            tracing::warn!(
                "oidcproxy: no OIDCPROXY_STATE_KEY or client secret to encrypt stored state \
                 with, so registrations and sign-ins are kept in memory and do not survive a \
                 restart; set OIDCPROXY_STATE_KEY (the same value on every replica) to keep \
                 them in the state store"
            );
            Store::memory()
        }
        None => {
            tracing::warn!(
                "oidcproxy: no state store; registrations and sign-ins are kept in memory \
                 and lost at restart"
            );
            Store::memory()
        }
    };
    Ok(Sealed::new(store, Arc::new(keys)))
}

/// The answer to a client over a rate limit.
pub(crate) fn too_many_requests() -> Response {
    let mut response = oauth_error(
        StatusCode::TOO_MANY_REQUESTS,
        "temporarily_unavailable",
        "too many requests; retry in a moment",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, http::HeaderValue::from_static("1"));
    response
}

/// The answer when the state store fails: the client should retry, not start over.
pub(crate) fn state_unavailable(err: &StateError) -> Response {
    tracing::error!("oidcproxy: {err}");
    oauth_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "the server's state store is unavailable; retry shortly",
    )
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
