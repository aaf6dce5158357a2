//! `zscaler-sim`: runs the local Zscaler cloud until SIGTERM or Ctrl-C.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use clap::Parser;
use zscaler_sim::SimConfig;

/// A local Zscaler cloud (OneAPI token endpoint, ZIA, ZPA, ZDX, Z-Insights) with a demo tenant.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind; 0 picks a free one (printed on start-up).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// OneAPI client id the token endpoint accepts.
    #[arg(long, default_value = "demo-client")]
    client_id: String,
    /// OneAPI client secret the token endpoint accepts.
    #[arg(long, default_value = "demo-secret")]
    client_secret: String,
    /// Lifetime of issued tokens, seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// PEM file with the RSA public key that verifies private-key JWT assertions.
    #[arg(long)]
    client_public_key: Option<std::path::PathBuf>,
    /// Apply the documented ZIA/ZPA per-method rate limits (429 beyond them).
    #[arg(long)]
    enforce_rate_limits: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let client_public_key_pem = match &args.client_public_key {
        Some(path) => Some(
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        ),
        None => None,
    };
    let config = SimConfig {
        bind: SocketAddr::new(args.host, args.port),
        client_id: args.client_id,
        client_secret: args.client_secret,
        token_ttl_secs: args.token_ttl,
        client_public_key_pem,
        enforce_rate_limits: args.enforce_rate_limits,
        ..SimConfig::default()
    };
    let sim = zscaler_sim::start(config)
        .await
        .context("binding the simulator address")?;
    println!(
        "zscaler-sim listening on {} (customer_id={})",
        sim.base_url(),
        sim.customer_id()
    );
    shutdown_signal().await;
    sim.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
