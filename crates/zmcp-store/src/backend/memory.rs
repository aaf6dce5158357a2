//! In-process backend for tests and throwaway runs: lost when the process ends.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

use super::Backend;
use crate::{StoreError, ttl::Ttl};

/// How often a write also sweeps every namespace for expired entries, so that keys that are
/// never read again (unused codes, old nonces) do not pile up.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Uses tokio's clock so that tests can expire entries with paused time.
#[derive(Clone, Default)]
pub(crate) struct MemoryBackend {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    namespaces: HashMap<String, HashMap<String, Entry>>,
    last_sweep: Option<Instant>,
}

struct Entry {
    value: Vec<u8>,
    expires_at: Option<Instant>,
}

impl Entry {
    fn new(value: &[u8], ttl: Option<Ttl>, now: Instant) -> Self {
        Self {
            value: value.to_vec(),
            expires_at: ttl.map(|ttl| now + ttl.duration()),
        }
    }

    fn is_live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

impl State {
    /// Drops the entry if it has expired, so that the callers below can ignore expiry.
    fn entries(&mut self, namespace: &str, key: &str, now: Instant) -> &mut HashMap<String, Entry> {
        let entries = self.namespaces.entry(namespace.to_owned()).or_default();
        if entries.get(key).is_some_and(|entry| !entry.is_live(now)) {
            entries.remove(key);
        }
        entries
    }

    fn sweep_if_due(&mut self, now: Instant) {
        let last = *self.last_sweep.get_or_insert(now);
        if now.duration_since(last) < SWEEP_INTERVAL {
            return;
        }
        self.last_sweep = Some(now);
        for entries in self.namespaces.values_mut() {
            entries.retain(|_, entry| entry.is_live(now));
        }
        self.namespaces.retain(|_, entries| !entries.is_empty());
    }
}

impl MemoryBackend {
    /// Runs `f` under the lock. A poisoned lock is recovered: no code below can leave the
    /// map half-updated, since each operation is a single map call.
    fn with<T>(&self, f: impl FnOnce(&mut State, Instant) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        state.sweep_if_due(now);
        f(&mut state, now)
    }

    /// Stores `value` only if a live entry's presence is `present`; `true` when it wrote.
    fn put_when(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
        present: bool,
    ) -> bool {
        self.with(|state, now| {
            let entries = state.entries(namespace, key, now);
            if entries.contains_key(key) != present {
                return false;
            }
            entries.insert(key.to_owned(), Entry::new(value, ttl, now));
            true
        })
    }
}

impl Backend for MemoryBackend {
    async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<(), StoreError> {
        self.with(|state, now| {
            state
                .entries(namespace, key, now)
                .insert(key.to_owned(), Entry::new(value, ttl, now));
        });
        Ok(())
    }

    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.with(|state, now| {
            state
                .entries(namespace, key, now)
                .get(key)
                .map(|entry| entry.value.clone())
        }))
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self.with(|state, now| state.entries(namespace, key, now).remove(key).is_some()))
    }

    async fn take(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.with(|state, now| {
            state
                .entries(namespace, key, now)
                .remove(key)
                .map(|entry| entry.value)
        }))
    }

    async fn put_if_absent(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<bool, StoreError> {
        Ok(self.put_when(namespace, key, value, ttl, false))
    }

    async fn replace(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<bool, StoreError> {
        Ok(self.put_when(namespace, key, value, ttl, true))
    }

    async fn list(&self, namespace: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        Ok(self.with(|state, now| {
            state
                .namespaces
                .get(namespace)
                .into_iter()
                .flatten()
                .filter(|(_, entry)| entry.is_live(now))
                .map(|(key, entry)| (key.clone(), entry.value.clone()))
                .collect()
        }))
    }
}

impl fmt::Debug for MemoryBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("memory")
    }
}

#[cfg(test)]
mod tests {
    use super::{MemoryBackend, SWEEP_INTERVAL};
    use crate::{backend::Backend, ttl::Ttl};
    use std::time::Duration;

    fn stored_keys(backend: &MemoryBackend) -> usize {
        backend.with(|state, _| state.namespaces.values().map(|entries| entries.len()).sum())
    }

    #[tokio::test(start_paused = true)]
    async fn writes_sweep_expired_entries_that_nobody_reads() {
        let backend = MemoryBackend::default();
        let short = Some(Ttl::new(Duration::from_secs(1)));
        for key in ["a", "b", "c"] {
            backend.put("codes", key, b"v", short).await.unwrap();
        }
        backend.put("clients", "kept", b"v", None).await.unwrap();
        tokio::time::advance(SWEEP_INTERVAL).await;
        backend.put("other", "x", b"v", None).await.unwrap();
        assert_eq!(stored_keys(&backend), 2);
    }
}
