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

/// A ledger shared by every replica: the nonce is claimed with the store's atomic
/// put-if-absent, so an approval is spent once across all servers using the same store.
#[derive(Debug, Clone)]
pub struct StoreLedger {
    store: zmcp_store::Store,
}

impl StoreLedger {
    /// Namespace of spent confirmation nonces in the store.
    pub const NAMESPACE: &'static str = "confirm_nonce";

    /// A ledger over `store`.
    pub fn new(store: zmcp_store::Store) -> Self {
        Self { store }
    }
}

impl NonceLedger for StoreLedger {
    fn first_use<'a>(&'a self, nonce: &'a str, expires: i64, now: i64) -> BoxFuture<'a, bool> {
        // Kept until the confirmation itself expires; at least a second so a clock at the
        // edge cannot make the entry vanish before the check.
        let ttl = std::time::Duration::from_secs(u64::try_from(expires - now).unwrap_or(0).max(1));
        Box::pin(async move {
            match self
                .store
                .put_if_absent(Self::NAMESPACE, nonce, b"1", Some(ttl))
                .await
            {
                Ok(first) => first,
                Err(error) => {
                    tracing::warn!(%error, "confirmation ledger unavailable; refusing the approval");
                    false
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn replicas_sharing_a_store_spend_a_nonce_once() {
        let store = zmcp_store::Store::memory();
        let replica_a = StoreLedger::new(store.clone());
        let replica_b = StoreLedger::new(store);
        assert!(replica_a.first_use("n1", 100, 10).await);
        assert!(
            !replica_b.first_use("n1", 100, 11).await,
            "spent on the other replica"
        );
        assert!(replica_b.first_use("n2", 100, 11).await);
    }

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
