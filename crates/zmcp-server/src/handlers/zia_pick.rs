//! ZIA "manager" tools whose `action`-style argument picks one of several endpoints
//! (`get_zia_dlp_dictionaries`, `get_zia_dlp_engines`, `get_zia_user_departments`,
//! `zia_geo_search`). `handler_args`: `selector` (the argument) and `paths` (choice → path
//! template; its placeholders are required for that choice).

use serde_json::Value;
use zmcp_catalog::{expand_path, plan_request};

use super::{HandlerCall, text_arg};
use crate::dispatch::{now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

pub async fn pick_endpoint(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let handler_args = call.spec.handler_args.as_ref();
    let selector = handler_args
        .and_then(|a| a.get("selector"))
        .and_then(Value::as_str)
        .ok_or_else(|| missing_setup(&call, "selector"))?;
    let paths = handler_args
        .and_then(|a| a.get("paths"))
        .and_then(Value::as_object)
        .ok_or_else(|| missing_setup(&call, "paths"))?;
    let default = call
        .spec
        .param(selector)
        .and_then(|p| p.default.as_ref())
        .and_then(Value::as_str);
    let choice = text_arg(call.args, selector)
        .or(default)
        .ok_or_else(|| ToolFailure::Arguments(format!("`{selector}` is required")))?;
    let template = paths.get(choice).and_then(Value::as_str).ok_or_else(|| {
        let known: Vec<&str> = paths.keys().map(String::as_str).collect();
        ToolFailure::Arguments(format!(
            "`{selector}` must be one of {}, not {choice:?}",
            known.join(", ")
        ))
    })?;
    let path = expand_path(template, call.args, call.tenant)
        .map_err(|err| ToolFailure::Arguments(format!("{selector}={choice}: {err}")))?;
    let mut request = to_api_request(plan_request(
        call.spec,
        call.args,
        call.tenant,
        now_epoch_secs(),
    )?);
    request.path = path;
    Ok(Produced::complete(
        call.client.execute(&request).await?.body,
    ))
}

fn missing_setup(call: &HandlerCall<'_>, key: &str) -> ToolFailure {
    ToolFailure::Unsupported(format!(
        "the catalog entry of {} lacks handler_args.{key}",
        call.spec.name
    ))
}
