//! The OneAPI token: form fields, single-flight, refresh ahead of expiry, 401 renewal,
//! refusals, rotation.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::json;
use support::{CLIENT_ID, CLIENT_SECRET, Canned, Mock, TokenBehaviour};
use zmcp_zscaler::{ApiError, ApiRequest, Credential, HttpMethod, ZscalerClient};

fn get(path: &str) -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Get,
        path: path.into(),
        query: Vec::new(),
        body: None,
    }
}

fn ok(_: &support::Seen) -> Canned {
    Canned::json(200, json!({"ok": true}))
}

#[tokio::test]
async fn the_secret_form_carries_the_exact_fields() {
    let mock = Mock::answering(ok).await;
    mock.client()
        .execute(&get("/zia/api/v1/status"))
        .await
        .unwrap();
    let forms = mock.token_forms();
    assert_eq!(forms.len(), 1);
    let form = &forms[0];
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], CLIENT_ID);
    assert_eq!(form["client_secret"], CLIENT_SECRET);
    assert_eq!(form["audience"], "https://api.zscaler.com");
    assert_eq!(form.len(), 4);
    let headers = &mock.token_headers()[0];
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    let seen = &mock.requests()[0];
    assert_eq!(seen.token(), Some("tok-1"));
}

#[tokio::test]
async fn the_private_key_form_carries_a_verifiable_assertion() {
    let mock = Mock::answering(ok).await;
    let mut config = mock.config();
    config.credential = Credential::PrivateKey(SecretString::from(include_str!(
        "fixtures/test-rsa-2048.pem"
    )));
    ZscalerClient::new(config)
        .unwrap()
        .execute(&get("/zia/api/v1/status"))
        .await
        .unwrap();
    let form = &mock.token_forms()[0];
    assert!(!form.contains_key("client_secret"));
    assert_eq!(
        form["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    let jwk: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/test-rsa-2048.jwk.json")).unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().unwrap(),
        jwk["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://api.zscaler.com"]);
    validation.set_issuer(&[CLIENT_ID]);
    let claims =
        jsonwebtoken::decode::<serde_json::Value>(&form["client_assertion"], &key, &validation)
            .unwrap()
            .claims;
    assert_eq!(claims["sub"], CLIENT_ID);
}

#[tokio::test(start_paused = true)]
async fn a_hundred_calls_on_a_cold_cache_share_one_token_request() {
    let mock = Mock::answering(ok).await;
    let client = mock.client();
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(&get("/zia/api/v1/status")).await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    assert_eq!(mock.token_requests(), 1);
    assert_eq!(mock.requests().len(), 100);
    assert!(mock.requests().iter().all(|s| s.token() == Some("tok-1")));
}

#[tokio::test(start_paused = true)]
async fn a_token_is_renewed_ahead_of_expiry() {
    // 120 s lifetime: renewed 12 s (10%) before expiry, at 108 s.
    let token = TokenBehaviour {
        ttl_secs: 120,
        ..TokenBehaviour::default()
    };
    let mock = Mock::start(token, Arc::new(ok)).await;
    let client = mock.client();
    client.execute(&get("/a")).await.unwrap();
    tokio::time::advance(Duration::from_secs(100)).await;
    client.execute(&get("/b")).await.unwrap();
    assert_eq!(mock.token_requests(), 1);
    tokio::time::advance(Duration::from_secs(10)).await;
    client.execute(&get("/c")).await.unwrap();
    assert_eq!(mock.token_requests(), 2);
    let tokens: Vec<_> = mock
        .requests()
        .iter()
        .map(|s| s.token().unwrap().to_owned())
        .collect();
    assert_eq!(tokens, ["tok-1", "tok-1", "tok-2"]);
}

#[tokio::test(start_paused = true)]
async fn a_401_renews_the_token_once_and_retries() {
    let mock = Mock::answering(|seen| match seen.token() {
        Some("tok-1") => Canned::json(401, json!({"detail": "unauthorized", "title": ""})),
        _ => Canned::json(200, json!([1, 2])),
    })
    .await;
    let response = mock
        .client()
        .execute(&get("/zia/api/v1/users"))
        .await
        .unwrap();
    assert_eq!(response.body, json!([1, 2]));
    assert_eq!(mock.token_requests(), 2);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_persistent_401_fails_after_one_renewal() {
    let mock = Mock::answering(|_| {
        Canned::json(401, json!({"detail": "unauthorized", "title": ""}))
            .header("x-oneapi-request-id", "rid-401")
    })
    .await;
    let err = mock
        .client()
        .execute(&get("/zia/api/v1/users"))
        .await
        .unwrap_err();
    match &err {
        ApiError::Status {
            status: 401,
            message,
            request_id,
            ..
        } => {
            assert!(message.contains("credentials rejected"), "{message}");
            assert_eq!(request_id.as_deref(), Some("rid-401"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.token_requests(), 2);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn a_refused_token_request_is_an_auth_error_without_the_secret() {
    let token = TokenBehaviour {
        refusal: Some(Canned::json(
            401,
            json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
        )),
        ..TokenBehaviour::default()
    };
    let mock = Mock::start(token, Arc::new(ok)).await;
    let err = mock
        .client()
        .execute(&get("/zia/api/v1/users"))
        .await
        .unwrap_err();
    let ApiError::Auth(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("HTTP 401"), "{message}");
    assert!(
        message.contains("invalid_client: Client authentication failed"),
        "{message}"
    );
    assert!(!err.to_string().contains(CLIENT_SECRET));
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_token_answer_without_access_token_is_an_auth_error() {
    let token = TokenBehaviour {
        refusal: Some(Canned::raw(200, "<html>login</html>")),
        ..TokenBehaviour::default()
    };
    let mock = Mock::start(token, Arc::new(ok)).await;
    let err = mock.client().execute(&get("/x")).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Auth(ref m) if m.contains("without an access_token")),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_an_auth_error() {
    let mock = Mock::answering(ok).await;
    let mut config = mock.config();
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    config.token_url = Some("http://127.0.0.1:9/oauth2/v1/token".into());
    let err = ZscalerClient::new(config)
        .unwrap()
        .execute(&get("/x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Auth(ref m) if m.contains("127.0.0.1:9")),
        "{err}"
    );
}

#[tokio::test]
async fn rotating_the_credential_drops_the_old_token() {
    let mock = Mock::answering(ok).await;
    let client = mock.client();
    client.execute(&get("/a")).await.unwrap();
    assert!(
        client
            .set_credential(Credential::Secret(SecretString::from("")))
            .is_err()
    );
    client
        .set_credential(Credential::Secret(SecretString::from("rotated")))
        .unwrap();
    client.execute(&get("/b")).await.unwrap();
    let forms = mock.token_forms();
    assert_eq!(forms.len(), 2);
    assert_eq!(forms[1]["client_secret"], "rotated");
    assert_eq!(mock.requests()[1].token(), Some("tok-2"));
}

#[test]
fn debug_output_never_shows_the_secret() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(Mock::answering(ok));
    let client = mock.client();
    let text = format!("{client:?} {:?}", mock.config());
    assert!(!text.contains(CLIENT_SECRET), "{text}");
}

#[tokio::test]
async fn a_token_requested_with_the_old_credential_during_a_rotation_is_not_kept() {
    let mock = Mock::start(
        TokenBehaviour {
            delay: Duration::from_millis(300),
            ..TokenBehaviour::default()
        },
        Arc::new(ok),
    )
    .await;
    let client = mock.client();
    let in_flight = {
        let client = client.clone();
        tokio::spawn(async move { client.execute(&get("/a")).await })
    };
    // The token endpoint has received the old secret and is still answering.
    while mock.token_requests() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    client
        .set_credential(Credential::Secret(SecretString::from("rotated")))
        .unwrap();
    in_flight.await.unwrap().unwrap();
    client.execute(&get("/b")).await.unwrap();
    let forms = mock.token_forms();
    assert_eq!(forms.len(), 2);
    assert_eq!(forms[0]["client_secret"], CLIENT_SECRET);
    assert_eq!(forms[1]["client_secret"], "rotated");
}
