//! ZIdentity admin API (`/ziam/admin/api/v1`): users and groups with `offset`/`limit` paging.
//! Pages carry `next_link`, an absolute URL on the tenant's `-admin.zslogin.net` host, as the
//! real service hands out.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use crate::params::Params;
use crate::reply;
use crate::state::SimState;

const PREFIX: &str = "/ziam/admin/api/v1";
/// Where `next_link` points: the admin host of the demo tenant (never fetched by clients that
/// talk to the simulator, which replay the link's query on the gateway path instead).
const ADMIN_BASE: &str = "https://acme-admin.zslogin.net/admin/api/v1";
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// ZIdentity's data: users, groups, and (user id, group id) memberships.
pub(crate) struct ZidData {
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub memberships: Vec<(String, String)>,
}

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(&format!("{PREFIX}/users"), get(list_users))
        .route(&format!("{PREFIX}/users/{{id}}"), get(get_user))
        .route(&format!("{PREFIX}/users/{{id}}/groups"), get(user_groups))
        .route(&format!("{PREFIX}/groups"), get(list_groups))
        .route(&format!("{PREFIX}/groups/{{id}}"), get(get_group))
        .route(&format!("{PREFIX}/groups/{{id}}/users"), get(group_users))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    reply::json(status, &json!({"errorCode": code, "errorMessage": message}))
}

fn not_found(what: &str, id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "resource.not.found",
        &format!("{what} {id} not found"),
    )
}

fn text<'a>(item: &'a Value, key: &str) -> &'a str {
    item.get(key).and_then(Value::as_str).unwrap_or("")
}

fn like(value: &str, needle: &str) -> bool {
    value.to_lowercase().contains(&needle.to_lowercase())
}

/// One page of `items` in ZIdentity's envelope; `path` is the list's path under the prefix.
fn page(items: Vec<Value>, params: &Params, path: &str) -> Response {
    let (offset, limit) = match (params.int("offset"), params.int("limit")) {
        (Ok(offset), Ok(limit)) => (offset.unwrap_or(0), limit.unwrap_or(DEFAULT_LIMIT)),
        (Err(message), _) | (_, Err(message)) => {
            return error(StatusCode::BAD_REQUEST, "invalid.request", &message);
        }
    };
    if offset < 0 || !(0..=MAX_LIMIT).contains(&limit) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid.request",
            &format!("offset must be >= 0 and limit between 0 and {MAX_LIMIT}"),
        );
    }
    let total = items.len();
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(total);
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(0))
        .min(total);
    let link = |at: usize| format!("{ADMIN_BASE}{path}?offset={at}&limit={limit}");
    let next = (end < total && end > start).then(|| link(end));
    let prev = (start > 0).then(|| link(start.saturating_sub(usize::try_from(limit).unwrap_or(0))));
    reply::json(
        StatusCode::OK,
        &json!({
            "pageOffset": start, "pageSize": limit, "totalRecord": total, "results_total": total,
            "next_link": next, "prev_link": prev,
            "records": items.get(start..end).unwrap_or_default(),
        }),
    )
}

/// `key` (exact, repeatable, comma-separated) and `key[like]` (substring) filters on `field`.
fn matches(item: &Value, params: &Params, key: &str, field: &str) -> bool {
    let exact = params.list(key);
    let value = text(item, field);
    let exact_ok = exact.is_empty() || exact.iter().any(|e| e.eq_ignore_ascii_case(value));
    let like_ok = params
        .get(&format!("{key}[like]"))
        .is_none_or(|needle| like(value, needle));
    exact_ok && like_ok
}

async fn list_users(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let users = state
        .zid
        .users
        .iter()
        .filter(|u| matches(u, &params, "loginname", "loginName"))
        .filter(|u| matches(u, &params, "displayname", "displayName"))
        .filter(|u| matches(u, &params, "primaryemail", "primaryEmail"))
        .filter(|u| {
            let domains = params.list("domainname");
            domains.is_empty()
                || domains.iter().any(|d| {
                    text(u, "loginName")
                        .to_lowercase()
                        .ends_with(&format!("@{}", d.to_lowercase()))
                })
        })
        .filter(|u| {
            let idps = params.list("idpname");
            idps.is_empty()
                || idps.iter().any(|i| {
                    u.pointer("/idp/name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(i))
                })
        })
        .cloned()
        .collect();
    page(users, &params, "/users")
}

fn find<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    items.iter().find(|item| text(item, "id") == id)
}

async fn get_user(State(state): Shared, Path(id): Path<String>) -> Response {
    match find(&state.zid.users, &id) {
        Some(user) => reply::json(StatusCode::OK, user),
        None => not_found("User", &id),
    }
}

async fn user_groups(State(state): Shared, Path(id): Path<String>, uri: Uri) -> Response {
    if find(&state.zid.users, &id).is_none() {
        return not_found("User", &id);
    }
    let groups = state
        .zid
        .memberships
        .iter()
        .filter(|(user, _)| *user == id)
        .filter_map(|(_, group)| find(&state.zid.groups, group))
        .cloned()
        .collect();
    page(
        groups,
        &Params::from_uri(&uri),
        &format!("/users/{id}/groups"),
    )
}

async fn list_groups(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let exclude_dynamic = params.flag("excludedynamicgroups");
    let groups = state
        .zid
        .groups
        .iter()
        .filter(|g| matches(g, &params, "name", "name"))
        .filter(|g| !(exclude_dynamic && g["isDynamicGroup"] == true))
        .cloned()
        .collect();
    page(groups, &params, "/groups")
}

async fn get_group(State(state): Shared, Path(id): Path<String>) -> Response {
    match find(&state.zid.groups, &id) {
        Some(group) => reply::json(StatusCode::OK, group),
        None => not_found("Group", &id),
    }
}

async fn group_users(State(state): Shared, Path(id): Path<String>, uri: Uri) -> Response {
    if find(&state.zid.groups, &id).is_none() {
        return not_found("Group", &id);
    }
    let users = state
        .zid
        .memberships
        .iter()
        .filter(|(_, group)| *group == id)
        .filter_map(|(user, _)| find(&state.zid.users, user))
        .cloned()
        .collect();
    page(
        users,
        &Params::from_uri(&uri),
        &format!("/groups/{id}/users"),
    )
}
