//! The identity provider's token endpoint (and discovery document), as this server calls
//! them server-side.
//!
//! Only the ID token and refresh token are kept from a token response: the provider's
//! access token is dropped on arrival, so it can never reach an MCP client.

use std::{sync::Arc, time::Duration};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use serde_json::Value;

use super::{config::Discovered, credential::Credential, own_token::Identity};
use crate::{outbound, validator::TokenValidator};

/// Upper bound on any call to the provider.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the provider's token endpoint returned that this server uses.
pub(crate) struct UpstreamTokens {
    pub(crate) id_token: Option<String>,
    pub(crate) refresh_token: Option<SecretString>,
    /// The scopes the provider granted, when it says.
    pub(crate) scope: Option<String>,
}

/// What this server keeps to refresh at the provider: its refresh token and the scopes it
/// was granted with, which a refresh asks for again (Entra ID wants a scope on every token
/// request; other providers refuse scopes the refresh token does not carry).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct UpstreamGrant {
    pub(crate) refresh_token: String,
    pub(crate) scope: Option<String>,
}

/// Sessions and codes holding a grant are `Debug`; the provider's token must not show.
impl std::fmt::Debug for UpstreamGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamGrant")
            .field("refresh_token", &"[redacted]")
            .field("scope", &self.scope)
            .finish()
    }
}

impl UpstreamTokens {
    /// The grant to keep, if the provider gave a refresh token.
    pub(crate) fn grant(&self) -> Option<UpstreamGrant> {
        self.refresh_token.as_ref().map(|token| UpstreamGrant {
            refresh_token: token.expose_secret().to_owned(),
            scope: self.scope.clone(),
        })
    }
}

/// Why a provider call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UpstreamError {
    /// The provider answered with an OAuth error (AADSTS codes are in `description`).
    Rejected {
        error: String,
        description: Option<String>,
    },
    /// No usable answer (network, timeout, non-JSON body).
    Unavailable(String),
}

impl UpstreamError {
    /// The provider's `invalid_grant`: the code or refresh token is dead for good.
    pub(crate) fn is_invalid_grant(&self) -> bool {
        matches!(self, UpstreamError::Rejected { error, .. } if error == "invalid_grant")
    }
}

/// Calls the provider's token endpoint as the app registration of the guide.
pub(crate) struct Upstream {
    http: reqwest::Client,
    token_endpoint: Url,
    client_id: String,
    credential: Option<Arc<Credential>>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("token_endpoint", &self.token_endpoint.as_str())
            .field("client_id", &self.client_id)
            .field("credential", &self.credential)
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: String,
    error_description: Option<String>,
}

/// Reads `issuer` and the endpoints from an OpenID configuration document.
pub(crate) async fn fetch_discovery(url: &Url) -> Result<Discovered, String> {
    let http = outbound::client_for(url, TIMEOUT, true)?;
    let response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| outbound::describe(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let body = outbound::read_body(response).await?;
    serde_json::from_slice(&body).map_err(|_| "not an OpenID configuration document".to_owned())
}

impl Upstream {
    /// A client for `token_endpoint` that never follows redirects: a token endpoint that
    /// redirects is misconfigured, and following would resend the form elsewhere.
    pub(crate) fn new(
        token_endpoint: Url,
        client_id: String,
        credential: Option<Arc<Credential>>,
    ) -> Result<Self, String> {
        Ok(Self {
            http: outbound::client_for(&token_endpoint, TIMEOUT, false)?,
            token_endpoint,
            client_id,
            credential,
        })
    }

    /// Redeems an authorization code with the client's PKCE verifier and redirect URI:
    /// the provider checks both against what it saw at its authorization endpoint.
    pub(crate) async fn redeem_code(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
        scope: &str,
    ) -> Result<UpstreamTokens, UpstreamError> {
        self.call(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", code_verifier),
            ("redirect_uri", redirect_uri),
            ("scope", scope),
        ])
        .await
    }

    /// Exchanges a provider refresh token; the scope is re-sent because Entra ID wants one
    /// per token request.
    pub(crate) async fn refresh(
        &self,
        refresh_token: &SecretString,
        scope: &str,
    ) -> Result<UpstreamTokens, UpstreamError> {
        self.call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
            ("scope", scope),
        ])
        .await
    }

    async fn call(&self, params: &[(&str, &str)]) -> Result<UpstreamTokens, UpstreamError> {
        let mut form: Vec<(&str, String)> =
            params.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        form.push(("client_id", self.client_id.clone()));
        if let Some(credential) = &self.credential {
            form.extend(
                credential
                    .form_fields(&self.client_id, self.token_endpoint.as_str())
                    .map_err(UpstreamError::Unavailable)?,
            );
        }
        let response = self
            .http
            .post(self.token_endpoint.clone())
            .header(http::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| UpstreamError::Unavailable(outbound::describe(&e)))?;
        let status = response.status();
        let body = outbound::read_body(response)
            .await
            .map_err(UpstreamError::Unavailable)?;
        if status.is_success() {
            let tokens: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
                UpstreamError::Unavailable(format!(
                    "the token endpoint answered HTTP {status} with a body that is not a token \
                     response"
                ))
            })?;
            return Ok(UpstreamTokens {
                id_token: tokens.id_token,
                refresh_token: tokens.refresh_token.map(SecretString::from),
                scope: tokens.scope.filter(|s| !s.trim().is_empty()),
            });
        }
        match serde_json::from_slice::<ErrorResponse>(&body) {
            Ok(err) => Err(UpstreamError::Rejected {
                error: err.error,
                description: err.error_description,
            }),
            Err(_) => Err(UpstreamError::Unavailable(format!(
                "the token endpoint answered HTTP {status} without an OAuth error"
            ))),
        }
    }
}

/// Validates the provider's ID token (signature, `iss`, `aud` = provider client id, `exp`,
/// and `nonce` when this server sent one) and copies the identity claims. The error is
/// worded for the client (and logged for the operator, with the Entra hint if any).
pub(crate) async fn verified_identity(
    id_tokens: &TokenValidator,
    upstream: &UpstreamTokens,
    nonce: Option<&str>,
) -> Result<Identity, String> {
    let id_token = upstream.id_token.as_deref().ok_or_else(|| {
        tracing::warn!(
            "oidcproxy: the identity provider returned no id_token; is openid in \
             OIDCPROXY_AUTH_SCOPES and the app allowed to sign users in?"
        );
        "the identity provider returned no ID token, so the user cannot be identified".to_owned()
    })?;
    let claims = id_tokens.validate(id_token).await.map_err(|err| {
        tracing::warn!("oidcproxy: the identity provider's ID token was refused: {err}");
        format!("the identity provider's ID token was refused: {err}")
    })?;
    if let Some(expected) = nonce
        && claims.get("nonce").and_then(Value::as_str) != Some(expected)
    {
        tracing::warn!("oidcproxy: the identity provider's ID token has the wrong nonce");
        return Err("the identity provider's ID token does not carry this sign-in's nonce".into());
    }
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let sub = text("sub")
        .ok_or_else(|| "the identity provider's ID token has no sub claim".to_owned())?;
    Ok(Identity {
        sub,
        oid: text("oid"),
        tid: text("tid"),
        preferred_username: text("preferred_username"),
        email: text("email"),
        name: text("name"),
    })
}
