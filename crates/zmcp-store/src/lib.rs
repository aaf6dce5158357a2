//! Key-value state with expiry shared by the OAuth facade and the confirmation ledger:
//! registered clients, authorization codes, refresh tokens, signing keys, single-use nonces.
//!
//! One [`Store`] type (cheap to clone, `Send + Sync`) fronts three backends chosen by a URL
//! at start-up ([`Store::open`]): `memory:` for tests and throwaway runs, `sqlite:<path>`
//! (the default: an embedded file that survives a restart) and `redis://host:port/db` so
//! that several replicas behind a load balancer share state. Every backend gives the same
//! guarantees, checked by one test suite run against all three: expired entries are never
//! returned, [`Store::take`] hands a value to exactly one caller,
//! [`Store::put_if_absent`] lets exactly one writer win and [`Store::replace`] never
//! brings back an entry someone removed, even across processes.
//!
//! Values are opaque bytes; callers encrypt secrets before storing them. Values never
//! appear in an error or a log line. This crate must not depend on any other zscaler-mcp
//! crate.

mod backend;
mod error;
mod location;
mod namespace;
mod store;
mod ttl;

pub use error::StoreError;
pub use location::DEFAULT_SQLITE_FILE;
pub use store::Store;
