//! The Zscaler OneAPI settings read from the environment (inventory section 2.4.2), turned
//! into the client configuration and tenant scope. Missing credentials are not fatal: the
//! server starts and every tool call answers with the missing-settings error, as the Python
//! server's lazy client does.

use std::time::Duration;

use secrecy::SecretString;
use zmcp_catalog::TenantScope;
use zmcp_zscaler::{ClientConfig, Cloud, ConfigError, Credential};

/// Timeout of one Zscaler API call.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Retries of one request (429, edit lock, 5xx on reads).
const MAX_RETRIES: u32 = 3;
/// Longest single back-off wait.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The OneAPI variables, read once.
#[derive(Debug, Clone, Default)]
pub struct ZscalerEnv {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    private_key: Option<SecretString>,
    vanity_domain: Option<String>,
    cloud: Option<String>,
    customer_id: Option<String>,
    zcell_customer_id: Option<String>,
    microtenant_id: Option<String>,
    token_url: Option<String>,
    api_base_url: Option<String>,
}

impl ZscalerEnv {
    /// Reads the values through `lookup` (blank = unset).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            client_id: get("ZSCALER_CLIENT_ID"),
            client_secret: get("ZSCALER_CLIENT_SECRET").map(SecretString::from),
            private_key: get("ZSCALER_PRIVATE_KEY").map(SecretString::from),
            vanity_domain: get("ZSCALER_VANITY_DOMAIN"),
            cloud: get("ZSCALER_CLOUD"),
            customer_id: get("ZSCALER_CUSTOMER_ID").or_else(|| get("ZPA_CUSTOMER_ID")),
            zcell_customer_id: get("ZCELL_CUSTOMER_ID"),
            microtenant_id: get("ZSCALER_MICROTENANT_ID").or_else(|| get("ZPA_MICROTENANT_ID")),
            token_url: get("ZSCALER_MCP_TOKEN_URL"),
            api_base_url: get("ZSCALER_MCP_API_BASE_URL"),
        }
    }

    /// Reads the process environment.
    pub fn from_process_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The client configuration, or the names of the missing variables.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] naming every absent variable.
    pub fn client_config(
        &self,
        user_agent_comment: Option<&str>,
    ) -> Result<ClientConfig, ConfigError> {
        match (&self.client_id, self.credential(), &self.vanity_domain) {
            (Some(client_id), Some(credential), Some(vanity_domain)) => Ok(client_config(
                client_id.clone(),
                credential,
                vanity_domain.clone(),
                parse_cloud(self.cloud.as_deref()),
                Endpoints {
                    token_url: self.token_url.clone(),
                    api_base_url: self.api_base_url.clone(),
                },
                user_agent_comment,
            )),
            (client_id, credential, vanity_domain) => {
                let mut missing = Vec::new();
                if client_id.is_none() {
                    missing.push("ZSCALER_CLIENT_ID");
                }
                if credential.is_none() {
                    missing.push("ZSCALER_CLIENT_SECRET (or ZSCALER_PRIVATE_KEY)");
                }
                if vanity_domain.is_none() {
                    missing.push("ZSCALER_VANITY_DOMAIN");
                }
                Err(ConfigError::Missing(missing))
            }
        }
    }

    /// The client secret, else the private key (the secret wins when both are set, with a
    /// warning); shared by start-up and `reload`.
    pub fn credential(&self) -> Option<Credential> {
        match (&self.client_secret, &self.private_key) {
            (Some(secret), private_key) => {
                if private_key.is_some() {
                    tracing::warn!(
                        "both ZSCALER_CLIENT_SECRET and ZSCALER_PRIVATE_KEY are set; using the client secret"
                    );
                }
                Some(Credential::Secret(secret.clone()))
            }
            (None, Some(key)) => Some(Credential::PrivateKey(key.clone())),
            (None, None) => None,
        }
    }

    /// Tenant-scoped ids for the catalog.
    pub fn tenant(&self) -> TenantScope {
        TenantScope {
            customer_id: self.customer_id.clone(),
            zcell_customer_id: self.zcell_customer_id.clone(),
            microtenant_id: self.microtenant_id.clone(),
        }
    }

    /// The tenant variables that are set, for the demo's "ignored" notice.
    pub fn names_set(&self) -> Vec<&'static str> {
        [
            ("ZSCALER_CLIENT_ID", self.client_id.is_some()),
            ("ZSCALER_CLIENT_SECRET", self.client_secret.is_some()),
            ("ZSCALER_PRIVATE_KEY", self.private_key.is_some()),
            ("ZSCALER_VANITY_DOMAIN", self.vanity_domain.is_some()),
            ("ZSCALER_CUSTOMER_ID", self.customer_id.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// Where the client sends requests when not derived from cloud and vanity domain
/// (`ZSCALER_MCP_TOKEN_URL`, `ZSCALER_MCP_API_BASE_URL`: private gateways, tests, the demo).
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    /// Token endpoint.
    pub token_url: Option<String>,
    /// API gateway base URL.
    pub api_base_url: Option<String>,
}

/// One place for the client's fixed policy (timeouts, retries), shared by the real tenant
/// and the demo.
pub fn client_config(
    client_id: String,
    credential: Credential,
    vanity_domain: String,
    cloud: Cloud,
    endpoints: Endpoints,
    user_agent_comment: Option<&str>,
) -> ClientConfig {
    ClientConfig {
        client_id,
        credential,
        vanity_domain,
        cloud,
        token_url: endpoints.token_url,
        api_base_url: endpoints.api_base_url,
        user_agent_comment: user_agent_comment.map(str::to_owned),
        request_timeout: REQUEST_TIMEOUT,
        max_retries: MAX_RETRIES,
        max_backoff: MAX_BACKOFF,
    }
}

/// `ZSCALER_CLOUD`: unset or `production` is production; `gov`/`govus` are the government
/// clouds; anything else names a non-production cloud.
fn parse_cloud(raw: Option<&str>) -> Cloud {
    match raw.map(str::to_ascii_lowercase).as_deref() {
        None | Some("production") => Cloud::Production,
        Some("gov") => Cloud::Gov,
        Some("govus") => Cloud::GovUs,
        Some(other) => Cloud::Other(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ZscalerEnv {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ZscalerEnv::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn missing_settings_are_all_named() {
        match env(&[("ZSCALER_CLIENT_ID", "id")]).client_config(None) {
            Err(ConfigError::Missing(names)) => assert_eq!(
                names,
                [
                    "ZSCALER_CLIENT_SECRET (or ZSCALER_PRIVATE_KEY)",
                    "ZSCALER_VANITY_DOMAIN"
                ]
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn full_settings_build_a_config_with_overrides() {
        let cfg = env(&[
            ("ZSCALER_CLIENT_ID", "id"),
            ("ZSCALER_PRIVATE_KEY", "pem"),
            ("ZSCALER_VANITY_DOMAIN", "acme"),
            ("ZSCALER_CLOUD", "Beta"),
            ("ZSCALER_MCP_TOKEN_URL", "http://127.0.0.1:1/token"),
        ])
        .client_config(Some("ci"))
        .unwrap();
        assert_eq!(cfg.cloud, Cloud::Other("beta".into()));
        assert!(matches!(&cfg.credential, Credential::PrivateKey(k) if k.expose_secret() == "pem"));
        assert_eq!(cfg.token_url.as_deref(), Some("http://127.0.0.1:1/token"));
        assert_eq!(cfg.api_base_url, None);
        assert_eq!(cfg.user_agent_comment.as_deref(), Some("ci"));
    }

    #[test]
    fn clouds() {
        assert_eq!(parse_cloud(None), Cloud::Production);
        assert_eq!(parse_cloud(Some("PRODUCTION")), Cloud::Production);
        assert_eq!(parse_cloud(Some("gov")), Cloud::Gov);
        assert_eq!(parse_cloud(Some("govus")), Cloud::GovUs);
    }

    #[test]
    fn tenant_falls_back_to_zpa_names() {
        let t = env(&[
            ("ZPA_CUSTOMER_ID", "1"),
            ("ZPA_MICROTENANT_ID", "2"),
            ("ZCELL_CUSTOMER_ID", "3"),
        ])
        .tenant();
        assert_eq!(t.customer_id.as_deref(), Some("1"));
        assert_eq!(t.microtenant_id.as_deref(), Some("2"));
        assert_eq!(t.zcell_customer_id.as_deref(), Some("3"));
    }
}
