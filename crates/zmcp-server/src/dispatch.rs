//! One tool call, start to finish: find the tool, validate its arguments, confirm a delete,
//! run it (handler, HTTP plan or GraphQL plan) under the request's cancellation, apply the
//! JMESPath `query`, shape the result, write the audit line. Nothing here panics on any input.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rmcp::RoleServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, InputResponses, ProtocolVersion,
};
use rmcp::service::RequestContext;
use serde_json::{Map, Value};
use zmcp_catalog::{Action, Catalog, Method, Paging, RequestPlan, ToolSpec};
use zmcp_zscaler::{ApiRequest, HttpMethod, PageStyle, ZscalerClient};

use crate::audit::{self, AuditEntry, AuditedArgs, Channel, Outcome};
use crate::confirm::{self, Elicited, Redeemed, TokenChannel};
use crate::handler::ServerState;
use crate::handlers::{self, HandlerCall};
use crate::outcome::{self, Produced, ToolFailure, Upstream};
use crate::tools::{KWARGS, QUERY};

/// Bound of the best-effort name lookup that decorates a delete prompt.
const NAME_LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one `tools/call` and, when the audit trail is on, writes its line; every failure
/// becomes an `isError` result.
pub async fn call_tool(
    state: &ServerState,
    request: CallToolRequestParams,
    context: RequestContext<RoleServer>,
    channel: Channel,
) -> CallToolResponse {
    let Some(log) = &state.audit else {
        return execute(state, request, &context).await.result;
    };
    let started = Instant::now();
    let args = AuditedArgs::of(request.arguments.as_ref());
    let tool = request.name.clone();
    let (caller, transport) = audit::caller(&context, channel);
    let ended = execute(state, request, &context).await;
    log.write(&AuditEntry {
        caller: &caller,
        transport,
        tool: &tool,
        action: ended.action,
        args: &args,
        outcome: ended.outcome,
        error_kind: ended.error_kind,
        latency: started.elapsed(),
        upstream: &ended.upstream,
        result_bytes: response_bytes(&ended.result),
    });
    ended.result
}

/// The text a response carries (an `input_required` question carries none).
fn response_bytes(response: &CallToolResponse) -> usize {
    match response {
        CallToolResponse::Complete(result) => audit::result_bytes(result),
        _ => 0,
    }
}

/// A call's result with what the audit trail records about it.
struct Ended {
    result: CallToolResponse,
    action: Option<Action>,
    outcome: Outcome,
    error_kind: Option<&'static str>,
    upstream: Upstream,
}

impl Ended {
    /// Refused before the tool ran.
    fn refused(result: CallToolResult, action: Option<Action>, kind: &'static str) -> Self {
        Self {
            result: result.into(),
            action,
            outcome: Outcome::Error,
            error_kind: Some(kind),
            upstream: Upstream::default(),
        }
    }

    fn failed(spec: &ToolSpec, failure: ToolFailure, sanitize: bool) -> Self {
        tracing::info!(tool = %spec.name, ?failure, "tool call failed");
        let outcome = match failure {
            ToolFailure::Cancelled => Outcome::Cancelled,
            _ => Outcome::Error,
        };
        Self {
            action: Some(spec.action),
            outcome,
            error_kind: failure.kind(),
            upstream: failure.upstream(),
            result: outcome::failure(spec, failure, sanitize).into(),
        }
    }
}

async fn execute(
    state: &ServerState,
    request: CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Ended {
    let name = request.name.as_ref();
    let Some(spec) = state.tools.spec(name) else {
        let text =
            format!("Unknown tool: {name}. Call tools/list for the tools this server exposes.");
        return Ended::refused(outcome::error_text(text), None, "unknown_tool");
    };
    let action = Some(spec.action);
    let mut args = request.arguments.unwrap_or_default();
    let kwargs = args.remove(KWARGS);
    let args = Value::Object(args);
    if let Err(problems) = state.validators.validate(&spec.name, &args) {
        return Ended::refused(outcome::error_text(problems), action, "invalid_arguments");
    }
    let Value::Object(mut args) = args else {
        let text = outcome::error_text("arguments must be a JSON object");
        return Ended::refused(text, action, "invalid_arguments");
    };
    let query = if spec.list { args.remove(QUERY) } else { None };
    let answered = Answered {
        request_state: request.request_state.as_deref(),
        responses: request.input_responses.as_ref(),
    };

    if spec.action == Action::Delete
        && let Some((refusal, outcome)) =
            confirm_delete(state, spec, &args, kwargs.as_ref(), answered, context).await
    {
        return Ended {
            result: refusal,
            action,
            outcome,
            error_kind: None,
            upstream: Upstream::default(),
        };
    }
    let client = match &state.client {
        Ok(client) => client,
        Err(error) => {
            return Ended::failed(
                spec,
                ToolFailure::Config(error.clone()),
                state.sanitize_output,
            );
        }
    };

    let result = tokio::select! {
        biased;
        () = context.ct.cancelled() => Err(ToolFailure::Cancelled),
        result = run(state, client, spec, &args) => result,
    };
    let queried = result.and_then(|(produced, upstream)| {
        apply_query(produced, query.as_ref()).map(|produced| (produced, upstream))
    });
    match queried {
        Ok((produced, upstream)) => Ended {
            result: outcome::success(spec, &args, produced, state.sanitize_output).into(),
            action,
            outcome: Outcome::Ok,
            error_kind: None,
            upstream,
        },
        Err(failure) => Ended::failed(spec, failure, state.sanitize_output),
    }
}

/// Runs the tool's body: its handler, or the one call its catalog entry describes.
pub(crate) async fn run(
    state: &ServerState,
    client: &ZscalerClient,
    spec: &'static ToolSpec,
    args: &Map<String, Value>,
) -> Result<(Produced, Upstream), ToolFailure> {
    if let Some(handler) = &spec.handler {
        let call = HandlerCall {
            client,
            spec,
            args,
            tenant: &state.tenant,
            max_items: state.max_list_items,
        };
        let produced = handlers::run(handler, call).await?;
        return Ok((produced, Upstream::default()));
    }
    if spec.http.is_some() {
        let plan = zmcp_catalog::plan_request(spec, args, &state.tenant, now_epoch_secs())?;
        let paging = page_style(spec).filter(|_| spec.list && !plan.single_page);
        return fetch_answered(client, to_api_request(plan), paging, state.max_list_items).await;
    }
    if spec.graphql.is_some() {
        let plan = zmcp_catalog::plan_graphql(spec, args, &state.tenant, now_epoch_secs())?;
        let data = client
            .graphql(&plan.endpoint, &plan.document, plan.variables)
            .await?;
        let produced = Produced::complete(take_path(data, &plan.result_path));
        return Ok((produced, Upstream::default()));
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
    let (produced, _) = fetch_answered(client, request, paging, max_items).await?;
    Ok(produced)
}

/// [`fetch`], with the status and request id of a single request (a page walk has many).
async fn fetch_answered(
    client: &ZscalerClient,
    request: ApiRequest,
    paging: Option<PageStyle>,
    max_items: usize,
) -> Result<(Produced, Upstream), ToolFailure> {
    match paging {
        Some(style) => {
            let paged = client.fetch_all(&request, &style, max_items).await?;
            let produced = Produced {
                value: Value::Array(paged.items),
                truncated_at: paged.truncated.then_some(max_items),
            };
            Ok((produced, Upstream::default()))
        }
        None => {
            let response = client.execute(&request).await?;
            let upstream = Upstream {
                status: Some(response.status),
                request_id: response.request_id,
            };
            Ok((Produced::complete(response.body), upstream))
        }
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

/// What a retried 2026-07-28 call brings back: the sealed state and the client's answers.
#[derive(Clone, Copy)]
struct Answered<'a> {
    request_state: Option<&'a str>,
    responses: Option<&'a InputResponses>,
}

/// The gate before any delete; `None` means confirmed, go ahead. A refusal says whether the
/// human declined (`Cancelled`), still has to be asked (`ConfirmationRequired`) or presented
/// a confirmation that does not hold (`Error`).
async fn confirm_delete(
    state: &ServerState,
    spec: &'static ToolSpec,
    args: &Map<String, Value>,
    kwargs: Option<&Value>,
    answered: Answered<'_>,
    context: &RequestContext<RoleServer>,
) -> Option<(CallToolResponse, Outcome)> {
    let now = now_epoch_secs();
    let principal = confirm::principal(context);
    if let Some(sealed) = answered.request_state {
        let redeemed = state
            .gate
            .redeem(
                &spec.name,
                args,
                principal.as_deref(),
                sealed,
                answered.responses,
                now,
            )
            .await;
        return match redeemed {
            Redeemed::Approved => None,
            Redeemed::Refused(text) => Some((outcome::plain_text(text).into(), Outcome::Cancelled)),
            Redeemed::Rejected(text) => Some((outcome::plain_text(text).into(), Outcome::Error)),
        };
    }
    let mut rejection = None;
    match confirm::token_channel(kwargs) {
        TokenChannel::Token(token) => {
            match state.gate.verify(&spec.name, args, &token, now).await {
                Ok(()) => return None,
                Err(reason) => rejection = Some(reason),
            }
        }
        TokenChannel::Deprecated => tracing::warn!(
            tool = %spec.name,
            "kwargs {{\"confirmed\": true}} is no longer accepted; issuing a confirmation token"
        ),
        TokenChannel::Empty => {}
    }
    let target = describe_target(state, spec, args).await;
    if rejection.is_none() && confirm::answers_forms(context) {
        if is_2026_or_later(context) {
            let question = state
                .gate
                .ask(&spec.name, args, principal.as_deref(), &target, now);
            if let Some(question) = question {
                return Some((question.into(), Outcome::ConfirmationRequired));
            }
        } else {
            match confirm::elicit(&context.peer, &spec.name, &target, state.gate.ttl()).await {
                Elicited::Approved => return None,
                Elicited::Refused(text) => {
                    return Some((outcome::plain_text(text).into(), Outcome::Cancelled));
                }
                Elicited::Unavailable => {}
            }
        }
    }
    let token = state.gate.issue(&spec.name, args, now);
    let prompt = confirm::prompt_text(&spec.name, &target, &token);
    let text = match rejection {
        Some(reason) => format!("Confirmation rejected: {reason}\n\n{prompt}"),
        None => prompt,
    };
    Some((
        outcome::plain_text(text).into(),
        Outcome::ConfirmationRequired,
    ))
}

/// 2026-07-28 forbids server-to-client requests; the question travels in the result instead.
/// Without a known version the session is treated as legacy (older clients send none).
fn is_2026_or_later(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
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
        Ok(Ok((produced, _))) => ["name", "displayName", "display_name", "configuredName"]
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
        // The name is tenant data and lands in a prompt the model reads.
        Some(name) if state.sanitize_output => {
            format!("\"{}\" ({id})", crate::sanitize::sanitize_str(&name))
        }
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
