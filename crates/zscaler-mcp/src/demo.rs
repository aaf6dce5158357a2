//! `--demo`: the embedded Zscaler simulator stands in for a tenant, so the server can be
//! tried without a Zscaler account. Real Zscaler settings are ignored in this mode.

use anyhow::Context;
use secrecy::SecretString;
use zmcp_catalog::TenantScope;
use zmcp_zscaler::{ClientConfig, Cloud, Credential};
use zscaler_sim::{SimConfig, SimHandle};

use crate::zscaler_env::{self, Endpoints, ZscalerEnv};

/// The running simulator and the client settings that point at it.
#[derive(Debug)]
pub struct Demo {
    /// Kept for the life of the process: the simulator serves until the process exits.
    pub sim: SimHandle,
    /// Client settings for the simulator's token endpoint and gateway.
    pub client: ClientConfig,
    /// The demo tenant's ids.
    pub tenant: TenantScope,
}

/// Starts the simulator on a free loopback port.
///
/// # Errors
/// When the simulator cannot bind.
pub async fn start(real: &ZscalerEnv, user_agent_comment: Option<&str>) -> anyhow::Result<Demo> {
    let ignored = real.names_set();
    if !ignored.is_empty() {
        tracing::warn!(
            "Demo mode ignores {} from the environment: no Zscaler account is used",
            ignored.join(", ")
        );
    }
    let sim = zscaler_sim::start(SimConfig::default())
        .await
        .context("cannot start the embedded Zscaler simulator")?;
    tracing::info!(
        "Demo mode: serving the built-in demo tenant \"Acme Corp\" from the embedded Zscaler \
         simulator at {} (no Zscaler account used)",
        sim.base_url()
    );
    let client = zscaler_env::client_config(
        sim.client_id().to_owned(),
        Credential::Secret(SecretString::from(sim.client_secret().to_owned())),
        "demo".to_owned(),
        Cloud::Production,
        Endpoints {
            token_url: Some(sim.token_url()),
            api_base_url: Some(sim.base_url()),
        },
        user_agent_comment,
    );
    let tenant = TenantScope {
        customer_id: Some(sim.customer_id().to_owned()),
        zcell_customer_id: Some(sim.zcell_customer_id().to_owned()),
        microtenant_id: None,
    };
    Ok(Demo {
        sim,
        client,
        tenant,
    })
}
