//! ZMS microsegmentation (`POST /zms/graphql`): GraphQL over the seeded tree in
//! `data/zms.json`. Every root field needs the tenant's `customerId`; lists are connections
//! `{nodes, pageInfo}` paged with `page`/`pageSize`; errors are HTTP 200 with `errors`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;

use super::zins::answer;
use crate::state::SimState;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new().route(
        "/zms/graphql",
        post(|State(state): State<Arc<SimState>>, body: Bytes| async move {
            answer(&state.zms, &body)
        }),
    )
}
