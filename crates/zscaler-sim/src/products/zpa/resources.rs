//! The resources the generic ZPA handlers serve: where each lives (API prefixes, aliases,
//! routes below a parent such as an IdP or an association type), which writes it accepts, its
//! required fields, the fields ZPA fills in or issues on create and the write-only (secret)
//! fields never read back.

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
    /// Other record routes (full templates) accepting the same update.
    pub(super) update_aliases: &'static [&'static str],
    /// Fields accepted on write but never read back (secrets).
    pub(super) write_only: &'static [&'static str],
    /// Routes below a parent record, whose records only that parent's are.
    pub(super) nested: Option<Nested>,
    /// The userconfig API counts pages with integers, not strings (zscaler-api.md 4).
    pub(super) integer_counts: bool,
    pub(super) issued: Option<Issued>,
}

/// A field ZPA issues on create (an enrolment secret) and how, from the new record's id.
pub(super) type Issued = (&'static str, fn(u64) -> String);

/// Routes (full templates) of a resource served below a parent, such as the provisioning keys
/// of one association type or the attributes of one IdP.
pub(super) struct Nested {
    pub(super) collection: &'static str,
    /// Routes without the parent parameter serve records of every parent.
    pub(super) record: Option<&'static str>,
    /// The record field naming the parent.
    pub(super) field: &'static str,
    /// The path parameter carrying the parent.
    pub(super) param: &'static str,
    /// The values the parent may take (empty: any); others are ZPA's 400 naming `label`.
    pub(super) allowed: &'static [&'static str],
    pub(super) label: &'static str,
}

const V1_ONLY: &[&str] = &[V1];
const V1_V2: &[&str] = &[V1, V2];

fn no_defaults() -> Value {
    json!({})
}

/// What most resources share: read-only reference data named by `name`, under both prefixes.
/// Entries name only where they differ.
const LOOKUP: ZpaResource = ZpaResource {
    path: "",
    what: "",
    required: &["name"],
    defaults: no_defaults,
    writes: Writes::None,
    prefixes: V1_V2,
    list_aliases: &[],
    update_aliases: &[],
    write_only: &[],
    nested: None,
    integer_counts: false,
    issued: None,
};

pub(super) static RESOURCES: [ZpaResource; 21] = [
    ZpaResource {
        path: "segmentGroup",
        what: "Segment group",
        defaults: segment_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        // Segment groups are also updated through the v2 prefix (zscaler-api.md 1.5).
        update_aliases: &["/zpa/mgmtconfig/v2/admin/customers/{cid}/segmentGroup/{id}"],
        ..LOOKUP
    },
    ZpaResource {
        path: "application",
        what: "Application segment",
        required: &["name", "domainNames", "segmentGroupId"],
        defaults: application_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "serverGroup",
        what: "Server group",
        required: &["name", "appConnectorGroups"],
        defaults: server_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "appConnectorGroup",
        what: "App connector group",
        defaults: connector_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "connector",
        what: "App connector",
        defaults: connector_defaults,
        writes: Writes::Existing,
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "server",
        what: "Application server",
        required: &["name", "address"],
        defaults: server_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "serviceEdgeGroup",
        what: "Service edge group",
        required: &["name", "latitude", "longitude", "location"],
        defaults: service_edge_group_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "serviceEdge",
        what: "Service edge",
        defaults: connector_defaults,
        writes: Writes::Existing,
        prefixes: V1_ONLY,
        ..LOOKUP
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
        ..LOOKUP
    },
    ZpaResource {
        path: "praPortal",
        what: "PRA portal",
        required: &["name", "domain"],
        defaults: pra_portal_defaults,
        writes: Writes::All,
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "credential",
        what: "PRA credential",
        required: &["name", "credentialType"],
        writes: Writes::All,
        prefixes: V1_ONLY,
        write_only: &["password", "privateKey", "passphrase"],
        ..LOOKUP
    },
    ZpaResource {
        path: "inspectionProfile",
        what: "Inspection profile",
        prefixes: V1_ONLY,
        ..LOOKUP
    },
    ZpaResource {
        path: "lssConfig",
        what: "LSS configuration",
        required: &["config"],
        prefixes: &[V2],
        ..LOOKUP
    },
    ZpaResource {
        path: "posture",
        what: "Posture profile",
        ..LOOKUP
    },
    ZpaResource {
        path: "network",
        what: "Trusted network",
        ..LOOKUP
    },
    ZpaResource {
        path: "enrollmentCert",
        what: "Enrollment certificate",
        ..LOOKUP
    },
    ZpaResource {
        path: "idp",
        what: "Identity provider",
        ..LOOKUP
    },
    ZpaResource {
        path: "samlAttribute",
        what: "SAML attribute",
        nested: Some(Nested {
            collection: "/zpa/mgmtconfig/v2/admin/customers/{cid}/samlAttribute/idp/{idp}",
            record: None,
            ..BY_IDP
        }),
        ..LOOKUP
    },
    ZpaResource {
        path: "provisioningKey",
        what: "Provisioning key",
        required: &["name", "maxUsage", "zcomponentId"],
        defaults: provisioning_key_defaults,
        writes: Writes::All,
        // Served only below its association type.
        prefixes: &[],
        nested: Some(Nested {
            collection: "/zpa/mgmtconfig/v1/admin/customers/{cid}/associationType/{kind}/provisioningKey",
            record: Some(
                "/zpa/mgmtconfig/v1/admin/customers/{cid}/associationType/{kind}/provisioningKey/{id}",
            ),
            field: "associationType",
            param: "kind",
            allowed: &["CONNECTOR_GRP", "SERVICE_EDGE_GRP"],
            label: "association type",
        }),
        issued: Some(("provisioningKey", enrolment_secret)),
        ..LOOKUP
    },
    ZpaResource {
        path: "scimAttribute",
        what: "SCIM attribute",
        prefixes: &[],
        nested: Some(Nested {
            collection: "/zpa/mgmtconfig/v1/admin/customers/{cid}/idp/{idp}/scimattribute",
            record: Some("/zpa/mgmtconfig/v1/admin/customers/{cid}/idp/{idp}/scimattribute/{id}"),
            ..BY_IDP
        }),
        ..LOOKUP
    },
    ZpaResource {
        path: "scimGroup",
        what: "SCIM group",
        // Served by the userconfig API only.
        prefixes: &[],
        nested: Some(Nested {
            collection: "/zpa/userconfig/v1/customers/{cid}/scimgroup/idpId/{idp}",
            record: Some("/zpa/userconfig/v1/customers/{cid}/scimgroup/{id}"),
            ..BY_IDP
        }),
        integer_counts: true,
        ..LOOKUP
    },
];

/// Identity records scoped by the IdP they come from.
const BY_IDP: Nested = Nested {
    collection: "",
    record: None,
    field: "idpId",
    param: "idp",
    allowed: &[],
    label: "IdP",
};

/// The enrolment secret ZPA generates for a new provisioning key; it is read back, as ZPA does.
fn enrolment_secret(next_id: u64) -> String {
    format!(
        "3|api.private.zscaler.com|{:x}",
        next_id.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    )
}

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
