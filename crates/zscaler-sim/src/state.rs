//! The simulator's shared state: configuration, credentials, faults, the request log and the
//! demo tenant's mutable data.

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;

use crate::SimConfig;
use crate::faults::Fault;
use crate::products::zdx::ZdxData;
use crate::ratelimit::RateWindows;
use crate::seed;
use crate::token::TokenIssuer;

/// One request the simulator answered, as tests assert on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// HTTP method, upper case.
    pub method: String,
    /// The path exactly as received (still percent-encoded), so tests can check encoding.
    pub path: String,
    /// The raw query string, when there was one.
    pub query: Option<String>,
    /// The status code answered.
    pub status: u16,
}

/// The demo tenant's data that API writes change.
pub(crate) struct Tenant {
    pub zia: crate::products::zia::ZiaTenant,
    pub zpa: crate::products::zpa::ZpaTenant,
}

/// Everything the handlers share.
pub(crate) struct SimState {
    pub config: SimConfig,
    pub secret: Mutex<String>,
    pub tokens: TokenIssuer,
    pub faults: Mutex<Vec<Fault>>,
    pub log: Mutex<Vec<RequestRecord>>,
    pub limits: Mutex<RateWindows>,
    pub tenant: tokio::sync::Mutex<Tenant>,
    pub zdx: ZdxData,
    pub zins: serde_json::Value,
    pub zcc: crate::products::zcc::ZccData,
    pub zid: crate::products::zid::ZidData,
    pub zeasm: crate::products::zeasm::EasmData,
    pub ztw: crate::products::ztw::ZtwData,
    pub zms: serde_json::Value,
    pub zcell: serde_json::Value,
}

impl SimState {
    pub fn new(config: SimConfig) -> Self {
        Self {
            secret: Mutex::new(config.client_secret.clone()),
            tokens: TokenIssuer::new(),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            limits: Mutex::new(RateWindows::default()),
            tenant: tokio::sync::Mutex::new(Tenant {
                zia: seed::zia::tenant(),
                zpa: seed::zpa::tenant(),
            }),
            zdx: seed::zdx::data(),
            zins: seed::zins::data(),
            zcc: seed::zcc::data(),
            zid: seed::zid::data(),
            zeasm: seed::zeasm::data(),
            ztw: seed::ztw::data(),
            zms: seed::zms::data(),
            zcell: seed::zcell::data(),
            config,
        }
    }

    /// A fresh access token for the configured client.
    pub fn issue_token(&self) -> String {
        self.tokens.issue(
            &self.config.client_id,
            self.config.token_ttl_secs,
            &self.config.products,
        )
    }
}

/// Locks a std mutex; a poisoned lock still holds consistent data here (no handler panics
/// while holding one), so its content is used rather than failing the request.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Seconds since the Unix epoch; 0 if the clock is before 1970.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
