//! The `jwt` mode: bearer JWTs from any IdP, checked against its JWKS.

use std::sync::Arc;

use http::HeaderMap;

use crate::{
    AuthConfigError, AuthEnv, AuthMode, Principal,
    env::csv,
    jwks::JwksCache,
    outbound,
    rejection::Rejection,
    validator::{TokenValidator, ValidatorConfig, algorithm_names, parse_algorithms},
};

/// `ZSCALER_MCP_AUTH_AUDIENCE` when unset (the Python server's default).
pub const DEFAULT_AUDIENCE: &str = "zscaler-mcp-server";

/// The `jwt` mode, ready to serve (its JWKS was fetched at start-up).
#[derive(Debug)]
pub struct JwtAuth {
    validator: TokenValidator,
    jwks_uri: String,
}

impl JwtAuth {
    /// Reads the settings and fetches the JWKS.
    ///
    /// # Errors
    /// A missing or invalid setting, or a JWKS that cannot be fetched or holds no usable key.
    pub async fn start(env: &AuthEnv) -> Result<Self, AuthConfigError> {
        let setting = |reason: String| AuthConfigError::Setting {
            mode: AuthMode::Jwt,
            reason,
        };
        let jwks_uri = env.jwks_uri.as_deref().ok_or_else(|| {
            setting(
                "jwt auth mode requires ZSCALER_MCP_AUTH_JWKS_URI (the identity provider's JWKS \
                 endpoint, e.g. https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys)"
                    .to_owned(),
            )
        })?;
        let issuer = env.jwt.issuer.clone().ok_or_else(|| {
            setting(
                "jwt auth mode requires ZSCALER_MCP_AUTH_ISSUER (the exact 'iss' of the tokens, \
                 e.g. https://login.microsoftonline.com/<tenant>/v2.0)"
                    .to_owned(),
            )
        })?;
        let mut audiences = csv(env.jwt.audience.as_deref());
        if audiences.is_empty() {
            audiences.push(DEFAULT_AUDIENCE.to_owned());
        }
        let algorithms = parse_algorithms(&csv(env.jwt.algorithms.as_deref())).map_err(setting)?;
        let url = outbound::parse_url("ZSCALER_MCP_AUTH_JWKS_URI", jwks_uri).map_err(setting)?;
        let keys = JwksCache::load(url)
            .await
            .map_err(|reason| AuthConfigError::Startup {
                mode: AuthMode::Jwt,
                reason: format!(
                    "{reason}. Check ZSCALER_MCP_AUTH_JWKS_URI and that this host can reach the IdP."
                ),
            })?;
        tracing::info!(
            "JWT auth provider initialized (jwks_uri={jwks_uri}, issuer={issuer}, audience={}, \
             algorithms={})",
            audiences.join(","),
            algorithm_names(&algorithms)
        );
        let config = ValidatorConfig {
            issuers: vec![issuer],
            audiences,
            algorithms,
            required_scopes: Vec::new(),
        };
        Ok(Self {
            validator: TokenValidator::new(config, Arc::new(keys)),
            jwks_uri: jwks_uri.to_owned(),
        })
    }

    /// The validator (issuer, audiences, algorithms).
    pub fn validator(&self) -> &TokenValidator {
        &self.validator
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }

    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Rejection> {
        self.validator
            .authenticate(headers, AuthMode::Jwt)
            .await
            .map_err(|err| Rejection::bearer(&err, None, &[]))
    }
}
