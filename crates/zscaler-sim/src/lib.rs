//! A local Zscaler cloud for tests, benchmarks and `zscaler-mcp --demo`.
//!
//! It serves the OneAPI token endpoint and the product APIs on one loopback port, seeded with a
//! realistic demo tenant, with each product's real paging, status codes and error bodies, and
//! with fault injection. It states the API's routes itself from the public API facts and never
//! reads zscaler-mcp's catalog: a wrong path in the catalog must fail a test with a 404 here.
//! It depends on no other zscaler-mcp crate (it is the other side of the wire).

mod connection;
mod control;
mod faults;
mod gateway;
mod graphql;
mod paging;
mod params;
mod products;
mod ratelimit;
mod reply;
mod seed;
mod state;
mod token;

use std::net::SocketAddr;
use std::sync::Arc;

pub use faults::{Fault, FaultKind};
pub use state::RequestRecord;

use state::{SimState, lock};

/// Every product the demo tenant's API client is entitled to (the token's `service-info`).
pub const ALL_PRODUCTS: &[&str] = &[
    "ZIA",
    "ZPA",
    "ZDX",
    "ZINSIGHTS",
    "ZCC",
    "CLOUD_CONNECTOR",
    "ZIAM",
    "EASM",
    "ZMS",
    "ZCELL",
];

/// ZPA customer id of the demo tenant; fixed so tests and demos can name it.
pub const DEMO_CUSTOMER_ID: &str = "216196257331281920";

/// ZCell customer id of the demo tenant (`ZCELL_CUSTOMER_ID`, separate from ZPA's).
pub const DEMO_ZCELL_CUSTOMER_ID: &str = "zc-acme-4401";

/// How to start a simulator.
#[derive(Clone)]
pub struct SimConfig {
    /// Address to bind; port 0 picks a free one.
    pub bind: SocketAddr,
    /// OneAPI client id the token endpoint accepts.
    pub client_id: String,
    /// OneAPI client secret the token endpoint accepts.
    pub client_secret: String,
    /// Lifetime of issued tokens, seconds.
    pub token_ttl_secs: u64,
    /// RSA public key (PEM) that verifies `client_assertion` JWTs; without it the private-key
    /// flow is refused, as a tenant with no registered key would.
    pub client_public_key_pem: Option<String>,
    /// Products listed in the token's `service-info` (`prd` values); a product missing here is
    /// refused by the gateway with 401, like an API client without that entitlement.
    pub products: Vec<String>,
    /// Apply the documented ZIA/ZPA per-method rate limits and answer 429 beyond them.
    pub enforce_rate_limits: bool,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("bind", &self.bind)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field(
                "client_public_key_pem",
                &self.client_public_key_pem.is_some(),
            )
            .field("products", &self.products)
            .field("enforce_rate_limits", &self.enforce_rate_limits)
            .finish()
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: "demo-client".into(),
            client_secret: "demo-secret".into(),
            token_ttl_secs: 3600,
            client_public_key_pem: None,
            products: ALL_PRODUCTS.iter().map(|p| (*p).to_owned()).collect(),
            enforce_rate_limits: false,
        }
    }
}

/// A running simulator; dropping it does not stop it, call [`SimHandle::shutdown`].
pub struct SimHandle {
    addr: SocketAddr,
    config: SimConfig,
    state: Arc<SimState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
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
    /// Client secret the simulator started with (see [`SimHandle::current_client_secret`] after
    /// a rotation).
    pub fn client_secret(&self) -> &str {
        &self.config.client_secret
    }
    /// ZPA customer id of the demo tenant.
    pub fn customer_id(&self) -> &str {
        DEMO_CUSTOMER_ID
    }
    /// ZCell customer id of the demo tenant.
    pub fn zcell_customer_id(&self) -> &str {
        DEMO_ZCELL_CUSTOMER_ID
    }
    /// The secret the token endpoint accepts right now.
    pub fn current_client_secret(&self) -> String {
        lock(&self.state.secret).clone()
    }
    /// Replaces the accepted client secret, as an admin rotating credentials would: the old
    /// secret stops working at once, tokens already issued stay valid until they expire.
    pub fn rotate_client_secret(&self, new_secret: impl Into<String>) {
        *lock(&self.state.secret) = new_secret.into();
    }
    /// Invalidates every access token issued so far (the client must fetch a new one).
    pub fn expire_tokens(&self) {
        self.state.tokens.expire_all();
    }
    /// Issues an access token directly, for tests that do not exercise the token flow.
    pub fn issue_token(&self) -> String {
        self.state.issue_token()
    }
    /// Queues a fault; faults are consumed in the order they were queued.
    pub fn inject_fault(&self, fault: Fault) {
        lock(&self.state.faults).push(fault);
    }
    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }
    /// Every request served so far (except the `/_sim` control routes), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.state.log).clone()
    }
    /// Forgets the request log.
    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }
    /// Whether ZIA has staged changes waiting for activation.
    pub async fn zia_pending(&self) -> bool {
        self.state.tenant.lock().await.zia.pending
    }
    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

/// Starts a simulator with the demo tenant.
///
/// # Errors
/// When the address cannot be bound.
pub async fn start(config: SimConfig) -> std::io::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(SimState::new(config.clone()));
    let app = gateway::router(state.clone());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            // A dropped handle drops the sender: keep serving, as documented on SimHandle.
            if stop_rx.await.is_err() {
                std::future::pending::<()>().await;
            }
        });
        if let Err(err) = serve.await {
            tracing::warn!(%err, "zscaler-sim stopped with an error");
        }
    });
    Ok(SimHandle {
        addr,
        config,
        state,
        stop: Some(stop_tx),
        server: Some(server),
    })
}
