//! The OneAPI entitlement filter of the real binary against the simulator: tools of products
//! the token's `service-info` does not list are not offered (`tools/list` over stdio), the
//! opt-out keeps them, and a token failure keeps every tool with a warning.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader, Read, Write},
    path::Path,
    process::Stdio,
};

use common::{initialize, zscaler_mcp};
use serde_json::json;
use zscaler_sim::{SimConfig, SimHandle};

/// The `.env` of a tenant served by `sim`, with the given secret.
fn write_env(dir: &Path, sim: &SimHandle, secret: &str) {
    let lines = [
        format!("ZSCALER_CLIENT_ID={}", sim.client_id()),
        format!("ZSCALER_CLIENT_SECRET={secret}"),
        "ZSCALER_VANITY_DOMAIN=acme".to_owned(),
        format!("ZSCALER_CUSTOMER_ID={}", sim.customer_id()),
        format!("ZSCALER_MCP_TOKEN_URL={}", sim.token_url()),
        format!("ZSCALER_MCP_API_BASE_URL={}", sim.base_url()),
    ];
    std::fs::write(dir.join(".env"), lines.join("\n") + "\n").unwrap();
}

/// Runs one stdio session (initialize, tools/list) and returns the services of the listed
/// tools (name prefixes) and everything logged.
fn listed_services(dir: &Path, args: &[&str]) -> (BTreeSet<String>, String) {
    let mut child = zscaler_mcp(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    let mut response = |id: u64| loop {
        let line = lines.next().expect("a response").unwrap();
        let message: serde_json::Value = serde_json::from_str(&line).unwrap();
        if message["id"] == id {
            return message;
        }
    };
    writeln!(stdin, "{}", initialize(1)).unwrap();
    response(1);
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .unwrap();
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    )
    .unwrap();
    let list = response(2);
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let services = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let name = t["name"].as_str().unwrap();
            // `get_zia_users` style names carry the service second.
            let name = name.strip_prefix("get_").unwrap_or(name);
            name.split('_').next().unwrap().to_owned()
        })
        .collect();
    (services, log.join().unwrap())
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_of_products_the_token_does_not_list_are_not_offered() {
    let sim = zscaler_sim::start(SimConfig {
        products: vec!["ZIA".into(), "ZPA".into()],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_env(dir.path(), &sim, sim.client_secret());
    let args = ["-s", "zia,zpa,zdx,zins"];

    let (services, log) = tokio::task::block_in_place(|| listed_services(dir.path(), &args));
    assert_eq!(services, set(&["zia", "zpa"]), "{log}");
    assert!(
        log.contains(
            "OneAPI entitlement filter applied: entitled services=[zia, zpa], kept 2 \
             service(s), removed 2 service(s): [zdx, zins]"
        ),
        "{log}"
    );
    // One token request served both the filter and nothing else (no tool was called).
    let tokens = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth2/v1/token")
        .count();
    assert_eq!(tokens, 1);

    let mut opt_out = args.to_vec();
    opt_out.push("--no-entitlement-filter");
    let (services, log) = tokio::task::block_in_place(|| listed_services(dir.path(), &opt_out));
    assert_eq!(services, set(&["zia", "zpa", "zdx", "zins"]), "{log}");
    assert!(
        log.contains("OneAPI entitlement filter disabled by configuration."),
        "{log}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_request_keeps_every_tool_with_a_warning() {
    let sim = zscaler_sim::start(SimConfig {
        products: vec!["ZIA".into()],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_env(dir.path(), &sim, "not-the-secret");
    let (services, log) =
        tokio::task::block_in_place(|| listed_services(dir.path(), &["-s", "zia,zdx"]));
    assert_eq!(services, set(&["zia", "zdx"]), "{log}");
    assert!(
        log.contains("OneAPI entitlement filter skipped (OneAPI authentication failed"),
        "{log}"
    );
    assert!(!log.contains("not-the-secret"), "{log}");
    sim.shutdown().await;
}

#[test]
fn an_unreachable_token_endpoint_keeps_every_tool() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 9 of the loopback: the connection is refused at once.
    let lines = [
        "ZSCALER_CLIENT_ID=id",
        "ZSCALER_CLIENT_SECRET=s",
        "ZSCALER_VANITY_DOMAIN=acme",
        "ZSCALER_MCP_TOKEN_URL=http://127.0.0.1:9/oauth2/v1/token",
        "ZSCALER_MCP_API_BASE_URL=http://127.0.0.1:9",
    ];
    std::fs::write(dir.path().join(".env"), lines.join("\n") + "\n").unwrap();
    let (services, log) = listed_services(dir.path(), &["-s", "zia,zdx"]);
    assert_eq!(services, set(&["zia", "zdx"]), "{log}");
    assert!(log.contains("OneAPI entitlement filter skipped ("), "{log}");
}
