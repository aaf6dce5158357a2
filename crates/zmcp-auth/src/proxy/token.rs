//! `POST /token`: answers with tokens of OUR own, never the provider's.
//!
//! - `authorization_code`, pass-through: the provider's code is redeemed at the provider
//!   with the client's PKCE verifier (the sign-in is found by its S256 challenge, which
//!   also yields the `nonce` the ID token must carry).
//! - `authorization_code`, facade: the code is ours; the client's verifier is checked
//!   against the challenge it sent to `/authorize`. A code presented twice ends the
//!   session it started (RFC 6749 §4.1.2).
//! - `refresh_token`: rotation with reuse detection ([`super::sessions`]); the provider's
//!   refresh token is used upstream at the same time, so a user the provider no longer
//!   accepts loses access at the next refresh.
//!
//! The client's tokens are never sent upstream: only codes, verifiers and our stored
//! provider refresh token are.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json,
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{
    Flow, ProxyState,
    authorize::{PENDING, PendingAuthorization, single_valued},
    clients::{Client, LookupError},
    oauth_error,
    own_token::Identity,
    sealed::StateError,
    sessions::{Redeemed, Session},
    upstream::{UpstreamError, UpstreamGrant, verified_identity},
};
use crate::outbound::printable;

/// The facade's authorization codes, issued at `/auth/callback`.
pub(crate) const CODES: &str = "oidcproxy.codes";
/// Codes already redeemed, with the session they started, to recognise a replay.
const SPENT_CODES: &str = "oidcproxy.spent-codes";

/// What one of our authorization codes stands for.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CodeGrant {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) code_challenge: String,
    pub(crate) identity: Identity,
    pub(crate) upstream: Option<UpstreamGrant>,
}

/// A token-endpoint failure: the OAuth error code and a description the client may show.
struct TokenError {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// Not the client's doing: a spent refresh token is made usable again.
    retryable: bool,
}

impl TokenError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self::with_status(StatusCode::BAD_REQUEST, error, description)
    }

    fn with_status(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            retryable: false,
        }
    }

    fn retryable(mut self) -> Self {
        self.retryable = true;
        self
    }

    fn into_response(self) -> Response {
        oauth_error(self.status, self.error, &self.description)
    }

    fn state(err: &StateError) -> Self {
        tracing::error!("oidcproxy: {err}");
        Self::with_status(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the server's state store is unavailable; retry shortly",
        )
    }

    fn internal(reason: &str) -> Self {
        tracing::error!("oidcproxy: {reason}");
        Self::with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "could not issue tokens",
        )
    }
}

impl From<StateError> for TokenError {
    fn from(err: StateError) -> Self {
        Self::state(&err)
    }
}

pub(crate) async fn token(State(state): State<Arc<ProxyState>>, body: Bytes) -> Response {
    let result = match form(&body) {
        Ok(params) => match params.get("grant_type").map(String::as_str) {
            Some("authorization_code") => match state.config.flow {
                Flow::PassThrough => provider_code(&state, &params).await,
                Flow::Proxy => our_code(&state, &params).await,
            },
            Some("refresh_token") => refresh_token(&state, &params).await,
            Some(other) => Err(TokenError::new(
                "unsupported_grant_type",
                format!(
                    "grant_type {} is not supported (authorization_code, refresh_token)",
                    printable(other, 60)
                ),
            )),
            None => Err(TokenError::new("invalid_request", "grant_type is required")),
        },
        Err(err) => Err(err),
    };
    match result {
        Ok(answer) => (
            StatusCode::OK,
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ],
            Json(answer),
        )
            .into_response(),
        Err(err) => err.into_response(),
    }
}

/// The parts of an `authorization_code` request both flows check first.
struct CodeRequest<'a> {
    client_id: &'a str,
    client: Client,
    code: &'a str,
    verifier: &'a str,
    redirect_uri: Option<&'a str>,
}

impl<'a> CodeRequest<'a> {
    async fn read(
        state: &ProxyState,
        params: &'a HashMap<String, String>,
    ) -> Result<Self, TokenError> {
        let (client_id, client) = registered_client(state, params).await?;
        let code = required(params, "code")?;
        let verifier = required(params, "code_verifier")?;
        check_resource(state, params)?;
        Ok(Self {
            client_id,
            client,
            code,
            verifier,
            redirect_uri: params.get("redirect_uri").map(String::as_str),
        })
    }

    /// The code must have been issued to this client for this redirect URI.
    fn check_issued(&self, client_id: &str, redirect_uri: &str) -> Result<(), TokenError> {
        if client_id != self.client_id {
            return Err(TokenError::new(
                "invalid_grant",
                "the authorization code was issued to another client",
            ));
        }
        if self.redirect_uri != Some(redirect_uri) {
            return Err(TokenError::new(
                "invalid_grant",
                "redirect_uri must be the one sent to /authorize",
            ));
        }
        Ok(())
    }
}

/// Pass-through: the code is the provider's.
async fn provider_code(
    state: &ProxyState,
    params: &HashMap<String, String>,
) -> Result<Value, TokenError> {
    let request = CodeRequest::read(state, params).await?;
    let (code, verifier) = (request.code, request.verifier);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let pending = state
        .state
        .take::<PendingAuthorization>(PENDING, &challenge)
        .await?
        .ok_or_else(|| {
            TokenError::new(
                "invalid_grant",
                "no sign-in started at this server's /authorize matches this code_verifier \
                 (it expired or was already used); sign in again",
            )
        })?;
    request.check_issued(&pending.client_id, &pending.redirect_uri)?;
    let scope = state.config.scope_param();
    let upstream = state
        .upstream
        .redeem_code(code, verifier, &pending.redirect_uri, &scope)
        .await
        .map_err(upstream_error)?;
    let identity = verified_identity(&state.id_tokens, &upstream, Some(&pending.nonce))
        .await
        .map_err(|reason| TokenError::new("invalid_grant", reason))?;
    let (answer, _) = start_session(
        state,
        request.client_id,
        &request.client,
        identity,
        upstream.grant(),
    )
    .await?;
    Ok(answer)
}

/// Facade: the code is ours, issued at `/auth/callback`.
async fn our_code(
    state: &ProxyState,
    params: &HashMap<String, String>,
) -> Result<Value, TokenError> {
    let request = CodeRequest::read(state, params).await?;
    let (client_id, code, verifier) = (request.client_id, request.code, request.verifier);
    let Some(grant) = state.state.take::<CodeGrant>(CODES, code).await? else {
        return Err(replayed_code(state, client_id, code).await?);
    };
    // Spent from now on, before anything else can fail: a second presentation, even one
    // racing this one, is recognised as a replay.
    let spent_ttl = Some(state.lifetimes.code * 2);
    state
        .state
        .put(SPENT_CODES, code, &SpentCode::default(), spent_ttl)
        .await?;
    request.check_issued(&grant.client_id, &grant.redirect_uri)?;
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let verifier_ok = (43..=128).contains(&verifier.len())
        && bool::from(computed.as_bytes().ct_eq(grant.code_challenge.as_bytes()));
    if !verifier_ok {
        return Err(TokenError::new(
            "invalid_grant",
            "code_verifier does not match the code_challenge sent to /authorize",
        ));
    }
    let (answer, sid) = start_session(
        state,
        client_id,
        &request.client,
        grant.identity,
        grant.upstream,
    )
    .await?;
    let spent = SpentCode {
        sid: Some(sid.clone()),
        replayed: false,
    };
    let replayed_meanwhile = state
        .state
        .get::<SpentCode>(SPENT_CODES, code)
        .await?
        .is_some_and(|s| s.replayed);
    if replayed_meanwhile {
        state.sessions.end(&sid).await?;
        return Err(code_replay_refusal(client_id));
    }
    state
        .state
        .put(SPENT_CODES, code, &spent, spent_ttl)
        .await?;
    Ok(answer)
}

/// A redeemed code, kept a while to recognise its replay.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SpentCode {
    /// The session it started, once started.
    sid: Option<String>,
    /// Presented again before its session was recorded: that session must not live.
    replayed: bool,
}

/// The refusal of a code that is not (or no longer) redeemable; a replay ends the session
/// the code started (RFC 6749 §4.1.2), or marks it for ending if it is still being started.
async fn replayed_code(
    state: &ProxyState,
    client_id: &str,
    code: &str,
) -> Result<TokenError, TokenError> {
    let Some(mut spent) = state.state.get::<SpentCode>(SPENT_CODES, code).await? else {
        return Ok(TokenError::new(
            "invalid_grant",
            "unknown or expired authorization code; sign in again",
        ));
    };
    match &spent.sid {
        Some(sid) => {
            state.sessions.end(sid).await?;
        }
        None => {
            spent.replayed = true;
            state
                .state
                .put(SPENT_CODES, code, &spent, Some(state.lifetimes.code * 2))
                .await?;
        }
    }
    Ok(code_replay_refusal(client_id))
}

fn code_replay_refusal(client_id: &str) -> TokenError {
    tracing::warn!(
        client_id = %printable(client_id, 80),
        "oidcproxy: an authorization code was presented twice; the session it started is \
         revoked"
    );
    TokenError::new(
        "invalid_grant",
        "this authorization code was already used; the tokens issued for it are revoked",
    )
}

/// A new session with its first tokens; returns the token response and the session id.
async fn start_session(
    state: &ProxyState,
    client_id: &str,
    client: &Client,
    identity: Identity,
    upstream: Option<UpstreamGrant>,
) -> Result<(Value, String), TokenError> {
    tracing::info!(
        client_id = %printable(client_id, 80),
        subject = %printable(&identity.sub, 120),
        user = %printable(identity.preferred_username.as_deref().unwrap_or(""), 120),
        "oidcproxy: sign-in completed"
    );
    let session = Session {
        client_id: client_id.to_owned(),
        identity,
        upstream,
    };
    let sid = state.sessions.start(&session).await?;
    state.clients.touch(client_id, client).await?;
    Ok((issue(state, &sid, &session).await?, sid))
}

async fn refresh_token(
    state: &ProxyState,
    params: &HashMap<String, String>,
) -> Result<Value, TokenError> {
    let (client_id, client) = registered_client(state, params).await?;
    let presented = required(params, "refresh_token")?;
    check_resource(state, params)?;
    let (sid, owner, session) = match state.sessions.redeem(presented).await? {
        Redeemed::Live {
            sid,
            client_id,
            session,
        } => (sid, client_id, session),
        Redeemed::Replayed => {
            tracing::warn!(
                client_id = %printable(client_id, 80),
                "oidcproxy: a refresh token was used twice; its session is revoked"
            );
            return Err(TokenError::new(
                "invalid_grant",
                "this refresh token was already used, so its session is revoked (a copy may \
                 have leaked); sign in again",
            ));
        }
        Redeemed::Unknown => {
            return Err(TokenError::new(
                "invalid_grant",
                "unknown, expired or revoked refresh token; sign in again",
            ));
        }
    };
    if owner != client_id {
        state.sessions.end(&sid).await?;
        tracing::warn!(
            client_id = %printable(client_id, 80),
            "oidcproxy: a refresh token was presented by another client; its session is revoked"
        );
        return Err(TokenError::new(
            "invalid_grant",
            "the refresh token was issued to another client",
        ));
    }
    let rotated = rotate(state, &sid, client_id, &client, *session).await;
    if let Err(err) = &rotated
        && (err.retryable || err.status.is_server_error())
    {
        // Not the client's doing (an IdP outage, this server's own credentials, the store):
        // its refresh token stays usable for a retry, which must not look like a replay.
        if let Err(restore) = state.sessions.restore(presented, &sid, &owner).await {
            tracing::error!("oidcproxy: could not restore a refresh token: {restore}");
        }
    }
    rotated
}

/// The refresh itself, after the presented token was spent: refresh at the provider,
/// re-check the user, extend the session (unless it ended meanwhile) and issue new tokens.
async fn rotate(
    state: &ProxyState,
    sid: &str,
    client_id: &str,
    client: &Client,
    mut session: Session,
) -> Result<Value, TokenError> {
    if let Some(grant) = session.upstream.clone() {
        let scope = grant
            .scope
            .clone()
            .unwrap_or_else(|| state.config.scope_param());
        let refreshed = state
            .upstream
            .refresh(&SecretString::from(grant.refresh_token.clone()), &scope)
            .await;
        let upstream = match refreshed {
            Ok(upstream) => upstream,
            // The provider no longer honours the grant (revoked, expired, user disabled):
            // the session is over.
            Err(err @ UpstreamError::Rejected { .. }) if err.is_invalid_grant() => {
                state.sessions.end(sid).await?;
                return Err(upstream_error(err));
            }
            // Anything else is an outage or this server's own credentials or settings:
            // answered with the provider's words, and the client may retry (below).
            Err(err) => return Err(upstream_error(err).retryable()),
        };
        if upstream.id_token.is_some() {
            let fresh = verified_identity(&state.id_tokens, &upstream, None)
                .await
                .map_err(|reason| TokenError::new("invalid_grant", reason))?;
            if fresh.sub != session.identity.sub {
                state.sessions.end(sid).await?;
                return Err(TokenError::new(
                    "invalid_grant",
                    "the identity provider returned an ID token for another user",
                ));
            }
            session.identity = fresh;
        }
        session.upstream = Some(UpstreamGrant {
            refresh_token: upstream
                .refresh_token
                .map_or(grant.refresh_token, |t| t.expose_secret().to_owned()),
            scope: upstream.scope.or(grant.scope),
        });
    }
    if !state.sessions.update(sid, &session).await? {
        return Err(TokenError::new(
            "invalid_grant",
            "the session was revoked while this refresh was in progress; sign in again",
        ));
    }
    state.clients.touch(client_id, client).await?;
    tracing::info!(
        client_id = %printable(client_id, 80),
        subject = %printable(&session.identity.sub, 120),
        "oidcproxy: refresh token rotated"
    );
    issue(state, sid, &session).await
}

/// Our access token for the session, and a refresh token when the provider gave one to
/// refresh with (otherwise the session cannot be re-checked upstream, so it ends with the
/// access token).
async fn issue(state: &ProxyState, sid: &str, session: &Session) -> Result<Value, TokenError> {
    let scope = state.config.scope_param();
    let (access_token, expires_in) = state
        .own
        .issue(&session.identity, &session.client_id, &scope, sid)
        .map_err(|reason| TokenError::internal(&reason))?;
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": scope,
    });
    if session.upstream.is_some() {
        let refresh = state
            .sessions
            .new_refresh_token(sid, &session.client_id)
            .await?;
        if let Some(map) = answer.as_object_mut() {
            map.insert("refresh_token".into(), json!(refresh));
        }
    }
    Ok(answer)
}

/// RFC 8707: a `resource` other than our `/mcp` is refused (`invalid_target`).
fn check_resource(state: &ProxyState, params: &HashMap<String, String>) -> Result<(), TokenError> {
    match params.get("resource") {
        Some(resource) if resource.trim_end_matches('/') != state.config.resource => {
            Err(TokenError::new(
                "invalid_target",
                format!("resource must be {}", state.config.resource),
            ))
        }
        _ => Ok(()),
    }
}

/// The provider's answer as an OAuth error for our client: its own code and description
/// (Entra's AADSTS codes included), except that a refusal of *this server's* credentials
/// must not look like the client's (`invalid_client` would make it re-register in vain).
fn upstream_error(err: UpstreamError) -> TokenError {
    match err {
        UpstreamError::Rejected { error, description } => {
            let description = description.map(|d| printable(&d, 600)).unwrap_or_default();
            tracing::warn!(
                "oidcproxy: the identity provider refused the token request: {} {description}",
                printable(&error, 60)
            );
            let code = match error.as_str() {
                "invalid_grant" => "invalid_grant",
                "invalid_scope" => "invalid_scope",
                "invalid_request" => "invalid_request",
                "unsupported_grant_type" => "unsupported_grant_type",
                "temporarily_unavailable" => "temporarily_unavailable",
                "interaction_required" | "consent_required" | "login_required" => "invalid_grant",
                _ => "invalid_request",
            };
            TokenError::new(
                code,
                format!(
                    "identity provider: {}{}{description}",
                    printable(&error, 60),
                    if description.is_empty() { "" } else { ": " }
                ),
            )
        }
        UpstreamError::Unavailable(reason) => {
            tracing::warn!("oidcproxy: the identity provider's token endpoint failed: {reason}");
            TokenError::with_status(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                format!("the identity provider could not be reached: {reason}"),
            )
        }
    }
}

/// The public client named by `client_id`; unknown ones get 401 `invalid_client`, so SDK
/// clients register again (RFC 6749 §5.2).
async fn registered_client<'a>(
    state: &ProxyState,
    params: &'a HashMap<String, String>,
) -> Result<(&'a str, Client), TokenError> {
    let client_id = required(params, "client_id")?;
    match state
        .clients
        .find(client_id, &state.config.redirect_policy)
        .await
    {
        Ok(client) => Ok((client_id, client)),
        Err(LookupError::State(err)) => Err(TokenError::state(&err)),
        Err(LookupError::Unknown | LookupError::Document(_)) => Err(TokenError::with_status(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client_id (its registration may have expired); register again",
        )),
    }
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, TokenError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| TokenError::new("invalid_request", format!("{name} is required")))
}

/// The form body; a repeated parameter is an error (RFC 6749 §3.2).
fn form(body: &[u8]) -> Result<HashMap<String, String>, TokenError> {
    single_valued(body).map_err(|name| {
        TokenError::new(
            "invalid_request",
            format!("the {} parameter is repeated", printable(&name, 40)),
        )
    })
}
