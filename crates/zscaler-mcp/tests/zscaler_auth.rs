//! The `zscaler` client-auth mode of the real binary checks credentials at the tenant's
//! OneAPI token endpoint, derived from vanity domain and cloud by the client crate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, start_server, stderr, zscaler_mcp};

#[test]
fn the_token_endpoint_comes_from_vanity_domain_and_cloud() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(
        zscaler_mcp(dir.path())
            .args(["--transport", "streamable-http", "--port", "0"])
            .env("ZSCALER_VANITY_DOMAIN", "acme")
            .env("ZSCALER_CLOUD", "beta"),
    );
    assert!(
        server
            .startup_log
            .contains("token_url=https://acme.zsloginbeta.net/oauth2/v1/token"),
        "{}",
        server.startup_log
    );
    assert!(
        server.startup_log.contains("auth=zscaler"),
        "{}",
        server.startup_log
    );
    server.terminate();
}

#[test]
fn a_vanity_domain_that_is_not_a_label_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(zscaler_mcp(dir.path())
        .args(["--transport", "streamable-http", "--port", "0"])
        .env("ZSCALER_VANITY_DOMAIN", "acme.evil.example"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("requires a valid ZSCALER_VANITY_DOMAIN"),
        "{}",
        stderr(&out)
    );
}
