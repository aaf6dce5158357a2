//! The facade's consent step (MCP security best practices, "confused deputy"): before a
//! browser is sent to the identity provider on behalf of a dynamically registered client,
//! the user sees which client asks and where the result will go, and approves.
//!
//! - `/authorize` records the request as a transaction and redirects here; nothing is sent
//!   to the provider yet.
//! - `GET /consent?txn=…` shows the client name (marked unverified unless a metadata
//!   document's host vouches for it) and the exact redirect URI. Every render mints a CSRF
//!   token, stored server-side and mirrored in a cookie (double submit), so a prefetch or a
//!   second tab does not invalidate the first.
//! - `POST /consent` needs both the stored token and the cookie. On approval the sign-in
//!   gets its provider `state`, PKCE verifier and `nonce` (stored only now), and the browser
//!   gets a cookie binding it to that `state`, checked at `/auth/callback`: a provider URL
//!   approved in one browser and opened in another is refused there.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    response::Response,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use super::{
    ProxyState,
    authorize::{Checked, error_to_client, redirect_with, single_valued},
    cookies::Purpose,
    html::{self, escape},
    own_token::random_token,
    state_unavailable,
};

pub(crate) const CONSENT_PATH: &str = "/consent";

const TRANSACTIONS: &str = "oidcproxy.transactions";
const CSRF_TOKENS: &str = "oidcproxy.consent-csrf";
/// Approved sign-ins sent to the provider, keyed by the provider `state`.
pub(crate) const FLIGHTS: &str = "oidcproxy.upstream-states";

/// A checked authorization request waiting for the user's decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Transaction {
    pub(crate) client_id: String,
    pub(crate) client_name: Option<String>,
    pub(crate) from_document: bool,
    pub(crate) redirect_uri: String,
    pub(crate) client_state: String,
    pub(crate) code_challenge: String,
}

/// An approved sign-in at the provider.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Flight {
    pub(crate) transaction: Transaction,
    /// Our PKCE verifier towards the provider (the client's never leaves this server).
    pub(crate) code_verifier: String,
    pub(crate) nonce: String,
}

/// Records the checked request and sends the browser to the consent page.
pub(crate) async fn start(state: &ProxyState, checked: Checked) -> Response {
    let transaction = Transaction {
        client_id: checked.client_id,
        client_name: checked.client.client_name,
        from_document: checked.client.from_document,
        redirect_uri: checked.redirect_uri,
        client_state: checked.client_state,
        code_challenge: checked.code_challenge,
    };
    let txn = random_token();
    if let Err(err) = state
        .state
        .put(
            TRANSACTIONS,
            &txn,
            &transaction,
            Some(state.lifetimes.sign_in),
        )
        .await
    {
        return state_unavailable(&err);
    }
    let mut target = format!("{}{CONSENT_PATH}", state.config.base_url);
    target.push_str("?txn=");
    target.push_str(&txn);
    match Url::parse(&target) {
        Ok(url) => redirect_with(url, &[]),
        Err(_) => html::refusal("the server's base URL is not a URL"),
    }
}

/// `GET /consent?txn=…`.
pub(crate) async fn show(
    State(state): State<Arc<ProxyState>>,
    RawQuery(query): RawQuery,
) -> Response {
    if !state.limits.sign_ins.allow() {
        return html::busy();
    }
    let params = single_valued(query.as_deref().unwrap_or("").as_bytes()).unwrap_or_default();
    let Some(txn) = params.get("txn") else {
        return html::refusal("the consent page was opened without a sign-in request");
    };
    let transaction = match state.state.get::<Transaction>(TRANSACTIONS, txn).await {
        Ok(Some(t)) => t,
        Ok(None) => return expired(),
        Err(err) => return state_unavailable(&err),
    };
    let csrf = random_token();
    if let Err(err) = state
        .state
        .put(CSRF_TOKENS, &csrf, txn, Some(state.lifetimes.sign_in))
        .await
    {
        return state_unavailable(&err);
    }
    let mut response = html::page(
        StatusCode::OK,
        "Allow access to the Zscaler MCP Server?",
        &page_body(&state, &transaction, txn, &csrf),
    );
    if let Some(cookie) = state.cookies.issue(
        state.state.keys(),
        Purpose::Csrf,
        &csrf,
        state.lifetimes.sign_in.as_secs(),
    ) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn page_body(state: &ProxyState, t: &Transaction, txn: &str, csrf: &str) -> String {
    let name = t.client_name.as_deref().unwrap_or(&t.client_id);
    let origin = if t.from_document {
        Url::parse(&t.client_id)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .map(|host| format!("(identity published by <strong>{}</strong>)", escape(&host)))
            .unwrap_or_default()
    } else {
        "(name given by the application itself, not verified)".to_owned()
    };
    let redirect_host = Url::parse(&t.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    format!(
        "<p>The application <strong id=\"client-name\">{name}</strong> {origin} asks to use \
         the Zscaler MCP Server at <code>{base}</code> as you.</p>\
         <p>After you sign in with your organisation's identity provider, the result goes to \
         <strong>{host}</strong>:<br><code id=\"redirect-uri\">{redirect}</code></p>\
         <p>Sign-in permissions requested: <code>{scopes}</code></p>\
         <p class=\"warn\">Approve only if you just started this sign-in from that \
         application. If you did not, deny: someone may be trying to get access in your \
         name.</p>\
         <form method=\"post\" action=\"{CONSENT_PATH}\">\
         <input type=\"hidden\" name=\"txn\" value=\"{txn}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <div class=\"actions\">\
         <button id=\"approve\" type=\"submit\" name=\"action\" value=\"approve\">Approve</button>\
         <button id=\"deny\" type=\"submit\" name=\"action\" value=\"deny\">Deny</button>\
         </div></form>",
        name = escape(name),
        base = escape(&state.config.base_url),
        host = escape(&redirect_host),
        redirect = escape(&t.redirect_uri),
        scopes = escape(&state.config.scope_param()),
        txn = escape(txn),
        csrf = escape(csrf),
    )
}

/// `POST /consent`: `txn`, `csrf`, `action=approve|deny`.
pub(crate) async fn decide(
    State(state): State<Arc<ProxyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match single_valued(&body) {
        Ok(form) => form,
        Err(name) => return html::refusal(&format!("the {name} field is repeated")),
    };
    let (Some(txn), Some(csrf), Some(action)) =
        (form.get("txn"), form.get("csrf"), form.get("action"))
    else {
        return html::refusal("the consent form is incomplete");
    };
    if !state
        .cookies
        .vouches(state.state.keys(), &headers, Purpose::Csrf, csrf)
    {
        tracing::warn!("oidcproxy: consent form posted without its CSRF cookie; refused");
        return html::page(
            StatusCode::FORBIDDEN,
            "Consent refused",
            "<p>This approval did not come from the consent page shown in this browser \
             (its security cookie is missing or wrong). Restart the sign-in from your MCP \
             client.</p>",
        );
    }
    match state.state.take::<String>(CSRF_TOKENS, csrf).await {
        Ok(Some(for_txn)) if for_txn == *txn => {}
        Ok(_) => return expired(),
        Err(err) => return state_unavailable(&err),
    }
    let transaction = match state.state.take::<Transaction>(TRANSACTIONS, txn).await {
        Ok(Some(t)) => t,
        Ok(None) => return expired(),
        Err(err) => return state_unavailable(&err),
    };
    let clear_csrf = state.cookies.clear(Purpose::Csrf, csrf);
    let Ok(client_redirect) = Url::parse(&transaction.redirect_uri) else {
        return html::refusal("redirect_uri is not a URI");
    };
    if action != "approve" {
        tracing::info!(
            client_id = %transaction.client_id,
            "oidcproxy: the user denied consent"
        );
        let mut response = error_to_client(
            &state,
            client_redirect,
            Some(&transaction.client_state),
            "access_denied",
            "the user denied the request",
        );
        append_cookie(&mut response, clear_csrf);
        return response;
    }
    approve(&state, transaction, clear_csrf).await
}

/// Stores the sign-in under a fresh provider `state`, binds it to this browser and sends
/// the browser to the provider.
async fn approve(
    state: &ProxyState,
    transaction: Transaction,
    clear_csrf: Option<HeaderValue>,
) -> Response {
    let upstream_state = random_token();
    let flight = Flight {
        transaction,
        code_verifier: random_token(),
        nonce: random_token(),
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(flight.code_verifier.as_bytes()));
    if let Err(err) = state
        .state
        .put(
            FLIGHTS,
            &upstream_state,
            &flight,
            Some(state.lifetimes.sign_in),
        )
        .await
    {
        return state_unavailable(&err);
    }
    let callback = super::callback::callback_url(&state.config.base_url);
    let scope = state.config.scope_param();
    let mut response = redirect_with(
        state.config.authorization_endpoint.clone(),
        &[
            ("client_id", Some(&state.config.client_id)),
            ("response_type", Some("code")),
            ("redirect_uri", Some(&callback)),
            ("scope", Some(&scope)),
            ("state", Some(&upstream_state)),
            ("code_challenge", Some(&challenge)),
            ("code_challenge_method", Some("S256")),
            ("response_mode", Some("query")),
            ("nonce", Some(&flight.nonce)),
        ],
    );
    append_cookie(
        &mut response,
        state.cookies.issue(
            state.state.keys(),
            Purpose::Binding,
            &upstream_state,
            state.lifetimes.sign_in.as_secs(),
        ),
    );
    append_cookie(&mut response, clear_csrf);
    response
}

pub(crate) fn append_cookie(response: &mut Response, cookie: Option<HeaderValue>) {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

fn expired() -> Response {
    html::page(
        StatusCode::BAD_REQUEST,
        "Sign-in request expired",
        "<p>This sign-in request expired or was already used. Restart the sign-in from \
         your MCP client.</p>",
    )
}
