//! `GET /authorize`: checks the MCP client's request and sends the browser to the identity
//! provider with the client's own redirect URI, PKCE challenge and state (pass-through),
//! plus the provider client id, the configured scopes and a `nonce` this server remembers.
//!
//! The provider redirects the browser straight back to the client; the client then redeems
//! the code at our `/token`, which finds this authorization again by its PKCE challenge.
//! Until the client and redirect URI are known to belong together, errors are shown as a
//! page and never redirected (RFC 6749 §4.1.2.1), so this endpoint is no open redirector.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    extract::{RawQuery, State},
    response::{Html, IntoResponse, Response},
};
use http::{StatusCode, header};
use url::Url;

use super::{ProxyState, own_token::random_token, redirect_uri::same_redirect};

/// How long a started sign-in may take before its code can no longer be redeemed here.
pub(crate) const PENDING_TTL: Duration = Duration::from_secs(600);

/// A sign-in sent to the provider, keyed by the client's `code_challenge`.
#[derive(Debug, Clone)]
pub(crate) struct PendingAuthorization {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) nonce: String,
}

pub(crate) async fn authorize(
    State(state): State<Arc<ProxyState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match single_valued(query.as_deref().unwrap_or("")) {
        Ok(params) => params,
        Err(name) => return error_page(&format!("the {name} parameter is repeated")),
    };
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };

    let Some(client_id) = get("client_id") else {
        return error_page("client_id is missing");
    };
    let Some(client) = state.clients.get(client_id) else {
        return error_page(
            "this client is not registered here (the server may have restarted and \
             forgotten it); register again at /register",
        );
    };
    let redirect_uri = match get("redirect_uri") {
        Some(uri) if client.redirect_uris.iter().any(|r| same_redirect(r, uri)) => uri.to_owned(),
        Some(_) => return error_page("redirect_uri is not registered for this client"),
        None => match client.redirect_uris.as_slice() {
            [only] => only.clone(),
            _ => return error_page("redirect_uri is required: this client registered several"),
        },
    };
    let Ok(client_redirect) = Url::parse(&redirect_uri) else {
        return error_page("redirect_uri is not a URI");
    };

    // From here on the redirect URI is trusted: errors go back to the client.
    let state_param = get("state");
    let fail = |error: &str, description: &str| {
        redirect_with(
            client_redirect.clone(),
            &[
                ("error", Some(error)),
                ("error_description", Some(description)),
                ("state", state_param),
            ],
        )
    };
    if get("response_type") != Some("code") {
        return fail(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    let Some(code_challenge) = get("code_challenge") else {
        return fail("invalid_request", "PKCE is required: send code_challenge");
    };
    if get("code_challenge_method") != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    if !is_s256_challenge(code_challenge) {
        return fail(
            "invalid_request",
            "code_challenge must be a base64url SHA-256 digest (43 characters)",
        );
    }
    let Some(client_state) = state_param else {
        return fail("invalid_request", "state is required");
    };
    if let Some(resource) = get("resource")
        && resource.trim_end_matches('/') != state.config.resource
    {
        return fail(
            "invalid_target",
            &format!("resource must be {}", state.config.resource),
        );
    }

    let nonce = random_token();
    let pending = PendingAuthorization {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.clone(),
        nonce: nonce.clone(),
    };
    if !state
        .pending
        .insert_new(code_challenge.to_owned(), pending, PENDING_TTL)
    {
        return fail(
            "invalid_request",
            "this code_challenge is already in use; start a new sign-in",
        );
    }
    let scope = state.config.scope_param();
    redirect_with(
        state.config.authorization_endpoint.clone(),
        &[
            ("client_id", Some(&state.config.client_id)),
            ("response_type", Some("code")),
            ("redirect_uri", Some(&redirect_uri)),
            ("scope", Some(&scope)),
            ("state", Some(client_state)),
            ("code_challenge", Some(code_challenge)),
            ("code_challenge_method", Some("S256")),
            ("response_mode", Some("query")),
            ("nonce", Some(&nonce)),
        ],
    )
}

/// The query as a map, or the name of a parameter that appears twice (RFC 6749 §3.1:
/// request parameters must not be repeated).
fn single_valued(query: &str) -> Result<HashMap<String, String>, String> {
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
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
fn redirect_with(mut target: Url, params: &[(&str, Option<&str>)]) -> Response {
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

/// The 400 page for requests whose redirect URI cannot be trusted.
fn error_page(reason: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign-in request refused</title></head>\
         <body><h1>Sign-in request refused</h1><p>{}</p>\
         <p>Restart the sign-in from your MCP client.</p></body></html>",
        escape_html(reason)
    );
    (
        StatusCode::BAD_REQUEST,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; frame-ancestors 'none'",
            ),
        ],
        Html(body),
    )
        .into_response()
}

fn escape_html(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_named() {
        assert_eq!(single_valued("a=1&b=2&a=3").unwrap_err(), "a".to_owned());
        assert_eq!(single_valued("a=1&b=%20x").unwrap()["b"], " x");
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

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<a href='x'>&"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
    }
}
