//! ZIA seed data: URL categories, URL filtering and firewall rules, locations and their
//! groups, rule labels and the user directory here; the other policy families, firewall
//! objects, traffic forwarding and security settings in the submodules.

mod network;
mod policy;
mod security;
mod traffic;

use std::collections::HashMap;

use serde_json::{Value, json};

use super::people::{self, HEADCOUNT};
use super::{SEED_EPOCH, merge};
use crate::products::zia::resources::RESOURCES;
use crate::products::zia::{CUSTOM_TAGS, Collection, SHADOW_IT_APPS, ZiaTenant};

pub(crate) use policy::{app_rule_actions, rule_defaults};
pub(crate) use security::{cloud_app_catalog, file_type_categories, sandbox_quota, sandbox_report};
pub(crate) use traffic::{
    cities, city_for_ip, gre_tunnel_defaults, nearest_city, static_ip_defaults,
};

const ADMIN: (i64, &str) = (117_810_311, "admin@acme.com");

fn admin() -> Value {
    json!({"id": ADMIN.0, "name": ADMIN.1})
}

/// The seeded ZIA tenant, nothing pending.
pub(crate) fn tenant() -> ZiaTenant {
    let mut collections: HashMap<&'static str, Collection> = RESOURCES
        .iter()
        .map(|resource| (resource.path, collection(records(resource.path))))
        .collect();
    collections.insert(SHADOW_IT_APPS, collection(security::shadow_it_apps()));
    collections.insert(CUSTOM_TAGS, collection(security::custom_tags()));
    ZiaTenant {
        pending: false,
        url_categories: url_categories(),
        collections,
        settings: security::settings(),
        users: (0..HEADCOUNT).map(user).collect(),
        groups: security::groups(),
        departments: security::departments(),
        location_groups: location_groups(),
    }
}

/// The seeded records of a generic resource, by its path.
fn records(path: &str) -> Vec<Value> {
    match path {
        "urlFilteringRules" => url_filtering_rules(),
        "firewallFilteringRules" => firewall_rules(),
        "firewallDnsRules" => policy::dns_rules(),
        "firewallIpsRules" => policy::ips_rules(),
        "sslInspectionRules" => policy::ssl_rules(),
        "webDlpRules" => policy::web_dlp_rules(),
        "fileTypeRules" => policy::file_type_rules(),
        "sandboxRules" => policy::sandbox_rules(),
        "webApplicationRules" => policy::app_control_rules(),
        "ipsSignatureRules" => policy::ips_signature_rules(),
        "ipSourceGroups" => network::ip_source_groups(),
        "ipDestinationGroups" => network::ip_destination_groups(),
        "networkServices" => network::network_services(),
        "networkServiceGroups" => network::network_service_groups(),
        "networkApplicationGroups" => network::network_application_groups(),
        "networkApplications" => network::network_applications(),
        "locations" => locations(),
        "staticIP" => traffic::static_ips(),
        "vpnCredentials" => traffic::vpn_credentials(),
        "greTunnels" => traffic::gre_tunnels(),
        "ruleLabels" => rule_labels(),
        "timeIntervals" => security::time_intervals(),
        "workloadGroups" => security::workload_groups(),
        "dlpDictionaries" => security::dlp_dictionaries(),
        "dlpEngines" => security::dlp_engines(),
        "deviceGroups" => security::device_groups(),
        "deviceGroups/devices" => security::devices(),
        _ => Vec::new(),
    }
}

/// Fields ZIA fills in on a record of a resource without specific defaults: none.
pub(crate) fn empty_record() -> Value {
    json!({})
}

fn collection(items: Vec<Value>) -> Collection {
    let next_id = items
        .iter()
        .filter_map(|i| i.get("id").and_then(Value::as_i64))
        .max()
        .unwrap_or(1_000_000)
        + 1;
    Collection { items, next_id }
}

/// Predefined categories: (id, super category, sample database-categorized URLs).
const PREDEFINED: &[(&str, &str, &[&str])] = &[
    (
        "WEB_SEARCH",
        "INTERNET_COMMUNICATION",
        &["google.com", "bing.com", "duckduckgo.com"],
    ),
    (
        "SOCIAL_NETWORKING",
        "SOCIAL_AND_FAMILY",
        &["facebook.com", "linkedin.com", "x.com"],
    ),
    (
        "STREAMING_MEDIA",
        "ENTERTAINMENT_AND_RECREATION",
        &["youtube.com", "netflix.com", "twitch.tv"],
    ),
    (
        "WEB_BANKING",
        "BUSINESS_AND_ECONOMY",
        &["chase.com", "wellsfargo.com"],
    ),
    (
        "CORPORATE_MARKETING",
        "BUSINESS_AND_ECONOMY",
        &["salesforce.com", "hubspot.com"],
    ),
    (
        "PROFESSIONAL_SERVICES",
        "BUSINESS_AND_ECONOMY",
        &["workday.com", "servicenow.com", "atlassian.net"],
    ),
    (
        "OTHER_INFORMATION_TECHNOLOGY",
        "INFORMATION_TECHNOLOGY",
        &["github.com", "stackoverflow.com", "zscaler.com"],
    ),
    (
        "WEB_MAIL",
        "INTERNET_COMMUNICATION",
        &["mail.google.com", "outlook.live.com"],
    ),
    (
        "ONLINE_CHAT",
        "INTERNET_COMMUNICATION",
        &["slack.com", "teams.microsoft.com", "discord.com"],
    ),
    ("GAMBLING", "GAMBLING", &["pokerstars.com", "bet365.com"]),
    ("OTHER_ADULT_MATERIAL", "ADULT_MATERIAL", &[]),
    (
        "NEWS_AND_MEDIA",
        "NEWS_AND_MEDIA",
        &["nytimes.com", "bbc.co.uk", "reuters.com"],
    ),
    (
        "FILE_HOST",
        "INTERNET_COMMUNICATION",
        &["dropbox.com", "box.com", "wetransfer.com"],
    ),
    (
        "MALWARE_SITE",
        "SECURITY",
        &["malware.testing.google.test", "evil-updates.example"],
    ),
    (
        "PHISHING",
        "SECURITY",
        &["login-acme-support.example", "secure-paypa1.example"],
    ),
    (
        "ANONYMIZER",
        "SECURITY",
        &["hidemyass.com", "torproject.org"],
    ),
    (
        "AI_ML_APPS",
        "INFORMATION_TECHNOLOGY",
        &["chat.openai.com", "claude.ai", "gemini.google.com"],
    ),
];

fn url_categories() -> Vec<Value> {
    let mut categories: Vec<Value> = PREDEFINED
        .iter()
        .enumerate()
        .map(|(i, (id, sup, urls))| {
            json!({
                "id": id, "superCategory": sup, "keywords": [], "keywordsRetainingParentCategory": [],
                "urls": [], "dbCategorizedUrls": urls, "ipRanges": [], "ipRangesRetainingParentCategory": [],
                "customCategory": false, "editable": true, "type": "URL_CATEGORY", "val": i + 1,
                "customUrlsCount": 0, "urlsRetainingParentCategoryCount": 0, "customIpRangesCount": 0,
                "ipRangesRetainingParentCategoryCount": 0, "categoryGroup": "REGULAR", "urlType": "EXACT",
            })
        })
        .collect();
    let custom: [(&str, &str, &[&str], &[&str]); 3] = [
        (
            "Acme Approved SaaS",
            "Sanctioned SaaS applications for all employees",
            &[
                ".acme.com",
                "jira.acme.com",
                "confluence.acme.com",
                ".atlassian.net",
            ],
            &[],
        ),
        (
            "Blocked Gambling Sites",
            "Sites blocked by Acme acceptable-use policy",
            &["pokerstars.com", "bet365.com", ".casino.example"],
            &["casino", "poker"],
        ),
        (
            "Engineering Allow List",
            "Developer tooling that bypasses SSL inspection",
            &[
                "github.com",
                ".githubusercontent.com",
                "crates.io",
                "pypi.org",
            ],
            &[],
        ),
    ];
    for (i, (name, description, urls, keywords)) in custom.iter().enumerate() {
        let n = i + 1;
        categories.push(json!({
            "id": format!("CUSTOM_{n:02}"), "configuredName": name, "description": description,
            "superCategory": "USER_DEFINED", "keywords": keywords, "keywordsRetainingParentCategory": [],
            "urls": urls, "dbCategorizedUrls": [], "ipRanges": [], "ipRangesRetainingParentCategory": [],
            "customCategory": true, "editable": true, "type": "URL_CATEGORY", "val": 128 + n,
            "customUrlsCount": urls.len(), "urlsRetainingParentCategoryCount": 0, "customIpRangesCount": 0,
            "ipRangesRetainingParentCategoryCount": 0, "categoryGroup": "REGULAR", "urlType": "EXACT",
        }));
    }
    categories
}

fn url_filtering_rules() -> Vec<Value> {
    let rules: [(&str, &str, &[&str]); 8] = [
        ("Block Adult Content", "BLOCK", &["OTHER_ADULT_MATERIAL"]),
        ("Block Gambling", "BLOCK", &["GAMBLING", "CUSTOM_02"]),
        (
            "Block Security Risks",
            "BLOCK",
            &["MALWARE_SITE", "PHISHING", "ANONYMIZER"],
        ),
        ("Caution Streaming Media", "CAUTION", &["STREAMING_MEDIA"]),
        ("Isolate AI Apps", "ISOLATE", &["AI_ML_APPS"]),
        ("Allow Acme SaaS", "ALLOW", &["CUSTOM_01"]),
        (
            "Allow Engineering Tools",
            "ALLOW",
            &["CUSTOM_03", "OTHER_INFORMATION_TECHNOLOGY"],
        ),
        (
            "Caution Social Networking",
            "CAUTION",
            &["SOCIAL_NETWORKING"],
        ),
    ];
    rules
        .iter()
        .enumerate()
        .map(|(i, (name, action, categories))| {
            let mut rule = url_rule_defaults();
            merge(&mut rule, json!({
                "id": 1_690_940 + i, "name": name, "description": format!("{name} (Acme baseline policy)"),
                "order": i + 1, "action": action, "urlCategories": categories,
                "lastModifiedTime": SEED_EPOCH,
            }));
            rule
        })
        .collect()
}

/// Fields ZIA fills in on a URL filtering rule the client did not send.
pub(crate) fn url_rule_defaults() -> Value {
    json!({
        "accessControl": "READ_WRITE", "rank": 7, "state": "ENABLED",
        "protocols": ["HTTPS_RULE", "HTTP_RULE"], "urlCategories": [],
        "requestMethods": ["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT", "OTHER"],
        "userAgentTypes": ["OPERA", "FIREFOX", "MSIE", "MSEDGE", "CHROME", "SAFARI", "OTHER", "MSCHREDGE"],
        "deviceTrustLevels": ["UNKNOWN_DEVICETRUSTLEVEL", "LOW_TRUST", "MEDIUM_TRUST", "HIGH_TRUST"],
        "userRiskScoreLevels": ["LOW", "MEDIUM", "HIGH", "CRITICAL"],
        "blockOverride": false, "enforceTimeValidity": false, "excludeSrcCountries": false,
        "capturePCAP": false, "cbiProfileId": 0, "browserEunTemplateId": 0, "sourceIpGroups": [],
        "httpHeaderProfiles": [], "httpHeaderActionProfiles": [], "usersAndGroupsSet": false,
        "groupsAndDepartmentsSet": false, "predefined": false, "lastModifiedBy": admin(),
    })
}

fn firewall_rules() -> Vec<Value> {
    let rules: [(&str, &str, &[&str], &[&str]); 8] = [
        (
            "Allow AWS",
            "ALLOW",
            &["3.217.228.0-3.217.231.255"],
            &["COUNTRY_US"],
        ),
        ("Allow Office 365", "ALLOW", &[], &[]),
        (
            "Block Sanctioned Countries",
            "BLOCK_DROP",
            &[],
            &["COUNTRY_KP", "COUNTRY_IR", "COUNTRY_SY"],
        ),
        (
            "Allow DNS to Acme Resolvers",
            "ALLOW",
            &["10.10.0.53", "10.20.0.53"],
            &[],
        ),
        ("Block Outbound SMB", "BLOCK_RESET", &[], &[]),
        ("Allow Branch to Datacenter", "ALLOW", &["10.0.0.0/8"], &[]),
        ("Block ICMP from Guest Wifi", "BLOCK_ICMP", &[], &[]),
        ("Evaluate Network Apps", "EVAL_NWAPP", &[], &[]),
    ];
    let mut out: Vec<Value> = rules
        .iter()
        .enumerate()
        .map(|(i, (name, action, dest, countries))| {
            let mut rule = firewall_rule_defaults();
            merge(&mut rule, json!({
                "id": 1_690_931 + i, "name": name, "description": format!("{name} (Acme baseline policy)"),
                "order": i + 1, "action": action, "destAddresses": dest, "destCountries": countries,
                "srcIps": if i == 5 { json!(["192.168.100.0/24"]) } else { json!([]) },
                "lastModifiedTime": SEED_EPOCH,
            }));
            rule
        })
        .collect();
    let mut default_rule = firewall_rule_defaults();
    merge(
        &mut default_rule,
        json!({
            "id": 1_690_930, "name": "Default Firewall Filtering Rule", "order": -1, "action": "BLOCK_DROP",
            "defaultRule": true, "predefined": true, "lastModifiedTime": SEED_EPOCH,
        }),
    );
    out.push(default_rule);
    out
}

/// Fields ZIA fills in on a firewall rule the client did not send.
pub(crate) fn firewall_rule_defaults() -> Value {
    json!({
        "accessControl": "READ_WRITE", "rank": 7, "state": "ENABLED", "enableFullLogging": false,
        "capturePCAP": false, "srcIps": [], "destAddresses": [], "destIpCategories": [],
        "destCountries": [], "sourceCountries": [], "excludeSrcCountries": false,
        "excludeContextShieldEndPoint": false,
        "deviceTrustLevels": ["UNKNOWN_DEVICETRUSTLEVEL", "LOW_TRUST", "MEDIUM_TRUST", "HIGH_TRUST"],
        "endPointApplications": [], "endPointApplicationGroups": [], "isEunEnabled": false,
        "eunTemplateId": 0, "defaultRule": false, "predefined": false, "lastModifiedBy": admin(),
    })
}

/// Offices: (name, country, state, time zone, public IP, profile).
const OFFICES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "San Jose HQ",
        "UNITED_STATES",
        "CA",
        "UNITED_STATES_AMERICA_LOS_ANGELES",
        "198.51.100.10",
        "CORPORATE",
    ),
    (
        "New York Office",
        "UNITED_STATES",
        "NY",
        "UNITED_STATES_AMERICA_NEW_YORK",
        "198.51.100.20",
        "CORPORATE",
    ),
    (
        "Ashburn Datacenter",
        "UNITED_STATES",
        "VA",
        "UNITED_STATES_AMERICA_NEW_YORK",
        "198.51.100.30",
        "SERVER",
    ),
    (
        "Toronto Office",
        "CANADA",
        "ON",
        "CANADA_AMERICA_TORONTO",
        "203.0.113.40",
        "CORPORATE",
    ),
    (
        "London Office",
        "UNITED_KINGDOM",
        "",
        "UNITED_KINGDOM_EUROPE_LONDON",
        "203.0.113.50",
        "CORPORATE",
    ),
    (
        "Frankfurt Datacenter",
        "GERMANY",
        "HE",
        "GERMANY_EUROPE_BERLIN",
        "203.0.113.60",
        "SERVER",
    ),
    (
        "Bangalore Development Center",
        "INDIA",
        "KA",
        "INDIA_ASIA_KOLKATA",
        "192.0.2.70",
        "CORPORATE",
    ),
    (
        "Tokyo Office",
        "JAPAN",
        "",
        "JAPAN_ASIA_TOKYO",
        "192.0.2.80",
        "CORPORATE",
    ),
    (
        "Sydney Office",
        "AUSTRALIA",
        "NSW",
        "AUSTRALIA_AUSTRALIA_SYDNEY",
        "192.0.2.90",
        "CORPORATE",
    ),
    (
        "Sao Paulo Office",
        "BRAZIL",
        "SP",
        "BRAZIL_AMERICA_SAO_PAULO",
        "192.0.2.100",
        "CORPORATE",
    ),
    (
        "Singapore Office",
        "SINGAPORE",
        "",
        "SINGAPORE_ASIA_SINGAPORE",
        "192.0.2.110",
        "CORPORATE",
    ),
    (
        "San Jose Guest Wifi",
        "UNITED_STATES",
        "CA",
        "UNITED_STATES_AMERICA_LOS_ANGELES",
        "198.51.100.11",
        "GUESTWIFI",
    ),
];

/// Location ids, so groups can reference them.
fn location_id(i: usize) -> usize {
    149_873_535 + i
}

fn locations() -> Vec<Value> {
    OFFICES
        .iter()
        .enumerate()
        .map(|(i, (name, country, state, tz, ip, profile))| {
            let mut location = location_defaults();
            merge(&mut location, json!({
                "id": location_id(i), "name": name, "description": format!("{name}, Acme Corp"),
                "country": country, "state": state, "tz": tz, "ipAddresses": [ip],
                "vpnCredentials": [{"id": 29_339_942 + i, "type": "IP", "ipAddress": ip, "comments": name}],
                "profile": profile, "ofwEnabled": true, "sslScanEnabled": *profile == "CORPORATE",
                "authRequired": *profile == "CORPORATE", "upBandwidth": 100_000, "dnBandwidth": 500_000,
                "dynamiclocationGroups": [dynamic_group_ref(profile)],
            }));
            location
        })
        .collect()
}

fn dynamic_group_ref(profile: &str) -> Value {
    match profile {
        "SERVER" => json!({"id": 24_326_829, "name": "Server Traffic Group"}),
        "GUESTWIFI" => json!({"id": 24_326_830, "name": "Guest Wifi Group"}),
        _ => json!({"id": 24_326_828, "name": "Corporate User Traffic Group"}),
    }
}

/// Fields ZIA fills in on a location the client did not send.
pub(crate) fn location_defaults() -> Value {
    json!({
        "description": "", "nonEditable": false, "parentId": 0, "upBandwidth": 0, "dnBandwidth": 0,
        "country": "NONE", "state": "", "language": "NONE", "tz": "GMT", "geoOverride": false,
        "latitude": 0.0, "longitude": 0.0, "ipAddresses": [], "vpnCredentials": [],
        "authRequired": false, "sslScanEnabled": false, "zappSslScanEnabled": false,
        "xffForwardEnabled": false, "surrogateIP": false, "idleTimeInMinutes": 0,
        "surrogateIPEnforcedForKnownBrowsers": false, "surrogateRefreshTimeInMinutes": 0,
        "kerberosAuth": false, "digestAuthEnabled": false, "ofwEnabled": false, "ipsControl": false,
        "aupEnabled": false, "cautionEnabled": false, "aupTimeoutInDays": 0,
        "iotDiscoveryEnabled": false, "childCount": 0, "matchInChild": false,
        "otherSubLocation": false, "ecLocation": false, "staticLocationGroups": [],
        "dynamiclocationGroups": [], "excludeFromDynamicGroups": false,
        "excludeFromManualGroups": false, "extranet": {"id": 0}, "profile": "CORPORATE",
    })
}

fn location_groups() -> Vec<Value> {
    let members = |profile: &str| -> Vec<Value> {
        OFFICES
            .iter()
            .enumerate()
            .filter(|(_, o)| o.5 == profile)
            .map(|(i, o)| json!({"id": location_id(i), "name": o.0}))
            .collect()
    };
    let dynamic = |id: u64, name: &str, profile: &str| {
        let locations = members(profile);
        json!({
            "id": id, "name": name, "groupType": "DYNAMIC_GROUP",
            "dynamicLocationGroupCriteria": {"profiles": [profile]}, "locations": locations,
            "locationsCount": locations.len(), "comments": format!("All {} locations", profile.to_lowercase()),
            "lastModTime": SEED_EPOCH, "predefined": true,
        })
    };
    let americas: Vec<Value> = [0, 1, 2, 3, 9]
        .iter()
        .filter_map(|i| {
            OFFICES
                .get(*i)
                .map(|o| json!({"id": location_id(*i), "name": o.0}))
        })
        .collect();
    vec![
        dynamic(24_326_828, "Corporate User Traffic Group", "CORPORATE"),
        dynamic(24_326_829, "Server Traffic Group", "SERVER"),
        dynamic(24_326_830, "Guest Wifi Group", "GUESTWIFI"),
        json!({
            "id": 66_754_715, "name": "Americas Offices", "groupType": "STATIC_GROUP",
            "locations": americas, "locationsCount": americas.len(),
            "comments": "Offices in North and South America", "lastModTime": SEED_EPOCH,
            "predefined": false,
        }),
    ]
}

fn rule_labels() -> Vec<Value> {
    [
        ("Baseline", "Acme baseline security policy"),
        ("Compliance-PCI", "Rules required for PCI DSS scope"),
        ("Compliance-SOX", "Rules required for SOX controls"),
        ("Temporary", "Temporary exceptions, review monthly"),
        ("Engineering", "Requested by the engineering team"),
        ("Incident-Response", "Added during incident response"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, description))| {
        json!({
            "id": 3_318_280 + i, "name": name, "description": description,
            "lastModifiedTime": SEED_EPOCH, "lastModifiedBy": admin(), "createdBy": admin(),
            "referencedRuleCount": 0,
        })
    })
    .collect()
}

/// Fields ZIA fills in on a rule label the client did not send.
pub(crate) fn rule_label_defaults() -> Value {
    json!({"description": "", "referencedRuleCount": 0, "createdBy": admin(), "lastModifiedBy": admin()})
}

fn user(index: usize) -> Value {
    let p = people::person(index);
    json!({
        "id": 165_215_336 + p.index,
        "name": p.name,
        "email": p.email,
        "groups": p.groups.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
        "department": {"id": p.department.0, "name": p.department.1},
        "comments": "",
        "adminUser": index == 0,
        "isNonEditable": false,
        "pwdLastModifiedTime": 0,
        "deleted": false,
        "pilotUser": index.is_multiple_of(17),
    })
}

/// The administrator every write is attributed to.
pub(crate) fn last_modified_by() -> Value {
    admin()
}
