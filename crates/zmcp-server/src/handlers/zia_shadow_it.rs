//! Shadow IT bulk sanctioning: the model says `sanctioned`/`unsanctioned`/`any`, ZIA wants
//! `SANCTIONED`/`UN_SANCTIONED`/`ANY`; the API answers without a body, so the result is an
//! operation summary.

use serde_json::{Map, Value, json};
use zmcp_catalog::plan_request;

use super::{HandlerCall, text_arg};
use crate::dispatch::{now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

pub async fn bulk_update(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let state = match text_arg(call.args, "sanction_state")
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("sanctioned") => "SANCTIONED",
        Some("unsanctioned") => "UN_SANCTIONED",
        Some("any") => "ANY",
        _ => {
            return Err(ToolFailure::Arguments(
                "sanction_state must be sanctioned, unsanctioned or any".into(),
            ));
        }
    };
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let mut body = match &plan.body {
        Some(Value::Object(body)) => body.clone(),
        _ => Map::new(),
    };
    body.insert("sanctionedState".into(), json!(state));
    let count = body
        .get("applicationIds")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut request = to_api_request(plan);
    request.body = Some(Value::Object(body));
    call.client.execute(&request).await?;
    Ok(Produced::complete(json!({
        "success": true,
        "message": format!("Set {count} application(s) to {state}"),
    })))
}
