//! [`Store`]: the handle callers hold, whichever backend the URL chose.

use std::{path::Path, time::Duration};

use crate::{
    StoreError,
    backend::{Backend, memory::MemoryBackend, redis::RedisBackend, sqlite::SqliteBackend},
    location::Location,
    namespace,
    ttl::Ttl,
};

/// Key-value state with expiry, shared by cloning (every clone is the same store).
///
/// Namespaces (`oauth-clients`, `auth-codes`, `nonces`, ...) keep kinds of state apart:
/// the same key in two namespaces is two entries. A namespace is 1 to 64 ASCII letters,
/// digits, `-`, `_` or `.`; anything else is refused with
/// [`StoreError::InvalidNamespace`]. Keys are any string, values any bytes. A TTL is
/// rounded up to whole milliseconds; an entry is gone once it has run out, whether or not
/// it has been purged yet.
#[derive(Clone, Debug)]
pub struct Store(Inner);

#[derive(Clone, Debug)]
enum Inner {
    Memory(MemoryBackend),
    Sqlite(SqliteBackend),
    Redis(RedisBackend),
}

/// Calls the same [`Backend`] method on whichever backend the store holds.
macro_rules! on_backend {
    ($store:expr, $backend:ident => $call:expr) => {
        match &$store.0 {
            Inner::Memory($backend) => $call,
            Inner::Sqlite($backend) => $call,
            Inner::Redis($backend) => $call,
        }
    };
}

impl Store {
    /// Opens the store a `--store` URL names:
    /// - `memory:`: this process only, lost on exit;
    /// - `sqlite:<path>`: a file created with owner-only permissions (its folder too if
    ///   missing); `sqlite:` alone means [`crate::DEFAULT_SQLITE_FILE`] in `data_dir`;
    /// - `redis://[user:password@]host:port/db` (or `redis+unix:///path`): connects now, so
    ///   that a wrong address fails start-up rather than the first sign-in.
    pub async fn open(url: &str, data_dir: &Path) -> Result<Self, StoreError> {
        Ok(Self(match Location::parse(url, data_dir)? {
            Location::Memory => Inner::Memory(MemoryBackend::default()),
            Location::Sqlite(path) => Inner::Sqlite(SqliteBackend::open(path).await?),
            Location::Redis(url) => Inner::Redis(RedisBackend::connect(&url).await?),
        }))
    }

    /// An empty in-process store, for tests and single-process runs that need no restart.
    pub fn memory() -> Self {
        Self(Inner::Memory(MemoryBackend::default()))
    }

    /// Stores `value` under `key`, replacing any entry; without a TTL it stays until deleted.
    pub async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        namespace::check(namespace)?;
        let ttl = ttl.map(Ttl::new);
        on_backend!(self, backend => backend.put(namespace, key, value, ttl).await)
    }

    /// The value under `key`, unless it is missing or expired.
    pub async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        namespace::check(namespace)?;
        on_backend!(self, backend => backend.get(namespace, key).await)
    }

    /// Removes `key`; `true` when an unexpired entry was there.
    pub async fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        namespace::check(namespace)?;
        on_backend!(self, backend => backend.delete(namespace, key).await)
    }

    /// Removes `key` and returns its value, atomically: of any number of concurrent callers,
    /// in any number of processes sharing the store, exactly one gets `Some`. This is what
    /// makes authorization codes and confirmation nonces single-use.
    pub async fn take(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        namespace::check(namespace)?;
        on_backend!(self, backend => backend.take(namespace, key).await)
    }

    /// Stores `value` only if `key` has no unexpired entry, atomically: of concurrent
    /// callers exactly one gets `true`. Replay detection records a seen `jti` or nonce this
    /// way, with a TTL as long as the thing it guards stays valid.
    pub async fn put_if_absent(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        namespace::check(namespace)?;
        let ttl = ttl.map(Ttl::new);
        on_backend!(self, backend => backend.put_if_absent(namespace, key, value, ttl).await)
    }

    /// Replaces the value under `key` only if an unexpired entry is there; `false` (and
    /// nothing written) otherwise. Atomic against a concurrent [`Store::delete`] or
    /// [`Store::take`]: an entry someone removed is never brought back, which is how a
    /// revoked session stays revoked while a refresh of it is in flight.
    pub async fn replace(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        namespace::check(namespace)?;
        let ttl = ttl.map(Ttl::new);
        on_backend!(self, backend => backend.replace(namespace, key, value, ttl).await)
    }

    /// Every unexpired entry of the namespace, sorted by key. Reads the whole namespace at
    /// once: meant for small ones such as registered clients or signing keys, never for
    /// codes or nonces.
    pub async fn list(&self, namespace: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        namespace::check(namespace)?;
        let mut entries = on_backend!(self, backend => backend.list(namespace).await)?;
        entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::Store;
    use crate::StoreError;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn futures_are_send_so_axum_handlers_can_await_them() {
        let store = Store::memory();
        assert_send(&store.put("ns", "k", b"v", None));
        assert_send(&store.get("ns", "k"));
        assert_send(&store.delete("ns", "k"));
        assert_send(&store.take("ns", "k"));
        assert_send(&store.put_if_absent("ns", "k", b"v", None));
        assert_send(&store.replace("ns", "k", b"v", None));
        assert_send(&store.list("ns"));
    }

    #[tokio::test]
    async fn every_operation_checks_the_namespace() {
        let store = Store::memory();
        let bad = "a:b";
        let is_invalid = |r: Result<(), StoreError>| matches!(r, Err(StoreError::InvalidNamespace { namespace }) if namespace == bad);
        assert!(is_invalid(store.put(bad, "k", b"v", None).await));
        assert!(is_invalid(store.get(bad, "k").await.map(drop)));
        assert!(is_invalid(store.delete(bad, "k").await.map(drop)));
        assert!(is_invalid(store.take(bad, "k").await.map(drop)));
        assert!(is_invalid(
            store.put_if_absent(bad, "k", b"v", None).await.map(drop)
        ));
        assert!(is_invalid(
            store.replace(bad, "k", b"v", None).await.map(drop)
        ));
        assert!(is_invalid(store.list(bad).await.map(drop)));
    }
}
