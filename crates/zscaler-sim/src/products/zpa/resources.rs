//! The resources the generic ZPA handlers serve: where each lives (API prefixes, list
//! aliases), which writes it accepts, its required fields, the fields ZPA fills in on create
//! and the write-only (secret) fields never read back.

use super::{V1, V2};
use serde_json::{Value, json};

/// Which writes a resource accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Writes {
    /// Read only (reference data the tools only look up).
    None,
    /// PUT and DELETE of existing records (appliances that enrol themselves).
    Existing,
    /// POST, PUT and DELETE.
    All,
}

/// A ZPA resource served by the generic handlers.
pub(super) struct ZpaResource {
    pub(super) path: &'static str,
    pub(super) what: &'static str,
    pub(super) required: &'static [&'static str],
    pub(super) defaults: fn() -> Value,
    pub(super) writes: Writes,
    /// API prefixes serving the collection and its records.
    pub(super) prefixes: &'static [&'static str],
    /// Other routes (full templates) answering with the same list.
    pub(super) list_aliases: &'static [&'static str],
    /// Fields accepted on write but never read back (secrets).
    pub(super) write_only: &'static [&'static str],
}

const V1_ONLY: &[&str] = &[V1];
const V1_V2: &[&str] = &[V1, V2];

fn no_defaults() -> Value {
    json!({})
}

pub(super) static RESOURCES: [ZpaResource; 21] = [
    ZpaResource {
        path: "segmentGroup",
        what: "Segment group",
        required: &["name"],
        defaults: segment_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "application",
        what: "Application segment",
        required: &["name", "domainNames", "segmentGroupId"],
        defaults: application_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "serverGroup",
        what: "Server group",
        required: &["name", "appConnectorGroups"],
        defaults: server_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "appConnectorGroup",
        what: "App connector group",
        required: &["name"],
        defaults: connector_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "connector",
        what: "App connector",
        required: &["name"],
        defaults: connector_defaults,
        writes: Writes::Existing,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "server",
        what: "Application server",
        required: &["name", "address"],
        defaults: server_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "serviceEdgeGroup",
        what: "Service edge group",
        required: &["name", "latitude", "longitude", "location"],
        defaults: service_edge_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "serviceEdge",
        what: "Service edge",
        required: &["name"],
        defaults: connector_defaults,
        writes: Writes::Existing,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "certificate",
        what: "Certificate",
        required: &["name", "certBlob"],
        defaults: certificate_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &["/zpa/mgmtconfig/v2/admin/customers/{cid}/clientlessCertificate/issued"],
        write_only: &["certBlob"],
    },
    ZpaResource {
        path: "praPortal",
        what: "PRA portal",
        required: &["name", "domain"],
        defaults: pra_portal_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "credential",
        what: "PRA credential",
        required: &["name", "credentialType"],
        defaults: no_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &["password", "privateKey", "passphrase"],
    },
    ZpaResource {
        path: "inspectionProfile",
        what: "Inspection profile",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        prefixes: V1_ONLY,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "lssConfig",
        what: "LSS configuration",
        required: &["config"],
        defaults: no_defaults,
        writes: Writes::None,
        prefixes: &[V2],
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "posture",
        what: "Posture profile",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        prefixes: V1_V2,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "network",
        what: "Trusted network",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        prefixes: V1_V2,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "enrollmentCert",
        what: "Enrollment certificate",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        prefixes: V1_V2,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "idp",
        what: "Identity provider",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        prefixes: V1_V2,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "samlAttribute",
        what: "SAML attribute",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        prefixes: V1_V2,
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "provisioningKey",
        what: "Provisioning key",
        required: &["name", "maxUsage", "zcomponentId"],
        defaults: provisioning_key_defaults,
        writes: Writes::All,
        // Served below `associationType/{type}` by `keys.rs`, never at the top level.
        prefixes: &[],
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "scimAttribute",
        what: "SCIM attribute",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        // Served below `idp/{idpId}` by `identity.rs`.
        prefixes: &[],
        list_aliases: &[],
        write_only: &[],
    },
    ZpaResource {
        path: "scimGroup",
        what: "SCIM group",
        required: &["name"],
        defaults: no_defaults,
        writes: Writes::None,
        // Served by the userconfig API (`identity.rs`).
        prefixes: &[],
        list_aliases: &[],
        write_only: &[],
    },
];

/// Fields ZPA fills in on a new segment group.
pub(crate) fn segment_group_defaults() -> Value {
    json!({"enabled": true, "configSpace": "DEFAULT", "tcpKeepAliveEnabled": "0",
           "readOnly": false, "zscalerManaged": false, "microtenantName": "Default"})
}

/// Fields ZPA fills in on a new application segment.
pub(crate) fn application_defaults() -> Value {
    json!({
        "enabled": true, "serverGroups": [], "tcpPortRanges": [], "tcpPortRange": [],
        "udpPortRanges": [], "udpPortRange": [], "doubleEncrypt": false, "configSpace": "DEFAULT",
        "bypassType": "NEVER", "healthCheckType": "DEFAULT", "healthReporting": "ON_ACCESS",
        "icmpAccessType": "NONE", "isCnameEnabled": true, "ipAnchored": false,
        "bypassOnReauth": false, "inspectTrafficWithZia": false, "passiveHealthEnabled": true,
        "selectConnectorCloseToApp": false, "useInDrMode": false, "tcpKeepAlive": "0",
        "matchStyle": "EXCLUSIVE", "isIncompleteDRConfig": false, "adpEnabled": false,
        "autoAppProtectEnabled": false, "apiProtectionEnabled": false, "fqdnDnsCheck": false,
        "weightedLoadBalancing": false, "extranetEnabled": false, "policyStyle": "NONE",
        "readOnly": false, "zscalerManaged": false, "microtenantName": "Default",
    })
}

fn server_group_defaults() -> Value {
    json!({"enabled": true, "ipAnchored": false, "configSpace": "DEFAULT",
           "extranetEnabled": false, "dynamicDiscovery": true, "readOnly": false,
           "zscalerManaged": false, "microtenantName": "Default", "servers": []})
}

fn connector_group_defaults() -> Value {
    json!({"enabled": true, "connectorGroupType": "APP", "useInDrMode": false,
           "wafDisabled": false, "lssAppConnectorGroup": false, "readOnly": false,
           "zscalerManaged": false, "upgradeDay": "SUNDAY", "upgradeTimeInSecs": "66600",
           "upgradePriority": "WEEK", "versionProfileId": "0", "versionProfileName": "Default",
           "versionProfileVisibilityScope": "ALL", "dnsQueryType": "IPV4_IPV6",
           "microtenantName": "Default"})
}

fn connector_defaults() -> Value {
    json!({"enabled": true, "microtenantName": "Default"})
}

fn server_defaults() -> Value {
    json!({"enabled": true, "configSpace": "DEFAULT", "appServerGroupIds": [],
           "readOnly": false, "zscalerManaged": false, "microtenantName": "Default"})
}

fn service_edge_group_defaults() -> Value {
    json!({"enabled": true, "isPublic": "FALSE", "upgradeDay": "SUNDAY",
           "upgradeTimeInSecs": "66600", "overrideVersionProfile": false,
           "versionProfileId": "0", "versionProfileName": "Default",
           "graceDistanceEnabled": false, "serviceEdges": [], "trustedNetworks": [],
           "readOnly": false, "zscalerManaged": false, "microtenantName": "Default"})
}

fn certificate_defaults() -> Value {
    json!({"status": "ACTIVE", "issuedBy": "Acme Issuing CA", "readOnly": false,
           "microtenantName": "Default"})
}

fn pra_portal_defaults() -> Value {
    json!({"enabled": true, "userNotificationEnabled": false, "extranetEnabled": false,
           "microtenantName": "Default"})
}

fn provisioning_key_defaults() -> Value {
    json!({"enabled": true, "usageCount": "0", "ipAcl": [], "microtenantName": "Default"})
}
