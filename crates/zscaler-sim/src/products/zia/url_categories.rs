//! ZIA URL categories: predefined and custom categories (string ids), incremental URL list
//! changes (`?action=ADD_TO_LIST|REMOVE_FROM_LIST`) and `POST /urlLookup` classification.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::{PREFIX, Shared, missing_required, name_taken, object_body, ok, string_list};
use crate::params::Params;
use crate::reply::{self, empty, zia_error, zia_invalid, zia_not_found};
use crate::state::SimState;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(
            &format!("{PREFIX}/urlCategories"),
            get(list_categories).post(create_category),
        )
        .route(
            &format!("{PREFIX}/urlCategories/{{id}}"),
            get(get_category)
                .put(update_category)
                .delete(delete_category),
        )
        .route(&format!("{PREFIX}/urlLookup"), post(url_lookup))
}

const URL_LISTS: &[&str] = &[
    "urls",
    "keywords",
    "dbCategorizedUrls",
    "keywordsRetainingParentCategory",
];

async fn list_categories(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let categories = state.tenant.lock().await.zia.url_categories.clone();
    let custom_only = params.flag("customOnly");
    let kind = params.get("type").filter(|t| !t.is_empty());
    let counts_only = params.flag("includeOnlyUrlKeywordCounts");
    let list: Vec<Value> = categories
        .into_iter()
        .filter(|c| !custom_only || c.get("customCategory").and_then(Value::as_bool) == Some(true))
        .filter(|c| kind.is_none_or(|k| c.get("type").and_then(Value::as_str) == Some(k)))
        .map(|mut c| {
            if counts_only && let Some(map) = c.as_object_mut() {
                for key in URL_LISTS {
                    map.remove(*key);
                }
            }
            c
        })
        .collect();
    ok(&Value::Array(list))
}

fn category_index(categories: &[Value], id: &str) -> Option<usize> {
    categories
        .iter()
        .position(|c| c.get("id").and_then(Value::as_str) == Some(id))
}

async fn get_category(State(state): Shared, Path(id): Path<String>) -> Response {
    let tenant = state.tenant.lock().await;
    let categories = &tenant.zia.url_categories;
    match category_index(categories, &id).and_then(|i| categories.get(i)) {
        Some(category) => ok(category),
        None => zia_not_found("URL category", &id),
    }
}

fn refresh_counts(category: &mut Value) {
    let urls = string_list(category.get("urls")).len();
    crate::seed::merge(category, json!({"customUrlsCount": urls}));
}

async fn create_category(State(state): Shared, body: Bytes) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if let Some(response) = missing_required(&body, &["configuredName", "superCategory"]) {
        return response;
    }
    let name = body
        .get("configuredName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    if name_taken(&zia.url_categories, "configuredName", &name, None) {
        return zia_error(
            StatusCode::CONFLICT,
            "DUPLICATE_ITEM",
            &format!("URL category '{name}' already exists"),
        );
    }
    let number = zia
        .url_categories
        .iter()
        .filter_map(|c| c.get("id").and_then(Value::as_str))
        .filter_map(|id| {
            id.strip_prefix("CUSTOM_")
                .and_then(|n| n.parse::<u32>().ok())
        })
        .max()
        .unwrap_or(0)
        + 1;
    let mut category = json!({
        "keywords": [], "keywordsRetainingParentCategory": [], "urls": [], "dbCategorizedUrls": [],
        "ipRanges": [], "ipRangesRetainingParentCategory": [], "editable": true,
        "type": "URL_CATEGORY", "urlsRetainingParentCategoryCount": 0, "customIpRangesCount": 0,
        "ipRangesRetainingParentCategoryCount": 0, "categoryGroup": "REGULAR", "urlType": "EXACT",
    });
    crate::seed::merge(&mut category, Value::Object(body));
    crate::seed::merge(
        &mut category,
        json!({"id": format!("CUSTOM_{number:02}"), "customCategory": true, "val": 128 + number}),
    );
    refresh_counts(&mut category);
    zia.url_categories.push(category.clone());
    zia.pending = true;
    ok(&category)
}

async fn update_category(
    State(state): Shared,
    Path(id): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let params = Params::from_uri(&uri);
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(category) =
        category_index(&zia.url_categories, &id).and_then(|i| zia.url_categories.get_mut(i))
    else {
        return zia_not_found("URL category", &id);
    };
    let mut urls = string_list(category.get("urls"));
    let given = string_list(body.get("urls"));
    match params.get("action") {
        None | Some("") => {
            let keep = ["id", "val", "customCategory"]
                .iter()
                .filter_map(|k| category.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                .collect::<Map<String, Value>>();
            crate::seed::merge(category, Value::Object(body));
            crate::seed::merge(category, Value::Object(keep));
        }
        Some("ADD_TO_LIST") => {
            for url in given {
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
            crate::seed::merge(category, json!({"urls": urls}));
        }
        Some("REMOVE_FROM_LIST") => {
            urls.retain(|u| !given.contains(u));
            crate::seed::merge(category, json!({"urls": urls}));
        }
        Some(other) => {
            return zia_invalid(&format!(
                "action must be ADD_TO_LIST or REMOVE_FROM_LIST, not {other}"
            ));
        }
    }
    refresh_counts(category);
    let updated = category.clone();
    zia.pending = true;
    ok(&updated)
}

async fn delete_category(State(state): Shared, Path(id): Path<String>) -> Response {
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(index) = category_index(&zia.url_categories, &id) else {
        return zia_not_found("URL category", &id);
    };
    let custom = zia
        .url_categories
        .get(index)
        .and_then(|c| c.get("customCategory"))
        .and_then(Value::as_bool)
        == Some(true);
    if !custom {
        return super::resources::refuse_predefined("URL category");
    }
    zia.url_categories.remove(index);
    zia.pending = true;
    empty(StatusCode::NO_CONTENT)
}

/// Super categories whose matches are reported as security alerts.
const ALERT_SUPER_CATEGORY: &str = "SECURITY";

/// `POST /urlLookup`: classifies up to 100 URLs from the predefined categories' databases.
async fn url_lookup(State(state): Shared, body: Bytes) -> Response {
    let urls: Vec<String> = match reply::parse_body(&body) {
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return zia_invalid("Request body must be a JSON array of URLs"),
    };
    if urls.is_empty() {
        return zia_invalid("At least one URL is required");
    }
    if urls.len() > 100 {
        return zia_invalid("A maximum of 100 URLs can be looked up per request");
    }
    let categories = state.tenant.lock().await.zia.url_categories.clone();
    let results: Vec<Value> = urls.iter().map(|url| classify(url, &categories)).collect();
    ok(&Value::Array(results))
}

fn host_of(url: &str) -> String {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    without_scheme
        .split(['/', '?', ':'])
        .next()
        .unwrap_or("")
        .trim_start_matches("www.")
        .to_lowercase()
}

fn classify(url: &str, categories: &[Value]) -> Value {
    let host = host_of(url);
    let mut classes = Vec::new();
    let mut alerts = Vec::new();
    for category in categories {
        let known = string_list(category.get("dbCategorizedUrls"));
        let matches = known
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
        if !matches {
            continue;
        }
        let id = category.get("id").cloned().unwrap_or(Value::Null);
        if category.get("superCategory").and_then(Value::as_str) == Some(ALERT_SUPER_CATEGORY) {
            alerts.push(id);
        } else {
            classes.push(id);
        }
    }
    if classes.is_empty() && alerts.is_empty() {
        classes.push(json!("MISCELLANEOUS_OR_UNKNOWN"));
    }
    json!({"url": url, "urlClassifications": classes, "urlClassificationsWithSecurityAlert": alerts})
}
