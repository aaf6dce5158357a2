//! The OneAPI access token: fetched on first use, refreshed ahead of expiry by exactly one
//! caller while the others wait, and dropped when the gateway says it is no longer valid.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderValue};
use secrecy::SecretString;
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use crate::ApiError;
use crate::assertion::ClientAuth;
use crate::response::excerpt;
use crate::transport::describe_send_error;

/// The SDKs' assumption when a token response has no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// How long before expiry a token is renewed, for tokens that live long enough.
const REFRESH_SKEW: Duration = Duration::from_secs(60);

/// A token handed to one request; `generation` lets a 401 invalidate exactly this token and
/// not a newer one another request already fetched.
#[derive(Clone)]
pub(crate) struct IssuedToken {
    pub secret: SecretString,
    pub generation: u64,
}

struct CachedToken {
    issued: IssuedToken,
    refresh_at: Instant,
    expires_at: Instant,
}

/// Holds the current token; cheap to read, single-flight to refresh.
pub(crate) struct TokenCache {
    http: reqwest::Client,
    token_url: Url,
    client_id: String,
    auth: RwLock<Arc<ClientAuth>>,
    current: RwLock<Option<CachedToken>>,
    /// Held while a token request is in flight, so 100 callers on a cold cache cause one
    /// token request.
    refresh: Mutex<RefreshState>,
    /// Token requests started; tells a caller that waited for the lock whether the request it
    /// waited for has already failed.
    attempts: AtomicU64,
    /// Bumped by [`TokenCache::replace_auth`]: a token requested with the previous
    /// credentials while the switch happened is used once but not cached.
    auth_generation: AtomicU64,
    timeout: Duration,
}

#[derive(Default)]
struct RefreshState {
    generation: u64,
    last_error: Option<ApiError>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

impl TokenCache {
    pub(crate) fn new(
        http: reqwest::Client,
        token_url: Url,
        client_id: String,
        auth: ClientAuth,
        timeout: Duration,
    ) -> Self {
        Self {
            http,
            token_url,
            client_id,
            auth: RwLock::new(Arc::new(auth)),
            current: RwLock::new(None),
            refresh: Mutex::new(RefreshState::default()),
            attempts: AtomicU64::new(0),
            auth_generation: AtomicU64::new(0),
            timeout,
        }
    }

    /// A valid token, fetching one when there is none or the current one is due for renewal.
    pub(crate) async fn token(&self) -> Result<IssuedToken, ApiError> {
        if let Some(fresh) = self.cached(|t| Instant::now() < t.refresh_at) {
            return Ok(fresh);
        }
        let attempts_before = self.attempts.load(Ordering::Acquire);
        let mut state = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited for the lock: share its
        // token, or its failure, instead of asking the token endpoint again.
        if let Some(fresh) = self.cached(|t| Instant::now() < t.refresh_at) {
            return Ok(fresh);
        }
        if self.attempts.load(Ordering::Acquire) != attempts_before
            && let Some(err) = &state.last_error
        {
            return Err(err.clone());
        }
        self.attempts.fetch_add(1, Ordering::AcqRel);
        let auth_generation = self.auth_generation.load(Ordering::Acquire);
        let outcome = self.request_token().await;
        state.last_error = outcome.as_ref().err().cloned();
        match outcome {
            Ok((secret, lifetime)) => {
                state.generation += 1;
                let issued = IssuedToken {
                    secret,
                    generation: state.generation,
                };
                let now = Instant::now();
                let cached = CachedToken {
                    issued: issued.clone(),
                    refresh_at: now + lifetime.saturating_sub(refresh_skew(lifetime)),
                    expires_at: now + lifetime,
                };
                if self.auth_generation.load(Ordering::Acquire) == auth_generation {
                    *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(cached);
                }
                Ok(issued)
            }
            // A failed early renewal is not fatal while the old token is still valid.
            Err(err) => match self.cached(|t| Instant::now() < t.expires_at) {
                Some(still_valid) => {
                    tracing::warn!(error = %err, "OneAPI token renewal failed; using the current token until it expires");
                    Ok(still_valid)
                }
                None => Err(err),
            },
        }
    }

    /// Forgets the token of `generation` after the gateway rejected it; a newer token is kept.
    pub(crate) fn invalidate(&self, generation: u64) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|t| t.issued.generation == generation)
        {
            *current = None;
        }
    }

    /// Uses new credentials from now on; the token issued to the old ones is dropped.
    pub(crate) fn replace_auth(&self, auth: ClientAuth) {
        *self.auth.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(auth);
        self.auth_generation.fetch_add(1, Ordering::AcqRel);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn cached(&self, usable: impl Fn(&CachedToken) -> bool) -> Option<IssuedToken> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|t| usable(t))
            .map(|t| t.issued.clone())
    }

    async fn request_token(&self) -> Result<(SecretString, Duration), ApiError> {
        let auth = Arc::clone(&self.auth.read().unwrap_or_else(PoisonError::into_inner));
        let form = auth.form(&self.client_id).map_err(ApiError::Auth)?;
        tracing::debug!(token_url = %self.token_url, "requesting a OneAPI token");
        let response = self
            .http
            .post(self.token_url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .form(&form)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| {
                ApiError::Auth(format!(
                    "token endpoint {} failed: {}",
                    self.token_url,
                    describe_send_error(&e, self.timeout)
                ))
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| {
            ApiError::Auth(format!(
                "token endpoint {} failed while sending its answer: {}",
                self.token_url,
                describe_send_error(&e, self.timeout)
            ))
        })?;
        if !status.is_success() {
            return Err(ApiError::Auth(
                self.describe_refusal(status.as_u16(), &body),
            ));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
            ApiError::Auth(format!(
                "token endpoint {} answered HTTP {} without an access_token",
                self.token_url,
                status.as_u16()
            ))
        })?;
        if parsed.access_token.is_empty() {
            return Err(ApiError::Auth(format!(
                "token endpoint {} answered with an empty access_token",
                self.token_url
            )));
        }
        let lifetime = parsed
            .expires_in
            .as_ref()
            .and_then(expires_in_seconds)
            .map_or(DEFAULT_LIFETIME, Duration::from_secs);
        Ok((SecretString::from(parsed.access_token), lifetime))
    }

    /// The refusal, as the endpoint worded it (RFC 6749 `error`/`error_description`), with a
    /// hint on what to check. The body is quoted only when it is not OAuth JSON, and never
    /// contains what was sent.
    fn describe_refusal(&self, status: u16, body: &[u8]) -> String {
        let detail = match serde_json::from_slice::<OAuthError>(body) {
            Ok(OAuthError {
                error: Some(error),
                error_description: Some(description),
            }) => format!(": {error}: {description}"),
            Ok(OAuthError {
                error: Some(error), ..
            }) => format!(": {error}"),
            _ if body.is_empty() => String::new(),
            _ => format!(": {}", excerpt(body)),
        };
        let hint = match status {
            400 | 401 | 403 => {
                " (check ZSCALER_CLIENT_ID, the client secret or private key, ZSCALER_VANITY_DOMAIN and ZSCALER_CLOUD)"
            }
            _ => "",
        };
        format!(
            "token endpoint {} answered HTTP {status}{detail}{hint}",
            self.token_url
        )
    }
}

/// Renew 60 s early, or 10% early for tokens shorter than ten minutes, so a short-lived token
/// is not renewed on every call.
fn refresh_skew(lifetime: Duration) -> Duration {
    REFRESH_SKEW.min(lifetime / 10)
}

/// `expires_in` is an integer in OneAPI answers; some mocks send it as a string.
fn expires_in_seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_is_a_minute_or_a_tenth_of_short_lifetimes() {
        assert_eq!(refresh_skew(Duration::from_secs(86399)), REFRESH_SKEW);
        assert_eq!(refresh_skew(Duration::from_secs(600)), REFRESH_SKEW);
        assert_eq!(
            refresh_skew(Duration::from_secs(100)),
            Duration::from_secs(10)
        );
        assert_eq!(refresh_skew(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn expires_in_as_number_or_string() {
        assert_eq!(expires_in_seconds(&serde_json::json!(86399)), Some(86399));
        assert_eq!(expires_in_seconds(&serde_json::json!("3600")), Some(3600));
        assert_eq!(expires_in_seconds(&serde_json::json!(-5)), None);
        assert_eq!(expires_in_seconds(&serde_json::json!(null)), None);
    }
}
