//! ZIdentity "by name" tools: find the one user or group a name means, then list its groups
//! or members. The entry's `http` is the lookup list; `handler_args` give the members path
//! (`{id}` bound to the match), the `[like]` filter to narrow the lookup (`email_filter` when
//! the name is an email), and the fields an exact match is sought in.

use serde_json::{Map, Value};
use zmcp_catalog::{expand_path, plan_request};
use zmcp_zscaler::{ApiRequest, HttpMethod, PageStyle};

use super::{HandlerCall, text_arg};
use crate::dispatch::{fetch, now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

/// Candidates read to resolve a name: ZIdentity's largest page.
const LOOKUP_LIMIT: &str = "1000";
/// Candidates named in an "ambiguous" error.
const MAX_NAMED_CANDIDATES: usize = 10;

/// Resolves `name`, then lists the members (all pages unless `offset`/`limit` is given).
pub async fn members(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let name = text_arg(call.args, "name")
        .ok_or_else(|| ToolFailure::Arguments("name must not be empty".into()))?;
    let setting = |key: &str| {
        call.spec
            .handler_args
            .as_ref()
            .and_then(|args| args.get(key))
    };
    let text_setting = |key: &str| setting(key).and_then(Value::as_str);
    let members_path = text_setting("members")
        .ok_or_else(|| ToolFailure::Unsupported("handler_args.members is missing".into()))?;
    let filter = match text_setting("email_filter") {
        Some(email_filter) if name.contains('@') => email_filter,
        _ => text_setting("filter").unwrap_or("name[like]"),
    };
    let fields: Vec<&str> = setting("match")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_str).collect())
        .unwrap_or_else(|| vec!["name"]);

    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let lookup = ApiRequest {
        method: HttpMethod::Get,
        path: plan.path.clone(),
        query: vec![
            (filter.to_owned(), name.to_owned()),
            ("limit".to_owned(), LOOKUP_LIMIT.to_owned()),
        ],
        body: None,
    };
    let records = match call.client.execute(&lookup).await?.body {
        Value::Object(mut page) => match page.remove("records") {
            Some(Value::Array(records)) => records,
            _ => Vec::new(),
        },
        Value::Array(records) => records,
        _ => Vec::new(),
    };
    let id = choose(&records, name, &fields)?;

    let mut id_args = Map::new();
    id_args.insert("id".into(), Value::String(id));
    let single_page = plan.single_page;
    let mut request = to_api_request(plan);
    request.path = expand_path(members_path, &id_args, call.tenant)?;
    let paging = (!single_page).then_some(PageStyle::Zid);
    fetch(call.client, request, paging, call.max_items).await
}

/// The id of the record `name` means: the exact (case-insensitive) match in one of `fields`,
/// else the only candidate; otherwise an error naming what was found.
fn choose(records: &[Value], name: &str, fields: &[&str]) -> Result<String, ToolFailure> {
    let field_text = |record: &Value, key: &str| {
        record
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let exact: Vec<&Value> = records
        .iter()
        .filter(|r| {
            fields
                .iter()
                .any(|f| field_text(r, f).eq_ignore_ascii_case(name))
        })
        .collect();
    let chosen = match (exact.as_slice(), records) {
        ([one], _) => *one,
        ([], [one]) => one,
        ([], []) => {
            return Err(ToolFailure::Arguments(format!(
                "no match for \"{name}\"; list or search first to find the exact name"
            )));
        }
        (several, all) => {
            let pool = if several.is_empty() {
                all.iter().collect()
            } else {
                several.to_vec()
            };
            let names: Vec<String> = pool
                .iter()
                .take(MAX_NAMED_CANDIDATES)
                .map(|r| field_text(r, fields.first().copied().unwrap_or("name")))
                .collect();
            return Err(ToolFailure::Arguments(format!(
                "\"{name}\" matches {} records ({}); give the exact name",
                pool.len(),
                names.join(", ")
            )));
        }
    };
    match chosen.get("id") {
        Some(Value::String(id)) => Ok(id.clone()),
        Some(Value::Number(id)) => Ok(id.to_string()),
        _ => Err(ToolFailure::Arguments(format!(
            "the record matching \"{name}\" has no id"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_match_wins_over_substring_matches() {
        let records = vec![
            json!({"id": "g1", "name": "Developers"}),
            json!({"id": "g2", "name": "Developers EU"}),
        ];
        assert_eq!(choose(&records, "developers", &["name"]).unwrap(), "g1");
        assert!(choose(&records, "dev", &["name"]).is_err(), "ambiguous");
        assert_eq!(choose(&records[1..], "dev", &["name"]).unwrap(), "g2");
        assert!(choose(&[], "x", &["name"]).is_err());
    }
}
