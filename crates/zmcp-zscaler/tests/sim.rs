//! The client against the real simulator: token flows, paging over the demo tenant, and
//! the simulator's injected faults.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use secrecy::SecretString;
use serde_json::Value;
use zmcp_zscaler::{
    ApiError, ApiRequest, ApiResponse, ClientConfig, Cloud, Credential, HttpMethod, PageStyle,
    ZscalerClient,
};
use zscaler_sim::{Fault, FaultKind, SimConfig, SimHandle};

const TOKEN_PATH: &str = "/oauth2/v1/token";
/// The cheapest authenticated read.
const ZIA_STATUS: &str = "/zia/api/v1/status";

async fn sim() -> SimHandle {
    zscaler_sim::start(SimConfig {
        client_public_key_pem: Some(include_str!("fixtures/test-rsa-2048.pub.pem").into()),
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

fn config(sim: &SimHandle, credential: Credential) -> ClientConfig {
    let mut config = ClientConfig::new(sim.client_id(), credential, "acme", Cloud::Production);
    config.token_url = Some(sim.token_url());
    config.api_base_url = Some(sim.base_url());
    config
}

fn client(sim: &SimHandle) -> ZscalerClient {
    let secret = Credential::Secret(SecretString::from(sim.client_secret()));
    ZscalerClient::new(config(sim, secret)).unwrap()
}

fn get(path: &str, query: &[(&str, &str)]) -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Get,
        path: path.into(),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: None,
    }
}

async fn zia_status(client: &ZscalerClient) -> Result<ApiResponse, ApiError> {
    client.execute(&get(ZIA_STATUS, &[])).await
}

/// A ZIA write (activation), which is retried only where a retry cannot repeat it.
fn zia_activate() -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Post,
        path: "/zia/api/v1/status/activate".into(),
        query: Vec::new(),
        body: Some(serde_json::json!({})),
    }
}

fn zpa_path(sim: &SimHandle, resource: &str) -> String {
    format!(
        "/zpa/mgmtconfig/v1/admin/customers/{}/{resource}",
        sim.customer_id()
    )
}

fn token_requests(sim: &SimHandle) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path == TOKEN_PATH)
        .count()
}

fn api_requests(sim: &SimHandle, prefix: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.starts_with(prefix))
        .count()
}

#[tokio::test]
async fn the_secret_flow_reaches_zia() {
    let sim = sim().await;
    let client = client(&sim);
    let status = zia_status(&client).await.unwrap();
    assert_eq!(status.status, 200);
    assert!(status.body.get("status").is_some(), "{}", status.body);
    zia_status(&client).await.unwrap();
    assert_eq!(token_requests(&sim), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_private_key_flow_is_accepted_by_the_simulator() {
    let sim = sim().await;
    for key in [
        include_str!("fixtures/test-rsa-2048.pem"),
        include_str!("fixtures/test-rsa-2048.jwk.json"),
    ] {
        let credential = Credential::PrivateKey(SecretString::from(key));
        let client = ZscalerClient::new(config(&sim, credential)).unwrap();
        let response = zia_status(&client).await.unwrap();
        assert_eq!(response.status, 200);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_secret_is_an_auth_error_naming_the_oauth_error() {
    let sim = sim().await;
    let wrong = Credential::Secret(SecretString::from("not-the-secret"));
    let client = ZscalerClient::new(config(&sim, wrong)).unwrap();
    let err = zia_status(&client).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ApiError::Auth(_)), "{err:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("not-the-secret"), "{text}");
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_are_renewed_once() {
    let sim = sim().await;
    let client = client(&sim);
    zia_status(&client).await.unwrap();
    sim.expire_tokens();
    zia_status(&client).await.unwrap();
    assert_eq!(token_requests(&sim), 2);
    let statuses: Vec<u16> = sim
        .requests()
        .iter()
        .filter(|r| r.path == ZIA_STATUS)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [200, 401, 200]);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_rotated_secret_is_picked_up_without_a_new_client() {
    let sim = sim().await;
    let client = client(&sim);
    zia_status(&client).await.unwrap();
    sim.rotate_client_secret("rotated-secret");
    sim.expire_tokens();
    let err = zia_status(&client).await.unwrap_err();
    assert!(matches!(err, ApiError::Auth(_)), "{err:?}");
    client
        .set_credential(Credential::Secret(SecretString::from("rotated-secret")))
        .unwrap();
    zia_status(&client).await.unwrap();
    sim.shutdown().await;
}

/// Every record of a list, fetched in one large page, to compare a walk against.
async fn all_at_once(client: &ZscalerClient, request: &ApiRequest, key: &str) -> Vec<Value> {
    let body = client.execute(request).await.unwrap().body;
    let records = if key.is_empty() {
        body
    } else {
        body[key].clone()
    };
    records.as_array().unwrap().clone()
}

#[tokio::test]
async fn zia_users_are_walked_completely() {
    let sim = sim().await;
    let client = client(&sim);
    let walk = client
        .fetch_all(&get("/zia/api/v1/users", &[]), &PageStyle::Zia, 100_000)
        .await
        .unwrap();
    let expected = all_at_once(
        &client,
        &get("/zia/api/v1/users", &[("pageSize", "10000")]),
        "",
    )
    .await;
    assert!(!expected.is_empty());
    assert_eq!(walk.items, expected);
    assert!(!walk.truncated);
    sim.shutdown().await;
}

#[tokio::test]
async fn zpa_segment_groups_are_walked_and_bounded() {
    let sim = sim().await;
    let client = client(&sim);
    let path = zpa_path(&sim, "segmentGroup");
    let walk = client
        .fetch_all(&get(&path, &[]), &PageStyle::Zpa, 100_000)
        .await
        .unwrap();
    let expected = all_at_once(&client, &get(&path, &[("pagesize", "500")]), "list").await;
    assert!(
        expected.len() > 1,
        "the demo tenant needs several segment groups"
    );
    assert_eq!(walk.items, expected);
    assert!(!walk.truncated);

    let bounded = client
        .fetch_all(&get(&path, &[]), &PageStyle::Zpa, 1)
        .await
        .unwrap();
    assert_eq!(bounded.items.len(), 1);
    assert!(bounded.truncated);
    sim.shutdown().await;
}

#[tokio::test]
async fn zdx_devices_are_walked_over_cursors() {
    let sim = sim().await;
    let client = client(&sim);
    let style = PageStyle::Zdx {
        items_key: Some("devices".into()),
    };
    let walk = client
        .fetch_all(&get("/zdx/v1/devices", &[("limit", "5")]), &style, 100_000)
        .await
        .unwrap();
    let expected = all_at_once(
        &client,
        &get("/zdx/v1/devices", &[("limit", "1000")]),
        "devices",
    )
    .await;
    assert!(
        expected.len() > 5,
        "the demo tenant needs more than one page of devices"
    );
    assert_eq!(walk.items, expected);
    assert_eq!(walk.pages as usize, expected.len().div_ceil(5));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn injected_rate_limits_and_edit_locks_are_retried() {
    let sim = sim().await;
    let client = client(&sim);
    sim.inject_fault(
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: None,
        })
        .times(2)
        .on_prefix("/zia/"),
    );
    zia_status(&client).await.unwrap();
    assert_eq!(api_requests(&sim, "/zia/"), 3);

    sim.clear_requests();
    sim.inject_fault(Fault::once(FaultKind::EditLock).on_prefix("/zia/"));
    client.execute(&zia_activate()).await.unwrap();
    assert_eq!(api_requests(&sim, "/zia/"), 2);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn injected_server_errors_are_retried_for_reads_only() {
    let sim = sim().await;
    let client = client(&sim);
    sim.inject_fault(Fault::once(FaultKind::ServerError { status: 503 }).on_prefix("/zia/"));
    zia_status(&client).await.unwrap();
    assert_eq!(api_requests(&sim, "/zia/"), 2);

    sim.clear_requests();
    sim.inject_fault(Fault::once(FaultKind::ServerError { status: 500 }).on_prefix("/zia/"));
    let err = client.execute(&zia_activate()).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(api_requests(&sim, "/zia/"), 1);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn rate_limits_that_never_end_are_reported() {
    let sim = sim().await;
    let mut config = config(
        &sim,
        Credential::Secret(SecretString::from(sim.client_secret())),
    );
    config.max_retries = 2;
    config.max_backoff = Duration::from_secs(5);
    let client = ZscalerClient::new(config).unwrap();
    sim.inject_fault(
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: Some(4),
        })
        .times(10)
        .on_prefix("/zpa/"),
    );
    let err = client
        .execute(&get(&zpa_path(&sim, "segmentGroup"), &[]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retries: 2 }),
        "{err:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn garbage_on_200_is_an_invalid_response() {
    let sim = sim().await;
    let client = client(&sim);
    sim.inject_fault(Fault::once(FaultKind::Garbage).on_prefix("/zia/"));
    let err = zia_status(&client).await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidResponse(_)), "{err:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unknown_path_is_not_found() {
    let sim = sim().await;
    let err = client(&sim)
        .execute(&get("/zia/api/v1/noSuchThing", &[]))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn entitled_products_come_from_the_token_which_calls_then_reuse() {
    let sim = zscaler_sim::start(SimConfig {
        products: vec!["ZIA".into(), "CLOUD_CONNECTOR".into()],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let client = client(&sim);
    assert_eq!(
        client.entitled_products().await.unwrap(),
        ["ZIA", "CLOUD_CONNECTOR"]
    );
    zia_status(&client).await.unwrap();
    assert_eq!(token_requests(&sim), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn entitled_products_report_a_refused_credential() {
    let sim = sim().await;
    let client = client(&sim);
    sim.rotate_client_secret("rotated-elsewhere");
    let err = client.entitled_products().await.unwrap_err();
    assert!(matches!(err, ApiError::Auth(_)), "{err:?}");
    sim.shutdown().await;
}
