//! Shutdown on SIGINT or SIGTERM, as one cancellation token every task watches.

use tokio_util::sync::CancellationToken;

/// A token cancelled on the first SIGINT (Ctrl-C) or SIGTERM.
pub fn shutdown_token() -> CancellationToken {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        let signal = wait_for_signal().await;
        tracing::info!("{signal} received; shutting down");
        trigger.cancel();
    });
    token
}

#[cfg(unix)]
async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            () = ctrl_c() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        },
        Err(err) => {
            tracing::warn!("cannot watch SIGTERM ({err}); only SIGINT stops the server");
            ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> &'static str {
    ctrl_c().await;
    "Ctrl-C"
}

async fn ctrl_c() {
    if let Err(err) = tokio::signal::ctrl_c().await {
        tracing::warn!("cannot watch SIGINT ({err})");
        std::future::pending::<()>().await;
    }
}
