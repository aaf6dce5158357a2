//! The OneAPI token endpoint and the access tokens it issues (HS256 JWTs signed with a key
//! drawn at start-up, so only this process can mint them).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::params::Params;
use crate::reply;
use crate::state::{SimState, lock, now_secs};

/// The audience every OneAPI token request names.
pub(crate) const AUDIENCE: &str = "https://api.zscaler.com";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

#[derive(Serialize, Deserialize)]
struct ServiceInfo {
    prd: String,
    rnm: String,
    tnt: String,
}

#[derive(Serialize, Deserialize)]
struct AccessClaims {
    iss: String,
    sub: String,
    aud: String,
    iat: u64,
    exp: u64,
    jti: String,
    /// Token generation: `expire_all` bumps the current one, which voids older tokens.
    #[serde(rename = "gen")]
    gen_: u64,
    #[serde(rename = "service-info")]
    service_info: Vec<ServiceInfo>,
}

/// Mints and checks the simulator's access tokens.
pub(crate) struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    generation: AtomicU64,
}

impl TokenIssuer {
    pub fn new() -> Self {
        let key: [u8; 32] = rand::rng().random();
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            generation: AtomicU64::new(0),
        }
    }

    /// A token for `client_id` entitled to `products`; empty if signing failed (it cannot with
    /// an HMAC key, and an empty token is simply refused by the gateway).
    pub fn issue(&self, client_id: &str, ttl_secs: u64, products: &[String]) -> String {
        let now = now_secs();
        let claims = AccessClaims {
            iss: "zscaler-sim".into(),
            sub: client_id.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now.saturating_add(ttl_secs),
            jti: request_id(),
            gen_: self.generation.load(Ordering::SeqCst),
            service_info: products
                .iter()
                .map(|prd| ServiceInfo {
                    prd: prd.clone(),
                    rnm: "Super Admin".into(),
                    tnt: "acme".into(),
                })
                .collect(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    /// The products a valid, unexpired, current-generation token grants; `None` otherwise.
    pub fn products(&self, token: &str) -> Option<Vec<String>> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_audience(&[AUDIENCE]);
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation).ok()?;
        if data.claims.gen_ != self.generation.load(Ordering::SeqCst) {
            return None;
        }
        Some(
            data.claims
                .service_info
                .into_iter()
                .map(|s| s.prd)
                .collect(),
        )
    }

    pub fn expire_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

/// A random UUID-shaped id (version 4 layout) for `x-oneapi-request-id` and token ids.
pub(crate) fn request_id() -> String {
    let b: [u8; 16] = rand::rng().random();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or("");
    format!(
        "{}-{}-4{}-a{}-{}",
        part(0, 8),
        part(8, 12),
        part(13, 16),
        part(17, 20),
        part(20, 32)
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    reply::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// `POST /oauth2/v1/token`.
pub(crate) async fn token_endpoint(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let form = Params::parse(&String::from_utf8_lossy(&body));
    if form.get("grant_type") != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    if form.get("audience") != Some(AUDIENCE) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "audience must be https://api.zscaler.com",
        );
    }
    let Some(client_id) = form.get("client_id").filter(|c| !c.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is required",
        );
    };
    let authenticated = if let Some(secret) = form.get("client_secret") {
        client_id == state.config.client_id && secret == lock(&state.secret).as_str()
    } else if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type") != Some(ASSERTION_TYPE) {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            );
        }
        client_id == state.config.client_id
            && state
                .config
                .client_public_key_pem
                .as_deref()
                .is_some_and(|pem| assertion_is_valid(pem, assertion, client_id))
    } else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_secret or client_assertion is required",
        );
    };
    if !authenticated {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    reply::json(
        StatusCode::OK,
        &json!({
            "access_token": state.issue_token(),
            "token_type": "Bearer",
            "expires_in": state.config.token_ttl_secs,
        }),
    )
}

/// Checks an RS256 client assertion: signature, `iss` = `sub` = client id, audience, expiry.
fn assertion_is_valid(public_key_pem: &str, assertion: &str, client_id: &str) -> bool {
    let Ok(key) = DecodingKey::from_rsa_pem(public_key_pem.as_bytes()) else {
        return false;
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 0;
    validation.set_audience(&[AUDIENCE]);
    validation.set_issuer(&[client_id]);
    validation.sub = Some(client_id.to_owned());
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    jsonwebtoken::decode::<serde_json::Value>(assertion, &key, &validation).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_until_expired_all() {
        let issuer = TokenIssuer::new();
        let token = issuer.issue("c", 60, &["ZIA".to_owned()]);
        assert_eq!(issuer.products(&token), Some(vec!["ZIA".to_owned()]));
        issuer.expire_all();
        assert_eq!(issuer.products(&token), None);
    }

    #[test]
    fn other_process_tokens_are_refused() {
        let token = TokenIssuer::new().issue("c", 60, &[]);
        assert_eq!(TokenIssuer::new().products(&token), None);
    }

    #[test]
    fn request_id_is_uuid_shaped() {
        let id = request_id();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, vec![8, 4, 4, 4, 12]);
    }
}
