//! `POST /revoke` (RFC 7009): ends the session of one of our refresh or access tokens, so
//! every token of that sign-in stops working at once, and the provider refresh token held
//! for it is dropped. As the RFC requires, the answer is 200 whether or not the token was
//! known (so the endpoint tells nothing about tokens), except for a malformed request.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use http::{StatusCode, header};
use serde_json::Value;

use super::{
    ProxyState, authorize::single_valued, oauth_error, sessions::Redeemed, state_unavailable,
};
use crate::outbound::printable;

pub(crate) async fn revoke(State(state): State<Arc<ProxyState>>, body: Bytes) -> Response {
    let Ok(params) = single_valued(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the request body must be a form without repeated parameters",
        );
    };
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    let client_id = params.get("client_id").map(String::as_str).unwrap_or("");
    let ended = if state.own.is_ours(token) {
        revoke_access_token(&state, token, client_id).await
    } else {
        revoke_refresh_token(&state, token, client_id).await
    };
    match ended {
        Ok(true) => tracing::info!(
            client_id = %printable(client_id, 80),
            "oidcproxy: session revoked by its client"
        ),
        Ok(false) => {}
        Err(response) => return response,
    }
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response()
}

/// An access token of ours names its session; a client may revoke only its own.
async fn revoke_access_token(
    state: &ProxyState,
    token: &str,
    client_id: &str,
) -> Result<bool, Response> {
    let Ok(claims) = state.own.validator().validate(token).await else {
        return Ok(false);
    };
    let owner = claims.get("client_id").and_then(Value::as_str);
    let Some(sid) = claims.get("sid").and_then(Value::as_str) else {
        return Ok(false);
    };
    if owner != Some(client_id) {
        return Ok(false);
    }
    state
        .sessions
        .end(sid)
        .await
        .map_err(|err| state_unavailable(&err))
}

/// A refresh token is spent to find its session (a revoked token must not stay usable
/// anyway), then the session ends, unless it belongs to another client: then it is put
/// back untouched.
async fn revoke_refresh_token(
    state: &ProxyState,
    token: &str,
    client_id: &str,
) -> Result<bool, Response> {
    let unavailable = |err| state_unavailable(&err);
    match state.sessions.redeem(token).await.map_err(unavailable)? {
        Redeemed::Live {
            sid,
            client_id: owner,
            ..
        } if owner == client_id => state.sessions.end(&sid).await.map_err(unavailable),
        Redeemed::Live {
            sid,
            client_id: owner,
            ..
        } => {
            state
                .sessions
                .restore(token, &sid, &owner)
                .await
                .map_err(unavailable)?;
            Ok(false)
        }
        Redeemed::Replayed => Ok(true),
        Redeemed::Unknown => Ok(false),
    }
}
