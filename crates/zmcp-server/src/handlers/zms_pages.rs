//! ZMS lists with `fetch_all`: the entry's GraphQL query page after page (`page` from 1,
//! `pageSize` as given or [`PAGE_SIZE`]) until `pageInfo.totalPages`, nodes concatenated, as
//! the Python SDK does when `fetch_all` is set. Without it, the one page the arguments ask for.

use serde_json::Value;
use zmcp_catalog::plan_graphql;

use super::HandlerCall;
use crate::dispatch::now_epoch_secs;
use crate::outcome::{Produced, ToolFailure};

/// `pageSize` of each request of a walk when the caller gave none.
const PAGE_SIZE: i64 = 100;
/// Pages a walk may request, so a server that keeps reporting more pages cannot hold the call.
const MAX_PAGES: i64 = 1000;

/// Runs the entry's query once, or every page when `fetch_all` is true.
pub async fn run(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let mut plan = plan_graphql(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let pointer = |path: &str| format!("/{}", path.replace('.', "/"));
    let nodes_at = pointer(&plan.result_path);
    let connection_at = pointer(
        plan.result_path
            .strip_suffix(".nodes")
            .unwrap_or(&plan.result_path),
    );
    let fetch_all = call.args.get("fetch_all").and_then(Value::as_bool) == Some(true);
    if !fetch_all {
        let data = call
            .client
            .graphql(&plan.endpoint, &plan.document, plan.variables)
            .await?;
        return Ok(Produced::complete(
            data.pointer(&nodes_at).cloned().unwrap_or(Value::Null),
        ));
    }
    if let Some(variables) = plan.variables.as_object_mut()
        && !variables.contains_key("pageSize")
    {
        variables.insert("pageSize".into(), PAGE_SIZE.into());
    }
    let mut nodes = Vec::new();
    for page in 1..=MAX_PAGES {
        if let Some(variables) = plan.variables.as_object_mut() {
            variables.insert("page".into(), page.into());
        }
        let data = call
            .client
            .graphql(&plan.endpoint, &plan.document, plan.variables.clone())
            .await?;
        let batch = match data.pointer(&nodes_at) {
            Some(Value::Array(batch)) => batch.clone(),
            _ => Vec::new(),
        };
        let total_pages = data
            .pointer(&format!("{connection_at}/pageInfo/totalPages"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let empty = batch.is_empty();
        nodes.extend(batch);
        if nodes.len() >= call.max_items {
            nodes.truncate(call.max_items);
            return Ok(Produced {
                value: Value::Array(nodes),
                truncated_at: Some(call.max_items),
            });
        }
        if empty || page >= total_pages {
            break;
        }
    }
    Ok(Produced::complete(Value::Array(nodes)))
}
