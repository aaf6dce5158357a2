//! `POST /token`: redeems the provider's authorization code (or our refresh token) at the
//! provider, validates the provider's ID token, and answers with tokens of OUR own.
//!
//! The client's PKCE verifier must match a sign-in that started at our `/authorize` (found
//! by its S256 challenge), which also yields the `nonce` the ID token must carry. The
//! provider's access token is never returned, and the client's tokens are never sent
//! upstream: only the code, the verifier and our stored provider refresh token are.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    Json,
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{StatusCode, header};
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    ProxyState, oauth_error,
    own_token::{Identity, random_token},
    upstream::{UpstreamError, UpstreamTokens},
};
use crate::outbound::printable;

/// How long our refresh tokens stay usable (each use replaces it with a new one).
pub(crate) const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// What our refresh token stands for.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    client_id: String,
    identity: Identity,
    upstream: SecretString,
}

/// A token-endpoint failure: the OAuth error code and a description the client may show.
struct TokenError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl TokenError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    fn into_response(self) -> Response {
        oauth_error(self.status, self.error, &self.description)
    }
}

pub(crate) async fn token(State(state): State<Arc<ProxyState>>, body: Bytes) -> Response {
    let result = match form(&body) {
        Ok(params) => match params.get("grant_type").map(String::as_str) {
            Some("authorization_code") => authorization_code(&state, &params).await,
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

async fn authorization_code(
    state: &ProxyState,
    params: &HashMap<String, String>,
) -> Result<Value, TokenError> {
    let client_id = registered_client(state, params)?;
    let code = required(params, "code")?;
    let verifier = required(params, "code_verifier")?;
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let pending = state.pending.take(&challenge).ok_or_else(|| {
        TokenError::new(
            "invalid_grant",
            "no sign-in started at this server's /authorize matches this code_verifier \
             (it expired, was already used, or the server restarted); sign in again",
        )
    })?;
    if pending.client_id != client_id {
        return Err(TokenError::new(
            "invalid_grant",
            "the authorization was issued to another client",
        ));
    }
    if params.get("redirect_uri").map(String::as_str) != Some(pending.redirect_uri.as_str()) {
        return Err(TokenError::new(
            "invalid_grant",
            "redirect_uri must be the one sent to /authorize",
        ));
    }
    let scope = state.config.scope_param();
    let upstream = state
        .upstream
        .redeem_code(code, verifier, &pending.redirect_uri, &scope)
        .await
        .map_err(upstream_error)?;
    let identity = identity_from(state, &upstream, Some(&pending.nonce)).await?;
    tracing::info!(
        client_id = %client_id,
        subject = %printable(&identity.sub, 120),
        "oidcproxy: sign-in completed"
    );
    issue(state, client_id, identity, upstream.refresh_token)
}

async fn refresh_token(
    state: &ProxyState,
    params: &HashMap<String, String>,
) -> Result<Value, TokenError> {
    let client_id = registered_client(state, params)?;
    let presented = required(params, "refresh_token")?;
    let grant = state.refresh.take(presented).ok_or_else(|| {
        TokenError::new(
            "invalid_grant",
            "unknown or expired refresh token (the server may have restarted); sign in again",
        )
    })?;
    if grant.client_id != client_id {
        return Err(TokenError::new(
            "invalid_grant",
            "the refresh token was issued to another client",
        ));
    }
    let scope = state.config.scope_param();
    let upstream = state
        .upstream
        .refresh(&grant.upstream, &scope)
        .await
        .map_err(upstream_error)?;
    let identity = match upstream.id_token {
        Some(_) => {
            let fresh = identity_from(state, &upstream, None).await?;
            if fresh.sub != grant.identity.sub {
                return Err(TokenError::new(
                    "invalid_grant",
                    "the identity provider returned an ID token for another user",
                ));
            }
            fresh
        }
        None => grant.identity,
    };
    let upstream_refresh = upstream.refresh_token.or(Some(grant.upstream));
    issue(state, client_id, identity, upstream_refresh)
}

/// Our access token, and our refresh token when the provider gave one to refresh with.
fn issue(
    state: &ProxyState,
    client_id: &str,
    identity: Identity,
    upstream_refresh: Option<SecretString>,
) -> Result<Value, TokenError> {
    let scope = state.config.scope_param();
    let (access_token, expires_in) =
        state
            .own
            .issue(&identity, client_id, &scope)
            .map_err(|reason| {
                tracing::error!("oidcproxy: {reason}");
                TokenError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    error: "server_error",
                    description: "could not issue an access token".to_owned(),
                }
            })?;
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": scope,
    });
    if let Some(upstream) = upstream_refresh {
        let refresh = random_token();
        let grant = RefreshGrant {
            client_id: client_id.to_owned(),
            identity,
            upstream,
        };
        if state
            .refresh
            .insert_new(refresh.clone(), grant, REFRESH_TTL)
            && let Some(map) = answer.as_object_mut()
        {
            map.insert("refresh_token".into(), json!(refresh));
        }
    }
    Ok(answer)
}

/// Validates the provider's ID token (signature, `iss`, `aud` = provider client id, `exp`,
/// and `nonce` when this server sent one) and copies the identity claims.
async fn identity_from(
    state: &ProxyState,
    upstream: &UpstreamTokens,
    nonce: Option<&str>,
) -> Result<Identity, TokenError> {
    let id_token = upstream.id_token.as_deref().ok_or_else(|| {
        tracing::warn!(
            "oidcproxy: the identity provider returned no id_token; is openid in \
             OIDCPROXY_AUTH_SCOPES and the app allowed to sign users in?"
        );
        TokenError::new(
            "invalid_grant",
            "the identity provider returned no ID token, so the user cannot be identified",
        )
    })?;
    let claims = state.id_tokens.validate(id_token).await.map_err(|err| {
        tracing::warn!("oidcproxy: the identity provider's ID token was refused: {err}");
        TokenError::new(
            "invalid_grant",
            format!("the identity provider's ID token was refused: {err}"),
        )
    })?;
    if let Some(expected) = nonce
        && claims.get("nonce").and_then(Value::as_str) != Some(expected)
    {
        tracing::warn!("oidcproxy: the identity provider's ID token has the wrong nonce");
        return Err(TokenError::new(
            "invalid_grant",
            "the identity provider's ID token does not carry this sign-in's nonce",
        ));
    }
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let sub = text("sub").ok_or_else(|| {
        TokenError::new(
            "invalid_grant",
            "the identity provider's ID token has no sub claim",
        )
    })?;
    Ok(Identity {
        sub,
        oid: text("oid"),
        tid: text("tid"),
        preferred_username: text("preferred_username"),
        email: text("email"),
        name: text("name"),
    })
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
            TokenError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                error: "temporarily_unavailable",
                description: format!("the identity provider could not be reached: {reason}"),
            }
        }
    }
}

/// The registered public client named by `client_id`; unknown ones get 401
/// `invalid_client`, so SDK clients register again (RFC 6749 §5.2).
fn registered_client<'a>(
    state: &ProxyState,
    params: &'a HashMap<String, String>,
) -> Result<&'a str, TokenError> {
    let client_id = required(params, "client_id")?;
    if state.clients.get(client_id).is_none() {
        return Err(TokenError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "unknown client_id (the server may have restarted); register again"
                .to_owned(),
        });
    }
    Ok(client_id)
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
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(TokenError::new(
                "invalid_request",
                format!("the {} parameter is repeated", printable(&name, 40)),
            ));
        }
    }
    Ok(params)
}
