//! `GET /auth/callback`: where the identity provider sends the browser back in the facade
//! (the one redirect URI registered at the provider).
//!
//! The provider `state` must be one this server approved in THIS browser (the binding
//! cookie set by the consent page); it is single-use. The provider's code is redeemed here,
//! server-side, with this server's credentials and PKCE verifier; the ID token is checked
//! (signature, issuer, audience, nonce), and the client is sent a code of ours, with its own
//! `state` and our `iss` (RFC 9207). Provider errors are passed on to the client the same way.

use std::sync::Arc;

use axum::{
    extract::{RawQuery, State},
    response::Response,
};
use http::{HeaderMap, StatusCode};
use url::Url;

use super::{
    ProxyState,
    authorize::{error_to_client, redirect_with, single_valued},
    consent::{FLIGHTS, Flight, append_cookie},
    cookies::Purpose,
    html,
    own_token::random_token,
    state_unavailable,
    token::{CODES, CodeGrant},
    upstream::{UpstreamError, verified_identity},
};
use crate::outbound::printable;

pub(crate) const CALLBACK_PATH: &str = "/auth/callback";

/// `<base>/auth/callback`: what the operator registers at the provider.
pub(crate) fn callback_url(base_url: &str) -> String {
    format!("{base_url}{CALLBACK_PATH}")
}

pub(crate) async fn callback(
    State(state): State<Arc<ProxyState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(params) = single_valued(query.as_deref().unwrap_or("").as_bytes()) else {
        return html::refusal("the identity provider's answer repeats a parameter");
    };
    let Some(upstream_state) = params.get("state") else {
        return html::refusal("the identity provider's answer has no state");
    };
    if !state.cookies.vouches(
        state.state.keys(),
        &headers,
        Purpose::Binding,
        upstream_state,
    ) {
        tracing::warn!(
            "oidcproxy: a provider callback arrived in a browser that did not approve the \
             sign-in (no binding cookie); refused"
        );
        return html::page(
            StatusCode::FORBIDDEN,
            "Sign-in session mismatch",
            "<p>This sign-in was not approved in this browser, so it cannot be completed \
             here. If you did not start a sign-in, someone may have sent you this link: close \
             this page. Otherwise restart the sign-in from your MCP client.</p>",
        );
    }
    let flight = match state.state.take::<Flight>(FLIGHTS, upstream_state).await {
        Ok(Some(flight)) => flight,
        Ok(None) => {
            return html::page(
                StatusCode::BAD_REQUEST,
                "Sign-in expired",
                "<p>This sign-in expired or was already completed. Restart the sign-in from \
                 your MCP client.</p>",
            );
        }
        Err(err) => return state_unavailable(&err),
    };
    let clear_binding = state.cookies.clear(Purpose::Binding, upstream_state);
    let mut response = finish(&state, &params, flight).await;
    append_cookie(&mut response, clear_binding);
    response
}

async fn finish(
    state: &ProxyState,
    params: &std::collections::HashMap<String, String>,
    flight: Flight,
) -> Response {
    let t = flight.transaction;
    let Ok(client_redirect) = Url::parse(&t.redirect_uri) else {
        return html::refusal("redirect_uri is not a URI");
    };
    let to_client = |error: &str, description: &str| {
        error_to_client(
            state,
            client_redirect.clone(),
            Some(&t.client_state),
            error,
            description,
        )
    };
    if let Some(error) = params.get("error") {
        let description = params
            .get("error_description")
            .map(|d| printable(d, 600))
            .unwrap_or_default();
        tracing::warn!(
            "oidcproxy: the identity provider refused the sign-in: {} {description}",
            printable(error, 60)
        );
        let code = match error.as_str() {
            "access_denied" | "temporarily_unavailable" | "server_error" | "invalid_scope" => {
                error.as_str()
            }
            _ => "access_denied",
        };
        return to_client(
            code,
            &format!("identity provider: {}: {description}", printable(error, 60)),
        );
    }
    let Some(code) = params.get("code") else {
        return to_client("server_error", "the identity provider returned no code");
    };
    let scope = state.config.scope_param();
    let upstream = match state
        .upstream
        .redeem_code(
            code,
            &flight.code_verifier,
            &callback_url(&state.config.base_url),
            &scope,
        )
        .await
    {
        Ok(upstream) => upstream,
        Err(UpstreamError::Rejected { error, description }) => {
            let description = description.map(|d| printable(&d, 600)).unwrap_or_default();
            tracing::warn!(
                "oidcproxy: the identity provider refused to redeem its code: {} {description}",
                printable(&error, 60)
            );
            return to_client(
                "access_denied",
                &format!(
                    "identity provider: {}: {description}",
                    printable(&error, 60)
                ),
            );
        }
        Err(UpstreamError::Unavailable(reason)) => {
            tracing::warn!("oidcproxy: the identity provider's token endpoint failed: {reason}");
            return to_client(
                "temporarily_unavailable",
                "the identity provider could not be reached",
            );
        }
    };
    let identity = match verified_identity(&state.id_tokens, &upstream, Some(&flight.nonce)).await {
        Ok(identity) => identity,
        Err(reason) => return to_client("access_denied", &reason),
    };
    let grant = CodeGrant {
        client_id: t.client_id.clone(),
        redirect_uri: t.redirect_uri.clone(),
        code_challenge: t.code_challenge.clone(),
        identity,
        upstream: upstream.grant(),
    };
    let our_code = random_token();
    if let Err(err) = state
        .state
        .put(CODES, &our_code, &grant, Some(state.lifetimes.code))
        .await
    {
        return state_unavailable(&err);
    }
    redirect_with(
        client_redirect,
        &[
            ("code", Some(&our_code)),
            ("state", Some(&t.client_state)),
            ("iss", Some(&state.config.base_url)),
        ],
    )
}
