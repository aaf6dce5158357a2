//! Z-Insights (`POST /zins/graphql`): GraphQL over the seeded analytics tree. Errors are
//! HTTP 200 with an `errors` array, as the service answers.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use crate::graphql;
use crate::reply;
use crate::state::SimState;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new().route("/zins/graphql", post(graphql_endpoint))
}

async fn graphql_endpoint(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    answer(&state.zins, &body)
}

/// Runs a GraphQL request body against `tree` (Z-Insights and ZMS share this): HTTP 200 with
/// `data` and/or `errors`, 400 only for a body that is not a JSON object.
pub(crate) fn answer(tree: &Value, body: &Bytes) -> Response {
    let request: Value = match reply::parse_body(body) {
        Ok(Value::Object(map)) => Value::Object(map),
        _ => {
            return reply::json(
                StatusCode::BAD_REQUEST,
                &json!({"errors": [{"message": "Request body must be a JSON object with a 'query'",
                                    "extensions": {"classification": "InvalidSyntax"}}]}),
            );
        }
    };
    let Some(query) = request.get("query").and_then(Value::as_str) else {
        return reply::json(
            StatusCode::OK,
            &json!({"errors": [{"message": "Missing 'query' in request",
                                "extensions": {"classification": "InvalidSyntax"}}]}),
        );
    };
    let variables = request.get("variables").cloned().unwrap_or(Value::Null);
    let operation = request.get("operationName").and_then(Value::as_str);
    let response = graphql::execute(tree, query, &variables, operation);
    reply::json(StatusCode::OK, &response)
}
