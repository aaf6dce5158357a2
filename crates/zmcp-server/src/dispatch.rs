//! One tool call, start to finish: find the tool, validate its arguments, confirm a delete,
//! run it (handler, HTTP plan or GraphQL plan) under the request's cancellation, apply the
//! JMESPath `query`, shape the result. Nothing here panics on any input.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rmcp::RoleServer;
use rmcp::model::{CallToolRequestParams, CallToolResult, ProtocolVersion};
use rmcp::service::RequestContext;
use serde_json::{Map, Value};
use zmcp_catalog::{Action, Catalog, Method, Paging, RequestPlan, ToolSpec};
use zmcp_zscaler::{ApiRequest, HttpMethod, PageStyle, ZscalerClient};

use crate::confirm::{self, Elicited, TokenChannel};
use crate::handler::ServerState;
use crate::handlers::{self, HandlerCall};
use crate::outcome::{self, Produced, ToolFailure};
use crate::tools::{KWARGS, QUERY};

/// Bound of the best-effort name lookup that decorates a delete prompt.
const NAME_LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one `tools/call`; every failure becomes an `isError` result.
pub async fn call_tool(
    state: &ServerState,
    request: CallToolRequestParams,
    context: RequestContext<RoleServer>,
) -> CallToolResult {
    let name = request.name.as_ref();
    let Some(spec) = state.tools.spec(name) else {
        return outcome::error_text(format!(
            "Unknown tool: {name}. Call tools/list for the tools this server exposes."
        ));
    };
    let mut args = request.arguments.unwrap_or_default();
    let kwargs = args.remove(KWARGS);
    let args = Value::Object(args);
    if let Err(problems) = state.validators.validate(&spec.name, &args) {
        return outcome::error_text(problems);
    }
    let Value::Object(mut args) = args else {
        return outcome::error_text("arguments must be a JSON object");
    };
    let query = if spec.list { args.remove(QUERY) } else { None };

    if spec.action == Action::Delete
        && let Some(refusal) = confirm_delete(state, spec, &args, kwargs.as_ref(), &context).await
    {
        return refusal;
    }
    let client = match &state.client {
        Ok(client) => client,
        Err(error) => return outcome::failure(spec, ToolFailure::Config(error.clone())),
    };

    let result = tokio::select! {
        biased;
        () = context.ct.cancelled() => Err(ToolFailure::Cancelled),
        result = run(state, client, spec, &args) => result,
    };
    let produced = match result.and_then(|produced| apply_query(produced, query.as_ref())) {
        Ok(produced) => produced,
        Err(failure) => {
            tracing::info!(tool = %spec.name, ?failure, "tool call failed");
            return outcome::failure(spec, failure);
        }
    };
    outcome::success(spec, &args, produced)
}

/// Runs the tool's body: its handler, or the one call its catalog entry describes.
pub(crate) async fn run(
    state: &ServerState,
    client: &ZscalerClient,
    spec: &'static ToolSpec,
    args: &Map<String, Value>,
) -> Result<Produced, ToolFailure> {
    if let Some(handler) = &spec.handler {
        let call = HandlerCall {
            client,
            spec,
            args,
            tenant: &state.tenant,
            max_items: state.max_list_items,
        };
        return handlers::run(handler, call).await;
    }
    if spec.http.is_some() {
        let plan = zmcp_catalog::plan_request(spec, args, &state.tenant, now_epoch_secs())?;
        let paging = page_style(spec).filter(|_| spec.list && !plan.single_page);
        return fetch(client, to_api_request(plan), paging, state.max_list_items).await;
    }
    if spec.graphql.is_some() {
        let plan = zmcp_catalog::plan_graphql(spec, args, &state.tenant, now_epoch_secs())?;
        let data = client
            .graphql(&plan.endpoint, &plan.document, plan.variables)
            .await?;
        return Ok(Produced::complete(take_path(data, &plan.result_path)));
    }
    Err(ToolFailure::Unsupported(
        "the catalog entry names no HTTP call, GraphQL operation or handler".into(),
    ))
}

/// One request, or every page of it when `paging` is given.
pub(crate) async fn fetch(
    client: &ZscalerClient,
    request: ApiRequest,
    paging: Option<PageStyle>,
    max_items: usize,
) -> Result<Produced, ToolFailure> {
    match paging {
        Some(style) => {
            let paged = client.fetch_all(&request, &style, max_items).await?;
            Ok(Produced {
                value: Value::Array(paged.items),
                truncated_at: paged.truncated.then_some(max_items),
            })
        }
        None => Ok(Produced::complete(client.execute(&request).await?.body)),
    }
}

/// The client's paging convention for the catalog's.
pub(crate) fn page_style(spec: &ToolSpec) -> Option<PageStyle> {
    Some(match spec.paging? {
        Paging::Zia => PageStyle::Zia,
        Paging::Zpa => PageStyle::Zpa,
        Paging::Zdx => PageStyle::Zdx {
            items_key: spec.items.clone(),
        },
        Paging::Zid => PageStyle::Zid,
        Paging::Zcell => PageStyle::Zcell,
    })
}

/// The catalog's plan, field for field.
pub(crate) fn to_api_request(plan: RequestPlan) -> ApiRequest {
    ApiRequest {
        method: match plan.method {
            Method::Get => HttpMethod::Get,
            Method::Post => HttpMethod::Post,
            Method::Put => HttpMethod::Put,
            Method::Patch => HttpMethod::Patch,
            Method::Delete => HttpMethod::Delete,
        },
        path: plan.path,
        query: plan.query,
        body: plan.body,
    }
}

fn apply_query(produced: Produced, query: Option<&Value>) -> Result<Produced, ToolFailure> {
    let Some(expression) = query
        .and_then(Value::as_str)
        .filter(|q| !q.trim().is_empty())
    else {
        return Ok(produced);
    };
    let value =
        zmcp_catalog::query::apply(expression, &produced.value).map_err(ToolFailure::Query)?;
    Ok(Produced { value, ..produced })
}

/// The value at a dotted path (`a.b.0.c`) inside GraphQL `data`; `null` when absent.
fn take_path(mut value: Value, path: &str) -> Value {
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        value = match value {
            Value::Object(mut map) => map.remove(segment).unwrap_or(Value::Null),
            Value::Array(mut items) => match segment.parse::<usize>() {
                Ok(index) if index < items.len() => items.swap_remove(index),
                _ => Value::Null,
            },
            _ => Value::Null,
        };
    }
    value
}

/// The gate before any delete; `None` means confirmed, go ahead.
async fn confirm_delete(
    state: &ServerState,
    spec: &'static ToolSpec,
    args: &Map<String, Value>,
    kwargs: Option<&Value>,
    context: &RequestContext<RoleServer>,
) -> Option<CallToolResult> {
    let now = now_epoch_secs();
    let mut rejection = None;
    match confirm::token_channel(kwargs) {
        TokenChannel::Token(token) => match state.gate.verify(&spec.name, args, &token, now) {
            Ok(()) => return None,
            Err(reason) => rejection = Some(reason),
        },
        TokenChannel::Deprecated => tracing::warn!(
            tool = %spec.name,
            "kwargs {{\"confirmed\": true}} is no longer accepted; issuing a confirmation token"
        ),
        TokenChannel::Empty => {}
    }
    let target = describe_target(state, spec, args).await;
    if rejection.is_none() && session_can_elicit(context) {
        match confirm::elicit(&context.peer, &spec.name, &target, state.gate.ttl()).await {
            Elicited::Approved => return None,
            Elicited::Refused(text) => return Some(outcome::plain_text(text)),
            Elicited::Unavailable => {}
        }
    }
    let token = state.gate.issue(&spec.name, args, now);
    let prompt = confirm::prompt_text(&spec.name, &target, &token);
    Some(outcome::plain_text(match rejection {
        Some(reason) => format!("Confirmation rejected: {reason}\n\n{prompt}"),
        None => prompt,
    }))
}

/// Server-to-client requests exist only before 2026-07-28 and only when the client said it
/// can answer an elicitation form.
fn session_can_elicit(context: &RequestContext<RoleServer>) -> bool {
    let legacy = context
        .protocol_version()
        .is_some_and(|v| v.as_str() < ProtocolVersion::V_2026_07_28.as_str());
    legacy && confirm::can_elicit(&context.peer)
}

/// `"name" (id)` through the matching `*_get_*` tool, or just the id; best effort.
async fn describe_target(
    state: &ServerState,
    spec: &'static ToolSpec,
    args: &Map<String, Value>,
) -> String {
    let id = confirm::identifier(args);
    let Ok(client) = &state.client else {
        return id;
    };
    let getter = spec.name.replacen("_delete_", "_get_", 1);
    let Some(get_spec) = state
        .tools
        .spec(&getter)
        .or_else(|| Catalog::builtin().ok().and_then(|c| c.get(&getter)))
    else {
        return id;
    };
    let lookup = tokio::time::timeout(NAME_LOOKUP_TIMEOUT, run(state, client, get_spec, args));
    let name = match lookup.await {
        Ok(Ok(produced)) => ["name", "displayName", "display_name", "configuredName"]
            .iter()
            .find_map(|key| {
                produced
                    .value
                    .get(*key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }),
        _ => None,
    };
    match name {
        Some(name) => format!("\"{name}\" ({id})"),
        None => id,
    }
}

/// Seconds since the epoch; a clock before 1970 reads as 0.
pub(crate) fn now_epoch_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::take_path;
    use serde_json::json;

    #[test]
    fn take_path_walks_objects_and_arrays() {
        let data = json!({"a": {"b": [{"c": 1}, {"c": 2}]}});
        assert_eq!(take_path(data.clone(), "a.b.1.c"), json!(2));
        assert_eq!(take_path(data.clone(), "a.x"), json!(null));
        assert_eq!(
            take_path(data, ""),
            json!({"a": {"b": [{"c": 1}, {"c": 2}]}})
        );
    }
}
