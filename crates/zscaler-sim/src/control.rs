//! `/_sim/*`: control routes for tests that drive the simulator binary over HTTP (faults,
//! token expiry, secret rotation, the request log). Not part of any Zscaler API.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use crate::faults::Fault;
use crate::reply;
use crate::state::{SimState, lock};

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Fault),
    Many(Vec<Fault>),
}

#[derive(Deserialize)]
struct Rotation {
    client_secret: String,
}

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/_sim/faults", post(add_faults).delete(clear_faults))
        .route("/_sim/expire-tokens", post(expire_tokens))
        .route("/_sim/rotate-secret", post(rotate_secret))
        .route(
            "/_sim/requests",
            axum::routing::get(list_requests).delete(clear_requests),
        )
}

fn bad(message: String) -> Response {
    reply::json(StatusCode::BAD_REQUEST, &json!({"error": message}))
}

async fn add_faults(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let faults = match serde_json::from_slice::<OneOrMany>(&body) {
        Ok(OneOrMany::One(fault)) => vec![fault],
        Ok(OneOrMany::Many(faults)) => faults,
        Err(err) => return bad(format!("invalid fault: {err}")),
    };
    let queued = faults.len();
    lock(&state.faults).extend(faults);
    reply::json(StatusCode::OK, &json!({"queued": queued}))
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> Response {
    lock(&state.faults).clear();
    reply::empty(StatusCode::NO_CONTENT)
}

async fn expire_tokens(State(state): State<Arc<SimState>>) -> Response {
    state.tokens.expire_all();
    reply::empty(StatusCode::NO_CONTENT)
}

async fn rotate_secret(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Rotation>(&body) {
        Ok(rotation) => {
            *lock(&state.secret) = rotation.client_secret;
            reply::empty(StatusCode::NO_CONTENT)
        }
        Err(err) => bad(format!("expected {{\"client_secret\":...}}: {err}")),
    }
}

async fn list_requests(State(state): State<Arc<SimState>>) -> Response {
    let log = lock(&state.log).clone();
    reply::json(
        StatusCode::OK,
        &serde_json::to_value(log).unwrap_or_default(),
    )
}

async fn clear_requests(State(state): State<Arc<SimState>>) -> Response {
    lock(&state.log).clear();
    reply::empty(StatusCode::NO_CONTENT)
}
