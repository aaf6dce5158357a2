//! Transport hardening of the real binary: the Host-header allowlist, the source-IP
//! allowlist, and in-process TLS with certificate reload and client certificates.

// The request helpers are test code: a failed expectation there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};

use common::{Server, initialize, run, start_server, stderr, zscaler_mcp};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde_json::{Value, json};

fn demo_http(dir: &Path) -> std::process::Command {
    let mut cmd = zscaler_mcp(dir);
    cmd.args(["--demo", "--transport", "streamable-http", "--port", "0"]);
    cmd
}

async fn post_initialize(client: &reqwest::Client, url: String) -> reqwest::Response {
    client
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(&initialize(1))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_host_outside_the_allowlist_is_misdirected() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(
        demo_http(dir.path()).env("ZSCALER_MCP_ALLOWED_HOSTS", "127.0.0.1:*,LocalHost:*"),
    );
    assert!(
        server
            .startup_log
            .contains(r#"Host header allowlist active: ["127.0.0.1:*", "LocalHost:*"]"#)
    );
    let client = reqwest::Client::new();
    let refused = client
        .post(server.url("/mcp"))
        .header("host", "evil.example.com:8000")
        .header("accept", "application/json, text/event-stream")
        .json(&initialize(1))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 421);
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({"jsonrpc": "2.0", "error": {"code": -32001, "message":
            "Misdirected request: Host header 'evil.example.com:8000' is not in the allowed list (possible DNS rebinding attempt)"}})
    );
    let health = client
        .get(server.url("/health"))
        .header("host", "evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "/health is exempt");
    let admitted = client
        .post(server.url("/mcp/"))
        .header("host", format!("localhost:{}", server.port))
        .header("accept", "application/json, text/event-stream")
        .json(&initialize(1))
        .send()
        .await
        .unwrap();
    assert_eq!(
        admitted.status(),
        200,
        "case-insensitive, and /mcp/ is /mcp"
    );
}

#[tokio::test]
async fn get_mcp_without_event_stream_accept_is_405() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&mut demo_http(dir.path()));
    let response = reqwest::get(server.url("/mcp")).await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert!(response.text().await.unwrap().starts_with(
        "Method Not Allowed: this endpoint is POST-only. To receive server-initiated messages over SSE"
    ));
}

#[tokio::test]
async fn source_ip_allowlist_refuses_other_peers() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        start_server(demo_http(dir.path()).env("ZSCALER_MCP_ALLOWED_SOURCE_IPS", "10.0.0.0/8"));
    assert!(
        server
            .startup_log
            .contains(r#"Source IP ACL active: ["10.0.0.0/8"]"#)
    );
    let client = reqwest::Client::new();
    let refused = post_initialize(&client, server.url("/mcp")).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({"jsonrpc": "2.0", "error": {"code": -32001, "message":
            "Forbidden: source IP 127.0.0.1 is not in the allowed list"}})
    );
    let health = client.get(server.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200, "/health is exempt");
    drop(server);

    let server = start_server(
        demo_http(dir.path()).env("ZSCALER_MCP_ALLOWED_SOURCE_IPS", "10.0.0.0/8, 127.0.0.1"),
    );
    let admitted = post_initialize(&client, server.url("/mcp")).await;
    assert_eq!(admitted.status(), 200);
}

#[test]
fn invalid_source_ip_entries_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        run(demo_http(dir.path()).env("ZSCALER_MCP_ALLOWED_SOURCE_IPS", "10.0.0.0/8,intranet"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "ERROR: ZSCALER_MCP_ALLOWED_SOURCE_IPS: invalid source IP entry \"intranet\""
        )
    );
}

/// A certificate for 127.0.0.1 written to `dir`; returns its PEM and DER.
fn write_server_cert(
    dir: &Path,
    issuer: Option<&CertifiedIssuer<'_, KeyPair>>,
) -> (String, Vec<u8>) {
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = match issuer {
        Some(issuer) => params.signed_by(&key, &**issuer).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    // Written next to the live files and renamed over them, as a certificate manager
    // does, so the server never reads a half-written pair.
    std::fs::write(dir.join("cert.pem.new"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem.new"), key.serialize_pem()).unwrap();
    std::fs::rename(dir.join("key.pem.new"), dir.join("key.pem")).unwrap();
    std::fs::rename(dir.join("cert.pem.new"), dir.join("cert.pem")).unwrap();
    (cert.pem(), cert.der().to_vec())
}

fn tls_server(dir: &Path, extra: &[(&str, PathBuf)]) -> Server {
    let mut cmd = demo_http(dir);
    cmd.env("ZSCALER_MCP_TLS_CERTFILE", dir.join("cert.pem"))
        .env("ZSCALER_MCP_TLS_KEYFILE", dir.join("key.pem"))
        .env("ZSCALER_MCP_TLS_RELOAD_SECS", "1");
    for (name, value) in extra {
        cmd.env(name, value);
    }
    start_server(&mut cmd)
}

fn https_client(trusted_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(trusted_pem.as_bytes()).unwrap())
        .tls_info(true)
        .build()
        .unwrap()
}

fn https(server: &Server, path: &str) -> String {
    format!("https://127.0.0.1:{}{path}", server.port)
}

fn peer_certificate(response: &reqwest::Response) -> Vec<u8> {
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("TLS info with the peer certificate")
        .to_vec()
}

#[tokio::test]
async fn tls_serves_mcp_and_reloads_a_replaced_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (first_pem, first_der) = write_server_cert(dir.path(), None);
    let server = tls_server(dir.path(), &[]);
    assert!(server.startup_log.contains(&format!(
        "Starting streamable-http transport on https://127.0.0.1:{} (path=/mcp, tls=on,",
        server.port
    )));
    assert!(
        server
            .startup_log
            .contains(" tls=on host_validation=loopback-only")
    );

    let first_client = https_client(&first_pem);
    let health = first_client
        .get(https(&server, "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(peer_certificate(&health), first_der);
    assert_eq!(
        health.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let initialized = post_initialize(&first_client, https(&server, "/mcp")).await;
    assert_eq!(initialized.status(), 200);
    let plaintext = reqwest::get(server.url("/health")).await;
    assert!(plaintext.is_err() || plaintext.unwrap().status() != 200);

    let (second_pem, second_der) = write_server_cert(dir.path(), None);
    server.wait_for_log("TLS certificate reloaded from", 1);
    let second = https_client(&second_pem)
        .get(https(&server, "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 200);
    assert_eq!(
        peer_certificate(&second),
        second_der,
        "a new handshake gets the new certificate"
    );

    // The first client's pooled connection was established with the old certificate and
    // carries on; a new handshake would fail, since that client trusts the old one only.
    let reused = first_client
        .get(https(&server, "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), 200);
    assert_eq!(peer_certificate(&reused), first_der);
}

#[tokio::test]
async fn client_certificates_are_required_with_a_client_ca() {
    let dir = tempfile::tempdir().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    write_server_cert(dir.path(), Some(&ca));
    std::fs::write(dir.path().join("clients-ca.pem"), ca.pem()).unwrap();
    let server = tls_server(
        dir.path(),
        &[(
            "ZSCALER_MCP_TLS_CA_CERTS",
            dir.path().join("clients-ca.pem"),
        )],
    );
    assert!(
        server
            .startup_log
            .contains("client certificates required (mTLS)")
    );

    let anonymous = https_client(&ca.pem())
        .get(https(&server, "/health"))
        .send()
        .await;
    assert!(
        anonymous.is_err(),
        "no client certificate: handshake refused"
    );

    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["mcp-client".to_owned()])
        .unwrap()
        .signed_by(&client_key, &*ca)
        .unwrap();
    let identity = reqwest::Identity::from_pem(
        format!("{}{}", client_cert.pem(), client_key.serialize_pem()).as_bytes(),
    )
    .unwrap();
    let with_cert = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem().as_bytes()).unwrap())
        .identity(identity)
        .build()
        .unwrap()
        .get(https(&server, "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(with_cert.status(), 200);
}

#[test]
fn tls_settings_are_checked_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(demo_http(dir.path()).env("ZSCALER_MCP_TLS_CERTFILE", "cert.pem"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("ERROR: Incomplete TLS configuration."));
    assert!(err.contains("ZSCALER_MCP_TLS_CERTFILE = (set)"));
    assert!(err.contains("ZSCALER_MCP_TLS_KEYFILE  = (missing)"));

    let out = run(demo_http(dir.path())
        .env("ZSCALER_MCP_TLS_CERTFILE", "absent-cert.pem")
        .env("ZSCALER_MCP_TLS_KEYFILE", "absent-key.pem"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ERROR: TLS certificate file not found: absent-cert.pem"));

    write_server_cert(dir.path(), None);
    let out = run(demo_http(dir.path())
        .env("ZSCALER_MCP_TLS_CERTFILE", "cert.pem")
        .env("ZSCALER_MCP_TLS_KEYFILE", "key.pem")
        .env("ZSCALER_MCP_TLS_CA_CERTS", "absent-ca.pem"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ERROR: TLS CA certificate file not found: absent-ca.pem"));

    std::fs::write(
        dir.path().join("key.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap();
    let out = run(demo_http(dir.path())
        .env("ZSCALER_MCP_TLS_CERTFILE", "cert.pem")
        .env("ZSCALER_MCP_TLS_KEYFILE", "key.pem")
        .env("ZSCALER_MCP_TLS_KEYFILE_PASSWORD", "hunter2"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("the private key is encrypted, which this server does not support"));
    assert!(!err.contains("hunter2"));
}
