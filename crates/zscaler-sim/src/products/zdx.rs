//! ZDX (`/zdx/v1`, snake_case): application scores and metrics, and the device inventory
//! with `limit`/`offset` cursors and epoch-second `from`/`to` windows.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use crate::paging::zdx_window;
use crate::params::Params;
use crate::reply::{self, zdx_error};
use crate::state::{SimState, now_secs};

const PREFIX: &str = "/zdx/v1";
/// Default time window when `from`/`to` are absent: the last two hours.
const DEFAULT_WINDOW_SECS: i64 = 2 * 3600;
/// 2100-01-01T00:00:00Z: the latest `from`/`to` accepted.
const LATEST_EPOCH_SECS: i64 = 4_102_444_800;
/// Spacing of trend datapoints.
const STEP_SECS: i64 = 900;

/// ZDX's read-only data.
pub(crate) struct ZdxData {
    pub apps: Vec<Value>,
    pub devices: Vec<Device>,
    pub locations: Vec<Value>,
    pub departments: Vec<Value>,
    /// Alerts, ongoing (`ended_on` 0) and ended, timed relative to the simulator's start.
    pub alerts: Vec<Value>,
    /// The software inventory: one entry per package, and the device indexes that have it.
    pub software: Vec<(Value, Vec<usize>)>,
    /// Deep traces and analyses, which the troubleshooting tools create and delete.
    pub runs: std::sync::Mutex<crate::products::zdx_troubleshoot::Runs>,
}

/// One device: its list entry, its detail and the attributes the list filters on.
pub(crate) struct Device {
    pub summary: Value,
    pub detail: Value,
    pub email: String,
    pub user_id: i64,
    pub location_id: i64,
    pub department_id: i64,
    pub geo_id: &'static str,
}

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(&format!("{PREFIX}/apps"), get(list_apps))
        .route(&format!("{PREFIX}/apps/{{id}}"), get(get_app))
        .route(&format!("{PREFIX}/apps/{{id}}/score"), get(app_score))
        .route(&format!("{PREFIX}/apps/{{id}}/metrics"), get(app_metrics))
        .route(&format!("{PREFIX}/devices"), get(list_devices))
        .route(&format!("{PREFIX}/devices/{{id}}"), get(get_device))
        .route(
            &format!("{PREFIX}/administration/locations"),
            get(|State(s): Shared, uri: Uri| async move { named(&s.zdx.locations, &uri) }),
        )
        .route(
            &format!("{PREFIX}/administration/departments"),
            get(|State(s): Shared, uri: Uri| async move { named(&s.zdx.departments, &uri) }),
        )
        .merge(crate::products::zdx_troubleshoot::routes())
}

/// `{"id","name"}` lists, filtered by `q` (name contains, case-insensitive).
fn named(items: &[Value], uri: &Uri) -> Response {
    let params = Params::from_uri(uri);
    if let Err(message) = window(&params) {
        return bad_request(&message);
    }
    let needle = params.get("q").unwrap_or("").to_lowercase();
    let kept: Vec<&Value> = items
        .iter()
        .filter(|item| {
            item.get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| name.to_lowercase().contains(&needle))
        })
        .collect();
    reply::json(StatusCode::OK, &json!(kept))
}

/// The requested `[from, to]` window in epoch seconds; `Err` is the 400 message.
pub(crate) fn window(params: &Params) -> Result<(i64, i64), String> {
    let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
    let to = params.int("to")?.unwrap_or(now);
    let from = params.int("from")?.unwrap_or(to - DEFAULT_WINDOW_SECS);
    // Anything past year 2100 is most likely milliseconds sent by mistake.
    if !(0..=LATEST_EPOCH_SECS).contains(&from) || !(0..=LATEST_EPOCH_SECS).contains(&to) {
        return Err("from and to must be epoch seconds".into());
    }
    if from > to {
        return Err("from must not be after to".into());
    }
    Ok((from, to))
}

pub(crate) fn bad_request(message: &str) -> Response {
    zdx_error(StatusCode::BAD_REQUEST, message)
}

pub(crate) fn find_app<'a>(state: &'a SimState, id: &str) -> Option<&'a Value> {
    let id: i64 = id.parse().ok()?;
    state
        .zdx
        .apps
        .iter()
        .find(|a| a.get("id").and_then(Value::as_i64) == Some(id))
}

async fn list_apps(State(state): Shared, uri: Uri) -> Response {
    match window(&Params::from_uri(&uri)) {
        Ok(_) => reply::json(StatusCode::OK, &json!(state.zdx.apps)),
        Err(message) => bad_request(&message),
    }
}

pub(crate) fn app_not_found(id: &str) -> Response {
    zdx_error(StatusCode::NOT_FOUND, &format!("App {id} not found"))
}

async fn get_app(State(state): Shared, Path(id): Path<String>, uri: Uri) -> Response {
    if let Err(message) = window(&Params::from_uri(&uri)) {
        return bad_request(&message);
    }
    match find_app(&state, &id) {
        Some(app) => reply::json(StatusCode::OK, app),
        None => app_not_found(&id),
    }
}

/// A deterministic series around `base`: the same window always gives the same values.
pub(crate) fn series(
    metric: &str,
    unit: &str,
    app_id: i64,
    base: f64,
    spread: f64,
    (from, to): (i64, i64),
) -> Value {
    let first = from - from.rem_euclid(STEP_SECS) + STEP_SECS;
    let points: Vec<Value> = (0..)
        .map(|k| first + k * STEP_SECS)
        .take_while(|t| *t <= to)
        .take(10_000)
        .map(|t| {
            let wobble = ((t / STEP_SECS + app_id).rem_euclid(9) - 4) as f64 / 4.0;
            let value = ((base + wobble * spread) * 10.0).round() / 10.0;
            json!({"timestamp": t, "value": value})
        })
        .collect();
    json!({"metric": metric, "unit": unit, "datapoints": points})
}

fn app_base(app: &Value) -> (i64, f64) {
    (
        app.get("id").and_then(Value::as_i64).unwrap_or(0),
        app.get("score").and_then(Value::as_f64).unwrap_or(0.0),
    )
}

async fn app_score(State(state): Shared, Path(id): Path<String>, uri: Uri) -> Response {
    let span = match window(&Params::from_uri(&uri)) {
        Ok(span) => span,
        Err(message) => return bad_request(&message),
    };
    let Some(app) = find_app(&state, &id) else {
        return app_not_found(&id);
    };
    let (app_id, score) = app_base(app);
    reply::json(
        StatusCode::OK,
        &series("score", "", app_id, score.min(96.0), 4.0, span),
    )
}

/// `metric_name` values and the series they name: (param, metric, unit, base, spread).
const METRICS: &[(&str, &str, &str, f64, f64)] = &[
    ("pft", "page_fetch_time", "ms", 850.0, 200.0),
    ("dns", "dns_time", "ms", 24.0, 8.0),
    ("availability", "availability", "%", 99.2, 0.8),
];

async fn app_metrics(State(state): Shared, Path(id): Path<String>, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let span = match window(&params) {
        Ok(span) => span,
        Err(message) => return bad_request(&message),
    };
    let Some(app) = find_app(&state, &id) else {
        return app_not_found(&id);
    };
    let wanted = params.list("metric_name");
    if let Some(unknown) = wanted
        .iter()
        .find(|w| !METRICS.iter().any(|m| m.0 == w.as_str()))
    {
        return bad_request(&format!("unknown metric_name {unknown}"));
    }
    let (app_id, score) = app_base(app);
    // Worse apps are slower: scale page fetch and DNS time by the score gap.
    let slowness = 1.0 + (100.0 - score) / 25.0;
    let list: Vec<Value> = METRICS
        .iter()
        .filter(|m| wanted.is_empty() || wanted.iter().any(|w| w == m.0))
        .map(|(_, metric, unit, base, spread)| {
            let base = if *unit == "ms" {
                base * slowness
            } else {
                *base
            };
            series(metric, unit, app_id, base, *spread, span)
        })
        .collect();
    reply::json(StatusCode::OK, &Value::Array(list))
}

fn ids(params: &Params, keys: &[&str]) -> Result<Vec<i64>, String> {
    keys.iter()
        .flat_map(|k| params.list(k))
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| format!("{v} is not a valid id"))
        })
        .collect()
}

async fn list_devices(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    if let Err(message) = window(&params) {
        return bad_request(&message);
    }
    let filters = (|| -> Result<_, String> {
        Ok((
            ids(&params, &["user_ids", "userids"])?,
            ids(&params, &["loc"])?,
            ids(&params, &["dept"])?,
        ))
    })();
    let (user_ids, locations, departments) = match filters {
        Ok(filters) => filters,
        Err(message) => return bad_request(&message),
    };
    let emails: Vec<String> = params
        .list("emails")
        .iter()
        .map(|e| e.to_lowercase())
        .collect();
    let geos = params.list("geo");
    let matching: Vec<&Device> = state
        .zdx
        .devices
        .iter()
        .filter(|d| emails.is_empty() || emails.contains(&d.email))
        .filter(|d| user_ids.is_empty() || user_ids.contains(&d.user_id))
        .filter(|d| locations.is_empty() || locations.contains(&d.location_id))
        .filter(|d| departments.is_empty() || departments.contains(&d.department_id))
        .filter(|d| geos.is_empty() || geos.iter().any(|g| g == d.geo_id))
        .collect();
    let page = match zdx_window(matching.len(), &params) {
        Ok(page) => page,
        Err(message) => return bad_request(&message),
    };
    let devices: Vec<Value> = matching
        .get(page.start..page.end)
        .unwrap_or_default()
        .iter()
        .map(|d| d.summary.clone())
        .collect();
    reply::json(
        StatusCode::OK,
        &json!({"devices": devices, "next_offset": page.next_offset}),
    )
}

async fn get_device(State(state): Shared, Path(id): Path<String>) -> Response {
    let device = id.parse::<i64>().ok().and_then(|id| {
        state
            .zdx
            .devices
            .iter()
            .find(|d| d.summary.get("id").and_then(Value::as_i64) == Some(id))
    });
    match device {
        Some(device) => reply::json(StatusCode::OK, &device.detail),
        None => zdx_error(StatusCode::NOT_FOUND, &format!("Device {id} not found")),
    }
}
