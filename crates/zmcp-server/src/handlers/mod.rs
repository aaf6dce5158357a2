//! Tools whose logic is more than one call, by the handler name their catalog entry gives.
//!
//! Each handler receives validated arguments and returns the API's JSON; the dispatcher does
//! the rest (query, shaping, errors). A catalog entry naming a handler that is not listed in
//! [`NAMES`] answers with an error instead of guessing.

mod zia_url_categories;
mod zpa_policy;

use serde_json::{Map, Value};
use zmcp_catalog::{TenantScope, ToolSpec};
use zmcp_zscaler::ZscalerClient;

use crate::outcome::{Produced, ToolFailure};

/// Every handler this build implements (checked against the catalog by the tests).
#[cfg(test)]
pub const NAMES: [&str; 4] = [
    "zia_list_url_categories",
    "zia_update_url_category",
    "zpa_list_policy_rules",
    "zpa_get_policy_rule",
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
        "zia_update_url_category" => zia_url_categories::update(call).await,
        "zpa_list_policy_rules" => zpa_policy::list_rules(call).await,
        "zpa_get_policy_rule" => zpa_policy::get_rule(call).await,
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
