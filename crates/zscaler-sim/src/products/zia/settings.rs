//! ZIA's singleton settings (advanced, ATP, malware, mobile, sandbox behavioural analysis):
//! GET answers the object, PUT replaces it whole (fields left out reset to off/empty); and the
//! URL lists changed with `?action=ADD_TO_LIST|REMOVE_FROM_LIST`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post, put};
use serde_json::{Map, Value, json};

use super::{PREFIX, Shared, object_body, ok, string_list};
use crate::params::Params;
use crate::reply::{zia_invalid, zia_not_found};
use crate::state::SimState;

/// Singleton settings paths (under the prefix), also their keys in `ZiaTenant::settings`.
pub(crate) const SETTINGS: [&str; 9] = [
    "advancedSettings",
    "cyberThreatProtection/atpMalwareInspection",
    "cyberThreatProtection/malwarePolicy",
    "cyberThreatProtection/atpMalwareProtocols",
    "cyberThreatProtection/malwareSettings",
    "cyberThreatProtection/securityExceptions",
    "cyberThreatProtection/advancedThreatSettings",
    "mobileAdvanceThreatSettings",
    "behavioralAnalysisAdvancedSettings",
];

/// URL lists: (path, the body field holding the list, method that changes it).
pub(crate) const URL_LISTS: [(&str, &str, ListMethod); 2] = [
    (
        "cyberThreatProtection/maliciousUrls",
        "maliciousUrls",
        ListMethod::Put,
    ),
    ("authSettings/exemptedUrls", "urls", ListMethod::Post),
];

/// How a URL list is changed: ATP's list takes PUT, the auth exemptions POST.
#[derive(Clone, Copy)]
pub(crate) enum ListMethod {
    Put,
    Post,
}

/// How many file hashes the sandbox block list holds at most.
const FILE_HASH_CAPACITY: usize = 10_000;

pub(super) fn routes() -> Router<Arc<SimState>> {
    let mut router = Router::new();
    for path in SETTINGS {
        router = router.route(
            &format!("{PREFIX}/{path}"),
            get(move |s: Shared| read(path, s))
                .put(move |s: Shared, body: Bytes| replace(path, s, body)),
        );
    }
    for (path, field, method) in URL_LISTS {
        let change = move |s: Shared, uri: Uri, body: Bytes| change_list(path, field, s, uri, body);
        let writer: MethodRouter<Arc<SimState>> = match method {
            ListMethod::Put => put(change),
            ListMethod::Post => post(change),
        };
        router = router.route(
            &format!("{PREFIX}/{path}"),
            writer.get(move |s: Shared| read(path, s)),
        );
    }
    router.route(
        &format!("{PREFIX}/behavioralAnalysisAdvancedSettings/fileHashCount"),
        get(file_hash_count),
    )
}

async fn read(path: &'static str, State(state): Shared) -> Response {
    match state.tenant.lock().await.zia.settings.get(path) {
        Some(settings) => ok(settings),
        None => zia_not_found("Settings", path),
    }
}

/// The value a field takes when a PUT leaves it out.
fn blank(value: &Value) -> Value {
    match value {
        Value::Bool(_) => Value::Bool(false),
        Value::Array(_) => json!([]),
        Value::Number(_) => json!(0),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), blank(v))).collect())
        }
        other => other.clone(),
    }
}

async fn replace(path: &'static str, State(state): Shared, body: Bytes) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(current) = zia.settings.get_mut(path) else {
        return zia_not_found("Settings", path);
    };
    if let Some(field) = body.keys().find(|k| current.get(k.as_str()).is_none()) {
        return zia_invalid(&format!("Unknown field {field}"));
    }
    let mut updated = blank(current);
    crate::seed::merge(&mut updated, Value::Object(body));
    *current = updated.clone();
    zia.pending = true;
    ok(&updated)
}

async fn change_list(
    path: &'static str,
    field: &'static str,
    State(state): Shared,
    uri: Uri,
    body: Bytes,
) -> Response {
    let params = Params::from_uri(&uri);
    let body: Map<String, Value> = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let given = string_list(body.get(field));
    if given.is_empty() {
        return zia_invalid(&format!("{field} cannot be empty"));
    }
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(current) = zia.settings.get_mut(path) else {
        return zia_not_found("Settings", path);
    };
    let mut entries = string_list(current.get(field));
    match params.get("action") {
        Some("ADD_TO_LIST") => {
            for entry in given {
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
        }
        Some("REMOVE_FROM_LIST") => entries.retain(|e| !given.contains(e)),
        _ => return zia_invalid("action must be ADD_TO_LIST or REMOVE_FROM_LIST"),
    }
    crate::seed::merge(current, json!({ field: entries }));
    let updated = current.clone();
    zia.pending = true;
    ok(&updated)
}

async fn file_hash_count(State(state): Shared) -> Response {
    let tenant = state.tenant.lock().await;
    let blocked = tenant
        .zia
        .settings
        .get("behavioralAnalysisAdvancedSettings")
        .map_or(0, |s| string_list(s.get("fileHashesToBeBlocked")).len());
    ok(&json!({
        "blockedFileHashesCount": blocked,
        "remainingFileHashes": FILE_HASH_CAPACITY.saturating_sub(blocked),
    }))
}
