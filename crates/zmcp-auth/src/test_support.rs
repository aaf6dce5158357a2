//! A stand-in identity provider for tests and fuzz targets: signing keys generated on the
//! spot, tokens signed with them, and a loopback HTTP server publishing the JWKS and an
//! OpenID discovery document. Only built with the `test-support` feature.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::{SystemTime, UNIX_EPOCH},
};

use aws_lc_rs::{
    encoding::{AsDer, Pkcs8V1Der},
    rsa::{KeyPair as RsaKeyPair, KeySize},
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _},
};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{Jwk, JwkSet, PublicKeyUse},
};
use serde_json::{Value, json};

/// A signing key and its public JWK.
#[derive(Clone)]
pub struct TestKey {
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Jwk,
    public_pem: String,
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    let mut rest = body.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

impl TestKey {
    /// A fresh RSA-2048 key for RS256 with this `kid`.
    ///
    /// # Errors
    /// When key generation fails.
    pub fn rsa(kid: &str) -> Result<Self, String> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|e| e.to_string())?;
        let pkcs8: Pkcs8V1Der<'static> = pair.as_der().map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_rsa_pem(pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes())
            .map_err(|e| e.to_string())?;
        let spki = pair.public_key().as_der().map_err(|e| e.to_string())?;
        Self::new(
            kid,
            Algorithm::RS256,
            encoding,
            pem("PUBLIC KEY", spki.as_ref()),
        )
    }

    /// A fresh EC P-256 key for ES256 with this `kid`.
    ///
    /// # Errors
    /// When key generation fails.
    pub fn ec(kid: &str) -> Result<Self, String> {
        let pair =
            EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|e| e.to_string())?;
        let pkcs8 = pair.to_pkcs8v1().map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_ec_der(pkcs8.as_ref());
        let spki = pair.public_key().as_der().map_err(|e| e.to_string())?;
        Self::new(
            kid,
            Algorithm::ES256,
            encoding,
            pem("PUBLIC KEY", spki.as_ref()),
        )
    }

    fn new(
        kid: &str,
        alg: Algorithm,
        encoding: EncodingKey,
        public_pem: String,
    ) -> Result<Self, String> {
        let mut jwk = Jwk::from_encoding_key(&encoding, alg).map_err(|e| e.to_string())?;
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self {
            alg,
            encoding,
            jwk,
            public_pem,
        })
    }

    /// The same key with another `kid`.
    pub fn with_kid(mut self, kid: &str) -> Self {
        self.jwk.common.key_id = Some(kid.to_owned());
        self
    }

    /// The same key whose JWK has no `alg` (as Entra publishes them).
    pub fn without_jwk_alg(mut self) -> Self {
        self.jwk.common.key_algorithm = None;
        self
    }

    /// The key's `kid`.
    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap_or_default()
    }

    /// The algorithm it signs with.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The public JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The public key as PEM (SubjectPublicKeyInfo), for algorithm-confusion tests.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// A token over `claims` with this key's `alg` and `kid`.
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign(&self, claims: &Value) -> Result<String, String> {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid().to_owned());
        self.sign_with_header(&header, claims)
    }

    /// A token whose header and payload are these bytes (base64url-encoded here), correctly
    /// signed: lets a fuzzer reach the claim checks behind the signature.
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign_raw(&self, header: &[u8], payload: &[u8]) -> Result<String, String> {
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &self.encoding, self.alg)
            .map_err(|e| e.to_string())?;
        Ok(format!("{message}.{signature}"))
    }

    /// A token over `claims` with any header (another `kid`, no `kid`).
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign_with_header(&self, header: &Header, claims: &Value) -> Result<String, String> {
        jsonwebtoken::encode(header, claims, &self.encoding).map_err(|e| e.to_string())
    }
}

/// A JWKS of these keys.
pub fn jwk_set(keys: &[&TestKey]) -> JwkSet {
    JwkSet {
        keys: keys.iter().map(|k| k.jwk.clone()).collect(),
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Claims valid for an hour: `iss`, `aud`, `sub`, `iat`, `exp`.
pub fn claims(issuer: &str, audience: &str) -> Value {
    json!({
        "iss": issuer,
        "aud": audience,
        "sub": "user-1",
        "preferred_username": "ada@example.com",
        "iat": now(),
        "exp": now() + 3600,
    })
}

/// What the server publishes; tests change it while it runs.
#[derive(Debug)]
struct Published {
    jwks: Value,
    issuer: String,
    jwks_uri: String,
    cache_control: Option<String>,
    /// Answer the JWKS route with this status instead of the keys.
    jwks_status: Option<u16>,
    jwks_hits: usize,
}

/// A loopback IdP serving `/jwks.json` and `/.well-known/openid-configuration`.
#[derive(Debug, Clone)]
pub struct IdpServer {
    addr: SocketAddr,
    state: Arc<Mutex<Published>>,
}

impl IdpServer {
    /// Starts serving `keys` on 127.0.0.1 (a free port) with `Cache-Control: max-age=3600`;
    /// the discovery document names `issuer`, or the server's own URL when `None`.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(keys: &[&TestKey], issuer: Option<&str>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(Published {
            jwks: serde_json::to_value(jwk_set(keys)).unwrap_or_default(),
            issuer: issuer.map_or_else(|| format!("http://{addr}"), str::to_owned),
            jwks_uri: format!("http://{addr}/jwks.json"),
            cache_control: Some("public, max-age=3600".to_owned()),
            jwks_status: None,
            jwks_hits: 0,
        }));
        let app = Router::new()
            .route("/jwks.json", get(jwks))
            .route("/.well-known/openid-configuration", get(discovery))
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, state })
    }

    fn published(&self) -> std::sync::MutexGuard<'_, Published> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The JWKS URL.
    pub fn jwks_url(&self) -> String {
        format!("{}/jwks.json", self.url())
    }

    /// The discovery URL.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.url())
    }

    /// The issuer the discovery document names.
    pub fn issuer(&self) -> String {
        self.published().issuer.clone()
    }

    /// Publishes other keys (a rotation).
    pub fn set_keys(&self, keys: &[&TestKey]) {
        self.published().jwks = serde_json::to_value(jwk_set(keys)).unwrap_or_default();
    }

    /// Publishes an arbitrary JWKS document.
    pub fn set_jwks_document(&self, document: Value) {
        self.published().jwks = document;
    }

    /// Sets (or removes) the JWKS response's `Cache-Control`.
    pub fn set_cache_control(&self, value: Option<&str>) {
        self.published().cache_control = value.map(str::to_owned);
    }

    /// Makes the JWKS route fail with `status` (or serve again with `None`).
    pub fn set_jwks_status(&self, status: Option<u16>) {
        self.published().jwks_status = status;
    }

    /// How many times the JWKS was requested.
    pub fn jwks_hits(&self) -> usize {
        self.published().jwks_hits
    }
}

async fn jwks(State(state): State<Arc<Mutex<Published>>>) -> Response {
    let mut published = state.lock().unwrap_or_else(PoisonError::into_inner);
    published.jwks_hits += 1;
    if let Some(status) = published.jwks_status {
        return StatusCode::from_u16(status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
    }
    let mut response = Json(published.jwks.clone()).into_response();
    if let Some(value) = published
        .cache_control
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

async fn discovery(State(state): State<Arc<Mutex<Published>>>) -> Json<Value> {
    let published = state.lock().unwrap_or_else(PoisonError::into_inner);
    Json(json!({
        "issuer": published.issuer,
        "jwks_uri": published.jwks_uri,
    }))
}
