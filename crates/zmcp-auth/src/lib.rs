//! Who may connect to zscaler-mcp over HTTP (stdio is never authenticated).
//!
//! The binary resolves the client-authentication mode once at start-up from the same
//! environment variables as the Python server ([`ClientAuth::resolve_from_env`]) and puts
//! [`require_auth`] in front of the MCP routes; every accepted request then carries a
//! [`Principal`] in its extensions, which is all `zmcp-server` ever sees of authentication.
//! Modes this build does not implement yet are refused at start-up, never served open.
//! This crate must not depend on rmcp or on any other zscaler-mcp crate except `zmcp-store`.

mod api_key;
mod middleware;
mod mode;
mod principal;

pub use api_key::key_fingerprint;
pub use middleware::{SKIP_PATHS, require_auth};
pub use mode::{AuthConfigError, AuthEnv, AuthMode, AuthResolution, ClientAuth, ModeSource};
pub use principal::Principal;
