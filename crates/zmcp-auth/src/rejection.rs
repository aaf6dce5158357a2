//! The answer to a refused request: status, `WWW-Authenticate` challenge and the Python
//! server's JSON-RPC error body, the same shape for every mode.

use axum::{
    Json,
    response::{IntoResponse, Response},
};
use http::{HeaderValue, StatusCode, header};

use crate::{outbound::printable, validation_error::ValidationError};

/// A refused request.
#[derive(Debug, Clone)]
pub struct Rejection {
    status: StatusCode,
    challenge: HeaderValue,
    message: String,
    /// An expected refusal (a client's first, credential-less request in an OAuth flow) is
    /// logged quietly; the others are warnings.
    expected: bool,
}

impl Rejection {
    /// A 401 with a fixed challenge (`Bearer` for api-key, `Basic` for zscaler).
    pub(crate) fn unauthorized(challenge: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            challenge: HeaderValue::from_static(challenge),
            message: message.into(),
            expected: false,
        }
    }

    /// The RFC 6750 (and RFC 9728, when `resource_metadata` is given) answer to a refused
    /// bearer token. `scopes` are the scopes the server requires, listed in the challenge
    /// so a client knows what to ask its IdP for.
    pub fn bearer(
        error: &ValidationError,
        resource_metadata: Option<&str>,
        scopes: &[String],
    ) -> Self {
        let mut params: Vec<String> = Vec::new();
        if let Some(code) = error.error_code() {
            params.push(format!("error=\"{code}\""));
            params.push(format!(
                "error_description=\"{}\"",
                printable(&error.to_string(), 400)
            ));
        }
        if !scopes.is_empty() {
            params.push(format!("scope=\"{}\"", printable(&scopes.join(" "), 400)));
        }
        if let Some(url) = resource_metadata {
            params.push(format!("resource_metadata=\"{}\"", printable(url, 400)));
        }
        let challenge = if params.is_empty() {
            "Bearer".to_owned()
        } else {
            format!("Bearer {}", params.join(", "))
        };
        Self {
            status: error.status(),
            challenge: HeaderValue::from_str(&challenge)
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer error=\"invalid_token\"")),
            message: error.to_string(),
            expected: *error == ValidationError::NoToken,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `WWW-Authenticate` value.
    pub fn challenge(&self) -> &HeaderValue {
        &self.challenge
    }

    /// Why, as the client and the log see it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this refusal is a normal step of a client's flow rather than a failure.
    pub fn is_expected(&self) -> bool {
        self.expected
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let prefix = if self.status == StatusCode::FORBIDDEN {
            "Forbidden"
        } else {
            "Unauthorized"
        };
        let body = serde_json::json!({
            "jsonrpc": "2.0",
            "error": { "code": -32001, "message": format!("{prefix}: {}", self.message) },
        });
        (
            self.status,
            [(header::WWW_AUTHENTICATE, self.challenge)],
            Json(body),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_token_challenge_has_no_error() {
        let r = Rejection::bearer(&ValidationError::NoToken, None, &[]);
        assert_eq!(r.challenge(), "Bearer");
        assert!(r.is_expected());
        let r = Rejection::bearer(
            &ValidationError::NoToken,
            Some("https://h/.well-known/oauth-protected-resource/mcp"),
            &["mcp.access".to_owned()],
        );
        assert_eq!(
            r.challenge(),
            "Bearer scope=\"mcp.access\", \
             resource_metadata=\"https://h/.well-known/oauth-protected-resource/mcp\""
        );
    }

    #[test]
    fn invalid_token_challenge_carries_a_safe_description() {
        let r = Rejection::bearer(
            &ValidationError::Malformed("bad \"quote\"\n".to_owned()),
            None,
            &[],
        );
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.challenge(),
            "Bearer error=\"invalid_token\", error_description=\"bad 'quote'?\""
        );
        assert!(!r.is_expected());
    }
}
