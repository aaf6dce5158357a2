//! Redis backend: state shared by several replicas. Needs Redis 6.2 or later (`GETDEL`).

use std::{collections::BTreeSet, fmt, time::Duration};

use ::redis::{Client, Cmd, FromRedisValue, Value, aio::ConnectionManager, cmd};

use super::Backend;
use crate::{StoreError, ttl::Ttl};

/// Every key this crate writes starts with it, so the store can share a Redis database.
const KEY_PREFIX: &str = "zmcp";

/// Bounds on every round trip, so that an unreachable Redis fails requests instead of
/// hanging them.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
const RECONNECT_RETRIES: usize = 3;

/// Keys asked for per `SCAN` step and per `MGET` while listing a namespace.
const BATCH: usize = 200;

/// Expiry is Redis's own (`PX`), so every replica sees an entry vanish at the same moment.
/// The connection manager reconnects by itself after Redis restarts or fails over.
#[derive(Clone)]
pub(crate) struct RedisBackend {
    conn: ConnectionManager,
    /// `host:port/db`, for `Debug`; never the URL, which may carry a password.
    target: String,
}

impl RedisBackend {
    /// Connects at once, so that a wrong URL or an unreachable server stops start-up.
    pub(crate) async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|source| StoreError::Redis {
            operation: "parse URL",
            source,
        })?;
        let info = client.get_connection_info();
        let target = format!("{}/{}", info.addr(), info.redis_settings().db());
        let config = ::redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(RECONNECT_RETRIES);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|source| StoreError::Redis {
                operation: "connect",
                source,
            })?;
        Ok(Self { conn, target })
    }

    async fn query<T: FromRedisValue>(
        &self,
        operation: &'static str,
        command: &Cmd,
    ) -> Result<T, StoreError> {
        command
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|source| StoreError::Redis { operation, source })
    }

    /// Keys of the namespace; `SCAN` may repeat a key, hence the set.
    async fn scan(&self, namespace: &str) -> Result<BTreeSet<Vec<u8>>, StoreError> {
        let pattern = format!("{KEY_PREFIX}:{namespace}:*");
        let mut keys = BTreeSet::new();
        let mut cursor = 0_u64;
        loop {
            let (next, batch): (u64, Vec<Vec<u8>>) = self
                .query(
                    "list",
                    cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(BATCH),
                )
                .await?;
            keys.extend(batch);
            if next == 0 {
                return Ok(keys);
            }
            cursor = next;
        }
    }
}

fn redis_key(namespace: &str, key: &str) -> String {
    format!("{KEY_PREFIX}:{namespace}:{key}")
}

/// `SET key value [NX] [PX ttl]`.
/// When a `SET` may write.
#[derive(Clone, Copy)]
enum Condition {
    Always,
    /// `NX`: only a new key.
    Absent,
    /// `XX`: only an existing key.
    Present,
}

fn set_command(namespace: &str, key: &str, value: &[u8], ttl: Option<Ttl>, when: Condition) -> Cmd {
    let mut command = cmd("SET");
    command.arg(redis_key(namespace, key)).arg(value);
    match when {
        Condition::Always => {}
        Condition::Absent => {
            command.arg("NX");
        }
        Condition::Present => {
            command.arg("XX");
        }
    }
    if let Some(ttl) = ttl {
        command.arg("PX").arg(ttl.millis());
    }
    command
}

impl RedisBackend {
    /// A conditional `SET`; `true` when it wrote (Redis answers nil when it did not).
    async fn set_if(
        &self,
        operation: &'static str,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
        when: Condition,
    ) -> Result<bool, StoreError> {
        let reply: Value = self
            .query(operation, &set_command(namespace, key, value, ttl, when))
            .await?;
        Ok(!matches!(reply, Value::Nil))
    }
}

impl Backend for RedisBackend {
    async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<(), StoreError> {
        self.query(
            "put",
            &set_command(namespace, key, value, ttl, Condition::Always),
        )
        .await
    }

    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.query("get", cmd("GET").arg(redis_key(namespace, key)))
            .await
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        let removed: u64 = self
            .query("delete", cmd("DEL").arg(redis_key(namespace, key)))
            .await?;
        Ok(removed > 0)
    }

    async fn take(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.query("take", cmd("GETDEL").arg(redis_key(namespace, key)))
            .await
    }

    async fn put_if_absent(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<bool, StoreError> {
        self.set_if(
            "put_if_absent",
            namespace,
            key,
            value,
            ttl,
            Condition::Absent,
        )
        .await
    }

    async fn replace(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Option<Ttl>,
    ) -> Result<bool, StoreError> {
        self.set_if("replace", namespace, key, value, ttl, Condition::Present)
            .await
    }

    /// Keys that expire between `SCAN` and `MGET` come back empty and are left out; keys
    /// under the prefix that are not UTF-8 were not written by this crate and are skipped.
    async fn list(&self, namespace: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let prefix = format!("{KEY_PREFIX}:{namespace}:");
        let keys: Vec<Vec<u8>> = self.scan(namespace).await?.into_iter().collect();
        let mut entries = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH) {
            let mut mget = cmd("MGET");
            for key in chunk {
                mget.arg(key);
            }
            let values: Vec<Option<Vec<u8>>> = self.query("list", &mget).await?;
            for (full_key, value) in chunk.iter().zip(values) {
                let key = full_key
                    .strip_prefix(prefix.as_bytes())
                    .and_then(|key| String::from_utf8(key.to_vec()).ok());
                if let (Some(key), Some(value)) = (key, value) {
                    entries.push((key, value));
                }
            }
        }
        Ok(entries)
    }
}

impl fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redis {}", self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::{RedisBackend, redis_key};
    use crate::StoreError;

    #[test]
    fn keys_are_prefixed_and_namespaced() {
        assert_eq!(
            redis_key("oauth-clients", "abc:def"),
            "zmcp:oauth-clients:abc:def"
        );
    }

    #[tokio::test]
    async fn an_unreachable_server_fails_at_connect() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = RedisBackend::connect(&format!("redis://127.0.0.1:{port}/0"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Redis {
                    operation: "connect",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_bad_url_is_refused_without_echoing_it() {
        let err = RedisBackend::connect("redis://:secret@host:notaport/0")
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
