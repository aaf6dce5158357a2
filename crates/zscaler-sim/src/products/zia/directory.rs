//! ZIA directory: users (starts-with filters), groups, departments (with the lite form) and
//! location groups (with the bare-integer count).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::{PREFIX, Shared, by_id, lite, ok, page_response, search};
use crate::params::Params;
use crate::products::zia::ZiaTenant;
use crate::reply::zia_not_found;
use crate::state::SimState;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(&format!("{PREFIX}/users"), get(list_users))
        .route(&format!("{PREFIX}/users/{{id}}"), get(get_user))
        .route(&format!("{PREFIX}/groups"), get(list_groups))
        .route(&format!("{PREFIX}/groups/{{id}}"), get(get_group))
        .route(&format!("{PREFIX}/departments"), get(list_departments))
        .route(&format!("{PREFIX}/departments/{{id}}"), get(get_department))
        .route(
            &format!("{PREFIX}/departments/lite/{{id}}"),
            get(get_department_lite),
        )
        .route(
            &format!("{PREFIX}/locations/groups"),
            get(list_location_groups),
        )
        .route(
            &format!("{PREFIX}/locations/groups/count"),
            get(count_location_groups),
        )
        .route(
            &format!("{PREFIX}/locations/groups/{{id}}"),
            get(get_location_group),
        )
}

fn starts_with(value: Option<&Value>, prefix: &str) -> bool {
    value
        .and_then(Value::as_str)
        .is_some_and(|v| v.to_lowercase().starts_with(&prefix.to_lowercase()))
}

async fn list_users(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let users = state.tenant.lock().await.zia.users.clone();
    let users: Vec<Value> = users
        .into_iter()
        .filter(|u| {
            params
                .get("name")
                .is_none_or(|n| starts_with(u.get("name"), n))
        })
        .filter(|u| {
            params
                .get("dept")
                .is_none_or(|d| starts_with(u.pointer("/department/name"), d))
        })
        .filter(|u| {
            params.get("group").is_none_or(|g| {
                u.get("groups")
                    .and_then(Value::as_array)
                    .is_some_and(|groups| groups.iter().any(|x| starts_with(x.get("name"), g)))
            })
        })
        .collect();
    let users = search(users, &params, &["name", "email"]);
    page_response(users, &params, 100, 10_000)
}

async fn get_user(State(state): Shared, Path(id): Path<String>) -> Response {
    one(&state.tenant.lock().await.zia, |z| &z.users, "User", &id)
}

/// One record of a directory list, or ZIA's 404.
fn one(zia: &ZiaTenant, list: fn(&ZiaTenant) -> &Vec<Value>, what: &str, id: &str) -> Response {
    match by_id(list(zia), id) {
        Some(record) => ok(record),
        None => zia_not_found(what, id),
    }
}

/// `sortBy` (`id` or `name`) and `sortOrder` (`asc`, `desc`), as the directory lists accept.
fn sorted(mut items: Vec<Value>, params: &Params) -> Vec<Value> {
    match params.get("sortBy") {
        Some("name") => items.sort_by_key(|i| super::name_of(i, "name")),
        Some("id") => items.sort_by_key(|i| i.get("id").and_then(Value::as_i64)),
        _ => {}
    }
    if params.get("sortOrder") == Some("desc") {
        items.reverse();
    }
    items
}

async fn list_groups(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let groups = state.tenant.lock().await.zia.groups.clone();
    let groups = match params.get("definedBy").filter(|d| !d.is_empty()) {
        Some(source) => groups
            .into_iter()
            .filter(|g| g.get("definedBy").and_then(Value::as_str) == Some(source))
            .collect(),
        None => groups,
    };
    let groups = sorted(search(groups, &params, &["name", "comments"]), &params);
    page_response(groups, &params, 100, 1000)
}

async fn get_group(State(state): Shared, Path(id): Path<String>) -> Response {
    one(&state.tenant.lock().await.zia, |z| &z.groups, "Group", &id)
}

async fn list_departments(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let departments = state.tenant.lock().await.zia.departments.clone();
    let keys: &[&str] = if params.flag("limitSearch") {
        &["name"]
    } else {
        &["name", "comments"]
    };
    let departments = sorted(search(departments, &params, keys), &params);
    page_response(departments, &params, 100, 1000)
}

async fn get_department(State(state): Shared, Path(id): Path<String>) -> Response {
    one(
        &state.tenant.lock().await.zia,
        |z| &z.departments,
        "Department",
        &id,
    )
}

async fn get_department_lite(State(state): Shared, Path(id): Path<String>) -> Response {
    let tenant = state.tenant.lock().await;
    match by_id(&tenant.zia.departments, &id) {
        Some(department) => ok(&lite(department)),
        None => zia_not_found("Department", &id),
    }
}

async fn list_location_groups(State(state): Shared, uri: Uri) -> Response {
    let params = Params::from_uri(&uri);
    let groups = state.tenant.lock().await.zia.location_groups.clone();
    let groups = match params.get("name").filter(|n| !n.is_empty()) {
        Some(name) => groups
            .into_iter()
            .filter(|g| super::name_of(g, "name") == name.to_lowercase())
            .collect(),
        None => groups,
    };
    let groups = search(groups, &params, &["name"]);
    page_response(groups, &params, 100, 1000)
}

/// `GET /locations/groups/count` answers a bare integer.
async fn count_location_groups(State(state): Shared) -> Response {
    ok(&json!(state.tenant.lock().await.zia.location_groups.len()))
}

async fn get_location_group(State(state): Shared, Path(id): Path<String>) -> Response {
    one(
        &state.tenant.lock().await.zia,
        |z| &z.location_groups,
        "Location group",
        &id,
    )
}
