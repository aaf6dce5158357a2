//! The access tokens this server issues to MCP clients: ES256 JWTs bound to this server
//! (`iss`) and its `/mcp` resource (`aud`), naming the session (`sid`) they belong to so
//! that revoking the session revokes them too.
//!
//! The signing key is made once and kept (sealed) in the state store, so tokens survive a
//! restart and every replica signs and verifies with the same key; its public half is
//! served at `/jwks`. The provider's tokens never reach the client, so a leaked client
//! token is useless anywhere else.

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use aws_lc_rs::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{Jwk, ThumbprintHash},
};
use serde::{Deserialize, Serialize};

use super::sealed::{Sealed, StateError};
use crate::{
    jwks::{KeySet, StaticKeys, VerificationKey},
    validator::{TokenValidator, ValidatorConfig},
};

/// Where the signing key lives in the state store.
const KEY_NAMESPACE: &str = "oidcproxy.signing-keys";
const KEY_NAME: &str = "es256-current";

/// The signing key as stored: PKCS#8 DER, base64url.
#[derive(Serialize, Deserialize)]
struct StoredKey {
    pkcs8: String,
}

/// Who signed in, copied from the provider's validated ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub(crate) sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) oid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) preferred_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
}

/// The claims of our access tokens.
#[derive(Debug, Serialize)]
struct OwnClaims {
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
    jti: String,
    /// The registered client the token was issued to.
    client_id: String,
    scope: String,
    /// The session (refresh-token family) this token belongs to.
    sid: String,
    #[serde(flatten)]
    identity: Identity,
}

/// Signs our access tokens, and validates them with the same [`TokenValidator`] as every
/// other bearer token (ES256 only, this key only, `iss`, `aud`, `exp`).
pub(crate) struct OwnTokens {
    encoding: EncodingKey,
    kid: String,
    public: Jwk,
    issuer: String,
    audience: String,
    ttl: Duration,
    validator: TokenValidator,
}

impl std::fmt::Debug for OwnTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnTokens")
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl OwnTokens {
    /// The signing key from `state`, made and stored first if there is none yet. Of
    /// replicas starting together exactly one key wins; the others adopt it.
    pub(crate) async fn load_or_create(
        state: &Sealed,
        issuer: &str,
        audience: &str,
        ttl: Duration,
    ) -> Result<Self, String> {
        let stored = |e: StateError| format!("the token signing key: {e}");
        if let Some(key) = state
            .get::<StoredKey>(KEY_NAMESPACE, KEY_NAME)
            .await
            .map_err(stored)?
        {
            return Self::from_stored(&key, issuer, audience, ttl);
        }
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|_| "could not generate the token signing key".to_owned())?;
        let fresh = StoredKey {
            pkcs8: URL_SAFE_NO_PAD.encode(pkcs8.as_ref()),
        };
        if state
            .put_if_absent(KEY_NAMESPACE, KEY_NAME, &fresh, None)
            .await
            .map_err(stored)?
        {
            tracing::info!("oidcproxy: created the token signing key");
            return Self::from_stored(&fresh, issuer, audience, ttl);
        }
        let winner = state
            .get::<StoredKey>(KEY_NAMESPACE, KEY_NAME)
            .await
            .map_err(stored)?
            .ok_or_else(|| "the token signing key vanished from the state store".to_owned())?;
        Self::from_stored(&winner, issuer, audience, ttl)
    }

    fn from_stored(
        key: &StoredKey,
        issuer: &str,
        audience: &str,
        ttl: Duration,
    ) -> Result<Self, String> {
        let pkcs8 = URL_SAFE_NO_PAD
            .decode(&key.pkcs8)
            .map_err(|_| "the stored token signing key is corrupt".to_owned())?;
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8)
            .map_err(|_| "the stored token signing key is not a P-256 key".to_owned())?;
        let encoding = EncodingKey::from_ec_der(&pkcs8);
        let jwk = Jwk::from_encoding_key(&encoding, Algorithm::ES256)
            .map_err(|e| format!("could not derive the token verification key: {e}"))?;
        let kid = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| format!("could not compute the key id: {e}"))?;
        let mut public = jwk;
        public.common.key_id = Some(kid.clone());
        public.common.key_algorithm = Some(jsonwebtoken::jwk::KeyAlgorithm::ES256);
        public.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let key = VerificationKey::from_jwk(&public)
            .map_err(|e| format!("could not load the token verification key: {e}"))?;
        let validator = TokenValidator::new(
            ValidatorConfig {
                issuers: vec![issuer.to_owned()],
                audiences: vec![audience.to_owned()],
                algorithms: vec![Algorithm::ES256],
                required_scopes: Vec::new(),
            },
            Arc::new(StaticKeys(KeySet::from_keys(vec![key]))),
        )
        // Issued and checked on this server's (or a replica's NTP-synchronised) clock.
        .with_leeway(0);
        Ok(Self {
            encoding,
            kid,
            public,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl,
            validator,
        })
    }

    /// The JWKS document of our verification key (`/jwks`).
    pub(crate) fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.public] })
    }

    /// Issues a token for `identity` to `client_id` in session `sid`; returns it with its
    /// lifetime in seconds.
    pub(crate) fn issue(
        &self,
        identity: &Identity,
        client_id: &str,
        scope: &str,
        sid: &str,
    ) -> Result<(String, u64), String> {
        let iat = now_secs();
        let ttl = self.ttl.as_secs();
        let claims = OwnClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: iat + ttl,
            iat,
            jti: random_token(),
            client_id: client_id.to_owned(),
            scope: scope.to_owned(),
            sid: sid.to_owned(),
            identity: identity.clone(),
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| format!("could not sign an access token: {e}"))?;
        Ok((token, ttl))
    }

    /// Whether `token` names this server as its issuer, i.e. it should be checked here
    /// rather than as a provider token. Reads the unverified payload only to route it.
    pub(crate) fn is_ours(&self, token: &str) -> bool {
        #[derive(Deserialize)]
        struct Iss {
            iss: Option<String>,
        }
        let Some(payload) = token.split('.').nth(1) else {
            return false;
        };
        URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Iss>(&bytes).ok())
            .and_then(|c| c.iss)
            .is_some_and(|iss| iss == self.issuer)
    }

    /// The validator for our tokens.
    pub(crate) fn validator(&self) -> &TokenValidator {
        &self.validator
    }
}

/// 256 random bits, base64url: authorization `nonce`s, token ids and refresh tokens.
pub(crate) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation_error::ValidationError;

    fn identity() -> Identity {
        Identity {
            sub: "sub-1".into(),
            oid: Some("oid-1".into()),
            tid: Some("tid-1".into()),
            preferred_username: Some("alice@example.com".into()),
            email: None,
            name: Some("Alice".into()),
        }
    }

    const TTL: Duration = Duration::from_secs(900);

    fn state() -> Sealed {
        Sealed::new(
            zmcp_store::Store::memory(),
            std::sync::Arc::new(super::super::sealed::StateKeys::derive(b"k").unwrap()),
        )
    }

    async fn tokens_in(state: &Sealed) -> OwnTokens {
        OwnTokens::load_or_create(state, "http://127.0.0.1:1", "http://127.0.0.1:1/mcp", TTL)
            .await
            .unwrap()
    }

    async fn tokens() -> OwnTokens {
        tokens_in(&state()).await
    }

    #[tokio::test]
    async fn the_key_is_kept_in_the_state_store() {
        let state = state();
        let first = tokens_in(&state).await;
        let again = tokens_in(&state).await;
        assert_eq!(first.kid, again.kid);
        let (token, _) = first.issue(&identity(), "c", "openid", "sid-1").unwrap();
        again.validator().validate(&token).await.unwrap();
        assert_ne!(tokens().await.kid, first.kid);
        let jwks = first.jwks();
        assert_eq!(jwks["keys"][0]["kid"], first.kid.as_str());
        assert_eq!(jwks["keys"][0]["alg"], "ES256");
        assert!(jwks["keys"][0].get("d").is_none(), "{jwks}");
    }

    #[tokio::test]
    async fn issued_tokens_validate_and_carry_the_identity() {
        let t = tokens().await;
        let (token, ttl) = t.issue(&identity(), "client-1", "openid", "sid-1").unwrap();
        assert_eq!(ttl, 900);
        assert!(t.is_ours(&token));
        let claims = t.validator().validate(&token).await.unwrap();
        assert_eq!(claims["sub"], "sub-1");
        assert_eq!(claims["oid"], "oid-1");
        assert_eq!(claims["preferred_username"], "alice@example.com");
        assert!(claims.get("email").is_none());
        assert_eq!(claims["client_id"], "client-1");
        assert_eq!(claims["sid"], "sid-1");
        assert_eq!(claims["aud"], "http://127.0.0.1:1/mcp");
        let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
        assert_eq!(lifetime, 900);
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        assert!(header.kid.is_some());
    }

    #[tokio::test]
    async fn another_key_or_audience_is_refused() {
        // Same issuer and audience, another key (as after a restart).
        let (token, _) = tokens()
            .await
            .issue(&identity(), "c", "openid", "s")
            .unwrap();
        let err = tokens()
            .await
            .validator()
            .validate(&token)
            .await
            .unwrap_err();
        assert!(matches!(err, ValidationError::UnknownKey { .. }), "{err}");

        let mut t = tokens().await;
        t.audience = "http://127.0.0.1:1/other".into();
        let (token, _) = t.issue(&identity(), "c", "openid", "s").unwrap();
        let err = t.validator().validate(&token).await.unwrap_err();
        assert!(
            matches!(err, ValidationError::WrongAudience { .. }),
            "{err}"
        );
    }

    #[tokio::test]
    async fn expired_tokens_are_refused() {
        let t = tokens().await;
        let claims = OwnClaims {
            iss: t.issuer.clone(),
            aud: t.audience.clone(),
            // Without leeway: a token of ours is refused as soon as it expires.
            exp: now_secs() - 1,
            iat: now_secs() - 901,
            jti: random_token(),
            client_id: "c".into(),
            scope: String::new(),
            sid: "s".into(),
            identity: identity(),
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(t.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &t.encoding).unwrap();
        let err = t.validator().validate(&token).await.unwrap_err();
        assert_eq!(err, ValidationError::Expired);
    }

    #[tokio::test]
    async fn routing_reads_only_the_issuer() {
        let t = tokens().await;
        assert!(!t.is_ours("not-a-jwt"));
        let foreign = format!(
            "x.{}.y",
            URL_SAFE_NO_PAD.encode(br#"{"iss":"https://login.microsoftonline.com/t/v2.0"}"#)
        );
        assert!(!t.is_ours(&foreign));
    }

    #[test]
    fn random_tokens_differ() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
    }
}
