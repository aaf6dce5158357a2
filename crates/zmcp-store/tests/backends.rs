//! One behaviour suite, run against every backend: what the OAuth facade and the
//! confirmation ledger rely on must hold for memory, SQLite and Redis alike.
//!
//! The Redis tests need a real server: `tests/e2e/redis.sh start` starts a throwaway one
//! and prints the URL to export as `ZMCP_TEST_REDIS_URL`. Without that variable they fail;
//! `ZMCP_SKIP_REDIS_TESTS=1` leaves them out of the build instead (see `build.rs`).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::{
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use tempfile::TempDir;
use zmcp_store::Store;

/// A store under test, its URL (to open it again as a restart or a second replica would)
/// and namespaces no other test run uses, since the Redis server is shared.
struct Fixture {
    store: Store,
    url: String,
    dir: TempDir,
    prefix: String,
}

impl Fixture {
    async fn new(url: String, dir: TempDir, case: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        // Namespaces are at most 64 characters: the case name is only a readable hint.
        let prefix = format!(
            "t{:x}-{:x}-{}-{}",
            std::process::id(),
            nanos % (1 << 48),
            NEXT.fetch_add(1, Ordering::Relaxed),
            &case[..case.len().min(16)]
        );
        let store = Store::open(&url, dir.path()).await.unwrap();
        Self {
            store,
            url,
            dir,
            prefix,
        }
    }

    fn ns(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    /// The same storage opened again: after a restart, or by another replica.
    async fn reopen(&self) -> Store {
        Store::open(&self.url, self.dir.path()).await.unwrap()
    }

    /// Handles for concurrent callers: for shared backends, half of them go through a
    /// second, independently opened store, as another replica's would.
    async fn handles(&self, count: usize) -> Vec<Store> {
        let other = if self.url.starts_with("memory") {
            self.store.clone()
        } else {
            self.reopen().await
        };
        (0..count)
            .map(|i| if i % 2 == 0 { &self.store } else { &other }.clone())
            .collect()
    }
}

async fn memory(case: &str) -> Fixture {
    Fixture::new("memory:".into(), tempfile::tempdir().unwrap(), case).await
}

async fn sqlite(case: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("state.sqlite3").display());
    Fixture::new(url, dir, case).await
}

#[cfg(not(zmcp_skip_redis_tests))]
async fn redis(case: &str) -> Fixture {
    let Ok(url) = std::env::var("ZMCP_TEST_REDIS_URL") else {
        panic!(
            "ZMCP_TEST_REDIS_URL is not set. Start a throwaway Redis (port 6399) with \
             `export ZMCP_TEST_REDIS_URL=\"$(tests/e2e/redis.sh start)\"` from the repository \
             root and stop it later with `tests/e2e/redis.sh stop`; or build without the \
             Redis tests with ZMCP_SKIP_REDIS_TESTS=1."
        )
    };
    Fixture::new(url, tempfile::tempdir().unwrap(), case).await
}

mod cases {
    use super::Fixture;
    use std::time::Duration;
    use tokio::task::JoinSet;

    const TAKERS: usize = 100;

    pub async fn put_then_get(f: &Fixture) {
        let (s, ns) = (&f.store, f.ns("a"));
        assert_eq!(s.get(&ns, "k").await.unwrap(), None);
        let binary = [0_u8, 159, 146, 150, 0, 255];
        s.put(&ns, "k", &binary, None).await.unwrap();
        assert_eq!(s.get(&ns, "k").await.unwrap().as_deref(), Some(&binary[..]));
        s.put(&ns, "k", b"replaced", Some(Duration::from_secs(600)))
            .await
            .unwrap();
        assert_eq!(
            s.get(&ns, "k").await.unwrap().as_deref(),
            Some(&b"replaced"[..])
        );
        s.put(&ns, "empty", b"", None).await.unwrap();
        assert_eq!(s.get(&ns, "empty").await.unwrap(), Some(Vec::new()));
    }

    pub async fn delete_reports_presence(f: &Fixture) {
        let (s, ns) = (&f.store, f.ns("a"));
        assert!(!s.delete(&ns, "k").await.unwrap());
        s.put(&ns, "k", b"v", None).await.unwrap();
        assert!(s.delete(&ns, "k").await.unwrap());
        assert_eq!(s.get(&ns, "k").await.unwrap(), None);
        assert!(!s.delete(&ns, "k").await.unwrap());
    }

    pub async fn take_is_single_use(f: &Fixture) {
        let (s, ns) = (&f.store, f.ns("codes"));
        assert_eq!(s.take(&ns, "code").await.unwrap(), None);
        s.put(&ns, "code", b"grant", Some(Duration::from_secs(300)))
            .await
            .unwrap();
        assert_eq!(
            s.take(&ns, "code").await.unwrap().as_deref(),
            Some(&b"grant"[..])
        );
        assert_eq!(s.take(&ns, "code").await.unwrap(), None);
        assert_eq!(s.get(&ns, "code").await.unwrap(), None);
    }

    pub async fn take_has_one_winner_under_concurrency(f: &Fixture) {
        let ns = f.ns("codes");
        f.store.put(&ns, "code", b"grant", None).await.unwrap();
        let mut takers = JoinSet::new();
        for store in f.handles(TAKERS).await {
            let ns = ns.clone();
            takers.spawn(async move { store.take(&ns, "code").await.unwrap() });
        }
        let taken: Vec<Vec<u8>> = takers.join_all().await.into_iter().flatten().collect();
        assert_eq!(taken, vec![b"grant".to_vec()]);
    }

    pub async fn put_if_absent_keeps_the_first_value(f: &Fixture) {
        let (s, ns) = (&f.store, f.ns("nonces"));
        assert!(s.put_if_absent(&ns, "n", b"first", None).await.unwrap());
        assert!(!s.put_if_absent(&ns, "n", b"second", None).await.unwrap());
        assert_eq!(
            s.get(&ns, "n").await.unwrap().as_deref(),
            Some(&b"first"[..])
        );
    }

    pub async fn replace_writes_only_over_a_live_entry(f: &Fixture) {
        let (s, ns) = (&f.store, f.ns("sessions"));
        assert!(!s.replace(&ns, "sid", b"revived", None).await.unwrap());
        assert_eq!(s.get(&ns, "sid").await.unwrap(), None);
        s.put(&ns, "sid", b"v1", Some(Duration::from_secs(600)))
            .await
            .unwrap();
        assert!(
            s.replace(&ns, "sid", b"v2", Some(Duration::from_secs(600)))
                .await
                .unwrap()
        );
        assert_eq!(
            s.get(&ns, "sid").await.unwrap().as_deref(),
            Some(&b"v2"[..])
        );
        assert!(s.delete(&ns, "sid").await.unwrap());
        assert!(!s.replace(&ns, "sid", b"v3", None).await.unwrap());
        assert_eq!(s.get(&ns, "sid").await.unwrap(), None);
    }

    pub async fn put_if_absent_has_one_winner_under_concurrency(f: &Fixture) {
        let ns = f.ns("nonces");
        let mut writers = JoinSet::new();
        for (i, store) in f.handles(TAKERS).await.into_iter().enumerate() {
            let ns = ns.clone();
            writers.spawn(async move {
                let value = i.to_string().into_bytes();
                let won = store
                    .put_if_absent(&ns, "n", &value, Some(Duration::from_secs(600)))
                    .await
                    .unwrap();
                won.then_some(value)
            });
        }
        let winners: Vec<Vec<u8>> = writers.join_all().await.into_iter().flatten().collect();
        assert_eq!(winners.len(), 1, "winners: {winners:?}");
        assert_eq!(
            f.store.get(&ns, "n").await.unwrap(),
            winners.first().cloned()
        );
    }

    pub async fn list_returns_the_namespace_sorted(f: &Fixture) {
        let (s, ns) = (&f.store, f.ns("clients"));
        assert_eq!(s.list(&ns).await.unwrap(), vec![]);
        s.put(&ns, "b", b"2", None).await.unwrap();
        s.put(&ns, "a:with:colons", b"1", Some(Duration::from_secs(600)))
            .await
            .unwrap();
        s.put(&ns, "c", b"3", None).await.unwrap();
        s.put(&f.ns("clients2"), "d", b"other namespace", None)
            .await
            .unwrap();
        assert!(s.delete(&ns, "c").await.unwrap());
        assert_eq!(
            s.list(&ns).await.unwrap(),
            vec![
                ("a:with:colons".to_owned(), b"1".to_vec()),
                ("b".to_owned(), b"2".to_vec())
            ]
        );
    }

    pub async fn namespaces_are_isolated(f: &Fixture) {
        let (s, codes, nonces) = (&f.store, f.ns("codes"), f.ns("nonces"));
        s.put(&codes, "k", b"code", None).await.unwrap();
        assert_eq!(s.get(&nonces, "k").await.unwrap(), None);
        assert!(s.put_if_absent(&nonces, "k", b"nonce", None).await.unwrap());
        assert_eq!(
            s.take(&codes, "k").await.unwrap().as_deref(),
            Some(&b"code"[..])
        );
        assert_eq!(
            s.get(&nonces, "k").await.unwrap().as_deref(),
            Some(&b"nonce"[..])
        );
        assert!(s.delete(&nonces, "k").await.unwrap());
        assert_eq!(s.list(&codes).await.unwrap(), vec![]);
    }

    /// Real time for SQLite and Redis (TTL 1 s, checked after 2 s), paused time for memory.
    pub async fn entries_expire(f: &Fixture) {
        let (s, ns) = (&f.store, f.ns("codes"));
        let ttl = Some(Duration::from_secs(1));
        s.put(&ns, "put", b"v", ttl).await.unwrap();
        assert!(s.put_if_absent(&ns, "nonce", b"v", ttl).await.unwrap());
        s.put(&ns, "taken", b"v", ttl).await.unwrap();
        s.put(&ns, "deleted", b"v", ttl).await.unwrap();
        s.put(&ns, "kept", b"v", None).await.unwrap();
        assert_eq!(s.list(&ns).await.unwrap().len(), 5);

        tokio::time::sleep(Duration::from_secs(2)).await;

        assert_eq!(s.get(&ns, "put").await.unwrap(), None);
        assert_eq!(s.take(&ns, "taken").await.unwrap(), None);
        assert!(!s.delete(&ns, "deleted").await.unwrap());
        assert_eq!(
            s.list(&ns).await.unwrap(),
            vec![("kept".to_owned(), b"v".to_vec())]
        );
        assert!(s.put_if_absent(&ns, "nonce", b"again", ttl).await.unwrap());
        assert_eq!(
            s.get(&ns, "nonce").await.unwrap().as_deref(),
            Some(&b"again"[..])
        );
    }

    pub async fn survives_reopening(f: &Fixture) {
        let (clients, codes) = (f.ns("clients"), f.ns("codes"));
        f.store.put(&clients, "c1", b"client", None).await.unwrap();
        f.store
            .put(&codes, "code", b"grant", Some(Duration::from_secs(600)))
            .await
            .unwrap();
        let reopened = f.reopen().await;
        assert_eq!(
            reopened.list(&clients).await.unwrap(),
            vec![("c1".to_owned(), b"client".to_vec())]
        );
        assert_eq!(
            reopened.take(&codes, "code").await.unwrap().as_deref(),
            Some(&b"grant"[..])
        );
        assert_eq!(f.store.get(&codes, "code").await.unwrap(), None);
    }
}

/// The cases every backend runs on a multi-threaded runtime with real time.
macro_rules! backend_suite {
    ($fixture:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                super::cases::$case(&$fixture(stringify!($case)).await).await;
            }
        )+
    };
}

/// The contract every backend keeps, plus `$extra` cases for this backend.
macro_rules! contract_suite {
    ($fixture:path $(; $($extra:ident),+)? $(,)?) => {
        backend_suite!($fixture;
            put_then_get,
            delete_reports_presence,
            take_is_single_use,
            take_has_one_winner_under_concurrency,
            put_if_absent_keeps_the_first_value,
            put_if_absent_has_one_winner_under_concurrency,
            replace_writes_only_over_a_live_entry,
            list_returns_the_namespace_sorted,
            namespaces_are_isolated,
            $($($extra,)+)?
        );
    };
}

mod memory_backend {
    // Expiry runs on paused time below; nothing survives reopening.
    contract_suite!(super::memory);

    #[tokio::test(start_paused = true)]
    async fn entries_expire() {
        super::cases::entries_expire(&super::memory("entries_expire").await).await;
    }

    #[tokio::test]
    async fn does_not_survive_reopening() {
        let f = super::memory("reopen").await;
        f.store.put(&f.ns("a"), "k", b"v", None).await.unwrap();
        assert_eq!(f.reopen().await.get(&f.ns("a"), "k").await.unwrap(), None);
    }
}

mod sqlite_backend {
    contract_suite!(super::sqlite; entries_expire, survives_reopening);
}

#[cfg(not(zmcp_skip_redis_tests))]
mod redis_backend {
    contract_suite!(super::redis; entries_expire, survives_reopening);
}
