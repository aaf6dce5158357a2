//! Client Connector seed data: one or two enrolled devices per employee (Windows laptops,
//! Macs, phones), forwarding profiles and trusted networks, in ZCC's mixed casing with
//! numbers as strings.

use serde_json::{Value, json};

use super::SEED_EPOCH;
use super::people::{self, HEADCOUNT};
use crate::products::zcc::ZccData;

/// (osType code, OS version, agent version, model, manufacturer, arch).
const PLATFORMS: &[(i64, &str, &str, &str, &str, &str)] = &[
    (
        3,
        "Microsoft Windows 11 Enterprise;64 bit;amd64",
        "4.4.0.379 (64-bit)",
        "Latitude 7440",
        "Dell Inc.",
        "x64",
    ),
    (
        4,
        "Version 14.5 (Build 23F79);arm64",
        "4.3.0.226",
        "MacBookPro18,3",
        "Apple Inc.",
        "arm64",
    ),
    (1, "17.5.1", "3.9.0.24", "iPhone15,2", "Apple Inc.", "arm64"),
    (2, "14", "3.10.0.6", "Pixel 8", "Google", "arm64"),
    (
        5,
        "Ubuntu 22.04.4 LTS;64 bit;amd64",
        "3.7.1.33",
        "ThinkPad T14 Gen 3",
        "Lenovo",
        "x64",
    ),
];

/// (registration state, state code): mostly registered, a few in the other observed states.
fn registration(index: usize) -> (&'static str, i64) {
    match index % 23 {
        5 => ("Remove pending", 3),
        11 => ("Unregistered", 2),
        17 => ("Quarantined", 6),
        _ => ("Registered", 1),
    }
}

fn device(index: usize) -> Value {
    let person = people::person(index % HEADCOUNT);
    let (os, os_version, agent, model, manufacturer, arch) = PLATFORMS
        .get(index % PLATFORMS.len())
        .copied()
        .unwrap_or((3, "", "", "", "", "x64"));
    let (registration_state, state) = registration(index);
    let seen = SEED_EPOCH - (index as u64 % 48) * 1800;
    let owner = person.email.split('@').next().unwrap_or("").to_owned();
    json!({
        "companyName": "Acme Corp", "type": os, "state": state,
        "udid": format!("ACME-{:05}:{:08X}", index + 1, 0x92DA_6D4B_u32 ^ index as u32),
        "macAddress": format!("00:50:56:82:{:02X}:{:02X}", index / 256, index % 256),
        "user": person.email, "detail": format!("{manufacturer} {model}"),
        "policyName": if os <= 2 { "Mobile Default" } else { "Default" },
        "last_seen_time": seen.to_string(), "osVersion": os_version, "agentVersion": agent,
        "registrationState": registration_state, "owner": owner,
        "machineHostname": format!("ACME-{}-{:03}", if os <= 2 { "MOB" } else { "PC" }, index + 1),
        "manufacturer": manufacturer, "download_count": 1 + index % 3,
        "registration_time": (seen - 86_400 * 30).to_string(),
        "deregistrationTimestamp": if state == 2 { (seen - 3600).to_string() } else { String::new() },
        "config_download_time": (seen - 600).to_string(), "keepAliveTime": seen.to_string(),
        "hardwareFingerprint": format!("aGFyZHdhcmUt{index:06}"), "tunnelVersion": "20:1",
        "vpnState": 0, "upmVersion": "4.5.0.33 (32-bit)", "zappArch": arch,
    })
}

/// Forwarding profiles: (name, trusted network condition, action for trusted networks).
const PROFILES: &[(&str, &str, &str)] = &[
    ("Default", "Any", "Tunnel"),
    ("Corporate Office", "Acme HQ Network", "None"),
    ("Remote Workers", "Any", "Tunnel"),
    ("Mobile Default", "Any", "Tunnel"),
    ("Developers Split Tunnel", "Acme Lab Network", "Tunnel"),
    ("Executives", "Any", "Tunnel 2.0"),
];

fn profile(index: usize, (name, network, action): (&str, &str, &str)) -> Value {
    json!({
        "id": (17_001 + index).to_string(), "active": "1", "name": name,
        "conditionType": 1, "dnsServers": "10.10.0.53", "dnsSearchDomains": "corp.acme.com",
        "trustedNetworks": if network == "Any" { json!([]) } else { json!([network]) },
        "evaluateTrustedNetwork": if network == "Any" { 0 } else { 1 },
        "forwardingProfileActions": [
            {"networkType": 0, "actionType": 1, "primaryTransport": 1, "tunnel2FallbackType": 0,
             "systemProxy": 0, "enablePacketTunnel": if action == "None" { 0 } else { 1 }}],
        "lastModifiedBy": "admin@acme.com", "lastModifiedTime": (SEED_EPOCH - 86_400 * index as u64).to_string(),
    })
}

/// Trusted networks: (name, DNS servers, DNS search domain).
const NETWORKS: &[(&str, &str, &str)] = &[
    ("Acme HQ Network", "10.10.0.53,10.10.0.54", "corp.acme.com"),
    ("Acme Lab Network", "10.50.0.53", "lab.acme.com"),
    ("New York Office Network", "10.20.0.53", "ny.acme.com"),
    ("London Office Network", "10.30.0.53", "uk.acme.com"),
    ("Bangalore Office Network", "10.40.0.53", "in.acme.com"),
];

fn network(index: usize, (name, dns, domain): (&str, &str, &str)) -> Value {
    json!({
        "id": (9_101 + index).to_string(), "active": true, "networkName": name,
        "conditionType": 1, "dnsServers": dns, "dnsSearchDomains": domain,
        "hostnames": "", "resolvedIpsForHostname": "", "trustedSubnets": "",
        "trustedGateways": "", "trustedDhcpServers": "", "trustedEgressIps": "",
        "companyId": "36021", "createdBy": "admin@acme.com", "editedBy": "",
        "guid": format!("{:08x}-acme-4c1d-9e1a-{:012x}", 0x5eed_0000 + index, index),
    })
}

/// The seeded Client Connector data.
pub(crate) fn data() -> ZccData {
    ZccData {
        devices: (0..HEADCOUNT + 60).map(device).collect(),
        profiles: PROFILES
            .iter()
            .enumerate()
            .map(|(i, p)| profile(i, *p))
            .collect(),
        networks: NETWORKS
            .iter()
            .enumerate()
            .map(|(i, n)| network(i, *n))
            .collect(),
    }
}
