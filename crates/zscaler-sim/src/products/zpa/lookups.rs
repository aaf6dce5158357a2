//! The ZPA endpoints that are not one resource's CRUD: bulk deletes of enrolled appliances,
//! application segments by type, browser-isolation profiles (a bare array, as the CBI API
//! answers) and the LSS reference catalogs (log formats, client types, status codes).

use super::*;

const CBI: &str = "/zpa/cbiconfig/cbi/api/customers/{cid}";
const LSS_ADMIN: &str = "/zpa/mgmtconfig/v2/admin/lssConfig";

pub(super) fn routes() -> Router<Arc<SimState>> {
    route_table([
        (
            format!("{V1}/connector/bulkDelete"),
            bulk_delete_route("connector"),
        ),
        (
            format!("{V1}/serviceEdge/bulkDelete"),
            bulk_delete_route("serviceEdge"),
        ),
        (format!("{V1}/application/getAppsByType"), get(apps_by_type)),
        (format!("{CBI}/profiles"), get(isolation_profiles)),
        (format!("{V2}/lssConfig/logType/formats"), get(log_formats)),
        (
            format!("{LSS_ADMIN}/customers/{{cid}}/clientTypes"),
            get(client_types),
        ),
        (format!("{LSS_ADMIN}/statusCodes"), get(status_codes)),
    ])
}

fn bulk_delete_route(path: &'static str) -> MethodRouter<Arc<SimState>> {
    post(move |s: Shared, p: Path<String>, u: Uri, b: Bytes| bulk_delete(path, s, p, u, b))
}

/// `POST .../bulkDelete` with `{"ids": [...]}`: all or nothing, 204.
async fn bulk_delete(
    path: &'static str,
    State(state): Shared,
    Path(cid): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let body = customer_body(&cid, &body)?;
    let ids: Vec<String> = body
        .get("ids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(scalar_text)
        .collect();
    if ids.is_empty() {
        return Err(Refusal::bad("ids is required"));
    }
    let params = Params::from_uri(&uri);
    let mut tenant = state.tenant.lock().await;
    let zpa = &mut tenant.zpa;
    let what = resource(path).map_or("Record", |r| r.what);
    if let Some(missing) = ids.iter().find(|id| {
        find(zpa, path, id)
            .filter(|r| visible(r, &params))
            .is_none()
    }) {
        return Err(Refusal::not_found(what, missing));
    }
    if let Some(items) = zpa.collections.get_mut(path) {
        items.retain(|r| !ids.contains(&text(r, "id")));
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

/// The per-type entries of application segments: browser-access apps
/// (`clientlessApps`), PRA apps (`commonAppsDto.appsConfig`) and inspected apps
/// (`inspectionApps`), each with the segment's `appId`.
async fn apps_by_type(State(state): Shared, Path(cid): Path<String>, uri: Uri) -> Answer {
    customer(&cid)?;
    let params = Params::from_uri(&uri);
    let source: fn(&Value) -> Vec<Value> = match params.get("applicationType").unwrap_or("") {
        "BROWSER_ACCESS" => |a: &Value| refs(a, "clientlessApps"),
        "SECURE_REMOTE_ACCESS" => |a: &Value| {
            a.get("commonAppsDto")
                .map(|dto| refs(dto, "appsConfig"))
                .unwrap_or_default()
        },
        "INSPECT" => |a: &Value| refs(a, "inspectionApps"),
        other => {
            return Err(Refusal::bad(&format!(
                "Invalid applicationType {other}; expected BROWSER_ACCESS, SECURE_REMOTE_ACCESS or INSPECT"
            )));
        }
    };
    let apps = state
        .tenant
        .lock()
        .await
        .zpa
        .records("application")
        .to_vec();
    let entries: Vec<Value> = scope(apps, &params)
        .iter()
        .flat_map(|app| {
            let app_id = text(app, "id");
            source(app).into_iter().map(move |mut entry| {
                merge(&mut entry, json!({"appId": app_id}));
                entry
            })
        })
        .collect();
    let page = paged(search(entries, &params)?, &params)?;
    Ok(reply::json(StatusCode::OK, &page))
}

/// CBI lists are bare arrays.
async fn isolation_profiles(State(state): Shared, Path(cid): Path<String>) -> Answer {
    customer(&cid)?;
    let profiles = state.tenant.lock().await.zpa.records("cbiProfile").to_vec();
    Ok(reply::json(StatusCode::OK, &Value::Array(profiles)))
}

async fn log_formats(Path(cid): Path<String>, uri: Uri) -> Answer {
    customer(&cid)?;
    let params = Params::from_uri(&uri);
    let log_type = params.get("logType").unwrap_or("");
    let formats = data::lss_log_format(log_type)
        .ok_or_else(|| Refusal::bad(&format!("Invalid logType {log_type}")))?;
    Ok(reply::json(StatusCode::OK, &formats))
}

async fn client_types(Path(cid): Path<String>) -> Answer {
    customer(&cid)?;
    Ok(reply::json(StatusCode::OK, &data::lss_client_types()))
}

async fn status_codes() -> Response {
    reply::json(StatusCode::OK, &data::lss_status_codes())
}
