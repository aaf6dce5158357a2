//! Fault injection through the Rust API and over HTTP, rate-limit enforcement, the request
//! log, and the binary.
// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{start, start_with};
use reqwest::{Method, StatusCode};
use serde_json::json;
use zscaler_sim::{Fault, FaultKind, SimConfig};

#[tokio::test]
async fn rate_limit_faults_use_each_products_retry_after() {
    let sim = start().await;
    sim.handle.inject_fault(
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: None,
        })
        .on_prefix("/zia/"),
    );
    sim.handle.inject_fault(
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: None,
        })
        .on_prefix("/zpa/"),
    );
    let zpa = sim.get(&sim.zpa("/segmentGroup")).await;
    assert_eq!(zpa.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(zpa.header("retry-after"), "4s");
    assert_eq!(zpa.json()["id"], "invalid.toomanyrequests");
    let zia = sim.get("/zia/api/v1/status").await;
    assert_eq!(zia.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(zia.header("retry-after"), "1");
    assert!(
        zia.json()["message"]
            .as_str()
            .unwrap()
            .contains("Rate Limit")
    );
    assert_eq!(
        sim.get("/zia/api/v1/status").await.status,
        StatusCode::OK,
        "fault spent"
    );
}

#[tokio::test]
async fn each_fault_kind_answers_as_documented() {
    let sim = start().await;
    sim.handle
        .inject_fault(Fault::once(FaultKind::ServerError { status: 503 }));
    let e = sim.get("/zia/api/v1/status").await;
    assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(e.json()["code"], "UNEXPECTED_ERROR");

    sim.handle.inject_fault(Fault::once(FaultKind::EditLock));
    let lock = sim
        .call(
            Method::POST,
            "/zia/api/v1/ruleLabels",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(lock.status, StatusCode::CONFLICT);
    assert_eq!(lock.json(), json!({"code": "EDIT_LOCK_NOT_AVAILABLE"}));

    sim.handle
        .inject_fault(Fault::once(FaultKind::Unauthorized));
    let unauthorized = sim.get("/zdx/v1/apps").await;
    assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unauthorized.json()["detail"], "unauthorized");

    sim.handle.inject_fault(Fault::once(FaultKind::Garbage));
    let garbage = sim.get("/zdx/v1/apps").await;
    assert_eq!(garbage.status, StatusCode::OK);
    assert!(serde_json::from_str::<serde_json::Value>(&garbage.text).is_err());

    sim.handle
        .inject_fault(Fault::once(FaultKind::Latency { ms: 50 }));
    let slow = sim.get("/zia/api/v1/status").await;
    assert_eq!(
        slow.status,
        StatusCode::OK,
        "latency still serves the request"
    );

    sim.handle
        .inject_fault(Fault::once(FaultKind::Garbage).times(3));
    sim.handle.clear_faults();
    assert_eq!(sim.get("/zia/api/v1/status").await.status, StatusCode::OK);
}

#[tokio::test]
async fn request_log_shows_retries_and_raw_paths() {
    let sim = start().await;
    sim.handle.clear_requests();
    sim.handle
        .inject_fault(Fault::once(FaultKind::ServerError { status: 500 }));
    sim.get("/zia/api/v1/users?name=Jane%20Doe").await;
    sim.get("/zia/api/v1/users?name=Jane%20Doe").await;
    let log = sim.handle.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].status, 500);
    assert_eq!(log[1].status, 200);
    assert_eq!(log[1].method, "GET");
    assert_eq!(log[1].path, "/zia/api/v1/users");
    assert_eq!(log[1].query.as_deref(), Some("name=Jane%20Doe"));
}

#[tokio::test]
async fn enforced_limits_answer_429() {
    let sim = start_with(SimConfig {
        enforce_rate_limits: true,
        ..SimConfig::default()
    })
    .await;
    let first = sim
        .call(Method::DELETE, "/zia/api/v1/ruleLabels/3318280", None)
        .await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    let second = sim
        .call(Method::DELETE, "/zia/api/v1/ruleLabels/3318281", None)
        .await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        second.json()["message"]
            .as_str()
            .unwrap()
            .contains("1/MINUTE")
    );
    assert!(second.header("retry-after").parse::<u64>().unwrap() >= 1);
}

#[tokio::test]
async fn http_control_routes_drive_faults_and_token_expiry() {
    let sim = start().await;
    let client = &sim.client;
    let queued = client
        .post(sim.url("/_sim/faults"))
        .json(&json!([{"kind": "server_error", "status": 502, "path_prefix": "/zpa/"}, {"kind": "edit_lock"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::OK);
    assert_eq!(
        sim.get(&sim.zpa("/segmentGroup")).await.status,
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(
        sim.get("/zia/api/v1/status").await.status,
        StatusCode::CONFLICT
    );
    let bad = client
        .post(sim.url("/_sim/faults"))
        .body("{\"kind\":\"nope\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    client
        .post(sim.url("/_sim/faults"))
        .json(&json!({"kind": "garbage", "count": 5}))
        .send()
        .await
        .unwrap();
    client.delete(sim.url("/_sim/faults")).send().await.unwrap();
    assert_eq!(sim.get("/zia/api/v1/status").await.status, StatusCode::OK);

    let log: serde_json::Value = client
        .get(sim.url("/_sim/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(log.as_array().unwrap().iter().any(|r| r["status"] == 409));

    client
        .post(sim.url("/_sim/expire-tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sim.get("/zia/api/v1/status").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[cfg(unix)]
#[test]
fn binary_prints_its_address_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zscaler-sim"))
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--client-id",
            "cid",
            "--client-secret",
            "csecret",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("zscaler-sim listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        line.trim_end()
            .ends_with("(customer_id=216196257331281920)"),
        "{line}"
    );
    let base = line.split_whitespace().nth(3).unwrap().to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/oauth2/v1/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "cid"),
                ("client_secret", "csecret"),
                ("audience", common::AUDIENCE),
            ])
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, StatusCode::OK);
    // SIGTERM ends it cleanly.
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert!(child.wait().unwrap().success());
}
