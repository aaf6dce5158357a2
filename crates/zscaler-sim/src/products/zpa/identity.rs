//! Identity lookups scoped by IdP: SAML attributes of one IdP, SCIM attributes
//! (`/idp/{idpId}/scimattribute`) and SCIM groups, which the userconfig API
//! (`/zpa/userconfig/v1/customers/{cid}`) serves with numeric ids and integer page counts.

use super::*;

const USERCONFIG: &str = "/zpa/userconfig/v1/customers/{cid}";

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(
            &format!("{V2}/samlAttribute/idp/{{idp}}"),
            get(saml_attributes_of_idp),
        )
        .route(
            &format!("{V1}/idp/{{idp}}/scimattribute"),
            get(scim_attributes),
        )
        .route(
            &format!("{V1}/idp/{{idp}}/scimattribute/{{id}}"),
            get(scim_attribute),
        )
        .route(
            &format!("{USERCONFIG}/scimgroup/idpId/{{idp}}"),
            get(scim_groups),
        )
        .route(&format!("{USERCONFIG}/scimgroup/{{id}}"), get(scim_group))
}

/// The stored resource, or a 404 naming it (it always exists; keeps handlers panic-free).
fn stored(path: &str) -> Result<&'static ZpaResource, Refusal> {
    resource(path).ok_or_else(|| Refusal::not_found("Resource", path))
}

async fn saml_attributes_of_idp(
    State(state): Shared,
    Path((cid, idp)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    answer(
        StatusCode::OK,
        stored("samlAttribute")
            .and_then(|r| list_page(&tenant.zpa, r, &params, Some(("idpId", &idp)))),
    )
}

async fn scim_attributes(
    State(state): Shared,
    Path((cid, idp)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    answer(
        StatusCode::OK,
        stored("scimAttribute")
            .and_then(|r| list_page(&tenant.zpa, r, &params, Some(("idpId", &idp)))),
    )
}

async fn scim_attribute(
    State(state): Shared,
    Path((cid, idp, id)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    answer(
        StatusCode::OK,
        stored("scimAttribute")
            .and_then(|r| read_one(&tenant.zpa, r, &id, &params, Some(("idpId", &idp)))),
    )
}

async fn scim_groups(
    State(state): Shared,
    Path((cid, idp)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    let page = stored("scimGroup")
        .and_then(|r| list_page(&tenant.zpa, r, &params, Some(("idpId", &idp))))
        .map(numeric_counts);
    answer(StatusCode::OK, page)
}

async fn scim_group(
    State(state): Shared,
    Path((cid, id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let params = Params::from_uri(&uri);
    answer(
        StatusCode::OK,
        stored("scimGroup").and_then(|r| read_one(&tenant.zpa, r, &id, &params, None)),
    )
}

/// The userconfig API counts with integers (zscaler-api.md 4).
fn numeric_counts(mut page: Value) -> Value {
    for key in ["totalPages", "totalCount"] {
        let number = page
            .get(key)
            .and_then(Value::as_str)
            .and_then(|n| n.parse::<u64>().ok());
        if let (Some(number), Some(fields)) = (number, page.as_object_mut()) {
            fields.insert(key.into(), Value::from(number));
        }
    }
    page
}
