//! The contract every backend keeps; [`crate::Store`] checks arguments once and dispatches.

pub(crate) mod memory;
pub(crate) mod redis;
pub(crate) mod sqlite;

use std::future::Future;

use crate::{StoreError, ttl::Ttl};

/// Key-value storage with expiry. Namespaces arrive already checked.
///
/// Every backend must make `take` and `put_if_absent` atomic against every other caller of
/// the same storage, including other processes: they are what makes an authorization code
/// or a confirmation nonce single-use. An expired entry behaves exactly like a missing one.
pub(crate) trait Backend: Send + Sync {
    /// Stores `value`, replacing any entry; `None` keeps it until deleted.
    fn put(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The live value, if any.
    fn get(
        &self,
        namespace: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;

    /// Removes the entry; `true` when a live one was there.
    fn delete(
        &self,
        namespace: &str,
        key: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Removes the entry and returns its live value: of concurrent callers, one gets it.
    fn take(
        &self,
        namespace: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;

    /// Stores `value` only when no live entry exists: of concurrent callers, one gets `true`.
    fn put_if_absent(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores `value` only when a live entry exists; `false` (nothing written) otherwise.
    /// Atomic against concurrent `delete`/`take`: a deleted entry is never brought back.
    fn replace(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every live entry of the namespace, in no particular order.
    fn list(
        &self,
        namespace: &str,
    ) -> impl Future<Output = Result<Vec<(String, Vec<u8>)>, StoreError>> + Send;
}
