//! Helpers shared by the integration tests: run the real binary hermetically (empty
//! environment, a temporary working directory) and read what it prints.

#![allow(dead_code)]
// each test binary uses a different subset
// Helpers of tests: a failed expectation here is a test failure, as inside a #[test].
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Output, Stdio},
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

/// The binary under test, with an empty environment and `cwd` as working directory (so no
/// stray `.env` or `ZSCALER_*` variable of the machine leaks in).
pub fn zscaler_mcp(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zscaler-mcp"));
    cmd.env_clear()
        .current_dir(cwd)
        .stdin(Stdio::null())
        // Parallel tests must not share (or leave behind) /tmp/zscaler-mcp.pid.
        .env("ZSCALER_MCP_PID_FILE", pid_file(cwd));
    cmd
}

/// The PID file of a server started by [`zscaler_mcp`] in `cwd`.
pub fn pid_file(cwd: &Path) -> std::path::PathBuf {
    cwd.join("zscaler-mcp.pid")
}

/// Runs to completion.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run zscaler-mcp")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A running HTTP server, killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// Everything the server logged up to its start line.
    pub startup_log: String,
    /// Everything the server logged so far.
    pub log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Waits until the log holds `count` lines containing `needle`; returns the log.
    pub fn wait_for_log(&self, needle: &str, count: usize) -> String {
        for _ in 0..1200 {
            let log = self.log.lock().unwrap().clone();
            if log.lines().filter(|l| l.contains(needle)).count() >= count {
                return log;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "no {count}× {needle:?} in the server log:\n{}",
            self.log.lock().unwrap()
        );
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server did not stop within a minute of SIGTERM");
    }
}

/// Starts `cmd` (an HTTP transport on port 0) and waits for its start line, which carries
/// the bound port.
pub fn start_server(cmd: &mut Command) -> Server {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zscaler-mcp");
    let stderr = child.stderr.take().expect("stderr");
    let shared = Arc::new(Mutex::new(String::new()));
    let writer = Arc::clone(&shared);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut log = String::new();
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            log.push_str(&line);
            log.push('\n');
            writer.lock().unwrap().push_str(&format!("{line}\n"));
            // `http://` or `https://`
            if !sent && line.contains("Starting ") && line.contains(" transport on http") {
                let _ = tx.send(log.clone());
                sent = true;
            }
        }
        if !sent {
            let _ = tx.send(log);
        }
    });
    let log = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("server start line");
    let port = last_port(&log).unwrap_or_else(|| panic!("no start line in:\n{log}"));
    Server {
        child,
        port,
        startup_log: log,
        log: shared,
    }
}

/// The port of the last start line in `log`.
pub fn last_port(log: &str) -> Option<u16> {
    log.lines()
        .rev()
        .filter(|l| l.contains("Starting "))
        .filter_map(|l| l.split("://127.0.0.1:").nth(1))
        .filter_map(|rest| rest.split(' ').next())
        .find_map(|p| p.parse().ok())
}

/// The JSON-RPC message of a streamable-HTTP response body, whether sent as JSON or as an
/// SSE event.
pub fn json_rpc_body(content_type: &str, body: &str) -> serde_json::Value {
    if content_type.starts_with("text/event-stream") {
        body.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(str::trim)
            .find(|d| d.starts_with('{'))
            .map(|d| serde_json::from_str(d).expect("SSE data is JSON"))
            .unwrap_or_else(|| panic!("no JSON event in {body}"))
    } else {
        serde_json::from_str(body).expect("JSON body")
    }
}

/// An MCP `initialize` request.
pub fn initialize(id: u64) -> serde_json::Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "zscaler-mcp-tests", "version": "1" }
        }
    })
}
