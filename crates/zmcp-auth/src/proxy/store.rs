//! Bounded in-memory maps with expiry for the proxy's short-lived records.
//!
//! Registered clients, pending authorizations and refresh tokens live here until durable
//! storage (`zmcp-store`) takes them over; a restart forgets them, so clients register and
//! sign in again. The bound keeps unauthenticated endpoints (`/register`, `/authorize`)
//! from growing memory without limit: when full, the entry closest to expiry goes first.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// String-keyed records that expire after their own time to live.
#[derive(Debug)]
pub(crate) struct ExpiringMap<V> {
    entries: Mutex<HashMap<String, (Instant, V)>>,
    capacity: usize,
}

impl<V> ExpiringMap<V> {
    /// A map holding at most `capacity` live entries.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Stores `value` under `key` for `ttl`; `false` (and nothing stored) if the key is
    /// already taken by a live entry, because every key here is meant to be used once.
    pub(crate) fn insert_new(&self, key: String, value: V, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut entries = self.lock();
        entries.retain(|_, (expires, _)| *expires > now);
        if entries.contains_key(&key) {
            return false;
        }
        if entries.len() >= self.capacity {
            let soonest = entries
                .iter()
                .min_by_key(|(_, (expires, _))| *expires)
                .map(|(k, _)| k.clone());
            if let Some(k) = soonest {
                entries.remove(&k);
            }
        }
        entries.insert(key, (now + ttl, value));
        true
    }

    /// Removes and returns the live entry under `key` (single use).
    pub(crate) fn take(&self, key: &str) -> Option<V> {
        let (expires, value) = self.lock().remove(key)?;
        (expires > Instant::now()).then_some(value)
    }

    /// A poisoned lock only means another request panicked mid-update of a plain map;
    /// the map itself is still consistent, so keep serving.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, V)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<V: Clone> ExpiringMap<V> {
    /// A copy of the live entry under `key`, left in place.
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        let entries = self.lock();
        let (expires, value) = entries.get(key)?;
        (*expires > Instant::now()).then(|| value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(600);

    #[test]
    fn take_is_single_use_and_get_is_not() {
        let map = ExpiringMap::new(4);
        assert!(map.insert_new("a".into(), 1, LONG));
        assert_eq!(map.get("a"), Some(1));
        assert_eq!(map.get("a"), Some(1));
        assert_eq!(map.take("a"), Some(1));
        assert_eq!(map.take("a"), None);
        assert_eq!(map.get("a"), None);
    }

    #[test]
    fn a_live_key_cannot_be_reused() {
        let map = ExpiringMap::new(4);
        assert!(map.insert_new("a".into(), 1, LONG));
        assert!(!map.insert_new("a".into(), 2, LONG));
        assert_eq!(map.take("a"), Some(1));
    }

    #[test]
    fn expired_entries_are_gone() {
        let map = ExpiringMap::new(4);
        assert!(map.insert_new("a".into(), 1, Duration::ZERO));
        assert_eq!(map.get("a"), None);
        assert_eq!(map.take("a"), None);
        assert!(map.insert_new("a".into(), 2, LONG));
        assert_eq!(map.get("a"), Some(2));
    }

    #[test]
    fn when_full_the_entry_closest_to_expiry_is_evicted() {
        let map = ExpiringMap::new(2);
        assert!(map.insert_new("short".into(), 1, Duration::from_secs(60)));
        assert!(map.insert_new("long".into(), 2, LONG));
        assert!(map.insert_new("new".into(), 3, LONG));
        assert_eq!(map.get("short"), None);
        assert_eq!(map.get("long"), Some(2));
        assert_eq!(map.get("new"), Some(3));
    }
}
