//! Tools whose logic is more than one call, by the handler name their catalog entry gives.
//!
//! Each handler receives validated arguments and returns the API's JSON; the dispatcher does
//! the rest (query, shaping, errors). A catalog entry naming a handler that is not listed in
//! [`NAMES`] answers with an error instead of guessing.

mod zcell_network_events;
mod zdx_timestamps;
mod zia_gre;
mod zia_pick;
mod zia_shadow_it;
mod zia_url_categories;
mod zia_writes;
mod zid_by_name;
mod zms_pages;
mod zpa_lookups;
mod zpa_lss;
mod zpa_policy;

use serde_json::{Map, Value};
use zmcp_catalog::{TenantScope, ToolSpec};
use zmcp_zscaler::ZscalerClient;

use crate::outcome::{Produced, ToolFailure};

/// Every handler this build implements (checked against the catalog by the tests).
#[cfg(test)]
pub const NAMES: [&str; 23] = [
    "zcell_network_events",
    "zms_pages",
    "zid_members_by_name",
    "zdx_timestamps",
    "zia_list_url_categories",
    "zia_read_modify_write",
    "zia_network_service",
    "zia_pick_endpoint",
    "zia_url_category_by_name",
    "zia_delete_url_category",
    "zia_create_gre_tunnel",
    "zia_delete_gre_tunnel",
    "zia_bulk_update_shadow_it_apps",
    "zpa_list_policy_rules",
    "zpa_get_policy_rule",
    "zpa_create_policy_rule",
    "zpa_update_policy_rule",
    "zpa_delete_policy_rule",
    "zpa_resolve_by_name",
    "zpa_update_merged",
    "zpa_idp_lookup",
    "zpa_filter_by_name",
    "zpa_lss_catalog",
];

/// What a handler gets to work with.
pub struct HandlerCall<'a> {
    /// The tenant's client.
    pub client: &'a ZscalerClient,
    /// The tool being called (its `http` binding and `handler_args` are the handler's data).
    pub spec: &'static ToolSpec,
    /// Validated arguments (without `query` and `kwargs`).
    pub args: &'a Map<String, Value>,
    /// Tenant values.
    pub tenant: &'a TenantScope,
    /// Fetch-all bound.
    pub max_items: usize,
}

/// Runs the handler called `name`.
pub async fn run(name: &str, call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    match name {
        "zia_list_url_categories" => zia_url_categories::list(call).await,
        "zia_read_modify_write" => zia_writes::read_modify_write(call).await,
        "zia_network_service" => zia_writes::network_service(call).await,
        "zia_pick_endpoint" => zia_pick::pick_endpoint(call).await,
        "zia_url_category_by_name" => zia_url_categories::by_name(call).await,
        "zia_delete_url_category" => zia_url_categories::delete(call).await,
        "zia_create_gre_tunnel" => zia_gre::create(call).await,
        "zia_delete_gre_tunnel" => zia_gre::delete(call).await,
        "zia_bulk_update_shadow_it_apps" => zia_shadow_it::bulk_update(call).await,
        "zpa_list_policy_rules" => zpa_policy::list_rules(call).await,
        "zpa_get_policy_rule" => zpa_policy::get_rule(call).await,
        "zpa_create_policy_rule" => zpa_policy::create_rule(call).await,
        "zpa_update_policy_rule" => zpa_policy::update_rule(call).await,
        "zpa_delete_policy_rule" => zpa_policy::delete_rule(call).await,
        "zpa_resolve_by_name" => zpa_lookups::resolve_by_name(call).await,
        "zpa_update_merged" => zpa_lookups::update_merged(call).await,
        "zpa_idp_lookup" => zpa_lookups::idp_lookup(call).await,
        "zpa_filter_by_name" => zpa_lookups::filter_by_name(call).await,
        "zpa_lss_catalog" => zpa_lss::catalog(call).await,
        "zdx_timestamps" => zdx_timestamps::run(call).await,
        "zid_members_by_name" => zid_by_name::members(call).await,
        "zms_pages" => zms_pages::run(call).await,
        "zcell_network_events" => zcell_network_events::run(call).await,
        other => Err(ToolFailure::Unsupported(format!(
            "the catalog names handler `{other}`, which this build does not implement"
        ))),
    }
}

/// A string argument, if given and not blank.
fn text_arg<'a>(args: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    args.get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use zmcp_catalog::Catalog;

    #[test]
    fn every_handler_the_catalog_names_is_implemented() {
        let catalog = Catalog::builtin().expect("catalog loads");
        for tool in catalog.tools() {
            if let Some(handler) = &tool.handler {
                assert!(
                    super::NAMES.contains(&handler.as_str()),
                    "{} names unknown handler {handler}",
                    tool.name
                );
            }
        }
    }
}
