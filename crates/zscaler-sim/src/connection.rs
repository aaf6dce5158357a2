//! GraphQL connections for the executor in `graphql.rs`: a node with a `nodes` list is a
//! connection; the field's own arguments filter it (as its `__filters` declare), then `page`
//! (1-based) and `pageSize` slice it, and `pageInfo` is computed. So ZMS-style paged lists
//! stay data only.
//!
//! `__filters` maps an argument to the node field it tests: `"name"` is a case-insensitive
//! substring match, `"=field"` equality of the text forms, `"?field"` a switch that, unless
//! the argument is `true`, hides nodes whose boolean `field` is true (e.g. `includeDeleted`).

use serde_json::{Map, Value, json};

/// `pageSize` when the caller gives none, and the largest accepted.
const DEFAULT_PAGE_SIZE: i64 = 20;
const MAX_PAGE_SIZE: i64 = 1000;

/// Whether `node` is a connection.
pub(crate) fn is_connection(node: &Value) -> bool {
    node.get("nodes").is_some_and(Value::is_array)
}

/// The connection with its nodes filtered and paged by `args`; `Err` is the message of the
/// data-fetching error.
pub(crate) fn page(node: &Value, args: &Map<String, Value>) -> Result<Value, String> {
    let page = int_arg(args, "page")?.unwrap_or(1);
    let size = int_arg(args, "pageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
    if page < 1 {
        return Err("page must be at least 1".into());
    }
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(format!("pageSize must be between 1 and {MAX_PAGE_SIZE}"));
    }
    let filters = node
        .get("__filters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let kept: Vec<&Value> = node
        .get("nodes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|item| {
            filters.iter().all(|(arg, rule)| {
                keeps(
                    item,
                    rule.as_str().unwrap_or(""),
                    args.get(arg).unwrap_or(&Value::Null),
                )
            })
        })
        .collect();
    let total = i64::try_from(kept.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
    let nodes: Vec<Value> = kept
        .into_iter()
        .skip(skip)
        .take(usize::try_from(size).unwrap_or(0))
        .cloned()
        .collect();
    let mut out = node.as_object().cloned().unwrap_or_default();
    out.insert("nodes".into(), Value::Array(nodes));
    out.insert(
        "pageInfo".into(),
        json!({"__type": "PageInfo", "pageNumber": page, "pageSize": size, "totalCount": total,
               "totalPages": (total + size - 1) / size}),
    );
    Ok(Value::Object(out))
}

fn int_arg(args: &Map<String, Value>, name: &str) -> Result<Option<i64>, String> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{name} must be an integer")),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn keeps(item: &Value, rule: &str, arg: &Value) -> bool {
    if let Some(field) = rule.strip_prefix('?') {
        return *arg == Value::Bool(true) || item.get(field) != Some(&Value::Bool(true));
    }
    if arg.is_null() || *arg == json!("") {
        return true;
    }
    match rule.strip_prefix('=') {
        Some(field) => item
            .get(field)
            .is_some_and(|v| text(v).eq_ignore_ascii_case(&text(arg))),
        None => item
            .get(rule)
            .is_some_and(|v| text(v).to_lowercase().contains(&text(arg).to_lowercase())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn filters_then_pages_and_reports_page_info() {
        let node = json!({"__filters": {"name": "name", "zone": "=zone", "includeDeleted": "?deleted"},
            "nodes": [{"name": "web-1", "zone": "A"}, {"name": "web-2", "zone": "B"},
                      {"name": "db-1", "zone": "A"}, {"name": "web-3", "zone": "A", "deleted": true}],
            "pageInfo": {}});
        let out = page(
            &node,
            &args(json!({"name": "WEB", "pageSize": 1, "page": 2})),
        )
        .unwrap();
        assert_eq!(out["nodes"], json!([{"name": "web-2", "zone": "B"}]));
        assert_eq!(
            out["pageInfo"]["totalCount"], 2,
            "deleted hidden by default"
        );
        assert_eq!(out["pageInfo"]["totalPages"], 2);
        let out = page(&node, &args(json!({"zone": "a", "includeDeleted": true}))).unwrap();
        assert_eq!(out["pageInfo"]["totalCount"], 3);
        assert!(page(&node, &args(json!({"pageSize": 0}))).is_err());
    }
}
