//! Who may connect to zscaler-mcp over HTTP (stdio is never authenticated).
//!
//! The binary resolves the client-authentication mode once at start-up from the same
//! environment variables as the Python server ([`ClientAuth::resolve_from_env`], which also
//! fetches what the mode needs: a JWKS, a discovery document), merges the mode's public
//! routes ([`ClientAuth::routes`]) and puts [`require_auth`] in front of the MCP routes;
//! every accepted request then carries a [`Principal`] in its extensions, which is all
//! `zmcp-server` ever sees of authentication. Every refusal says why, in the
//! `WWW-Authenticate` challenge, the JSON-RPC body and the log, never echoing a credential.
//! Modes this build does not implement are refused at start-up, never served open.
//! This crate must not depend on rmcp or on any other zscaler-mcp crate except `zmcp-store`.

mod api_key;
mod client_auth;
mod entra;
mod env;
mod error;
pub mod jwks;
mod jwt_mode;
mod middleware;
mod mode;
mod oidc_mode;
mod outbound;
mod principal;
pub mod proxy;
mod rejection;
#[cfg(feature = "test-support")]
pub mod test_support;
mod validation_error;
pub mod validator;
mod zscaler_mode;

pub use api_key::key_fingerprint;
pub use client_auth::{AuthResolution, ClientAuth};
pub use entra::EntraHint;
pub use env::{AuthEnv, JwtEnv, OidcEnv, OneApiEnv};
pub use error::AuthConfigError;
pub use jwks::{JwksCache, KeyResolver, StaticKeys};
pub use jwt_mode::{DEFAULT_AUDIENCE, JwtAuth};
pub use middleware::{SKIP_PATHS, require_auth};
pub use mode::{AuthMode, ModeSource};
pub use oidc_mode::{METADATA_PREFIX, OidcAuth};
pub use principal::Principal;
pub use rejection::Rejection;
pub use validation_error::ValidationError;
pub use validator::{TokenValidator, ValidatorConfig};
pub use zscaler_mode::ZscalerAuth;
