//! The one error type of the store; it never carries a stored value or a store URL.

use std::path::PathBuf;

/// Why a store operation failed. Messages name the operation and the backend's reason but
/// never a value (values are secrets: codes, tokens, keys) nor a Redis URL (it may carry a
/// password).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The `--store` URL is not one this crate understands.
    #[error("invalid store URL: {reason}")]
    InvalidUrl {
        /// What is wrong and what is expected instead.
        reason: &'static str,
    },
    /// A namespace that could collide with another in a Redis key or a `SCAN` pattern.
    #[error(
        "invalid store namespace {namespace:?}: use 1 to 64 ASCII letters, digits, '-', '_' or '.'"
    )]
    InvalidNamespace {
        /// The namespace as given (namespaces are constants in the code, never secrets).
        namespace: String,
    },
    /// The SQLite file or its folder could not be created or restricted to its owner.
    #[error("store file {}: {source}", path.display())]
    File {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// SQLite refused an operation.
    #[error("sqlite store: {operation} failed: {source}")]
    Sqlite {
        /// The store operation (`open`, `get`, `take`, ...).
        operation: &'static str,
        /// SQLite's reason; statements bind values as parameters, so none is quoted here.
        source: rusqlite::Error,
    },
    /// The SQLite worker thread died or the runtime is shutting down.
    #[error("sqlite store: {operation} was interrupted")]
    Interrupted {
        /// The store operation that did not finish.
        operation: &'static str,
    },
    /// Redis refused an operation or could not be reached.
    #[error("redis store: {operation} failed: {source}")]
    Redis {
        /// The store operation (`connect`, `get`, `take`, ...).
        operation: &'static str,
        /// The client's reason (a connection error or the server's error reply).
        source: redis::RedisError,
    },
}
