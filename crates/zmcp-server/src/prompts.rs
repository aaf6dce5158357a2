//! The MCP prompts: guided workflows a user picks in the client (troubleshoot a user's
//! experience, investigate a SIM, audit data usage, review anomaly policies). Each renders
//! one user message naming the tools to call in order. A prompt is offered only when its
//! service has tools in this server's selection, as the Python server does.

use rmcp::ErrorData;
use rmcp::model::{
    CompleteResult, CompletionInfo, GetPromptResult, JsonObject, Prompt, PromptArgument,
    PromptMessage, Role,
};
use serde_json::Value;

/// One prompt argument: (name, description, default). No default means required.
type Arg = (&'static str, &'static str, Option<&'static str>);

/// One prompt: its identity, the service it needs, its arguments and its text.
struct PromptSpec {
    name: &'static str,
    title: &'static str,
    /// Tool-name prefix of the service (`zdx_`): the prompt exists when such a tool does.
    tool_prefix: &'static str,
    description: &'static str,
    args: &'static [Arg],
    /// The workflow text; `{arg}` is replaced by the argument's value.
    template: &'static str,
}

const PROMPTS: &[PromptSpec] = &[
    PromptSpec {
        name: "zdx_troubleshoot_user_experience",
        title: "ZDX: Troubleshoot User Experience",
        tool_prefix: "zdx_",
        description: "Step-by-step diagnosis of a user's or device's digital experience with ZDX scores, metrics, alerts and deep traces.",
        args: &[
            ("user_or_device", "User email, name or device name to investigate.", None),
            ("application", "Application to focus on (empty: every application).", Some("")),
            ("since_hours", "Look-back window in hours.", Some("24")),
        ],
        template: "Troubleshoot the digital experience of \"{user_or_device}\" (application: \"{application}\", empty means all) over the last {since_hours} hours with the ZDX tools. Use since={since_hours} wherever a tool takes it.

1. Find the device: zdx_list_devices (filter by email or search the names), then zdx_get_device for its hardware, network and Client Connector version.
2. Application scores: zdx_list_applications, then zdx_get_application_score_trend and zdx_get_application for the application(s) in question. Score bands: 80-100 good, 50-79 degraded, 0-49 poor.
3. Metrics per layer: zdx_get_application_metric for dns and pft (page fetch) and availability. Compare with these thresholds: DNS < 50 ms, TCP connect < 100 ms, SSL handshake < 150 ms, server response < 500 ms, page load < 3000 ms.
4. Alerts: zdx_list_alerts and zdx_list_historical_alerts, zdx_get_alert for the relevant ones, zdx_list_alert_affected_devices to see whether the problem is wider than this device.
5. Deep trace: zdx_list_device_deep_traces and the zdx_get_deeptrace_* tools for an existing trace. If none covers the problem and write tools are enabled, start one with zdx_start_deeptrace (probe ids from zdx_get_web_probes and zdx_list_cloudpath_probes) and poll zdx_get_device_deep_trace.

Finish with a three-part diagnosis: (a) what the user experiences, with the scores; (b) the most likely cause and the layer it sits in (device, Wi-Fi/local network, ISP, Zscaler, application), with the evidence; (c) the recommended next steps.",
    },
    PromptSpec {
        name: "zcell_investigate_sim",
        title: "ZCell: Investigate a SIM",
        tool_prefix: "zcell_",
        description: "Investigate one SIM: its details, recent network events, anomaly policy violations and location group.",
        args: &[
            ("iccid", "ICCID of the SIM.", None),
            ("since_days", "Look-back window in days.", Some("7")),
        ],
        template: "Investigate the SIM with ICCID {iccid} over the last {since_days} days with the ZCell tools.

1. zcell_get_sim_details (icc_id={iccid}): status, network status, device and IMEI status, location group.
2. zcell_list_network_events with days={since_days} and filter_by {\"iccid\": \"{iccid}\"}: attach/detach patterns, authentication failures, countries and networks seen.
3. zcell_list_anomaly_policies, then zcell_list_iccid_violations (days={since_days}, iccid={iccid}) for each policy that could apply.
4. zcell_get_sim_location_group for the SIM's group: is the SIM being used where it is allowed?

Summarise: the SIM's state, anything anomalous (IMEI change, unusual country, event storms, violations), the likely explanation and what to do next.",
    },
    PromptSpec {
        name: "zcell_audit_data_usage",
        title: "ZCell: Audit Data Usage",
        tool_prefix: "zcell_",
        description: "Audit cellular data usage across the fleet: totals, countries, top SIMs and daily trend.",
        args: &[
            ("since_days", "Look-back window in days.", Some("30")),
            ("country", "ISO country code to focus on (empty: every country).", Some("")),
        ],
        template: "Audit cellular data usage over the last {since_days} days with the ZCell tools (country focus: \"{country}\", empty means all).

1. zcell_list_sim_analytics_summary: how many SIMs are active, suspended, online.
2. zcell_list_sim_usage_by_country (days={since_days}): where the data goes.
3. zcell_list_sim_usage_by_sim (days={since_days}): the heaviest SIMs; for the top ones, zcell_list_sim_usage_by_day (days={since_days}, icc_id=...) to see whether usage is steady or spiking.
4. zcell_list_network_events for the heaviest SIMs, to explain spikes (roaming, reconnect storms).

Report: total and per-country usage, the outliers with evidence, and recommendations (anomaly policies to add or tighten, SIMs to review).",
    },
    PromptSpec {
        name: "zcell_review_anomaly_policies",
        title: "ZCell: Review Anomaly Policies",
        tool_prefix: "zcell_",
        description: "Review anomaly policies: what they catch, which SIMs violate them and what actions they took.",
        args: &[
            ("since_days", "Look-back window in days.", Some("30")),
            ("policy_type", "Only this policy type (empty: every type).", Some("")),
        ],
        template: "Review the ZCell anomaly policies over the last {since_days} days (policy type: \"{policy_type}\", empty means all).

1. zcell_list_anomaly_policies (days={since_days}, and policy_type when given): thresholds, actions, enabled state.
2. For each policy: zcell_list_anomaly_policy_violations (days={since_days}) and zcell_list_anomaly_policy_logs to see what fired and what action was taken.
3. For SIMs that violate repeatedly: zcell_list_iccid_violations and zcell_get_sim_location_group.

Report per policy: is it effective, too noisy or too lax, and which changes you recommend.",
    },
];

/// Values offered for an argument that has a small set of sensible ones.
fn suggestions(arg: &str) -> &'static [&'static str] {
    match arg {
        "since_hours" => &["1", "2", "6", "12", "24", "48", "168"],
        "since_days" => &["1", "7", "14", "30", "60", "90"],
        "policy_type" => &["DATA_USAGE", "IMEI_CHANGE", "LOCATION", "SESSION"],
        _ => &[],
    }
}

/// The prompts available when `has_tool_with_prefix` says which services have tools.
pub(crate) fn list(has_tool_with_prefix: impl Fn(&str) -> bool) -> Vec<Prompt> {
    PROMPTS
        .iter()
        .filter(|p| has_tool_with_prefix(p.tool_prefix))
        .map(|p| {
            let args = p
                .args
                .iter()
                .map(|(name, description, default)| {
                    PromptArgument::new(*name)
                        .with_description(*description)
                        .with_required(default.is_none())
                })
                .collect();
            Prompt::new(p.name, Some(p.description), Some(args)).with_title(p.title)
        })
        .collect()
}

fn find(
    name: &str,
    has_tool_with_prefix: impl Fn(&str) -> bool,
) -> Result<&'static PromptSpec, ErrorData> {
    PROMPTS
        .iter()
        .find(|p| p.name == name && has_tool_with_prefix(p.tool_prefix))
        .ok_or_else(|| ErrorData::invalid_params(format!("Unknown prompt: {name}"), None))
}

/// Renders a prompt; a missing required argument or an unknown prompt is an invalid-params
/// error. Argument values are used as text (numbers and booleans in their JSON form).
pub(crate) fn get(
    name: &str,
    arguments: Option<&JsonObject>,
    has_tool_with_prefix: impl Fn(&str) -> bool,
) -> Result<GetPromptResult, ErrorData> {
    let prompt = find(name, has_tool_with_prefix)?;
    let mut text = prompt.template.to_owned();
    for (arg, _, default) in prompt.args {
        let given = arguments.and_then(|a| a.get(*arg)).and_then(|v| match v {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Null => None,
            other => Some(other.to_string()),
        });
        let value = match (given, default) {
            (Some(value), _) if !value.is_empty() => value,
            (_, Some(default)) => (*default).to_owned(),
            _ => {
                return Err(ErrorData::invalid_params(
                    format!("Prompt {name} needs the argument \"{arg}\""),
                    None,
                ));
            }
        };
        text = text.replace(&format!("{{{arg}}}"), &value);
    }
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(prompt.description),
    )
}

/// Completion of a prompt argument: the suggested values starting with what was typed.
pub(crate) fn complete(
    prompt: &str,
    arg: &str,
    typed: &str,
    has_tool_with_prefix: impl Fn(&str) -> bool,
) -> Result<CompleteResult, ErrorData> {
    let spec = find(prompt, has_tool_with_prefix)?;
    let values: Vec<String> = if spec.args.iter().any(|(name, ..)| *name == arg) {
        suggestions(arg)
            .iter()
            .filter(|v| v.to_lowercase().starts_with(&typed.to_lowercase()))
            .map(|v| (*v).to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let completion =
        CompletionInfo::new(values).map_err(|reason| ErrorData::internal_error(reason, None))?;
    Ok(CompleteResult::new(completion))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_an_argument() {
        for prompt in PROMPTS {
            let mut rest = prompt.template;
            while let Some(open) = rest.find('{') {
                let tail = &rest[open + 1..];
                let close = tail.find('}').unwrap();
                let name = &tail[..close];
                // JSON braces in the text are not placeholders.
                if name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    assert!(
                        prompt.args.iter().any(|(a, ..)| *a == name),
                        "{}: {{{name}}}",
                        prompt.name
                    );
                }
                rest = &tail[close + 1..];
            }
        }
    }
}
