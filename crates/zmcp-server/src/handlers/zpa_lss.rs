//! ZPA log streaming (LSS) reference catalogs, by `handler_args.catalog`: the log types
//! (static: the readable names the other LSS tools take, no API call), the format templates
//! of one log type, the session status codes (all, or one log type's) and the client types
//! (readable name → `zpn_client_type_*` code).

use serde_json::{Map, Value, json};
use zmcp_catalog::expand_path;
use zmcp_zscaler::{ApiRequest, HttpMethod};

use super::{HandlerCall, text_arg};
use crate::outcome::{Produced, ToolFailure};

/// Readable log type, ZPA's code, label.
const LOG_TYPES: [(&str, &str, &str); 9] = [
    ("user_activity", "zpn_trans_log", "User Activity"),
    ("user_status", "zpn_auth_log", "User Status"),
    ("audit_logs", "zpn_audit_log", "Audit Logs"),
    (
        "app_connector_status",
        "zpn_ast_auth_log",
        "App Connector Status",
    ),
    (
        "app_connector_metrics",
        "zpn_ast_comprehensive_stats",
        "App Connector Metrics",
    ),
    ("browser_access", "zpn_http_trans_log", "Browser Access"),
    (
        "web_inspection",
        "zpn_waf_http_exchanges_log",
        "AppProtection (web inspection)",
    ),
    (
        "private_svc_edge_status",
        "zpn_sys_auth_log",
        "Private Service Edge Status",
    ),
    (
        "private_svc_edge_metrics",
        "zpn_pbroker_comprehensive_stats",
        "Private Service Edge Metrics",
    ),
];

const LOG_FORMATS: &str =
    "/zpa/mgmtconfig/v2/admin/customers/{customer_id}/lssConfig/logType/formats";
const STATUS_CODES: &str = "/zpa/mgmtconfig/v2/admin/lssConfig/statusCodes";
const CLIENT_TYPES: &str = "/zpa/mgmtconfig/v2/admin/lssConfig/customers/{customer_id}/clientTypes";

/// Runs the catalog the entry names.
pub async fn catalog(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let which = call
        .spec
        .handler_args
        .as_ref()
        .and_then(|args| args.get("catalog"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = match which {
        "log_types" => log_types(),
        "log_format" => {
            let code = log_code(text_arg(call.args, "log_type"))?
                .ok_or_else(|| ToolFailure::Arguments("log_type is required".into()))?;
            let path = expand_path(LOG_FORMATS, call.args, call.tenant)?;
            get(&call, path, vec![("logType".into(), code.into())]).await?
        }
        "status_codes" => {
            let code = log_code(text_arg(call.args, "log_type"))?;
            let all = get(&call, STATUS_CODES.into(), Vec::new()).await?;
            match code {
                Some(code) => all.get(code).cloned().unwrap_or_else(|| json!({})),
                None => all,
            }
        }
        "client_types" => {
            let path = expand_path(CLIENT_TYPES, call.args, call.tenant)?;
            readable_client_types(get(&call, path, Vec::new()).await?)
        }
        other => {
            return Err(ToolFailure::Unsupported(format!(
                "unknown LSS catalog `{other}`"
            )));
        }
    };
    Ok(Produced::complete(value))
}

fn log_types() -> Value {
    Value::Array(
        LOG_TYPES
            .iter()
            .map(|(name, code, label)| json!({"log_type": name, "code": code, "label": label}))
            .collect(),
    )
}

/// ZPA's code of a readable log type (a code is accepted as it is).
fn log_code(log_type: Option<&str>) -> Result<Option<&'static str>, ToolFailure> {
    let Some(log_type) = log_type else {
        return Ok(None);
    };
    LOG_TYPES
        .iter()
        .find(|(name, code, _)| *name == log_type || *code == log_type)
        .map(|(_, code, _)| Some(*code))
        .ok_or_else(|| {
            let names: Vec<&str> = LOG_TYPES.iter().map(|(name, _, _)| *name).collect();
            ToolFailure::Arguments(format!(
                "unknown log_type \"{log_type}\"; valid: {}",
                names.join(", ")
            ))
        })
}

/// `{"zpn_client_type_zapp": "Client Connector"}` → `{"client_connector": "zpn_client_type_zapp"}`.
fn readable_client_types(codes: Value) -> Value {
    let Value::Object(codes) = codes else {
        return codes;
    };
    let readable: Map<String, Value> = codes
        .into_iter()
        .filter_map(|(code, label)| {
            let label = label.as_str()?;
            let key: String = label
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            Some((key, Value::String(code)))
        })
        .collect();
    Value::Object(readable)
}

async fn get(
    call: &HandlerCall<'_>,
    path: String,
    query: Vec<(String, String)>,
) -> Result<Value, ToolFailure> {
    let request = ApiRequest {
        method: HttpMethod::Get,
        path,
        query,
        body: None,
    };
    Ok(call.client.execute(&request).await?.body)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn readable_names_and_codes_map_to_codes() {
        assert_eq!(
            super::log_code(Some("audit_logs")).unwrap(),
            Some("zpn_audit_log")
        );
        assert_eq!(
            super::log_code(Some("zpn_trans_log")).unwrap(),
            Some("zpn_trans_log")
        );
        assert_eq!(super::log_code(None).unwrap(), None);
        assert!(super::log_code(Some("nope")).is_err());
    }

    #[test]
    fn client_types_are_keyed_by_readable_name() {
        assert_eq!(
            super::readable_client_types(json!({"zpn_client_type_zapp": "Client Connector"})),
            json!({"client_connector": "zpn_client_type_zapp"})
        );
    }
}
