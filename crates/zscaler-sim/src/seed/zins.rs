//! Z-Insights seed data: the GraphQL schema-and-data tree in `data/zins.json` (see
//! `graphql.rs` for its conventions). New domains are added there, not in code.

use serde_json::Value;

const ZINS_JSON: &str = include_str!("../../data/zins.json");

/// The Z-Insights tree; an empty object if the bundled file were ever unreadable (a unit test
/// proves it is not).
pub(crate) fn data() -> Value {
    serde_json::from_str(ZINS_JSON).unwrap_or_else(|_| Value::Object(Default::default()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_tree_parses() {
        let tree: serde_json::Value = serde_json::from_str(super::ZINS_JSON).unwrap();
        assert!(tree.get("WEB_TRAFFIC").is_some());
    }
}
