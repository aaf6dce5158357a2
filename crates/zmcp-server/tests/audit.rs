//! The audit trail end to end: one line per call in the file, every field present, the
//! principal the HTTP layer established, and no secret (OTPs, confirmation tokens) anywhere.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use common::*;
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use zmcp_auth::{AuthMode, Principal};
use zmcp_server::{AuditLog, HttpOptions, HttpTransport, McpServer, ServerConfig, router};

const FIELDS: [&str; 13] = [
    "time",
    "principal",
    "transport",
    "tool",
    "action",
    "args_sha256",
    "args",
    "outcome",
    "error_kind",
    "latency_ms",
    "upstream_status",
    "request_id",
    "result_bytes",
];

fn audited_server(sim: &zscaler_sim::SimHandle, path: &Path) -> McpServer {
    McpServer::new(ServerConfig {
        audit: Some(AuditLog::append_to(path).unwrap()),
        ..config_for(sim)
    })
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn assert_complete(line: &Value) {
    let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
    assert_eq!(keys, FIELDS, "{line}");
}

/// Every string value of a JSON document, at any depth.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn otps_and_confirmation_tokens_never_reach_the_audit_file() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let client = connect(audited_server(&sim, &path), plain_client()).await;

    let devices = json(&call(&client, "zcc_list_devices", json!({})).await);
    let udid = devices[0]["udid"].as_str().unwrap().to_owned();
    let otp_result = call(&client, "zcc_get_device_otp", json!({"udid": udid})).await;
    let otps = json(&otp_result);
    let mut secrets = Vec::new();
    strings(&otps, &mut secrets);
    secrets.retain(|s| s.len() >= 6 && s != &udid);
    assert!(!secrets.is_empty(), "the simulator returns OTPs: {otps}");

    // A delete: prompt (token issued), then the confirmed replay carrying the token.
    let deleted = delete_confirmed(
        &client,
        "zia_delete_rule_label",
        json!({"label_id": 3_318_283}),
    )
    .await;
    assert!(!is_error(&deleted), "{}", text(&deleted));
    // A stray secret-named argument is refused by validation, and still audited without it.
    let stray = call(
        &client,
        "zia_list_rule_labels",
        json!({"confirmation_token": "9999999999:feedface:0badc0de", "client_secret": "hunter2"}),
    )
    .await;
    assert!(is_error(&stray));

    let written = std::fs::read_to_string(&path).unwrap();
    for secret in secrets
        .iter()
        .map(String::as_str)
        .chain(["feedface", "0badc0de", "hunter2"])
    {
        assert!(!written.contains(secret), "{secret} leaked: {written}");
    }
    let lines = audit_lines(&path);
    assert_eq!(lines.len(), 5, "one line per call: {written}");
    lines.iter().for_each(assert_complete);

    let otp_line = &lines[1];
    assert_eq!(otp_line["tool"], "zcc_get_device_otp");
    assert_eq!(otp_line["action"], "read");
    assert_eq!(otp_line["outcome"], "ok");
    assert_eq!(otp_line["args"], json!({"udid": udid}));
    assert_eq!(otp_line["upstream_status"], 200);
    assert_eq!(otp_line["transport"], "in-process");
    assert_eq!(
        otp_line["result_bytes"].as_u64().unwrap() as usize,
        text(&otp_result).len()
    );
    assert_eq!(otp_line["args_sha256"].as_str().unwrap().len(), 64);

    let (prompt, confirmed) = (&lines[2], &lines[3]);
    assert_eq!(prompt["outcome"], "confirmation_required");
    assert_eq!(confirmed["outcome"], "ok");
    assert_eq!(confirmed["action"], "delete");
    assert_eq!(
        confirmed["args"],
        json!({"label_id": 3_318_283}),
        "kwargs dropped"
    );
    assert_eq!(
        prompt["args_sha256"], confirmed["args_sha256"],
        "the token channel is not part of the digest"
    );

    let refused = &lines[4];
    assert_eq!(refused["outcome"], "error");
    assert_eq!(refused["error_kind"], "invalid_arguments");
    assert_eq!(refused["args"], json!({}));
}

#[tokio::test]
async fn failures_record_their_kind_and_the_api_status() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let client = connect(audited_server(&sim, &path), plain_client()).await;

    let missing = call(&client, "zia_get_rule_label", json!({"label_id": 987654})).await;
    assert!(is_error(&missing));
    let unknown = call(&client, "zia_no_such_tool", json!({})).await;
    assert!(is_error(&unknown));

    let lines = audit_lines(&path);
    assert_eq!(lines.len(), 2);
    lines.iter().for_each(assert_complete);
    assert_eq!(lines[0]["outcome"], "error");
    assert_eq!(lines[0]["error_kind"], "api_status");
    assert_eq!(lines[0]["upstream_status"], 404);
    assert_eq!(lines[1]["error_kind"], "unknown_tool");
    assert_eq!(lines[1]["action"], Value::Null);
}

async fn with_principal(mut request: Request, next: Next) -> Response {
    let mut principal = Principal::named("api-key:1a2b3c4d".into(), AuthMode::ApiKey);
    principal.name = Some("Ops Bot".into());
    request.extensions_mut().insert(principal);
    next.run(request).await
}

#[tokio::test]
async fn streamable_http_calls_carry_the_requests_principal() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let shutdown = CancellationToken::new();
    let options = HttpOptions {
        transport: HttpTransport::StreamableHttp,
        allowed_hosts: Vec::new(),
        shutdown: shutdown.clone(),
    };
    let app =
        router(audited_server(&sim, &path), &options).layer(middleware::from_fn(with_principal));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let stop = shutdown.clone();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
    });

    let client = plain_client()
        .serve(StreamableHttpClientTransport::from_uri(url))
        .await
        .unwrap();
    let labels = call(&client, "zia_list_rule_labels", json!({"query": "[].name"})).await;
    assert!(!is_error(&labels), "{}", text(&labels));
    shutdown.cancel();

    let lines = audit_lines(&path);
    assert_eq!(lines.len(), 1);
    assert_complete(&lines[0]);
    assert_eq!(lines[0]["transport"], "streamable-http");
    assert_eq!(
        lines[0]["principal"],
        json!({"subject": "api-key:1a2b3c4d", "name": "Ops Bot", "auth_mode": "api-key"})
    );
    assert_eq!(lines[0]["args"], json!({"query": "[].name"}));
}
