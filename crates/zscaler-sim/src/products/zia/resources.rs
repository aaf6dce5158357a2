//! ZIA's plain resources, served by one set of list/get/create/update/delete handlers driven
//! by a table: policy rules of every family, firewall objects, locations, traffic forwarding,
//! labels, time intervals and the read-only inventories. Cloud app control rules live in one
//! collection scoped by the `{rule_type}` path segment.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::{
    Collection, PREFIX, Shared, ZiaTenant, lite, missing_required, name_taken, object_body, ok,
    page_response, position, search,
};
use crate::params::Params;
use crate::reply::{empty, zia_error, zia_invalid, zia_not_found};
use crate::seed::zia as seed;
use crate::state::{SimState, now_secs};

/// A refusal a resource applies before a create or a delete.
type Check = fn(&ZiaTenant, &Value) -> Option<Response>;

/// A ZIA resource served by the generic handlers.
pub(crate) struct ZiaResource {
    /// Path segment under the prefix, also the collection key.
    pub path: &'static str,
    /// How error messages name one record.
    what: &'static str,
    /// Fields a create or update must carry.
    required: &'static [&'static str],
    /// Fields the server fills in.
    defaults: fn() -> Value,
    default_page_size: i64,
    max_page_size: i64,
    /// Whether the API accepts writes (the inventories are read-only).
    writable: bool,
    /// Serves `/{path}/lite` with `{id, name}` rows.
    has_lite: bool,
    /// The field no two records may share (case-insensitive), if any.
    unique: Option<&'static str>,
    /// Fields the API accepts but never returns (pre-shared keys).
    write_only: &'static [&'static str],
    /// Query parameters that filter on a field's exact value: (parameter, field).
    filters: &'static [(&'static str, &'static str)],
    /// Refusal checked before a create (e.g. a GRE tunnel needs a known static IP).
    check_create: Option<Check>,
    /// Refusal checked before a delete (e.g. a static IP still used by a tunnel).
    check_delete: Option<Check>,
}

/// Defaults of the table so each entry names only what differs.
const BASE: ZiaResource = ZiaResource {
    path: "",
    what: "",
    required: &["name"],
    defaults: seed::empty_record,
    default_page_size: 100,
    max_page_size: 1000,
    writable: true,
    has_lite: false,
    unique: Some("name"),
    write_only: &[],
    filters: &[],
    check_create: None,
    check_delete: None,
};

const RULE_REQUIRED: &[&str] = &["name", "order", "action"];

/// Rules page 5000 at a time, as the firewall and URL rule endpoints document.
const fn rule(
    path: &'static str,
    what: &'static str,
    required: &'static [&'static str],
) -> ZiaResource {
    ZiaResource {
        path,
        what,
        required,
        defaults: seed::rule_defaults,
        default_page_size: 5000,
        max_page_size: 5000,
        ..BASE
    }
}

const fn inventory(path: &'static str, what: &'static str, has_lite: bool) -> ZiaResource {
    ZiaResource {
        path,
        what,
        writable: false,
        has_lite,
        ..BASE
    }
}

pub(crate) static RESOURCES: [ZiaResource; 27] = [
    ZiaResource {
        defaults: seed::url_rule_defaults,
        ..rule("urlFilteringRules", "URL filtering rule", RULE_REQUIRED)
    },
    ZiaResource {
        defaults: seed::firewall_rule_defaults,
        ..rule(
            "firewallFilteringRules",
            "Firewall filtering rule",
            RULE_REQUIRED,
        )
    },
    rule("firewallDnsRules", "Firewall DNS rule", RULE_REQUIRED),
    rule("firewallIpsRules", "Firewall IPS rule", RULE_REQUIRED),
    rule("sslInspectionRules", "SSL inspection rule", RULE_REQUIRED),
    ZiaResource {
        has_lite: true,
        ..rule("webDlpRules", "Web DLP rule", &["name", "order"])
    },
    rule("fileTypeRules", "File type control rule", RULE_REQUIRED),
    rule(
        "sandboxRules",
        "Sandbox rule",
        &["name", "order", "baRuleAction"],
    ),
    rule(
        "webApplicationRules",
        "Cloud app control rule",
        &["name", "order"],
    ),
    ZiaResource {
        path: "ipsSignatureRules",
        what: "IPS signature rule",
        required: &["name", "ruleText"],
        ..BASE
    },
    ZiaResource {
        path: "ipSourceGroups",
        what: "IP source group",
        required: &["name", "ipAddresses"],
        ..BASE
    },
    ZiaResource {
        path: "ipDestinationGroups",
        what: "IP destination group",
        required: &["name", "type"],
        ..BASE
    },
    ZiaResource {
        path: "networkServices",
        what: "Network service",
        filters: &[("protocol", "protocol")],
        ..BASE
    },
    ZiaResource {
        path: "networkServiceGroups",
        what: "Network service group",
        required: &["name", "services"],
        ..BASE
    },
    ZiaResource {
        path: "networkApplicationGroups",
        what: "Network application group",
        required: &["name", "networkApplications"],
        ..BASE
    },
    inventory("networkApplications", "Network application", false),
    ZiaResource {
        path: "locations",
        what: "Location",
        defaults: seed::location_defaults,
        ..BASE
    },
    ZiaResource {
        path: "staticIP",
        what: "Static IP",
        required: &["ipAddress"],
        defaults: seed::static_ip_defaults,
        unique: Some("ipAddress"),
        filters: &[("ipAddress", "ipAddress")],
        check_delete: Some(static_ip_unused),
        ..BASE
    },
    ZiaResource {
        path: "vpnCredentials",
        what: "VPN credential",
        required: &["type"],
        unique: None,
        write_only: &["preSharedKey"],
        filters: &[("type", "type")],
        ..BASE
    },
    ZiaResource {
        path: "greTunnels",
        what: "GRE tunnel",
        required: &["sourceIp"],
        defaults: seed::gre_tunnel_defaults,
        unique: Some("sourceIp"),
        check_create: Some(gre_source_is_static_ip),
        ..BASE
    },
    ZiaResource {
        path: "ruleLabels",
        what: "Rule label",
        defaults: seed::rule_label_defaults,
        ..BASE
    },
    ZiaResource {
        path: "timeIntervals",
        what: "Time interval",
        required: &["name", "startTime", "endTime", "daysOfWeek"],
        ..BASE
    },
    inventory("workloadGroups", "Workload group", false),
    inventory("dlpDictionaries", "DLP dictionary", true),
    inventory("dlpEngines", "DLP engine", true),
    inventory("deviceGroups", "Device group", false),
    ZiaResource {
        filters: &[("name", "name")],
        ..inventory("deviceGroups/devices", "Device", true)
    },
];

/// The table entry for a path segment.
fn resource(path: &str) -> Option<&'static ZiaResource> {
    RESOURCES.iter().find(|r| r.path == path)
}

/// Cloud app control rules: every rule type shares one collection, scoped by `type`.
const APP_RULES: &str = "webApplicationRules";

pub(super) fn routes() -> Router<Arc<SimState>> {
    let mut router = Router::new();
    for resource in RESOURCES.iter().filter(|r| r.path != APP_RULES) {
        let list_route = get(move |s: Shared, uri: Uri| list(resource, None, s, uri));
        let item_route = get(move |s: Shared, Path(id): Path<String>| read(resource, None, s, id));
        let (list_route, item_route) = if resource.writable {
            (
                list_route.post(move |s: Shared, body: Bytes| create(resource, None, s, body)),
                item_route
                    .put(move |s: Shared, Path(id): Path<String>, body: Bytes| {
                        update(resource, None, s, id, body)
                    })
                    .delete(move |s: Shared, Path(id): Path<String>| remove(resource, None, s, id)),
            )
        } else {
            (list_route, item_route)
        };
        router = router
            .route(&format!("{PREFIX}/{}", resource.path), list_route)
            .route(&format!("{PREFIX}/{}/{{id}}", resource.path), item_route);
        if resource.has_lite {
            router = router.route(
                &format!("{PREFIX}/{}/lite", resource.path),
                get(move |s: Shared, uri: Uri| list_lite(resource, s, uri)),
            );
        }
    }
    router.merge(app_rule_routes())
}

fn app_rule_routes() -> Router<Arc<SimState>> {
    let Some(resource) = resource(APP_RULES) else {
        return Router::new();
    };
    Router::new()
        .route(
            &format!("{PREFIX}/{APP_RULES}/{{rule_type}}"),
            get(move |s: Shared, Path(kind): Path<String>, uri: Uri| {
                list(resource, Some(kind), s, uri)
            })
            .post(move |s: Shared, Path(kind): Path<String>, body: Bytes| {
                create(resource, Some(kind), s, body)
            }),
        )
        .route(
            &format!("{PREFIX}/{APP_RULES}/{{rule_type}}/{{id}}"),
            get(move |s: Shared, Path((kind, id)): Path<(String, String)>| {
                read(resource, Some(kind), s, id)
            })
            .put(
                move |s: Shared, Path((kind, id)): Path<(String, String)>, body: Bytes| {
                    update(resource, Some(kind), s, id, body)
                },
            )
            .delete(move |s: Shared, Path((kind, id)): Path<(String, String)>| {
                remove(resource, Some(kind), s, id)
            }),
        )
}

/// Records of the collection, limited to one rule type when scoped.
fn records(zia: &ZiaTenant, resource: &ZiaResource, scope: Option<&str>) -> Vec<Value> {
    zia.collections
        .get(resource.path)
        .map(|c| {
            c.items
                .iter()
                .filter(|item| in_scope(item, scope))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn in_scope(item: &Value, scope: Option<&str>) -> bool {
    scope.is_none_or(|kind| item.get("type").and_then(Value::as_str) == Some(kind))
}

/// Fields `search` matches: names, descriptions and the identifying text of records without
/// a name (static IPs, VPN credentials).
const SEARCHED_FIELDS: &[&str] = &[
    "name",
    "description",
    "ipAddress",
    "fqdn",
    "comment",
    "comments",
];

fn filtered(resource: &ZiaResource, items: Vec<Value>, params: &Params) -> Vec<Value> {
    let items = search(items, params, SEARCHED_FIELDS);
    resource
        .filters
        .iter()
        .fold(items, |items, (param, field)| {
            match params.get(param).filter(|v| !v.is_empty()) {
                Some(wanted) => items
                    .into_iter()
                    .filter(|item| {
                        item.get(*field)
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
                    })
                    .collect(),
                None => items,
            }
        })
}

async fn list(
    resource: &'static ZiaResource,
    scope: Option<String>,
    State(state): Shared,
    uri: Uri,
) -> Response {
    let params = Params::from_uri(&uri);
    let items = records(&state.tenant.lock().await.zia, resource, scope.as_deref());
    page_response(
        filtered(resource, items, &params),
        &params,
        resource.default_page_size,
        resource.max_page_size,
    )
}

async fn list_lite(resource: &'static ZiaResource, State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let items = records(&state.tenant.lock().await.zia, resource, None);
    let rows = filtered(resource, items, &params)
        .iter()
        .map(lite)
        .collect();
    page_response(
        rows,
        &params,
        resource.default_page_size,
        resource.max_page_size,
    )
}

async fn read(
    resource: &'static ZiaResource,
    scope: Option<String>,
    State(state): Shared,
    id: String,
) -> Response {
    let items = records(&state.tenant.lock().await.zia, resource, scope.as_deref());
    match super::by_id(&items, &id) {
        Some(record) => ok(record),
        None => zia_not_found(resource.what, &id),
    }
}

/// A stored record: server defaults, then the client's fields (minus write-only ones), then
/// the server's own.
fn build_record(
    resource: &ZiaResource,
    mut body: Map<String, Value>,
    id: i64,
    scope: Option<&str>,
) -> Value {
    for field in resource.write_only {
        body.remove(*field);
    }
    let mut record = (resource.defaults)();
    crate::seed::merge(&mut record, Value::Object(body));
    crate::seed::merge(
        &mut record,
        json!({"id": id, "lastModifiedTime": now_secs(), "lastModifiedBy": seed::last_modified_by()}),
    );
    if let Some(kind) = scope {
        crate::seed::merge(&mut record, json!({"type": kind}));
    }
    record
}

fn duplicate(resource: &ZiaResource, name: &str) -> Response {
    zia_error(
        StatusCode::CONFLICT,
        "DUPLICATE_ITEM",
        &format!("{} '{name}' already exists", resource.what),
    )
}

/// The value of the resource's unique field in `body`, with the field's name.
fn unique_value<'a>(
    resource: &ZiaResource,
    body: &'a Map<String, Value>,
) -> Option<(&'static str, &'a str)> {
    let key = resource.unique?;
    body.get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(|v| (key, v))
}

async fn create(
    resource: &'static ZiaResource,
    scope: Option<String>,
    State(state): Shared,
    body: Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if let Some(response) = missing_required(&body, resource.required) {
        return response;
    }
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let candidate = Value::Object(body.clone());
    if let Some(refusal) = resource
        .check_create
        .and_then(|check| check(zia, &candidate))
    {
        return refusal;
    }
    let Some(collection) = zia.collections.get_mut(resource.path) else {
        return zia_not_found(resource.what, "");
    };
    if let Some((key, name)) = unique_value(resource, &body)
        && name_taken(&collection.items, key, name, None)
    {
        return duplicate(resource, name);
    }
    let id = collection.next_id;
    collection.next_id = id.saturating_add(1);
    let record = build_record(resource, body, id, scope.as_deref());
    collection.items.push(record.clone());
    zia.pending = true;
    ok(&record)
}

/// The index of the record `id` inside the scoped view of a collection.
fn scoped_position(collection: &Collection, id: &str, scope: Option<&str>) -> Option<usize> {
    position(&collection.items, id).filter(|i| {
        collection
            .items
            .get(*i)
            .is_some_and(|item| in_scope(item, scope))
    })
}

async fn update(
    resource: &'static ZiaResource,
    scope: Option<String>,
    State(state): Shared,
    id: String,
    body: Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(collection) = zia.collections.get_mut(resource.path) else {
        return zia_not_found(resource.what, &id);
    };
    let Some(index) = scoped_position(collection, &id, scope.as_deref()) else {
        return zia_not_found(resource.what, &id);
    };
    if let Some(response) = missing_required(&body, resource.required) {
        return response;
    }
    let numeric_id = id.parse::<i64>().unwrap_or_default();
    if let Some((key, name)) = unique_value(resource, &body)
        && name_taken(&collection.items, key, name, Some(&json!(numeric_id)))
    {
        return duplicate(resource, name);
    }
    // PUT replaces the whole record: fields the client left out fall back to defaults.
    let record = build_record(resource, body, numeric_id, scope.as_deref());
    if let Some(slot) = collection.items.get_mut(index) {
        *slot = record.clone();
    }
    zia.pending = true;
    ok(&record)
}

fn is_predefined(record: &Value) -> bool {
    ["predefined", "defaultRule"]
        .iter()
        .any(|k| record.get(*k).and_then(Value::as_bool) == Some(true))
}

/// ZIA's refusal to delete what Zscaler ships.
pub(super) fn refuse_predefined(what: &str) -> Response {
    zia_error(
        StatusCode::FORBIDDEN,
        "INVALID_OPERATION",
        &format!("Predefined {what} cannot be deleted"),
    )
}

async fn remove(
    resource: &'static ZiaResource,
    scope: Option<String>,
    State(state): Shared,
    id: String,
) -> Response {
    let mut tenant = state.tenant.lock().await;
    let zia = &mut tenant.zia;
    let Some(collection) = zia.collections.get(resource.path) else {
        return zia_not_found(resource.what, &id);
    };
    let Some(index) = scoped_position(collection, &id, scope.as_deref()) else {
        return zia_not_found(resource.what, &id);
    };
    let Some(record) = collection.items.get(index) else {
        return zia_not_found(resource.what, &id);
    };
    if is_predefined(record) {
        return refuse_predefined(resource.what);
    }
    if let Some(refusal) = resource.check_delete.and_then(|check| check(zia, record)) {
        return refusal;
    }
    if let Some(collection) = zia.collections.get_mut(resource.path) {
        collection.items.remove(index);
    }
    zia.pending = true;
    empty(StatusCode::NO_CONTENT)
}

// --- traffic forwarding rules -----------------------------------------------------------------

fn static_ips(zia: &ZiaTenant) -> &[Value] {
    zia.collections
        .get("staticIP")
        .map_or(&[], |c| c.items.as_slice())
}

fn has_value(items: &[Value], field: &str, value: Option<&Value>) -> bool {
    value.is_some_and(|v| items.iter().any(|item| item.get(field) == Some(v)))
}

fn static_ip_unused(zia: &ZiaTenant, record: &Value) -> Option<Response> {
    let tunnels = zia
        .collections
        .get("greTunnels")
        .map_or(&[][..], |c| c.items.as_slice());
    has_value(tunnels, "sourceIp", record.get("ipAddress"))
        .then(|| zia_invalid("Static IP is associated with a GRE tunnel; delete the tunnel first"))
}

fn gre_source_is_static_ip(zia: &ZiaTenant, candidate: &Value) -> Option<Response> {
    (!has_value(static_ips(zia), "ipAddress", candidate.get("sourceIp")))
        .then(|| zia_invalid("sourceIp must be a static IP provisioned for the organization"))
}
