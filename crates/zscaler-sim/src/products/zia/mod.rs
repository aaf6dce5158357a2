//! ZIA (`/zia/api/v1`): staged configuration with activation and the tenant edit lock, plus the
//! shared response helpers of its resource modules. Integer ids (strings for URL categories and
//! network applications), POST 200, PUT 200, DELETE 204, bare-array lists paged with
//! `page`/`pageSize`, `{"code","message"}` errors.

mod catalogs;
mod directory;
mod edit_lock;
pub(crate) mod resources;
mod settings;
mod url_categories;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};

use crate::paging::zia_page;
use crate::params::Params;
use crate::reply::{self, zia_invalid};
use crate::state::SimState;

pub(crate) use catalogs::{CUSTOM_TAGS, SHADOW_IT_APPS};

const PREFIX: &str = "/zia/api/v1";

/// ZIA's mutable state.
pub(crate) struct ZiaTenant {
    /// Staged changes wait for activation.
    pub pending: bool,
    pub url_categories: Vec<Value>,
    /// Generic collections, keyed by their path segment.
    pub collections: HashMap<&'static str, Collection>,
    /// Singleton settings objects (`advancedSettings`, ...), keyed by path under the prefix.
    pub settings: HashMap<&'static str, Value>,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub departments: Vec<Value>,
    pub location_groups: Vec<Value>,
}

/// Records of one resource and the id the next create gets.
pub(crate) struct Collection {
    pub items: Vec<Value>,
    pub next_id: i64,
}

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    let router = Router::new()
        .route(&format!("{PREFIX}/status"), get(status))
        .route(&format!("{PREFIX}/status/activate"), post(activate))
        .route(
            &format!("{PREFIX}/authenticatedSession"),
            delete(end_session),
        )
        .merge(url_categories::routes())
        .merge(directory::routes())
        .merge(resources::routes())
        .merge(settings::routes())
        .merge(catalogs::routes());
    edit_lock::guard_writes(router)
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

/// ZIA's `search`: a case-insensitive substring of any of `keys`.
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

/// Finds a record by a path id: integer ids compare numerically, string ids (network
/// applications) exactly.
fn position(items: &[Value], id: &str) -> Option<usize> {
    let numeric = id.parse::<i64>().ok();
    items.iter().position(|item| match item.get("id") {
        Some(Value::String(s)) => s == id,
        Some(other) => numeric.is_some() && other.as_i64() == numeric,
        None => false,
    })
}

fn by_id<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    position(items, id).and_then(|i| items.get(i))
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

/// The `{"id","name"}` short form the `/lite` endpoints answer.
fn lite(record: &Value) -> Value {
    json!({"id": record.get("id"), "name": record.get("name")})
}
