//! ZIA's lookups and reports that are not plain resources: the cloud application catalogs and
//! shadow IT sanctioning, cloud app control actions, file type categories, GRE internal ranges,
//! geo lookups and sandbox quota and reports.

use std::net::Ipv4Addr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use super::{PREFIX, Shared, object_body, ok, page_response, string_list};
use crate::params::Params;
use crate::reply::{empty, zia_invalid};
use crate::seed::zia as seed;
use crate::state::SimState;

/// Collections of [`super::ZiaTenant::collections`] that only these handlers serve.
pub(crate) const SHADOW_IT_APPS: &str = "cloudApplications";
pub(crate) const CUSTOM_TAGS: &str = "customTags";

/// How many /29 internal GRE ranges the simulated cloud offers.
const GRE_RANGE_POOL: u32 = 64;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(
            &format!("{PREFIX}/cloudApplications/policy"),
            get(cloud_app_catalog),
        )
        .route(
            &format!("{PREFIX}/cloudApplications/sslPolicy"),
            get(cloud_app_catalog),
        )
        .route(
            &format!("{PREFIX}/cloudApplications/lite"),
            get(shadow_it_apps),
        )
        .route(
            &format!("{PREFIX}/cloudApplications/bulkUpdate"),
            put(bulk_update),
        )
        .route(&format!("{PREFIX}/customTags"), get(custom_tags))
        .route(
            &format!("{PREFIX}/webApplicationRules/{{rule_type}}/availableActions"),
            post(available_actions),
        )
        .route(
            &format!("{PREFIX}/fileTypeCategories"),
            get(file_type_categories),
        )
        .route(
            &format!("{PREFIX}/greTunnels/availableInternalIpRanges"),
            get(gre_ranges),
        )
        .route(
            &format!("{PREFIX}/region/byIPAddress/{{ip}}"),
            get(region_by_ip),
        )
        .route(
            &format!("{PREFIX}/region/byGeoCoordinates"),
            get(region_by_coordinates),
        )
        .route(&format!("{PREFIX}/region/search"), get(region_search))
        .route(
            &format!("{PREFIX}/sandbox/report/quota"),
            get(sandbox_quota),
        )
        .route(
            &format!("{PREFIX}/sandbox/report/{{md5}}"),
            get(sandbox_report),
        )
}

/// `GET /cloudApplications/policy|sslPolicy`: the policy-engine app catalog, filtered by
/// `search` (name) and `appClass`.
async fn cloud_app_catalog(uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let search = params.get("search").map(str::to_lowercase);
    let class = params.get("appClass").filter(|c| !c.is_empty());
    let apps: Vec<Value> = seed::cloud_app_catalog()
        .into_iter()
        .filter(|app| {
            search.as_deref().is_none_or(|s| {
                super::name_of(app, "appName").contains(s) || super::name_of(app, "app").contains(s)
            })
        })
        .filter(|app| class.is_none_or(|c| app.get("parent").and_then(Value::as_str) == Some(c)))
        .collect();
    page_response(apps, &params, 1000, 1000)
}

/// `GET /cloudApplications/lite`: the shadow IT catalog, paged by `pageNumber` (0-based) and
/// `limit`.
async fn shadow_it_apps(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let (page, limit) = match (params.int("pageNumber"), params.int("limit")) {
        (Ok(page), Ok(limit)) => (page.unwrap_or(0), limit.unwrap_or(1000)),
        (Err(message), _) | (_, Err(message)) => return zia_invalid(&message),
    };
    if page < 0 || !(1..=1000).contains(&limit) {
        return zia_invalid("pageNumber must be at least 0 and limit between 1 and 1000");
    }
    let tenant = state.tenant.lock().await;
    let apps = tenant
        .zia
        .collections
        .get(SHADOW_IT_APPS)
        .map(|c| c.items.as_slice())
        .unwrap_or_default();
    let skip = usize::try_from(page.saturating_mul(limit)).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(0);
    ok(&Value::Array(
        apps.iter().skip(skip).take(take).cloned().collect(),
    ))
}

const SANCTION_STATES: [&str; 3] = ["SANCTIONED", "UN_SANCTIONED", "ANY"];

/// `PUT /cloudApplications/bulkUpdate`: sets the sanction state (and custom tags) of apps.
async fn bulk_update(State(state): Shared, body: Bytes) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let Some(sanction) = body
        .get("sanctionedState")
        .and_then(Value::as_str)
        .filter(|s| SANCTION_STATES.contains(s))
    else {
        return zia_invalid("sanctionedState must be SANCTIONED, UN_SANCTIONED or ANY");
    };
    let ids: Vec<i64> = body
        .get("applicationIds")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(as_id).collect())
        .unwrap_or_default();
    let tags = body.get("customTags").cloned();
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(apps) = zia.collections.get_mut(SHADOW_IT_APPS) else {
        return zia_invalid("no applications");
    };
    let unknown = ids.iter().find(|id| {
        !apps
            .items
            .iter()
            .any(|a| a.get("id").and_then(Value::as_i64) == Some(**id))
    });
    if let Some(id) = unknown {
        return zia_invalid(&format!("Unknown application id {id}"));
    }
    for app in apps.items.iter_mut().filter(|a| {
        a.get("id")
            .and_then(Value::as_i64)
            .is_some_and(|id| ids.contains(&id))
    }) {
        crate::seed::merge(app, json!({"sanctionedState": sanction}));
        if let Some(tags) = &tags {
            crate::seed::merge(app, json!({"customTags": tags}));
        }
    }
    zia.pending = true;
    empty(StatusCode::NO_CONTENT)
}

/// Application ids arrive as numbers or numeric strings.
fn as_id(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

async fn custom_tags(State(state): Shared) -> Response {
    let tenant = state.tenant.lock().await;
    let tags = tenant
        .zia
        .collections
        .get(CUSTOM_TAGS)
        .map(|c| c.items.clone())
        .unwrap_or_default();
    ok(&Value::Array(tags))
}

/// `POST /webApplicationRules/{rule_type}/availableActions`: the actions a rule of that type
/// may take for the given apps.
async fn available_actions(Path(rule_type): Path<String>, body: Bytes) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if string_list(body.get("cloudApps")).is_empty() {
        return zia_invalid("cloudApps cannot be empty");
    }
    match seed::app_rule_actions(&rule_type) {
        Some(actions) => ok(&json!(actions)),
        None => zia_invalid(&format!("Invalid rule type {rule_type}")),
    }
}

async fn file_type_categories(uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let wanted = params.list("enums");
    let exclude_custom = params.flag("excludeCustomFileTypes");
    let categories: Vec<Value> = seed::file_type_categories()
        .into_iter()
        .filter(|c| {
            wanted.is_empty()
                || wanted
                    .iter()
                    .any(|w| Some(w.as_str()) == c.get("name").and_then(Value::as_str))
        })
        .filter(|c| !exclude_custom || c.get("custom").and_then(Value::as_bool) != Some(true))
        .collect();
    ok(&Value::Array(categories))
}

/// `GET /greTunnels/availableInternalIpRanges`: free /29 blocks of 172.17.0.0/23, skipping the
/// ranges existing tunnels use.
async fn gre_ranges(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let limit = match params.int("limit") {
        Ok(limit) => usize::try_from(limit.unwrap_or(10).max(1)).unwrap_or(10),
        Err(message) => return zia_invalid(&message),
    };
    let tenant = state.tenant.lock().await;
    let used: Vec<String> = tenant
        .zia
        .collections
        .get("greTunnels")
        .map(|c| {
            c.items
                .iter()
                .filter_map(|t| t.get("internalIpRange").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let base = u32::from(Ipv4Addr::new(172, 17, 0, 0));
    let ranges: Vec<Value> = (0..GRE_RANGE_POOL)
        .map(|i| {
            let start = Ipv4Addr::from(base.saturating_add(i * 8));
            let end = Ipv4Addr::from(base.saturating_add(i * 8 + 7));
            json!({"startIPAddress": start.to_string(), "endIPAddress": end.to_string()})
        })
        .filter(|r| {
            r.get("startIPAddress")
                .and_then(Value::as_str)
                .is_some_and(|s| !used.iter().any(|u| u == s))
        })
        .take(limit)
        .collect();
    ok(&Value::Array(ranges))
}

async fn region_by_ip(Path(ip): Path<String>) -> Response {
    match ip.parse::<std::net::IpAddr>() {
        Ok(address) => ok(&seed::city_for_ip(address)),
        Err(_) => zia_invalid(&format!("Invalid IP address {ip}")),
    }
}

async fn region_by_coordinates(uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let coordinate = |key: &str| params.get(key).and_then(|v| v.trim().parse::<f64>().ok());
    match (coordinate("latitude"), coordinate("longitude")) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            ok(&seed::nearest_city(lat, lon))
        }
        _ => zia_invalid("latitude and longitude are required and must be valid coordinates"),
    }
}

async fn region_search(uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let prefix = params.get("prefix").unwrap_or("").to_lowercase();
    let cities: Vec<Value> = seed::cities()
        .into_iter()
        .filter(|c| super::name_of(c, "cityName").starts_with(&prefix))
        .collect();
    page_response(cities, &params, 100, 1000)
}

async fn sandbox_quota() -> Response {
    ok(&seed::sandbox_quota())
}

/// `GET /sandbox/report/{md5}?details=summary|full`.
async fn sandbox_report(Path(md5): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let full = match params.get("details") {
        None | Some("summary") => false,
        Some("full") => true,
        Some(other) => {
            return zia_invalid(&format!("details must be summary or full, not {other}"));
        }
    };
    if md5.len() != 32 || !md5.chars().all(|c| c.is_ascii_hexdigit()) {
        return zia_invalid("md5Hash must be a 32-character hexadecimal MD5 hash");
    }
    ok(&seed::sandbox_report(&md5, full))
}
