//! Embedded SQLite backend: the default, one file that survives restarts and can be
//! shared by processes on the same host.

use std::{
    fmt,
    fs::{self, OpenOptions},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use rusqlite::{Connection, OptionalExtension, params};

use super::Backend;
use crate::{StoreError, ttl::Ttl};

/// Expired rows that are never read again are deleted at most this often.
const PURGE_INTERVAL_MS: i64 = 60_000;

/// How long a writer waits for another process holding the file's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `WITHOUT ROWID` because the primary key is the only way rows are found.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS kv (
        ns         TEXT    NOT NULL,
        key        TEXT    NOT NULL,
        value      BLOB    NOT NULL,
        expires_at INTEGER NULL,
        PRIMARY KEY (ns, key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL;
";

/// Expiry times are wall-clock Unix milliseconds, since they must mean the same after a
/// restart and to every process sharing the file.
#[derive(Clone)]
pub(crate) struct SqliteBackend {
    db: Arc<Mutex<Db>>,
    path: Arc<Path>,
}

struct Db {
    conn: Connection,
    next_purge_ms: i64,
}

impl SqliteBackend {
    pub(crate) async fn open(path: PathBuf) -> Result<Self, StoreError> {
        let opened_path = path.clone();
        let conn = tokio::task::spawn_blocking(move || open_connection(&opened_path))
            .await
            .map_err(|_| StoreError::Interrupted { operation: "open" })??;
        Ok(Self {
            db: Arc::new(Mutex::new(Db {
                conn,
                next_purge_ms: 0,
            })),
            path: path.into(),
        })
    }

    /// Runs `f` on a blocking thread (SQLite does file I/O) with the connection locked,
    /// first purging expired rows when that is due. A poisoned lock is recovered: a
    /// statement that did not finish was rolled back by SQLite.
    async fn run<T: Send + 'static>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            let mut db = db.lock().unwrap_or_else(PoisonError::into_inner);
            let now = now_millis();
            if now >= db.next_purge_ms {
                db.conn
                    .prepare_cached("DELETE FROM kv WHERE expires_at <= ?1")?
                    .execute(params![now])?;
                db.next_purge_ms = now.saturating_add(PURGE_INTERVAL_MS);
            }
            f(&db.conn, now)
        })
        .await
        .map_err(|_| StoreError::Interrupted { operation })?
        .map_err(|source| StoreError::Sqlite { operation, source })
    }
}

/// Creates the file readable by its owner only before SQLite opens it (it holds secrets,
/// even if encrypted); SQLite gives its `-wal` and `-shm` files the same mode.
fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let file_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::File { path, source }
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(file_error(dir))?;
    }
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(file_error(path))?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(file_error(path))?;
    drop(file);

    let sqlite_error = |source| StoreError::Sqlite {
        operation: "open",
        source,
    };
    let conn = Connection::open(path).map_err(sqlite_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite_error)?;
    // WAL lets readers proceed while another process writes; NORMAL sync is durable in WAL
    // mode except for the last commits on power loss. secure_delete zeroes deleted codes
    // and tokens instead of leaving them in free pages.
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .map_err(sqlite_error)?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;")
        .map_err(sqlite_error)?;
    conn.execute_batch(SCHEMA).map_err(sqlite_error)?;
    Ok(conn)
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

fn expires_at(ttl: Option<Ttl>, now: i64) -> Option<i64> {
    ttl.map(|ttl| now.saturating_add(i64::try_from(ttl.millis()).unwrap_or(i64::MAX)))
}

impl Backend for SqliteBackend {
    async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<(), StoreError> {
        let (namespace, key, value) = (namespace.to_owned(), key.to_owned(), value.to_vec());
        self.run("put", move |conn, now| {
            conn.prepare_cached(
                "INSERT INTO kv (ns, key, value, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (ns, key) DO UPDATE
                 SET value = excluded.value, expires_at = excluded.expires_at",
            )?
            .execute(params![namespace, key, value, expires_at(ttl, now)])
            .map(drop)
        })
        .await
    }

    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let (namespace, key) = (namespace.to_owned(), key.to_owned());
        self.run("get", move |conn, now| {
            conn.prepare_cached(
                "SELECT value FROM kv
                 WHERE ns = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)",
            )?
            .query_row(params![namespace, key, now], |row| row.get(0))
            .optional()
        })
        .await
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        let (namespace, key) = (namespace.to_owned(), key.to_owned());
        self.run("delete", move |conn, now| {
            let live: Option<bool> = conn
                .prepare_cached(
                    "DELETE FROM kv WHERE ns = ?1 AND key = ?2
                     RETURNING expires_at IS NULL OR expires_at > ?3",
                )?
                .query_row(params![namespace, key, now], |row| row.get(0))
                .optional()?;
            Ok(live.unwrap_or(false))
        })
        .await
    }

    /// One `DELETE ... RETURNING` statement: SQLite's write lock makes it atomic across
    /// connections and processes, so two callers can never both see the value.
    async fn take(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let (namespace, key) = (namespace.to_owned(), key.to_owned());
        self.run("take", move |conn, now| {
            let row: Option<(Vec<u8>, bool)> = conn
                .prepare_cached(
                    "DELETE FROM kv WHERE ns = ?1 AND key = ?2
                     RETURNING value, expires_at IS NULL OR expires_at > ?3",
                )?
                .query_row(params![namespace, key, now], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            Ok(row.and_then(|(value, live)| live.then_some(value)))
        })
        .await
    }

    /// One upsert that only overwrites an expired row, so it is atomic like `take`.
    async fn put_if_absent(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<bool, StoreError> {
        let (namespace, key, value) = (namespace.to_owned(), key.to_owned(), value.to_vec());
        self.run("put_if_absent", move |conn, now| {
            let changed = conn
                .prepare_cached(
                    "INSERT INTO kv (ns, key, value, expires_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (ns, key) DO UPDATE
                     SET value = excluded.value, expires_at = excluded.expires_at
                     WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?5",
                )?
                .execute(params![namespace, key, value, expires_at(ttl, now), now])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn replace(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<bool, StoreError> {
        let (namespace, key, value) = (namespace.to_owned(), key.to_owned(), value.to_vec());
        self.run("replace", move |conn, now| {
            let changed = conn
                .prepare_cached(
                    "UPDATE kv SET value = ?3, expires_at = ?4
                     WHERE ns = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?5)",
                )?
                .execute(params![namespace, key, value, expires_at(ttl, now), now])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn list(&self, namespace: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let namespace = namespace.to_owned();
        self.run("list", move |conn, now| {
            conn.prepare_cached(
                "SELECT key, value FROM kv
                 WHERE ns = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            )?
            .query_map(params![namespace, now], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect()
        })
        .await
    }
}

impl fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sqlite {}", self.path.display())
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::SqliteBackend;
    use crate::backend::Backend;
    use std::{os::unix::fs::PermissionsExt, path::Path};

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[tokio::test]
    async fn files_are_private_to_their_owner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/state.sqlite3");
        let backend = SqliteBackend::open(path.clone()).await.unwrap();
        backend.put("keys", "k", b"secret", None).await.unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let wal = path.with_file_name("state.sqlite3-wal");
        assert_eq!(mode(&wal), 0o600, "WAL file {}", wal.display());
    }

    #[tokio::test]
    async fn an_existing_file_is_restricted_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite3");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        SqliteBackend::open(path.clone()).await.unwrap();
        assert_eq!(mode(&path), 0o600);
    }
}
