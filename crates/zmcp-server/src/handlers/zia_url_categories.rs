//! ZIA URL categories: the list with local name search and URL coverage matching, lookups of
//! predefined categories by name, and the delete that refuses predefined categories.

use serde_json::{Map, Value};
use zmcp_catalog::{Method, path_segment, plan_request};
use zmcp_zscaler::{ApiError, ApiRequest, HttpMethod};

use super::zia_writes::merge_and_put;
use super::{HandlerCall, text_arg};
use crate::dispatch::{now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

/// Where URL categories live.
const CATEGORIES: &str = "/zia/api/v1/urlCategories";
/// Key added to each row kept by `contains_url`: the list entries that cover the URL.
const URL_MATCH: &str = "_url_match";
/// The category fields whose entries can cover a URL.
const URL_FIELDS: [&str; 2] = ["urls", "dbCategorizedUrls"];

/// `GET /urlCategories` (API filters `customOnly`, `type`), then `search` on the name and
/// `contains_url` coverage, both applied here because the API has neither.
pub async fn list(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let body = call.client.execute(&to_api_request(plan)).await?.body;
    let Value::Array(rows) = body else {
        return Ok(Produced::complete(body));
    };
    let search = text_arg(call.args, "search").map(str::to_lowercase);
    let target = text_arg(call.args, "contains_url").map(UrlTarget::parse);
    let kept = rows
        .into_iter()
        .filter(|row| {
            search
                .as_deref()
                .is_none_or(|needle| name_contains(row, needle))
        })
        .filter_map(|row| match &target {
            Some(target) => annotate_match(row, target),
            None => Some(row),
        })
        .collect();
    Ok(Produced::complete(Value::Array(kept)))
}

/// `zia_get_url_category_predefined` / `zia_update_url_category_predefined`: the category
/// named by id or display name (tried as an id first, then matched in the list), then either
/// returned or updated read-modify-write.
pub async fn by_name(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let name = text_arg(call.args, "name")
        .ok_or_else(|| ToolFailure::Arguments("name is required".into()))?;
    let category = find_category(&call, name).await?;
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    if plan.method == Method::Get {
        return Ok(Produced::complete(category));
    }
    let id = category.get("id").and_then(Value::as_str).unwrap_or(name);
    let changes = match &plan.body {
        Some(Value::Object(changes)) => changes.clone(),
        _ => Map::new(),
    };
    let mut put = to_api_request(plan);
    put.path = format!("{CATEGORIES}/{}", path_segment("name", id)?);
    merge_and_put(call.client, put, &changes)
        .await
        .map(Produced::complete)
}

async fn find_category(call: &HandlerCall<'_>, name: &str) -> Result<Value, ToolFailure> {
    let direct = get(format!("{CATEGORIES}/{}", path_segment("name", name)?));
    match call.client.execute(&direct).await {
        Ok(found) => return Ok(found.body),
        Err(ApiError::Status { status: 404, .. }) => {}
        Err(other) => return Err(other.into()),
    }
    let listed = call.client.execute(&get(CATEGORIES.to_owned())).await?.body;
    let wanted = name.trim().to_lowercase();
    let as_id = name.trim().to_uppercase().replace([' ', '-'], "_");
    listed
        .as_array()
        .and_then(|rows| {
            rows.iter().find(|row| {
                let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
                let shown = row
                    .get("configuredName")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                id == as_id || shown.to_lowercase() == wanted
            })
        })
        .cloned()
        .ok_or_else(|| {
            ToolFailure::Arguments(format!(
                "no URL category has the id or name \"{name}\"; zia_list_url_categories lists them"
            ))
        })
}

/// GETs the category first and refuses predefined ones, as the Python server does.
pub async fn delete(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let category = call.client.execute(&get(plan.path.clone())).await?.body;
    if category.get("customCategory").and_then(Value::as_bool) != Some(true) {
        let id = category
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("This category");
        return Err(ToolFailure::Arguments(format!(
            "{id} is a predefined URL category. Predefined categories are Zscaler-curated and cannot be deleted via the API."
        )));
    }
    Ok(Produced::complete(
        call.client.execute(&to_api_request(plan)).await?.body,
    ))
}

fn get(path: String) -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Get,
        path,
        query: Vec::new(),
        body: None,
    }
}

/// Case-insensitive substring of `configuredName` (predefined categories have none: their id).
fn name_contains(row: &Value, needle_lowercase: &str) -> bool {
    row.get("configuredName")
        .or_else(|| row.get("id"))
        .and_then(Value::as_str)
        .is_some_and(|name| name.to_lowercase().contains(needle_lowercase))
}

/// The URL asked about, as ZIA compares it: lowercase host, and host plus path.
struct UrlTarget {
    host: String,
    full: String,
}

impl UrlTarget {
    fn parse(raw: &str) -> Self {
        let full = strip_scheme(raw.trim()).to_lowercase();
        let full = full.trim_end_matches('/').to_string();
        let authority = full.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map_or(authority, |(host, _)| host)
            .trim_end_matches('.')
            .to_string();
        Self { host, full }
    }

    /// ZIA semantics: `.acme.com` covers acme.com and every subdomain; a plain entry covers
    /// exactly that host (or that host and path).
    fn covered_by(&self, entry: &str) -> bool {
        let entry = strip_scheme(entry.trim()).to_lowercase();
        let entry = entry.trim_end_matches('/');
        if entry.is_empty() {
            return false;
        }
        match entry.strip_prefix('.') {
            Some(domain) => {
                self.host == domain
                    || self
                        .host
                        .strip_suffix(domain)
                        .is_some_and(|head| head.ends_with('.'))
            }
            None => entry == self.host || entry == self.full,
        }
    }
}

fn strip_scheme(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

/// Keeps the row when one of its URL lists covers the target, recording which entries did.
fn annotate_match(mut row: Value, target: &UrlTarget) -> Option<Value> {
    let matched: Vec<Value> = URL_FIELDS
        .iter()
        .filter_map(|field| row.get(*field).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .filter(|entry| target.covered_by(entry))
        .map(|entry| Value::String(entry.to_string()))
        .collect();
    if matched.is_empty() {
        return None;
    }
    if let Value::Object(map) = &mut row {
        map.insert(URL_MATCH.into(), Value::Array(matched));
    }
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leading_dot_covers_the_domain_and_its_subdomains_only() {
        let apex = UrlTarget::parse("https://Acme.com/login");
        let sub = UrlTarget::parse("www.acme.com:443");
        let other = UrlTarget::parse("notacme.com");
        for target in [&apex, &sub] {
            assert!(target.covered_by(".acme.com"));
        }
        assert!(!other.covered_by(".acme.com"));
        assert!(apex.covered_by("acme.com"));
        assert!(!sub.covered_by("acme.com"));
        assert!(apex.covered_by("acme.com/login"));
    }

    #[test]
    fn rows_are_annotated_with_the_entries_that_matched() {
        let row = json!({"id": "CUSTOM_01", "urls": [".acme.com", "x.org"], "dbCategorizedUrls": ["shop.acme.com"]});
        let kept = annotate_match(row, &UrlTarget::parse("shop.acme.com")).expect("kept");
        assert_eq!(kept[URL_MATCH], json!([".acme.com", "shop.acme.com"]));
        let none = json!({"id": "CUSTOM_02", "urls": ["x.org"]});
        assert!(annotate_match(none, &UrlTarget::parse("acme.com")).is_none());
    }

    #[test]
    fn search_matches_the_configured_name_case_insensitively() {
        assert!(name_contains(
            &json!({"configuredName": "Allow House Apps"}),
            "house"
        ));
        assert!(name_contains(
            &json!({"id": "OTHER_ADULT_MATERIAL"}),
            "adult"
        ));
        assert!(!name_contains(
            &json!({"configuredName": "Finance"}),
            "house"
        ));
    }
}
