//! A local Zscaler cloud for tests, benchmarks and `zscaler-mcp --demo`.
//!
//! It serves the OneAPI token endpoint and the product APIs on one loopback port, seeded with a
//! realistic demo tenant, with each product's real paging, status codes and error bodies, and
//! with fault injection. It states the API's routes itself from the public API facts and never
//! reads zscaler-mcp's catalog: a wrong path in the catalog must fail a test with a 404 here.
//! It depends on no other zscaler-mcp crate (it is the other side of the wire).
//! (Skeleton; implemented by the simulator work.)

use std::net::SocketAddr;

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to bind; port 0 picks a free one.
    pub bind: SocketAddr,
    /// OneAPI client id the token endpoint accepts.
    pub client_id: String,
    /// OneAPI client secret the token endpoint accepts.
    pub client_secret: String,
    /// Lifetime of issued tokens, seconds.
    pub token_ttl_secs: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: "demo-client".into(),
            client_secret: "demo-secret".into(),
            token_ttl_secs: 3600,
        }
    }
}

/// A running simulator; dropping it does not stop it, call [`SimHandle::shutdown`].
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    config: SimConfig,
}

impl SimHandle {
    /// `http://127.0.0.1:<port>`: the API gateway base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The OneAPI token URL.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.base_url())
    }
    /// Client id accepted by the token endpoint.
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }
    /// Client secret accepted by the token endpoint.
    pub fn client_secret(&self) -> &str {
        &self.config.client_secret
    }
    /// ZPA customer id of the demo tenant.
    pub fn customer_id(&self) -> &str {
        "216196257331281920"
    }
    /// Stops serving.
    pub async fn shutdown(self) {}
}

/// Starts a simulator with the demo tenant.
///
/// # Errors
/// When the address cannot be bound.
pub async fn start(config: SimConfig) -> std::io::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    Ok(SimHandle { addr, config })
}
