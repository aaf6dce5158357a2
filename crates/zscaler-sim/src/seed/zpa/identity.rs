//! Seeded ZPA identity data: IdPs, SAML and SCIM attributes, SCIM groups (numeric ids, as
//! the userconfig API sends them), posture profiles and trusted networks.

use serde_json::{Value, json};

use super::{IDP, Stamped, id, stamps, with};

/// The second IdP (administrators, no SCIM).
pub(crate) const ADMIN_IDP: (&str, &str) = ("216196257331285826", "Azure_AD_Admins");
const SAML_BASE: u64 = 216_196_257_331_284_001;
const SCIM_ATTRIBUTE_BASE: u64 = 216_196_257_331_284_101;
const POSTURE_BASE: u64 = 216_196_257_331_286_001;
const NETWORK_BASE: u64 = 216_196_257_331_287_001;
/// The first SCIM group id; policy operands refer to these as strings.
pub(crate) const SCIM_GROUP_BASE: u64 = 3_251_059;

const SCIM_GROUP_NAMES: [&str; 25] = [
    "Engineering",
    "Finance",
    "Human Resources",
    "Sales",
    "Marketing",
    "IT Operations",
    "Security",
    "Legal",
    "Executives",
    "Contractors",
    "Customer Support",
    "Data Science",
    "DevOps",
    "Procurement",
    "Facilities",
    "Manufacturing",
    "Quality Assurance",
    "Product",
    "Design",
    "Partners",
    "Interns",
    "EMEA Staff",
    "APAC Staff",
    "Help Desk",
    "Auditors",
];

pub(crate) fn idps() -> Vec<Value> {
    [
        (IDP, true, "acme.com"),
        (ADMIN_IDP, false, "admin.acme.com"),
    ]
    .iter()
    .map(|((idp_id, name), scim, domain)| {
        with(
            json!({
                "id": idp_id, "name": name, "enabled": true, "ssoType": ["USER"],
                "scimEnabled": scim, "enableScimBasedPolicy": scim, "domainList": [domain],
                "loginUrl": format!("https://{}/sso/saml", domain),
                "idpEntityId": format!("http://www.{domain}/exk{idp_id}"),
                "autoProvision": "0", "signSamlRequest": "1", "reauthOnUserUpdate": false,
            }),
            stamps(),
        )
    })
    .collect()
}

pub(crate) fn saml_attributes() -> Vec<Value> {
    let okta = [
        "email",
        "firstName",
        "lastName",
        "department",
        "title",
        "groups",
    ]
    .map(|attr| (attr, IDP));
    let azure = ["email", "role"].map(|attr| (attr, ADMIN_IDP));
    okta.iter()
        .chain(azure.iter())
        .stamped(|i, (attr, (idp_id, idp_name))| {
            let title = attr.get(..1).unwrap_or("").to_uppercase() + attr.get(1..).unwrap_or("");
            json!({
                "id": id(SAML_BASE, i), "name": format!("{title}_{idp_name}"),
                "samlName": attr, "userAttribute": false, "idpId": idp_id, "idpName": idp_name,
            })
        })
}

pub(crate) fn scim_attributes() -> Vec<Value> {
    [
        "userName",
        "emails.value",
        "name.givenName",
        "name.familyName",
        "displayName",
        "title",
        "department",
        "costCenter",
    ]
    .iter()
    .stamped(|i, name| {
        let enterprise = matches!(*name, "department" | "costCenter");
        json!({
            "id": id(SCIM_ATTRIBUTE_BASE, i), "name": name, "idpId": IDP.0,
            "dataType": "STRING", "multivalued": false, "mutability": "readWrite",
            "required": i == 0, "returned": "default", "uniqueness": i == 0,
            "caseSensitive": false,
            "schemaURI": if enterprise {
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
            } else {
                "urn:ietf:params:scim:schemas:core:2.0:User"
            },
        })
    })
}

/// SCIM groups of the Okta IdP: numbers for ids and times (zscaler-api.md 6.2).
pub(crate) fn scim_groups() -> Vec<Value> {
    let idp: u64 = IDP.0.parse().unwrap_or(0);
    SCIM_GROUP_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "id": SCIM_GROUP_BASE + i as u64, "name": name, "idpId": idp,
                "idpGroupId": null, "modifiedTime": 1_765_237_277_u64, "creationTime": 1_765_237_277_u64,
                "internalId": format!("c547b756-0f3a-4c1e-9d2b-{:012x}", 0xacfe_0000_u64 + i as u64),
            })
        })
        .collect()
}

pub(crate) fn posture_profiles() -> Vec<Value> {
    [
        (
            "CrowdStrike_ZPA_ZTA_40",
            "CROWDSTRIKE_ZTA_SCORE",
            "windows,mac",
        ),
        ("Domain Joined", "DOMAIN_JOINED_CHECK", "windows"),
        ("Disk Encryption", "DISK_ENCRYPTION", "windows,mac"),
        ("Firewall Enabled", "FIREWALL", "windows,mac,linux"),
        (
            "Minimum OS Version",
            "OS_VERSION",
            "windows,mac,ios,android",
        ),
        (
            "Client Certificate",
            "CERT_TRUSTED_BY_ZSCALER",
            "windows,mac,linux",
        ),
    ]
    .iter()
    .stamped(|i, (name, kind, platform)| {
        json!({
            "id": id(POSTURE_BASE, i), "name": name, "postureType": kind,
            "postureUdid": format!("4b2e7f1a-9c3d-4e5f-8a6b-{:012x}", 0xbeef_0000_u64 + i as u64),
            "platform": platform, "domain": "acme.com", "zscalerCloud": "zscaler",
            "zscalerCustomerId": "216196257331281920", "applyToMachineTunnelEnabled": i == 1,
            "crlCheckEnabled": false, "nonExportablePrivateKey": i == 5,
            "masterCustomerId": "216196257331281920",
        })
    })
}

pub(crate) fn trusted_networks() -> Vec<Value> {
    [
        "Acme HQ Network",
        "Ashburn DC Network",
        "London Office",
        "Bangalore Office",
        "Home VPN Exit",
    ]
    .iter()
    .stamped(|i, name| {
        json!({
            "id": id(NETWORK_BASE, i), "name": name,
            "networkId": format!("9f1c2d3e-5a6b-4c7d-8e9f-{:012x}", 0xca7e_0000_u64 + i as u64),
            "zscalerCloud": "zscaler", "masterCustomerId": "216196257331281920",
            "domain": "acme.com",
        })
    })
}
