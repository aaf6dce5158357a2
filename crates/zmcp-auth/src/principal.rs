//! The authenticated caller, as the rest of the server sees it.

use crate::AuthMode;

/// Who made an HTTP request, inserted into the request extensions by [`crate::require_auth`].
///
/// It names the caller without carrying the credential, so audit lines can say who acted
/// without ever holding a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// A stable, non-secret name for the caller (`api-key:1a2b3c4d`, `anonymous`).
    pub subject: String,
    /// The mode that admitted the request.
    pub auth_mode: AuthMode,
}

impl Principal {
    /// The caller when client authentication is off: every request is admitted as the same
    /// anonymous subject, so audit lines still say that nobody was authenticated.
    pub fn anonymous() -> Self {
        Self {
            subject: "anonymous".to_owned(),
            auth_mode: AuthMode::None,
        }
    }
}
