//! Client Connector (`/zcc/papi/public/v1`): the device inventory (bare-array pages), device
//! OTPs, forwarding profiles and trusted networks. ZCC mixes camelCase and snake_case and
//! sends numbers as strings; its errors are `{"title","errorCode","errorMessage"}`.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use crate::paging::zia_page;
use crate::params::Params;
use crate::reply;
use crate::state::SimState;

const PREFIX: &str = "/zcc/papi/public/v1";
/// Default and largest `pageSize` (zscaler-api.md 4).
const DEFAULT_PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 5000;

/// ZCC's read-only data.
pub(crate) struct ZccData {
    pub devices: Vec<Value>,
    pub profiles: Vec<Value>,
    pub networks: Vec<Value>,
}

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(&format!("{PREFIX}/getDevices"), get(list_devices))
        .route(&format!("{PREFIX}/getOtp"), get(get_otp))
        .route(
            &format!("{PREFIX}/webForwardingProfile/listByCompany"),
            get(list_profiles),
        )
        .route(
            &format!("{PREFIX}/webTrustedNetwork/listByCompany"),
            get(list_networks),
        )
}

/// ZCC's error envelope.
fn invalid(message: &str) -> Response {
    reply::json(
        StatusCode::BAD_REQUEST,
        &json!({"title": "INVALID_FIELD_VALUE", "errorCode": null, "errorMessage": message}),
    )
}

fn text_field<'a>(item: &'a Value, key: &str) -> &'a str {
    item.get(key).and_then(Value::as_str).unwrap_or("")
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

async fn list_devices(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let os_type = match params.int("osType") {
        Ok(os) => os,
        Err(message) => return invalid(&message),
    };
    if os_type.is_some_and(|os| !(1..=5).contains(&os)) {
        return invalid("osType must be 1 (iOS), 2 (Android), 3 (Windows), 4 (macOS) or 5 (Linux)");
    }
    let username = params.get("username").unwrap_or("");
    let matching: Vec<Value> = state
        .zcc
        .devices
        .iter()
        .filter(|d| os_type.is_none_or(|os| d.get("type").and_then(Value::as_i64) == Some(os)))
        .filter(|d| username.is_empty() || text_field(d, "user").eq_ignore_ascii_case(username))
        .cloned()
        .collect();
    match zia_page(matching, &params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) {
        Ok(page) => reply::json(StatusCode::OK, &Value::Array(page)),
        Err(message) => invalid(&message),
    }
}

/// The short-lived OTPs of one device, derived from its udid (the same udid always gives the
/// same codes here, so tests can check them).
async fn get_otp(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let Some(udid) = params.get("udid").filter(|u| !u.is_empty()) else {
        return invalid("udid is required");
    };
    let Some(index) = state
        .zcc
        .devices
        .iter()
        .position(|d| text_field(d, "udid") == udid)
    else {
        return invalid(&format!("No device found with udid {udid}"));
    };
    let code = |salt: usize| format!("{:06}", (index * 7919 + salt * 104_729) % 1_000_000);
    reply::json(
        StatusCode::OK,
        &json!({
            "logoutOtp": code(1), "revertOtp": code(2), "uninstallOtp": code(3),
            "exitOtp": code(4), "ziaDisableOtp": code(5), "zpaDisableOtp": code(6),
            "zdxDisableOtp": code(7), "zdpDisableOtp": code(8),
        }),
    )
}

/// `search` (name contains) over `items`, then one 1-based page.
fn searched(items: &[Value], name_key: &str, params: &Params) -> Result<Vec<Value>, String> {
    let search = params.get("search").unwrap_or("");
    let matching = items
        .iter()
        .filter(|item| search.is_empty() || contains(text_field(item, name_key), search))
        .cloned()
        .collect();
    zia_page(matching, params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
}

async fn list_profiles(State(state): Shared, uri: Uri) -> Response {
    match searched(&state.zcc.profiles, "name", &Params::from_uri(&uri)) {
        Ok(page) => reply::json(StatusCode::OK, &Value::Array(page)),
        Err(message) => invalid(&message),
    }
}

async fn list_networks(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let total = state.zcc.networks.len();
    match searched(&state.zcc.networks, "networkName", &params) {
        Ok(page) => reply::json(
            StatusCode::OK,
            &json!({"totalCount": total.to_string(), "trustedNetworkContracts": page}),
        ),
        Err(message) => invalid(&message),
    }
}
