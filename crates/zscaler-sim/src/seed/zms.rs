//! ZMS seed data: the GraphQL schema-and-data tree in `data/zms.json` (conventions in
//! `graphql.rs` and `connection.rs`): agents and their groups, resources and resource groups,
//! policy rules, the app catalog, app zones, tags and nonces of the demo tenant.

use serde_json::Value;

const ZMS_JSON: &str = include_str!("../../data/zms.json");

/// The ZMS tree; an empty object if the bundled file were ever unreadable (a unit test proves
/// it is not).
pub(crate) fn data() -> Value {
    serde_json::from_str(ZMS_JSON).unwrap_or_else(|_| Value::Object(Default::default()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_tree_parses() {
        let tree: serde_json::Value = serde_json::from_str(super::ZMS_JSON).unwrap();
        assert!(tree.get("policyRules").is_some());
    }
}
