//! ZIA (`/zia/api/v1`): staged configuration with activation, URL categories and lookup,
//! rules, locations, labels and users. Integer ids (strings for URL categories), POST 200,
//! PUT 200, DELETE 204, bare-array lists paged with `page`/`pageSize`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};

use crate::paging::zia_page;
use crate::params::Params;
use crate::reply::{self, empty, zia_error, zia_invalid, zia_not_found};
use crate::seed::zia as seed;
use crate::state::{SimState, now_secs};

const PREFIX: &str = "/zia/api/v1";

/// ZIA's mutable state.
pub(crate) struct ZiaTenant {
    /// Staged changes wait for activation.
    pub pending: bool,
    pub url_categories: Vec<Value>,
    /// Generic collections, keyed by their path segment.
    pub collections: HashMap<&'static str, Collection>,
    pub users: Vec<Value>,
    pub location_groups: Vec<Value>,
}

/// Records of one resource and the id the next create gets.
pub(crate) struct Collection {
    pub items: Vec<Value>,
    pub next_id: i64,
}

/// A ZIA resource served by the generic list/get/create/update/delete handlers.
pub(crate) struct ZiaResource {
    /// Path segment under the prefix, also the collection key.
    path: &'static str,
    /// How error messages name one record.
    what: &'static str,
    /// Fields a create or update must carry.
    required: &'static [&'static str],
    /// Fields the server fills in.
    defaults: fn() -> Value,
    default_page_size: i64,
    max_page_size: i64,
}

static RESOURCES: [ZiaResource; 4] = [
    ZiaResource {
        path: "urlFilteringRules",
        what: "URL filtering rule",
        required: &["name", "order", "action"],
        defaults: seed::url_rule_defaults,
        default_page_size: 5000,
        max_page_size: 5000,
    },
    ZiaResource {
        path: "firewallFilteringRules",
        what: "Firewall filtering rule",
        required: &["name", "order", "action"],
        defaults: seed::firewall_rule_defaults,
        default_page_size: 5000,
        max_page_size: 5000,
    },
    ZiaResource {
        path: "locations",
        what: "Location",
        required: &["name"],
        defaults: seed::location_defaults,
        default_page_size: 100,
        max_page_size: 1000,
    },
    ZiaResource {
        path: "ruleLabels",
        what: "Rule label",
        required: &["name"],
        defaults: seed::rule_label_defaults,
        default_page_size: 100,
        max_page_size: 1000,
    },
];

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    let mut router = Router::new()
        .route(&format!("{PREFIX}/status"), get(status))
        .route(&format!("{PREFIX}/status/activate"), post(activate))
        .route(
            &format!("{PREFIX}/authenticatedSession"),
            delete(end_session),
        )
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
        .route(&format!("{PREFIX}/users"), get(list_users))
        .route(&format!("{PREFIX}/users/{{id}}"), get(get_user))
        .route(
            &format!("{PREFIX}/locations/groups"),
            get(list_location_groups),
        )
        .route(
            &format!("{PREFIX}/locations/groups/count"),
            get(count_location_groups),
        )
        .route(
            &format!("{PREFIX}/locations/groups/{{id}}"),
            get(get_location_group),
        );
    for resource in &RESOURCES {
        router = router
            .route(
                &format!("{PREFIX}/{}", resource.path),
                get(move |s: Shared, uri: Uri| list(resource, s, uri))
                    .post(move |s: Shared, body: Bytes| create(resource, s, body)),
            )
            .route(
                &format!("{PREFIX}/{}/{{id}}", resource.path),
                get(move |s: Shared, id: Path<String>| read(resource, s, id))
                    .put(move |s: Shared, id: Path<String>, body: Bytes| {
                        update(resource, s, id, body)
                    })
                    .delete(move |s: Shared, id: Path<String>| remove(resource, s, id)),
            );
    }
    router
}

fn ok(body: &Value) -> Response {
    reply::json(StatusCode::OK, body)
}

fn status_body(pending: bool) -> Value {
    json!({"status": if pending { "PENDING" } else { "ACTIVE" }})
}

async fn status(State(state): Shared) -> Response {
    ok(&status_body(state.tenant.lock().await.zia.pending))
}

async fn activate(State(state): Shared) -> Response {
    state.tenant.lock().await.zia.pending = false;
    ok(&status_body(false))
}

/// Ending the API session activates pending changes (zscaler-api.md 5.3).
async fn end_session(State(state): Shared) -> Response {
    state.tenant.lock().await.zia.pending = false;
    ok(&json!({}))
}

/// A JSON object body, or ZIA's 400.
fn object_body(bytes: &[u8]) -> Result<Map<String, Value>, Box<Response>> {
    match reply::parse_body(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) | Err(_) => Err(Box::new(zia_invalid("Request body is invalid."))),
    }
}

fn missing_required(body: &Map<String, Value>, required: &[&str]) -> Option<Response> {
    required
        .iter()
        .find(|field| body.get(**field).is_none_or(Value::is_null))
        .map(|field| zia_invalid(&format!("{field} cannot be null")))
}

fn name_of(record: &Value, key: &str) -> String {
    record
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase()
}

fn name_taken(items: &[Value], key: &str, name: &str, except_id: Option<&Value>) -> bool {
    let name = name.to_lowercase();
    items
        .iter()
        .any(|item| name_of(item, key) == name && except_id != item.get("id"))
}

fn search(items: Vec<Value>, params: &Params, keys: &[&str]) -> Vec<Value> {
    let Some(term) = params.get("search").filter(|t| !t.is_empty()) else {
        return items;
    };
    let term = term.to_lowercase();
    items
        .into_iter()
        .filter(|item| keys.iter().any(|k| name_of(item, k).contains(&term)))
        .collect()
}

fn page_response(items: Vec<Value>, params: &Params, default_size: i64, max: i64) -> Response {
    match zia_page(items, params, default_size, max) {
        Ok(page) => ok(&Value::Array(page)),
        Err(message) => zia_invalid(&message),
    }
}

async fn list(resource: &'static ZiaResource, State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let items = {
        let tenant = state.tenant.lock().await;
        tenant
            .zia
            .collections
            .get(resource.path)
            .map(|c| c.items.clone())
            .unwrap_or_default()
    };
    let items = search(items, &params, &["name"]);
    page_response(
        items,
        &params,
        resource.default_page_size,
        resource.max_page_size,
    )
}

/// Finds a record by a path id; ids that are not integers simply do not exist.
fn position(items: &[Value], id: &str) -> Option<usize> {
    let id: i64 = id.parse().ok()?;
    items
        .iter()
        .position(|item| item.get("id").and_then(Value::as_i64) == Some(id))
}

async fn read(
    resource: &'static ZiaResource,
    State(state): Shared,
    Path(id): Path<String>,
) -> Response {
    let tenant = state.tenant.lock().await;
    let found = tenant
        .zia
        .collections
        .get(resource.path)
        .and_then(|c| position(&c.items, &id).and_then(|i| c.items.get(i)));
    match found {
        Some(record) => ok(record),
        None => zia_not_found(resource.what, &id),
    }
}

/// A stored record: server defaults, then the client's fields, then the server's own.
fn build_record(resource: &ZiaResource, body: Map<String, Value>, id: i64) -> Value {
    let mut record = (resource.defaults)();
    crate::seed::merge(&mut record, Value::Object(body));
    crate::seed::merge(
        &mut record,
        json!({"id": id, "lastModifiedTime": now_secs(), "lastModifiedBy": seed::last_modified_by()}),
    );
    record
}

async fn create(resource: &'static ZiaResource, State(state): Shared, body: Bytes) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if let Some(response) = missing_required(&body, resource.required) {
        return response;
    }
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(collection) = zia.collections.get_mut(resource.path) else {
        return zia_not_found(resource.what, "");
    };
    if name_taken(&collection.items, "name", name, None) {
        return zia_error(
            StatusCode::CONFLICT,
            "DUPLICATE_ITEM",
            &format!("{} named '{name}' already exists", resource.what),
        );
    }
    let id = collection.next_id;
    collection.next_id = id.saturating_add(1);
    let record = build_record(resource, body, id);
    collection.items.push(record.clone());
    zia.pending = true;
    ok(&record)
}

async fn update(
    resource: &'static ZiaResource,
    State(state): Shared,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(collection) = zia.collections.get_mut(resource.path) else {
        return zia_not_found(resource.what, &id);
    };
    let Some(index) = position(&collection.items, &id) else {
        return zia_not_found(resource.what, &id);
    };
    if let Some(response) = missing_required(&body, resource.required) {
        return response;
    }
    let numeric_id = id.parse::<i64>().unwrap_or_default();
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    if name_taken(&collection.items, "name", name, Some(&json!(numeric_id))) {
        return zia_error(
            StatusCode::CONFLICT,
            "DUPLICATE_ITEM",
            &format!("{} named '{name}' already exists", resource.what),
        );
    }
    let record = build_record(resource, body, numeric_id);
    if let Some(slot) = collection.items.get_mut(index) {
        *slot = record.clone();
    }
    zia.pending = true;
    ok(&record)
}

fn is_predefined(record: &Value) -> bool {
    ["predefined", "defaultRule"]
        .iter()
        .any(|k| record.get(*k).and_then(Value::as_bool) == Some(true))
}

fn refuse_predefined(what: &str) -> Response {
    zia_error(
        StatusCode::FORBIDDEN,
        "INVALID_OPERATION",
        &format!("Predefined {what} cannot be deleted"),
    )
}

async fn remove(
    resource: &'static ZiaResource,
    State(state): Shared,
    Path(id): Path<String>,
) -> Response {
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(collection) = zia.collections.get_mut(resource.path) else {
        return zia_not_found(resource.what, &id);
    };
    let Some(index) = position(&collection.items, &id) else {
        return zia_not_found(resource.what, &id);
    };
    if collection.items.get(index).is_some_and(is_predefined) {
        return refuse_predefined(resource.what);
    }
    collection.items.remove(index);
    zia.pending = true;
    empty(StatusCode::NO_CONTENT)
}

// --- URL categories -------------------------------------------------------------------------

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
    let counts_only = params.flag("includeOnlyUrlKeywordCounts");
    let list: Vec<Value> = categories
        .into_iter()
        .filter(|c| !custom_only || c.get("customCategory").and_then(Value::as_bool) == Some(true))
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

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
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
        return refuse_predefined("URL category");
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

// --- users and location groups ----------------------------------------------------------------

fn starts_with(value: Option<&Value>, prefix: &str) -> bool {
    value
        .and_then(Value::as_str)
        .is_some_and(|v| v.to_lowercase().starts_with(&prefix.to_lowercase()))
}

async fn list_users(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let users = state.tenant.lock().await.zia.users.clone();
    let users: Vec<Value> = users
        .into_iter()
        .filter(|u| {
            params
                .get("name")
                .is_none_or(|n| starts_with(u.get("name"), n))
        })
        .filter(|u| {
            params
                .get("dept")
                .is_none_or(|d| starts_with(u.pointer("/department/name"), d))
        })
        .filter(|u| {
            params.get("group").is_none_or(|g| {
                u.get("groups")
                    .and_then(Value::as_array)
                    .is_some_and(|groups| groups.iter().any(|x| starts_with(x.get("name"), g)))
            })
        })
        .collect();
    let users = search(users, &params, &["name", "email"]);
    page_response(users, &params, 100, 10_000)
}

fn by_numeric_id<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    position(items, id).and_then(|i| items.get(i))
}

async fn get_user(State(state): Shared, Path(id): Path<String>) -> Response {
    let tenant = state.tenant.lock().await;
    match by_numeric_id(&tenant.zia.users, &id) {
        Some(user) => ok(user),
        None => zia_not_found("User", &id),
    }
}

async fn list_location_groups(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let groups = state.tenant.lock().await.zia.location_groups.clone();
    let groups = search(groups, &params, &["name"]);
    page_response(groups, &params, 100, 1000)
}

/// `GET /locations/groups/count` answers a bare integer.
async fn count_location_groups(State(state): Shared) -> Response {
    ok(&json!(state.tenant.lock().await.zia.location_groups.len()))
}

async fn get_location_group(State(state): Shared, Path(id): Path<String>) -> Response {
    let tenant = state.tenant.lock().await;
    match by_numeric_id(&tenant.zia.location_groups, &id) {
        Some(group) => ok(group),
        None => zia_not_found("Location group", &id),
    }
}
