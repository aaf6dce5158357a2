//! ZDX alerts, application users, software inventory and troubleshooting (`/zdx/v1`):
//! probes, deep traces (start, poll, results, delete) and score analyses. Deep traces and
//! analyses live in [`Runs`]; a trace is `in_progress` until its session length has passed.

// Helpers return the error reply itself, sent at once; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::zdx::{Device, app_not_found, bad_request, find_app, series, window};
use crate::paging::zdx_window;
use crate::params::Params;
use crate::reply::{self, zdx_error};
use crate::state::{SimState, lock, now_secs};

const PREFIX: &str = "/zdx/v1";
/// Session lengths the API accepts, minutes.
const SESSION_MINUTES: [i64; 4] = [5, 15, 30, 60];
/// Spacing of deep-trace snapshots.
const SNAPSHOT_SECS: i64 = 300;

type Shared = State<Arc<SimState>>;

/// Deep traces and analyses created through the API (plus one finished seeded trace).
pub(crate) struct Runs {
    traces: Vec<Trace>,
    analyses: Vec<Value>,
    next_id: i64,
}

struct Trace {
    id: String,
    device_id: i64,
    details: Value,
    created: i64,
    minutes: i64,
}

impl Runs {
    /// A finished 15-minute Salesforce trace on `device_id`, started three hours before `now`.
    pub(crate) fn seeded(device_id: i64, now: i64) -> Self {
        let details = json!({
            "session_name": "Salesforce slowness - Jane", "user_id": 76_676_944,
            "username": "jane.doe@acme.com", "device_id": device_id, "device_name": "LAPTOP-ACME-001",
            "app_id": 67_890, "app_name": "Salesforce", "web_probe_id": 678_901,
            "web_probe_name": "Salesforce Web Probe", "cloudpath_probe_id": 678_902,
            "cloudpath_probe_name": "Salesforce CloudPath", "session_length_minutes": 15,
            "probe_device": true,
        });
        Self {
            traces: vec![Trace {
                id: "391872001".to_owned(),
                device_id,
                details,
                created: now - 3 * 3600,
                minutes: 15,
            }],
            analyses: Vec::new(),
            next_id: 391_872_002,
        }
    }

    fn issue_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }
}

impl Trace {
    fn end(&self) -> i64 {
        self.created + self.minutes * 60
    }

    fn view(&self, now: i64) -> Value {
        let done = now >= self.end();
        json!({
            "trace_id": self.id, "trace_details": self.details,
            "status": if done { "completed" } else { "in_progress" },
            "created_at": self.created, "started_at": self.created,
            "ended_at": if done { self.end() } else { 0 },
            "expected_time_minutes": self.minutes,
        })
    }
}

pub(crate) fn routes() -> Router<Arc<SimState>> {
    let device = format!("{PREFIX}/devices/{{id}}");
    let trace = format!("{device}/deeptraces/{{trace_id}}");
    Router::new()
        .route(&format!("{PREFIX}/alerts/ongoing"), get(ongoing_alerts))
        .route(
            &format!("{PREFIX}/alerts/historical"),
            get(historical_alerts),
        )
        .route(&format!("{PREFIX}/alerts/{{id}}"), get(get_alert))
        .route(
            &format!("{PREFIX}/alerts/{{id}}/affected_devices"),
            get(affected_devices),
        )
        .route(&format!("{PREFIX}/apps/{{id}}/users"), get(app_users))
        .route(
            &format!("{PREFIX}/apps/{{id}}/users/{{user_id}}"),
            get(app_user),
        )
        .route(&format!("{PREFIX}/inventory/software"), get(list_software))
        .route(
            &format!("{PREFIX}/inventory/software/{{key}}"),
            get(software_details),
        )
        .route(
            &format!("{device}/apps/{{app_id}}/web-probes"),
            get(web_probes),
        )
        .route(
            &format!("{device}/apps/{{app_id}}/cloudpath-probes"),
            get(cloudpath_probes),
        )
        .route(
            &format!("{device}/deeptraces"),
            get(list_traces).post(start_trace),
        )
        .route(&trace, get(get_trace).delete(delete_trace))
        .route(&format!("{trace}/{{result}}"), get(trace_result))
        .route(
            &format!("{PREFIX}/analysis"),
            axum::routing::post(start_analysis),
        )
        .route(
            &format!("{PREFIX}/analysis/{{id}}"),
            get(get_analysis).delete(delete_analysis),
        )
}

fn now() -> i64 {
    i64::try_from(now_secs()).unwrap_or(0)
}

fn not_found(what: &str, id: &str) -> Response {
    zdx_error(StatusCode::NOT_FOUND, &format!("{what} {id} not found"))
}

/// One page of `items` under `key`, with the `next_offset` cursor.
fn page(items: Vec<Value>, key: &str, params: &Params) -> Response {
    match zdx_window(items.len(), params) {
        Ok(w) => reply::json(
            StatusCode::OK,
            &json!({ key: items.get(w.start..w.end).unwrap_or_default(), "next_offset": w.next_offset }),
        ),
        Err(message) => bad_request(&message),
    }
}

fn ids_in(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| item.get("id"))
        .map(|id| id.to_string().trim_matches('"').to_owned())
        .collect()
}

/// The `loc`/`dept`/`geo` filters: each given list must share an id with the alert's.
fn alert_matches(alert: &Value, params: &Params) -> bool {
    [
        ("loc", "locations"),
        ("dept", "departments"),
        ("geo", "geolocations"),
    ]
    .iter()
    .all(|(param, field)| {
        let wanted = params.list(param);
        wanted.is_empty()
            || ids_in(alert.get(*field))
                .iter()
                .any(|id| wanted.contains(id))
    })
}

fn field_i64(value: &Value, key: &str) -> i64 {
    value.get(key).and_then(Value::as_i64).unwrap_or(0)
}

async fn ongoing_alerts(State(state): Shared, uri: Uri) -> Response {
    alerts_in_window(&state, &uri, |alert, (_, to)| {
        field_i64(alert, "ended_on") == 0 && field_i64(alert, "started_on") <= to
    })
}

async fn historical_alerts(State(state): Shared, uri: Uri) -> Response {
    alerts_in_window(&state, &uri, |alert, (from, to)| {
        (from..=to).contains(&field_i64(alert, "ended_on"))
    })
}

/// The page of alerts that `in_window` keeps for the request's time window and that match
/// its filters.
fn alerts_in_window(
    state: &SimState,
    uri: &Uri,
    in_window: impl Fn(&Value, (i64, i64)) -> bool,
) -> Response {
    let params = Params::from_uri(uri);
    let span = match window(&params) {
        Ok(span) => span,
        Err(message) => return bad_request(&message),
    };
    let alerts = state
        .zdx
        .alerts
        .iter()
        .filter(|a| in_window(a, span))
        .filter(|a| alert_matches(a, &params))
        .cloned()
        .collect();
    page(alerts, "alerts", &params)
}

fn find_alert<'a>(state: &'a SimState, id: &str) -> Option<&'a Value> {
    let id: i64 = id.parse().ok()?;
    state.zdx.alerts.iter().find(|a| field_i64(a, "id") == id)
}

async fn get_alert(State(state): Shared, Path(id): Path<String>) -> Response {
    match find_alert(&state, &id) {
        Some(alert) => reply::json(StatusCode::OK, alert),
        None => not_found("Alert", &id),
    }
}

/// Devices at the alert's locations (narrowed by the same filters as the device list).
async fn affected_devices(State(state): Shared, Path(id): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    if let Err(message) = window(&params) {
        return bad_request(&message);
    }
    let Some(alert) = find_alert(&state, &id) else {
        return not_found("Alert", &id);
    };
    let locations = ids_in(alert.get("locations"));
    let wanted_locations = params.list("loc");
    let wanted_departments = params.list("dept");
    let devices = state
        .zdx
        .devices
        .iter()
        .filter(|d| locations.contains(&d.location_id.to_string()))
        .filter(|d| {
            wanted_locations.is_empty() || wanted_locations.contains(&d.location_id.to_string())
        })
        .filter(|d| {
            wanted_departments.is_empty()
                || wanted_departments.contains(&d.department_id.to_string())
        })
        .map(|d| {
            let mut row = d.summary.clone();
            if let (Some(map), Some(user)) = (row.as_object_mut(), d.detail.get("user")) {
                map.insert("user_name".into(), user["name"].clone());
                map.insert("user_email".into(), user["email"].clone());
            }
            row
        })
        .collect();
    page(devices, "devices", &params)
}

/// A user's score for an app: the app's score moved by a per-user wobble, within 0-100.
fn user_score(app_score: f64, app_id: i64, index: usize) -> f64 {
    let wobble = ((index as i64 * 7 + app_id).rem_euclid(61) - 30) as f64;
    (app_score + wobble).clamp(0.0, 100.0).round()
}

fn bucket(score: f64) -> &'static str {
    match score {
        s if s < 34.0 => "poor",
        s if s < 66.0 => "okay",
        _ => "good",
    }
}

fn user_row(device: &Device, index: usize, app: &Value) -> Value {
    let app_id = field_i64(app, "id");
    let score = user_score(
        app.get("score").and_then(Value::as_f64).unwrap_or(0.0),
        app_id,
        index,
    );
    let user = device.detail.get("user").cloned().unwrap_or(Value::Null);
    json!({"id": device.user_id, "name": user.get("name"), "email": user.get("email"), "score": score})
}

async fn app_users(State(state): Shared, Path(id): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    if let Err(message) = window(&params) {
        return bad_request(&message);
    }
    let Some(app) = find_app(&state, &id) else {
        return app_not_found(&id);
    };
    let wanted = params.get("score_bucket").filter(|b| !b.is_empty());
    if let Some(bucket) = wanted
        && !["poor", "okay", "good"].contains(&bucket)
    {
        return bad_request("score_bucket must be one of poor, okay, good");
    }
    let users = state
        .zdx
        .devices
        .iter()
        .enumerate()
        .map(|(i, d)| user_row(d, i, app))
        .filter(|row| wanted.is_none_or(|b| bucket(row["score"].as_f64().unwrap_or(0.0)) == b))
        .collect();
    page(users, "users", &params)
}

async fn app_user(
    State(state): Shared,
    Path((id, user_id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Err(message) = window(&Params::from_uri(&uri)) {
        return bad_request(&message);
    }
    let Some(app) = find_app(&state, &id) else {
        return app_not_found(&id);
    };
    let found = state
        .zdx
        .devices
        .iter()
        .enumerate()
        .find(|(_, d)| d.user_id.to_string() == user_id);
    let Some((index, device)) = found else {
        return not_found("User", &user_id);
    };
    let mut user = user_row(device, index, app);
    if let Some(map) = user.as_object_mut() {
        map.insert(
            "devices".into(),
            json!([{"id": device.summary.get("id"), "name": device.summary.get("name"),
                    "score": map.get("score").cloned().unwrap_or(Value::Null),
                    "geo_loc": device.detail.get("geo_loc"), "zs_loc": device.detail.get("zs_loc")}]),
        );
    }
    reply::json(StatusCode::OK, &user)
}

/// Indexes of the devices the `device_ids` / `user_ids` filters allow (all when absent).
fn device_filter(state: &SimState, params: &Params) -> Vec<usize> {
    let device_ids = params.list("device_ids");
    let user_ids = params.list("user_ids");
    state
        .zdx
        .devices
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            device_ids.is_empty() || device_ids.contains(&field_i64(&d.summary, "id").to_string())
        })
        .filter(|(_, d)| user_ids.is_empty() || user_ids.contains(&d.user_id.to_string()))
        .filter(|(_, d)| {
            let locations = params.list("loc");
            locations.is_empty() || locations.contains(&d.location_id.to_string())
        })
        .map(|(i, _)| i)
        .collect()
}

async fn list_software(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let allowed = device_filter(&state, &params);
    let items = state
        .zdx
        .software
        .iter()
        .filter(|(_, devices)| devices.iter().any(|d| allowed.contains(d)))
        .map(|(entry, _)| entry.clone())
        .collect();
    page(items, "software", &params)
}

async fn software_details(State(state): Shared, Path(key): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let Some((entry, devices)) = state
        .zdx
        .software
        .iter()
        .find(|(entry, _)| entry["software_key"] == key.as_str())
    else {
        return not_found("Software", &key);
    };
    let allowed = device_filter(&state, &params);
    let rows = devices
        .iter()
        .filter(|i| allowed.contains(i))
        .filter_map(|i| state.zdx.devices.get(*i))
        .map(|d| {
            json!({
                "software_key": key, "software_name": entry["software_name"],
                "software_version": entry["software_version"], "vendor": entry["vendor"],
                "sw_install_type": entry["sw_install_type"],
                "device_id": d.summary.get("id"), "hostname": d.detail.pointer("/software/hostname"),
                "os": d.detail.pointer("/software/os_name"), "user_id": d.user_id,
                "username": d.email,
            })
        })
        .collect();
    page(rows, "software", &params)
}

fn find_device(state: &SimState, id: &str) -> Option<usize> {
    state
        .zdx
        .devices
        .iter()
        .position(|d| field_i64(&d.summary, "id").to_string() == id)
}

/// The device and app of a probe route, or the 404 for whichever is missing.
fn device_app<'a>(
    state: &'a SimState,
    device_id: &str,
    app_id: &str,
) -> Result<(usize, &'a Value), Response> {
    let device = find_device(state, device_id).ok_or_else(|| not_found("Device", device_id))?;
    let app = find_app(state, app_id).ok_or_else(|| app_not_found(app_id))?;
    Ok((device, app))
}

fn app_name(app: &Value) -> &str {
    app.get("name").and_then(Value::as_str).unwrap_or("App")
}

async fn web_probes(
    State(state): Shared,
    Path((id, app_id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Err(message) = window(&Params::from_uri(&uri)) {
        return bad_request(&message);
    }
    match device_app(&state, &id, &app_id) {
        Ok((index, app)) => {
            let score = user_score(
                app["score"].as_f64().unwrap_or(0.0),
                field_i64(app, "id"),
                index,
            );
            reply::json(
                StatusCode::OK,
                &json!([{"id": field_i64(app, "id") * 10 + 1,
                         "name": format!("{} Web Probe", app_name(app)),
                         "num_probes": 12, "avg_score": score,
                         "avg_pft": (4000.0 - 35.0 * score).round()}]),
            )
        }
        Err(response) => response,
    }
}

async fn cloudpath_probes(
    State(state): Shared,
    Path((id, app_id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Err(message) = window(&Params::from_uri(&uri)) {
        return bad_request(&message);
    }
    match device_app(&state, &id, &app_id) {
        Ok((_, app)) => reply::json(
            StatusCode::OK,
            &json!([{"id": field_i64(app, "id") * 10 + 2,
                     "name": format!("{} CloudPath", app_name(app)), "num_probes": 12,
                     "avg_latencies": [
                        {"leg_src": "Client", "leg_dst": "Egress", "latency": 4.2},
                        {"leg_src": "Egress", "leg_dst": "Zscaler", "latency": 11.8},
                        {"leg_src": "Zscaler", "leg_dst": "Destination", "latency": 23.5}]}]),
        ),
        Err(response) => response,
    }
}

async fn list_traces(State(state): Shared, Path(id): Path<String>) -> Response {
    let Some(index) = find_device(&state, &id) else {
        return not_found("Device", &id);
    };
    let device_id = state
        .zdx
        .devices
        .get(index)
        .map_or(0, |d| field_i64(&d.summary, "id"));
    let now = now();
    let traces: Vec<Value> = lock(&state.zdx.runs)
        .traces
        .iter()
        .filter(|t| t.device_id == device_id)
        .map(|t| t.view(now))
        .collect();
    reply::json(StatusCode::OK, &Value::Array(traces))
}

fn body_object(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match reply::parse_body(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad_request("Request body must be a JSON object")),
    }
}

fn int_field(body: &Map<String, Value>, key: &str) -> Option<i64> {
    match body.get(key)? {
        Value::String(s) => s.trim().parse().ok(),
        other => other.as_i64(),
    }
}

async fn start_trace(State(state): Shared, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match body_object(&body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Some(device) = find_device(&state, &id).and_then(|i| state.zdx.devices.get(i)) else {
        return not_found("Device", &id);
    };
    let session = body
        .get("session_name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if session.trim().is_empty() {
        return bad_request("session_name is required");
    }
    let app_id = int_field(&body, "app_id").unwrap_or(0).to_string();
    let Some(app) = find_app(&state, &app_id) else {
        return bad_request(&format!("app_id {app_id} is not a monitored application"));
    };
    let app_id = field_i64(app, "id");
    if int_field(&body, "web_probe_id") != Some(app_id * 10 + 1) {
        return bad_request("web_probe_id does not belong to this application");
    }
    if int_field(&body, "cloudpath_probe_id") != Some(app_id * 10 + 2) {
        return bad_request("cloudpath_probe_id does not belong to this application");
    }
    let minutes = int_field(&body, "session_length_minutes").unwrap_or(5);
    if !SESSION_MINUTES.contains(&minutes) {
        return bad_request("session_length_minutes must be one of 5, 15, 30, 60");
    }
    let user = device.detail.get("user").cloned().unwrap_or(Value::Null);
    let details = json!({
        "session_name": session, "user_id": device.user_id, "username": user.get("email"),
        "device_id": device.summary.get("id"), "device_name": device.summary.get("name"),
        "app_id": app_id, "app_name": app_name(app), "web_probe_id": app_id * 10 + 1,
        "web_probe_name": format!("{} Web Probe", app_name(app)),
        "cloudpath_probe_id": app_id * 10 + 2,
        "cloudpath_probe_name": format!("{} CloudPath", app_name(app)),
        "session_length_minutes": minutes,
        "probe_device": body.get("probe_device").and_then(Value::as_bool).unwrap_or(true),
    });
    let mut runs = lock(&state.zdx.runs);
    let trace_id = runs.issue_id();
    runs.traces.push(Trace {
        id: trace_id.clone(),
        device_id: field_i64(&device.summary, "id"),
        details,
        created: now(),
        minutes,
    });
    reply::json(
        StatusCode::OK,
        &json!({"trace_id": trace_id, "status": "in_progress", "expected_time": minutes * 60}),
    )
}

/// Runs `f` on the trace `trace_id` of device `id`, or answers 404.
fn with_trace(
    state: &SimState,
    id: &str,
    trace_id: &str,
    f: impl FnOnce(&Trace) -> Response,
) -> Response {
    let runs = lock(&state.zdx.runs);
    match runs
        .traces
        .iter()
        .find(|t| t.id == trace_id && t.device_id.to_string() == id)
    {
        Some(trace) => f(trace),
        None => not_found("Deep trace", trace_id),
    }
}

async fn get_trace(State(state): Shared, Path((id, trace_id)): Path<(String, String)>) -> Response {
    with_trace(&state, &id, &trace_id, |t| {
        reply::json(StatusCode::OK, &t.view(now()))
    })
}

async fn delete_trace(
    State(state): Shared,
    Path((id, trace_id)): Path<(String, String)>,
) -> Response {
    let mut runs = lock(&state.zdx.runs);
    let before = runs.traces.len();
    runs.traces
        .retain(|t| !(t.id == trace_id && t.device_id.to_string() == id));
    if runs.traces.len() == before {
        return not_found("Deep trace", &trace_id);
    }
    reply::empty(StatusCode::OK)
}

/// The snapshot times of a trace so far.
fn snapshots(trace: &Trace, now: i64) -> Vec<i64> {
    let end = trace.end().min(now);
    (1..)
        .map(|k| trace.created + k * SNAPSHOT_SECS)
        .take_while(|t| *t <= end)
        .collect()
}

async fn trace_result(
    State(state): Shared,
    Path((id, trace_id, result)): Path<(String, String, String)>,
) -> Response {
    with_trace(&state, &id, &trace_id, |trace| {
        let now = now();
        let span = (trace.created, trace.end().min(now));
        let seed = trace.id.parse::<i64>().unwrap_or(0);
        let times = snapshots(trace, now);
        let body = match result.as_str() {
            "webprobe-metrics" => json!([
                series("page_fetch_time", "ms", seed, 1450.0, 300.0, span),
                series("dns_time", "ms", seed, 28.0, 8.0, span),
                series("availability", "%", seed, 99.0, 1.0, span)]),
            "cloudpath-metrics" => json!([
                series("latency", "ms", seed, 41.0, 9.0, span),
                series("packet_loss", "%", seed, 0.4, 0.4, span),
                series("num_hops", "", seed, 9.0, 1.0, span)]),
            "health-metrics" => json!([
                {"category": "cpu", "instances": [{"name": "Total",
                    "metrics": [series("cpu_total", "%", seed, 62.0, 20.0, span)]}]},
                {"category": "memory", "instances": [{"name": "Total",
                    "metrics": [series("memory_used", "%", seed, 71.0, 8.0, span)]}]},
                {"category": "network", "instances": [{"name": "Wi-Fi",
                    "metrics": [series("wifi_signal", "dBm", seed, -61.0, 6.0, span)]}]}]),
            "events" => Value::Array(
                times
                    .iter()
                    .step_by(2)
                    .enumerate()
                    .map(|(k, t)| {
                        let (category, name, prev, curr) = if k % 2 == 0 {
                            ("Network", "network_change", "Wi-Fi ACME-CORP", "Ethernet")
                        } else {
                            ("Zscaler", "zia_tunnel_change", "Tunnel 1.0", "Tunnel 2.0")
                        };
                        json!({"timestamp": t, "events": [{"category": category, "name": name,
                               "display_name": name.replace('_', " "), "prev": prev, "curr": curr}]})
                    })
                    .collect(),
            ),
            "cloudpath" => Value::Array(
                times
                    .iter()
                    .map(|t| {
                        json!({"timestamp": t, "cloudpath": {
                            "src": trace.details.get("device_name"), "dst": "login.salesforce.com",
                            "num_hops": 4, "latency": 39.5, "loss": 0.0, "mode": "tcp", "port": 443,
                            "hops": [
                                {"ip": "10.20.0.1", "latency_avg": 2.1, "pkt_sent": 10, "pkt_rcvd": 10},
                                {"ip": "203.0.113.1", "latency_avg": 6.3, "pkt_sent": 10, "pkt_rcvd": 10},
                                {"ip": "165.225.0.10", "latency_avg": 14.8, "pkt_sent": 10, "pkt_rcvd": 10},
                                {"ip": "13.110.0.20", "latency_avg": 39.5, "pkt_sent": 10, "pkt_rcvd": 10}]}})
                    })
                    .collect(),
            ),
            "top-processes" => Value::Array(
                times
                    .iter()
                    .map(|t| {
                        json!({"timestamp": t, "top_processes": [
                            {"category": "cpu", "processes": [{"name": "chrome.exe", "id": 4312},
                                {"name": "Teams.exe", "id": 8120}, {"name": "MsMpEng.exe", "id": 3020}]},
                            {"category": "memory", "processes": [{"name": "Teams.exe", "id": 8120},
                                {"name": "chrome.exe", "id": 4312}]}]})
                    })
                    .collect(),
            ),
            _ => return reply::empty(StatusCode::NOT_FOUND),
        };
        reply::json(StatusCode::OK, &body)
    })
}

async fn start_analysis(State(state): Shared, body: Bytes) -> Response {
    let body = match body_object(&body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let device_id = int_field(&body, "device_id").unwrap_or(0).to_string();
    if find_device(&state, &device_id).is_none() {
        return bad_request(&format!("device_id {device_id} not found"));
    }
    let app_id = int_field(&body, "app_id").unwrap_or(0).to_string();
    let Some(app) = find_app(&state, &app_id) else {
        return bad_request(&format!("app_id {app_id} is not a monitored application"));
    };
    let now = now();
    let t1 = int_field(&body, "t1").unwrap_or(now);
    let t0 = int_field(&body, "t0").unwrap_or(t1 - 2 * 3600);
    if t0 >= t1 {
        return bad_request("t0 must be before t1");
    }
    let mut runs = lock(&state.zdx.runs);
    let analysis_id = runs.issue_id();
    runs.analyses.push(json!({
        "analysis_id": analysis_id, "status": "finished",
        "device_id": device_id.parse::<i64>().unwrap_or(0), "app_id": app["id"],
        "app_name": app["name"], "t0": t0, "t1": t1,
        "result": {"summary": format!("{} score dropped mainly because of network latency", app_name(app)),
                   "issues": [
                       {"category": "Network", "description": "High latency on the Egress to Zscaler leg", "score_impact": -18},
                       {"category": "Device", "description": "CPU above 90% during the window", "score_impact": -7}]},
    }));
    reply::json(StatusCode::OK, &json!({"analysis_id": analysis_id}))
}

async fn get_analysis(State(state): Shared, Path(id): Path<String>) -> Response {
    let runs = lock(&state.zdx.runs);
    match runs
        .analyses
        .iter()
        .find(|a| a["analysis_id"] == id.as_str())
    {
        Some(analysis) => reply::json(StatusCode::OK, analysis),
        None => not_found("Analysis", &id),
    }
}

async fn delete_analysis(State(state): Shared, Path(id): Path<String>) -> Response {
    let mut runs = lock(&state.zdx.runs);
    let before = runs.analyses.len();
    runs.analyses.retain(|a| a["analysis_id"] != id.as_str());
    if runs.analyses.len() == before {
        return not_found("Analysis", &id);
    }
    reply::empty(StatusCode::OK)
}
