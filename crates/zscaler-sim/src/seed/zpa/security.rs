//! Seeded ZPA security configuration: AppProtection (inspection) and browser-isolation
//! profiles, browser-access certificates, PRA portals and credentials, LSS configurations.

use serde_json::{Value, json};

use super::{CONNECTOR_GROUP_BASE, Stamped, id};

const INSPECTION_BASE: u64 = 216_196_257_331_288_001;
/// Browser-access certificates; PRA portals use them.
pub(crate) const CERTIFICATE_BASE: u64 = 216_196_257_331_288_101;
const PORTAL_BASE: u64 = 216_196_257_331_288_201;
const CREDENTIAL_BASE: u64 = 216_196_257_331_288_301;
const LSS_BASE: u64 = 216_196_257_331_288_401;

pub(crate) fn inspection_profiles() -> Vec<Value> {
    [
        ("OWASP Baseline", "1"),
        ("OWASP Strict", "3"),
        ("API Protection", "2"),
    ]
    .iter()
    .stamped(|i, (name, paranoia)| {
        json!({
            "id": id(INSPECTION_BASE, i), "name": name,
            "description": format!("{name} AppProtection profile"),
            "paranoiaLevel": paranoia, "predefinedControlsVersion": "OWASP_CRS/3.3.0",
            "globalControlActions": ["PREDEFINED:PASS", "CUSTOM:NONE", "OVERRIDE_ACTION:COMMON"],
            "incarnationNumber": "1", "checkControlDeploymentStatus": false,
            "zsDefinedControlChoice": "ALL",
        })
    })
}

/// CBI profiles: uuid ids, as the isolation API sends them.
pub(crate) fn isolation_profiles() -> Vec<Value> {
    ["Default Isolation", "Read Only Isolation", "Contractor Isolation"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let profile = format!("5d7e1f2a-3b4c-4d5e-8f60-{:012x}", 0xc0b1_0000_u64 + i as u64);
            json!({
                "id": profile, "name": name, "description": format!("{name} profile"),
                "cbiProfileId": profile, "cbiTenantId": "8f6a2b1c-acme-4e5f-9a0b-1c2d3e4f5a6b",
                "cbiUrl": format!("https://redirect.isolation.zscaler.com/tenant/acme/profile/{profile}"),
                "isDefault": i == 0, "enabled": true,
            })
        })
        .collect()
}

pub(crate) fn certificates() -> Vec<Value> {
    [
        "intranet.acme.com",
        "wildcard.acme.com",
        "pra.acme.com",
        "jira.acme.com",
    ]
    .iter()
    .stamped(|i, name| {
        json!({
            "id": id(CERTIFICATE_BASE, i), "name": name,
            "description": format!("Browser access certificate for {name}"),
            "cName": name.replace("wildcard", "*"), "issuedBy": "Acme Issuing CA",
            "issuedTo": name, "serialNo": format!("{}", 9_120_001 + i), "status": "ACTIVE",
            "validFromInEpochSec": "1735689600", "validToInEpochSec": "1798761600",
            "san": [name], "readOnly": false, "microtenantName": "Default",
        })
    })
}

pub(crate) fn pra_portals() -> Vec<Value> {
    [
        ("Acme PRA Portal", "pra.acme.com", 2),
        ("Vendor Access Portal", "vendors.acme.com", 1),
    ]
    .iter()
    .stamped(|i, (name, domain, cert)| {
        json!({
            "id": id(PORTAL_BASE, i), "name": name, "domain": domain,
            "description": format!("{name} for privileged access"), "enabled": true,
            "certificateId": id(CERTIFICATE_BASE, *cert),
            "cName": format!("{}.acme.privileged.zscaler.com", domain.replace('.', "-")),
            "userNotification": "Sessions are recorded.", "userNotificationEnabled": i == 0,
            "extranetEnabled": false, "microtenantName": "Default",
        })
    })
}

/// PRA credentials; the secrets themselves are write-only and never seeded.
pub(crate) fn credentials() -> Vec<Value> {
    [
        ("Linux root", "SSH_KEY", "root", ""),
        (
            "Windows Domain Admin",
            "USERNAME_PASSWORD",
            "pra-admin",
            "CORP",
        ),
        ("Network Devices", "USERNAME_PASSWORD", "netops", ""),
        ("VNC Console", "PASSWORD", "", ""),
    ]
    .iter()
    .stamped(|i, (name, kind, user, domain)| {
        json!({
            "id": id(CREDENTIAL_BASE, i), "name": name, "credentialType": kind,
            "userName": user, "userDomain": domain,
            "description": format!("{name} credential"),
            "lastCredentialResetTime": "1767225600", "microtenantName": "Default",
        })
    })
}

pub(crate) fn lss_configs() -> Vec<Value> {
    [
        (
            "Splunk User Activity",
            "zpn_trans_log",
            "splunk-hec.acme.com",
            "9514",
        ),
        (
            "Splunk Audit",
            "zpn_audit_log",
            "splunk-hec.acme.com",
            "9515",
        ),
        (
            "Sentinel App Connector Status",
            "zpn_ast_auth_log",
            "sentinel-lss.acme.com",
            "11000",
        ),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, log_type, host, port))| {
        json!({
            "id": id(LSS_BASE, i),
            "config": {
                "name": name, "description": format!("{name} stream"), "enabled": true,
                "format": "{\"LogTimestamp\": %j{LogTimestamp:time}}\\n", "lssHost": host,
                "lssPort": port, "sourceLogType": log_type, "useTls": true,
                "auditMessage": "{\"logType\":\"User Activity\"}", "filter": [],
            },
            "connectorGroups": [{"id": id(CONNECTOR_GROUP_BASE, i)}],
        })
    })
    .collect()
}
