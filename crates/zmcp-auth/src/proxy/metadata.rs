//! The discovery documents MCP clients read before signing in: RFC 9728 protected-resource
//! metadata naming this server as the authorization server, and RFC 8414 metadata for it.
//!
//! The AS metadata `issuer` is byte-identical to `authorization_servers[0]`, as clients
//! (and the 2026-07-28 MCP spec) require. The provider's own issuer never appears here:
//! to MCP clients this server is the authorization server.

use std::sync::Arc;

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use http::header;
use serde_json::{Value, json};

use super::{Flow, ProxyState};

/// Where the protected-resource metadata for `/mcp` lives (RFC 9728 §3.1 path insertion).
pub(crate) const RESOURCE_METADATA_PATH: &str = "/.well-known/oauth-protected-resource/mcp";
/// Where the public key of our access tokens is published.
pub(crate) const JWKS_PATH: &str = "/jwks";

/// RFC 8414 metadata. Only the facade issues authorization responses itself, so only it
/// promises RFC 9207 `iss` and accepts Client ID Metadata Documents; in the pass-through
/// the provider redirects to the client and adds no `iss` of ours.
pub(crate) fn authorization_server(config: &super::config::ProxyConfig) -> Value {
    let base = &config.base_url;
    let facade = config.flow == Flow::Proxy;
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "registration_endpoint": format!("{base}/register"),
        "revocation_endpoint": format!("{base}/revoke"),
        "jwks_uri": format!("{base}{JWKS_PATH}"),
        "scopes_supported": config.scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": facade,
        "client_id_metadata_document_supported": facade,
    })
}

/// `offline_access` is left out of `scopes_supported`: it is about the client's refresh
/// token, not about this resource (MCP 2026-07-28: SHOULD NOT be listed here).
pub(crate) fn protected_resource(config: &super::config::ProxyConfig) -> Value {
    let scopes: Vec<&String> = config
        .scopes
        .iter()
        .filter(|s| *s != "offline_access")
        .collect();
    json!({
        "resource": config.resource,
        "authorization_servers": [config.base_url],
        "scopes_supported": scopes,
        "bearer_methods_supported": ["header"],
        "resource_name": "Zscaler MCP Server",
    })
}

pub(crate) async fn authorization_server_handler(State(state): State<Arc<ProxyState>>) -> Response {
    document(authorization_server(&state.config))
}

pub(crate) async fn protected_resource_handler(State(state): State<Arc<ProxyState>>) -> Response {
    document(protected_resource(&state.config))
}

pub(crate) async fn jwks_handler(State(state): State<Arc<ProxyState>>) -> Response {
    document(state.own.jwks())
}

/// Public, cacheable for a short while, and readable by browser-based clients.
fn document(body: Value) -> Response {
    (
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        Json(body),
    )
        .into_response()
}
