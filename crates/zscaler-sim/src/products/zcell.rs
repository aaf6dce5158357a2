//! ZCell cellular (`/zcell/config/api/v1`): every path is scoped by the ZCell customer id
//! (separate from ZPA's); lists are Spring pages (`page` 0-based, `size` 1-100,
//! `{"content","totalPages","totalElements",...}`); searches are POSTs with filter bodies;
//! errors are `{"msgId","detail","timestamp"}`.

// Helpers return the error reply itself, sent at once; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use crate::DEMO_ZCELL_CUSTOMER_ID;
use crate::params::Params;
use crate::reply;
use crate::state::{SimState, now_secs};

const BASE: &str = "/zcell/config/api/v1";
const DEFAULT_SIZE: i64 = 20;
const MAX_SIZE: i64 = 100;
const MAX_DAYS: i64 = 365;

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    let cust = format!("{BASE}/customers/{{cid}}");
    let policy = format!("{cust}/anomaly-policy/{{policy}}");
    let usage = format!("{cust}/sim/analytics/usage");
    Router::new()
        .route(&cust, get(customer))
        .route(&format!("{cust}/regions"), get(regions))
        .route(
            &format!("{cust}/regions/operational-status"),
            get(region_status),
        )
        .route(&format!("{cust}/anomaly-policy"), get(policies))
        .route(&format!("{policy}/logs"), get(policy_logs))
        .route(&format!("{policy}/violations"), get(policy_violations))
        .route(
            &format!("{policy}/violations/{{iccid}}"),
            get(iccid_violations),
        )
        .route(&format!("{cust}/sims/search"), post(search_sims))
        .route(&format!("{cust}/sims/details"), get(sim_details))
        .route(&format!("{cust}/sim/analytics/summary"), get(summary))
        .route(&format!("{cust}/sim/analytics/map"), post(analytics_map))
        .route(&format!("{usage}/countries"), get(usage_by_country))
        .route(&format!("{usage}/sims"), get(usage_by_sim))
        .route(&format!("{usage}/day"), get(usage_by_day))
        .route(&format!("{cust}/sim-location-groups"), get(location_groups))
        .route(
            &format!("{cust}/sim-location-groups/{{id}}"),
            get(location_group),
        )
        .route(&format!("{cust}/tag"), get(tags))
        .route(&format!("{BASE}/audit/metadata"), get(audit_metadata))
        .route(
            &format!("{BASE}/audit/customers/{{cid}}/search"),
            post(audit_search),
        )
        .route(
            &format!("{BASE}/network-events/{{cid}}/search/startTime/{{start}}/endTime/{{end}}"),
            post(network_events),
        )
}

/// An error in ZCell's shape (the timestamp is fixed to the epoch second it is produced in).
fn error(status: StatusCode, msg_id: &str, detail: &str) -> Response {
    reply::json(
        status,
        &json!({"msgId": msg_id, "detail": detail, "timestamp": format!("{}", now_secs())}),
    )
}

fn invalid(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid.request", detail)
}

fn not_found(detail: String) -> Response {
    error(StatusCode::NOT_FOUND, "resource.not.found", &detail)
}

/// The customer check every route starts with: another tenant's id is refused.
fn tenant(cid: &str) -> Result<(), Response> {
    if cid == DEMO_ZCELL_CUSTOMER_ID {
        Ok(())
    } else {
        Err(error(
            StatusCode::FORBIDDEN,
            "invalid.access",
            "Invalid Authentication.",
        ))
    }
}

fn collection<'a>(state: &'a SimState, key: &str) -> &'a [Value] {
    state
        .zcell
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// One Spring page of `items`.
fn spring(items: Vec<Value>, params: &Params) -> Response {
    let (page, size) = match (params.int("page"), params.int("size")) {
        (Ok(page), Ok(size)) => (page.unwrap_or(0), size.unwrap_or(DEFAULT_SIZE)),
        (Err(message), _) | (_, Err(message)) => return invalid(&message),
    };
    if page < 0 || !(1..=MAX_SIZE).contains(&size) {
        return invalid(&format!(
            "page must be >= 0 and size between 1 and {MAX_SIZE}"
        ));
    }
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let pages = (total + size - 1) / size;
    let content: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(page * size).unwrap_or(usize::MAX))
        .take(usize::try_from(size).unwrap_or(0))
        .collect();
    reply::json(
        StatusCode::OK,
        &json!({"content": content.clone(), "totalPages": pages, "totalElements": total,
                "size": size, "number": page, "numberOfElements": content.len(),
                "first": page == 0, "last": page + 1 >= pages, "empty": content.is_empty()}),
    )
}

/// `days` when given must be 1..=365 (the look-back of analytics and violations).
fn days(params: &Params, default: i64) -> Result<i64, Response> {
    match params.int("days") {
        Ok(days) => {
            let days = days.unwrap_or(default);
            if (1..=MAX_DAYS).contains(&days) {
                Ok(days)
            } else {
                Err(invalid(&format!("days must be between 1 and {MAX_DAYS}")))
            }
        }
        Err(message) => Err(invalid(&message)),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `item` passes every filter in `filters` (field → wanted value): strings are
/// case-insensitive; a list field passes when one of its entries equals the value;
/// `like_fields` match by substring.
fn passes(item: &Value, filters: &Map<String, Value>, like_fields: &[&str]) -> bool {
    filters.iter().all(|(field, wanted)| {
        if wanted.is_null() || *wanted == json!("") {
            return true;
        }
        let wanted = text(wanted).to_lowercase();
        match item.get(field) {
            Some(Value::Array(entries)) => entries.iter().any(|e| text(e).to_lowercase() == wanted),
            Some(value) if like_fields.contains(&field.as_str()) => {
                text(value).to_lowercase().contains(&wanted)
            }
            Some(value) => text(value).to_lowercase() == wanted,
            None => false,
        }
    })
}

fn query_filters(params: &Params, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|k| params.get(k).map(|v| ((*k).to_owned(), json!(v))))
        .collect()
}

fn body_object(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match reply::parse_body(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        _ => Err(invalid("Request body must be a JSON object")),
    }
}

async fn customer(State(s): Shared, Path(cid): Path<String>) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    let mut body = s.zcell.get("customer").cloned().unwrap_or(Value::Null);
    if let Some(map) = body.as_object_mut() {
        map.insert("id".into(), json!(cid));
    }
    reply::json(StatusCode::OK, &body)
}

async fn regions(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    let all = Params::from_uri(&uri).flag("skipSkuCheck");
    let list: Vec<&Value> = collection(&s, "regions")
        .iter()
        .filter(|r| all || r["skuAvailable"] == true)
        .collect();
    reply::json(StatusCode::OK, &json!(list))
}

async fn region_status(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    let filters = query_filters(&Params::from_uri(&uri), &["bcSize"]);
    let list: Vec<&Value> = collection(&s, "regionStatus")
        .iter()
        .filter(|r| passes(r, &filters, &[]))
        .collect();
    reply::json(StatusCode::OK, &json!(list))
}

async fn policies(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    if let Err(r) = tenant(&cid).and_then(|()| days(&params, 30).map(drop)) {
        return r;
    }
    let filters = query_filters(&params, &["policyType"]);
    let list = collection(&s, "policies")
        .iter()
        .filter(|p| passes(p, &filters, &[]))
        .cloned()
        .collect();
    spring(list, &params)
}

/// The `key` records of policy `policy` (404 for an unknown policy).
fn of_policy(s: &SimState, policy: &str, key: &str) -> Result<Vec<Value>, Response> {
    if !collection(s, "policies").iter().any(|p| p["id"] == policy) {
        return Err(not_found(format!("Anomaly policy {policy} not found")));
    }
    Ok(collection(s, key)
        .iter()
        .filter(|v| v["policyId"] == policy)
        .cloned()
        .collect())
}

async fn policy_logs(
    State(s): Shared,
    Path((cid, policy)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    match tenant(&cid).and_then(|()| of_policy(&s, &policy, "logs")) {
        Ok(logs) => spring(logs, &Params::from_uri(&uri)),
        Err(r) => r,
    }
}

async fn policy_violations(
    State(s): Shared,
    Path((cid, policy)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let params = Params::from_uri(&uri);
    let found = tenant(&cid)
        .and_then(|()| days(&params, 30))
        .and_then(|_| of_policy(&s, &policy, "violations"));
    match found {
        Ok(violations) => spring(violations, &params),
        Err(r) => r,
    }
}

async fn iccid_violations(
    State(s): Shared,
    Path((cid, policy, iccid)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    let found = tenant(&cid)
        .and_then(|()| days(&Params::from_uri(&uri), 30))
        .and_then(|_| of_policy(&s, &policy, "violations"));
    match found {
        Ok(violations) => {
            let list: Vec<Value> = violations
                .into_iter()
                .filter(|v| v["iccid"] == iccid.as_str())
                .collect();
            reply::json(StatusCode::OK, &Value::Array(list))
        }
        Err(r) => r,
    }
}

async fn search_sims(State(s): Shared, Path(cid): Path<String>, uri: Uri, body: Bytes) -> Response {
    let filters = match tenant(&cid).and_then(|()| body_object(&body)) {
        Ok(filters) => filters,
        Err(r) => return r,
    };
    let list = collection(&s, "sims")
        .iter()
        .filter(|sim| passes(sim, &filters, &["iccid", "ipAddress", "marketingName"]))
        .cloned()
        .collect();
    spring(list, &Params::from_uri(&uri))
}

fn find_sim<'a>(s: &'a SimState, iccid: &str) -> Option<&'a Value> {
    collection(s, "sims")
        .iter()
        .find(|sim| sim["iccid"] == iccid)
}

async fn sim_details(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    let params = Params::from_uri(&uri);
    let Some(iccid) = params.get("iccId").filter(|i| !i.is_empty()) else {
        return invalid("iccId is required");
    };
    match find_sim(&s, iccid) {
        Some(sim) => {
            let mut detail = sim.clone();
            let violations: Vec<&Value> = collection(&s, "violations")
                .iter()
                .filter(|v| v["iccid"] == iccid)
                .collect();
            if let Some(map) = detail.as_object_mut() {
                map.insert("openViolations".into(), json!(violations.len()));
            }
            reply::json(StatusCode::OK, &detail)
        }
        None => not_found(format!("SIM {iccid} not found")),
    }
}

/// Counts of SIMs per `field` value, in first-seen order.
fn counts(sims: &[Value], field: &str) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for sim in sims {
        let key = text(&sim[field]);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => out.push((key, 1)),
        }
    }
    out
}

async fn summary(State(s): Shared, Path(cid): Path<String>) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    let sims = collection(&s, "sims");
    let rows: Vec<Value> = [
        ("status", "SIM_STATUS"),
        ("networkStatus", "NETWORK_STATUS"),
    ]
    .iter()
    .flat_map(|(field, dimension)| {
        counts(sims, field).into_iter().map(
            move |(value, count)| json!({"dimension": dimension, "value": value, "count": count}),
        )
    })
    .collect();
    reply::json(StatusCode::OK, &Value::Array(rows))
}

/// Deterministic coordinates per country (capital cities), offset per SIM.
fn coordinates(country: &str, index: usize) -> (f64, f64) {
    let (lat, lon) = match country {
        "US" => (38.9, -77.0),
        "GB" => (51.5, -0.1),
        "DE" => (52.5, 13.4),
        "IN" => (28.6, 77.2),
        "JP" => (35.7, 139.7),
        "BR" => (-15.8, -47.9),
        "MX" => (19.4, -99.1),
        "FR" => (48.9, 2.4),
        "CA" => (45.4, -75.7),
        _ => (0.0, 0.0),
    };
    let jitter = (index % 10) as f64 / 20.0;
    (lat + jitter, lon - jitter)
}

async fn analytics_map(State(s): Shared, Path(cid): Path<String>, body: Bytes) -> Response {
    let body = match tenant(&cid).and_then(|()| body_object(&body)) {
        Ok(body) => body,
        Err(r) => return r,
    };
    let wanted: Vec<String> = body
        .get("iccIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    let rows: Vec<Value> = collection(&s, "sims")
        .iter()
        .enumerate()
        .filter(|(_, sim)| wanted.is_empty() || wanted.contains(&text(&sim["iccid"])))
        .map(|(i, sim)| {
            let (lat, lon) = coordinates(sim["locationCountry"].as_str().unwrap_or(""), i);
            json!({"iccid": sim["iccid"], "country": sim["locationCountry"], "latitude": lat,
                   "longitude": lon, "networkStatus": sim["networkStatus"], "lastSeen": sim["lastSeen"]})
        })
        .collect();
    reply::json(StatusCode::OK, &Value::Array(rows))
}

/// A SIM's usage over `days`: its monthly bytes scaled to the window.
fn usage(sim: &Value, days: i64) -> i64 {
    sim["dataUsageBytes"].as_i64().unwrap_or(0) * days / 30
}

fn limit(params: &Params) -> Result<usize, Response> {
    match params.int("limit") {
        Ok(limit) => Ok(usize::try_from(limit.unwrap_or(10).clamp(1, 1000)).unwrap_or(10)),
        Err(message) => Err(invalid(&message)),
    }
}

async fn usage_by_country(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let (days, limit) = match tenant(&cid)
        .and_then(|()| days(&params, 30))
        .and_then(|d| limit(&params).map(|l| (d, l)))
    {
        Ok(found) => found,
        Err(r) => return r,
    };
    let mut totals: Vec<(String, i64, i64)> = Vec::new();
    for sim in collection(&s, "sims") {
        let country = text(&sim["locationCountry"]);
        let bytes = usage(sim, days);
        match totals.iter_mut().find(|(c, ..)| *c == country) {
            Some((_, total, count)) => {
                *total += bytes;
                *count += 1;
            }
            None => totals.push((country, bytes, 1)),
        }
    }
    totals.sort_by_key(|t| std::cmp::Reverse(t.1));
    let rows: Vec<Value> = totals
        .into_iter()
        .take(limit)
        .map(|(country, bytes, sims)| json!({"country": country, "bytes": bytes, "simCount": sims}))
        .collect();
    reply::json(StatusCode::OK, &Value::Array(rows))
}

async fn usage_by_sim(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let (days, limit) = match tenant(&cid)
        .and_then(|()| days(&params, 30))
        .and_then(|d| limit(&params).map(|l| (d, l)))
    {
        Ok(found) => found,
        Err(r) => return r,
    };
    let mut rows: Vec<Value> = collection(&s, "sims")
        .iter()
        .map(|sim| json!({"iccid": sim["iccid"], "bytes": usage(sim, days), "country": sim["locationCountry"]}))
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r["bytes"].as_i64().unwrap_or(0)));
    rows.truncate(limit);
    reply::json(StatusCode::OK, &Value::Array(rows))
}

async fn usage_by_day(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let days = match tenant(&cid).and_then(|()| days(&params, 7)) {
        Ok(days) => days,
        Err(r) => return r,
    };
    let daily_total: i64 = match params.get("iccId").filter(|i| !i.is_empty()) {
        Some(iccid) => match find_sim(&s, iccid) {
            Some(sim) => usage(sim, 1),
            None => return not_found(format!("SIM {iccid} not found")),
        },
        None => collection(&s, "sims").iter().map(|sim| usage(sim, 1)).sum(),
    };
    let today = i64::try_from(now_secs() / 86_400).unwrap_or(0);
    let rows: Vec<Value> = (0..days)
        .rev()
        .map(|ago| {
            let wobble = 80 + (ago * 37) % 41;
            json!({"day": (today - ago) * 86_400, "bytes": daily_total * wobble / 100})
        })
        .collect();
    reply::json(StatusCode::OK, &Value::Array(rows))
}

fn named(s: &SimState, key: &str, params: &Params) -> Vec<Value> {
    let filters = query_filters(params, &["name"]);
    collection(s, key)
        .iter()
        .filter(|item| passes(item, &filters, &["name"]))
        .cloned()
        .collect()
}

async fn location_groups(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    let params = Params::from_uri(&uri);
    spring(named(&s, "locationGroups", &params), &params)
}

async fn location_group(State(s): Shared, Path((cid, id)): Path<(String, String)>) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    match collection(&s, "locationGroups")
        .iter()
        .find(|g| g["id"] == id.as_str())
    {
        Some(group) => reply::json(StatusCode::OK, group),
        None => not_found(format!("SIM location group {id} not found")),
    }
}

async fn tags(State(s): Shared, Path(cid): Path<String>, uri: Uri) -> Response {
    if let Err(r) = tenant(&cid) {
        return r;
    }
    let params = Params::from_uri(&uri);
    spring(named(&s, "tags", &params), &params)
}

async fn audit_metadata(State(s): Shared) -> Response {
    reply::json(StatusCode::OK, &json!(collection(&s, "auditMetadata")))
}

async fn audit_search(
    State(s): Shared,
    Path(cid): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let params = Params::from_uri(&uri);
    let mut filters = match tenant(&cid).and_then(|()| body_object(&body)) {
        Ok(filters) => filters,
        Err(r) => return r,
    };
    let days = filters.remove("days");
    if let Some(days) = days.as_ref().filter(|d| !d.is_null())
        && !days.as_i64().is_some_and(|d| (1..=MAX_DAYS).contains(&d))
    {
        return invalid(&format!("days must be between 1 and {MAX_DAYS}"));
    }
    let list = collection(&s, "audit")
        .iter()
        .filter(|a| passes(a, &filters, &["objectName"]))
        .cloned()
        .collect();
    spring(list, &params)
}

async fn network_events(
    State(s): Shared,
    Path((cid, start, end)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let body = match tenant(&cid).and_then(|()| body_object(&body)) {
        Ok(body) => body,
        Err(r) => return r,
    };
    let (Ok(start), Ok(end)) = (start.parse::<i64>(), end.parse::<i64>()) else {
        return invalid("startTime and endTime must be epoch milliseconds");
    };
    if start > end {
        return invalid("startTime must not be after endTime");
    }
    let filters = body
        .get("filterBy")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let exclude_apn = body.get("excludeApnConfig") == Some(&Value::Bool(true));
    let now_ms = i64::try_from(now_secs()).unwrap_or(0) * 1000;
    let mut events: Vec<Value> = collection(&s, "events")
        .iter()
        .map(|e| {
            let mut event = e.clone();
            let ago = e["agoSecs"].as_i64().unwrap_or(0);
            if let Some(map) = event.as_object_mut() {
                map.remove("agoSecs");
                map.insert("timestamp".into(), json!(now_ms - ago * 1000));
                if exclude_apn {
                    map.remove("apnConfig");
                }
            }
            event
        })
        .filter(|e| (start..=end).contains(&e["timestamp"].as_i64().unwrap_or(0)))
        .filter(|e| passes(e, &filters, &[]))
        .collect();
    if let Some(field) = body.get("sortBy").and_then(Value::as_str) {
        events.sort_by_key(|e| text(&e[field]));
    }
    spring(events, &Params::from_uri(&uri))
}
