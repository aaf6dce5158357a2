//! Cloud & Branch Connector seed data: IP groups of the three kinds, network services and
//! their groups, admins and roles, public cloud accounts and the workload discovery settings.

use serde_json::{Value, json};

use super::SEED_EPOCH;
use crate::products::ztw::{Groups, ZtwData};

const SITES: &[(&str, &str)] = &[
    ("San Jose", "10.10"),
    ("New York", "10.20"),
    ("London", "10.30"),
    ("Bangalore", "10.40"),
    ("Frankfurt", "10.50"),
    ("Tokyo", "10.60"),
    ("Sydney", "10.70"),
    ("Toronto", "10.80"),
];

fn source_groups(first_id: i64, kind: &str) -> Vec<Value> {
    SITES
        .iter()
        .enumerate()
        .flat_map(|(i, (site, net))| {
            ["Workloads", "Branch Users"].into_iter().enumerate().map(move |(k, role)| {
                json!({
                    "id": first_id + (i * 2 + k) as i64, "name": format!("{site} {role}"),
                    "description": format!("{kind} group for {role} in {site}"),
                    "ipAddresses": [format!("{net}.{}.0/24", k * 10), format!("{net}.{}.0/24", k * 10 + 1)],
                    "isNonEditable": false,
                })
            })
        })
        .collect()
}

/// Destination groups: (name, type, addresses, countries).
const DESTINATIONS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "AWS us-west-2 VPCs",
        "DSTN_IP",
        &["172.31.0.0/16", "172.32.0.0/16"],
        &[],
    ),
    ("Azure East US VNets", "DSTN_IP", &["10.200.0.0/16"], &[]),
    (
        "Payroll SaaS",
        "DSTN_FQDN",
        &["payroll.example.com", "api.payroll.example.com"],
        &[],
    ),
    (
        "Microsoft 365 Domains",
        "DSTN_DOMAIN",
        &[".office365.com", ".sharepoint.com"],
        &[],
    ),
    (
        "Embargoed Countries",
        "DSTN_OTHER",
        &[],
        &["COUNTRY_KP", "COUNTRY_IR", "COUNTRY_SY"],
    ),
    (
        "Partner Extranet",
        "DSTN_FQDN",
        &["extranet.partner.example"],
        &[],
    ),
    ("Datacenter Core", "DSTN_IP", &["10.0.0.0/8"], &[]),
    (
        "Update Servers",
        "DSTN_DOMAIN",
        &[".windowsupdate.com", ".apple.com"],
        &[],
    ),
    (
        "Monitoring Endpoints",
        "DSTN_FQDN",
        &["metrics.acme.com", "logs.acme.com"],
        &[],
    ),
    ("GCP us-central1", "DSTN_IP", &["10.128.0.0/20"], &[]),
];

fn destination_groups() -> Vec<Value> {
    DESTINATIONS
        .iter()
        .enumerate()
        .map(|(i, (name, kind, addresses, countries))| {
            json!({"id": 4_100 + i as i64, "name": name, "type": kind, "addresses": addresses,
                   "countries": countries, "ipCategories": [], "description": format!("{name} ({kind})"),
                   "isNonEditable": false})
        })
        .collect()
}

/// A network service: (name, tag, type, TCP ports, UDP ports).
type Service = (
    &'static str,
    &'static str,
    &'static str,
    &'static [u16],
    &'static [u16],
);

const SERVICES: &[Service] = &[
    ("HTTP", "HTTP", "PREDEFINED", &[80], &[]),
    ("HTTPS", "HTTPS", "PREDEFINED", &[443], &[443]),
    ("DNS", "DNS", "PREDEFINED", &[53], &[53]),
    ("SSH", "SSH", "PREDEFINED", &[22], &[]),
    ("RDP", "RDP", "PREDEFINED", &[3389], &[3389]),
    ("NTP", "NTP", "PREDEFINED", &[], &[123]),
    ("SMB", "SMB", "PREDEFINED", &[445], &[]),
    ("LDAP", "LDAP", "STANDARD", &[389], &[389]),
    ("Kerberos", "KERBEROS", "STANDARD", &[88], &[88]),
    ("SNMP", "SNMP", "STANDARD", &[], &[161, 162]),
    ("Acme ERP", "", "CUSTOM", &[8443, 9443], &[]),
    ("Acme Telemetry", "", "CUSTOM", &[], &[5140]),
];

fn ports(list: &[u16]) -> Value {
    Value::Array(list.iter().map(|p| json!({"start": p, "end": p})).collect())
}

fn network_services() -> Vec<Value> {
    SERVICES
        .iter()
        .enumerate()
        .map(|(i, (name, tag, kind, tcp, udp))| {
            json!({"id": 774_000 + i as i64, "name": name, "tag": tag, "type": kind,
                   "destTcpPorts": ports(tcp), "destUdpPorts": ports(udp),
                   "description": format!("{name} service"), "isNameL10nTag": *kind == "PREDEFINED"})
        })
        .collect()
}

fn service_groups(services: &[Value]) -> Vec<Value> {
    let pick = |names: &[&str]| -> Value {
        Value::Array(
            services
                .iter()
                .filter(|s| names.iter().any(|n| s["name"] == *n))
                .map(|s| json!({"id": s["id"], "name": s["name"]}))
                .collect(),
        )
    };
    [
        ("Web Services", &["HTTP", "HTTPS"][..]),
        ("Directory Services", &["LDAP", "Kerberos", "DNS"][..]),
        ("Remote Access", &["SSH", "RDP"][..]),
        ("Acme Apps", &["Acme ERP", "Acme Telemetry"][..]),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, members))| {
        json!({"id": 775_000 + i as i64, "name": name, "services": pick(members),
               "description": format!("{name} group")})
    })
    .collect()
}

/// Roles: (name, type, auditor, partner, API role).
const ROLES: &[(&str, &str, bool, bool, bool)] = &[
    ("Super Admin", "EDGE_CONNECTOR_ADMIN", false, false, false),
    (
        "Connector Operator",
        "EDGE_CONNECTOR_ADMIN",
        false,
        false,
        false,
    ),
    (
        "Read Only Auditor",
        "EDGE_CONNECTOR_ADMIN",
        true,
        false,
        false,
    ),
    ("Partner Support", "PARTNER", false, true, false),
    ("Automation API", "EDGE_CONNECTOR_ADMIN", false, false, true),
];

fn roles() -> Vec<Value> {
    ROLES
        .iter()
        .enumerate()
        .map(|(i, (name, kind, auditor, partner, api))| {
            json!({"id": 9_200 + i as i64, "name": name, "roleType": kind, "rank": 7,
                   "isAuditor": auditor, "isPartnerRole": partner, "isApiRole": api,
                   "policyAccess": if *auditor { "READ_ONLY" } else { "READ_WRITE" },
                   "featurePermissions": {"EDGE_CONNECTOR_CLOUD_PROVISIONING": if *auditor { "READ_ONLY" } else { "READ_WRITE" }}})
        })
        .collect()
}

/// Admins: (login, name, role index).
const ADMINS: &[(&str, &str, usize)] = &[
    ("ztw-admin@acme.com", "Jane Doe", 0),
    ("netops@acme.com", "Miguel Garcia", 1),
    ("cloudops@acme.com", "Aiko Tanaka", 1),
    ("audit@acme.com", "Ingrid Müller", 2),
    ("partner@msp.example", "MSP Support", 3),
    ("terraform@acme.com", "Terraform", 4),
];

fn admins(roles: &[Value]) -> Vec<Value> {
    ADMINS
        .iter()
        .enumerate()
        .map(|(i, (login, name, role))| {
            let role = roles.get(*role).cloned().unwrap_or(Value::Null);
            json!({"id": 3_100 + i as i64, "loginName": login, "userName": name, "email": login,
                   "role": {"id": role.get("id"), "name": role.get("name")},
                   "isAuditor": role.get("isAuditor"), "isApiRole": role.get("isApiRole"),
                   "adminScopeType": "ORGANIZATION", "disabled": false,
                   "lastLogin": SEED_EPOCH - 3600 * (i as u64 + 1)})
        })
        .collect()
}

/// Public cloud accounts: (name, cloud, account id, regions).
const ACCOUNTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "acme-prod",
        "AWS",
        "123456789012",
        &["us-west-2", "us-east-1"],
    ),
    ("acme-dev", "AWS", "210987654321", &["us-west-2"]),
    ("acme-data", "AWS", "345678901234", &["eu-central-1"]),
    (
        "acme-azure-core",
        "AZURE",
        "5f1c2a3b-0000-4d5e-9f00-acme00000001",
        &["eastus", "westeurope"],
    ),
    (
        "acme-azure-lab",
        "AZURE",
        "5f1c2a3b-0000-4d5e-9f00-acme00000002",
        &["eastus"],
    ),
    (
        "acme-gcp-analytics",
        "GCP",
        "acme-analytics-381200",
        &["us-central1"],
    ),
];

fn clouds() -> (Vec<Value>, Vec<Value>) {
    let info = ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, (name, cloud, account, regions))| {
            json!({"id": 6_600 + i as i64, "name": name, "cloudType": cloud,
                   "externalId": format!("acme-ext-{:04}", 6_600 + i),
                   "accountDetails": {"awsAccountId": if *cloud == "AWS" { json!(account) } else { Value::Null },
                                      "subscriptionId": if *cloud == "AZURE" { json!(account) } else { Value::Null },
                                      "projectId": if *cloud == "GCP" { json!(account) } else { Value::Null },
                                      "troubleShootingLogging": true},
                   "supportedRegions": regions.iter().map(|r| json!({"name": r, "cloudType": cloud})).collect::<Vec<_>>(),
                   "lastModTime": SEED_EPOCH - 86_400 * i as u64})
        })
        .collect();
    let details = ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, (name, cloud, account, _))| {
            json!({"id": 6_600 + i as i64, "accountId": account, "cloudType": cloud,
                   "accountName": name, "platformId": 1 + i % 3, "enabled": true})
        })
        .collect();
    (info, details)
}

/// The seeded ZTW data.
pub(crate) fn data() -> ZtwData {
    let services = network_services();
    let service_groups = service_groups(&services);
    let roles = roles();
    let admins = admins(&roles);
    let (cloud_info, cloud_accounts) = clouds();
    ZtwData {
        groups: std::sync::Mutex::new(Groups {
            ip: source_groups(5_200, "IP"),
            source: source_groups(5_400, "Source IP"),
            destination: destination_groups(),
            next_id: 5_600,
        }),
        services,
        service_groups,
        admins,
        roles,
        cloud_info,
        cloud_accounts,
        discovery: json!({
            "discoveryRoleName": "ZscalerWorkloadDiscoveryRole",
            "externalId": "acme-ztw-5d1f0c2e",
            "trustedAccountId": "223544365242",
            "trustedRole": "arn:aws:iam::223544365242:role/ZscalerWorkloadDiscovery",
            "awsEventBusArn": "arn:aws:events:us-west-2:223544365242:event-bus/zscaler-discovery",
        }),
    }
}
