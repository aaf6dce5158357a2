//! The identity provider's signing keys: parsed from a JWKS, cached with the TTL the IdP
//! asks for, refreshed when a token names a key we have not seen (keys rotate), and kept
//! when the IdP is briefly unreachable.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

use jsonwebtoken::{
    Algorithm, DecodingKey,
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse},
};
use tokio::time::Instant;
use url::Url;

use crate::outbound;

/// Shortest time keys are cached: an IdP that says `no-store` or `max-age=0` would otherwise
/// be asked on every request.
pub const MIN_TTL: Duration = Duration::from_secs(5 * 60);
/// Longest time keys are cached, whatever the IdP says: revoked keys must go eventually.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Cache lifetime when the IdP sends no `Cache-Control: max-age`.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);
/// At most one fetch per this interval, whatever triggers it: a client sending tokens with
/// random `kid`s (kid spraying) must not turn this server into a load generator against
/// the IdP, and an unreachable IdP is not retried on every request.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// Timeout of one JWKS fetch.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The key types and curves a token can be verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA: RS256/384/512 and PS256/384/512.
    Rsa,
    /// EC P-256: ES256.
    EcP256,
    /// EC P-384: ES384.
    EcP384,
    /// OKP Ed25519: EdDSA.
    Ed25519,
}

impl KeyKind {
    /// Whether a key of this kind can verify `alg` (RFC 7518 section 3.1).
    pub fn verifies(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            KeyKind::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            KeyKind::EcP256 => alg == ES256,
            KeyKind::EcP384 => alg == ES384,
            KeyKind::Ed25519 => alg == EdDSA,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Rsa => "RSA",
            KeyKind::EcP256 => "EC P-256",
            KeyKind::EcP384 => "EC P-384",
            KeyKind::Ed25519 => "Ed25519",
        })
    }
}

/// One usable public signing key.
#[derive(Clone)]
pub struct VerificationKey {
    kid: Option<String>,
    kind: KeyKind,
    /// The JWK's `alg`, when it pins one.
    alg: Option<Algorithm>,
    key: DecodingKey,
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl VerificationKey {
    /// Builds a key from a JWK, or says why the JWK cannot verify signatures here:
    /// symmetric (`oct`) keys, encryption keys and unsupported curves are refused.
    ///
    /// # Errors
    /// The reason, for a log line.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, String> {
        let kid = jwk.common.key_id.clone();
        if let Some(usage) = &jwk.common.public_key_use
            && *usage != PublicKeyUse::Signature
        {
            return Err("its \"use\" is not \"sig\"".to_owned());
        }
        let kind = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => KeyKind::Rsa,
            AlgorithmParameters::EllipticCurve(ec) => match &ec.curve {
                EllipticCurve::P256 => KeyKind::EcP256,
                EllipticCurve::P384 => KeyKind::EcP384,
                other => return Err(format!("curve {other:?} is not supported")),
            },
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                KeyKind::Ed25519
            }
            AlgorithmParameters::OctetKeyPair(okp) => {
                return Err(format!("curve {:?} is not supported", okp.curve));
            }
            AlgorithmParameters::OctetKey(_) => {
                return Err("symmetric (oct) keys are never used".to_owned());
            }
            _ => return Err("unknown key type".to_owned()),
        };
        let alg = match jwk.common.key_algorithm {
            None => None,
            Some(declared) => Some(signing_algorithm(declared).ok_or_else(|| {
                format!("its \"alg\" {declared} is not an asymmetric signature algorithm")
            })?),
        };
        if let Some(alg) = alg
            && !kind.verifies(alg)
        {
            return Err(format!("its \"alg\" {alg:?} does not fit a {kind} key"));
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("invalid key material: {e}"))?;
        Ok(Self {
            kid,
            kind,
            alg,
            key,
        })
    }

    /// The JWK's `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key type.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The JWK's `alg`, when it pins one.
    pub fn pinned_alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// Whether this key may verify a token signed with `alg`: the JWK's `alg` when it has
    /// one, else what the key type allows.
    pub fn accepts(&self, alg: Algorithm) -> bool {
        match self.alg {
            Some(pinned) => pinned == alg,
            None => self.kind.verifies(alg),
        }
    }

    pub(crate) fn decoding_key(&self) -> &DecodingKey {
        &self.key
    }
}

/// The asymmetric signature algorithm a JWK `alg` names, if it names one.
fn signing_algorithm(alg: KeyAlgorithm) -> Option<Algorithm> {
    use KeyAlgorithm as K;
    Some(match alg {
        K::RS256 => Algorithm::RS256,
        K::RS384 => Algorithm::RS384,
        K::RS512 => Algorithm::RS512,
        K::PS256 => Algorithm::PS256,
        K::PS384 => Algorithm::PS384,
        K::PS512 => Algorithm::PS512,
        K::ES256 => Algorithm::ES256,
        K::ES384 => Algorithm::ES384,
        K::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}

/// The usable keys of one JWKS document.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<Arc<VerificationKey>>,
}

impl KeySet {
    /// Parses a JWKS document. Keys that cannot verify signatures here are skipped (each
    /// with a DEBUG line), as RFC 7517 section 5 asks; a document that is not a JWKS is an
    /// error.
    ///
    /// # Errors
    /// When `body` is not a JSON object with a `keys` array.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(body)
            .map_err(|e| format!("the response is not a JWKS document: {e}"))?;
        let mut keys = Vec::new();
        for (index, raw) in document.keys.into_iter().enumerate() {
            let parsed = serde_json::from_value::<Jwk>(raw)
                .map_err(|e| format!("not a JWK: {e}"))
                .and_then(|jwk| VerificationKey::from_jwk(&jwk));
            match parsed {
                Ok(key) => keys.push(Arc::new(key)),
                Err(reason) => tracing::debug!("JWKS key #{index} skipped: {reason}"),
            }
        }
        Ok(Self { keys })
    }

    /// Builds a set from keys already parsed.
    pub fn from_keys(keys: Vec<VerificationKey>) -> Self {
        Self {
            keys: keys.into_iter().map(Arc::new).collect(),
        }
    }

    /// How many usable keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key a token names by `kid`; without a `kid`, the only key that accepts `alg`.
    /// `None` means "not in this set" (worth a refresh); an ambiguous `kid`-less token is
    /// an error a refresh cannot fix.
    fn select(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Option<Arc<VerificationKey>>, KeyError> {
        if let Some(kid) = kid {
            return Ok(self.keys.iter().find(|k| k.kid() == Some(kid)).cloned());
        }
        let mut fitting = self.keys.iter().filter(|k| k.accepts(alg));
        match (fitting.next(), fitting.next()) {
            (Some(only), None) => Ok(Some(only.clone())),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(KeyError::AmbiguousWithoutKid),
        }
    }
}

/// Why no key was found for a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// No key with the token's `kid` (or, without a `kid`, none that fits its `alg`), even
    /// after refreshing the JWKS (or when a refresh was not allowed yet).
    #[error("no signing key {} in the JWKS", kid_text(.kid.as_deref()))]
    Unknown {
        /// The token's `kid`.
        kid: Option<String>,
    },
    /// The token has no `kid` and several keys could have signed it.
    #[error("the token has no kid and the JWKS holds several keys for its algorithm")]
    AmbiguousWithoutKid,
    /// The key was not cached and the JWKS could not be fetched.
    #[error("{0}")]
    Unavailable(String),
}

fn kid_text(kid: Option<&str>) -> String {
    match kid {
        Some(kid) => format!("with kid '{}'", outbound::printable(kid, 80)),
        None => "for the token's algorithm".to_owned(),
    }
}

/// The seam between token validation and where keys come from: a live [`JwksCache`], or
/// [`StaticKeys`] in tests and fuzz targets.
pub trait KeyResolver: Send + Sync + fmt::Debug {
    /// The key for a token with this `kid` and `alg`.
    fn resolve<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: Algorithm,
    ) -> Pin<Box<dyn Future<Output = Result<Arc<VerificationKey>, KeyError>> + Send + 'a>>;
}

/// A fixed key set that never refreshes.
#[derive(Debug, Clone)]
pub struct StaticKeys(pub KeySet);

impl KeyResolver for StaticKeys {
    fn resolve<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: Algorithm,
    ) -> Pin<Box<dyn Future<Output = Result<Arc<VerificationKey>, KeyError>> + Send + 'a>> {
        Box::pin(async move {
            self.0.select(kid, alg)?.ok_or_else(|| KeyError::Unknown {
                kid: kid.map(str::to_owned),
            })
        })
    }
}

/// Keys fetched at one moment, with the moment they go stale.
#[derive(Debug)]
struct Snapshot {
    set: KeySet,
    fetched_at: Instant,
    ttl: Duration,
}

impl Snapshot {
    fn is_stale(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.fetched_at) >= self.ttl
    }
}

/// The IdP's JWKS, fetched over HTTP and cached (see the module docs for the policy).
#[derive(Debug)]
pub struct JwksCache {
    uri: Url,
    http: reqwest::Client,
    current: RwLock<Arc<Snapshot>>,
    /// Held while fetching, so concurrent requests for an unknown key share one fetch.
    refresh: tokio::sync::Mutex<LastFetch>,
}

/// The last fetch: when it started (for [`MIN_REFRESH_INTERVAL`]) and why it failed, if it
/// did (so a refused refresh can still say that the IdP is unreachable).
#[derive(Debug, Default)]
struct LastFetch {
    started: Option<Instant>,
    error: Option<String>,
}

/// What a refresh attempt did.
enum Refresh {
    /// New keys are in place (fetched by this call or by one it waited for).
    Done,
    /// Too soon after the previous fetch, which failed for this reason if it did.
    TooSoon(Option<String>),
    /// The fetch failed; the old keys stay.
    Failed(String),
}

impl JwksCache {
    /// Fetches the JWKS at `uri` once; start-up fails here, not at the first request,
    /// when the IdP cannot be reached or publishes no usable key.
    ///
    /// # Errors
    /// A sentence naming the URL and what went wrong.
    pub async fn load(uri: Url) -> Result<Self, String> {
        let http = outbound::client_for(&uri, FETCH_TIMEOUT, false)?;
        let snapshot = fetch(&http, &uri)
            .await
            .map_err(|e| format!("Could not fetch the JWKS from {uri}: {e}"))?;
        if snapshot.set.is_empty() {
            return Err(format!(
                "The JWKS at {uri} has no usable signing key (RSA, EC P-256/P-384 or Ed25519 \
                 with use=sig); tokens could not be validated against it"
            ));
        }
        tracing::info!(
            "JWKS loaded from {uri}: {} signing key(s), cached for {} s",
            snapshot.set.len(),
            snapshot.ttl.as_secs()
        );
        let fetched_at = snapshot.fetched_at;
        Ok(Self {
            uri,
            http,
            current: RwLock::new(Arc::new(snapshot)),
            refresh: tokio::sync::Mutex::new(LastFetch {
                started: Some(fetched_at),
                error: None,
            }),
        })
    }

    /// The JWKS URL.
    pub fn uri(&self) -> &Url {
        &self.uri
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn resolve_key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<VerificationKey>, KeyError> {
        let mut seen = self.snapshot();
        if seen.is_stale(Instant::now()) {
            // Stale keys keep serving when the refresh is refused or fails.
            let _ = self.refresh(&seen).await;
            seen = self.snapshot();
        }
        if let Some(key) = seen.set.select(kid, alg)? {
            return Ok(key);
        }
        let unknown = || KeyError::Unknown {
            kid: kid.map(str::to_owned),
        };
        match self.refresh(&seen).await {
            Refresh::Done => self.snapshot().set.select(kid, alg)?.ok_or_else(unknown),
            Refresh::TooSoon(None) => Err(unknown()),
            Refresh::TooSoon(Some(reason)) | Refresh::Failed(reason) => {
                Err(KeyError::Unavailable(reason))
            }
        }
    }

    /// Replaces the keys `seen` by freshly fetched ones, unless someone already did, or the
    /// last fetch was less than [`MIN_REFRESH_INTERVAL`] ago.
    async fn refresh(&self, seen: &Arc<Snapshot>) -> Refresh {
        let mut last = self.refresh.lock().await;
        if !Arc::ptr_eq(&self.snapshot(), seen) {
            return Refresh::Done;
        }
        let now = Instant::now();
        if last
            .started
            .is_some_and(|at| now.saturating_duration_since(at) < MIN_REFRESH_INTERVAL)
        {
            return Refresh::TooSoon(last.error.clone());
        }
        last.started = Some(now);
        let outcome = match fetch(&self.http, &self.uri).await {
            Ok(fresh) if !fresh.set.is_empty() => {
                tracing::info!(
                    "JWKS refreshed from {}: {} signing key(s), cached for {} s",
                    self.uri,
                    fresh.set.len(),
                    fresh.ttl.as_secs()
                );
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
                Refresh::Done
            }
            Ok(_) => self.keep_stale(seen, "it has no usable signing key".to_owned()),
            Err(reason) => self.keep_stale(seen, reason),
        };
        last.error = match &outcome {
            Refresh::Failed(reason) => Some(reason.clone()),
            _ => None,
        };
        outcome
    }

    fn keep_stale(&self, seen: &Snapshot, reason: String) -> Refresh {
        tracing::warn!(
            "JWKS refresh from {} failed: {reason}; still using the {} key(s) fetched {} s ago \
             (next attempt in {} s at the earliest)",
            self.uri,
            seen.set.len(),
            Instant::now()
                .saturating_duration_since(seen.fetched_at)
                .as_secs(),
            MIN_REFRESH_INTERVAL.as_secs()
        );
        Refresh::Failed(format!("fetching {} failed: {reason}", self.uri))
    }
}

impl KeyResolver for JwksCache {
    fn resolve<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: Algorithm,
    ) -> Pin<Box<dyn Future<Output = Result<Arc<VerificationKey>, KeyError>> + Send + 'a>> {
        Box::pin(self.resolve_key(kid, alg))
    }
}

async fn fetch(http: &reqwest::Client, uri: &Url) -> Result<Snapshot, String> {
    let response = http
        .get(uri.clone())
        .header(http::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| outbound::describe(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    let ttl = cache_ttl(
        response
            .headers()
            .get(http::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
    );
    let body = outbound::read_body(response).await?;
    Ok(Snapshot {
        set: KeySet::parse(&body)?,
        fetched_at: Instant::now(),
        ttl,
    })
}

/// How long to keep keys, from the response's `Cache-Control`: `max-age` clamped to
/// [[`MIN_TTL`], [`MAX_TTL`]]; `no-store`/`no-cache` mean the shortest time; nothing
/// usable means [`DEFAULT_TTL`].
pub fn cache_ttl(cache_control: Option<&str>) -> Duration {
    let Some(value) = cache_control else {
        return DEFAULT_TTL;
    };
    let mut max_age = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return MIN_TTL;
        }
        if let Some(secs) = lower.strip_prefix("max-age=") {
            max_age = secs.trim_matches('"').parse::<u64>().ok();
        }
    }
    max_age.map_or(DEFAULT_TTL, |secs| {
        Duration::from_secs(secs).clamp(MIN_TTL, MAX_TTL)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_follows_max_age_within_bounds() {
        assert_eq!(cache_ttl(None), DEFAULT_TTL);
        assert_eq!(cache_ttl(Some("public")), DEFAULT_TTL);
        assert_eq!(
            cache_ttl(Some("public, max-age=7200")),
            Duration::from_secs(7200)
        );
        assert_eq!(cache_ttl(Some("max-age=10")), MIN_TTL);
        assert_eq!(cache_ttl(Some("max-age=999999999")), MAX_TTL);
        assert_eq!(cache_ttl(Some("max-age=3600, no-store")), MIN_TTL);
        assert_eq!(cache_ttl(Some("No-Cache")), MIN_TTL);
        assert_eq!(cache_ttl(Some("max-age=abc")), DEFAULT_TTL);
    }

    #[test]
    fn jwks_parsing_skips_unusable_keys() {
        let body = serde_json::json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "RSA", "use": "enc", "kid": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "ec", "alg": "RS256",
             "x": "AAAA", "y": "AAAA"},
            {"kty": "EC", "crv": "P-256", "kid": "ok", "x": "AAAA", "y": "AAAA"},
            {"kty": "weird"},
            "not even an object"
        ]});
        let set = KeySet::parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.keys[0].kid(), Some("ok"));
        assert_eq!(set.keys[0].kind(), KeyKind::EcP256);
        assert!(set.keys[0].accepts(Algorithm::ES256));
        assert!(!set.keys[0].accepts(Algorithm::RS256));
        assert!(KeySet::parse(b"{\"nokeys\": []}").is_err());
        assert!(KeySet::parse(b"<html>").is_err());
    }

    #[test]
    fn kind_and_pinned_alg_decide_what_a_key_verifies() {
        assert!(KeyKind::Rsa.verifies(Algorithm::PS384));
        assert!(!KeyKind::Rsa.verifies(Algorithm::ES256));
        assert!(!KeyKind::EcP256.verifies(Algorithm::ES384));
        assert!(!KeyKind::Rsa.verifies(Algorithm::HS256));
        let body = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "pinned", "alg": "PS256", "n": "AQAB", "e": "AQAB"}
        ]});
        let set = KeySet::parse(body.to_string().as_bytes()).unwrap();
        assert!(set.keys[0].accepts(Algorithm::PS256));
        assert!(!set.keys[0].accepts(Algorithm::RS256));
    }

    #[test]
    fn kidless_tokens_need_exactly_one_fitting_key() {
        let body = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "b", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "c", "x": "AAAA", "y": "AAAA"}
        ]});
        let set = KeySet::parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            set.select(None, Algorithm::RS256).unwrap_err(),
            KeyError::AmbiguousWithoutKid
        );
        let only_ec = set.select(None, Algorithm::ES256).unwrap().unwrap();
        assert_eq!(only_ec.kid(), Some("c"));
        assert!(set.select(None, Algorithm::ES384).unwrap().is_none());
        assert!(set.select(Some("zzz"), Algorithm::RS256).unwrap().is_none());
    }
}
