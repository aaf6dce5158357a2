//! Single use of an approval: every confirmation carries a nonce, and a nonce is honoured
//! once. Behind a trait so replicas can share one ledger (a store with an atomic
//! put-if-absent) instead of each remembering only its own.

use std::collections::HashMap;
use std::sync::Mutex;

use futures::future::BoxFuture;

/// Remembers which confirmation nonces were already spent.
pub trait NonceLedger: Send + Sync {
    /// `true` exactly once per `nonce` (the first call); later calls answer `false` until
    /// `expires` (epoch seconds) has passed, after which the confirmation itself is expired
    /// and the entry may be forgotten. `now` is the caller's clock, so one request sees one
    /// time. An implementation that cannot tell (store down) answers `false`: fail closed.
    fn first_use<'a>(&'a self, nonce: &'a str, expires: i64, now: i64) -> BoxFuture<'a, bool>;
}

/// The per-process ledger: a map swept lazily of entries past their expiry.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    used: Mutex<HashMap<String, i64>>,
}

impl MemoryLedger {
    fn record(&self, nonce: &str, expires: i64, now: i64) -> bool {
        let Ok(mut used) = self.used.lock() else {
            return false;
        };
        used.retain(|_, until| *until >= now);
        used.insert(nonce.to_owned(), expires).is_none()
    }
}

impl NonceLedger for MemoryLedger {
    fn first_use<'a>(&'a self, nonce: &'a str, expires: i64, now: i64) -> BoxFuture<'a, bool> {
        let first = self.record(nonce, expires, now);
        Box::pin(async move { first })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_nonce_is_first_used_once_and_forgotten_after_expiry() {
        let ledger = MemoryLedger::default();
        assert!(ledger.first_use("n1", 100, 10).await);
        assert!(!ledger.first_use("n1", 100, 50).await);
        assert!(ledger.first_use("n2", 100, 50).await);
        // Past its expiry the entry is swept (the confirmation it guarded is dead anyway).
        assert!(ledger.first_use("n1", 300, 200).await);
    }
}
