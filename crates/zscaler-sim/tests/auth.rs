//! Token endpoint flows, gateway authentication, credential rotation and common headers.
// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{AUDIENCE, fetch_token, post_form, start, start_with};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::json;
use zscaler_sim::SimConfig;

const CLIENT_KEY: &str = include_str!("keys/client.key");
const CLIENT_PUB: &str = include_str!("keys/client.pub");
const OTHER_KEY: &str = include_str!("keys/other.key");

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn assertion(key_pem: &str, client_id: &str, exp: u64) -> String {
    let claims = json!({"iss": client_id, "sub": client_id, "aud": AUDIENCE, "exp": exp});
    jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims,
        &EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn token_claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn secret_flow_issues_a_bearer_jwt_with_service_info() {
    let sim = start().await;
    let reply = fetch_token(&sim.client, &sim.handle, "demo-secret").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let claims = token_claims(body["access_token"].as_str().unwrap());
    let products: Vec<&str> = claims["service-info"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["prd"].as_str().unwrap())
        .collect();
    for product in ["ZIA", "ZPA", "ZDX", "ZINSIGHTS"] {
        assert!(products.contains(&product), "{product} missing");
    }
    assert!(reply.header("x-ratelimit-limit").starts_with("500"));
}

#[tokio::test]
async fn bad_credentials_and_bad_requests_are_refused() {
    let sim = start().await;
    let reply = fetch_token(&sim.client, &sim.handle, "wrong").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "invalid_client");

    let url = sim.handle.token_url();
    let wrong_grant = post_form(
        &sim.client,
        &url,
        &[
            ("grant_type", "password"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
            ("audience", AUDIENCE),
        ],
    )
    .await;
    assert_eq!(wrong_grant.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_grant.json()["error"], "unsupported_grant_type");

    let wrong_audience = post_form(
        &sim.client,
        &url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
            ("audience", "https://evil.example"),
        ],
    )
    .await;
    assert_eq!(wrong_audience.status, StatusCode::BAD_REQUEST);
    assert!(wrong_audience.json()["error"].is_string());
}

async fn assertion_status(sim: &common::Sim, jwt: &str) -> StatusCode {
    post_form(
        &sim.client,
        &sim.handle.token_url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sim.handle.client_id()),
            ("client_assertion", jwt),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("audience", AUDIENCE),
        ],
    )
    .await
    .status
}

#[tokio::test]
async fn private_key_assertions_are_verified() {
    let sim = start_with(SimConfig {
        client_public_key_pem: Some(CLIENT_PUB.to_owned()),
        ..SimConfig::default()
    })
    .await;
    let id = sim.handle.client_id().to_owned();
    assert_eq!(
        assertion_status(&sim, &assertion(CLIENT_KEY, &id, now() + 600)).await,
        StatusCode::OK
    );
    assert_eq!(
        assertion_status(&sim, &assertion(OTHER_KEY, &id, now() + 600)).await,
        StatusCode::UNAUTHORIZED,
        "signed by another key"
    );
    assert_eq!(
        assertion_status(&sim, &assertion(CLIENT_KEY, &id, now() - 120)).await,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
    assert_eq!(
        assertion_status(&sim, &assertion(CLIENT_KEY, "someone-else", now() + 600)).await,
        StatusCode::UNAUTHORIZED,
        "iss/sub of another client"
    );
}

#[tokio::test]
async fn assertions_are_refused_without_a_registered_key() {
    let sim = start().await;
    let id = sim.handle.client_id().to_owned();
    assert_eq!(
        assertion_status(&sim, &assertion(CLIENT_KEY, &id, now() + 600)).await,
        StatusCode::UNAUTHORIZED
    );
}

const GATEWAY_401: &str = r#"{"detail":"unauthorized","type":"","title":"","status":""}"#;

#[tokio::test]
async fn gateway_refuses_missing_bad_and_expired_tokens() {
    let mut sim = start().await;
    let ok = sim.get("/zia/api/v1/status").await;
    assert_eq!(ok.status, StatusCode::OK);

    let missing = common::into_reply(
        sim.client
            .get(sim.url("/zia/api/v1/status"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.text, GATEWAY_401);

    let good = sim.token.clone();
    sim.token = format!("{good}x");
    let bad = sim
        .get("/zpa/mgmtconfig/v1/admin/customers/1/segmentGroup")
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.text, GATEWAY_401);

    sim.token = good;
    sim.handle.expire_tokens();
    let expired = sim.get("/zdx/v1/apps").await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.text, GATEWAY_401);
}

#[tokio::test]
async fn short_ttl_tokens_expire() {
    let sim = start_with(SimConfig {
        token_ttl_secs: 0,
        ..SimConfig::default()
    })
    .await;
    // A zero-second token is already past its expiry once a second has ticked over.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let reply = sim.get("/zia/api/v1/status").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_without_the_product_are_refused() {
    let sim = start_with(SimConfig {
        products: vec!["ZIA".into()],
        ..SimConfig::default()
    })
    .await;
    assert_eq!(sim.get("/zia/api/v1/status").await.status, StatusCode::OK);
    let zdx = sim.get("/zdx/v1/apps").await;
    assert_eq!(zdx.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn rotation_changes_the_secret_but_keeps_issued_tokens() {
    let sim = start().await;
    sim.handle.rotate_client_secret("new-secret");
    assert_eq!(sim.handle.current_client_secret(), "new-secret");
    assert_eq!(
        fetch_token(&sim.client, &sim.handle, "demo-secret")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fetch_token(&sim.client, &sim.handle, "new-secret")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        sim.get("/zia/api/v1/status").await.status,
        StatusCode::OK,
        "old token still valid"
    );
}

#[tokio::test]
async fn every_response_has_request_id_and_rate_headers() {
    let sim = start().await;
    for path in [
        "/zia/api/v1/status",
        "/zdx/v1/apps",
        "/zia/api/v1/doesNotExist",
    ] {
        let reply = sim.get(path).await;
        let id = reply.header("x-oneapi-request-id");
        assert_eq!(id.split('-').count(), 5, "{path}: {id}");
        assert!(!reply.header("x-ratelimit-limit").is_empty(), "{path}");
        assert!(
            reply.header("x-ratelimit-remaining").parse::<u64>().is_ok(),
            "{path}"
        );
        assert!(
            reply.header("x-ratelimit-reset").parse::<u64>().is_ok(),
            "{path}"
        );
    }
    let zpa = sim.get(&sim.zpa("/segmentGroup")).await;
    assert_eq!(zpa.header("x-ratelimit-limit"), "5000, 5000;w=60");
}

#[tokio::test]
async fn get_and_delete_tolerate_an_empty_json_body() {
    let sim = start().await;
    let reply = sim
        .call(
            reqwest::Method::GET,
            "/zia/api/v1/ruleLabels",
            Some(json!({})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let id = reply.json()[0]["id"].as_i64().unwrap();
    let deleted = sim
        .call(
            reqwest::Method::DELETE,
            &format!("/zia/api/v1/ruleLabels/{id}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}
