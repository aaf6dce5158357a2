//! What the client needs to reach a tenant: credentials, cloud and vanity domain.

use std::time::Duration;

use secrecy::SecretString;

use crate::ConfigError;

/// The OneAPI credential that proves the client's identity at the token endpoint.
#[derive(Clone)]
pub enum Credential {
    /// `client_secret` form field.
    Secret(SecretString),
    /// RS256 private key (PKCS#8 PEM or JWK JSON) used to sign a `client_assertion`.
    PrivateKey(SecretString),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Credential::Secret([REDACTED])"),
            Credential::PrivateKey(_) => f.write_str("Credential::PrivateKey([REDACTED])"),
        }
    }
}

/// The Zscaler cloud (`ZSCALER_CLOUD`): decides the token host and the API gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cloud {
    /// Production: `{vanity}.zslogin.net`, `api.zsapi.net`.
    Production,
    /// `gov`: `{vanity}.zidentitygov.net`, `api.zscalergov.net`.
    Gov,
    /// `govus`: `{vanity}.zidentitygov.us`, `api.zscalergov.us`.
    GovUs,
    /// Any other cloud `x`: `{vanity}.zslogin{x}.net`, `api.{x}.zsapi.net`.
    Other(String),
}

/// Everything needed to build a [`crate::ZscalerClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// OneAPI client id.
    pub client_id: String,
    /// Secret or private key.
    pub credential: Credential,
    /// Vanity domain label (`acme` in `acme.zslogin.net`).
    pub vanity_domain: String,
    /// Cloud.
    pub cloud: Cloud,
    /// Overrides the token URL derived from cloud and vanity domain (tests, the demo).
    pub token_url: Option<String>,
    /// Overrides the API gateway base URL (tests, the demo).
    pub api_base_url: Option<String>,
    /// Appended to the User-Agent after a space, so operators can tell their deployments apart
    /// in the tenant's API logs.
    pub user_agent_comment: Option<String>,
    /// Timeout of one HTTP call.
    pub request_timeout: Duration,
    /// How many times one request is retried on 429, edit lock or (reads only) 5xx.
    pub max_retries: u32,
    /// Upper bound of one back-off wait (also caps a server's `Retry-After`).
    pub max_backoff: Duration,
}

impl Cloud {
    /// Reads a `ZSCALER_CLOUD` value the way the SDKs do: case-insensitive, empty or
    /// `production` meaning production. The value becomes part of a host name, so anything but
    /// a plain DNS label is refused rather than allowed to redirect the token request.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when the value is not a DNS label.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let cloud = value.trim().to_ascii_lowercase();
        match cloud.as_str() {
            "" | "production" => Ok(Self::Production),
            "gov" => Ok(Self::Gov),
            "govus" => Ok(Self::GovUs),
            other if is_dns_label(other) => Ok(Self::Other(other.to_owned())),
            _ => Err(ConfigError::Invalid {
                name: "ZSCALER_CLOUD",
                reason: format!(
                    "{value:?} is not a cloud name (expected e.g. production, beta, gov, govus)"
                ),
            }),
        }
    }
}

/// True for a single host-name label: letters, digits and inner hyphens.
pub(crate) fn is_dns_label(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 63
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !value.starts_with('-')
        && !value.ends_with('-')
}

impl ClientConfig {
    /// Default timeout of one HTTP call; generous because some Zscaler calls (ZIA edit-lock
    /// waits) were observed taking about 30 s server-side.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default retry budget per request.
    pub const DEFAULT_MAX_RETRIES: u32 = 3;
    /// Default cap of one back-off wait.
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(30);

    /// A configuration for the real cloud with the default timeout and retry budget.
    pub fn new(
        client_id: impl Into<String>,
        credential: Credential,
        vanity_domain: impl Into<String>,
        cloud: Cloud,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            credential,
            vanity_domain: vanity_domain.into(),
            cloud,
            token_url: None,
            api_base_url: None,
            user_agent_comment: None,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_names_parse_like_the_sdks() {
        assert_eq!(Cloud::parse("").unwrap(), Cloud::Production);
        assert_eq!(Cloud::parse("PRODUCTION").unwrap(), Cloud::Production);
        assert_eq!(Cloud::parse(" Gov ").unwrap(), Cloud::Gov);
        assert_eq!(Cloud::parse("govus").unwrap(), Cloud::GovUs);
        assert_eq!(Cloud::parse("Beta").unwrap(), Cloud::Other("beta".into()));
    }

    #[test]
    fn cloud_names_that_would_change_the_host_are_refused() {
        for bad in ["beta.evil.com", "a/b", "-x", "x-", "a b"] {
            assert!(Cloud::parse(bad).is_err(), "{bad}");
        }
    }
}
