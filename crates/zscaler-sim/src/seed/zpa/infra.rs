//! Seeded ZPA infrastructure: application servers, private service edges and their groups,
//! enrollment certificates and provisioning keys.

use serde_json::{Value, json};

use super::{
    CONNECTOR_GROUP_BASE, SERVER_GROUP_BASE, SITES, Stamped, THEMES, appliance_name, id, stamps,
    with,
};

const SERVER_BASE: u64 = 216_196_257_331_296_001;
const EDGE_GROUP_BASE: u64 = 216_196_257_331_297_001;
const EDGE_BASE: u64 = 216_196_257_331_297_101;
const KEY_BASE: u64 = 216_196_257_331_298_001;
/// Enrollment certificates: Root, Client, Connector, Service Edge, Isolation Client.
pub(crate) const ENROLLMENT_CERT_BASE: u64 = 216_196_257_331_283_001;
const ENROLLMENT_CERTS: [&str; 5] = [
    "Root",
    "Client",
    "Connector",
    "Service Edge",
    "Isolation Client",
];
/// The sites hosting private service edges (indexes into `SITES`).
const EDGE_SITES: [usize; 6] = [0, 1, 4, 5, 8, 10];

/// Three application servers per themed server group (36 in all: two pages at the default size).
pub(crate) fn servers() -> Vec<Value> {
    (0..36)
        .map(|i| {
            let group = i % THEMES.len();
            let theme = THEMES.get(group).copied().unwrap_or("Apps");
            let short: String = theme
                .split_whitespace()
                .next()
                .unwrap_or("app")
                .to_lowercase();
            let name = format!("{short}-srv-{:02}", i / THEMES.len() + 1);
            with(
                json!({
                    "id": id(SERVER_BASE, i), "name": name,
                    "description": format!("{theme} application server"),
                    "address": format!("10.20.{}.{}", group, 10 + i), "enabled": i % 9 != 8,
                    "configSpace": "DEFAULT", "appServerGroupIds": [id(SERVER_GROUP_BASE, group)],
                    "readOnly": false, "zscalerManaged": false, "microtenantName": "Default",
                }),
                stamps(),
            )
        })
        .collect()
}

pub(crate) fn service_edge_groups() -> Vec<Value> {
    EDGE_SITES.iter().stamped(|i, site| {
        let (name, location, country, lat, long) = SITES
            .get(*site)
            .copied()
            .unwrap_or(("Site", "", "US", "0", "0"));
        let city = location.split(',').next().unwrap_or(location);
        json!({
            "id": id(EDGE_GROUP_BASE, i),
            "name": format!("{} Service Edges", name.trim_end_matches(" DC")),
            "description": format!("Private service edges in {location}"),
            "enabled": true, "isPublic": "FALSE", "latitude": lat, "longitude": long,
            "location": location, "cityCountry": format!("{city}, {country}"),
            "countryCode": country, "upgradeDay": "SUNDAY", "upgradeTimeInSecs": "66600",
            "overrideVersionProfile": false, "versionProfileId": "0",
            "versionProfileName": "Default", "graceDistanceEnabled": false,
            "trustedNetworks": [], "readOnly": false, "zscalerManaged": false,
            "microtenantName": "Default",
        })
    })
}

/// Four edges per group (24: two pages at the default size).
pub(crate) fn service_edges() -> Vec<Value> {
    (0..24)
        .map(|i| {
            let group = i % EDGE_SITES.len();
            let site = EDGE_SITES
                .get(group)
                .and_then(|s| SITES.get(*s))
                .map_or("site", |s| s.0);
            with(
                json!({
                    "id": id(EDGE_BASE, i),
                    "name": appliance_name(site, "pse", i / EDGE_SITES.len() + 1),
                    "description": format!("Private service edge in {site}"), "enabled": true,
                    "serviceEdgeGroupId": id(EDGE_GROUP_BASE, group),
                    "serviceEdgeGroupName": format!("{} Service Edges", site.trim_end_matches(" DC")),
                    "controlChannelStatus": if i % 11 == 10 { "ZPN_STATUS_DISCONNECTED" } else { "ZPN_STATUS_AUTHENTICATED" },
                    "currentVersion": "26.52.3", "expectedVersion": "26.52.3", "platform": "el9",
                    "privateIp": format!("10.{}.2.{}", 40 + group, 10 + i),
                    "publicIp": format!("203.0.113.{}", 10 + i), "upgradeStatus": "COMPLETE",
                    "microtenantName": "Default",
                }),
                stamps(),
            )
        })
        .collect()
}

pub(crate) fn enrollment_certs() -> Vec<Value> {
    ENROLLMENT_CERTS.iter().stamped(|i, name| {
        json!({
            "id": id(ENROLLMENT_CERT_BASE, i), "name": name,
            "description": format!("{name} enrollment certificate"),
            "cName": format!("{}.acme.zpa", name.to_lowercase().replace(' ', "-")),
            "allowSigning": i < 2, "clientCertType": if i == 1 { "ZAPP_CLIENT" } else { "NONE" },
            "issuedBy": if i == 0 { "Root" } else { "Acme ZPA Root" },
            "issuedTo": format!("Acme Corp {name}"), "serialNo": format!("{}", 7_345_001 + i),
            "validFromInEpochSec": "1704067200", "validToInEpochSec": "2019686400",
            "readOnly": false, "zscalerManaged": i == 0,
        })
    })
}

/// Keys for five connector groups and three service edge groups.
pub(crate) fn provisioning_keys() -> Vec<Value> {
    let connector_keys = (0..5).map(|i| ("CONNECTOR_GRP", id(CONNECTOR_GROUP_BASE, i), 2usize));
    let edge_keys = (0..3).map(|i| ("SERVICE_EDGE_GRP", id(EDGE_GROUP_BASE, i), 3usize));
    connector_keys
        .chain(edge_keys)
        .stamped(|i, (kind, component, cert)| {
            let label = if kind == "CONNECTOR_GRP" { "Connector" } else { "Service Edge" };
            json!({
                    "id": id(KEY_BASE, i), "name": format!("{label} Key {:02}", i + 1),
                    "associationType": kind, "zcomponentId": component,
                    "enrollmentCertId": id(ENROLLMENT_CERT_BASE, cert),
                    "maxUsage": "10", "usageCount": (i % 4).to_string(), "enabled": true,
                    "provisioningKey": format!("3|api.private.zscaler.com|{:016x}", 0x5eed_0000_1000_u64 + i as u64),
                    "ipAcl": [], "microtenantName": "Default",
                })
        })
}
