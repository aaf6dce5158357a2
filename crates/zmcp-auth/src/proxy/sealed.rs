//! The proxy's durable state: typed records in `zmcp-store`, encrypted and hidden behind
//! keyed names, so that a copy of the SQLite file or a Redis dump yields neither a usable
//! code or refresh token nor a provider token.
//!
//! - Each value is JSON sealed with AES-256-GCM; the namespace and the stored name are the
//!   additional data, so a record cannot be moved to another key or kind.
//! - Each name (a code, a refresh token, a `state`) is stored as HMAC-SHA256 of itself, so
//!   the store never holds the bearer value and cannot be searched for a guess.
//! - The keys come from one secret (`OIDCPROXY_STATE_KEY`, else the provider client
//!   secret) through HKDF, so every replica derives the same ones. Changing that secret
//!   makes the old records unreadable and unreachable: users sign in again, nothing breaks.
//!   Without any secret the keys are random per process and state lives as long as it.

use std::{sync::Arc, time::Duration};

use aws_lc_rs::{
    aead::{AES_256_GCM, Aad, Nonce, RandomizedNonceKey},
    hkdf::{HKDF_SHA256, Salt},
    hmac,
    rand::{SecureRandom, SystemRandom},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Serialize, de::DeserializeOwned};
use zmcp_store::{Store, StoreError};

/// Versions the derivation and the sealed format together.
const HKDF_SALT: &[u8] = b"zscaler-mcp oidcproxy state v1";
const NONCE_LEN: usize = 12;
const FORMAT_V1: u8 = 1;

/// Why state could not be read or written; handlers answer 503 (the store is down) or 500.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StateError {
    /// The backend failed (SQLite I/O, Redis unreachable).
    #[error("the state store failed: {0}")]
    Store(#[from] StoreError),
    /// Encryption or serialisation failed (never expected).
    #[error("could not seal a state record")]
    Seal,
}

/// The three keys state needs, derived from one secret.
pub(crate) struct StateKeys {
    aead: RandomizedNonceKey,
    names: hmac::Key,
    cookies: hmac::Key,
    durable: bool,
}

impl std::fmt::Debug for StateKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateKeys")
            .field("durable", &self.durable)
            .finish_non_exhaustive()
    }
}

impl StateKeys {
    /// Keys every replica configured with `secret` shares.
    pub(crate) fn derive(secret: &[u8]) -> Result<Self, String> {
        Self::from_ikm(secret, true)
    }

    /// Keys for this process only: state written with them is lost with it.
    pub(crate) fn ephemeral() -> Result<Self, String> {
        let mut ikm = [0u8; 32];
        SystemRandom::new()
            .fill(&mut ikm)
            .map_err(|_| "the system random generator failed".to_owned())?;
        Self::from_ikm(&ikm, false)
    }

    /// Whether state sealed with these keys is readable after a restart.
    pub(crate) fn durable(&self) -> bool {
        self.durable
    }

    fn from_ikm(ikm: &[u8], durable: bool) -> Result<Self, String> {
        let prk = Salt::new(HKDF_SHA256, HKDF_SALT).extract(ikm);
        let expand = |info: &[u8]| -> Result<[u8; 32], String> {
            let mut out = [0u8; 32];
            prk.expand(&[info], HKDF_SHA256)
                .and_then(|okm| okm.fill(&mut out))
                .map_err(|_| "key derivation failed".to_owned())?;
            Ok(out)
        };
        let aead = RandomizedNonceKey::new(&AES_256_GCM, &expand(b"records")?)
            .map_err(|_| "could not create the state encryption key".to_owned())?;
        Ok(Self {
            aead,
            names: hmac::Key::new(hmac::HMAC_SHA256, &expand(b"names")?),
            cookies: hmac::Key::new(hmac::HMAC_SHA256, &expand(b"cookies")?),
            durable,
        })
    }

    /// A MAC over `purpose` and `value` for a browser cookie (base64url).
    pub(crate) fn cookie_mac(&self, purpose: &str, value: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.cookies);
        ctx.update(purpose.as_bytes());
        ctx.update(&[0]);
        ctx.update(value.as_bytes());
        URL_SAFE_NO_PAD.encode(ctx.sign())
    }

    /// Whether `mac` is [`StateKeys::cookie_mac`] of `purpose` and `value` (constant time).
    pub(crate) fn cookie_mac_matches(&self, purpose: &str, value: &str, mac: &str) -> bool {
        let Ok(mac) = URL_SAFE_NO_PAD.decode(mac) else {
            return false;
        };
        let mut message = Vec::with_capacity(purpose.len() + 1 + value.len());
        message.extend_from_slice(purpose.as_bytes());
        message.push(0);
        message.extend_from_slice(value.as_bytes());
        hmac::verify(&self.cookies, &message, &mac).is_ok()
    }
}

/// Encrypted typed records over a [`Store`]; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Sealed {
    store: Store,
    keys: Arc<StateKeys>,
}

impl Sealed {
    pub(crate) fn new(store: Store, keys: Arc<StateKeys>) -> Self {
        Self { store, keys }
    }

    pub(crate) fn keys(&self) -> &StateKeys {
        &self.keys
    }

    /// Stores `value` under `name`, replacing any record.
    pub(crate) async fn put<T: Serialize>(
        &self,
        namespace: &str,
        name: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<(), StateError> {
        let (stored, sealed) = self.record(namespace, name, value)?;
        Ok(self.store.put(namespace, &stored, &sealed, ttl).await?)
    }

    /// Stores `value` only if `name` is free; `false` when another record holds it.
    pub(crate) async fn put_if_absent<T: Serialize>(
        &self,
        namespace: &str,
        name: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<bool, StateError> {
        let (stored, sealed) = self.record(namespace, name, value)?;
        Ok(self
            .store
            .put_if_absent(namespace, &stored, &sealed, ttl)
            .await?)
    }

    /// Replaces the record under `name` only if one is there; `false` when it is gone
    /// (never brings back a record someone deleted meanwhile).
    pub(crate) async fn replace<T: Serialize>(
        &self,
        namespace: &str,
        name: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<bool, StateError> {
        let (stored, sealed) = self.record(namespace, name, value)?;
        Ok(self.store.replace(namespace, &stored, &sealed, ttl).await?)
    }

    /// The record under `name`; a record that does not open (another key, tampering) is
    /// treated as absent.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<T>, StateError> {
        let stored = self.stored_name(namespace, name);
        let bytes = self.store.get(namespace, &stored).await?;
        Ok(bytes.and_then(|b| self.open(namespace, &stored, b)))
    }

    /// Removes and returns the record under `name`: exactly one caller, in any replica,
    /// gets it. This is what makes codes, `state` values and refresh tokens single-use.
    pub(crate) async fn take<T: DeserializeOwned>(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<T>, StateError> {
        let stored = self.stored_name(namespace, name);
        let bytes = self.store.take(namespace, &stored).await?;
        Ok(bytes.and_then(|b| self.open(namespace, &stored, b)))
    }

    /// Removes the record under `name`; `true` if there was one.
    pub(crate) async fn delete(&self, namespace: &str, name: &str) -> Result<bool, StateError> {
        let stored = self.stored_name(namespace, name);
        Ok(self.store.delete(namespace, &stored).await?)
    }

    /// The stored name and sealed bytes of a record about to be written.
    fn record<T: Serialize>(
        &self,
        namespace: &str,
        name: &str,
        value: &T,
    ) -> Result<(String, Vec<u8>), StateError> {
        let stored = self.stored_name(namespace, name);
        let sealed = self.seal(namespace, &stored, value)?;
        Ok((stored, sealed))
    }

    fn stored_name(&self, namespace: &str, name: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.keys.names);
        ctx.update(namespace.as_bytes());
        ctx.update(&[0]);
        ctx.update(name.as_bytes());
        URL_SAFE_NO_PAD.encode(ctx.sign())
    }

    fn aad(namespace: &str, stored: &str) -> Vec<u8> {
        [namespace.as_bytes(), &[0], stored.as_bytes()].concat()
    }

    fn seal<T: Serialize>(
        &self,
        namespace: &str,
        stored: &str,
        value: &T,
    ) -> Result<Vec<u8>, StateError> {
        let mut body = serde_json::to_vec(value).map_err(|_| StateError::Seal)?;
        let nonce = self
            .keys
            .aead
            .seal_in_place_append_tag(Aad::from(Self::aad(namespace, stored)), &mut body)
            .map_err(|_| StateError::Seal)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + body.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(nonce.as_ref());
        out.extend_from_slice(&body);
        Ok(out)
    }

    fn open<T: DeserializeOwned>(
        &self,
        namespace: &str,
        stored: &str,
        bytes: Vec<u8>,
    ) -> Option<T> {
        let (&version, rest) = bytes.split_first()?;
        if version != FORMAT_V1 || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain = self
            .keys
            .aead
            .open_in_place(nonce, Aad::from(Self::aad(namespace, stored)), &mut body)
            .ok()?;
        serde_json::from_slice(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "oidcproxy.test";

    fn sealed(secret: &[u8], store: &Store) -> Sealed {
        Sealed::new(store.clone(), Arc::new(StateKeys::derive(secret).unwrap()))
    }

    #[tokio::test]
    async fn records_round_trip_and_take_is_single_use() {
        let store = Store::memory();
        let s = sealed(b"secret", &store);
        s.put(NS, "code-1", &vec!["a", "b"], None).await.unwrap();
        assert_eq!(
            s.get::<Vec<String>>(NS, "code-1").await.unwrap(),
            Some(vec!["a".into(), "b".into()])
        );
        assert!(s.take::<Vec<String>>(NS, "code-1").await.unwrap().is_some());
        assert!(s.take::<Vec<String>>(NS, "code-1").await.unwrap().is_none());
        assert!(s.put_if_absent(NS, "n", &1, None).await.unwrap());
        assert!(!s.put_if_absent(NS, "n", &2, None).await.unwrap());
        assert_eq!(s.get::<i32>(NS, "n").await.unwrap(), Some(1));
        assert!(s.delete(NS, "n").await.unwrap());
    }

    #[tokio::test]
    async fn the_store_holds_neither_names_nor_values_in_clear() {
        let store = Store::memory();
        let s = sealed(b"secret", &store);
        s.put(NS, "REFRESH-TOKEN-VALUE", &"UPSTREAM-SECRET", None)
            .await
            .unwrap();
        let entries = store.list(NS).await.unwrap();
        assert_eq!(entries.len(), 1);
        let (name, value) = &entries[0];
        assert!(!name.contains("REFRESH"), "{name}");
        assert!(
            !String::from_utf8_lossy(value).contains("UPSTREAM"),
            "the value is stored in clear"
        );
    }

    #[tokio::test]
    async fn another_secret_neither_finds_nor_opens_the_records() {
        let store = Store::memory();
        sealed(b"old", &store)
            .put(NS, "k", &"v", None)
            .await
            .unwrap();
        assert_eq!(
            sealed(b"new", &store).get::<String>(NS, "k").await.unwrap(),
            None
        );
        assert_eq!(
            sealed(b"old", &store).get::<String>(NS, "k").await.unwrap(),
            Some("v".into())
        );
    }

    #[tokio::test]
    async fn a_record_moved_to_another_name_or_tampered_with_does_not_open() {
        let store = Store::memory();
        let s = sealed(b"secret", &store);
        s.put(NS, "a", &"value-of-a", None).await.unwrap();
        let (_, bytes) = store.list(NS).await.unwrap().remove(0);
        let b = s.stored_name(NS, "b");
        store.put(NS, &b, &bytes, None).await.unwrap();
        assert_eq!(s.get::<String>(NS, "b").await.unwrap(), None);
        let a = s.stored_name(NS, "a");
        let mut tampered = bytes.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        store.put(NS, &a, &tampered, None).await.unwrap();
        assert_eq!(s.get::<String>(NS, "a").await.unwrap(), None);
    }

    #[test]
    fn cookie_macs_bind_purpose_and_value() {
        let keys = StateKeys::derive(b"secret").unwrap();
        let mac = keys.cookie_mac("bind", "state-1");
        assert!(keys.cookie_mac_matches("bind", "state-1", &mac));
        assert!(!keys.cookie_mac_matches("bind", "state-2", &mac));
        assert!(!keys.cookie_mac_matches("csrf", "state-1", &mac));
        assert!(!keys.cookie_mac_matches("bind", "state-1", "garbage!"));
        let other = StateKeys::derive(b"other").unwrap();
        assert!(!other.cookie_mac_matches("bind", "state-1", &mac));
        assert!(!StateKeys::ephemeral().unwrap().durable());
    }
}
