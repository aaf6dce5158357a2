//! The confirmation key ring (`ZSCALER_MCP_REQUEST_STATE_KEYS`): the first key signs tokens
//! and seals request states, every key verifies, so replicas sharing the list accept each
//! other's confirmations and a key can be rotated without breaking the ones in flight.

use hmac::{Hmac, KeyInit, Mac};
use rmcp::model::RequestStateCodec;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

use super::hex;

type HmacSha256 = Hmac<Sha256>;

/// The variable that carries the shared keys.
pub const KEYS_ENV: &str = "ZSCALER_MCP_REQUEST_STATE_KEYS";

/// Shortest key accepted: 256 bits, the strength of the HMAC-SHA256 it keys.
pub const MIN_KEY_BYTES: usize = 32;

/// Labels that derive one independent sub-key per use, so a token MAC can never be replayed
/// as a request-state tag (or the other way round) even though both come from one secret.
const TOKEN_LABEL: &[u8] = b"zscaler-mcp/confirmation-token/v1";
const STATE_LABEL: &[u8] = b"zscaler-mcp/request-state/v1";
const KEY_ID_LABEL: &[u8] = b"zscaler-mcp/confirmation-key-id/v1";

/// One confirmation key: at least [`MIN_KEY_BYTES`] bytes, used as given (no decoding).
#[derive(Clone)]
pub struct ConfirmationKey(SecretSlice<u8>);

impl std::fmt::Debug for ConfirmationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfirmationKey(<redacted>)")
    }
}

/// Why `ZSCALER_MCP_REQUEST_STATE_KEYS` cannot be used; no message ever contains key bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A JSON object instead of a list.
    #[error(
        "{KEYS_ENV} must be a JSON array of strings or a comma-separated list, not a JSON object"
    )]
    Object,
    /// Starts with `[` but is not an array of strings.
    #[error("{KEYS_ENV} is not a valid JSON array of strings (line {line}, column {column})")]
    Json {
        /// Where parsing stopped.
        line: usize,
        /// Where parsing stopped.
        column: usize,
    },
    /// Set, but every entry was blank.
    #[error("{KEYS_ENV} was set but contained no usable key.")]
    Empty,
    /// A key shorter than [`MIN_KEY_BYTES`].
    #[error(
        "{KEYS_ENV} is invalid: key #{position} is {length} bytes, each key needs at least {MIN_KEY_BYTES} random bytes. Generate one per key with: openssl rand -hex 32"
    )]
    TooShort {
        /// 1-based position in the list.
        position: usize,
        /// Its length in bytes.
        length: usize,
    },
    /// The same key listed twice (a copy-paste slip that would hide a missing rotation step).
    #[error("{KEYS_ENV} is invalid: key #{position} repeats an earlier key")]
    Duplicate {
        /// 1-based position in the list.
        position: usize,
    },
}

impl ConfirmationKey {
    /// A key from raw bytes.
    ///
    /// # Errors
    /// [`KeyError::TooShort`] under [`MIN_KEY_BYTES`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        Self::at(1, bytes.into())
    }

    fn at(position: usize, bytes: Vec<u8>) -> Result<Self, KeyError> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort {
                position,
                length: bytes.len(),
            });
        }
        Ok(Self(SecretSlice::from(bytes)))
    }

    /// Parses the variable's value as Python does: `[...]` is a JSON array of strings, `{...}`
    /// is refused, anything else is a comma-separated list; entries are trimmed, blanks
    /// dropped. Each entry's UTF-8 bytes are the key (a 64-character hex string is 64 bytes).
    ///
    /// # Errors
    /// The first [`KeyError`] that applies.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, KeyError> {
        let raw = raw.trim();
        let entries: Vec<String> = if raw.starts_with('{') {
            return Err(KeyError::Object);
        } else if raw.starts_with('[') {
            serde_json::from_str(raw).map_err(|error| KeyError::Json {
                line: error.line(),
                column: error.column(),
            })?
        } else {
            raw.split(',').map(str::to_owned).collect()
        };
        let keys = entries
            .iter()
            .map(|entry| entry.trim())
            .filter(|entry| !entry.is_empty())
            .enumerate()
            .map(|(index, entry)| Self::at(index + 1, entry.as_bytes().to_vec()))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        let ids: Vec<String> = keys.iter().map(ConfirmationKey::id).collect();
        for (index, id) in ids.iter().enumerate() {
            if ids.iter().take(index).any(|earlier| earlier == id) {
                return Err(KeyError::Duplicate {
                    position: index + 1,
                });
            }
        }
        Ok(keys)
    }

    /// The key's public name: 64 bits of a labelled digest, enough to tell keys apart.
    fn id(&self) -> String {
        hex(&self.derived(KEY_ID_LABEL)).chars().take(16).collect()
    }

    /// HMAC-SHA256(key, label): an independent 32-byte sub-key per use.
    fn derived(&self, label: &[u8]) -> [u8; 32] {
        let mut mac = keyed(self.0.expose_secret());
        mac.update(label);
        mac.finalize().into_bytes().into()
    }
}

/// HMAC accepts keys of any length, so this never falls back; the fallback only keeps the
/// code free of a panic path.
fn keyed(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| HmacSha256::new(&Default::default()))
}

/// One key of the ring, ready to use.
struct RingKey {
    /// Public name of the key (a digest prefix, reveals nothing about it).
    id: String,
    /// MAC keyed with the token sub-key; cloned per use.
    token_mac: HmacSha256,
}

impl RingKey {
    fn of(key: &ConfirmationKey) -> Self {
        Self {
            id: key.id(),
            token_mac: keyed(&key.derived(TOKEN_LABEL)),
        }
    }
}

/// The keys in use: signing with the first, verifying with any.
pub(crate) struct KeyRing {
    signing: RingKey,
    /// Every key that verifies, the signing key first.
    verifying: Vec<RingKey>,
    codec: Option<RequestStateCodec>,
}

impl KeyRing {
    /// The configured keys, or one random key for this process when there are none.
    pub(crate) fn new(configured: &[ConfirmationKey]) -> Self {
        let (first, rest) = match configured.split_first() {
            Some((first, rest)) => (first.clone(), rest),
            None => {
                tracing::info!(
                    "{KEYS_ENV} is not set: delete confirmations (tokens and request states) \
                     are signed with a per-process key, so they won't survive a restart or \
                     work on another replica."
                );
                let random: [u8; 32] = rand::random();
                (ConfirmationKey(SecretSlice::from(random.to_vec())), &[][..])
            }
        };
        let signing = RingKey::of(&first);
        let mut keys = vec![first];
        for key in rest {
            // Two identical keys are one key; the first occurrence decides its place.
            if keys.iter().all(|known| known.id() != key.id()) {
                keys.push(key.clone());
            }
        }
        let state_keys = keys
            .iter()
            .map(|key| (key.id(), key.derived(STATE_LABEL).to_vec()));
        let codec = RequestStateCodec::new_with_keyring(signing.id.clone(), state_keys)
            .inspect_err(|error| {
                tracing::error!(
                    %error,
                    "request-state codec unavailable; deletes fall back to confirmation tokens"
                );
            })
            .ok();
        Self {
            signing,
            verifying: keys.iter().map(RingKey::of).collect(),
            codec,
        }
    }

    /// The signing key's id and a fresh MAC of it.
    pub(crate) fn signer(&self) -> (&str, HmacSha256) {
        (&self.signing.id, self.signing.token_mac.clone())
    }

    /// A fresh MAC of the key named `id`, if the ring holds it.
    pub(crate) fn verifier(&self, id: &str) -> Option<HmacSha256> {
        self.verifying
            .iter()
            .find(|key| key.id == id)
            .map(|key| key.token_mac.clone())
    }

    /// The sealer of SEP-2322 request states (same ring, own sub-keys).
    pub(crate) fn codec(&self) -> Option<&RequestStateCodec> {
        self.codec.as_ref()
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef-key-a";
    const B: &str = "0123456789abcdef0123456789abcdef-key-b";

    #[test]
    fn json_and_csv_lists_parse_alike() {
        let json = ConfirmationKey::parse_list(&format!(r#"[" {A} ", "", "{B}"]"#)).unwrap();
        let csv = ConfirmationKey::parse_list(&format!("{A}, ,{B},")).unwrap();
        assert_eq!(json.len(), 2);
        assert_eq!(csv.len(), 2);
        let ids =
            |keys: &[ConfirmationKey]| keys.iter().map(ConfirmationKey::id).collect::<Vec<_>>();
        assert_eq!(ids(&json), ids(&csv));
    }

    #[test]
    fn bad_lists_are_refused_without_echoing_keys() {
        assert_eq!(
            ConfirmationKey::parse_list("{\"a\": 1}").unwrap_err(),
            KeyError::Object
        );
        assert_eq!(
            ConfirmationKey::parse_list(" , ").unwrap_err(),
            KeyError::Empty
        );
        assert!(matches!(
            ConfirmationKey::parse_list("[\"abc\""),
            Err(KeyError::Json { .. })
        ));
        let short = ConfirmationKey::parse_list(&format!("{A},short-secret")).unwrap_err();
        assert_eq!(
            short,
            KeyError::TooShort {
                position: 2,
                length: 12
            }
        );
        assert!(!short.to_string().contains("short-secret"));
        assert!(short.to_string().contains(KEYS_ENV));
        assert_eq!(
            ConfirmationKey::parse_list(&format!("{A},{B},{A}")).unwrap_err(),
            KeyError::Duplicate { position: 3 }
        );
    }

    #[test]
    fn the_first_key_signs_and_every_key_verifies() {
        let old = ConfirmationKey::parse_list(A).unwrap();
        let rotated = ConfirmationKey::parse_list(&format!("{B},{A}")).unwrap();
        let old_ring = KeyRing::new(&old);
        let (old_id, _) = old_ring.signer();
        let ring = KeyRing::new(&rotated);
        let (new_id, _) = ring.signer();
        assert_ne!(new_id, old_id);
        assert!(ring.verifier(old_id).is_some());
        assert!(old_ring.verifier(new_id).is_none());
        assert!(ring.codec().is_some());
    }
}
