//! Why a bearer token was refused, in words the client and the operator can act on.

use std::fmt;

use http::StatusCode;

use crate::entra::EntraHint;

/// Why a bearer token was refused. The text ([`fmt::Display`]) goes to the client (JSON-RPC
/// body and `error_description`) and the log; it never contains the token itself, and values
/// copied from the token are made printable and truncated first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    /// No `Authorization` header.
    NoToken,
    /// Not a bearer JWT the server can read (wrong scheme, not three base64url parts,
    /// invalid JSON, a required claim missing or ill-typed).
    Malformed(String),
    /// `exp` is past (beyond the leeway).
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// The signature does not verify with the key the token names.
    BadSignature {
        /// What the token's claims suggest went wrong.
        hint: Option<EntraHint>,
    },
    /// No key in the JWKS verifies this token (after a refresh, when one was allowed).
    UnknownKey {
        /// Which key was looked for.
        detail: String,
        /// What the token's claims suggest went wrong.
        hint: Option<EntraHint>,
    },
    /// `iss` is not the configured issuer.
    WrongIssuer {
        /// The accepted issuer(s).
        expected: Vec<String>,
        /// The token's `iss` (printable, truncated), if any.
        found: Option<String>,
        /// What the token's claims suggest went wrong.
        hint: Option<EntraHint>,
    },
    /// `aud` names none of the accepted audiences.
    WrongAudience {
        /// The accepted audience(s).
        expected: Vec<String>,
        /// The token's audiences (printable, truncated).
        found: Vec<String>,
        /// What the token's claims suggest went wrong.
        hint: Option<EntraHint>,
    },
    /// The token is valid but lacks scopes this server requires (403).
    MissingScope {
        /// Every scope the server requires.
        required: Vec<String>,
        /// Those the token lacks.
        missing: Vec<String>,
    },
    /// The token's `alg` is not allowed, or does not fit the key that would verify it.
    AlgorithmNotAllowed {
        /// The token's `alg` (printable, truncated).
        alg: String,
        /// Why.
        reason: String,
    },
    /// The signing key could not be obtained from the IdP.
    JwksUnavailable(String),
    /// A token of ours whose sign-in session has ended (revoked, refresh-token reuse, the
    /// identity provider refusing the user).
    SessionEnded,
    /// Whether the token's session is live could not be checked (the state store failed);
    /// refused rather than assumed.
    SessionUnknown,
}

impl ValidationError {
    /// 403 for a valid token that lacks a scope, 401 otherwise (RFC 6750 section 3.1).
    pub fn status(&self) -> StatusCode {
        match self {
            ValidationError::MissingScope { .. } => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The RFC 6750 `error` code; none when no token was sent (section 3.1: the server
    /// SHOULD NOT include an error code then).
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            ValidationError::NoToken => None,
            ValidationError::MissingScope { .. } => Some("insufficient_scope"),
            _ => Some("invalid_token"),
        }
    }

    /// The Entra ID hint attached to this rejection, if any.
    pub fn hint(&self) -> Option<EntraHint> {
        match self {
            ValidationError::BadSignature { hint }
            | ValidationError::UnknownKey { hint, .. }
            | ValidationError::WrongIssuer { hint, .. }
            | ValidationError::WrongAudience { hint, .. } => *hint,
            _ => None,
        }
    }

    /// Replaces the hint of a variant that carries one.
    pub(crate) fn with_hint(mut self, new: Option<EntraHint>) -> Self {
        if new.is_none() {
            return self;
        }
        match &mut self {
            ValidationError::BadSignature { hint }
            | ValidationError::UnknownKey { hint, .. }
            | ValidationError::WrongIssuer { hint, .. }
            | ValidationError::WrongAudience { hint, .. } => *hint = new,
            _ => {}
        }
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationError::NoToken => f.write_str("Missing Authorization header")?,
            ValidationError::Malformed(reason) => f.write_str(reason)?,
            ValidationError::Expired => f.write_str("Token has expired")?,
            ValidationError::NotYetValid => {
                f.write_str("Token is not valid yet (its nbf is in the future)")?;
            }
            ValidationError::BadSignature { .. } => f.write_str("Token signature is invalid")?,
            ValidationError::UnknownKey { detail, .. } => {
                write!(f, "Unknown signing key: {detail}")?;
            }
            ValidationError::WrongIssuer {
                expected, found, ..
            } => write!(
                f,
                "Invalid token issuer (expected {}, got {})",
                expected.join(" or "),
                found.as_deref().unwrap_or("none")
            )?,
            ValidationError::WrongAudience {
                expected, found, ..
            } => write!(
                f,
                "Invalid token audience (expected {}, got {})",
                expected.join(" or "),
                if found.is_empty() {
                    "none".to_owned()
                } else {
                    found.join(", ")
                }
            )?,
            ValidationError::MissingScope { required, missing } => write!(
                f,
                "Insufficient scope: the token lacks {} (required: {})",
                missing.join(" "),
                required.join(" ")
            )?,
            ValidationError::AlgorithmNotAllowed { alg, reason } => {
                write!(f, "Token algorithm '{alg}' is not allowed: {reason}")?;
            }
            ValidationError::JwksUnavailable(reason) => write!(
                f,
                "Failed to retrieve signing key from JWKS endpoint: {reason}"
            )?,
            ValidationError::SessionEnded => f.write_str(
                "The sign-in session of this token has ended (revoked or signed out); sign in again",
            )?,
            ValidationError::SessionUnknown => f.write_str(
                "The sign-in session of this token could not be checked (state store unavailable); retry shortly",
            )?,
        }
        match self.hint() {
            Some(hint) => write!(f, "; {hint}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_follow_rfc_6750() {
        assert_eq!(ValidationError::NoToken.error_code(), None);
        assert_eq!(ValidationError::NoToken.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(ValidationError::Expired.error_code(), Some("invalid_token"));
        let scope = ValidationError::MissingScope {
            required: vec!["a".into(), "b".into()],
            missing: vec!["b".into()],
        };
        assert_eq!(scope.status(), StatusCode::FORBIDDEN);
        assert_eq!(scope.error_code(), Some("insufficient_scope"));
        assert_eq!(
            scope.to_string(),
            "Insufficient scope: the token lacks b (required: a b)"
        );
    }

    #[test]
    fn hints_are_appended() {
        let err = ValidationError::WrongAudience {
            expected: vec!["guid".into()],
            found: vec!["api://x".into()],
            hint: None,
        }
        .with_hint(Some(EntraHint::AudienceMustBeClientId));
        let text = err.to_string();
        assert!(
            text.starts_with("Invalid token audience (expected guid, got api://x); for Entra ID"),
            "{text}"
        );
        let no_hint = ValidationError::Expired.with_hint(Some(EntraHint::V1Token));
        assert_eq!(no_hint.to_string(), "Token has expired");
    }
}
