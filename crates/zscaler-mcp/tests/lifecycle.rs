//! The lifecycle of the real binary: PID file, `status`, `reload` rotating the Zscaler secret
//! and the api-key under a stream of tool calls, `restart` in place, `stop`, stale PID files,
//! and `update`. Signals and `exec` are Unix-only.
#![cfg(unix)]
// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use common::{
    initialize, json_rpc_body, last_port, pid_file, run, start_server, stderr, stdout, zscaler_mcp,
};
use serde_json::{Value, json};
use zscaler_sim::SimConfig;

const TOKEN_PATH: &str = "/oauth2/v1/token";

/// A minimal streamable-HTTP MCP client holding one session.
#[derive(Clone)]
struct Mcp {
    http: reqwest::Client,
    url: String,
    session: String,
}

impl Mcp {
    async fn connect(url: String, key: &str) -> Self {
        let http = reqwest::Client::new();
        let resp = http
            .post(&url)
            .header("accept", "application/json, text/event-stream")
            .bearer_auth(key)
            .json(&initialize(1))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let session = resp.headers()["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let mcp = Self { http, url, session };
        let (status, _) = mcp
            .post(
                key,
                &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            )
            .await;
        assert!(status < 300, "{status}");
        mcp
    }

    async fn post(&self, key: &str, body: &Value) -> (u16, Option<Value>) {
        let resp = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", &self.session)
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = resp.text().await.unwrap();
        let message =
            (status == 200 && !text.trim().is_empty()).then(|| json_rpc_body(&content_type, &text));
        (status, message)
    }

    /// One `tools/call`; `Err` describes any failure (HTTP, JSON-RPC or tool error).
    async fn call(&self, key: &str, id: u64, tool: &str) -> Result<(), String> {
        let request = json!({
            "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": {}}
        });
        match self.post(key, &request).await {
            (200, Some(message)) if message["result"]["isError"] != json!(true) => {
                if message.get("error").is_some() {
                    Err(format!("JSON-RPC error: {message}"))
                } else {
                    Ok(())
                }
            }
            (status, message) => Err(format!("HTTP {status}: {message:?}")),
        }
    }
}

fn write_env(dir: &Path, lines: &[String]) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(".env");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn tenant_env(sim: &zscaler_sim::SimHandle, secret: &str, api_key: &str) -> Vec<String> {
    vec![
        format!("ZSCALER_CLIENT_ID={}", sim.client_id()),
        format!("ZSCALER_CLIENT_SECRET={secret}"),
        "ZSCALER_VANITY_DOMAIN=acme".to_owned(),
        format!("ZSCALER_CUSTOMER_ID={}", sim.customer_id()),
        format!("ZSCALER_MCP_TOKEN_URL={}", sim.token_url()),
        format!("ZSCALER_MCP_API_BASE_URL={}", sim.base_url()),
        "ZSCALER_MCP_AUTH_MODE=api-key".to_owned(),
        format!("ZSCALER_MCP_AUTH_API_KEY={api_key}"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reload_rotates_the_secret_and_the_api_key_without_failing_a_call() {
    let sim = zscaler_sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_env(dir.path(), &tenant_env(&sim, sim.client_secret(), "key-1"));
    let server = tokio::task::block_in_place(|| {
        start_server(zscaler_mcp(dir.path()).args([
            "--transport",
            "streamable-http",
            "--port",
            "0",
        ]))
    });
    let mcp = Mcp::connect(server.url("/mcp"), "key-1").await;

    // A steady stream of tool calls for the whole rotation.
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let caller = {
        let (mcp, stop, calls) = (mcp.clone(), Arc::clone(&stop), Arc::clone(&calls));
        tokio::spawn(async move {
            let mut failures = Vec::new();
            let mut id = 10;
            while !stop.load(Ordering::SeqCst) {
                if let Err(err) = mcp.call("key-1", id, "zia_get_activation_status").await {
                    failures.push(err);
                }
                calls.fetch_add(1, Ordering::SeqCst);
                id += 1;
            }
            failures
        })
    };
    let wait_calls = |at_least: usize| {
        let calls = Arc::clone(&calls);
        async move {
            while calls.load(Ordering::SeqCst) < at_least {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    wait_calls(5).await;

    // The admin rotates the secret (the old one stops working at once; issued tokens live on),
    // the operator updates .env and reloads.
    sim.rotate_client_secret("rotated-secret-2");
    write_env(dir.path(), &tenant_env(&sim, "rotated-secret-2", "key-1"));
    let out = tokio::task::block_in_place(|| run(zscaler_mcp(dir.path()).arg("reload")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "Sent SIGHUP to zscaler-mcp (pid={}). MCP sessions preserved.",
            server.child.id()
        )),
        "{text}"
    );
    assert!(text.contains("env source : live"), "{text}");
    let log = tokio::task::block_in_place(|| server.wait_for_log("[LIFECYCLE] re-loaded .env", 1));
    let line = log
        .lines()
        .find(|l| l.contains("[LIFECYCLE] re-loaded .env"))
        .unwrap();
    assert!(line.contains("applied ZSCALER_CLIENT_SECRET"), "{line}");
    assert!(!log.contains("rotated-secret-2"), "{log}");

    // Every token issued so far dies: the calls go on only if the new secret is in use.
    let expired_at = sim.requests().len();
    sim.expire_tokens();
    let before = calls.load(Ordering::SeqCst);
    wait_calls(before + 5).await;
    stop.store(true, Ordering::SeqCst);
    let failures = caller.await.unwrap();
    assert!(failures.is_empty(), "failed calls: {failures:#?}");
    let requests = sim.requests();
    let tokens: Vec<_> = requests.iter().filter(|r| r.path == TOKEN_PATH).collect();
    assert!(tokens.iter().all(|r| r.status == 200), "{tokens:?}");
    assert!(
        requests[expired_at..]
            .iter()
            .any(|r| r.path == TOKEN_PATH && r.status == 200),
        "a new token was fetched after the expiry"
    );

    // The MCP api-key rotates on the same session: the old key is refused, the new one works.
    write_env(dir.path(), &tenant_env(&sim, "rotated-secret-2", "key-2"));
    let out = tokio::task::block_in_place(|| run(zscaler_mcp(dir.path()).arg("reload")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = tokio::task::block_in_place(|| server.wait_for_log("[LIFECYCLE] re-loaded .env", 2));
    let line = log
        .lines()
        .filter(|l| l.contains("[LIFECYCLE] re-loaded .env"))
        .nth(1)
        .unwrap();
    assert!(line.contains("applied ZSCALER_MCP_AUTH_API_KEY"), "{line}");
    assert!(!line.contains("ZSCALER_CLIENT_SECRET"), "{line}");
    let err = mcp
        .call("key-1", 1000, "zia_get_activation_status")
        .await
        .unwrap_err();
    assert!(err.starts_with("HTTP 401"), "{err}");
    mcp.call("key-2", 1001, "zia_get_activation_status")
        .await
        .unwrap();

    let status = tokio::task::block_in_place(|| server.terminate());
    assert!(status.success(), "{status:?}");
    assert!(
        !pid_file(dir.path()).exists(),
        "the PID file is removed at exit"
    );
    sim.shutdown().await;
}

#[test]
fn status_restart_in_place_and_stop() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_server(zscaler_mcp(dir.path()).args([
        "--demo",
        "--transport",
        "streamable-http",
        "--port",
        "0",
    ]));
    let pid = server.child.id();
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(pid_file(dir.path())).unwrap()).unwrap();
    assert_eq!(record["pid"], pid);
    assert_eq!(record["port"], server.port);
    assert_eq!(record["transport"], "streamable-http");
    assert!(
        record["executable"]
            .as_str()
            .unwrap()
            .ends_with("zscaler-mcp")
    );
    assert!(
        record["argv"]
            .as_array()
            .unwrap()
            .contains(&json!("--demo"))
    );

    let out = run(zscaler_mcp(dir.path()).arg("status"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "zscaler-mcp lifecycle status".to_owned(),
        format!("  pid               : {pid}"),
        "  alive             : yes".to_owned(),
        "  uptime            : ".to_owned(),
        format!("  bind              : 127.0.0.1:{}", server.port),
        "  dotenv path       : (none)".to_owned(),
        "  env source        : none".to_owned(),
        "  executable        : ".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected:?} in\n{text}");
    }

    let out = run(zscaler_mcp(dir.path()).arg("restart"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("Sent SIGUSR2 to zscaler-mcp (pid={pid})")));
    let log = server.wait_for_log(" transport on http://", 2);
    assert!(log.contains("[LIFECYCLE] SIGUSR2 received"), "{log}");
    assert!(server.child.try_wait().unwrap().is_none(), "same process");
    let new_port = last_port(&log).unwrap();
    assert_eq!(health_status(new_port), 200);
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(pid_file(dir.path())).unwrap()).unwrap();
    assert_eq!(record["pid"], pid, "the re-executed server keeps its PID");
    assert_eq!(record["port"], new_port);

    let out = run(zscaler_mcp(dir.path()).arg("stop"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Will not respawn."));
    let mut exited = None;
    for _ in 0..600 {
        exited = server.child.try_wait().unwrap();
        if exited.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(exited.unwrap().success(), "{exited:?}");
    assert!(!pid_file(dir.path()).exists());
    let out = run(zscaler_mcp(dir.path()).arg("status"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("No zscaler-mcp server PID file found at"));
}

/// The status of `GET /health` (`reqwest::blocking` is not enabled: a one-off runtime).
fn health_status(port: u16) -> u16 {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            reqwest::get(format!("http://127.0.0.1:{port}/health"))
                .await
                .unwrap()
                .status()
                .as_u16()
        })
}

fn write_record(dir: &Path, pid: u32) {
    let record = json!({
        "argv": ["zscaler-mcp"], "dotenv_path": null, "executable": "/usr/bin/zscaler-mcp",
        "host": "127.0.0.1", "pid": pid, "port": 8000, "started_at": 0.0,
        "transport": "stdio", "version": "0.0.0"
    });
    std::fs::write(pid_file(dir), record.to_string()).unwrap();
}

#[test]
fn missing_and_stale_pid_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(zscaler_mcp(dir.path()).arg("reload"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("No running zscaler-mcp server found (PID file"),
        "{}",
        stdout(&out)
    );

    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    write_record(dir.path(), dead);
    let out = run(zscaler_mcp(dir.path()).arg("status"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("alive             : NO (stale PID file)"));
    let out = run(zscaler_mcp(dir.path()).arg("reload"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("but no such process exists"),
        "{}",
        stderr(&out)
    );
    assert!(!pid_file(dir.path()).exists(), "the stale file is removed");
}

#[test]
fn a_reused_pid_is_never_signalled() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    write_record(dir.path(), other.id());
    let out = run(zscaler_mcp(dir.path()).arg("stop"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a zscaler-mcp server"),
        "{}",
        stderr(&out)
    );
    assert!(
        other.try_wait().unwrap().is_none(),
        "sleep was not signalled"
    );
    other.kill().unwrap();
    other.wait().unwrap();
}

#[test]
fn update_explains_how_to_upgrade_a_binary() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(zscaler_mcp(dir.path()).args(["update", "--apply"]));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("not available in this build"), "{text}");
    assert!(text.contains("cargo install zscaler-mcp"), "{text}");
    assert!(text.contains("/releases"), "{text}");
}
