//! Server hot paths: `tools/list` of the full selection (handler, serialization and the
//! newline-delimited transport, read back as raw bytes so the client's JSON parsing is not
//! measured), the same with eight concurrent sessions, and one tool call dispatched against an
//! in-process simulator through the real rmcp client.
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark aborts loudly on setup failure"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::future::join_all;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::Mutex;
use zmcp_server::McpServer;

/// Sessions of the concurrent `tools/list` benchmark.
const CONCURRENT_CLIENTS: usize = 8;

/// A JSON-RPC peer that writes requests and reads answers as raw lines.
struct RawSession {
    writer: WriteHalf<DuplexStream>,
    reader: BufReader<ReadHalf<DuplexStream>>,
    line: String,
}

impl RawSession {
    async fn open(server: McpServer) -> Self {
        let (server_io, client_io) = tokio::io::duplex(1 << 22);
        tokio::spawn(async move {
            if let Ok(running) = server.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let (reader, writer) = tokio::io::split(client_io);
        let mut session = Self {
            writer,
            reader: BufReader::new(reader),
            line: String::new(),
        };
        session
            .request(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#)
            .await;
        session
            .writer
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .await
            .expect("write");
        session
    }

    /// Sends one request line and returns the length of the answer line.
    async fn request(&mut self, request: &str) -> usize {
        self.writer
            .write_all(request.as_bytes())
            .await
            .expect("write");
        self.writer.write_all(b"\n").await.expect("write");
        self.line.clear();
        self.reader.read_line(&mut self.line).await.expect("read")
    }
}

const TOOLS_LIST: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (sim, sessions, client) = runtime.block_on(async {
        let sim = common::start_sim().await;
        let server = common::server_for(&sim);
        let mut sessions = Vec::new();
        for _ in 0..CONCURRENT_CLIENTS {
            sessions.push(Mutex::new(RawSession::open(server.clone()).await));
        }
        let client = common::connect(server, common::plain_client()).await;
        (sim, sessions, client)
    });

    c.bench_function("tools_list_full_selection", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(sessions[0].lock().await.request(TOOLS_LIST).await) });
    });

    c.bench_function("tools_list_8_concurrent_sessions", |b| {
        b.to_async(&runtime).iter(|| async {
            let answers = join_all(
                sessions
                    .iter()
                    .map(|s| async move { s.lock().await.request(TOOLS_LIST).await }),
            )
            .await;
            black_box(answers)
        });
    });

    let call = CallToolRequestParams::new("zia_get_rule_label")
        .with_arguments(common::args(json!({"label_id": 3_318_280})));
    c.bench_function("dispatch_zia_get_rule_label", |b| {
        b.to_async(&runtime).iter(|| async {
            let result = client.call_tool(call.clone()).await.expect("tools/call");
            black_box(result.content.len())
        });
    });

    runtime.block_on(sim.shutdown());
}

criterion_group!(server, benches);
criterion_main!(server);
