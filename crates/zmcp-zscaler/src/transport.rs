//! The one HTTP client every call goes through, and what its failures mean.

use std::error::Error as _;
use std::time::Duration;

use reqwest::redirect::Policy;

use crate::endpoints::Endpoints;
use crate::{ApiError, ClientConfig, ConfigError};

/// Upper bound of establishing a connection, within the request timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `zscaler-mcp/<version> (<os>; <arch>)`, then ` (<comment>)` as the Python server appends it.
pub(crate) fn user_agent(comment: Option<&str>) -> String {
    let base = format!(
        "zscaler-mcp/{} ({}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    match comment.map(str::trim).filter(|c| !c.is_empty()) {
        Some(comment) => format!("{base} ({comment})"),
        None => base,
    }
}

/// Builds the shared client. Redirects are never followed: a redirected token request could
/// carry the secret elsewhere, and the gateway does not redirect API calls. Plain HTTP is
/// possible only when [`Endpoints`] accepted a loopback override, which also bypasses any
/// system proxy.
pub(crate) fn http_client(
    config: &ClientConfig,
    endpoints: &Endpoints,
) -> Result<reqwest::Client, ConfigError> {
    let agent = user_agent(config.user_agent_comment.as_deref());
    let agent =
        reqwest::header::HeaderValue::from_str(&agent).map_err(|_| ConfigError::Invalid {
            name: "ZSCALER_MCP_USER_AGENT_COMMENT",
            reason: "the User-Agent comment must be printable ASCII".to_owned(),
        })?;
    let mut builder = reqwest::Client::builder()
        .user_agent(agent)
        .redirect(Policy::none())
        .timeout(config.request_timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(config.request_timeout))
        .https_only(endpoints.https_only);
    if !endpoints.https_only {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| ConfigError::Invalid {
        name: "ZSCALER_CLOUD",
        reason: format!("cannot build the HTTP client: {e}"),
    })
}

/// The error of a call that got no complete answer.
pub(crate) fn send_error(err: &reqwest::Error, timeout: Duration) -> ApiError {
    if err.is_timeout() {
        ApiError::Timeout {
            seconds: timeout.as_secs().max(1),
        }
    } else {
        ApiError::Transport(describe_send_error(err, timeout))
    }
}

/// A one-line cause, including the underlying reason (DNS, TLS, refused) that reqwest keeps
/// in its source chain.
pub(crate) fn describe_send_error(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs().max(1));
    }
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_product_version_platform_and_comment() {
        let plain = user_agent(None);
        assert_eq!(
            plain,
            format!(
                "zscaler-mcp/{} ({}; {})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH
            )
        );
        assert_eq!(user_agent(Some("  ")), plain);
        assert_eq!(
            user_agent(Some("acme-prod")),
            format!("{plain} (acme-prod)")
        );
    }
}
