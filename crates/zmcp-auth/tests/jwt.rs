//! The `jwt` mode end to end: real keys, a real JWKS server on loopback, the real middleware.

// The helpers are test code: a failed expectation there is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use common::{Reply, app, call, call_with_token, env};
use http::StatusCode;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use zmcp_auth::{
    AuthConfigError, ClientAuth,
    test_support::{IdpServer, TestKey, claims, now},
};

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "zscaler-mcp-server";
const ENTRA_V2: &str =
    "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0";
const ENTRA_CLIENT_ID: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";

async fn jwt_mode(idp: &IdpServer, extra: &[(&str, &str)]) -> Result<ClientAuth, AuthConfigError> {
    let jwks = idp.jwks_url();
    let mut pairs = vec![
        ("ZSCALER_MCP_AUTH_MODE", "jwt"),
        ("ZSCALER_MCP_AUTH_JWKS_URI", jwks.as_str()),
        ("ZSCALER_MCP_AUTH_ISSUER", ISSUER),
    ];
    pairs.extend_from_slice(extra);
    ClientAuth::resolve_from_env(&env(&pairs), false)
        .await
        .map(|r| r.auth)
}

fn assert_rejected(reply: &Reply, needle: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    let message = reply.error_message();
    assert!(message.starts_with("Unauthorized: "), "{message}");
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    let challenge = reply.challenge();
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""),
        "{challenge}"
    );
    assert!(challenge.contains(needle), "{challenge:?} lacks {needle:?}");
}

/// A token whose header is `header` (JSON) and whose signature is `signature`.
fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

#[tokio::test]
async fn valid_rs256_and_es256_tokens_are_admitted() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let ec = TestKey::ec("ec-1").unwrap().without_jwk_alg();
    let idp = IdpServer::start(&[&rsa, &ec], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    for key in [&rsa, &ec] {
        let token = key.sign(&claims(ISSUER, AUDIENCE)).unwrap();
        let reply = call_with_token(&app, &token).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}: {}",
            key.kid(),
            reply.body
        );
        assert_eq!(reply.body, "user-1|jwt|ada@example.com|");
    }
    assert_eq!(idp.jwks_hits(), 1, "keys come from the cache");
}

#[tokio::test]
async fn one_of_several_audiences_and_scopes_in_the_principal() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(
        jwt_mode(&idp, &[("ZSCALER_MCP_AUTH_AUDIENCE", "api://a, api://b")])
            .await
            .unwrap(),
    );
    let mut c = claims(ISSUER, "api://b");
    c["scp"] = json!("mcp.read mcp.write");
    let reply = call_with_token(&app, &rsa.sign(&c).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user-1|jwt|ada@example.com|mcp.read mcp.write");
    c["aud"] = json!(["other", "api://a"]);
    let reply = call_with_token(&app, &rsa.sign(&c).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn missing_or_non_bearer_credentials_are_explained() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    let reply = call(&app, "POST", "/mcp", &[]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), "Bearer", "no error code without a token");
    assert_eq!(
        reply.error_message(),
        "Unauthorized: Missing Authorization header"
    );
    let reply = call(
        &app,
        "POST",
        "/mcp",
        &[("authorization", "Basic Zm9vOmJhcg==")],
    )
    .await;
    assert_rejected(&reply, "Expected: Authorization: Bearer <jwt-token>");
    let reply = call_with_token(&app, "not-a-jwt").await;
    assert_rejected(&reply, "three base64url parts");
    let reply = call(&app, "GET", "/health", &[]).await;
    assert_ne!(reply.status, StatusCode::UNAUTHORIZED, "health is public");
}

#[tokio::test]
async fn forged_and_tampered_signatures_are_rejected() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    // Another key claiming the published kid.
    let forger = TestKey::rsa("rsa-1").unwrap();
    let forged = forger.sign(&claims(ISSUER, AUDIENCE)).unwrap();
    let reply = call_with_token(&app, &forged).await;
    assert_rejected(&reply, "Token signature is invalid");
    assert!(!reply.body.contains(&forged), "the token is never echoed");
    // A genuine token whose claims were edited.
    let genuine = rsa.sign(&claims(ISSUER, AUDIENCE)).unwrap();
    let parts: Vec<&str> = genuine.split('.').collect();
    let mut edited = claims(ISSUER, AUDIENCE);
    edited["sub"] = json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(edited.to_string()),
        parts[2]
    );
    assert_rejected(
        &call_with_token(&app, &tampered).await,
        "Token signature is invalid",
    );
}

#[tokio::test]
async fn expiry_and_not_before_allow_a_minute_of_skew() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    let with = |name: &str, value: i64| {
        let mut c = claims(ISSUER, AUDIENCE);
        c[name] = json!(value);
        rsa.sign(&c).unwrap()
    };
    assert_rejected(
        &call_with_token(&app, &with("exp", now() - 3600)).await,
        "Token has expired",
    );
    let within_leeway = call_with_token(&app, &with("exp", now() - 20)).await;
    assert_eq!(
        within_leeway.status,
        StatusCode::OK,
        "{}",
        within_leeway.body
    );
    assert_rejected(
        &call_with_token(&app, &with("nbf", now() + 3600)).await,
        "not valid yet",
    );
    let reply = call_with_token(&app, &with("nbf", now() + 20)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut no_exp = claims(ISSUER, AUDIENCE);
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_rejected(
        &call_with_token(&app, &rsa.sign(&no_exp).unwrap()).await,
        "no 'exp' claim",
    );
}

#[tokio::test]
async fn unknown_kid_refreshes_once_and_kid_spraying_is_rate_limited() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    assert_eq!(idp.jwks_hits(), 1);
    // The start-up fetch counts: move past the minimum refresh interval.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(61)).await;
    tokio::time::resume();
    let stranger = rsa.clone().with_kid("unknown-kid");
    let reply = call_with_token(&app, &stranger.sign(&claims(ISSUER, AUDIENCE)).unwrap()).await;
    assert_rejected(&reply, "Unknown signing key");
    assert!(reply.error_message().contains("unknown-kid"));
    assert_eq!(idp.jwks_hits(), 2, "one refresh for an unknown kid");
    for i in 0..20 {
        let sprayed = rsa.clone().with_kid(&format!("spray-{i}"));
        let reply = call_with_token(&app, &sprayed.sign(&claims(ISSUER, AUDIENCE)).unwrap()).await;
        assert_rejected(&reply, "Unknown signing key");
    }
    assert_eq!(idp.jwks_hits(), 2, "no refetch within the interval");
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(61)).await;
    tokio::time::resume();
    let reply = call_with_token(&app, &stranger.sign(&claims(ISSUER, AUDIENCE)).unwrap()).await;
    assert_rejected(&reply, "Unknown signing key");
    assert_eq!(idp.jwks_hits(), 3, "one more after the interval");
}

#[tokio::test]
async fn rotated_keys_are_picked_up_on_an_unknown_kid() {
    let old = TestKey::rsa("old").unwrap();
    let idp = IdpServer::start(&[&old], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    let new = TestKey::ec("new").unwrap();
    idp.set_keys(&[&new]);
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(61)).await;
    tokio::time::resume();
    let reply = call_with_token(&app, &new.sign(&claims(ISSUER, AUDIENCE)).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(idp.jwks_hits(), 2);
}

#[tokio::test]
async fn keys_follow_max_age_and_stay_when_the_idp_fails() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    idp.set_cache_control(Some("max-age=600"));
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    let token = rsa.sign(&claims(ISSUER, AUDIENCE)).unwrap();
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(599)).await;
    tokio::time::resume();
    assert_eq!(call_with_token(&app, &token).await.status, StatusCode::OK);
    assert_eq!(idp.jwks_hits(), 1, "fresh for max-age");
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(2)).await;
    tokio::time::resume();
    assert_eq!(call_with_token(&app, &token).await.status, StatusCode::OK);
    assert_eq!(idp.jwks_hits(), 2, "refetched once stale");
    // The IdP goes down: stale keys keep working, retried at most once a minute.
    idp.set_jwks_status(Some(503));
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(601)).await;
    tokio::time::resume();
    for _ in 0..3 {
        let reply = call_with_token(&app, &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    assert_eq!(idp.jwks_hits(), 3, "one failed attempt, then stale keys");
    // An unknown kid while the IdP is down says so.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(61)).await;
    tokio::time::resume();
    let stranger = rsa.clone().with_kid("other");
    let reply = call_with_token(&app, &stranger.sign(&claims(ISSUER, AUDIENCE)).unwrap()).await;
    assert_rejected(&reply, "Failed to retrieve signing key from JWKS endpoint");
    assert!(reply.error_message().contains("HTTP 503"));
}

#[tokio::test]
async fn hmac_with_the_public_key_is_rejected() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("rsa-1".to_owned());
    let confused = jsonwebtoken::encode(
        &header,
        &claims(ISSUER, AUDIENCE),
        &EncodingKey::from_secret(rsa.public_pem().as_bytes()),
    )
    .unwrap();
    let reply = call_with_token(&app, &confused).await;
    assert_rejected(&reply, "Token algorithm 'HS256' is not allowed");
    assert!(reply.error_message().contains("symmetric"));
}

#[tokio::test]
async fn unsigned_tokens_are_rejected() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    for alg in ["none", "None", "NONE"] {
        let token = raw_token(
            &json!({"alg": alg, "typ": "JWT", "kid": "rsa-1"}),
            &claims(ISSUER, AUDIENCE),
            b"",
        );
        let reply = call_with_token(&app, &token).await;
        assert_rejected(&reply, "is not allowed: unsigned tokens are never accepted");
    }
}

#[tokio::test]
async fn algorithms_must_be_configured_and_fit_the_key() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let ec = TestKey::ec("ec-1").unwrap();
    let idp = IdpServer::start(&[&rsa, &ec], None).await.unwrap();
    let rs_only = app(jwt_mode(&idp, &[("ZSCALER_MCP_AUTH_ALGORITHMS", "RS256")])
        .await
        .unwrap());
    let reply = call_with_token(&rs_only, &ec.sign(&claims(ISSUER, AUDIENCE)).unwrap()).await;
    assert_rejected(
        &reply,
        "Token algorithm 'ES256' is not allowed: allowed: RS256",
    );
    // An RS256 token naming the EC key.
    let both = app(jwt_mode(&idp, &[]).await.unwrap());
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("ec-1".to_owned());
    let mismatched = rsa
        .sign_with_header(&header, &claims(ISSUER, AUDIENCE))
        .unwrap();
    let reply = call_with_token(&both, &mismatched).await;
    assert_rejected(&reply, "cannot verify it");
}

#[tokio::test]
async fn wrong_issuer_and_audience_name_what_was_expected() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = app(jwt_mode(&idp, &[]).await.unwrap());
    let reply = call_with_token(
        &app,
        &rsa.sign(&claims("https://evil.example", AUDIENCE)).unwrap(),
    )
    .await;
    assert_rejected(
        &reply,
        "Invalid token issuer (expected https://idp.example, got https://evil.example)",
    );
    let reply = call_with_token(&app, &rsa.sign(&claims(ISSUER, "someone-else")).unwrap()).await;
    assert_rejected(
        &reply,
        "Invalid token audience (expected zscaler-mcp-server, got someone-else)",
    );
    assert!(
        !reply.error_message().contains("Entra"),
        "no Entra hint off Entra"
    );
}

async fn entra_app(idp: &IdpServer) -> axum::Router {
    app(jwt_mode(
        idp,
        &[
            ("ZSCALER_MCP_AUTH_ISSUER", ENTRA_V2),
            ("ZSCALER_MCP_AUTH_AUDIENCE", ENTRA_CLIENT_ID),
        ],
    )
    .await
    .unwrap())
}

#[tokio::test]
async fn entra_audience_mismatch_says_to_use_the_client_id() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = entra_app(&idp).await;
    let ok = call_with_token(&app, &rsa.sign(&claims(ENTRA_V2, ENTRA_CLIENT_ID)).unwrap()).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let reply = call_with_token(
        &app,
        &rsa.sign(&claims(ENTRA_V2, "api://zscaler-mcp")).unwrap(),
    )
    .await;
    assert_rejected(
        &reply,
        "for Entra ID the audience must be the application's client id (a GUID), not an API identifier",
    );
}

#[tokio::test]
async fn entra_v1_tokens_are_recognised() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = entra_app(&idp).await;
    let v1 = claims(
        "https://sts.windows.net/11111111-2222-3333-4444-555555555555/",
        "api://zscaler-mcp",
    );
    let reply = call_with_token(&app, &rsa.sign(&v1).unwrap()).await;
    assert_rejected(
        &reply,
        "this is a v1 access token; set requestedAccessTokenVersion to 2 in the app manifest",
    );
}

#[tokio::test]
async fn graph_tokens_are_recognised() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    let app = entra_app(&idp).await;
    let graph_hint = "this is a Microsoft Graph access token, which only Graph can validate; \
                      send the ID token or configure an API scope for this application";
    // Correctly signed (as far as we can tell) but for Graph.
    let graph = claims(ENTRA_V2, "00000003-0000-0000-c000-000000000000");
    assert_rejected(
        &call_with_token(&app, &rsa.sign(&graph).unwrap()).await,
        graph_hint,
    );
    // Graph tokens carry a header nonce, so their signature never verifies here.
    let forger = TestKey::rsa("rsa-1").unwrap();
    let reply = call_with_token(&app, &forger.sign(&graph).unwrap()).await;
    assert_rejected(&reply, "Token signature is invalid");
    assert!(reply.error_message().contains(graph_hint));
}

#[tokio::test]
async fn a_jwks_that_cannot_be_fetched_fails_start_up() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    idp.set_jwks_status(Some(404));
    let err = jwt_mode(&idp, &[]).await.unwrap_err();
    assert!(matches!(err, AuthConfigError::Startup { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&idp.jwks_url()) && text.contains("HTTP 404"),
        "{text}"
    );
    // Nothing listening at all.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let url = format!("http://{dead}/jwks.json");
    let err = ClientAuth::resolve_from_env(
        &env(&[
            ("ZSCALER_MCP_AUTH_JWKS_URI", url.as_str()),
            ("ZSCALER_MCP_AUTH_ISSUER", ISSUER),
        ]),
        false,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("connection failed"), "{err}");
}

#[tokio::test]
async fn a_jwks_without_usable_keys_fails_start_up() {
    let rsa = TestKey::rsa("rsa-1").unwrap();
    let idp = IdpServer::start(&[&rsa], None).await.unwrap();
    idp.set_jwks_document(json!({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}));
    let err = jwt_mode(&idp, &[]).await.unwrap_err();
    assert!(err.to_string().contains("no usable signing key"), "{err}");
    idp.set_jwks_document(json!({"hello": "world"}));
    let err = jwt_mode(&idp, &[]).await.unwrap_err();
    assert!(err.to_string().contains("not a JWKS document"), "{err}");
}
