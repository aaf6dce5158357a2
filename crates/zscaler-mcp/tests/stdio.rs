//! The stdio transport of the real binary: JSON-RPC in on stdin, nothing but JSON-RPC out
//! on stdout.

mod common;

use std::{
    io::{BufRead, BufReader, Write},
    process::Stdio,
    sync::mpsc,
    time::Duration,
};

use common::{initialize, zscaler_mcp};

#[test]
fn stdio_answers_initialize_and_tools_list_with_only_json_rpc_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = zscaler_mcp(dir.path())
        .arg("--demo")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Every stdout line must be a JSON-RPC message; returns the response with `id`.
    let wait_for = |id: u64| -> serde_json::Value {
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("a response line");
            let message: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|_| panic!("stdout carries only JSON-RPC, got: {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
            if message["id"] == id {
                return message;
            }
        }
    };

    writeln!(stdin, "{}", initialize(1)).unwrap();
    let init = wait_for(1);
    assert_eq!(init["result"]["serverInfo"]["name"], "zscaler-mcp");
    writeln!(
        stdin,
        "{}",
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .unwrap();
    writeln!(
        stdin,
        "{}",
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    )
    .unwrap();
    let list = wait_for(2);
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(!tools.is_empty());
    assert!(tools.iter().all(|t| t["name"].is_string()));

    drop(stdin); // EOF ends the session
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    // Anything printed after the answers must be JSON-RPC too.
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
        let message: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(message["jsonrpc"], "2.0");
    }
}
