//! Provisioning keys, which live below their association type
//! (`/associationType/{CONNECTOR_GRP|SERVICE_EDGE_GRP}/provisioningKey[/{id}]`). A new key gets
//! the enrolment secret ZPA generates; it is returned on every read, as ZPA does.

use super::*;

/// The association types ZPA accepts.
const KEY_TYPES: [&str; 2] = ["CONNECTOR_GRP", "SERVICE_EDGE_GRP"];

pub(super) fn routes() -> Router<Arc<SimState>> {
    let base = format!("{V1}/associationType/{{kind}}/provisioningKey");
    Router::new()
        .route(&base, get(list_keys).post(create_key))
        .route(
            &format!("{base}/{{id}}"),
            get(read_key).put(update_key).delete(delete_key),
        )
}

/// The provisioning-key resource and the association type, or ZPA's 400 for an unknown type.
fn checked(kind: &str) -> Result<&'static ZpaResource, Refusal> {
    if !KEY_TYPES.contains(&kind) {
        return Err(Refusal::bad(&format!(
            "Invalid association type {kind}; expected CONNECTOR_GRP or SERVICE_EDGE_GRP"
        )));
    }
    resource("provisioningKey").ok_or_else(|| Refusal::not_found("Resource", "provisioningKey"))
}

async fn list_keys(
    State(state): Shared,
    Path((cid, kind)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    answer(
        StatusCode::OK,
        checked(&kind)
            .and_then(|r| list_page(&tenant.zpa, r, &params, Some(("associationType", &kind)))),
    )
}

async fn read_key(
    State(state): Shared,
    Path((cid, kind, id)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    answer(
        StatusCode::OK,
        checked(&kind).and_then(|r| {
            read_one(
                &tenant.zpa,
                r,
                &id,
                &params,
                Some(("associationType", &kind)),
            )
        }),
    )
}

async fn create_key(
    State(state): Shared,
    Path((cid, kind)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let mut body = match object_body(&body) {
        Ok(body) => body,
        Err(refusal) => return refusal.render(),
    };
    let mut tenant = state.tenant.lock().await;
    let zpa = &mut tenant.zpa;
    body.insert(
        "provisioningKey".into(),
        Value::String(format!(
            "3|api.private.zscaler.com|{:x}",
            zpa.next_id.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        )),
    );
    let params = Params::from_uri(&uri);
    answer(
        StatusCode::CREATED,
        checked(&kind)
            .and_then(|r| create_one(zpa, r, &params, body, Some(("associationType", &kind)))),
    )
}

async fn update_key(
    State(state): Shared,
    Path((cid, kind, id)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(refusal) => return refusal.render(),
    };
    let mut tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    no_content(checked(&kind).and_then(|r| {
        update_one(
            &mut tenant.zpa,
            r,
            &id,
            &params,
            body,
            Some(("associationType", &kind)),
        )
    }))
}

async fn delete_key(
    State(state): Shared,
    Path((cid, kind, id)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let mut tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    no_content(checked(&kind).and_then(|r| {
        remove_one(
            &mut tenant.zpa,
            r,
            &id,
            &params,
            Some(("associationType", &kind)),
        )
    }))
}
