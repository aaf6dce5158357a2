//! EASM (`/easm/easm-ui/v1`): organizations, their findings (details, evidence, scan output)
//! and lookalike domains. Lists are `{"results": [...], "total_results": N}`.

// Helpers return the error reply itself, sent at once; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use crate::reply;
use crate::state::SimState;

const PREFIX: &str = "/easm/easm-ui/v1/organizations";

/// One organization: its list entry, and (summary, details) pairs of findings and lookalikes.
pub(crate) struct Organization {
    pub summary: Value,
    pub findings: Vec<(Value, Value)>,
    pub lookalikes: Vec<(Value, Value)>,
}

/// EASM's read-only data.
pub(crate) struct EasmData {
    pub organizations: Vec<Organization>,
}

type Shared = State<Arc<SimState>>;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    let org = format!("{PREFIX}/{{org}}");
    let finding = format!("{org}/findings/{{id}}");
    Router::new()
        .route(PREFIX, get(list_organizations))
        .route(&format!("{org}/findings"), get(list_findings))
        .route(&format!("{finding}/details"), get(finding_details))
        .route(&format!("{finding}/evidence"), get(finding_evidence))
        .route(&format!("{finding}/scan-output"), get(finding_scan_output))
        .route(&format!("{org}/lookalike-domains"), get(list_lookalikes))
        .route(
            &format!("{org}/lookalike-domains/{{raw}}/details"),
            get(lookalike_details),
        )
}

fn not_found(message: String) -> Response {
    reply::json(StatusCode::NOT_FOUND, &json!({"detail": message}))
}

fn results(items: Vec<Value>) -> Response {
    let total = items.len();
    reply::json(
        StatusCode::OK,
        &json!({"results": items, "total_results": total}),
    )
}

fn organization<'a>(state: &'a SimState, id: &str) -> Result<&'a Organization, Response> {
    state
        .zeasm
        .organizations
        .iter()
        .find(|o| o.summary.get("id").and_then(Value::as_str) == Some(id))
        .ok_or_else(|| not_found(format!("Organization {id} not found")))
}

async fn list_organizations(State(state): Shared) -> Response {
    results(
        state
            .zeasm
            .organizations
            .iter()
            .map(|o| o.summary.clone())
            .collect(),
    )
}

async fn list_findings(State(state): Shared, Path(org): Path<String>) -> Response {
    match organization(&state, &org) {
        Ok(org) => results(org.findings.iter().map(|(s, _)| s.clone()).collect()),
        Err(response) => response,
    }
}

/// The finding's details, or the part of them under `part` (evidence, scan output).
fn finding_part(state: &SimState, org: &str, id: &str, part: Option<&str>) -> Response {
    let org = match organization(state, org) {
        Ok(org) => org,
        Err(response) => return response,
    };
    let Some((_, details)) = org.findings.iter().find(|(s, _)| s["id"] == id) else {
        return not_found(format!("Finding {id} not found"));
    };
    match part {
        Some(key) => reply::json(StatusCode::OK, &details[key]),
        None => {
            let mut body = details.clone();
            if let Some(map) = body.as_object_mut() {
                map.remove("evidence");
                map.remove("scan_output");
            }
            reply::json(StatusCode::OK, &body)
        }
    }
}

async fn finding_details(State(s): Shared, Path((org, id)): Path<(String, String)>) -> Response {
    finding_part(&s, &org, &id, None)
}

async fn finding_evidence(State(s): Shared, Path((org, id)): Path<(String, String)>) -> Response {
    finding_part(&s, &org, &id, Some("evidence"))
}

async fn finding_scan_output(
    State(s): Shared,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    finding_part(&s, &org, &id, Some("scan_output"))
}

async fn list_lookalikes(State(state): Shared, Path(org): Path<String>) -> Response {
    match organization(&state, &org) {
        Ok(org) => results(org.lookalikes.iter().map(|(s, _)| s.clone()).collect()),
        Err(response) => response,
    }
}

async fn lookalike_details(
    State(state): Shared,
    Path((org, raw)): Path<(String, String)>,
) -> Response {
    let org = match organization(&state, &org) {
        Ok(org) => org,
        Err(response) => return response,
    };
    match org
        .lookalikes
        .iter()
        .find(|(s, _)| s["lookalike_raw"] == raw.as_str())
    {
        Some((_, details)) => reply::json(StatusCode::OK, details),
        None => not_found(format!("Lookalike domain {raw} not found")),
    }
}
