//! Cloud & Branch Connector (`/ztw/api/v1`): IP, source and destination groups (create,
//! list, lite list, delete), network services and groups, admins and roles, public cloud
//! accounts and the workload discovery settings. ZIA conventions: camelCase, integer ids,
//! bare-array pages, `{"code","message"}` errors, POST 200 with the object, DELETE 204.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{delete, get};
use serde_json::{Map, Value, json};

use crate::paging::zia_page;
use crate::params::Params;
use crate::reply::{self, zia_error, zia_invalid, zia_not_found};
use crate::state::{SimState, lock};

const PREFIX: &str = "/ztw/api/v1";
const DEFAULT_PAGE_SIZE: i64 = 100;
const MAX_PAGE_SIZE: i64 = 1000;
/// Destination group types the API accepts.
const DESTINATION_TYPES: [&str; 4] = ["DSTN_IP", "DSTN_FQDN", "DSTN_DOMAIN", "DSTN_OTHER"];

/// The writable IP groups.
pub(crate) struct Groups {
    pub ip: Vec<Value>,
    pub source: Vec<Value>,
    pub destination: Vec<Value>,
    pub next_id: i64,
}

/// ZTW's data.
pub(crate) struct ZtwData {
    pub groups: std::sync::Mutex<Groups>,
    pub services: Vec<Value>,
    pub service_groups: Vec<Value>,
    pub admins: Vec<Value>,
    pub roles: Vec<Value>,
    pub cloud_info: Vec<Value>,
    pub cloud_accounts: Vec<Value>,
    pub discovery: Value,
}

/// Which of the three group collections a route serves.
#[derive(Clone, Copy)]
enum Kind {
    Ip,
    Source,
    Destination,
}

impl Kind {
    fn list(self, groups: &mut Groups) -> &mut Vec<Value> {
        match self {
            Kind::Ip => &mut groups.ip,
            Kind::Source => &mut groups.source,
            Kind::Destination => &mut groups.destination,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Ip => "IP group",
            Kind::Source => "IP source group",
            Kind::Destination => "IP destination group",
        }
    }
}

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    let mut router = Router::new();
    for (path, kind) in [
        ("ipGroups", Kind::Ip),
        ("ipSourceGroups", Kind::Source),
        ("ipDestinationGroups", Kind::Destination),
    ] {
        router = router
            .route(
                &format!("{PREFIX}/{path}"),
                get(move |s: Shared, uri: Uri| list_groups(s, uri, kind, false))
                    .post(move |s: Shared, body: Bytes| create_group(s, body, kind)),
            )
            .route(
                &format!("{PREFIX}/{path}/lite"),
                get(move |s: Shared, uri: Uri| list_groups(s, uri, kind, true)),
            )
            .route(
                &format!("{PREFIX}/{path}/{{id}}"),
                delete(move |s: Shared, id: Path<String>| delete_group(s, id, kind)),
            );
    }
    router
        .route(&format!("{PREFIX}/networkServices"), get(list_services))
        .route(
            &format!("{PREFIX}/networkServiceGroups"),
            get(|State(s): Shared, uri: Uri| async move {
                named_page(&s.ztw.service_groups, &Params::from_uri(&uri), |_| true)
            }),
        )
        .route(&format!("{PREFIX}/adminUsers"), get(list_admins))
        .route(&format!("{PREFIX}/adminRoles"), get(list_roles))
        .route(&format!("{PREFIX}/publicCloudInfo"), get(list_cloud_info))
        .route(
            &format!("{PREFIX}/publicCloudAccountDetails"),
            get(|State(s): Shared, uri: Uri| async move {
                page(s.ztw.cloud_accounts.clone(), &Params::from_uri(&uri))
            }),
        )
        .route(
            &format!("{PREFIX}/discoveryService/workloadDiscoverySettings"),
            get(|State(s): Shared| async move { reply::json(StatusCode::OK, &s.ztw.discovery) }),
        )
}

fn page(items: Vec<Value>, params: &Params) -> Response {
    match zia_page(items, params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) {
        Ok(page) => reply::json(StatusCode::OK, &Value::Array(page)),
        Err(message) => zia_invalid(&message),
    }
}

fn name_of(item: &Value) -> &str {
    item.get("name")
        .or_else(|| item.get("loginName"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `search` (name contains, case-insensitive) plus `keep`, then one page.
fn named_page(items: &[Value], params: &Params, keep: impl Fn(&Value) -> bool) -> Response {
    let search = params.get("search").unwrap_or("").to_lowercase();
    let matching = items
        .iter()
        .filter(|item| name_of(item).to_lowercase().contains(&search))
        .filter(|item| keep(item))
        .cloned()
        .collect();
    page(matching, params)
}

async fn list_groups(State(state): Shared, uri: Uri, kind: Kind, lite: bool) -> Response {
    let params = Params::from_uri(&uri);
    let excluded = params.list("excludeType");
    let mut groups = lock(&state.ztw.groups);
    let items: Vec<Value> = kind
        .list(&mut groups)
        .iter()
        .filter(|g| !excluded.iter().any(|t| g["type"] == t.as_str()))
        .map(|g| {
            if lite {
                let mut row = json!({"id": g["id"], "name": g["name"]});
                if let (Some(map), Some(kind)) = (row.as_object_mut(), g.get("type")) {
                    map.insert("type".into(), kind.clone());
                }
                row
            } else {
                g.clone()
            }
        })
        .collect();
    named_page(&items, &params, |_| true)
}

fn strings(body: &Map<String, Value>, key: &str) -> Result<Vec<Value>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(items.clone()),
        Some(_) => Err(format!("{key} must be a list of strings")),
    }
}

async fn create_group(State(state): Shared, body: Bytes, kind: Kind) -> Response {
    let Ok(Value::Object(body)) = reply::parse_body(&body) else {
        return zia_error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT_ARGUMENT",
            "Request body is invalid.",
        );
    };
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if name.is_empty() {
        return zia_invalid("name cannot be null");
    }
    let description = body.get("description").cloned().unwrap_or(json!(""));
    let mut group = match kind {
        Kind::Ip | Kind::Source => {
            let addresses = match strings(&body, "ipAddresses") {
                Ok(a) if !a.is_empty() => a,
                Ok(_) => return zia_invalid("ipAddresses cannot be empty"),
                Err(message) => return zia_invalid(&message),
            };
            json!({"name": name, "description": description, "ipAddresses": addresses,
                   "isNonEditable": false})
        }
        Kind::Destination => {
            let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
            if !DESTINATION_TYPES.contains(&kind) {
                return zia_invalid(&format!(
                    "type must be one of {}",
                    DESTINATION_TYPES.join(", ")
                ));
            }
            let (addresses, countries) =
                match (strings(&body, "addresses"), strings(&body, "countries")) {
                    (Ok(a), Ok(c)) => (a, c),
                    (Err(message), _) | (_, Err(message)) => return zia_invalid(&message),
                };
            if addresses.is_empty() && countries.is_empty() {
                return zia_invalid("addresses or countries must be given");
            }
            json!({"name": name, "type": kind, "description": description, "addresses": addresses,
                   "countries": countries, "ipCategories": [], "isNonEditable": false})
        }
    };
    let mut groups = lock(&state.ztw.groups);
    let id = groups.next_id;
    let list = kind.list(&mut groups);
    if list.iter().any(|g| name_of(g).eq_ignore_ascii_case(&name)) {
        return zia_error(
            StatusCode::CONFLICT,
            "DUPLICATE_ITEM",
            &format!("{} {name} already exists", kind.label()),
        );
    }
    if let Some(map) = group.as_object_mut() {
        map.insert("id".into(), json!(id));
    }
    list.push(group.clone());
    groups.next_id += 1;
    reply::json(StatusCode::OK, &group)
}

async fn delete_group(State(state): Shared, Path(id): Path<String>, kind: Kind) -> Response {
    let mut groups = lock(&state.ztw.groups);
    let list = kind.list(&mut groups);
    let before = list.len();
    list.retain(|g| {
        g.get("id")
            .is_none_or(|v| *v != json!(id.parse::<i64>().unwrap_or(-1)))
    });
    if list.len() == before {
        return zia_not_found(kind.label(), &id);
    }
    reply::empty(StatusCode::NO_CONTENT)
}

async fn list_services(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let protocol = params.get("protocol").unwrap_or("").to_uppercase();
    let key = match protocol.as_str() {
        "" => None,
        "TCP" => Some("destTcpPorts"),
        "UDP" => Some("destUdpPorts"),
        other => {
            return zia_invalid(&format!(
                "protocol {other} is not supported; use TCP or UDP"
            ));
        }
    };
    named_page(&state.ztw.services, &params, |s| {
        key.is_none_or(|k| s[k].as_array().is_some_and(|p| !p.is_empty()))
    })
}

/// Booleans as ZTW reads them: `true` only when sent as `true`, else the default.
fn flag(params: &Params, key: &str, default: bool) -> bool {
    params
        .get(key)
        .map_or(default, |v| v.eq_ignore_ascii_case("true"))
}

async fn list_admins(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let auditors = flag(&params, "includeAuditorUsers", false);
    let admins = flag(&params, "includeAdminUsers", true);
    let api = flag(&params, "includeApiRoles", false);
    named_page(&state.ztw.admins, &params, |a| {
        let is_auditor = a["isAuditor"] == true;
        let is_api = a["isApiRole"] == true;
        (is_auditor && auditors) || (is_api && api) || (!is_auditor && !is_api && admins)
    })
}

async fn list_roles(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let auditors = flag(&params, "includeAuditorRole", false);
    let partners = flag(&params, "includePartnerRole", true);
    let api = flag(&params, "includeApiRoles", false);
    let ids = params.list("id");
    named_page(&state.ztw.roles, &params, |r| {
        (ids.is_empty() || ids.contains(&r["id"].to_string()))
            && (auditors || r["isAuditor"] != true)
            && (partners || r["isPartnerRole"] != true)
            && (api || r["isApiRole"] != true)
    })
}

async fn list_cloud_info(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let cloud = params.get("cloudType").unwrap_or("").to_uppercase();
    named_page(&state.ztw.cloud_info, &params, |c| {
        cloud.is_empty() || c["cloudType"] == cloud.as_str()
    })
}
