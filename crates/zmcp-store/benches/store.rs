//! The store operations on the request path of the OAuth proxy (a session check per `/mcp`
//! request is a `get`; a refresh is a `take` plus `put`s) and of delete confirmations
//! (`put_if_absent`), on the in-process and the SQLite backend. Redis is left out: its cost
//! is the network round trip to wherever Redis runs.
#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts loudly on setup failure"
)]

use std::{hint::black_box, time::Duration};

use criterion::{Criterion, criterion_group, criterion_main};
use zmcp_store::Store;

const NS: &str = "bench";
/// A sealed session record is about this big.
const VALUE: [u8; 400] = [7; 400];

fn backends(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite_url = format!("sqlite:{}", dir.path().join("bench.sqlite3").display());
    let stores = [
        ("memory", Store::memory()),
        (
            "sqlite",
            runtime
                .block_on(Store::open(&sqlite_url, dir.path()))
                .expect("sqlite store"),
        ),
    ];
    for (name, store) in &stores {
        runtime.block_on(async {
            for i in 0..10_000 {
                store
                    .put(
                        NS,
                        &format!("key-{i}"),
                        &VALUE,
                        Some(Duration::from_secs(600)),
                    )
                    .await
                    .expect("put");
            }
        });
        c.bench_function(&format!("{name}: get (session check)"), |b| {
            b.to_async(&runtime)
                .iter(|| async { black_box(store.get(NS, "key-4242").await.expect("get")) });
        });
        let mut n = 0u64;
        c.bench_function(
            &format!("{name}: put then take (code issued and redeemed)"),
            |b| {
                b.to_async(&runtime).iter(|| {
                    n += 1;
                    let key = format!("code-{n}");
                    async move {
                        store
                            .put(NS, &key, &VALUE, Some(Duration::from_secs(300)))
                            .await
                            .expect("put");
                        black_box(store.take(NS, &key).await.expect("take"))
                    }
                });
            },
        );
    }
}

criterion_group!(benches, backends);
criterion_main!(benches);
