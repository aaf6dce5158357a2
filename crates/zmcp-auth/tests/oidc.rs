//! The `oidc` mode (RFC 9728 protected resource) against a loopback IdP.

// The helpers are test code: a failed expectation there is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use axum::Router;
use common::{app, call, call_with_token, env};
use http::StatusCode;
use serde_json::{Value, json};
use zmcp_auth::{
    AuthConfigError, ClientAuth,
    test_support::{IdpServer, TestKey, claims},
};

const BASE_URL: &str = "https://mcp.example.com/mcp";
const CLIENT_ID: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
const METADATA_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

async fn oidc_mode(
    config_url: &str,
    extra: &[(&str, &str)],
) -> Result<ClientAuth, AuthConfigError> {
    let mut pairs = vec![
        ("ZSCALER_MCP_AUTH_MODE", "oidc"),
        ("OIDCPROXY_CONFIG_URL", config_url),
        ("OIDCPROXY_BASE_URL", BASE_URL),
        ("OIDCPROXY_CLIENT_ID", CLIENT_ID),
    ];
    pairs.extend_from_slice(extra);
    ClientAuth::resolve_from_env(&env(&pairs), false)
        .await
        .map(|r| r.auth)
}

async fn setup(extra: &[(&str, &str)]) -> (TestKey, IdpServer, Router) {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    let auth = oidc_mode(&idp.discovery_url(), extra).await.unwrap();
    (key, idp, app(auth))
}

#[tokio::test]
async fn metadata_is_public_at_the_root_and_path_suffixed_locations() {
    let (_key, idp, app) = setup(&[("OIDCPROXY_REQUIRED_SCOPES", "mcp.access, mcp.write")]).await;
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let reply = call(&app, "GET", path, &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_eq!(reply.headers["content-type"], "application/json");
        let doc: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(doc["resource"], BASE_URL);
        assert_eq!(doc["authorization_servers"], json!([idp.issuer()]));
        assert_eq!(doc["scopes_supported"], json!(["mcp.access", "mcp.write"]));
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
    }
}

#[tokio::test]
async fn scopes_are_not_advertised_when_none_are_required() {
    let (_key, _idp, app) = setup(&[]).await;
    let reply = call(
        &app,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        &[],
    )
    .await;
    let doc: Value = serde_json::from_str(&reply.body).unwrap();
    assert!(doc.get("scopes_supported").is_none(), "{doc}");
}

#[tokio::test]
async fn unauthenticated_requests_are_pointed_at_the_metadata() {
    let (_key, _idp, app) = setup(&[("OIDCPROXY_REQUIRED_SCOPES", "mcp.access")]).await;
    let reply = call(&app, "POST", "/mcp", &[]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenge(),
        format!("Bearer scope=\"mcp.access\", resource_metadata=\"{METADATA_URL}\"")
    );
    let reply = call_with_token(&app, "garbage").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let challenge = reply.challenge();
    assert!(challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""));
    assert!(challenge.ends_with(&format!("resource_metadata=\"{METADATA_URL}\"")));
}

#[tokio::test]
async fn the_idp_tokens_for_this_client_are_admitted() {
    let (key, idp, app) = setup(&[("OIDCPROXY_REQUIRED_SCOPES", "mcp.access")]).await;
    let mut c = claims(&idp.issuer(), CLIENT_ID);
    c["scp"] = json!("mcp.access openid");
    let reply = call_with_token(&app, &key.sign(&c).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user-1|oidc|ada@example.com|mcp.access openid");
    // A token of the same IdP for another application.
    let other = key.sign(&claims(&idp.issuer(), "another-app")).unwrap();
    let reply = call_with_token(&app, &other).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.error_message().contains("Invalid token audience"));
}

#[tokio::test]
async fn a_token_without_the_required_scope_is_forbidden() {
    let (key, idp, app) = setup(&[("OIDCPROXY_REQUIRED_SCOPES", "mcp.access")]).await;
    let mut c = claims(&idp.issuer(), CLIENT_ID);
    c["scp"] = json!("openid profile");
    let reply = call_with_token(&app, &key.sign(&c).unwrap()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(
        reply.challenge(),
        format!(
            "Bearer error=\"insufficient_scope\", error_description=\"Insufficient scope: the \
             token lacks mcp.access (required: mcp.access)\", scope=\"mcp.access\", \
             resource_metadata=\"{METADATA_URL}\""
        )
    );
    assert_eq!(
        reply.error_message(),
        "Forbidden: Insufficient scope: the token lacks mcp.access (required: mcp.access)"
    );
}

#[tokio::test]
async fn a_dead_discovery_url_fails_start_up() {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    let missing = format!(
        "{}/no-such-tenant/v2.0/.well-known/openid-configuration",
        idp.url()
    );
    let err = oidc_mode(&missing, &[]).await.unwrap_err();
    assert!(matches!(err, AuthConfigError::Startup { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "Could not read the IdP's OpenID configuration from {missing}: HTTP 404"
        )),
        "{text}"
    );
    assert!(text.contains("Check OIDCPROXY_CONFIG_URL"), "{text}");
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = oidc_mode(
        &format!("http://{dead}/.well-known/openid-configuration"),
        &[],
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("connection failed"), "{err}");
}

#[tokio::test]
async fn a_discovery_document_without_issuer_or_jwks_fails_start_up() {
    let key = TestKey::rsa("k1").unwrap();
    let idp = IdpServer::start(&[&key], None).await.unwrap();
    // The JWKS is JSON, but no discovery document.
    let err = oidc_mode(&idp.jwks_url(), &[]).await.unwrap_err();
    assert!(
        err.to_string().contains("is missing issuer, jwks_uri"),
        "{err}"
    );
}
