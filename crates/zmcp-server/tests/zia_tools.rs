//! Every ZIA tool, called through MCP against the simulator: reads assert on the seeded
//! tenant, writes are read back through the matching get/list tool, deletes go through the
//! confirmation flow, updates keep the fields they were not given.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::{Value, json};

type Client = RunningService<RoleClient, rmcp::model::ClientConfig>;

async fn session() -> (zscaler_sim::SimHandle, Client) {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    (sim, client)
}

fn names(value: &Value, key: &str) -> Vec<String> {
    list_rows(value)
        .iter()
        .map(|r| r[key].as_str().unwrap_or_default().to_string())
        .collect()
}

fn api_calls(sim: &zscaler_sim::SimHandle, method: &str, path_part: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == method && r.path.contains(path_part))
        .count()
}

// ------------------------------------------------------------------------- rule families

/// One policy rule family: its tool noun, extra arguments every call needs (the cloud app
/// control `rule_type`), an action to create with, and a seeded rule.
struct Family {
    noun: &'static str,
    scope: fn() -> Value,
    action: fn() -> Value,
    seeded: &'static str,
}

fn none() -> Value {
    json!({})
}

fn with_scope(scope: fn() -> Value, more: Value) -> Value {
    let mut args = scope();
    for (k, v) in more.as_object().unwrap() {
        args[k] = v.clone();
    }
    args
}

const FAMILIES: [Family; 9] = [
    Family {
        noun: "cloud_firewall_rule",
        scope: none,
        action: || json!("ALLOW"),
        seeded: "Allow AWS",
    },
    Family {
        noun: "cloud_firewall_dns_rule",
        scope: none,
        action: || json!("BLOCK"),
        seeded: "Block DNS Tunnels",
    },
    Family {
        noun: "cloud_firewall_ips_rule",
        scope: none,
        action: || json!("BLOCK_DROP"),
        seeded: "Block Critical Threats",
    },
    Family {
        noun: "url_filtering_rule",
        scope: none,
        action: || json!("BLOCK"),
        seeded: "Block Gambling",
    },
    Family {
        noun: "ssl_inspection_rule",
        scope: none,
        action: || json!({"type": "DO_NOT_DECRYPT"}),
        seeded: "Do Not Inspect Banking",
    },
    Family {
        noun: "web_dlp_rule",
        scope: none,
        action: || json!("BLOCK"),
        seeded: "Block Credit Card Uploads",
    },
    Family {
        noun: "file_type_control_rule",
        scope: none,
        action: || json!("BLOCK"),
        seeded: "Block Archive Uploads",
    },
    Family {
        noun: "sandbox_rule",
        scope: none,
        action: || json!("BLOCK"),
        seeded: "Quarantine Unknown Executables",
    },
    Family {
        noun: "cloud_app_control_rule",
        scope: || json!({"rule_type": "STREAMING_MEDIA"}),
        action: || json!(["BLOCK_STREAMING_UPLOAD"]),
        seeded: "Block Streaming Uploads",
    },
];

#[tokio::test]
async fn every_rule_family_lists_gets_creates_updates_and_deletes() {
    let (sim, client) = session().await;
    for family in &FAMILIES {
        let noun = family.noun;
        let listed = ok_json(&client, &format!("zia_list_{noun}s"), (family.scope)()).await;
        let seeded = row_with(&listed, "name", family.seeded);
        let seeded_id = seeded["id"].as_i64().unwrap();
        let got = ok_json(
            &client,
            &format!("zia_get_{noun}"),
            with_scope(family.scope, json!({"rule_id": seeded_id})),
        )
        .await;
        assert_eq!(got["name"], family.seeded, "{noun}");

        let created = ok_json(
            &client,
            &format!("zia_create_{noun}"),
            with_scope(
                family.scope,
                json!({"name": format!("MCP {noun}"), "action": (family.action)(),
                       "advanced": {"labels": "[{\"id\": 3318280}]"}}),
            ),
        )
        .await;
        assert_eq!(
            (
                created["order"].clone(),
                created["rank"].clone(),
                created["state"].clone()
            ),
            (json!(1), json!(7), json!("ENABLED")),
            "{noun} defaults: {created}"
        );
        assert_eq!(
            created["labels"],
            json!([{"id": 3_318_280}]),
            "{noun}: advanced merged"
        );
        let id = created["id"].as_i64().unwrap();
        let rule = with_scope(family.scope, json!({"rule_id": id}));

        let updated = ok_json(
            &client,
            &format!("zia_update_{noun}"),
            with_scope(
                family.scope,
                json!({"rule_id": id, "description": "changed", "enabled": false}),
            ),
        )
        .await;
        assert_eq!(updated["description"], "changed", "{noun}");
        let read = ok_json(&client, &format!("zia_get_{noun}"), rule.clone()).await;
        assert_eq!(read["state"], "DISABLED", "{noun}");
        assert_eq!(
            read["name"],
            format!("MCP {noun}"),
            "{noun}: update kept the name"
        );
        assert_eq!(
            read["labels"],
            json!([{"id": 3_318_280}]),
            "{noun}: update kept labels"
        );

        delete_and_verify_gone(
            &client,
            &format!("zia_delete_{noun}"),
            &format!("zia_get_{noun}"),
            rule,
        )
        .await;
    }
    assert!(sim.zia_pending().await, "rule writes are staged");

    // Another rule type does not see streaming rules.
    let webmail = ok_json(
        &client,
        "zia_list_cloud_app_control_rules",
        json!({"rule_type": "WEBMAIL"}),
    )
    .await;
    assert_eq!(
        names(&webmail, "name"),
        ["Block Personal Webmail Attachments"]
    );
    // The default rule is Zscaler's: deleting it is refused by the API.
    let rules = ok_json(
        &client,
        "zia_list_cloud_firewall_rules",
        json!({"search": "Default"}),
    )
    .await;
    let default_id = row_with(&rules, "name", "Default Firewall Filtering Rule")["id"].clone();
    let refused = delete_confirmed(
        &client,
        "zia_delete_cloud_firewall_rule",
        json!({"rule_id": default_id}),
    )
    .await;
    assert!(
        is_error(&refused) && text(&refused).contains("403"),
        "{}",
        text(&refused)
    );
}

#[tokio::test]
async fn staging_is_reported_until_activation() {
    let (sim, client) = session().await;
    assert_eq!(
        ok_json(&client, "zia_get_activation_status", json!({})).await["status"],
        "ACTIVE"
    );
    let created = call(&client, "zia_create_rule_label", json!({"name": "Staged"})).await;
    assert!(
        text(&created).contains("call zia_activate_configuration"),
        "{}",
        text(&created)
    );
    assert_eq!(
        ok_json(&client, "zia_get_activation_status", json!({})).await["status"],
        "PENDING"
    );
    assert_eq!(
        ok_json(&client, "zia_activate_configuration", json!({})).await["status"],
        "ACTIVE"
    );
    assert!(!sim.zia_pending().await);
}

#[tokio::test]
async fn rule_family_extras_dlp_lite_file_types_sandbox_and_app_catalogs() {
    let (_sim, client) = session().await;
    let lite = ok_json(
        &client,
        "zia_list_web_dlp_rules_lite",
        json!({"search": "SSN"}),
    )
    .await;
    assert_eq!(
        lite,
        json!([{"id": 1_700_403, "name": "Block SSN Exfiltration"}])
    );

    let types = ok_json(
        &client,
        "zia_list_file_type_categories",
        json!({"enums": ["FTCATEGORY_ZIP"]}),
    )
    .await;
    assert_eq!(names(&types, "name"), ["FTCATEGORY_ZIP"]);
    let builtin = ok_json(
        &client,
        "zia_list_file_type_categories",
        json!({"exclude_custom_file_types": true}),
    )
    .await;
    assert!(!names(&builtin, "name").contains(&"ACME_CAD_DRAWINGS".to_string()));

    let hashes = ok_json(&client, "zia_get_sandbox_behavioral_analysis", json!({})).await;
    assert_eq!(hashes["fileHashesToBeBlocked"].as_array().unwrap().len(), 3);
    let count = ok_json(&client, "zia_get_sandbox_file_hash_count", json!({})).await;
    assert_eq!(
        count,
        json!({"blockedFileHashesCount": 3, "remainingFileHashes": 9997})
    );
    let quota = ok_json(&client, "zia_get_sandbox_quota", json!({})).await;
    assert_eq!(quota[0]["allowed"], 1000);

    let report = call(
        &client,
        "zia_get_sandbox_report",
        json!({"md5_hash": "f2f8b7a04a1b0a3f9c2d1e0f9a8b7c6d", "report_details": "full"}),
    )
    .await;
    let report_text = text(&report);
    assert!(
        report_text.starts_with("[UNTRUSTED CONTENT"),
        "{report_text}"
    );
    let report = json(&report);
    assert_eq!(report["Summary"]["Classification"]["Type"], "SUSPICIOUS");
    assert_eq!(
        report["Networking"][0]["SignatureSources"][0],
        "secure-paypa1.example"
    );
    let summary = ok_json(
        &client,
        "zia_get_sandbox_report",
        json!({"md5_hash": "42914d6d213a20a2684064be5c80ffa9"}),
    )
    .await;
    assert!(
        summary.get("Networking").is_none(),
        "summary by default: {summary}"
    );

    let actions = ok_json(
        &client,
        "zia_list_cloud_app_control_actions",
        json!({"rule_type": "STREAMING_MEDIA", "cloud_apps": ["YOUTUBE"]}),
    )
    .await;
    assert!(
        list_rows(&actions).contains(&json!("BLOCK_STREAMING_UPLOAD")),
        "{actions}"
    );

    let file_share = ok_json(
        &client,
        "zia_list_cloud_app_policy",
        json!({"app_class": "FILE_SHARE"}),
    )
    .await;
    assert!(names(&file_share, "appName").contains(&"Dropbox".to_string()));
    assert!(
        list_rows(&file_share)
            .iter()
            .all(|a| a["parent"] == "FILE_SHARE")
    );
    let ssl = ok_json(
        &client,
        "zia_list_cloud_app_ssl_policy",
        json!({"search": "gmail"}),
    )
    .await;
    assert_eq!(names(&ssl, "app"), ["GMAIL"]);
}

// ------------------------------------------------------------------------- firewall objects

#[tokio::test]
async fn ip_groups_crud_with_list_arguments_as_text() {
    let (_sim, client) = session().await;
    let sources = ok_json(
        &client,
        "zia_list_ip_source_groups",
        json!({"search": "guest"}),
    )
    .await;
    let guest = row_with(&sources, "name", "Guest Wifi");
    let got = ok_json(
        &client,
        "zia_get_ip_source_group",
        json!({"group_id": guest["id"]}),
    )
    .await;
    assert_eq!(got["ipAddresses"], json!(["192.168.200.0/24"]));
    let created = ok_json(
        &client,
        "zia_create_ip_source_group",
        json!({"name": "Lab", "ip_addresses": "10.9.0.0/16, 10.8.0.0/16"}),
    )
    .await;
    assert_eq!(
        created["ipAddresses"],
        json!(["10.9.0.0/16", "10.8.0.0/16"])
    );
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_ip_source_group",
        json!({"group_id": id, "name": "Lab", "ip_addresses": ["10.9.0.0/16"]}),
    )
    .await;
    let read = ok_json(&client, "zia_get_ip_source_group", json!({"group_id": id})).await;
    assert_eq!(read["ipAddresses"], json!(["10.9.0.0/16"]));
    delete_and_verify_gone(
        &client,
        "zia_delete_ip_source_group",
        "zia_get_ip_source_group",
        json!({"group_id": id}),
    )
    .await;

    let destinations = ok_json(&client, "zia_list_ip_destination_groups", json!({})).await;
    let countries = row_with(&destinations, "name", "Sanctioned Countries");
    let got = ok_json(
        &client,
        "zia_get_ip_destination_group",
        json!({"group_id": countries["id"]}),
    )
    .await;
    assert_eq!(got["type"], "DSTN_OTHER");
    let created = ok_json(
        &client,
        "zia_create_ip_destination_group",
        json!({"name": "Partner APIs", "type": "DSTN_FQDN", "addresses": ["api.partner.example"]}),
    )
    .await;
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_ip_destination_group",
        json!({"group_id": id, "name": "Partner APIs", "type": "DSTN_FQDN", "addresses": ["api.partner.example", "auth.partner.example"], "description": "two"}),
    )
    .await;
    let read = ok_json(
        &client,
        "zia_get_ip_destination_group",
        json!({"group_id": id}),
    )
    .await;
    assert_eq!(read["addresses"].as_array().unwrap().len(), 2);
    assert_eq!(read["description"], "two");
    delete_and_verify_gone(
        &client,
        "zia_delete_ip_destination_group",
        "zia_get_ip_destination_group",
        json!({"group_id": id}),
    )
    .await;
}

#[tokio::test]
async fn network_services_groups_apps_and_ips_signatures() {
    let (_sim, client) = session().await;
    let udp = ok_json(
        &client,
        "zia_list_network_services",
        json!({"protocol": "UDP"}),
    )
    .await;
    assert!(names(&udp, "name").contains(&"NTP".to_string()));
    assert!(list_rows(&udp).iter().all(|s| s["protocol"] == "UDP"));
    let ssh = ok_json(&client, "zia_list_network_services", json!({"name": "SSH"})).await;
    let ssh = row_with(&ssh, "name", "SSH");
    let got = ok_json(
        &client,
        "zia_get_network_service",
        json!({"service_id": ssh["id"]}),
    )
    .await;
    assert_eq!(got["destTcpPorts"], json!([{"start": 22, "end": 22}]));

    let created = ok_json(
        &client,
        "zia_create_network_service",
        json!({"name": "Acme Portal", "ports": "[[\"dest\", \"tcp\", \"8443\"], [\"dest\", \"udp\", \"9000\", \"9010\"]]"}),
    )
    .await;
    assert_eq!(
        created["destTcpPorts"],
        json!([{"start": 8443, "end": 8443}])
    );
    assert_eq!(
        created["destUdpPorts"],
        json!([{"start": 9000, "end": 9010}])
    );
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_network_service",
        json!({"service_id": id, "name": "Acme Portal", "description": "kept ports"}),
    )
    .await;
    let read = ok_json(
        &client,
        "zia_get_network_service",
        json!({"service_id": id}),
    )
    .await;
    assert_eq!(read["description"], "kept ports");
    assert_eq!(
        read["destUdpPorts"],
        json!([{"start": 9000, "end": 9010}]),
        "update kept the ports"
    );
    let bad = call(
        &client,
        "zia_update_network_service",
        json!({"service_id": id, "name": "x", "ports": [["up", "tcp", "1"]]}),
    )
    .await;
    assert!(is_error(&bad), "{}", text(&bad));

    let group = ok_json(
        &client,
        "zia_create_network_svc_group",
        json!({"name": "Portal", "service_ids": [id, ssh["id"]]}),
    )
    .await;
    assert_eq!(group["services"], json!([{"id": id}, {"id": ssh["id"]}]));
    let group_id = group["id"].clone();
    ok_json(
        &client,
        "zia_update_network_svc_group",
        json!({"group_id": group_id, "name": "Portal", "service_ids": [id]}),
    )
    .await;
    let read = ok_json(
        &client,
        "zia_get_network_svc_group",
        json!({"group_id": group_id}),
    )
    .await;
    assert_eq!(read["services"], json!([{"id": id}]));
    let groups = ok_json(
        &client,
        "zia_list_network_svc_groups",
        json!({"search": "portal"}),
    )
    .await;
    assert_eq!(names(&groups, "name"), ["Portal"]);
    delete_and_verify_gone(
        &client,
        "zia_delete_network_svc_group",
        "zia_get_network_svc_group",
        json!({"group_id": group_id}),
    )
    .await;
    delete_and_verify_gone(
        &client,
        "zia_delete_network_service",
        "zia_get_network_service",
        json!({"service_id": id}),
    )
    .await;

    let apps = ok_json(
        &client,
        "zia_list_network_apps",
        json!({"search": "teams", "locale": "en-US"}),
    )
    .await;
    assert_eq!(names(&apps, "id"), ["MS_TEAMS"]);
    let skype = ok_json(&client, "zia_get_network_app", json!({"app_id": "SKYPE"})).await;
    assert_eq!(skype["parentCategory"], "VOIP");

    let app_groups = ok_json(&client, "zia_list_network_app_groups", json!({})).await;
    assert!(names(&app_groups, "name").contains(&"Evasive Applications".to_string()));
    let created = ok_json(
        &client,
        "zia_create_network_app_group",
        json!({"name": "Voice", "network_applications": "SKYPE,ZOOM"}),
    )
    .await;
    let id = created["id"].clone();
    assert_eq!(created["networkApplications"], json!(["SKYPE", "ZOOM"]));
    ok_json(
        &client,
        "zia_update_network_app_group",
        json!({"group_id": id, "name": "Voice", "network_applications": ["WEBEX"]}),
    )
    .await;
    let read = ok_json(
        &client,
        "zia_get_network_app_group",
        json!({"group_id": id}),
    )
    .await;
    assert_eq!(read["networkApplications"], json!(["WEBEX"]));
    delete_and_verify_gone(
        &client,
        "zia_delete_network_app_group",
        "zia_get_network_app_group",
        json!({"group_id": id}),
    )
    .await;

    let signatures = ok_json(
        &client,
        "zia_list_ips_signature_rules",
        json!({"search": "canary"}),
    )
    .await;
    let canary = row_with(&signatures, "name", "Detect Acme Canary Token");
    let got = ok_json(
        &client,
        "zia_get_ips_signature_rule",
        json!({"rule_id": canary["id"]}),
    )
    .await;
    assert!(got["ruleText"].as_str().unwrap().contains("ACME-CANARY"));
    let rule_text = "alert tcp any any -> any 4444 (msg:\"Meterpreter\"; sid:1000010;)";
    let created = ok_json(
        &client,
        "zia_create_ips_signature_rule",
        json!({"name": "Meterpreter", "rule_text": rule_text}),
    )
    .await;
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_ips_signature_rule",
        json!({"rule_id": id, "description": "reverse shells"}),
    )
    .await;
    let read = ok_json(
        &client,
        "zia_get_ips_signature_rule",
        json!({"rule_id": id}),
    )
    .await;
    assert_eq!(
        (read["ruleText"].as_str(), read["description"].as_str()),
        (Some(rule_text), Some("reverse shells"))
    );
    delete_and_verify_gone(
        &client,
        "zia_delete_ips_signature_rule",
        "zia_get_ips_signature_rule",
        json!({"rule_id": id}),
    )
    .await;
}

// ------------------------------------------------------------------------- URL categories

#[tokio::test]
async fn url_categories_predefined_by_name_custom_crud_and_url_lists() {
    let (sim, client) = session().await;
    let banking = ok_json(
        &client,
        "zia_get_url_category_predefined",
        json!({"name": "web banking"}),
    )
    .await;
    assert_eq!(banking["id"], "WEB_BANKING");
    let updated = ok_json(
        &client,
        "zia_update_url_category_predefined",
        json!({"name": "WEB_BANKING", "keywords": ["online banking"]}),
    )
    .await;
    assert_eq!(updated["keywords"], json!(["online banking"]));
    let read = ok_json(
        &client,
        "zia_get_url_category",
        json!({"category_id": "WEB_BANKING"}),
    )
    .await;
    assert_eq!(read["keywords"], json!(["online banking"]));
    assert_eq!(
        read["dbCategorizedUrls"],
        json!(["chase.com", "wellsfargo.com"]),
        "kept"
    );
    let unknown = call(
        &client,
        "zia_get_url_category_predefined",
        json!({"name": "No Such Thing"}),
    )
    .await;
    assert!(is_error(&unknown), "{}", text(&unknown));

    let created = ok_json(
        &client,
        "zia_create_url_category",
        json!({"configured_name": "MCP Sites", "super_category": "USER_DEFINED", "urls": [".mcp.example"]}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("CUSTOM_"), "{id}");
    ok_json(
        &client,
        "zia_update_url_category",
        json!({"category_id": id, "configured_name": "MCP Sites", "description": "d"}),
    )
    .await;
    ok_json(&client, "zia_add_urls_to_category", json!({"category_id": id, "configured_name": "MCP Sites", "urls": ["a.example", "b.example"]})).await;
    ok_json(
        &client,
        "zia_remove_urls_from_category",
        json!({"category_id": id, "configured_name": "MCP Sites", "urls": ["a.example"]}),
    )
    .await;
    let read = ok_json(&client, "zia_get_url_category", json!({"category_id": id})).await;
    assert_eq!(read["urls"], json!([".mcp.example", "b.example"]));
    assert_eq!(read["description"], "d");
    let listed = ok_json(
        &client,
        "zia_list_url_categories",
        json!({"custom_only": true, "search": "mcp"}),
    )
    .await;
    assert_eq!(names(&listed, "id"), vec![id.clone()]);
    let lookup = ok_json(&client, "zia_url_lookup", json!({"urls": ["chase.com"]})).await;
    assert_eq!(lookup[0]["urlClassifications"], json!(["WEB_BANKING"]));

    delete_and_verify_gone(
        &client,
        "zia_delete_url_category",
        "zia_get_url_category",
        json!({"category_id": id}),
    )
    .await;
    let deletes_before = api_calls(&sim, "DELETE", "/urlCategories/");
    let refused = delete_confirmed(
        &client,
        "zia_delete_url_category",
        json!({"category_id": "WEB_BANKING"}),
    )
    .await;
    assert!(is_error(&refused), "{}", text(&refused));
    assert!(
        text(&refused).contains("WEB_BANKING is a predefined URL category. Predefined categories are Zscaler-curated and cannot be deleted via the API."),
        "{}",
        text(&refused)
    );
    assert_eq!(
        api_calls(&sim, "DELETE", "/urlCategories/"),
        deletes_before,
        "refused before the API"
    );
}

// ------------------------------------------------------------------------- locations

#[tokio::test]
async fn locations_groups_static_ips_and_vpn_credentials() {
    let (_sim, client) = session().await;
    let offices = ok_json(&client, "zia_list_locations", json!({"search": "office"})).await;
    let toronto = row_with(&offices, "name", "Toronto Office");
    let got = ok_json(
        &client,
        "zia_get_location",
        json!({"location_id": toronto["id"]}),
    )
    .await;
    assert_eq!(got["country"], "CANADA");
    let created = ok_json(
        &client,
        "zia_create_location",
        json!({"name": "Austin Office", "country": "UNITED_STATES", "tz": "UNITED_STATES_AMERICA_CHICAGO",
               "ip_addresses": ["198.51.100.90"], "advanced": {"ofw_enabled": true}}),
    )
    .await;
    assert_eq!(created["ofwEnabled"], true);
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_location",
        json!({"location_id": id, "name": "Austin Office", "description": "Texas"}),
    )
    .await;
    let read = ok_json(&client, "zia_get_location", json!({"location_id": id})).await;
    assert_eq!(read["description"], "Texas");
    assert_eq!(
        read["ipAddresses"],
        json!(["198.51.100.90"]),
        "update kept the IPs"
    );
    assert_eq!(read["ofwEnabled"], true);
    delete_and_verify_gone(
        &client,
        "zia_delete_location",
        "zia_get_location",
        json!({"location_id": id}),
    )
    .await;

    let groups = ok_json(
        &client,
        "zia_list_location_groups",
        json!({"name": "Americas Offices"}),
    )
    .await;
    let americas = row_with(&groups, "name", "Americas Offices");
    let group = ok_json(
        &client,
        "zia_get_location_group",
        json!({"group_id": americas["id"]}),
    )
    .await;
    assert_eq!(group["locationsCount"], 5);

    let ips = ok_json(&client, "zia_list_static_ips", json!({"search": "Tokyo"})).await;
    assert_eq!(names(&ips, "ipAddress"), ["192.0.2.80"]);
    let created = ok_json(
        &client,
        "zia_create_static_ip",
        json!({"ip_address": "203.0.113.200", "comment": "Austin"}),
    )
    .await;
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_static_ip",
        json!({"static_ip_id": id, "comment": "Austin office"}),
    )
    .await;
    let read = ok_json(&client, "zia_get_static_ip", json!({"static_ip_id": id})).await;
    assert_eq!(
        (read["ipAddress"].as_str(), read["comment"].as_str()),
        (Some("203.0.113.200"), Some("Austin office"))
    );
    delete_and_verify_gone(
        &client,
        "zia_delete_static_ip",
        "zia_get_static_ip",
        json!({"static_ip_id": id}),
    )
    .await;

    let credentials = ok_json(
        &client,
        "zia_list_vpn_credentials",
        json!({"search": "kiosk"}),
    )
    .await;
    let kiosk = row_with(&credentials, "fqdn", "branch-kiosk-01@acme.com");
    let got = ok_json(
        &client,
        "zia_get_vpn_credential",
        json!({"credential_id": kiosk["id"]}),
    )
    .await;
    assert_eq!(got["type"], "UFQDN");
    let secret = "s3cret-psk-value";
    let created = call(
        &client,
        "zia_create_vpn_credential",
        json!({"credential_type": "UFQDN", "fqdn": "austin@acme.com", "pre_shared_key": secret, "comments": "Austin"}),
    )
    .await;
    assert!(!text(&created).contains(secret), "the PSK never comes back");
    let id = json(&created)["id"].clone();
    ok_json(
        &client,
        "zia_update_vpn_credential",
        json!({"credential_id": id, "comments": "Austin router"}),
    )
    .await;
    let read = ok_json(
        &client,
        "zia_get_vpn_credential",
        json!({"credential_id": id}),
    )
    .await;
    assert_eq!(
        (read["fqdn"].as_str(), read["comments"].as_str()),
        (Some("austin@acme.com"), Some("Austin router"))
    );
    delete_and_verify_gone(
        &client,
        "zia_delete_vpn_credential",
        "zia_get_vpn_credential",
        json!({"credential_id": id}),
    )
    .await;
}

#[tokio::test]
async fn gre_tunnels_provision_the_static_ip_and_a_free_range_and_delete_both() {
    let (sim, client) = session().await;
    let tunnels = ok_json(&client, "zia_list_gre_tunnels", json!({})).await;
    assert_eq!(list_rows(&tunnels).len(), 4);
    let first = ok_json(
        &client,
        "zia_get_gre_tunnel",
        json!({"tunnel_id": tunnels[0]["id"]}),
    )
    .await;
    assert_eq!(first["sourceIp"], "198.51.100.10");
    let ranges = ok_json(&client, "zia_list_gre_ranges", json!({"limit": 2})).await;
    assert_eq!(
        ranges[0]["startIPAddress"], "172.17.0.32",
        "ranges in use are skipped: {ranges}"
    );
    assert_eq!(list_rows(&ranges).len(), 2);

    let created = ok_json(
        &client,
        "zia_create_gre_tunnel",
        json!({"static_ip_address": "198.51.100.77", "comment": "Austin"}),
    )
    .await;
    assert_eq!(created["internalIpRange"], "172.17.0.32");
    assert_eq!(created["sourceIp"], "198.51.100.77");
    assert_eq!(
        api_calls(&sim, "POST", "/staticIP"),
        1,
        "the missing static IP was created"
    );
    let ips = ok_json(&client, "zia_list_static_ips", json!({})).await;
    let static_ip = row_with(&ips, "ipAddress", "198.51.100.77")["id"].clone();
    // An existing static IP is reused; an unnumbered tunnel takes no range.
    let unnumbered = ok_json(
        &client,
        "zia_create_gre_tunnel",
        json!({"static_ip_address": "192.0.2.90", "ip_unnumbered": true}),
    )
    .await;
    assert!(unnumbered.get("internalIpRange").is_none(), "{unnumbered}");
    assert_eq!(api_calls(&sim, "POST", "/staticIP"), 1);

    let tunnel = created["id"].clone();
    let done = delete_confirmed(
        &client,
        "zia_delete_gre_tunnel",
        json!({"tunnel_id": tunnel, "static_ip_id": static_ip}),
    )
    .await;
    assert_eq!(json(&done)["success"], true, "{}", text(&done));
    assert!(is_error(
        &call(&client, "zia_get_gre_tunnel", json!({"tunnel_id": tunnel})).await
    ));
    assert!(is_error(
        &call(
            &client,
            "zia_get_static_ip",
            json!({"static_ip_id": static_ip})
        )
        .await
    ));
}

#[tokio::test]
async fn geo_search_by_coordinates_ip_and_prefix() {
    let (_sim, client) = session().await;
    let near = ok_json(
        &client,
        "zia_geo_search",
        json!({"action": "geo_by_coordinates", "latitude": 49.28, "longitude": -123.12}),
    )
    .await;
    assert_eq!(near["cityName"], "Vancouver");
    let by_ip = ok_json(
        &client,
        "zia_geo_search",
        json!({"action": "geo_by_ip", "ip": "203.0.113.50"}),
    )
    .await;
    assert_eq!(by_ip["cityName"], "London");
    let cities = ok_json(
        &client,
        "zia_geo_search",
        json!({"action": "city_prefix_search", "prefix": "San"}),
    )
    .await;
    assert_eq!(names(&cities, "cityName"), ["San Jose", "San Francisco"]);
    let missing = call(&client, "zia_geo_search", json!({"action": "geo_by_ip"})).await;
    assert!(
        is_error(&missing) && text(&missing).contains("ip"),
        "{}",
        text(&missing)
    );
}

// ------------------------------------------------------------------------- labels, time intervals

#[tokio::test]
async fn rule_labels_and_time_intervals_keep_unnamed_fields_on_update() {
    let (_sim, client) = session().await;
    let labels = ok_json(&client, "zia_list_rule_labels", json!({"search": "pci"})).await;
    let pci = row_with(&labels, "name", "Compliance-PCI");
    assert_eq!(
        ok_json(
            &client,
            "zia_get_rule_label",
            json!({"label_id": pci["id"]})
        )
        .await["name"],
        "Compliance-PCI"
    );
    let created = ok_json(
        &client,
        "zia_create_rule_label",
        json!({"name": "MCP", "description": "first"}),
    )
    .await;
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_rule_label",
        json!({"label_id": id, "description": "second"}),
    )
    .await;
    let read = ok_json(&client, "zia_get_rule_label", json!({"label_id": id})).await;
    assert_eq!(
        (read["name"].as_str(), read["description"].as_str()),
        (Some("MCP"), Some("second"))
    );
    delete_and_verify_gone(
        &client,
        "zia_delete_rule_label",
        "zia_get_rule_label",
        json!({"label_id": id}),
    )
    .await;

    let intervals = ok_json(
        &client,
        "zia_list_time_intervals",
        json!({"search": "business"}),
    )
    .await;
    let business = row_with(&intervals, "name", "Business Hours");
    let got = ok_json(
        &client,
        "zia_get_time_interval",
        json!({"interval_id": business["id"]}),
    )
    .await;
    assert_eq!(
        (got["startTime"].as_i64(), got["endTime"].as_i64()),
        (Some(480), Some(1020))
    );
    let one_page = ok_json(
        &client,
        "zia_list_time_intervals",
        json!({"page": 1, "page_size": 2}),
    )
    .await;
    assert_eq!(list_rows(&one_page).len(), 2);
    let created = ok_json(
        &client,
        "zia_create_time_interval",
        json!({"name": "Night Shift", "start_time": 1320, "end_time": 1439, "days_of_week": "MON,TUE"}),
    )
    .await;
    let id = created["id"].clone();
    ok_json(
        &client,
        "zia_update_time_interval",
        json!({"interval_id": id, "start_time": 1300}),
    )
    .await;
    let read = ok_json(&client, "zia_get_time_interval", json!({"interval_id": id})).await;
    assert_eq!(read["startTime"], 1300);
    assert_eq!(
        read["daysOfWeek"],
        json!(["MON", "TUE"]),
        "update kept the days"
    );
    delete_and_verify_gone(
        &client,
        "zia_delete_time_interval",
        "zia_get_time_interval",
        json!({"interval_id": id}),
    )
    .await;
}

// ------------------------------------------------------------------------- settings

#[tokio::test]
async fn settings_updates_change_only_the_fields_given() {
    let (_sim, client) = session().await;
    // (getter, updater, update arguments, a changed field, an untouched field and its value)
    let cases = [
        (
            "zia_get_advanced_settings",
            "zia_update_advanced_settings",
            json!({"settings": {"ui_session_timeout": 1800}}),
            ("uiSessionTimeout", json!(1800)),
            ("enableOffice365", json!(true)),
        ),
        (
            "zia_get_malware_settings",
            "zia_update_malware_settings",
            json!({"settings": {"virusCapture": false}}),
            ("virusCapture", json!(false)),
            ("trojanBlocked", json!(true)),
        ),
        (
            "zia_get_atp_settings",
            "zia_update_atp_settings",
            json!({"settings": {"risk_tolerance": 30}}),
            ("riskTolerance", json!(30)),
            ("torBlocked", json!(true)),
        ),
        (
            "zia_get_mobile_advanced_settings",
            "zia_update_mobile_advanced_settings",
            json!({"settings": {"block_apps_sending_location_info": true}}),
            ("blockAppsSendingLocationInfo", json!(true)),
            ("blockAppsWithMaliciousActivity", json!(true)),
        ),
        (
            "zia_get_atp_malware_protocols",
            "zia_update_atp_malware_protocols",
            json!({"inspect_http": true, "inspect_ftp_over_http": true, "inspect_ftp": false}),
            ("inspectFtp", json!(false)),
            ("inspectHttp", json!(true)),
        ),
        (
            "zia_get_atp_malware_inspection",
            "zia_update_atp_malware_inspection",
            json!({"inspect_inbound": true, "inspect_outbound": false}),
            ("inspectOutbound", json!(false)),
            ("inspectInbound", json!(true)),
        ),
        (
            "zia_get_atp_malware_policy",
            "zia_update_atp_malware_policy",
            json!({"block_unscannable_files": true, "block_password_protected_archive_files": true}),
            ("blockUnscannableFiles", json!(true)),
            ("blockPasswordProtectedArchiveFiles", json!(true)),
        ),
        (
            "zia_get_atp_security_exceptions",
            "zia_update_atp_security_exceptions",
            json!({"bypass_urls": "a.example,b.example"}),
            ("bypassUrls", json!(["a.example", "b.example"])),
            ("bypassUrls", json!(["a.example", "b.example"])),
        ),
    ];
    for (getter, updater, args, (changed, value), (kept, kept_value)) in cases {
        let before = ok_json(&client, getter, json!({})).await;
        assert_ne!(
            before[changed], value,
            "{getter}: the seed differs from the update"
        );
        ok_json(&client, updater, args).await;
        let after = ok_json(&client, getter, json!({})).await;
        assert_eq!(after[changed], value, "{updater}");
        assert_eq!(after[kept], kept_value, "{updater} kept {kept}");
    }
}

#[tokio::test]
async fn url_lists_add_and_remove_through_confirmation() {
    let (sim, client) = session().await;
    let malicious = ok_json(&client, "zia_list_atp_malicious_urls", json!({})).await;
    assert!(
        malicious["maliciousUrls"]
            .as_array()
            .unwrap()
            .contains(&json!("evil-updates.example"))
    );
    ok_json(
        &client,
        "zia_add_atp_malicious_urls",
        json!({"malicious_urls": ["bad.example"]}),
    )
    .await;
    let prompt = text(
        &call(
            &client,
            "zia_delete_atp_malicious_urls",
            json!({"malicious_urls": ["bad.example"]}),
        )
        .await,
    );
    assert!(prompt.starts_with("DESTRUCTIVE OPERATION"), "{prompt}");
    assert_eq!(
        api_calls(&sim, "PUT", "/maliciousUrls"),
        1,
        "only the add so far"
    );
    let removed = delete_confirmed(
        &client,
        "zia_delete_atp_malicious_urls",
        json!({"malicious_urls": ["bad.example", "evil-updates.example"]}),
    )
    .await;
    assert!(!is_error(&removed), "{}", text(&removed));
    let after = ok_json(
        &client,
        "zia_list_atp_malicious_urls",
        json!({"query": "maliciousUrls"}),
    )
    .await;
    assert_eq!(
        after,
        json!(["login-acme-support.example", "secure-paypa1.example"])
    );

    let exempt = ok_json(&client, "zia_list_auth_exempt_urls", json!({})).await;
    assert_eq!(exempt["urls"].as_array().unwrap().len(), 3);
    ok_json(
        &client,
        "zia_add_auth_exempt_urls",
        json!({"exempt_urls": "sso.partner.example"}),
    )
    .await;
    let removed = delete_confirmed(
        &client,
        "zia_delete_auth_exempt_urls",
        json!({"exempt_urls": [".okta.com"]}),
    )
    .await;
    assert!(!is_error(&removed), "{}", text(&removed));
    let after = ok_json(&client, "zia_list_auth_exempt_urls", json!({})).await;
    assert_eq!(
        after["urls"],
        json!([
            "status.acme.com",
            ".windowsupdate.com",
            "sso.partner.example"
        ])
    );
}

// ------------------------------------------------------------------------- inventories

#[tokio::test]
async fn devices_dlp_users_workloads_and_shadow_it() {
    let (_sim, client) = session().await;
    let groups = ok_json(
        &client,
        "zia_list_device_groups",
        json!({"include_device_info": true}),
    )
    .await;
    assert_eq!(names(&groups, "name"), ["Windows", "Mac", "iOS", "Android"]);
    let devices = ok_json(&client, "zia_list_devices", json!({})).await;
    assert_eq!(list_rows(&devices).len(), 250, "every page is fetched");
    let page = ok_json(
        &client,
        "zia_list_devices",
        json!({"page": 2, "page_size": 10}),
    )
    .await;
    assert_eq!(page[0]["hostName"], "acme-0010");
    let named = ok_json(
        &client,
        "zia_list_devices",
        json!({"name": "acme-mac-0001"}),
    )
    .await;
    assert_eq!(named[0]["ownerName"], "John Smith");
    assert_eq!(list_rows(&named).len(), 1);
    let lite = ok_json(&client, "zia_list_devices_lite", json!({})).await;
    assert_eq!(
        lite[0].as_object().unwrap().len(),
        2,
        "id and name: {}",
        lite[0]
    );

    let dictionaries = ok_json(
        &client,
        "get_zia_dlp_dictionaries",
        json!({"search": "acme"}),
    )
    .await;
    assert_eq!(
        names(&dictionaries, "name"),
        ["Acme Project Code Names", "Acme Customer Ids"]
    );
    let lite = ok_json(
        &client,
        "get_zia_dlp_dictionaries",
        json!({"action": "list_lite"}),
    )
    .await;
    assert_eq!(lite[0], json!({"id": 1, "name": "Credit Cards"}));
    let one = ok_json(
        &client,
        "get_zia_dlp_dictionaries",
        json!({"action": "get", "dict_id": 2}),
    )
    .await;
    assert_eq!(one["name"], "Social Security Numbers");
    let missing = call(
        &client,
        "get_zia_dlp_dictionaries",
        json!({"action": "get"}),
    )
    .await;
    assert!(
        is_error(&missing) && text(&missing).contains("dict_id"),
        "{}",
        text(&missing)
    );
    let engines = ok_json(&client, "get_zia_dlp_engines", json!({})).await;
    assert_eq!(list_rows(&engines).len(), 6);
    let pci = ok_json(
        &client,
        "get_zia_dlp_engines",
        json!({"action": "get", "engine_id": 61}),
    )
    .await;
    assert_eq!(pci["name"], "PCI");

    let users = ok_json(&client, "get_zia_users", json!({"name": "Jane"})).await;
    let jane = row_with(&users, "email", "jane.doe@acme.com");
    assert_eq!(
        ok_json(&client, "get_zia_users", json!({"user_id": jane["id"]})).await["name"],
        "Jane Doe"
    );
    let user_groups = ok_json(
        &client,
        "get_zia_user_groups",
        json!({"sort_by": "name", "sort_order": "desc"}),
    )
    .await;
    assert_eq!(user_groups[0]["name"], "Service Admin");
    let one = ok_json(
        &client,
        "get_zia_user_groups",
        json!({"group_id": 62_718_385}),
    )
    .await;
    assert_eq!(one["name"], "Developers");
    let departments = ok_json(
        &client,
        "get_zia_user_departments",
        json!({"search": "fin", "limit_search": true}),
    )
    .await;
    assert_eq!(names(&departments, "name"), ["Finance"]);
    let read = ok_json(
        &client,
        "get_zia_user_departments",
        json!({"action": "read", "department_id": 68_759_301}),
    )
    .await;
    assert_eq!(read["comments"], "Engineering department");
    let lite = ok_json(
        &client,
        "get_zia_user_departments",
        json!({"action": "read_lite", "department_id": 68_759_301}),
    )
    .await;
    assert_eq!(lite, json!({"id": 68_759_301, "name": "Engineering"}));

    let workloads = ok_json(&client, "zia_list_workload_groups", json!({})).await;
    let aws = row_with(&workloads, "name", "AWS Production");
    let got = ok_json(
        &client,
        "zia_get_workload_group",
        json!({"group_id": aws["id"]}),
    )
    .await;
    assert!(got["expression"].as_str().unwrap().contains("vpc-0a1b2c3d"));

    let apps = ok_json(
        &client,
        "zia_list_shadow_it_apps",
        json!({"limit": 5, "page_number": 1}),
    )
    .await;
    assert_eq!(apps[0]["name"], "WeTransfer", "second page of five");
    let tags = ok_json(&client, "zia_list_shadow_it_custom_tags", json!({})).await;
    let review = row_with(&tags, "name", "Under Review")["id"].clone();
    let done = ok_json(
        &client,
        "zia_bulk_update_shadow_it_apps",
        json!({"sanction_state": "unsanctioned", "application_ids": [6_100, 6_101], "custom_tag_ids": [review]}),
    )
    .await;
    assert_eq!(done["success"], true);
    let apps = ok_json(&client, "zia_list_shadow_it_apps", json!({})).await;
    let dropbox = row_with(&apps, "name", "Dropbox");
    assert_eq!(dropbox["sanctionedState"], "UN_SANCTIONED");
    assert_eq!(dropbox["customTags"], json!([{"id": review}]));
    assert_eq!(row_with(&apps, "name", "Gmail")["sanctionedState"], "ANY");
}

// ------------------------------------------------------------------------- edit lock

#[tokio::test]
async fn concurrent_writes_all_succeed_despite_the_edit_lock() {
    let sim = start_sim().await;
    // Each overlapping write waits its turn; enough retries that the last of three always
    // gets the lock, however slow the machine is.
    let mut retrying = client_config_for(&sim);
    retrying.max_retries = 10;
    let client = connect(server_with_client_config(&sim, retrying), plain_client()).await;
    let (a, b, c) = tokio::join!(
        call(
            &client,
            "zia_create_rule_label",
            json!({"name": "Parallel A"})
        ),
        call(
            &client,
            "zia_create_rule_label",
            json!({"name": "Parallel B"})
        ),
        call(
            &client,
            "zia_create_rule_label",
            json!({"name": "Parallel C"})
        ),
    );
    for result in [&a, &b, &c] {
        assert!(!is_error(result), "{}", text(result));
    }
    let labels = ok_json(
        &client,
        "zia_list_rule_labels",
        json!({"search": "parallel"}),
    )
    .await;
    assert_eq!(list_rows(&labels).len(), 3);
    let created = sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/ruleLabels") && r.status == 200)
        .count();
    assert_eq!(created, 3, "each label was written exactly once");
}

/// Every ZIA tool of the catalog is exercised by this file.
#[test]
fn this_file_calls_every_zia_tool() {
    let source = include_str!("zia_tools.rs");
    let families: Vec<String> = FAMILIES.iter().map(|f| f.noun.to_string()).collect();
    for tool in all_tools()
        .iter()
        .filter(|t| t.service == zmcp_catalog::Service::Zia)
    {
        let quoted = format!("\"{}\"", tool.name);
        let by_family = families.iter().any(|noun| {
            [
                "zia_list_",
                "zia_get_",
                "zia_create_",
                "zia_update_",
                "zia_delete_",
            ]
            .iter()
            .any(|verb| {
                tool.name == format!("{verb}{noun}") || tool.name == format!("{verb}{noun}s")
            })
        });
        assert!(
            source.contains(&quoted) || by_family,
            "{} is never called",
            tool.name
        );
    }
}
