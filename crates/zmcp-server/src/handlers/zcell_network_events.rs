//! `zcell_list_network_events`: the search path carries the window itself
//! (`.../search/startTime/{ms}/endTime/{ms}`), so the entry's `days` becomes those two path
//! segments (now minus `days`, and now, in epoch milliseconds) before the POST search runs
//! page by page.

use serde_json::Value;
use zmcp_catalog::plan_request;
use zmcp_zscaler::PageStyle;

use super::HandlerCall;
use crate::dispatch::{fetch, now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

/// Look-back when `days` is absent.
const DEFAULT_DAYS: i64 = 1;

/// Plans the search, appends the window and walks the Spring pages (one when `page` is given).
pub async fn run(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let now = now_epoch_secs();
    let plan = plan_request(call.spec, call.args, call.tenant, now)?;
    let days = call
        .args
        .get("days")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_DAYS);
    let end_ms = now.saturating_mul(1000);
    let start_ms = end_ms.saturating_sub(days.saturating_mul(86_400_000));
    let paging = (!plan.single_page).then_some(PageStyle::Zcell);
    let mut request = to_api_request(plan);
    request.path = format!("{}/startTime/{start_ms}/endTime/{end_ms}", request.path);
    fetch(call.client, request, paging, call.max_items).await
}
