//! ZPA management API (`/zpa/mgmtconfig/v{1,2}/admin/customers/{cid}`) and its neighbours
//! (userconfig SCIM, CBI isolation): the generic record handlers every resource of
//! `resources.rs` shares (at the top level or below a parent such as an IdP or an association
//! type), plus the routers of the special families (policy rules, bulk deletes and catalogs).
//! String ids and times, `page`/`pagesize` envelopes with string counts, the `search` grammar,
//! `microtenantId` scoping, POST 201, PUT 204, DELETE 204.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use serde_json::{Map, Value, json};

mod lookups;
mod policy;
mod resources;

use resources::{RESOURCES, Writes, ZpaResource};
pub(crate) use resources::{application_defaults, segment_group_defaults};

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

impl ZpaTenant {
    /// The records stored under `path` (none for an unknown path).
    fn records(&self, path: &str) -> &[Value] {
        self.collections.get(path).map_or(&[], Vec::as_slice)
    }
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
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        zpa_error(self.status, self.id, &self.reason)
    }
}

/// What a handler answers: its response, or ZPA's error body.
type Answer = Result<Response, Refusal>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    RESOURCES
        .iter()
        .fold(policy::routes(), resource_routes)
        .merge(lookups::routes())
}

/// A router serving each (template, methods) pair.
fn route_table(
    table: impl IntoIterator<Item = (String, MethodRouter<Arc<SimState>>)>,
) -> Router<Arc<SimState>> {
    table
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(&path, methods)
        })
}

/// The generic collection and record routes of one resource: under each of its prefixes, its
/// aliases and below its parent.
fn resource_routes(
    router: Router<Arc<SimState>>,
    resource: &'static ZpaResource,
) -> Router<Arc<SimState>> {
    let verb = move |verb: Verb| {
        move |s: Shared, p: Segments, u: Uri, b: Bytes| handle(resource, verb, s, p, u, b)
    };
    let listing = get(verb(Verb::List));
    let collection = if resource.writes == Writes::All {
        listing.clone().post(verb(Verb::Create))
    } else {
        listing.clone()
    };
    let reading = get(verb(Verb::Read));
    let record = if resource.writes == Writes::None {
        reading
    } else {
        reading.put(verb(Verb::Update)).delete(verb(Verb::Remove))
    };
    let collections = resource
        .prefixes
        .iter()
        .map(|prefix| format!("{prefix}/{}", resource.path))
        .chain(resource.nested.as_ref().map(|n| n.collection.to_owned()));
    let records = resource
        .prefixes
        .iter()
        .map(|prefix| format!("{prefix}/{}/{{id}}", resource.path))
        .chain(
            resource
                .nested
                .as_ref()
                .and_then(|n| n.record)
                .map(str::to_owned),
        );
    let routes: [(Vec<String>, MethodRouter<Arc<SimState>>); 4] = [
        (collections.collect(), collection),
        (records.collect(), record),
        (to_owned(resource.list_aliases), listing),
        (to_owned(resource.update_aliases), put(verb(Verb::Update))),
    ];
    let table = routes
        .into_iter()
        .flat_map(|(paths, methods)| paths.into_iter().map(move |p| (p, methods.clone())));
    router.merge(route_table(table))
}

fn to_owned(templates: &[&str]) -> Vec<String> {
    templates.iter().map(|t| (*t).to_owned()).collect()
}

/// The path parameters of a generic route by name: `cid`, the record's `id` and a parent's
/// (`idp`, `kind`).
type Segments = Path<HashMap<String, String>>;

/// The customer id must be the authenticated tenant's.
fn customer(cid: &str) -> Result<(), Refusal> {
    if cid == DEMO_CUSTOMER_ID {
        return Ok(());
    }
    Err(Refusal::new(
        StatusCode::BAD_REQUEST,
        "non.restricted.entity.authorization.failed",
        "The customer id does not match the authenticated tenant",
    ))
}

/// A write's JSON object body, once the customer is checked (the customer is refused first).
fn customer_body(cid: &str, bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    customer(cid)?;
    object_body(bytes)
}

fn segment<'a>(segments: &'a HashMap<String, String>, name: &str) -> &'a str {
    segments.get(name).map_or("", String::as_str)
}

/// The parent a nested route names (none on routes without its parameter); an unknown parent
/// value is ZPA's 400.
fn parent_of<'a>(
    resource: &ZpaResource,
    segments: &'a HashMap<String, String>,
) -> Result<Parent<'a>, Refusal> {
    let Some((nested, value)) = resource
        .nested
        .as_ref()
        .and_then(|n| Some((n, segments.get(n.param)?)))
    else {
        return Ok(None);
    };
    if !nested.allowed.is_empty() && !nested.allowed.contains(&value.as_str()) {
        return Err(Refusal::bad(&format!(
            "Invalid {} {value}; expected {}",
            nested.label,
            nested.allowed.join(" or ")
        )));
    }
    Ok(Some((nested.field, value)))
}

fn text(record: &Value, key: &str) -> String {
    match record.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A JSON scalar as the text ZPA compares (strings unquoted).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
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
fn search(items: Vec<Value>, params: &Params) -> Result<Vec<Value>, Refusal> {
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
        other => {
            return Err(Refusal::bad(&format!(
                "Unsupported search operator {other}"
            )));
        }
    };
    Ok(items
        .into_iter()
        .filter(|r| test(&searched_text(r, field).to_lowercase(), &value))
        .collect())
}

/// The searched field; LSS configurations keep their name inside `config`.
fn searched_text(record: &Value, field: &str) -> String {
    match record.get(field) {
        Some(_) => text(record, field),
        None => record
            .get("config")
            .map(|c| text(c, field))
            .unwrap_or_default(),
    }
}

fn compare(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let (a, b) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
    a.partial_cmp(&b)
}

fn find<'a>(tenant: &'a ZpaTenant, path: &str, id: &str) -> Option<&'a Value> {
    tenant.records(path).iter().find(|r| text(r, "id") == id)
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
            .records(collection)
            .iter()
            .filter(|r| text(r, key) == id || refs(r, key).iter().any(|x| text(x, "id") == id))
            .map(|r| {
                json!({"id": text(r, "id"), "name": text(r, "name"),
                       "enabled": r.get("enabled").cloned().unwrap_or(json!(true))})
            })
            .collect()
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
        "serviceEdgeGroup" => json!({"serviceEdges": related("serviceEdge", "serviceEdgeGroupId")}),
        "provisioningKey" => {
            let certificate = text(record, "enrollmentCertId");
            let groups = match text(record, "associationType").as_str() {
                "SERVICE_EDGE_GRP" => "serviceEdgeGroup",
                _ => "appConnectorGroup",
            };
            let component = text(record, "zcomponentId");
            json!({
                "enrollmentCertName": find(tenant, "enrollmentCert", &certificate)
                    .map(|c| text(c, "name")).unwrap_or_default(),
                "zcomponentName": find(tenant, groups, &component)
                    .map(|g| text(g, "name")).unwrap_or_default(),
            })
        }
        "praPortal" => {
            let certificate = text(record, "certificateId");
            let name = find(tenant, "certificate", &certificate).map(|c| text(c, "name"));
            json!({"certificateName": name.unwrap_or_default()})
        }
        _ => json!({}),
    };
    merge(&mut out, extra);
    let hidden = resource(path).map_or(&[][..], |r| r.write_only);
    if let Value::Object(fields) = &mut out {
        fields.retain(|key, _| !hidden.contains(&key.as_str()));
    }
    out
}

/// The generic resource stored under `path`.
fn resource(path: &str) -> Option<&'static ZpaResource> {
    RESOURCES.iter().find(|r| r.path == path)
}

/// Records of one parent only (provisioning keys of one association type): the field that
/// names the parent and its value.
type Parent<'a> = Option<(&'static str, &'a str)>;

fn under_parent(record: &Value, parent: Parent<'_>) -> bool {
    parent.is_none_or(|(field, value)| text(record, field) == value)
}

/// One page of a resource's records as ZPA lists them.
fn list_page(
    tenant: &ZpaTenant,
    resource: &ZpaResource,
    params: &Params,
    parent: Parent<'_>,
) -> Result<Value, Refusal> {
    let items: Vec<Value> = tenant
        .records(resource.path)
        .iter()
        .filter(|r| under_parent(r, parent))
        .cloned()
        .collect();
    let items: Vec<Value> = search(scope(items, params), params)?
        .iter()
        .map(|r| view(tenant, resource.path, r))
        .collect();
    let page = paged(items, params)?;
    Ok(if resource.integer_counts {
        integer_counts(page)
    } else {
        page
    })
}

/// One `page`/`pagesize` envelope of the records.
fn paged(items: Vec<Value>, params: &Params) -> Result<Value, Refusal> {
    zpa_page(items, params).map_err(|reason| Refusal::bad(&reason))
}

/// The page counts as integers, as the userconfig API writes them (zscaler-api.md 4).
fn integer_counts(mut page: Value) -> Value {
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

fn read_one(
    tenant: &ZpaTenant,
    resource: &ZpaResource,
    id: &str,
    params: &Params,
    parent: Parent<'_>,
) -> Result<Value, Refusal> {
    find(tenant, resource.path, id)
        .filter(|r| visible(r, params) && under_parent(r, parent))
        .map(|record| view(tenant, resource.path, record))
        .ok_or_else(|| Refusal::not_found(resource.what, id))
}

fn create_one(
    zpa: &mut ZpaTenant,
    resource: &ZpaResource,
    params: &Params,
    mut body: Map<String, Value>,
    parent: Parent<'_>,
) -> Result<Value, Refusal> {
    if let Some((field, issue)) = resource.issued {
        body.insert(field.into(), Value::String(issue(zpa.next_id)));
    }
    let mut record = (resource.defaults)();
    let owner = microtenant_fields(params, &body);
    merge(&mut record, Value::Object(body));
    merge(&mut record, owner);
    if let Some((field, value)) = parent {
        merge(&mut record, json!({ field: value }));
    }
    derive(&mut record);
    validate(zpa, resource, &record, None)?;
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
    Ok(view(zpa, resource.path, &record))
}

fn update_one(
    zpa: &mut ZpaTenant,
    resource: &ZpaResource,
    id: &str,
    params: &Params,
    body: Map<String, Value>,
    parent: Parent<'_>,
) -> Result<(), Refusal> {
    let Some(mut record) = find(zpa, resource.path, id)
        .filter(|r| visible(r, params) && under_parent(r, parent))
        .cloned()
    else {
        return Err(Refusal::not_found(resource.what, id));
    };
    merge(&mut record, Value::Object(body));
    if let Some((field, value)) = parent {
        merge(&mut record, json!({ field: value }));
    }
    derive(&mut record);
    merge(
        &mut record,
        json!({"id": id, "modifiedTime": now_secs().to_string(), "modifiedBy": data::ADMIN_ID}),
    );
    validate(zpa, resource, &record, Some(id))?;
    if let Some(slot) = zpa
        .collections
        .get_mut(resource.path)
        .and_then(|items| items.iter_mut().find(|r| text(r, "id") == id))
    {
        *slot = record;
    }
    Ok(())
}

fn remove_one(
    zpa: &mut ZpaTenant,
    resource: &ZpaResource,
    id: &str,
    params: &Params,
    parent: Parent<'_>,
) -> Result<(), Refusal> {
    if find(zpa, resource.path, id)
        .filter(|r| visible(r, params) && under_parent(r, parent))
        .is_none()
    {
        return Err(Refusal::not_found(resource.what, id));
    }
    if resource.path == "application" && !params.flag("forceDelete") && referenced_by_rules(zpa, id)
    {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "resource.in.use",
            "The application segment is used by a policy rule; delete with forceDelete=true",
        ));
    }
    if let Some(items) = zpa.collections.get_mut(resource.path) {
        items.retain(|r| text(r, "id") != id);
    }
    Ok(())
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
    let duplicate = tenant
        .records(resource.path)
        .iter()
        .any(|r| text(r, "name").to_lowercase() == name && Some(text(r, "id").as_str()) != id);
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
        let has_ports = [
            "tcpPortRanges",
            "udpPortRanges",
            "tcpPortRange",
            "udpPortRange",
        ]
        .iter()
        .any(|key| !refs(record, key).is_empty());
        if !has_ports {
            return Err(Refusal::bad(
                "At least one TCP or UDP port range is required",
            ));
        }
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

/// What a generic route does with its resource.
#[derive(Clone, Copy)]
enum Verb {
    List,
    Read,
    Create,
    Update,
    Remove,
}

/// Every generic route: the customer (and, for writes, the JSON body) and the parent the path
/// names are checked first, in that order, then the verb runs on the tenant.
async fn handle(
    resource: &'static ZpaResource,
    verb: Verb,
    State(state): Shared,
    Path(segments): Segments,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let cid = segment(&segments, "cid");
    let body = match verb {
        Verb::Create | Verb::Update => customer_body(cid, &body)?,
        Verb::List | Verb::Read | Verb::Remove => {
            customer(cid)?;
            Map::new()
        }
    };
    let parent = parent_of(resource, &segments)?;
    let (id, params) = (segment(&segments, "id"), Params::from_uri(&uri));
    let zpa = &mut state.tenant.lock().await.zpa;
    Ok(match verb {
        Verb::List => reply::json(StatusCode::OK, &list_page(zpa, resource, &params, parent)?),
        Verb::Read => reply::json(
            StatusCode::OK,
            &read_one(zpa, resource, id, &params, parent)?,
        ),
        Verb::Create => reply::json(
            StatusCode::CREATED,
            &create_one(zpa, resource, &params, body, parent)?,
        ),
        Verb::Update => {
            update_one(zpa, resource, id, &params, body, parent)?;
            empty(StatusCode::NO_CONTENT)
        }
        Verb::Remove => {
            remove_one(zpa, resource, id, &params, parent)?;
            empty(StatusCode::NO_CONTENT)
        }
    })
}
