//! Why client authentication cannot start; the server must then not start either.

use crate::AuthMode;

/// Why no enforceable mode could be resolved; the server must not start.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthConfigError {
    /// `ZSCALER_MCP_AUTH_MODE` names no mode.
    #[error("Unknown auth mode: '{0}'. Supported: none, jwt, zscaler, api-key, oidc, oidcproxy")]
    UnknownMode(String),
    /// `api-key` without a key.
    #[error("ZSCALER_MCP_AUTH_API_KEY must be set and non-empty when using api-key auth mode.")]
    MissingApiKey,
    /// A setting of the mode is missing or invalid.
    #[error("{reason}")]
    Setting {
        /// The mode.
        mode: AuthMode,
        /// Which setting, and what it must be.
        reason: String,
    },
    /// What the mode fetches at start-up (JWKS, discovery document) could not be fetched
    /// or is unusable: failing now beats failing every request later.
    #[error("{reason}")]
    Startup {
        /// The mode.
        mode: AuthMode,
        /// What was fetched from where, and what went wrong.
        reason: String,
    },
}

impl AuthConfigError {
    /// The mode the configuration asked for, when one was recognised.
    pub fn mode(&self) -> Option<AuthMode> {
        match self {
            AuthConfigError::UnknownMode(_) => None,
            AuthConfigError::MissingApiKey => Some(AuthMode::ApiKey),
            AuthConfigError::Setting { mode, .. } | AuthConfigError::Startup { mode, .. } => {
                Some(*mode)
            }
        }
    }
}
