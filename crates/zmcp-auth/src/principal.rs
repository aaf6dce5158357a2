//! The authenticated caller, as the rest of the server sees it.

use crate::AuthMode;

/// Who made an HTTP request, inserted into the request extensions by [`crate::require_auth`].
///
/// It names the caller without carrying the credential, so audit lines can say who acted
/// without ever holding a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// A stable, non-secret name for the caller (`api-key:1a2b3c4d`, a token's `sub`,
    /// `zscaler:<client id>`, `anonymous`).
    pub subject: String,
    /// A display name when the credential carries one (`preferred_username`, `name` or
    /// `email` of a token); never used for authorization, since users can change it.
    pub name: Option<String>,
    /// The scopes a token granted (`scp`/`scope`); empty for the other modes.
    pub scopes: Vec<String>,
    /// The mode that admitted the request.
    pub auth_mode: AuthMode,
}

impl Principal {
    /// The caller when client authentication is off: every request is admitted as the same
    /// anonymous subject, so audit lines still say that nobody was authenticated.
    pub fn anonymous() -> Self {
        Self::named("anonymous".to_owned(), AuthMode::None)
    }

    /// A caller known only by a subject (API key fingerprint, OneAPI client id).
    pub fn named(subject: String, auth_mode: AuthMode) -> Self {
        Self {
            subject,
            name: None,
            scopes: Vec::new(),
            auth_mode,
        }
    }
}
