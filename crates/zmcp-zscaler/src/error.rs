//! Failures, worded for the person who has to fix them. No message ever contains a secret.

/// The configuration cannot produce a working client.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    /// Required settings are absent.
    #[error("missing Zscaler OneAPI settings: {}. Set them in the environment or the .env file.", .0.join(", "))]
    Missing(Vec<&'static str>),
    /// A setting has a value that cannot work.
    #[error("invalid {name}: {reason}")]
    Invalid {
        /// The env var.
        name: &'static str,
        /// Why.
        reason: String,
    },
}

/// A call that did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The token endpoint refused the credentials or could not be reached.
    #[error("OneAPI authentication failed: {0}")]
    Auth(String),
    /// The API answered with an error status.
    #[error("Zscaler API returned HTTP {status}{}: {message}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Status {
        /// HTTP status.
        status: u16,
        /// Error code from the body (`code`, `id`, `errorCode`, `title`, `msgId`).
        code: Option<String>,
        /// Error message from the body, or a description of the status.
        message: String,
        /// Request id, when the gateway sent one.
        request_id: Option<String>,
    },
    /// Still rate limited after all retries.
    #[error(
        "Zscaler API rate limit: still HTTP 429 after {retries} retries; wait a minute and try again, or narrow the request"
    )]
    RateLimited {
        /// Retries made.
        retries: u32,
    },
    /// No answer in time.
    #[error("Zscaler API did not answer within {seconds} s")]
    Timeout {
        /// The timeout.
        seconds: u64,
    },
    /// Connection-level failure.
    #[error("could not reach the Zscaler API: {0}")]
    Transport(String),
    /// The answer was not what the API documents.
    #[error("unexpected response from the Zscaler API: {0}")]
    InvalidResponse(String),
    /// GraphQL answered HTTP 200 with an `errors` array.
    #[error("Zscaler GraphQL error: {0}")]
    Graphql(String),
}

impl ApiError {
    /// The HTTP status the API answered with, when the failure was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// True for a missing resource, however the product says it (404, or ZPA's
    /// `resource.not.found` code on another status).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Status { status, code, .. } => {
                *status == 404 || code.as_deref() == Some("resource.not.found")
            }
            _ => false,
        }
    }
}
