//! ZPA seed data: segment groups, application segments, server and connector groups,
//! connectors and policy sets with rules. Ids and times are strings, as ZPA sends them.

mod identity;
mod infra;
mod lss;
mod security;

use std::collections::HashMap;

use serde_json::{Value, json};

use super::SEED_EPOCH;
use crate::products::zpa::{POLICY_TYPES, PolicySet, ZpaTenant};

pub(crate) use lss::{lss_client_types, lss_log_format, lss_status_codes};

/// The administrator every seeded record was last modified by.
pub(crate) const ADMIN_ID: &str = "216196257331372705";
/// The demo tenant's identity provider (SCIM groups are scoped by it).
pub(crate) const IDP: (&str, &str) = ("216196257331285825", "Okta_Users");
/// A second microtenant owning some records.
pub(crate) const MICROTENANT: (&str, &str) = ("216196257331300001", "Acme EU");

const SEGMENT_GROUP_BASE: u64 = 216_196_257_331_290_001;
const APP_BASE: u64 = 216_196_257_331_291_001;
const SERVER_GROUP_BASE: u64 = 216_196_257_331_292_001;
const CONNECTOR_GROUP_BASE: u64 = 216_196_257_331_293_001;
const CONNECTOR_BASE: u64 = 216_196_257_331_294_001;
const RULE_BASE: u64 = 216_196_257_331_295_001;
/// Policy set ids: ACCESS_POLICY gets the first.
const POLICY_SET_BASE: u64 = 216_196_257_331_281_925;
/// Where ids of records created through the API start.
pub(crate) const FIRST_NEW_ID: u64 = 216_196_257_331_400_001;
/// Where condition and operand ids start.
pub(crate) const FIRST_CONDITION_ID: u64 = 46_277_401;

const THEMES: &[&str] = &[
    "Finance Apps",
    "HR Apps",
    "Engineering Tools",
    "SAP Landscape",
    "Sales Apps",
    "IT Infrastructure",
    "DevOps Pipeline",
    "Legal Apps",
    "Marketing Apps",
    "Customer Support",
    "Data Analytics",
    "Security Tools",
    "Collaboration",
    "Executive Apps",
    "Manufacturing Systems",
];
const REGIONS: &[&str] = &["", " - EMEA", " - APAC"];

/// Application segments: (name, domain, tcp port pairs, theme index).
const APPS: &[(&str, &str, &[&str], usize)] = &[
    (
        "Oracle Financials",
        "oracle-fin.acme.com",
        &["443", "443"],
        0,
    ),
    ("Expense Portal", "expenses.acme.com", &["443", "443"], 0),
    ("treasury.acme.com", "treasury.acme.com", &["443", "443"], 0),
    ("Payroll", "payroll.acme.com", &["443", "443"], 1),
    (
        "hr-portal.acme.com",
        "hr-portal.acme.com",
        &["443", "443"],
        1,
    ),
    ("jira.acme.com", "jira.acme.com", &["443", "443"], 2),
    (
        "confluence.acme.com",
        "confluence.acme.com",
        &["443", "443"],
        2,
    ),
    ("GitLab", "gitlab.acme.com", &["22", "22", "443", "443"], 2),
    ("SAP ERP", "sap-erp.acme.com", &["3200", "3299"], 3),
    (
        "SAP Fiori",
        "fiori.acme.com",
        &["443", "443", "8443", "8443"],
        3,
    ),
    ("SAP BW", "sap-bw.acme.com", &["3200", "3299"], 3),
    (
        "Salesforce Connector",
        "sfdc-sync.acme.com",
        &["443", "443"],
        4,
    ),
    ("crm.acme.com", "crm.acme.com", &["443", "443"], 4),
    (
        "Active Directory",
        "dc01.corp.acme.com",
        &["88", "88", "389", "389", "445", "445"],
        5,
    ),
    ("vcenter.acme.com", "vcenter.acme.com", &["443", "443"], 5),
    ("SSH Jump Hosts", "*.jump.acme.com", &["22", "22"], 5),
    ("jenkins.acme.com", "jenkins.acme.com", &["8080", "8080"], 6),
    ("Artifactory", "artifacts.acme.com", &["443", "443"], 6),
    ("Contract Vault", "contracts.acme.com", &["443", "443"], 7),
    ("Marketing CMS", "cms.acme.com", &["443", "443"], 8),
    ("Zendesk Bridge", "support.acme.com", &["443", "443"], 9),
    (
        "Call Center Softphone",
        "voice.acme.com",
        &["5060", "5061"],
        9,
    ),
    ("Tableau", "tableau.acme.com", &["443", "443"], 10),
    ("Snowflake Proxy", "warehouse.acme.com", &["443", "443"], 10),
    (
        "Splunk",
        "splunk.acme.com",
        &["8000", "8000", "8089", "8089"],
        11,
    ),
    ("Vault", "vault.acme.com", &["8200", "8200"], 11),
    (
        "intranet.acme.com",
        "intranet.acme.com",
        &["80", "80", "443", "443"],
        12,
    ),
    ("File Shares", "files.corp.acme.com", &["445", "445"], 12),
    ("Board Portal", "board.acme.com", &["443", "443"], 13),
    ("MES", "mes.plant.acme.com", &["443", "443"], 14),
    (
        "SCADA Historian",
        "historian.plant.acme.com",
        &["1433", "1433"],
        14,
    ),
    ("RDP Servers", "*.rdp.acme.com", &["3389", "3389"], 5),
];

/// Connector sites: (name, location, country code, latitude, longitude).
const SITES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "San Jose DC",
        "San Jose, CA, USA",
        "US",
        "37.33874",
        "-121.8852525",
    ),
    (
        "Ashburn DC",
        "Ashburn, VA, USA",
        "US",
        "39.0437567",
        "-77.4874416",
    ),
    (
        "Dallas DC",
        "Dallas, TX, USA",
        "US",
        "32.7766642",
        "-96.7969879",
    ),
    (
        "Toronto DC",
        "Toronto, ON, Canada",
        "CA",
        "43.6532260",
        "-79.3831843",
    ),
    (
        "London DC",
        "London, England, GB",
        "GB",
        "51.5072178",
        "-0.1275862",
    ),
    (
        "Frankfurt DC",
        "Frankfurt, Hesse, Germany",
        "DE",
        "50.1109221",
        "8.6821267",
    ),
    (
        "Amsterdam DC",
        "Amsterdam, Netherlands",
        "NL",
        "52.3675734",
        "4.9041389",
    ),
    (
        "Bangalore DC",
        "Bengaluru, Karnataka, India",
        "IN",
        "12.9715987",
        "77.5945627",
    ),
    ("Singapore DC", "Singapore", "SG", "1.3521", "103.8198"),
    (
        "Tokyo DC",
        "Tokyo, Japan",
        "JP",
        "35.6761919",
        "139.6503106",
    ),
    (
        "Sydney DC",
        "Sydney, NSW, Australia",
        "AU",
        "-33.8688197",
        "151.2092955",
    ),
    (
        "AWS us-east-1",
        "Ashburn, VA, USA",
        "US",
        "39.0437567",
        "-77.4874416",
    ),
];

fn id(base: u64, index: usize) -> String {
    (base + index as u64).to_string()
}

fn stamps() -> Value {
    json!({
        "creationTime": SEED_EPOCH.to_string(), "modifiedTime": SEED_EPOCH.to_string(),
        "modifiedBy": ADMIN_ID,
    })
}

/// `ashburn-connector-01`: an enrolled appliance named after the first word of its site.
fn appliance_name(site: &str, kind: &str, number: usize) -> String {
    let short = site
        .split_whitespace()
        .next()
        .unwrap_or(site)
        .to_lowercase();
    format!("{short}-{kind}-{number:02}")
}

/// Seeded records made one per item (numbered from 0) and stamped as the seed admin's.
trait Stamped: Iterator + Sized {
    fn stamped(self, mut record: impl FnMut(usize, Self::Item) -> Value) -> Vec<Value> {
        self.enumerate()
            .map(|(i, item)| with(record(i, item), stamps()))
            .collect()
    }
}

impl<I: Iterator> Stamped for I {}

fn with(mut base: Value, extra: Value) -> Value {
    super::merge(&mut base, extra);
    base
}

/// Marks a record as owned by the second microtenant.
fn in_microtenant(record: Value, owned: bool) -> Value {
    if owned {
        with(
            record,
            json!({"microtenantId": MICROTENANT.0, "microtenantName": MICROTENANT.1}),
        )
    } else {
        record
    }
}

/// The seeded ZPA tenant.
pub(crate) fn tenant() -> ZpaTenant {
    let mut collections = HashMap::new();
    collections.insert("segmentGroup", segment_groups());
    collections.insert("application", applications());
    collections.insert("serverGroup", server_groups());
    collections.insert("appConnectorGroup", connector_groups());
    collections.insert("connector", connectors());
    collections.insert("server", infra::servers());
    collections.insert("serviceEdgeGroup", infra::service_edge_groups());
    collections.insert("serviceEdge", infra::service_edges());
    collections.insert("enrollmentCert", infra::enrollment_certs());
    collections.insert("provisioningKey", infra::provisioning_keys());
    collections.insert("idp", identity::idps());
    collections.insert("samlAttribute", identity::saml_attributes());
    collections.insert("scimAttribute", identity::scim_attributes());
    collections.insert("scimGroup", identity::scim_groups());
    collections.insert("posture", identity::posture_profiles());
    collections.insert("network", identity::trusted_networks());
    collections.insert("inspectionProfile", security::inspection_profiles());
    collections.insert("cbiProfile", security::isolation_profiles());
    collections.insert("certificate", security::certificates());
    collections.insert("praPortal", security::pra_portals());
    collections.insert("credential", security::credentials());
    collections.insert("lssConfig", security::lss_configs());
    ZpaTenant {
        collections,
        policy_sets: policy_sets(),
        next_id: FIRST_NEW_ID,
        next_condition_id: FIRST_CONDITION_ID,
    }
}

fn segment_group_name(index: usize) -> String {
    let theme = THEMES.get(index % THEMES.len()).copied().unwrap_or("Apps");
    let region = REGIONS.get(index / THEMES.len()).copied().unwrap_or("");
    format!("{theme}{region}")
}

/// EMEA segment groups of the last five themes belong to the EU microtenant.
fn segment_group_in_microtenant(index: usize) -> bool {
    index / THEMES.len() == 1 && index % THEMES.len() >= 10
}

fn segment_groups() -> Vec<Value> {
    (0..THEMES.len() * REGIONS.len())
        .map(|i| {
            let record = with(
                crate::products::zpa::segment_group_defaults(),
                json!({
                    "id": id(SEGMENT_GROUP_BASE, i), "name": segment_group_name(i),
                    "description": format!("{} for Acme Corp", segment_group_name(i)),
                }),
            );
            in_microtenant(with(record, stamps()), segment_group_in_microtenant(i))
        })
        .collect()
}

fn applications() -> Vec<Value> {
    let mut apps = Vec::new();
    for (copy, region) in ["", " - EMEA"].iter().enumerate() {
        for (i, (name, domain, ports, theme)) in APPS.iter().enumerate() {
            let index = copy * APPS.len() + i;
            let group = copy * THEMES.len() + theme;
            let domain = if copy == 0 {
                (*domain).to_owned()
            } else {
                domain.replacen(".acme.com", ".eu.acme.com", 1)
            };
            let record = with(
                crate::products::zpa::application_defaults(),
                json!({
                    "id": id(APP_BASE, index), "name": format!("{name}{region}"),
                    "description": format!("{name} ({})", if copy == 0 { "global" } else { "EMEA" }),
                    "domainNames": [domain], "segmentGroupId": id(SEGMENT_GROUP_BASE, group),
                    "serverGroups": [{"id": id(SERVER_GROUP_BASE, *theme)}],
                    "tcpPortRanges": ports,
                    "tcpPortRange": crate::products::zpa::port_pairs(ports),
                    "bypassType": if index % 11 == 10 { "ON_NET" } else { "NEVER" },
                    "healthReporting": if index.is_multiple_of(4) { "CONTINUOUS" } else { "ON_ACCESS" },
                    "icmpAccessType": if theme == &5 { "PING" } else { "NONE" },
                }),
            );
            apps.push(in_microtenant(
                with(record, stamps()),
                segment_group_in_microtenant(group),
            ));
        }
    }
    apps.extend(access_type_applications(apps.len()));
    apps
}

/// Browser-access and privileged-remote-access segments (after the plain ones).
fn access_type_applications(first: usize) -> Vec<Value> {
    let browser = |name: &str, domain: &str, cert: usize| {
        json!({"name": name, "domainNames": [domain], "tcpPortRanges": ["443", "443"],
        "clientlessApps": [{
            "id": id(APP_BASE + 500, cert), "name": domain, "domain": domain,
            "applicationPort": "443", "applicationProtocol": "HTTPS", "enabled": true,
            "certificateId": id(security::CERTIFICATE_BASE, cert),
            "certificateName": domain, "allowOptions": false, "trustUntrustedCert": false,
        }]})
    };
    let privileged = |name: &str, domain: &str, port: &str, protocol: &str, k: usize| {
        json!({"name": name, "domainNames": [domain], "tcpPortRanges": [port, port],
        "commonAppsDto": {"appsConfig": [{
            "id": id(APP_BASE + 600, k), "name": domain, "domain": domain,
            "applicationPort": port, "applicationProtocol": protocol, "enabled": true,
            "appTypes": ["SECURE_REMOTE_ACCESS"], "connectionSecurity": "ANY",
        }]}})
    };
    [
        browser("Intranet (Browser Access)", "intranet.acme.com", 0),
        browser("Jira (Browser Access)", "jira.acme.com", 3),
        privileged("Jump Hosts (PRA)", "jump01.acme.com", "22", "SSH", 0),
        privileged("Windows Servers (PRA)", "rdp01.acme.com", "3389", "RDP", 1),
    ]
    .into_iter()
    .enumerate()
    .map(|(k, extra)| {
        let ports: Vec<String> = extra
            .get("tcpPortRanges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        let borrowed: Vec<&str> = ports.iter().map(String::as_str).collect();
        let record = with(
            crate::products::zpa::application_defaults(),
            json!({
                "id": id(APP_BASE, first + k),
                "description": "Clientless access (seeded)",
                "segmentGroupId": id(SEGMENT_GROUP_BASE, if k < 2 { 12 } else { 5 }),
                "serverGroups": [{"id": id(SERVER_GROUP_BASE, 5)}],
                "tcpPortRange": crate::products::zpa::port_pairs(&borrowed),
            }),
        );
        with(with(record, extra), stamps())
    })
    .collect()
}

fn server_groups() -> Vec<Value> {
    let themed = THEMES.iter().enumerate().map(|(i, theme)| {
        (
            format!("{} Servers", theme.trim_end_matches(" Apps")),
            i % SITES.len(),
            false,
        )
    });
    let sites = SITES
        .iter()
        .enumerate()
        .take(10)
        .map(|(i, site)| (format!("{} Dynamic Discovery", site.0), i, true));
    themed.chain(sites).stamped(|i, (name, site, dynamic)| {
        json!({
            "id": id(SERVER_GROUP_BASE, i), "name": name,
            "description": format!("{name} (Acme Corp)"), "enabled": true,
            "ipAnchored": false, "configSpace": "DEFAULT", "extranetEnabled": false,
            "dynamicDiscovery": dynamic || i % 3 != 0, "readOnly": false,
            "zscalerManaged": false, "microtenantName": "Default",
            "appConnectorGroups": [{"id": id(CONNECTOR_GROUP_BASE, site)}],
            "servers": [],
        })
    })
}

fn connector_groups() -> Vec<Value> {
    SITES
        .iter()
        .stamped(|i, (name, location, country, lat, long)| {
            let city = location.split(',').next().unwrap_or(location);
            json!({
                "id": id(CONNECTOR_GROUP_BASE, i), "name": name,
                "description": format!("App connectors in {location}"), "enabled": true,
                "latitude": lat, "longitude": long, "location": location,
                "cityCountry": format!("{city}, {country}"), "countryCode": country,
                "upgradeDay": "SUNDAY", "upgradeTimeInSecs": "66600",
                "overrideVersionProfile": false, "versionProfileId": "0",
                "versionProfileName": "Default", "dnsQueryType": "IPV4_IPV6",
                "praEnabled": false, "tcpQuickAckApp": false, "tcpQuickAckAssistant": false,
                "tcpQuickAckReadAssistant": false, "connectorGroupType": "APP",
                "useInDrMode": false, "wafDisabled": false, "lssAppConnectorGroup": false,
                "readOnly": false, "zscalerManaged": false, "upgradePriority": "WEEK",
                "versionProfileVisibilityScope": "ALL",
                "version": {"version_profile_gid": "0", "versionProfileName": "Default",
                            "sargeVersion": "26.52.3", "childVersion": "26.52.3",
                            "latestPlatform": "el9"},
                "microtenantName": "Default",
            })
        })
}

fn connectors() -> Vec<Value> {
    (0..30)
        .map(|i| {
            let group = i % SITES.len();
            let site = SITES.get(group).map_or("dc", |s| s.0);
            let healthy = i % 13 != 12;
            with(
                json!({
                    "id": id(CONNECTOR_BASE, i),
                    "name": appliance_name(site, "connector", i / SITES.len() + 1),
                    "description": format!("App connector in {site}"), "enabled": true,
                    "appConnectorGroupId": id(CONNECTOR_GROUP_BASE, group),
                    "appConnectorGroupName": site,
                    "controlChannelStatus": if healthy { "ZPN_STATUS_AUTHENTICATED" } else { "ZPN_STATUS_DISCONNECTED" },
                    "currentVersion": "26.52.3", "expectedVersion": "26.52.3",
                    "platform": "el9", "runtimeOS": "Red Hat Enterprise Linux 9.4",
                    "privateIp": format!("10.{}.1.{}", 10 + group, 20 + i),
                    "publicIp": format!("198.51.100.{}", 100 + i),
                    "lastBrokerConnectTime": (SEED_EPOCH * 1_000_000).to_string(),
                    "upgradeStatus": "COMPLETE", "fingerprint": format!("{:016x}", 0x5eed_0000_u64 + i as u64),
                    "microtenantName": "Default",
                }),
                stamps(),
            )
        })
        .collect()
}

fn rule(
    index: usize,
    set_id: &str,
    policy_type: &str,
    name: &str,
    action: &str,
    conditions: Value,
) -> Value {
    let rule_id = id(RULE_BASE, index);
    with(
        json!({
            "id": rule_id, "name": name, "description": format!("{name} (seeded)"),
            "ruleOrder": "0", "priority": "0", "policyType": policy_type, "operator": "AND",
            "action": action, "disabled": "0", "extranetEnabled": false,
            "devicePostureFailureNotificationEnabled": false, "policySetId": set_id,
            "conditions": conditions, "defaultRule": false, "readOnly": false,
            "zscalerManaged": false, "appConnectorGroups": [], "appServerGroups": [],
        }),
        stamps(),
    )
}

/// Seeded conditions, already in the v1 read shape (condition and operand ids follow the
/// rule's index so they never collide with ids handed out later).
fn conditions(index: usize, rule_id: &str, groups: &[(&str, &str, &str)]) -> Value {
    let base = 46_000_000 + index * 10;
    let operands: Vec<Value> = groups
        .iter()
        .enumerate()
        .map(|(k, (object_type, lhs, rhs))| {
            let mut operand = json!({
                "id": (base + k + 1).to_string(), "objectType": object_type, "lhs": lhs, "rhs": rhs,
                "conditionId": base.to_string(),
            });
            if *object_type == "SCIM_GROUP" {
                super::merge(&mut operand, json!({"idpId": IDP.0, "idpName": IDP.1}));
            }
            operand
        })
        .collect();
    json!([{"id": base.to_string(), "operator": "OR", "negated": false, "operands": operands,
            "ruleGid": rule_id}])
}

/// SCIM group ids (numbers in ZPA's userconfig API, strings in policy operands).
const SCIM_GROUPS: &[&str] = &["3251059", "3251060", "3251061", "3251062"];

fn policy_sets() -> Vec<PolicySet> {
    let mut index = 0usize;
    POLICY_TYPES
        .iter()
        .enumerate()
        .map(|(t, kind)| {
            let set_id = id(POLICY_SET_BASE, t);
            let count = if t == 0 { 40 } else { 2 };
            let rules = (0..count)
                .map(|k| {
                    let rule_index = index;
                    index += 1;
                    let group = id(SEGMENT_GROUP_BASE, k);
                    let scim = SCIM_GROUPS
                        .get(k % SCIM_GROUPS.len())
                        .copied()
                        .unwrap_or("3251059");
                    let action = kind
                        .actions
                        .get(k % 2 % kind.actions.len().max(1))
                        .copied()
                        .unwrap_or("ALLOW");
                    let (name, action) = if t == 0 {
                        let deny = k % 8 == 7;
                        let name = format!(
                            "{} {}",
                            if deny { "Deny contractors to" } else { "Allow" },
                            segment_group_name(k)
                        );
                        (name, if deny { "DENY" } else { "ALLOW" })
                    } else {
                        (format!("{} {}", kind.label, segment_group_name(k)), action)
                    };
                    let rule_id = id(RULE_BASE, rule_index);
                    let mut record = rule(
                        rule_index,
                        &set_id,
                        kind.number,
                        &name,
                        action,
                        conditions(
                            rule_index,
                            &rule_id,
                            &[
                                ("APP_GROUP", "id", group.as_str()),
                                ("SCIM_GROUP", IDP.0, scim),
                            ],
                        ),
                    );
                    let order = (k + 1).to_string();
                    super::merge(&mut record, json!({"ruleOrder": order, "priority": order}));
                    record
                })
                .collect();
            PolicySet {
                kind,
                set: with(
                    json!({
                        "id": set_id, "name": kind.set_name, "enabled": true,
                        "description": kind.description, "policyType": kind.number, "sorted": true,
                    }),
                    stamps(),
                ),
                rules,
            }
        })
        .collect()
}
