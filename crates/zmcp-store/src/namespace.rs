//! Namespace names: checked once so that no two namespaces can share a key.

use crate::StoreError;

/// Longest namespace accepted; namespaces are short constants such as `oauth-clients`.
const MAX_LEN: usize = 64;

/// Accepts only names that cannot smuggle the Redis key separator `:` or a `SCAN` glob
/// character, so `zmcp:{ns}:{key}` is unambiguous and `zmcp:{ns}:*` matches one namespace.
pub(crate) fn check(namespace: &str) -> Result<(), StoreError> {
    let valid = !namespace.is_empty()
        && namespace.len() <= MAX_LEN
        && namespace
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidNamespace {
            namespace: namespace.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_LEN, check};

    #[test]
    fn accepts_plain_names() {
        for ns in ["oauth-clients", "nonces", "signing_keys", "v2.codes", "A1"] {
            assert!(check(ns).is_ok(), "{ns}");
        }
    }

    #[test]
    fn refuses_separators_globs_and_empty() {
        let too_long = "n".repeat(MAX_LEN + 1);
        for ns in ["", "a:b", "a*", "a?", "[a]", "a b", "é", too_long.as_str()] {
            assert!(check(ns).is_err(), "{ns:?}");
        }
    }
}
