//! The `oidc` mode: this server is an RFC 9728 protected resource. It publishes metadata
//! naming the IdP as its authorization server, and accepts the IdP's tokens for it.

use std::{sync::Arc, time::Duration};

use axum::{Json, Router, response::IntoResponse, routing::get};
use http::{HeaderMap, header};
use url::Url;

use crate::{
    AuthConfigError, AuthEnv, AuthMode, Principal,
    env::csv,
    jwks::JwksCache,
    outbound,
    rejection::Rejection,
    validator::{DEFAULT_ALGORITHMS, TokenValidator, ValidatorConfig},
};

/// The RFC 9728 well-known prefix.
pub const METADATA_PREFIX: &str = "/.well-known/oauth-protected-resource";
/// Timeout of the discovery request (the Python server's).
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The `oidc` mode, ready to serve (discovery and JWKS fetched at start-up).
#[derive(Debug)]
pub struct OidcAuth {
    validator: TokenValidator,
    resource: String,
    metadata_url: String,
    metadata_paths: Vec<String>,
    metadata: serde_json::Value,
}

/// What this mode reads from the discovery document.
#[derive(serde::Deserialize)]
struct Discovery {
    issuer: Option<String>,
    jwks_uri: Option<String>,
}

impl OidcAuth {
    /// Reads the settings, fetches the discovery document and the JWKS.
    ///
    /// # Errors
    /// Missing settings; a discovery URL that cannot be read (wrong URL, unknown tenant,
    /// unreachable IdP) or lacks `issuer`/`jwks_uri`; a JWKS without usable keys.
    pub async fn start(env: &AuthEnv) -> Result<Self, AuthConfigError> {
        let setting = |reason: String| AuthConfigError::Setting {
            mode: AuthMode::Oidc,
            reason,
        };
        let startup = |reason: String| AuthConfigError::Startup {
            mode: AuthMode::Oidc,
            reason,
        };
        let oidc = &env.oidc;
        let (Some(config_url), Some(base_url)) = (&oidc.config_url, &oidc.base_url) else {
            return Err(setting(
                "oidc auth mode requires: OIDCPROXY_CONFIG_URL, OIDCPROXY_BASE_URL. \
                 OIDCPROXY_BASE_URL is this server's public URL, which clients use as the OAuth \
                 resource identifier."
                    .to_owned(),
            ));
        };
        let mut audiences = csv(oidc.audience.as_deref());
        if audiences.is_empty() {
            audiences.extend(oidc.client_id.clone());
        }
        if audiences.is_empty() {
            return Err(setting(
                "oidc auth mode requires OIDCPROXY_AUDIENCE (or OIDCPROXY_CLIENT_ID to default \
                 it). Without an expected audience, a token issued by the same IdP for any other \
                 application would be accepted here."
                    .to_owned(),
            ));
        }
        if oidc.client_secret_set {
            tracing::info!(
                "OIDCPROXY_CLIENT_SECRET is set but not used: the oidc mode only validates tokens"
            );
        }
        let resource = resource_id(base_url).map_err(setting)?;
        let config = outbound::parse_url("OIDCPROXY_CONFIG_URL", config_url).map_err(setting)?;
        let discovery = discover(&config).await.map_err(|e| {
            startup(format!(
                "Could not read the IdP's OpenID configuration from {config}: {e}. Check \
                 OIDCPROXY_CONFIG_URL and that this host can reach the IdP."
            ))
        })?;
        let (issuer, jwks_uri) = match (discovery.issuer, discovery.jwks_uri) {
            (Some(issuer), Some(jwks)) if !issuer.is_empty() && !jwks.is_empty() => (issuer, jwks),
            (issuer, jwks) => {
                let missing: Vec<&str> = [
                    issuer
                        .filter(|i| !i.is_empty())
                        .is_none()
                        .then_some("issuer"),
                    jwks.filter(|j| !j.is_empty())
                        .is_none()
                        .then_some("jwks_uri"),
                ]
                .into_iter()
                .flatten()
                .collect();
                return Err(startup(format!(
                    "The OpenID configuration at {config} is missing {}, so tokens could not be \
                     validated against it.",
                    missing.join(", ")
                )));
            }
        };
        if issuer.contains("{tenantid}") {
            return Err(setting(format!(
                "The OpenID configuration at {config} is multi-tenant (issuer {issuer}); use the \
                 tenant-specific URL https://login.microsoftonline.com/<tenant id>/v2.0/.well-known/openid-configuration"
            )));
        }
        let jwks_url = outbound::parse_url("jwks_uri of the OpenID configuration", &jwks_uri)
            .map_err(startup)?;
        let keys = JwksCache::load(jwks_url).await.map_err(startup)?;
        let required_scopes = csv(oidc.required_scopes.as_deref());
        let (metadata_url, metadata_paths) = metadata_location(&resource);
        let metadata = metadata_document(&resource, &issuer, &required_scopes);
        tracing::info!(
            "OIDC auth configured as a protected resource (issuer={issuer}, resource={resource}, \
             audience={})",
            audiences.join(",")
        );
        let config = ValidatorConfig {
            issuers: vec![issuer],
            audiences,
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            required_scopes,
        };
        Ok(Self {
            validator: TokenValidator::new(config, Arc::new(keys)),
            resource,
            metadata_url,
            metadata_paths,
            metadata,
        })
    }

    /// The validator (issuer, audiences, required scopes).
    pub fn validator(&self) -> &TokenValidator {
        &self.validator
    }

    /// The IdP's issuer, published as the authorization server.
    pub fn issuer(&self) -> &str {
        self.validator
            .config()
            .issuers
            .first()
            .map_or("", String::as_str)
    }

    /// This server's resource identifier (`OIDCPROXY_BASE_URL`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The absolute URL of the metadata document, as named in 401 challenges.
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The local paths the metadata document is served at.
    pub fn metadata_paths(&self) -> &[String] {
        &self.metadata_paths
    }

    /// The metadata routes (public: a client reads them before it has a token).
    pub(crate) fn routes(&self) -> Router {
        let document = Arc::new(self.metadata.clone());
        self.metadata_paths
            .iter()
            .fold(Router::new(), |router, path| {
                let document = document.clone();
                router.route(
                    path,
                    get(move || async move {
                        (
                            [
                                (header::CACHE_CONTROL, "max-age=300"),
                                // Browser-based MCP clients read it cross-origin.
                                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                            ],
                            Json(document.as_ref().clone()),
                        )
                            .into_response()
                    }),
                )
            })
    }

    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Rejection> {
        self.validator
            .authenticate(headers, AuthMode::Oidc)
            .await
            .map_err(|err| {
                Rejection::bearer(
                    &err,
                    Some(&self.metadata_url),
                    &self.validator.config().required_scopes,
                )
            })
    }
}

/// `OIDCPROXY_BASE_URL` as the canonical resource identifier: an absolute http(s) URL
/// without query or fragment, and without a trailing slash (Entra refuses identifier URIs
/// ending in `/`).
fn resource_id(base_url: &str) -> Result<String, String> {
    let url = Url::parse(base_url)
        .map_err(|e| format!("OIDCPROXY_BASE_URL={base_url:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(format!(
            "OIDCPROXY_BASE_URL={base_url} must be this server's public https URL, e.g. \
             https://mcp.example.com/mcp"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "OIDCPROXY_BASE_URL={base_url} must not have a query or fragment (it is the OAuth \
             resource identifier)"
        ));
    }
    if url.scheme() == "http" && !outbound::is_loopback(&url) {
        tracing::warn!(
            "OIDCPROXY_BASE_URL={base_url} is plain http: MCP clients require https for OAuth \
             outside localhost"
        );
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The metadata URL (RFC 9728 section 3.1: the well-known prefix between host and path)
/// and the local paths to serve it at: that one, plus the root and `/mcp` forms clients
/// try (MCP 2025-11-25: path-suffixed first, then root).
fn metadata_location(resource: &str) -> (String, Vec<String>) {
    let (origin, path) = match Url::parse(resource) {
        Ok(url) => (
            url.origin().ascii_serialization(),
            url.path().trim_end_matches('/').to_owned(),
        ),
        Err(_) => (resource.to_owned(), String::new()),
    };
    let mut paths = vec![METADATA_PREFIX.to_owned(), format!("{METADATA_PREFIX}/mcp")];
    let own = format!("{METADATA_PREFIX}{path}");
    if !paths.contains(&own) {
        paths.push(own.clone());
    }
    (format!("{origin}{own}"), paths)
}

fn metadata_document(resource: &str, issuer: &str, scopes: &[String]) -> serde_json::Value {
    let mut document = serde_json::json!({
        "resource": resource,
        "authorization_servers": [issuer],
        "bearer_methods_supported": ["header"],
        "resource_name": "Zscaler MCP Server",
    });
    if !scopes.is_empty()
        && let Some(map) = document.as_object_mut()
    {
        map.insert("scopes_supported".to_owned(), serde_json::json!(scopes));
    }
    document
}

async fn discover(url: &Url) -> Result<Discovery, String> {
    let http = outbound::client_for(url, DISCOVERY_TIMEOUT, true)?;
    let response = http
        .get(url.clone())
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| outbound::describe(&e))?;
    let status = response.status();
    let body = outbound::read_body(response).await?;
    if !status.is_success() {
        return Err(format!("HTTP {}{}", status.as_u16(), idp_error(&body)));
    }
    serde_json::from_slice(&body).map_err(|e| format!("the response is not JSON: {e}"))
}

/// The IdP's own explanation of an error (Entra: `AADSTS90002: Tenant '...' not found`).
fn idp_error(body: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = json
        .get("error_description")
        .or_else(|| json.get("error"))
        .and_then(serde_json::Value::as_str)
        .map(|t| t.lines().next().unwrap_or(t).to_owned());
    match text {
        Some(text) => format!(" ({})", outbound::printable(&text, 200)),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_id_is_canonical() {
        assert_eq!(
            resource_id("https://mcp.example.com/mcp/").unwrap(),
            "https://mcp.example.com/mcp"
        );
        assert_eq!(
            resource_id("https://mcp.example.com").unwrap(),
            "https://mcp.example.com"
        );
        assert!(resource_id("mcp.example.com").is_err());
        assert!(resource_id("https://h/mcp?x=1").is_err());
    }

    #[test]
    fn metadata_is_path_suffixed() {
        let (url, paths) = metadata_location("https://h.example/mcp");
        assert_eq!(
            url,
            "https://h.example/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            paths,
            [
                "/.well-known/oauth-protected-resource",
                "/.well-known/oauth-protected-resource/mcp"
            ]
        );
        let (url, paths) = metadata_location("https://h.example");
        assert_eq!(
            url,
            "https://h.example/.well-known/oauth-protected-resource"
        );
        assert_eq!(paths.len(), 2);
        let (url, paths) = metadata_location("https://h.example:8443/zs/mcp");
        assert_eq!(
            url,
            "https://h.example:8443/.well-known/oauth-protected-resource/zs/mcp"
        );
        assert_eq!(paths.len(), 3);
    }

    #[test]
    fn idp_errors_are_quoted_briefly() {
        assert_eq!(
            idp_error(br#"{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'x' not found.\r\nTrace ID: 1"}"#),
            " (AADSTS90002: Tenant 'x' not found.)"
        );
        assert_eq!(idp_error(b"<html>"), "");
    }
}
