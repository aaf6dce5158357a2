//! The `zscaler` mode: a client proves itself with OneAPI client credentials, which are
//! checked by asking the tenant's OneAPI token endpoint for a token.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use http::{HeaderMap, header};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use url::Url;

use crate::{AuthConfigError, AuthEnv, AuthMode, Principal, outbound, rejection::Rejection};

/// Timeout of one token request (the Python server's).
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);
/// The audience every OneAPI token request names.
const ONEAPI_AUDIENCE: &str = "https://api.zscaler.com";
/// A validation is reused until the token's lifetime minus this margin.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);
/// Token lifetime assumed when the response has no `expires_in`.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// How long a refused credential stays refused without asking OneAPI again: long enough
/// to blunt guessing through this server, short enough that a corrected secret works at once.
pub const FAILURE_CACHE: Duration = Duration::from_secs(5);
/// Above this many cached credentials, expired entries are dropped on the next insert.
const PRUNE_ABOVE: usize = 1024;

const MISSING: &str = "Missing credentials. Send 'X-Zscaler-Client-ID' and \
     'X-Zscaler-Client-Secret' headers, or 'Authorization: Basic base64(client_id:client_secret)'";
const INCOMPLETE: &str =
    "Both X-Zscaler-Client-ID and X-Zscaler-Client-Secret headers are required";
const EXPECTED_BASIC: &str = "Expected: Authorization: Basic base64(client_id:client_secret), or \
     X-Zscaler-Client-ID and X-Zscaler-Client-Secret headers";
const BAD_BASE64: &str = "Invalid Base64 encoding in Basic auth header";
const BAD_BASIC: &str = "Invalid Basic auth credentials: expected base64(client_id:client_secret)";
const INVALID: &str = "Invalid OneAPI credentials";

/// The `zscaler` mode.
#[derive(Debug)]
pub struct ZscalerAuth {
    token_url: Url,
    vanity_domain: Option<String>,
    cloud: String,
    http: reqwest::Client,
    cache: Mutex<HashMap<[u8; 32], Arc<Slot>>>,
    last_prune: Mutex<Instant>,
}

/// The cached outcome for one credential; its async lock makes concurrent requests with the
/// same credential share one token request.
#[derive(Debug, Default)]
struct Slot {
    outcome: tokio::sync::Mutex<Option<Cached>>,
}

#[derive(Debug, Clone, Copy)]
struct Cached {
    valid: bool,
    until: Instant,
}

/// A credential as presented.
struct Presented {
    client_id: String,
    secret: SecretString,
}

impl ZscalerAuth {
    /// Reads the settings; nothing is fetched (credentials arrive with requests).
    ///
    /// # Errors
    /// No vanity domain (and no token URL override), or an invalid cloud, vanity domain or
    /// override.
    pub fn start(env: &AuthEnv) -> Result<Self, AuthConfigError> {
        let setting = |reason: String| AuthConfigError::Setting {
            mode: AuthMode::Zscaler,
            reason,
        };
        let cloud = env
            .oneapi
            .cloud
            .as_deref()
            .unwrap_or("production")
            .to_ascii_lowercase();
        // The caller (the binary) derives the URL from vanity domain and cloud with
        // `zmcp_zscaler::oneapi_token_url`, so the cloud mapping exists once.
        let token_url = match &env.oneapi.token_url {
            Some(url) => outbound::parse_url("ZSCALER_MCP_TOKEN_URL", url).map_err(setting)?,
            None => {
                return Err(setting(
                    "zscaler auth mode requires a valid ZSCALER_VANITY_DOMAIN (the tenant's vanity \
                     domain label, e.g. acme for acme.zslogin.net, with ZSCALER_CLOUD if not \
                     production) or ZSCALER_MCP_TOKEN_URL: client credentials are checked \
                     against that tenant's OneAPI token endpoint"
                        .to_owned(),
                ));
            }
        };
        let http = outbound::client_for(&token_url, TOKEN_TIMEOUT, false).map_err(setting)?;
        tracing::info!("Zscaler OneAPI auth provider initialized (token_url={token_url})");
        Ok(Self {
            token_url,
            vanity_domain: env.vanity_domain.clone(),
            cloud,
            http,
            cache: Mutex::new(HashMap::new()),
            last_prune: Mutex::new(Instant::now()),
        })
    }

    /// The OneAPI token endpoint credentials are checked against.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// `ZSCALER_VANITY_DOMAIN`.
    pub fn vanity_domain(&self) -> Option<&str> {
        self.vanity_domain.as_deref()
    }

    /// `ZSCALER_CLOUD` (lower case; `production` when unset).
    pub fn cloud(&self) -> &str {
        &self.cloud
    }

    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Rejection> {
        let presented = presented(headers).map_err(|m| Rejection::unauthorized("Basic", m))?;
        let key = cache_key(&presented);
        let slot = self.slot(key);
        let mut outcome = slot.outcome.lock().await;
        let now = Instant::now();
        let cached = outcome.filter(|c| now < c.until);
        let valid = match cached {
            Some(c) => c.valid,
            None => match self.request_token(&presented).await {
                Ok(lifetime) => {
                    *outcome = lifetime
                        .checked_sub(EXPIRY_MARGIN)
                        .filter(|d| !d.is_zero())
                        .map(|d| Cached {
                            valid: true,
                            until: now + d,
                        });
                    true
                }
                Err(TokenError::Invalid) => {
                    *outcome = Some(Cached {
                        valid: false,
                        until: now + FAILURE_CACHE,
                    });
                    false
                }
                Err(TokenError::Other(message)) => {
                    *outcome = None;
                    return Err(Rejection::unauthorized("Basic", message));
                }
            },
        };
        if valid {
            Ok(Principal::named(
                format!("zscaler:{}", outbound::printable(&presented.client_id, 120)),
                AuthMode::Zscaler,
            ))
        } else {
            Err(Rejection::unauthorized("Basic", INVALID))
        }
    }

    fn slot(&self, key: [u8; 32]) -> Arc<Slot> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() > PRUNE_ABOVE && !cache.contains_key(&key) {
            self.prune(&mut cache);
        }
        cache.entry(key).or_default().clone()
    }

    /// Drops entries nobody is using whose outcome has expired, at most once a second so a
    /// flood of distinct credentials costs linear, not quadratic, time.
    fn prune(&self, cache: &mut HashMap<[u8; 32], Arc<Slot>>) {
        let now = Instant::now();
        let mut last = self
            .last_prune
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if now.saturating_duration_since(*last) < Duration::from_secs(1) {
            return;
        }
        *last = now;
        cache.retain(|_, slot| {
            Arc::strong_count(slot) > 1
                || slot
                    .outcome
                    .try_lock()
                    .map_or(true, |o| o.is_some_and(|c| now < c.until))
        });
    }

    /// Asks OneAPI for a token; `Ok` carries the token's lifetime. The token itself is
    /// dropped: only the fact that the credential works is kept.
    async fn request_token(&self, presented: &Presented) -> Result<Duration, TokenError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", presented.client_id.as_str()),
            ("client_secret", presented.secret.expose_secret()),
            ("audience", ONEAPI_AUDIENCE),
        ];
        let response = self
            .http
            .post(self.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                TokenError::Other(if e.is_timeout() {
                    "OneAPI /token request timed out".to_owned()
                } else {
                    format!(
                        "Cannot reach OneAPI auth endpoint ({})",
                        if e.is_connect() {
                            "ConnectError"
                        } else {
                            "RequestError"
                        }
                    )
                })
            })?;
        let status = response.status().as_u16();
        if matches!(status, 400 | 401 | 403) {
            return Err(TokenError::Invalid);
        }
        if status != 200 {
            return Err(TokenError::Other(format!(
                "OneAPI /token returned HTTP {status}"
            )));
        }
        let body = outbound::read_body(response)
            .await
            .map_err(|_| TokenError::Other("OneAPI /token request timed out".to_owned()))?;
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let has_token = json
            .get("access_token")
            .and_then(|t| t.as_str())
            .is_some_and(|t| !t.is_empty());
        if !has_token {
            return Err(TokenError::Other(
                "OneAPI /token response did not include access_token".to_owned(),
            ));
        }
        Ok(json
            .get("expires_in")
            .and_then(serde_json::Value::as_u64)
            .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs))
    }
}

enum TokenError {
    /// OneAPI refused the credential (400/401/403).
    Invalid,
    /// Anything else, already worded for the client.
    Other(String),
}

/// The credential from `X-Zscaler-Client-ID`/`-Secret` (checked first) or Basic auth.
fn presented(headers: &HeaderMap) -> Result<Presented, &'static str> {
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (
        header_text("x-zscaler-client-id"),
        header_text("x-zscaler-client-secret"),
    ) {
        (Some(id), Some(secret)) => {
            return Ok(Presented {
                client_id: id.to_owned(),
                secret: SecretString::from(secret.to_owned()),
            });
        }
        (Some(_), None) | (None, Some(_)) => return Err(INCOMPLETE),
        (None, None) => {}
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .ok_or(MISSING)?
        .to_str()
        .map_err(|_| EXPECTED_BASIC)?;
    let (scheme, encoded) = authorization.trim().split_once(' ').ok_or(EXPECTED_BASIC)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(EXPECTED_BASIC);
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| BAD_BASE64)?;
    let decoded = String::from_utf8(decoded).map_err(|_| BAD_BASIC)?;
    let (id, secret) = decoded.split_once(':').ok_or(BAD_BASIC)?;
    if id.is_empty() || secret.is_empty() {
        return Err(BAD_BASIC);
    }
    Ok(Presented {
        client_id: id.to_owned(),
        secret: SecretString::from(secret.to_owned()),
    })
}

/// SHA-256 of `id:secret`: the cache never holds the secret itself.
fn cache_key(presented: &Presented) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(presented.client_id.as_bytes());
    hasher.update(b":");
    hasher.update(presented.secret.expose_secret().as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn credential_extraction() {
        let p = presented(&headers(&[
            ("x-zscaler-client-id", "id1"),
            ("x-zscaler-client-secret", "s1"),
            ("authorization", "Basic aWQyOnMy"),
        ]))
        .unwrap();
        assert_eq!(p.client_id, "id1", "X- headers are checked first");
        let p = presented(&headers(&[("authorization", "basic aWQyOnMy")])).unwrap();
        assert_eq!(
            (p.client_id.as_str(), p.secret.expose_secret()),
            ("id2", "s2")
        );
        let err = |h: &[(&str, &str)]| presented(&headers(h)).err().unwrap();
        assert_eq!(err(&[]), MISSING);
        assert_eq!(err(&[("x-zscaler-client-id", "a")]), INCOMPLETE);
        assert_eq!(err(&[("authorization", "Basic !!!")]), BAD_BASE64);
        assert_eq!(err(&[("authorization", "Basic bm9jb2xvbg==")]), BAD_BASIC);
        assert_eq!(err(&[("authorization", "Bearer x")]), EXPECTED_BASIC);
    }

    #[test]
    fn cache_key_is_sha256_of_id_colon_secret() {
        let key = cache_key(&Presented {
            client_id: "a".into(),
            secret: SecretString::from("b".to_owned()),
        });
        let expected: [u8; 32] = Sha256::digest(b"a:b").into();
        assert_eq!(key, expected);
    }
}
