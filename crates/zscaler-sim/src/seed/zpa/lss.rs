//! The LSS reference catalogs ZPA serves: log formats per log type, client types and
//! session status codes.

use serde_json::{Value, json};

/// The log types LSS streams and the fields their default format starts with.
const LOG_TYPES: [(&str, &[&str]); 8] = [
    (
        "zpn_trans_log",
        &[
            "LogTimestamp",
            "Customer",
            "SessionID",
            "ConnectionStatus",
            "Username",
            "Application",
            "ServerIP",
        ],
    ),
    (
        "zpn_auth_log",
        &[
            "LogTimestamp",
            "Customer",
            "Username",
            "SessionStatus",
            "ClientType",
            "Platform",
        ],
    ),
    (
        "zpn_ast_auth_log",
        &[
            "LogTimestamp",
            "Customer",
            "Connector",
            "SessionStatus",
            "Version",
            "Platform",
        ],
    ),
    (
        "zpn_http_trans_log",
        &[
            "LogTimestamp",
            "Customer",
            "ConnectionID",
            "Host",
            "Method",
            "StatusCode",
        ],
    ),
    (
        "zpn_audit_log",
        &[
            "ModifiedTime",
            "CreationTime",
            "ModifiedBy",
            "RequestID",
            "SessionID",
            "AuditOperationType",
        ],
    ),
    (
        "zpn_ast_comprehensive_stats",
        &[
            "LogTimestamp",
            "Customer",
            "Connector",
            "CPUUtilization",
            "MemUtilization",
        ],
    ),
    (
        "zpn_sys_auth_log",
        &[
            "LogTimestamp",
            "Customer",
            "ServiceEdge",
            "SessionStatus",
            "Version",
        ],
    ),
    (
        "zpn_waf_http_exchanges_log",
        &[
            "LogTimestamp",
            "Customer",
            "ConnectionID",
            "Host",
            "InspectionProfile",
        ],
    ),
];

/// `{"csv","json","tsv"}` format strings of one log type, `None` for an unknown type.
pub(crate) fn lss_log_format(log_type: &str) -> Option<Value> {
    let (_, fields) = LOG_TYPES.iter().find(|(name, _)| *name == log_type)?;
    let csv: Vec<String> = fields.iter().map(|f| format!("%s{{{f}}}")).collect();
    let json_fields: Vec<String> = fields
        .iter()
        .map(|f| format!("\"{f}\":%j{{{f}}}"))
        .collect();
    Some(json!({
        "csv": format!("{}\\n", csv.join(",")),
        "tsv": format!("{}\\n", csv.join("\\t")),
        "json": format!("{{{}}}\\n", json_fields.join(",")),
    }))
}

pub(crate) fn lss_client_types() -> Value {
    json!({
        "zpn_client_type_exporter": "Web Browser",
        "zpn_client_type_exporter_noauth": "Web Browser Unauthenticated",
        "zpn_client_type_browser_isolation": "Cloud Browser",
        "zpn_client_type_machine_tunnel": "Machine Tunnel",
        "zpn_client_type_ip_anchoring": "ZIA Service Edge",
        "zpn_client_type_edge_connector": "Cloud Connector",
        "zpn_client_type_branch_connector": "Branch Connector",
        "zpn_client_type_zapp": "Client Connector",
        "zpn_client_type_zapp_partner": "Client Connector Partner",
        "zpn_client_type_slogger": "ZPA LSS",
        "zpn_client_type_vdi": "VDI",
    })
}

pub(crate) fn lss_status_codes() -> Value {
    json!({
        "zpn_auth_log": {
            "ZPN_STATUS_AUTHENTICATED": "Authenticated",
            "ZPN_STATUS_AUTH_FAILED": "Authentication failed",
            "ZPN_STATUS_DISCONNECTED": "Disconnected",
        },
        "zpn_ast_auth_log": {
            "ZPN_STATUS_AUTHENTICATED": "Connector authenticated",
            "ZPN_STATUS_DISCONNECTED": "Connector disconnected",
        },
        "zpn_sys_auth_log": {
            "ZPN_STATUS_AUTHENTICATED": "Service edge authenticated",
            "ZPN_STATUS_DISCONNECTED": "Service edge disconnected",
        },
        "zpn_trans_log": {
            "BRK_MT_SETUP_FAIL_NO_POLICY_FOUND": "No access policy matched",
            "BRK_MT_SETUP_FAIL_REJECTED_BY_POLICY": "Rejected by access policy",
            "AST_MT_SETUP_ERR_NO_DNS_TO_SERVER": "The connector cannot resolve the server",
            "BRK_MT_CLOSED_FROM_ASSISTANT": "Closed by the connector",
        },
    })
}
