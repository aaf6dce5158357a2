//! ZPA management API (`/zpa/mgmtconfig/v{1,2}/admin/customers/{cid}`): segment groups,
//! application segments, server and connector groups, connectors and policy rules. String ids
//! and times, `page`/`pagesize` envelopes with string counts, the `search` grammar,
//! `microtenantId` scoping, POST 201, PUT 204, DELETE 204.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};

use crate::DEMO_CUSTOMER_ID;
use crate::paging::zpa_page;
use crate::params::Params;
use crate::reply::{self, empty, zpa_error};
use crate::seed::{merge, zpa as data};
use crate::state::{SimState, now_secs};

const V1: &str = "/zpa/mgmtconfig/v1/admin/customers/{cid}";
const V2: &str = "/zpa/mgmtconfig/v2/admin/customers/{cid}";

/// ZPA's mutable state.
pub(crate) struct ZpaTenant {
    /// Records keyed by their path segment (`segmentGroup`, `application`, ...).
    pub collections: HashMap<&'static str, Vec<Value>>,
    pub policy_sets: Vec<PolicySet>,
    pub next_id: u64,
    pub next_condition_id: u64,
}

/// One policy set and its ordered rules.
pub(crate) struct PolicySet {
    pub kind: &'static PolicyKind,
    pub set: Value,
    pub rules: Vec<Value>,
}

/// A policy type: its API name, numeric `policyType` string and allowed actions.
pub(crate) struct PolicyKind {
    pub name: &'static str,
    pub number: &'static str,
    pub set_name: &'static str,
    pub description: &'static str,
    /// How seeded rule names start.
    pub label: &'static str,
    pub actions: &'static [&'static str],
}

/// The policy types the simulator serves (the numeric codes are the simulator's own).
pub(crate) static POLICY_TYPES: [PolicyKind; 5] = [
    PolicyKind {
        name: "ACCESS_POLICY",
        number: "1",
        set_name: "Global_Policy",
        description: "The rules in this policy set are executed first.",
        label: "Allow",
        actions: &["ALLOW", "DENY"],
    },
    PolicyKind {
        name: "TIMEOUT_POLICY",
        number: "2",
        set_name: "Reauth_Policy",
        description: "Re-authentication timeouts.",
        label: "Reauth",
        actions: &["RE_AUTH"],
    },
    PolicyKind {
        name: "CLIENT_FORWARDING_POLICY",
        number: "3",
        set_name: "Bypass_Policy",
        description: "Client forwarding decisions.",
        label: "Forward",
        actions: &["INTERCEPT", "BYPASS", "INTERCEPT_ACCESSIBLE"],
    },
    PolicyKind {
        name: "ISOLATION_POLICY",
        number: "5",
        set_name: "Isolation_Policy",
        description: "Browser isolation decisions.",
        label: "Isolate",
        actions: &["ISOLATE", "BYPASS_ISOLATE"],
    },
    PolicyKind {
        name: "INSPECTION_POLICY",
        number: "6",
        set_name: "Inspection_Policy",
        description: "AppProtection inspection decisions.",
        label: "Inspect",
        actions: &["INSPECT", "BYPASS_INSPECT"],
    },
];

/// A ZPA resource served by the generic handlers.
struct ZpaResource {
    path: &'static str,
    what: &'static str,
    required: &'static [&'static str],
    defaults: fn() -> Value,
    creatable: bool,
}

static RESOURCES: [ZpaResource; 5] = [
    ZpaResource {
        path: "segmentGroup",
        what: "Segment group",
        required: &["name"],
        defaults: segment_group_defaults,
        creatable: true,
    },
    ZpaResource {
        path: "application",
        what: "Application segment",
        required: &["name", "domainNames", "segmentGroupId"],
        defaults: application_defaults,
        creatable: true,
    },
    ZpaResource {
        path: "serverGroup",
        what: "Server group",
        required: &["name", "appConnectorGroups"],
        defaults: server_group_defaults,
        creatable: true,
    },
    ZpaResource {
        path: "appConnectorGroup",
        what: "App connector group",
        required: &["name"],
        defaults: connector_group_defaults,
        creatable: true,
    },
    ZpaResource {
        path: "connector",
        what: "App connector",
        required: &["name"],
        defaults: connector_defaults,
        creatable: false,
    },
];

/// Fields ZPA fills in on a new segment group.
pub(crate) fn segment_group_defaults() -> Value {
    json!({"enabled": true, "configSpace": "DEFAULT", "tcpKeepAliveEnabled": "0",
           "readOnly": false, "zscalerManaged": false, "microtenantName": "Default"})
}

/// Fields ZPA fills in on a new application segment.
pub(crate) fn application_defaults() -> Value {
    json!({
        "enabled": true, "serverGroups": [], "tcpPortRanges": [], "tcpPortRange": [],
        "udpPortRanges": [], "udpPortRange": [], "doubleEncrypt": false, "configSpace": "DEFAULT",
        "bypassType": "NEVER", "healthCheckType": "DEFAULT", "healthReporting": "ON_ACCESS",
        "icmpAccessType": "NONE", "isCnameEnabled": true, "ipAnchored": false,
        "bypassOnReauth": false, "inspectTrafficWithZia": false, "passiveHealthEnabled": true,
        "selectConnectorCloseToApp": false, "useInDrMode": false, "tcpKeepAlive": "0",
        "matchStyle": "EXCLUSIVE", "isIncompleteDRConfig": false, "adpEnabled": false,
        "autoAppProtectEnabled": false, "apiProtectionEnabled": false, "fqdnDnsCheck": false,
        "weightedLoadBalancing": false, "extranetEnabled": false, "policyStyle": "NONE",
        "readOnly": false, "zscalerManaged": false, "microtenantName": "Default",
    })
}

fn server_group_defaults() -> Value {
    json!({"enabled": true, "ipAnchored": false, "configSpace": "DEFAULT",
           "extranetEnabled": false, "dynamicDiscovery": true, "readOnly": false,
           "zscalerManaged": false, "microtenantName": "Default", "servers": []})
}

fn connector_group_defaults() -> Value {
    json!({"enabled": true, "connectorGroupType": "APP", "useInDrMode": false,
           "wafDisabled": false, "lssAppConnectorGroup": false, "readOnly": false,
           "zscalerManaged": false, "upgradeDay": "SUNDAY", "upgradeTimeInSecs": "66600",
           "upgradePriority": "WEEK", "versionProfileId": "0", "versionProfileName": "Default",
           "versionProfileVisibilityScope": "ALL", "dnsQueryType": "IPV4_IPV6",
           "microtenantName": "Default"})
}

fn connector_defaults() -> Value {
    json!({"enabled": true, "microtenantName": "Default"})
}

/// `["9001","9001","443","443"]` as `[{"from","to"}]`.
pub(crate) fn port_pairs(flat: &[&str]) -> Value {
    Value::Array(
        flat.chunks(2)
            .map(|pair| {
                let from = pair.first().copied().unwrap_or("");
                let to = pair.get(1).copied().unwrap_or(from);
                json!({"from": from, "to": to})
            })
            .collect(),
    )
}

type Shared = State<Arc<SimState>>;

/// A ZPA error not yet rendered, so `Result`s stay small.
struct Refusal {
    status: StatusCode,
    id: &'static str,
    reason: String,
}

impl Refusal {
    fn new(status: StatusCode, id: &'static str, reason: &str) -> Self {
        Self {
            status,
            id,
            reason: reason.to_owned(),
        }
    }

    fn bad(reason: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad.request", reason)
    }

    fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource.not.found",
            &format!("{what} {id} does not exist"),
        )
    }

    fn render(self) -> Response {
        zpa_error(self.status, self.id, &self.reason)
    }
}

pub(crate) fn routes() -> Router<Arc<SimState>> {
    let mut router = Router::new()
        .route(
            &format!("{V1}/policySet/policyType/{{kind}}"),
            get(get_policy_set),
        )
        .route(
            &format!("{V1}/policySet/rules/policyType/{{kind}}"),
            get(list_rules),
        )
        .route(&format!("{V1}/policySet/{{set}}/rule"), post(create_rule))
        .route(&format!("{V2}/policySet/{{set}}/rule"), post(create_rule))
        .route(
            &format!("{V1}/policySet/{{set}}/rule/{{rule}}"),
            get(get_rule).put(update_rule).delete(delete_rule),
        )
        .route(
            &format!("{V2}/policySet/{{set}}/rule/{{rule}}"),
            put(update_rule),
        );
    for resource in &RESOURCES {
        if resource.path == "segmentGroup" {
            // Segment groups are also updated through the v2 prefix (zscaler-api.md 1.5).
            router = router.route(
                &format!("{V2}/segmentGroup/{{id}}"),
                put(
                    move |s: Shared, p: Path<(String, String)>, u: Uri, b: Bytes| {
                        update(resource, s, p, u, b)
                    },
                ),
            );
        }
        let collection = if resource.creatable {
            get(move |s: Shared, p: Path<String>, u: Uri| list(resource, s, p, u)).post(
                move |s: Shared, p: Path<String>, u: Uri, b: Bytes| create(resource, s, p, u, b),
            )
        } else {
            get(move |s: Shared, p: Path<String>, u: Uri| list(resource, s, p, u))
        };
        router = router
            .route(&format!("{V1}/{}", resource.path), collection)
            .route(
                &format!("{V1}/{}/{{id}}", resource.path),
                get(move |s: Shared, p: Path<(String, String)>, u: Uri| read(resource, s, p, u))
                    .put(
                        move |s: Shared, p: Path<(String, String)>, u: Uri, b: Bytes| {
                            update(resource, s, p, u, b)
                        },
                    )
                    .delete(move |s: Shared, p: Path<(String, String)>, u: Uri| {
                        remove(resource, s, p, u)
                    }),
            );
    }
    router
}

fn wrong_customer(cid: &str) -> Option<Response> {
    (cid != DEMO_CUSTOMER_ID).then(|| {
        zpa_error(
            StatusCode::BAD_REQUEST,
            "non.restricted.entity.authorization.failed",
            "The customer id does not match the authenticated tenant",
        )
    })
}

fn text(record: &Value, key: &str) -> String {
    match record.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Keeps records of the requested microtenant (`0` is the default one) or all records.
fn scope(items: Vec<Value>, params: &Params) -> Vec<Value> {
    match params.get("microtenantId").filter(|m| !m.is_empty()) {
        None => items,
        Some(wanted) => items.into_iter().filter(|r| in_scope(r, wanted)).collect(),
    }
}

fn in_scope(record: &Value, microtenant: &str) -> bool {
    let owner = text(record, "microtenantId");
    owner == microtenant || (microtenant == "0" && owner.is_empty())
}

/// Applies ZPA's `search` (`field+OP+value`; a bare term means `name CONTAINS term`).
fn search(items: Vec<Value>, params: &Params) -> Result<Vec<Value>, String> {
    let Some(expression) = params.get("search").filter(|s| !s.trim().is_empty()) else {
        return Ok(items);
    };
    let mut parts = expression.splitn(3, '+');
    let (field, op, value) = match (parts.next(), parts.next(), parts.next()) {
        (Some(f), Some(o), Some(v)) => (f.trim(), o.trim().to_uppercase(), v.to_lowercase()),
        _ => ("name", "CONTAINS".to_owned(), expression.to_lowercase()),
    };
    let test: fn(&str, &str) -> bool = match op.as_str() {
        "EQ" => |a, b| a == b,
        "NE" => |a, b| a != b,
        "CONTAINS" => |a, b| a.contains(b),
        "STARTSWITH" => |a, b| a.starts_with(b),
        "ENDSWITH" => |a, b| a.ends_with(b),
        "GT" => |a, b| compare(a, b).is_some_and(std::cmp::Ordering::is_gt),
        "LT" => |a, b| compare(a, b).is_some_and(std::cmp::Ordering::is_lt),
        "GE" => |a, b| compare(a, b).is_some_and(std::cmp::Ordering::is_ge),
        "LE" => |a, b| compare(a, b).is_some_and(std::cmp::Ordering::is_le),
        other => return Err(format!("Unsupported search operator {other}")),
    };
    Ok(items
        .into_iter()
        .filter(|r| test(&text(r, field).to_lowercase(), &value))
        .collect())
}

fn compare(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let (a, b) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
    a.partial_cmp(&b)
}

fn find<'a>(tenant: &'a ZpaTenant, path: &str, id: &str) -> Option<&'a Value> {
    tenant
        .collections
        .get(path)?
        .iter()
        .find(|r| text(r, "id") == id)
}

fn name_ref(tenant: &ZpaTenant, path: &str, reference: &Value) -> Value {
    let id = text(reference, "id");
    match find(tenant, path, &id) {
        Some(record) => json!({"id": id, "name": text(record, "name"),
                               "enabled": record.get("enabled").cloned().unwrap_or(json!(true))}),
        None => reference.clone(),
    }
}

fn refs(record: &Value, key: &str) -> Vec<Value> {
    record
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The record as ZPA reads it back: references expanded with names, related records listed.
fn view(tenant: &ZpaTenant, path: &str, record: &Value) -> Value {
    let mut out = record.clone();
    let id = text(record, "id");
    let related = |collection: &str, key: &str| -> Vec<Value> {
        tenant
            .collections
            .get(collection)
            .map(|items| {
                items
                    .iter()
                    .filter(|r| {
                        text(r, key) == id || refs(r, key).iter().any(|x| text(x, "id") == id)
                    })
                    .map(|r| {
                        json!({"id": text(r, "id"), "name": text(r, "name"),
                                    "enabled": r.get("enabled").cloned().unwrap_or(json!(true))})
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let extra = match path {
        "segmentGroup" => json!({"applications": related("application", "segmentGroupId")}),
        "application" => {
            let group = text(record, "segmentGroupId");
            let group_name = find(tenant, "segmentGroup", &group).map(|g| text(g, "name"));
            let servers: Vec<Value> = refs(record, "serverGroups")
                .iter()
                .map(|r| name_ref(tenant, "serverGroup", r))
                .collect();
            json!({"segmentGroupName": group_name.unwrap_or_default(), "serverGroups": servers})
        }
        "serverGroup" => {
            let groups: Vec<Value> = refs(record, "appConnectorGroups")
                .iter()
                .map(|r| name_ref(tenant, "appConnectorGroup", r))
                .collect();
            json!({"appConnectorGroups": groups, "applications": related("application", "serverGroups")})
        }
        "appConnectorGroup" => json!({
            "connectors": related("connector", "appConnectorGroupId"),
            "serverGroups": related("serverGroup", "appConnectorGroups"),
        }),
        _ => json!({}),
    };
    merge(&mut out, extra);
    out
}

async fn list(
    resource: &'static ZpaResource,
    State(state): Shared,
    Path(cid): Path<String>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let params = Params::from_uri(&uri);
    let tenant = state.tenant.lock().await;
    let items = tenant
        .zpa
        .collections
        .get(resource.path)
        .cloned()
        .unwrap_or_default();
    let items = match search(scope(items, &params), &params) {
        Ok(items) => items,
        Err(reason) => return Refusal::bad(&reason).render(),
    };
    let items: Vec<Value> = items
        .iter()
        .map(|r| view(&tenant.zpa, resource.path, r))
        .collect();
    drop(tenant);
    match zpa_page(items, &params) {
        Ok(page) => reply::json(StatusCode::OK, &page),
        Err(reason) => Refusal::bad(&reason).render(),
    }
}

async fn read(
    resource: &'static ZpaResource,
    State(state): Shared,
    Path((cid, id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let params = Params::from_uri(&uri);
    let tenant = state.tenant.lock().await;
    match find(&tenant.zpa, resource.path, &id).filter(|r| visible(r, &params)) {
        Some(record) => reply::json(StatusCode::OK, &view(&tenant.zpa, resource.path, record)),
        None => Refusal::not_found(resource.what, &id).render(),
    }
}

/// A record is visible unless the request is scoped to another microtenant.
fn visible(record: &Value, params: &Params) -> bool {
    params
        .get("microtenantId")
        .filter(|m| !m.is_empty())
        .is_none_or(|m| in_scope(record, m))
}

fn object_body(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match reply::parse_body(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Refusal::bad("Request body must be a JSON object")),
        Err(reason) => Err(Refusal::bad(&reason)),
    }
}

/// Checks required fields and references; `Err` is ZPA's 400.
fn validate(
    tenant: &ZpaTenant,
    resource: &ZpaResource,
    record: &Value,
    id: Option<&str>,
) -> Result<(), Refusal> {
    if let Some(field) = resource
        .required
        .iter()
        .find(|f| record.get(**f).is_none_or(Value::is_null))
    {
        return Err(Refusal::bad(&format!("{field} is required")));
    }
    let name = text(record, "name").to_lowercase();
    let duplicate = tenant.collections.get(resource.path).is_some_and(|items| {
        items
            .iter()
            .any(|r| text(r, "name").to_lowercase() == name && Some(text(r, "id").as_str()) != id)
    });
    if duplicate {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "resource.already.exist",
            &format!(
                "{} with name {} already exists",
                resource.what,
                text(record, "name")
            ),
        ));
    }
    if resource.path == "application" {
        let group = text(record, "segmentGroupId");
        if find(tenant, "segmentGroup", &group).is_none() {
            return Err(Refusal::not_found("Segment group", &group));
        }
    }
    Ok(())
}

/// Fields derived from others (port range objects from the flat string pairs).
fn derive(record: &mut Value) {
    for (flat, pairs) in [
        ("tcpPortRanges", "tcpPortRange"),
        ("udpPortRanges", "udpPortRange"),
    ] {
        let ports: Vec<String> = refs(record, flat)
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        if !ports.is_empty() {
            let borrowed: Vec<&str> = ports.iter().map(String::as_str).collect();
            merge(record, json!({flat: ports, pairs: port_pairs(&borrowed)}));
        }
    }
}

fn microtenant_fields(params: &Params, body: &Map<String, Value>) -> Value {
    let owner = body
        .get("microtenantId")
        .and_then(Value::as_str)
        .or_else(|| params.get("microtenantId"))
        .filter(|m| !m.is_empty() && *m != "0");
    match owner {
        Some(id) if id == data::MICROTENANT.0 => {
            json!({"microtenantId": id, "microtenantName": data::MICROTENANT.1})
        }
        Some(id) => json!({"microtenantId": id}),
        None => json!({}),
    }
}

async fn create(
    resource: &'static ZpaResource,
    State(state): Shared,
    Path(cid): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let params = Params::from_uri(&uri);
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(refusal) => return refusal.render(),
    };
    let mut record = (resource.defaults)();
    let owner = microtenant_fields(&params, &body);
    merge(&mut record, Value::Object(body));
    merge(&mut record, owner);
    derive(&mut record);
    let mut tenant = state.tenant.lock().await;
    let zpa = &mut tenant.zpa;
    if let Err(refusal) = validate(zpa, resource, &record, None) {
        return refusal.render();
    }
    let id = zpa.next_id.to_string();
    zpa.next_id = zpa.next_id.saturating_add(1);
    let now = now_secs().to_string();
    merge(
        &mut record,
        json!({"id": id, "creationTime": now, "modifiedTime": now, "modifiedBy": data::ADMIN_ID}),
    );
    zpa.collections
        .entry(resource.path)
        .or_default()
        .push(record.clone());
    let shown = view(zpa, resource.path, &record);
    reply::json(StatusCode::CREATED, &shown)
}

async fn update(
    resource: &'static ZpaResource,
    State(state): Shared,
    Path((cid, id)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let params = Params::from_uri(&uri);
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(refusal) => return refusal.render(),
    };
    let mut tenant = state.tenant.lock().await;
    let zpa = &mut tenant.zpa;
    let Some(current) = find(zpa, resource.path, &id)
        .filter(|r| visible(r, &params))
        .cloned()
    else {
        return Refusal::not_found(resource.what, &id).render();
    };
    let mut record = current;
    merge(&mut record, Value::Object(body));
    derive(&mut record);
    merge(
        &mut record,
        json!({"id": id, "modifiedTime": now_secs().to_string(), "modifiedBy": data::ADMIN_ID}),
    );
    if let Err(refusal) = validate(zpa, resource, &record, Some(&id)) {
        return refusal.render();
    }
    if let Some(slot) = zpa
        .collections
        .get_mut(resource.path)
        .and_then(|items| items.iter_mut().find(|r| text(r, "id") == id))
    {
        *slot = record;
    }
    empty(StatusCode::NO_CONTENT)
}

/// Whether any policy rule names the record in an operand.
fn referenced_by_rules(tenant: &ZpaTenant, id: &str) -> bool {
    tenant.policy_sets.iter().any(|set| {
        set.rules.iter().any(|rule| {
            refs(rule, "conditions").iter().any(|c| {
                refs(c, "operands")
                    .iter()
                    .any(|o| text(o, "lhs") == "id" && text(o, "rhs") == id)
            })
        })
    })
}

async fn remove(
    resource: &'static ZpaResource,
    State(state): Shared,
    Path((cid, id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let params = Params::from_uri(&uri);
    let mut tenant = state.tenant.lock().await;
    let zpa = &mut tenant.zpa;
    if find(zpa, resource.path, &id)
        .filter(|r| visible(r, &params))
        .is_none()
    {
        return Refusal::not_found(resource.what, &id).render();
    }
    if resource.path == "application"
        && !params.flag("forceDelete")
        && referenced_by_rules(zpa, &id)
    {
        return zpa_error(
            StatusCode::BAD_REQUEST,
            "resource.in.use",
            "The application segment is used by a policy rule; delete with forceDelete=true",
        );
    }
    if let Some(items) = zpa.collections.get_mut(resource.path) {
        items.retain(|r| text(r, "id") != id);
    }
    empty(StatusCode::NO_CONTENT)
}

// --- policy sets and rules --------------------------------------------------------------------

fn set_by_kind<'a>(tenant: &'a ZpaTenant, kind: &str) -> Option<&'a PolicySet> {
    tenant.policy_sets.iter().find(|s| s.kind.name == kind)
}

fn unknown_policy_type(kind: &str) -> Response {
    Refusal::bad(&format!("Unknown policy type {kind}")).render()
}

async fn get_policy_set(
    State(state): Shared,
    Path((cid, kind)): Path<(String, String)>,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    match set_by_kind(&tenant.zpa, &kind) {
        Some(set) => reply::json(StatusCode::OK, &set.set),
        None => unknown_policy_type(&kind),
    }
}

async fn list_rules(
    State(state): Shared,
    Path((cid, kind)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let params = Params::from_uri(&uri);
    let rules = {
        let tenant = state.tenant.lock().await;
        match set_by_kind(&tenant.zpa, &kind) {
            Some(set) => set.rules.clone(),
            None => return unknown_policy_type(&kind),
        }
    };
    let result = search(scope(rules, &params), &params).and_then(|r| zpa_page(r, &params));
    match result {
        Ok(page) => reply::json(StatusCode::OK, &page),
        Err(reason) => Refusal::bad(&reason).render(),
    }
}

fn set_index(tenant: &ZpaTenant, set_id: &str) -> Option<usize> {
    tenant
        .policy_sets
        .iter()
        .position(|s| text(&s.set, "id") == set_id)
}

async fn get_rule(
    State(state): Shared,
    Path((cid, set_id, rule_id)): Path<(String, String, String)>,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let tenant = state.tenant.lock().await;
    let rule = set_index(&tenant.zpa, &set_id)
        .and_then(|i| tenant.zpa.policy_sets.get(i))
        .and_then(|s| s.rules.iter().find(|r| text(r, "id") == rule_id));
    match rule {
        Some(rule) => reply::json(StatusCode::OK, rule),
        None => Refusal::not_found("Policy rule", &rule_id).render(),
    }
}

async fn delete_rule(
    State(state): Shared,
    Path((cid, set_id, rule_id)): Path<(String, String, String)>,
) -> Response {
    if let Some(response) = wrong_customer(&cid) {
        return response;
    }
    let mut tenant = state.tenant.lock().await;
    let zpa = &mut tenant.zpa;
    let Some(set) = set_index(zpa, &set_id).and_then(|i| zpa.policy_sets.get_mut(i)) else {
        return Refusal::not_found("Policy set", &set_id).render();
    };
    let before = set.rules.len();
    set.rules.retain(|r| text(r, "id") != rule_id);
    if set.rules.len() == before {
        return Refusal::not_found("Policy rule", &rule_id).render();
    }
    renumber(&mut set.rules);
    empty(StatusCode::NO_CONTENT)
}

fn renumber(rules: &mut [Value]) {
    for (i, rule) in rules.iter_mut().enumerate() {
        let order = (i + 1).to_string();
        merge(rule, json!({"ruleOrder": order, "priority": order}));
    }
}

/// Operand types whose `lhs` is an IdP id.
const IDP_SCOPED: &[&str] = &["SCIM_GROUP", "SCIM", "SAML"];
/// Every operand type the simulator accepts.
const OBJECT_TYPES: &[&str] = &[
    "APP",
    "APP_GROUP",
    "CLIENT_TYPE",
    "CONSOLE",
    "LOCATION",
    "MACHINE_GRP",
    "USER_PORTAL",
    "CHROME_POSTURE_PROFILE",
    "SCIM_GROUP",
    "SCIM",
    "SAML",
    "POSTURE",
    "PLATFORM",
    "TRUSTED_NETWORK",
    "COUNTRY_CODE",
    "RISK_FACTOR_TYPE",
    "CHROME_ENTERPRISE",
    "IDP",
    "EDGE_CONNECTOR_GROUP",
    "BRANCH_CONNECTOR_GROUP",
];

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Turns v1 (`lhs`/`rhs`) or v2 (`values`/`entryValues`) operands into `(lhs, rhs)` pairs.
fn operand_pairs(operand: &Value) -> Vec<(String, String)> {
    if let Some(values) = operand.get("values").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| ("id".to_owned(), scalar_text(v)))
            .collect();
    }
    if let Some(entries) = operand.get("entryValues").and_then(Value::as_array) {
        return entries
            .iter()
            .map(|e| (text(e, "lhs"), text(e, "rhs")))
            .collect();
    }
    vec![(text(operand, "lhs"), text(operand, "rhs"))]
}

/// Conditions in the v1 read shape with fresh condition and operand ids (zscaler-api.md 6.2).
fn normalise_conditions(
    tenant: &mut ZpaTenant,
    conditions: Option<&Value>,
    rule_id: &str,
) -> Result<Value, Refusal> {
    let mut out = Vec::new();
    for condition in conditions.and_then(Value::as_array).into_iter().flatten() {
        let operator = condition
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or("OR")
            .to_uppercase();
        if operator != "OR" && operator != "AND" {
            return Err(Refusal::bad("Condition operator must be AND or OR"));
        }
        let condition_id = tenant.next_condition_id.to_string();
        tenant.next_condition_id = tenant.next_condition_id.saturating_add(1);
        let mut operands = Vec::new();
        for operand in refs(condition, "operands") {
            let object_type = text(&operand, "objectType");
            if !OBJECT_TYPES.contains(&object_type.as_str()) {
                return Err(Refusal::bad(&format!("Invalid objectType {object_type}")));
            }
            for (lhs, rhs) in operand_pairs(&operand) {
                let mut v1 = json!({
                    "id": tenant.next_condition_id.to_string(), "objectType": object_type,
                    "lhs": lhs, "rhs": rhs, "conditionId": condition_id,
                });
                tenant.next_condition_id = tenant.next_condition_id.saturating_add(1);
                merge(&mut v1, operand_details(tenant, &object_type, &lhs, &rhs)?);
                operands.push(v1);
            }
        }
        out.push(json!({
            "id": condition_id, "operator": operator,
            "negated": condition.get("negated").and_then(Value::as_bool).unwrap_or(false),
            "operands": operands, "ruleGid": rule_id,
        }));
    }
    Ok(Value::Array(out))
}

/// Names and IdP details ZPA adds to an operand on read; unknown app references are refused.
fn operand_details(
    tenant: &ZpaTenant,
    object_type: &str,
    lhs: &str,
    rhs: &str,
) -> Result<Value, Refusal> {
    let collection = match object_type {
        "APP" => Some(("application", "Application segment")),
        "APP_GROUP" => Some(("segmentGroup", "Segment group")),
        _ => None,
    };
    if let Some((path, what)) = collection {
        return match find(tenant, path, rhs) {
            Some(record) => Ok(json!({"name": text(record, "name")})),
            None => Err(Refusal::not_found(what, rhs)),
        };
    }
    if IDP_SCOPED.contains(&object_type) {
        let idp_name = if lhs == data::IDP.0 { data::IDP.1 } else { "" };
        return Ok(json!({"idpId": lhs, "idpName": idp_name}));
    }
    if object_type == "CLIENT_TYPE" {
        return Ok(json!({"name": rhs}));
    }
    Ok(json!({}))
}

/// Builds a rule record from a request body (v1 or v2 conditions).
fn build_rule(
    tenant: &mut ZpaTenant,
    set_index: usize,
    body: Map<String, Value>,
    rule_id: &str,
) -> Result<Value, Refusal> {
    let Some(set) = tenant.policy_sets.get(set_index) else {
        return Err(Refusal::not_found("Policy set", ""));
    };
    let kind = set.kind;
    let set_id = text(&set.set, "id");
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    if name.trim().is_empty() {
        return Err(Refusal::bad("name is required"));
    }
    let action = body
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or(kind.actions.first().copied().unwrap_or("ALLOW"))
        .to_uppercase();
    if !kind.actions.contains(&action.as_str()) {
        return Err(Refusal::bad(&format!(
            "Action {action} is not valid for {}",
            kind.name
        )));
    }
    let conditions = normalise_conditions(tenant, body.get("conditions"), rule_id)?;
    let mut rule = json!({
        "description": "", "operator": "AND", "disabled": "0", "extranetEnabled": false,
        "devicePostureFailureNotificationEnabled": false, "defaultRule": false,
        "readOnly": false, "zscalerManaged": false, "appConnectorGroups": [], "appServerGroups": [],
    });
    merge(&mut rule, Value::Object(body));
    let now = now_secs().to_string();
    merge(
        &mut rule,
        json!({
            "id": rule_id, "action": action, "policyType": kind.number, "policySetId": set_id,
            "conditions": conditions, "modifiedTime": now, "modifiedBy": data::ADMIN_ID,
        }),
    );
    if let Some(disabled) = rule.get("disabled").filter(|d| !d.is_string()).cloned() {
        merge(&mut rule, json!({"disabled": scalar_text(&disabled)}));
    }
    Ok(rule)
}

async fn create_rule(
    State(state): Shared,
    Path((cid, set_id)): Path<(String, String)>,
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
    let zpa = &mut tenant.zpa;
    let Some(index) = set_index(zpa, &set_id) else {
        return Refusal::not_found("Policy set", &set_id).render();
    };
    let rule_id = zpa.next_id.to_string();
    zpa.next_id = zpa.next_id.saturating_add(1);
    let mut rule = match build_rule(zpa, index, body, &rule_id) {
        Ok(rule) => rule,
        Err(refusal) => return refusal.render(),
    };
    merge(&mut rule, json!({"creationTime": now_secs().to_string()}));
    let Some(set) = zpa.policy_sets.get_mut(index) else {
        return Refusal::not_found("Policy set", &set_id).render();
    };
    set.rules.push(rule);
    renumber(&mut set.rules);
    match set.rules.last() {
        Some(rule) => reply::json(StatusCode::CREATED, rule),
        None => Refusal::not_found("Policy rule", &rule_id).render(),
    }
}

async fn update_rule(
    State(state): Shared,
    Path((cid, set_id, rule_id)): Path<(String, String, String)>,
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
    let zpa = &mut tenant.zpa;
    let Some(index) = set_index(zpa, &set_id) else {
        return Refusal::not_found("Policy set", &set_id).render();
    };
    let Some(current) = zpa
        .policy_sets
        .get(index)
        .and_then(|s| s.rules.iter().find(|r| text(r, "id") == rule_id))
        .cloned()
    else {
        return Refusal::not_found("Policy rule", &rule_id).render();
    };
    let mut rule = match build_rule(zpa, index, body, &rule_id) {
        Ok(rule) => rule,
        Err(refusal) => return refusal.render(),
    };
    let kept: Map<String, Value> = ["creationTime", "ruleOrder", "priority"]
        .iter()
        .filter_map(|k| current.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect();
    merge(&mut rule, Value::Object(kept));
    if let Some(slot) = zpa
        .policy_sets
        .get_mut(index)
        .and_then(|s| s.rules.iter_mut().find(|r| text(r, "id") == rule_id))
    {
        *slot = rule;
    }
    empty(StatusCode::NO_CONTENT)
}
