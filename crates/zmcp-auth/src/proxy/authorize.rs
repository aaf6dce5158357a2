//! `GET /authorize`: checks the MCP client's request, then
//! - in the pass-through, sends the browser to the identity provider with the client's own
//!   redirect URI, PKCE challenge and state, plus the provider client id, the configured
//!   scopes and a `nonce` this server remembers (the client redeems the provider's code at
//!   our `/token`, which finds this sign-in again by its PKCE challenge);
//! - in the facade, records the request as a sign-in transaction and sends the browser to
//!   our consent page; nothing goes to the provider before the user approves.
//!
//! Until the client and redirect URI are known to belong together, errors are shown as a
//! page and never redirected (RFC 6749 §4.1.2.1), so this endpoint is no open redirector.
//! After that they go back to the client, with `iss` in the facade (RFC 9207).

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
};
use http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{
    Flow, ProxyState,
    clients::{Client, LookupError},
    consent, html,
    own_token::random_token,
    redirect_uri::same_redirect,
};

/// Pass-through sign-ins in flight, keyed by the client's `code_challenge`.
pub(crate) const PENDING: &str = "oidcproxy.pending";

/// A pass-through sign-in sent to the provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingAuthorization {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) nonce: String,
}

/// An authorization request whose client and redirect URI have been checked.
pub(crate) struct Checked {
    pub(crate) client_id: String,
    pub(crate) client: Client,
    pub(crate) redirect_uri: String,
    pub(crate) client_state: String,
    pub(crate) code_challenge: String,
}

pub(crate) async fn authorize(
    State(state): State<Arc<ProxyState>>,
    RawQuery(query): RawQuery,
) -> Response {
    if !state.limits.sign_ins.allow() {
        tracing::warn!("oidcproxy: sign-in requests over the rate limit; refused");
        return html::busy();
    }
    let checked = match check(&state, query.as_deref().unwrap_or("")).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match state.config.flow {
        Flow::PassThrough => pass_through(&state, checked).await,
        Flow::Proxy => consent::start(&state, checked).await,
    }
}

/// Checks every parameter; a refusal is either a page (client or redirect URI not
/// trusted) or a redirect to the client.
async fn check(state: &ProxyState, query: &str) -> Result<Checked, Response> {
    let params = match single_valued(query.as_bytes()) {
        Ok(params) => params,
        Err(name) => return Err(html::refusal(&format!("the {name} parameter is repeated"))),
    };
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };

    let Some(client_id) = get("client_id") else {
        return Err(html::refusal("client_id is missing"));
    };
    let client = match state
        .clients
        .find(client_id, &state.config.redirect_policy)
        .await
    {
        Ok(client) => client,
        Err(LookupError::Unknown) => {
            return Err(html::refusal(
                "this client is not registered here (its registration may have expired); \
                 register again at /register",
            ));
        }
        Err(LookupError::Document(reason)) => {
            return Err(html::refusal(&format!(
                "the client's metadata document cannot be used: {reason}"
            )));
        }
        Err(LookupError::State(err)) => {
            tracing::error!("oidcproxy: {err}");
            return Err(html::page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in temporarily unavailable",
                "<p>The server cannot reach its state store. Try again in a moment.</p>",
            ));
        }
    };
    let redirect_uri = match get("redirect_uri") {
        // The presented URI passes the policy itself too: a registered loopback URI with
        // another port must not become this server's own address, nor gain userinfo.
        Some(uri)
            if client.redirect_uris.iter().any(|r| same_redirect(r, uri))
                && state.config.redirect_policy.check(uri).is_ok() =>
        {
            uri.to_owned()
        }
        Some(_) => {
            return Err(html::refusal(
                "redirect_uri is not registered for this client",
            ));
        }
        None => match client.redirect_uris.as_slice() {
            [only] => only.clone(),
            _ => {
                return Err(html::refusal(
                    "redirect_uri is required: this client registered several",
                ));
            }
        },
    };
    let Ok(client_redirect) = Url::parse(&redirect_uri) else {
        return Err(html::refusal("redirect_uri is not a URI"));
    };

    // From here on the redirect URI is trusted: errors go back to the client.
    let state_param = get("state");
    let fail = |error: &str, description: &str| {
        error_to_client(
            state,
            client_redirect.clone(),
            state_param,
            error,
            description,
        )
    };
    if get("response_type") != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "only response_type=code is supported",
        ));
    }
    let Some(code_challenge) = get("code_challenge") else {
        return Err(fail(
            "invalid_request",
            "PKCE is required: send code_challenge",
        ));
    };
    if get("code_challenge_method") != Some("S256") {
        return Err(fail(
            "invalid_request",
            "code_challenge_method must be S256",
        ));
    }
    if !is_s256_challenge(code_challenge) {
        return Err(fail(
            "invalid_request",
            "code_challenge must be a base64url SHA-256 digest (43 characters)",
        ));
    }
    let Some(client_state) = state_param else {
        return Err(fail("invalid_request", "state is required"));
    };
    // RFC 8707: there is one resource, so a request naming it needs nothing remembered.
    if let Some(resource) = get("resource")
        && resource.trim_end_matches('/') != state.config.resource
    {
        return Err(fail(
            "invalid_target",
            &format!("resource must be {}", state.config.resource),
        ));
    }
    Ok(Checked {
        client_id: client_id.to_owned(),
        client,
        redirect_uri,
        client_state: client_state.to_owned(),
        code_challenge: code_challenge.to_owned(),
    })
}

/// The pass-through: straight to the provider with the client's redirect URI and PKCE.
async fn pass_through(state: &ProxyState, checked: Checked) -> Response {
    let nonce = random_token();
    let pending = PendingAuthorization {
        client_id: checked.client_id.clone(),
        redirect_uri: checked.redirect_uri.clone(),
        nonce: nonce.clone(),
    };
    let stored = state
        .state
        .put_if_absent(
            PENDING,
            &checked.code_challenge,
            &pending,
            Some(state.lifetimes.sign_in),
        )
        .await;
    let redirect = Url::parse(&checked.redirect_uri);
    match (stored, redirect) {
        (Ok(true), _) => {}
        (Ok(false), Ok(redirect)) => {
            return error_to_client(
                state,
                redirect,
                Some(&checked.client_state),
                "invalid_request",
                "this code_challenge is already in use; start a new sign-in",
            );
        }
        (Ok(false), Err(_)) => return html::refusal("redirect_uri is not a URI"),
        (Err(err), _) => return super::state_unavailable(&err),
    }
    let scope = state.config.scope_param();
    redirect_with(
        state.config.authorization_endpoint.clone(),
        &[
            ("client_id", Some(&state.config.client_id)),
            ("response_type", Some("code")),
            ("redirect_uri", Some(&checked.redirect_uri)),
            ("scope", Some(&scope)),
            ("state", Some(&checked.client_state)),
            ("code_challenge", Some(&checked.code_challenge)),
            ("code_challenge_method", Some("S256")),
            ("response_mode", Some("query")),
            ("nonce", Some(&nonce)),
        ],
    )
}

/// An error authorization response to the client's redirect URI, with `iss` when this
/// server issues authorization responses itself (the facade).
pub(crate) fn error_to_client(
    state: &ProxyState,
    redirect: Url,
    client_state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let iss = (state.config.flow == Flow::Proxy).then_some(state.config.base_url.as_str());
    redirect_with(
        redirect,
        &[
            ("error", Some(error)),
            ("error_description", Some(description)),
            ("state", client_state),
            ("iss", iss),
        ],
    )
}

/// The query as a map, or the name of a parameter that appears twice (RFC 6749 §3.1:
/// request parameters must not be repeated).
pub(crate) fn single_valued(query: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(query) {
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(name.into_owned());
        }
    }
    Ok(params)
}

/// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 unpadded characters.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A 302 to `target` with `params` appended to whatever query it already has (an Entra B2C
/// authorization endpoint carries its policy there).
pub(crate) fn redirect_with(mut target: Url, params: &[(&str, Option<&str>)]) -> Response {
    {
        let mut query = target.query_pairs_mut();
        for (name, value) in params {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, target.to_string()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_named() {
        assert_eq!(single_valued(b"a=1&b=2&a=3").unwrap_err(), "a".to_owned());
        assert_eq!(single_valued(b"a=1&b=%20x").unwrap()["b"], " x");
    }

    #[test]
    fn s256_challenges_have_the_digest_shape() {
        assert!(is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!is_s256_challenge("short"));
        assert!(!is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }
}
