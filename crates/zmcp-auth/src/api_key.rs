//! The `api-key` mode: one shared secret, compared in constant time.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Checks `presented` against the configured key; on a match, returns the key's fingerprint
/// (the principal's subject).
///
/// Both sides are hashed first so the comparison is constant-time over equal-length inputs
/// and reveals neither the key's length nor a matching prefix. Surrounding whitespace is
/// ignored on both sides, as the Python server strips both.
pub(crate) fn verify(configured: &SecretString, presented: &str) -> Option<String> {
    let expected = Sha256::digest(configured.expose_secret().trim().as_bytes());
    let given = Sha256::digest(presented.trim().as_bytes());
    bool::from(expected.as_slice().ct_eq(given.as_slice())).then(|| fingerprint(&expected))
}

/// The first 8 hex digits of the key's SHA-256: lets operators tell which key is configured
/// (the Python server logs the same fingerprint) without revealing anything usable.
pub fn key_fingerprint(key: &SecretString) -> String {
    fingerprint(&Sha256::digest(key.expose_secret().trim().as_bytes()))
}

fn fingerprint(digest: &[u8]) -> String {
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn same_key_matches_and_whitespace_is_ignored() {
        assert!(verify(&key("sk-123"), "sk-123").is_some());
        assert!(verify(&key(" sk-123\n"), "sk-123 ").is_some());
    }

    #[test]
    fn other_keys_do_not_match() {
        assert!(verify(&key("sk-123"), "sk-124").is_none());
        assert!(verify(&key("sk-123"), "sk-12").is_none());
        assert!(verify(&key("sk-123"), "").is_none());
    }

    #[test]
    fn fingerprint_is_eight_hex_digits_of_sha256() {
        // sha256("abc") = ba7816bf...
        assert_eq!(key_fingerprint(&key("abc")), "ba7816bf");
        assert_eq!(verify(&key("abc"), "abc").as_deref(), Some("ba7816bf"));
    }
}
