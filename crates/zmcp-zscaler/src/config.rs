//! What the client needs to reach a tenant: credentials, cloud and vanity domain.

use std::time::Duration;

use secrecy::SecretString;

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
    /// Appended to the User-Agent as ` (<comment>)`.
    pub user_agent_comment: Option<String>,
    /// Timeout of one HTTP call.
    pub request_timeout: Duration,
    /// How many times one request is retried on 429, edit lock or (reads only) 5xx.
    pub max_retries: u32,
    /// Upper bound of one back-off wait (also caps a server's `Retry-After`).
    pub max_backoff: Duration,
}
