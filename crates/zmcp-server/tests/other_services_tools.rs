//! ZDX, ZCC, ZIdentity, Z-Insights, EASM, ZTW, ZMS and ZCell tools end to end: every tool is
//! called through MCP against the simulator and checked against the seeded data; writes are
//! read back, deletes go through the confirmation token.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use rmcp::service::RunningService;
use rmcp::{ClientHandler, RoleClient};
use serde_json::{Value, json};

/// The token a confirmation prompt hands out.
fn token_in(prompt: &str) -> String {
    let marker = "\"confirmation_token\": \"";
    let start = prompt.find(marker).expect("token in prompt") + marker.len();
    let rest = &prompt[start..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}

/// Calls a delete tool, then replays it with the token the prompt gave.
async fn confirmed_delete<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    tool: &str,
    args: Value,
) -> Value {
    let prompt = text(&call(client, tool, args.clone()).await);
    assert!(prompt.contains("CONFIRMATION REQUIRED"), "{prompt}");
    let mut replay = args;
    replay["kwargs"] = json!({"confirmation_token": token_in(&prompt)});
    json(&call(client, tool, replay).await)
}

/// Array items of a result.
fn rows(value: &Value) -> &Vec<Value> {
    value.as_array().unwrap_or_else(|| panic!("array: {value}"))
}

const DEVICE: &str = "132559212";
const TRACE: &str = "391872001";
const SALESFORCE: i64 = 67_890;

#[tokio::test]
async fn zdx_reads_return_seeded_data_with_readable_times() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let ongoing = json(&call(&client, "zdx_list_alerts", json!({})).await);
    assert_eq!(rows(&ongoing).len(), 5, "every ongoing alert, all pages");
    let first = &ongoing[0];
    assert!(
        first["started_on"].as_str().unwrap().ends_with('Z'),
        "{first}"
    );
    assert!(first["started_on_epoch"].is_i64(), "{first}");
    let alert_id = first["id"].to_string();

    let recent = json(&call(&client, "zdx_list_historical_alerts", json!({})).await);
    let week = json(&call(&client, "zdx_list_historical_alerts", json!({"since": 168})).await);
    assert_eq!(rows(&recent).len(), 1, "default window is 2 hours");
    assert_eq!(rows(&week).len(), 7, "since widens the window");

    let alert = json(&call(&client, "zdx_get_alert", json!({"alert_id": alert_id})).await);
    assert_eq!(alert["rule_name"], "Teams Call Quality Degraded");
    let affected = json(
        &call(
            &client,
            "zdx_list_alert_affected_devices",
            json!({"alert_id": alert_id}),
        )
        .await,
    );
    assert!(rows(&affected).len() > 10, "more than one page: {affected}");
    assert!(
        affected[0]["user_email"]
            .as_str()
            .unwrap()
            .ends_with("@acme.com")
    );

    let departments = json(&call(&client, "zdx_list_departments", json!({"search": "fin"})).await);
    assert_eq!(departments, json!([{"id": 68_759_302, "name": "Finance"}]));
    let locations = json(&call(&client, "zdx_list_locations", json!({"search": "office"})).await);
    assert!(
        rows(&locations)
            .iter()
            .all(|l| l["name"].as_str().unwrap().contains("Office"))
    );
    assert!(rows(&locations).len() >= 4);

    let metric = json(
        &call(
            &client,
            "zdx_get_application_metric",
            json!({"app_id": SALESFORCE.to_string(), "metric_name": "dns"}),
        )
        .await,
    );
    assert_eq!(metric[0]["metric"], "dns_time");
    assert!(metric[0]["datapoints"][0]["timestamp"].is_string());

    let poor = json(
        &call(
            &client,
            "zdx_list_application_users",
            json!({"app_id": "67898", "score_bucket": "poor"}),
        )
        .await,
    );
    assert!(!rows(&poor).is_empty());
    assert!(
        rows(&poor)
            .iter()
            .all(|u| u["score"].as_f64().unwrap() < 34.0)
    );
    let user_id = poor[0]["id"].to_string();
    let user = json(
        &call(
            &client,
            "zdx_get_application_user",
            json!({"app_id": "67898", "user_id": user_id}),
        )
        .await,
    );
    assert_eq!(user["email"], poor[0]["email"]);
    assert!(user["devices"][0]["name"].is_string());

    let software = call(&client, "zdx_list_software", json!({})).await;
    assert!(
        text(&software).starts_with("[UNTRUSTED CONTENT"),
        "labelled"
    );
    let software = json(&software);
    assert_eq!(rows(&software).len(), 22, "all pages");
    let chrome = rows(&software)
        .iter()
        .find(|s| s["software_name"] == "Google Chrome")
        .unwrap();
    let details = json(
        &call(
            &client,
            "zdx_get_software_details",
            json!({"software_key": chrome["software_key"]}),
        )
        .await,
    );
    assert_eq!(rows(&details).len(), 120, "Chrome is on every device");
}

#[tokio::test]
async fn zdx_deep_traces_and_analyses_start_poll_and_delete() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let device_app = json!({"device_id": DEVICE, "app_id": SALESFORCE.to_string()});

    let web = json(&call(&client, "zdx_get_web_probes", device_app.clone()).await);
    let cloudpath = json(&call(&client, "zdx_list_cloudpath_probes", device_app.clone()).await);
    assert_eq!(web[0]["name"], "Salesforce Web Probe");
    assert_eq!(cloudpath[0]["avg_latencies"].as_array().unwrap().len(), 3);

    let trace = json!({"device_id": DEVICE, "trace_id": TRACE});
    let seeded = json(&call(&client, "zdx_get_device_deep_trace", trace.clone()).await);
    assert_eq!(seeded["status"], "completed");
    for (tool, check) in [
        ("zdx_get_deeptrace_webprobe_metrics", "page_fetch_time"),
        ("zdx_get_deeptrace_cloudpath_metrics", "packet_loss"),
        ("zdx_get_deeptrace_cloudpath", "login.salesforce.com"),
        ("zdx_get_deeptrace_health_metrics", "cpu_total"),
        ("zdx_get_deeptrace_events", "network_change"),
        ("zdx_list_deeptrace_top_processes", "chrome.exe"),
    ] {
        let result = json(&call(&client, tool, trace.clone()).await);
        assert!(result.to_string().contains(check), "{tool}: {result}");
        assert!(!rows(&result).is_empty(), "{tool}");
    }

    let started = json(
        &call(
            &client,
            "zdx_start_deeptrace",
            json!({"device_id": DEVICE, "session_name": "slow CRM", "app_id": SALESFORCE,
                   "web_probe_id": web[0]["id"], "cloudpath_probe_id": cloudpath[0]["id"],
                   "session_length_minutes": 15}),
        )
        .await,
    );
    let new_trace = started["trace_id"].as_str().unwrap().to_string();
    let new = json!({"device_id": DEVICE, "trace_id": new_trace});
    let polled = json(&call(&client, "zdx_get_device_deep_trace", new.clone()).await);
    assert_eq!(polled["status"], "in_progress");
    assert_eq!(polled["trace_details"]["session_name"], "slow CRM");
    let listed = json(
        &call(
            &client,
            "zdx_list_device_deep_traces",
            json!({"device_id": DEVICE}),
        )
        .await,
    );
    assert_eq!(rows(&listed).len(), 2);

    let bad = call(
        &client,
        "zdx_start_deeptrace",
        json!({"device_id": DEVICE, "session_name": "x", "app_id": SALESFORCE,
               "web_probe_id": 1, "cloudpath_probe_id": cloudpath[0]["id"]}),
    )
    .await;
    assert!(
        is_error(&bad) && text(&bad).contains("web_probe_id"),
        "{}",
        text(&bad)
    );

    let deleted = confirmed_delete(&client, "zdx_delete_deeptrace", new.clone()).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    let gone = call(&client, "zdx_get_device_deep_trace", new).await;
    assert!(
        is_error(&gone) && text(&gone).contains("404"),
        "{}",
        text(&gone)
    );

    let analysis = json(
        &call(
            &client,
            "zdx_start_analysis",
            json!({"device_id": 132_559_212, "app_id": SALESFORCE}),
        )
        .await,
    );
    let analysis_id = analysis["analysis_id"].as_str().unwrap().to_string();
    let status = json(
        &call(
            &client,
            "zdx_get_analysis",
            json!({"analysis_id": analysis_id}),
        )
        .await,
    );
    assert_eq!(status["status"], "finished");
    assert!(status["t0"].as_str().unwrap().ends_with('Z'), "{status}");
    confirmed_delete(
        &client,
        "zdx_delete_analysis",
        json!({"analysis_id": analysis_id}),
    )
    .await;
    let gone = call(
        &client,
        "zdx_get_analysis",
        json!({"analysis_id": analysis_id}),
    )
    .await;
    assert!(is_error(&gone), "{}", text(&gone));
}

#[tokio::test]
async fn zcc_devices_otp_profiles_and_trusted_networks() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let devices = json(&call(&client, "zcc_list_devices", json!({})).await);
    assert_eq!(rows(&devices).len(), 310, "every device across pages");
    let macs = json(&call(&client, "zcc_list_devices", json!({"os_type": 4})).await);
    assert!(rows(&macs).iter().all(|d| d["type"] == 4));
    assert!(
        macs[0]["last_seen_time"].is_string(),
        "ZCC numbers stay strings"
    );
    let page = json(
        &call(
            &client,
            "zcc_list_devices",
            json!({"page": 2, "page_size": 7}),
        )
        .await,
    );
    assert_eq!(page[0], devices[7], "one 1-based page");
    let jane = json(
        &call(
            &client,
            "zcc_list_devices",
            json!({"username": "jane.doe@acme.com"}),
        )
        .await,
    );
    assert!(!rows(&jane).is_empty());
    assert!(rows(&jane).iter().all(|d| d["user"] == "jane.doe@acme.com"));

    let udid = devices[3]["udid"].as_str().unwrap();
    let otp = json(&call(&client, "zcc_get_device_otp", json!({"udid": udid})).await);
    assert_eq!(otp["uninstallOtp"].as_str().unwrap().len(), 6, "{otp}");
    let alias = json(&call(&client, "zcc_get_device_otp", json!({"device_id": udid})).await);
    assert_eq!(alias, otp, "device_id is the same identifier");
    let unknown = call(&client, "zcc_get_device_otp", json!({"udid": "nope"})).await;
    assert!(
        is_error(&unknown) && text(&unknown).contains("No device"),
        "{}",
        text(&unknown)
    );

    let profiles = json(
        &call(
            &client,
            "zcc_list_forwarding_profiles",
            json!({"search": "corporate"}),
        )
        .await,
    );
    assert_eq!(rows(&profiles).len(), 1);
    assert_eq!(profiles[0]["name"], "Corporate Office");
    let networks = json(&call(&client, "zcc_list_trusted_networks", json!({})).await);
    assert_eq!(rows(&networks).len(), 5);
    assert!(
        rows(&networks)
            .iter()
            .any(|n| n["networkName"] == "Acme HQ Network")
    );
}

#[tokio::test]
async fn zid_users_groups_and_memberships() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let users = json(&call(&client, "zid_list_users", json!({})).await);
    assert_eq!(rows(&users).len(), 250, "every user");
    let page = json(
        &call(
            &client,
            "zid_list_users",
            json!({"offset": 100, "limit": 20}),
        )
        .await,
    );
    assert_eq!(
        page["records"][0], users[100],
        "one page in ZIdentity's envelope"
    );
    assert!(page["next_link"].as_str().unwrap().contains("offset=120"));
    let filtered = json(
        &call(
            &client,
            "zid_list_users",
            json!({"primary_email": "jane.", "domain_name": "acme.com"}),
        )
        .await,
    );
    assert!(
        rows(&filtered)
            .iter()
            .all(|u| u["primaryEmail"].as_str().unwrap().starts_with("jane."))
    );
    assert!(!rows(&filtered).is_empty());

    let found = json(&call(&client, "zid_search_users", json!({"name": "Jane Doe"})).await);
    let jane = &found[0];
    assert_eq!(jane["loginName"], "jane.doe@acme.com");
    let id = jane["id"].as_str().unwrap();
    let user = json(&call(&client, "zid_get_user", json!({"user_id": id})).await);
    assert_eq!(user["displayName"], "Jane Doe");
    let groups = json(&call(&client, "zid_get_user_groups", json!({"user_id": id})).await);
    let names: Vec<&str> = rows(&groups)
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"All Employees"), "{names:?}");
    let by_name = json(
        &call(
            &client,
            "zid_get_user_groups_by_name",
            json!({"name": "jane.doe@acme.com"}),
        )
        .await,
    );
    assert_eq!(by_name, groups, "resolving by email reaches the same user");

    let all = json(&call(&client, "zid_list_groups", json!({})).await);
    let static_only = json(
        &call(
            &client,
            "zid_list_groups",
            json!({"exclude_dynamic_groups": true}),
        )
        .await,
    );
    assert_eq!(rows(&all).len(), 14);
    assert_eq!(rows(&static_only).len(), 6);
    let devs = json(&call(&client, "zid_search_groups", json!({"name": "develop"})).await);
    assert_eq!(devs[0]["name"], "Developers");
    let group_id = devs[0]["id"].as_str().unwrap();
    let group = json(&call(&client, "zid_get_group", json!({"group_id": group_id})).await);
    assert_eq!(group["isDynamicGroup"], false);
    let members = json(
        &call(
            &client,
            "zid_get_group_users",
            json!({"group_id": group_id}),
        )
        .await,
    );
    assert!(!rows(&members).is_empty());
    let members_by_name = json(
        &call(
            &client,
            "zid_get_group_users_by_name",
            json!({"name": "developers"}),
        )
        .await,
    );
    assert_eq!(members_by_name, members);
    let ambiguous = call(
        &client,
        "zid_get_group_users_by_name",
        json!({"name": "Dept"}),
    )
    .await;
    assert!(
        is_error(&ambiguous) && text(&ambiguous).contains("matches 8"),
        "{}",
        text(&ambiguous)
    );
}

/// The `name` of every entry.
fn names(value: &Value) -> Vec<String> {
    rows(value)
        .iter()
        .map(|e| e["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn zins_graphql_reports_return_the_seeded_analytics() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    // (tool, arguments, an entry name the result must contain)
    let table = [
        ("zins_get_web_traffic_by_location", json!({}), "San Jose HQ"),
        ("zins_get_threat_super_categories", json!({}), ""),
        ("zins_get_threat_class", json!({}), "Phishing"),
        (
            "zins_get_web_protocols",
            json!({"traffic_unit": "BYTES"}),
            "HTTPS",
        ),
        ("zins_get_web_traffic_no_grouping", json!({}), "All Traffic"),
        ("zins_get_cyber_incidents", json!({}), "Malware Blocked"),
        (
            "zins_get_cyber_incidents",
            json!({"categorize_by": "APPLICATION"}),
            "Dropbox",
        ),
        (
            "zins_get_cyber_incidents_by_location",
            json!({}),
            "Road Warrior",
        ),
        (
            "zins_get_cyber_incidents_by_threat_and_app",
            json!({}),
            "Phishing / Gmail",
        ),
        (
            "zins_get_cyber_incidents_daily",
            json!({"start_days_ago": 30}),
            "2026-03-12",
        ),
        ("zins_get_firewall_by_action", json!({}), "Block/Drop"),
        (
            "zins_get_firewall_by_location",
            json!({}),
            "Frankfurt Datacenter",
        ),
        ("zins_get_firewall_network_services", json!({}), "SSH"),
        ("zins_get_casb_app_report", json!({}), "Box"),
        ("zins_get_shadow_it_apps", json!({}), "ChatGPT"),
    ];
    for (tool, args, expected) in table {
        let result = json(&call(&client, tool, args).await);
        let found = names(&result);
        assert!(!found.is_empty(), "{tool}");
        assert!(
            expected.is_empty() || found.iter().any(|n| n == expected),
            "{tool}: {found:?}"
        );
    }

    let limited = json(&call(&client, "zins_get_firewall_by_action", json!({"limit": 2})).await);
    assert_eq!(rows(&limited).len(), 2, "limit is applied by the service");
    let plain = json(&call(&client, "zins_get_web_traffic_no_grouping", json!({})).await);
    assert!(plain[0].get("trend").is_none(), "no trend unless asked");
    let blocked = json(
        &call(
            &client,
            "zins_get_web_traffic_no_grouping",
            json!({"action_filter": "BLOCKED", "include_trend": true, "trend_interval": "HOUR"}),
        )
        .await,
    );
    assert!(blocked[0]["total"].as_i64().unwrap() < plain[0]["total"].as_i64().unwrap());
    assert_eq!(
        blocked[0]["trend"].as_array().unwrap().len(),
        24,
        "hourly points"
    );
    let trend = json(
        &call(
            &client,
            "zins_get_web_traffic_by_location",
            json!({"include_trend": true}),
        )
        .await,
    );
    assert_eq!(
        trend[0]["trend"].as_array().unwrap().len(),
        7,
        "daily points"
    );

    let iot = json(&call(&client, "zins_get_iot_device_stats", json!({"limit": 3})).await);
    assert_eq!(iot["total_devices"], 1842);
    assert_eq!(iot["device_types"].as_array().unwrap().len(), 3);
    let summary = json(&call(&client, "zins_get_shadow_it_summary", json!({})).await);
    assert_eq!(summary["high_risk_apps"], 23);

    let backwards = call(
        &client,
        "zins_get_casb_app_report",
        json!({"start_time": 2_000_000_000_000_i64, "end_time": 1_000_000_000_000_i64}),
    )
    .await;
    assert!(
        is_error(&backwards) && text(&backwards).contains("end_time must not be before start_time"),
        "GraphQL errors on HTTP 200 are tool errors: {}",
        text(&backwards)
    );
}

#[tokio::test]
async fn zeasm_organizations_findings_and_lookalikes() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let orgs = json(&call(&client, "zeasm_list_organizations", json!({})).await);
    assert_eq!(names(&orgs), ["Acme Corp", "Acme Robotics"]);
    let org = orgs[0]["id"].as_str().unwrap();

    let findings = json(&call(&client, "zeasm_list_findings", json!({"org_id": org})).await);
    assert_eq!(rows(&findings).len(), 32);
    let critical = rows(&findings)
        .iter()
        .find(|f| f["cve_ids"][0] == "CVE-2021-41773")
        .unwrap();
    let finding = json!({"org_id": org, "finding_id": critical["id"]});
    let details = json(&call(&client, "zeasm_get_finding_details", finding.clone()).await);
    assert_eq!(details["severity"], "critical");
    assert!(details["remediation"].as_str().unwrap().contains("patch"));
    let evidence = call(&client, "zeasm_get_finding_evidence", finding.clone()).await;
    assert!(
        text(&evidence).starts_with("[UNTRUSTED CONTENT"),
        "labelled"
    );
    assert!(
        json(&evidence)["items"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Apache/2.4.49")
    );
    let scan = json(&call(&client, "zeasm_get_finding_scan_output", finding).await);
    assert!(scan["output"].as_str().unwrap().contains("open"));

    let lookalikes = json(
        &call(
            &client,
            "zeasm_list_lookalike_domains",
            json!({"org_id": org}),
        )
        .await,
    );
    assert_eq!(rows(&lookalikes).len(), 12);
    let domain = json(
        &call(
            &client,
            "zeasm_get_lookalike_domain",
            json!({"org_id": org, "lookalike_raw": "acme-login.com"}),
        )
        .await,
    );
    assert_eq!(domain["dns"]["mx"][0], "mx1.acme-login.com");
    let missing = call(&client, "zeasm_list_findings", json!({"org_id": "org-0"})).await;
    assert!(
        is_error(&missing) && text(&missing).contains("404"),
        "{}",
        text(&missing)
    );
}

#[tokio::test]
async fn ztw_groups_services_admins_and_clouds() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    for (list, lite, create, delete, args) in [
        (
            "ztw_list_ip_groups",
            "ztw_list_ip_groups_lite",
            "ztw_create_ip_group",
            "ztw_delete_ip_group",
            json!({"name": "Lab Servers", "ip_addresses": ["192.168.50.0/24"], "description": "lab"}),
        ),
        (
            "ztw_list_ip_source_groups",
            "ztw_list_ip_source_groups_lite",
            "ztw_create_ip_source_group",
            "ztw_delete_ip_source_group",
            json!({"name": "Lab Servers", "ip_addresses": "192.168.50.0/24,192.168.51.0/24"}),
        ),
        (
            "ztw_list_ip_destination_groups",
            "ztw_list_ip_destination_groups_lite",
            "ztw_create_ip_destination_group",
            "ztw_delete_ip_destination_group",
            json!({"name": "Lab Servers", "type": "DSTN_FQDN", "addresses": ["lab.acme.com"]}),
        ),
    ] {
        let before = json(&call(&client, list, json!({})).await);
        let created = json(&call(&client, create, args.clone()).await);
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["name"], "Lab Servers", "{create}");
        let after = json(&call(&client, list, json!({})).await);
        assert_eq!(rows(&after).len(), rows(&before).len() + 1, "{create}");
        let lite_rows = json(&call(&client, lite, json!({})).await);
        let entry = rows(&lite_rows).iter().find(|g| g["id"] == id).unwrap();
        assert!(entry.get("description").is_none(), "{lite}: {entry}");
        let duplicate = call(&client, create, args).await;
        assert!(is_error(&duplicate) && text(&duplicate).contains("DUPLICATE_ITEM"));
        confirmed_delete(&client, delete, json!({"group_id": id.to_string()})).await;
        let gone = json(&call(&client, list, json!({})).await);
        assert!(rows(&gone).iter().all(|g| g["id"] != id), "{delete}");
    }
    let sources = json(
        &call(
            &client,
            "ztw_list_ip_source_groups",
            json!({"search": "london"}),
        )
        .await,
    );
    assert_eq!(names(&sources), ["London Workloads", "London Branch Users"]);
    let no_ips = json(
        &call(
            &client,
            "ztw_list_ip_destination_groups",
            json!({"exclude_type": "DSTN_IP"}),
        )
        .await,
    );
    assert!(rows(&no_ips).iter().all(|g| g["type"] != "DSTN_IP") && rows(&no_ips).len() == 6);

    let udp = json(
        &call(
            &client,
            "ztw_list_network_services",
            json!({"protocol": "UDP"}),
        )
        .await,
    );
    assert!(names(&udp).contains(&"NTP".to_string()) && !names(&udp).contains(&"SSH".to_string()));
    let groups = json(
        &call(
            &client,
            "ztw_list_network_service_groups",
            json!({"search": "remote"}),
        )
        .await,
    );
    assert_eq!(groups[0]["services"].as_array().unwrap().len(), 2);

    let admins = json(&call(&client, "ztw_list_admins", json!({})).await);
    let everyone = json(
        &call(
            &client,
            "ztw_list_admins",
            json!({"include_auditor_users": true, "include_api_roles": true}),
        )
        .await,
    );
    assert_eq!((rows(&admins).len(), rows(&everyone).len()), (4, 6));
    let roles = json(&call(&client, "ztw_list_roles", json!({})).await);
    assert!(!names(&roles).contains(&"Read Only Auditor".to_string()));
    let picked = json(
        &call(
            &client,
            "ztw_list_roles",
            json!({"role_ids": ["9200", "9201"]}),
        )
        .await,
    );
    assert_eq!(names(&picked), ["Super Admin", "Connector Operator"]);

    let azure = json(
        &call(
            &client,
            "ztw_list_public_cloud_info",
            json!({"cloud_type": "AZURE"}),
        )
        .await,
    );
    assert_eq!(rows(&azure).len(), 2);
    let accounts = json(
        &call(
            &client,
            "ztw_list_public_account_details",
            json!({"page": 1, "page_size": 4}),
        )
        .await,
    );
    assert_eq!(rows(&accounts).len(), 4, "one page");
    assert_eq!(accounts[0]["accountId"], "123456789012");
    let discovery = json(&call(&client, "ztw_get_discovery_settings", json!({})).await);
    assert_eq!(discovery["trustedAccountId"], "223544365242");
}

#[tokio::test]
async fn zms_graphql_tools_unwrap_connections_and_walk_pages() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let agents = json(&call(&client, "zms_list_agents", json!({"page_size": 50})).await);
    assert_eq!(rows(&agents).len(), 40, "connection unwrapped to its nodes");
    let web = json(&call(&client, "zms_list_agents", json!({"search": "web-0"})).await);
    assert!(names(&web).iter().all(|n| n.starts_with("web-0")) && !names(&web).is_empty());
    let groups = json(&call(&client, "zms_list_agent_groups", json!({})).await);
    assert_eq!(rows(&groups).len(), 5);
    let eyez = groups[0]["eyezId"].as_str().unwrap();
    let status = json(
        &call(
            &client,
            "zms_get_agent_connection_status_statistics",
            json!({}),
        )
        .await,
    );
    assert_eq!(status["totalCount"], 40);
    assert_eq!(
        status["connectedCount"].as_i64().unwrap() + status["disconnectedCount"].as_i64().unwrap(),
        40
    );
    let versions = json(&call(&client, "zms_get_agent_version_statistics", json!({})).await);
    assert_eq!(versions["versions"][0]["version"], "25.1.4");
    let secrets = json(
        &call(
            &client,
            "zms_get_agent_group_totp_secrets",
            json!({"eyez_id": eyez}),
        )
        .await,
    );
    assert_eq!(secrets["secrets"].as_array().unwrap().len(), 2);
    let nonce = json(&call(&client, "zms_get_nonce", json!({"eyez_id": eyez})).await);
    assert_eq!(nonce["agentGroupName"], "Web Tier");
    let unknown = call(&client, "zms_get_nonce", json!({"eyez_id": "eyez-nope"})).await;
    assert!(
        is_error(&unknown) && text(&unknown).contains("eyezId eyez-nope not found"),
        "errors on HTTP 200 are tool errors: {}",
        text(&unknown)
    );
    let nonces = json(&call(&client, "zms_list_nonces", json!({"search": "database"})).await);
    assert_eq!(rows(&nonces).len(), 1);

    let metadata = json(&call(&client, "zms_get_metadata", json!({})).await);
    assert_eq!(metadata["customerId"], sim.customer_id());
    let protection = json(&call(&client, "zms_get_resource_protection_status", json!({})).await);
    assert_eq!(protection["totalCount"], 60);
    let group_protection = json(
        &call(
            &client,
            "zms_get_resource_group_protection_status",
            json!({}),
        )
        .await,
    );
    assert_eq!(group_protection["totalCount"], 6);

    let first_page = json(&call(&client, "zms_list_resources", json!({})).await);
    assert_eq!(rows(&first_page).len(), 20, "the API's default page");
    let aws_linux = json(
        &call(
            &client,
            "zms_list_resources",
            json!({"cloud_provider": "AWS", "platform_os": "LINUX", "page_size": 100}),
        )
        .await,
    );
    assert!(
        rows(&aws_linux)
            .iter()
            .all(|r| r["cloudProvider"] == "AWS" && r["deleted"] == false)
    );
    let with_deleted = json(
        &call(
            &client,
            "zms_list_resources",
            json!({"include_deleted": true, "page_size": 100}),
        )
        .await,
    );
    assert_eq!(rows(&with_deleted).len(), 60);
    let resource_groups = json(
        &call(
            &client,
            "zms_list_resource_groups",
            json!({"name": "payments"}),
        )
        .await,
    );
    assert_eq!(names(&resource_groups), ["Payments PCI"]);
    let members = json(
        &call(
            &client,
            "zms_get_resource_group_members",
            json!({"group_id": resource_groups[0]["id"]}),
        )
        .await,
    );
    assert_eq!(rows(&members).len(), 10);

    let databases = json(
        &call(
            &client,
            "zms_list_app_catalog",
            json!({"category": "DATABASE"}),
        )
        .await,
    );
    assert!(names(&databases).contains(&"PostgreSQL".to_string()));
    let zones = json(&call(&client, "zms_list_app_zones", json!({})).await);
    assert!(names(&zones).contains(&"PCI".to_string()));

    let page = json(&call(&client, "zms_list_policy_rules", json!({})).await);
    let all = json(
        &call(
            &client,
            "zms_list_policy_rules",
            json!({"fetch_all": true, "page_size": 20}),
        )
        .await,
    );
    assert_eq!(
        (rows(&page).len(), rows(&all).len()),
        (20, 45),
        "fetch_all walks 3 pages"
    );
    let blocks = json(
        &call(
            &client,
            "zms_list_policy_rules",
            json!({"fetch_all": true, "action": "BLOCK"}),
        )
        .await,
    );
    assert_eq!(rows(&blocks).len(), 9);
    let defaults = json(
        &call(
            &client,
            "zms_list_default_policy_rules",
            json!({"fetch_all": true}),
        )
        .await,
    );
    assert_eq!(rows(&defaults).len(), 3);

    let namespaces = json(
        &call(
            &client,
            "zms_list_tag_namespaces",
            json!({"origin": "EXTERNAL"}),
        )
        .await,
    );
    assert_eq!(names(&namespaces), ["aws", "k8s"]);
    let keys = json(
        &call(
            &client,
            "zms_list_tag_keys",
            json!({"namespace_id": "ns-1"}),
        )
        .await,
    );
    let env = rows(&keys).iter().find(|k| k["keyName"] == "env").unwrap();
    let values = json(
        &call(
            &client,
            "zms_list_tag_values",
            json!({"tag_id": env["id"], "namespace_origin": "CUSTOM"}),
        )
        .await,
    );
    assert_eq!(names(&values), ["prod", "staging", "dev"]);
}

#[tokio::test]
async fn zcell_sims_policies_analytics_audit_and_events() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.tenant.zcell_customer_id = Some(sim.zcell_customer_id().to_string());
    let client = connect(zmcp_server::McpServer::new(config), plain_client()).await;

    let without = connect(server_for(&sim), plain_client()).await;
    let refused = call(&without, "zcell_list_tags", json!({})).await;
    assert!(
        is_error(&refused) && text(&refused).contains("ZCELL_CUSTOMER_ID"),
        "{}",
        text(&refused)
    );

    let customer = json(&call(&client, "zcell_get_customer_data_handling", json!({})).await);
    assert_eq!(customer["id"], sim.zcell_customer_id());
    assert_eq!(customer["dataHandling"]["retentionDays"], 90);
    let regions = json(&call(&client, "zcell_list_regions", json!({})).await);
    let all_regions = json(
        &call(
            &client,
            "zcell_list_regions",
            json!({"skip_sku_check": true}),
        )
        .await,
    );
    assert_eq!((rows(&regions).len(), rows(&all_regions).len()), (5, 6));
    let status = json(
        &call(
            &client,
            "zcell_list_region_operational_status",
            json!({"bc_size": "LARGE"}),
        )
        .await,
    );
    assert!(rows(&status).iter().all(|r| r["bcSize"] == "LARGE") && !rows(&status).is_empty());

    let sims = json(&call(&client, "zcell_list_sims", json!({})).await);
    assert_eq!(rows(&sims).len(), 150, "every 0-based Spring page");
    let page = json(&call(&client, "zcell_list_sims", json!({"page": 1, "size": 10})).await);
    assert_eq!(page["content"][0], sims[10], "one page as the API sends it");
    let changed = json(
        &call(
            &client,
            "zcell_list_sims",
            json!({"imei_status": "CHANGED", "location_country": "us"}),
        )
        .await,
    );
    assert!(
        rows(&changed)
            .iter()
            .all(|s| s["imeiStatus"] == "CHANGED" && s["locationCountry"] == "US")
    );
    let tagged = json(&call(&client, "zcell_list_sims", json!({"tag": "critical"})).await);
    assert!(
        rows(&tagged)
            .iter()
            .all(|s| s["tags"].as_array().unwrap().contains(&json!("critical")))
    );
    let tag_list = json(&call(&client, "zcell_list_tags", json!({"name": "critical"})).await);
    assert_eq!(
        json!(rows(&tagged).len()),
        tag_list[0]["simCount"],
        "tag counts agree"
    );
    let iccid = sims[0]["iccid"].as_str().unwrap();
    let details = json(&call(&client, "zcell_get_sim_details", json!({"icc_id": iccid})).await);
    assert_eq!(details["msisdn"], sims[0]["msisdn"]);
    assert!(details["openViolations"].as_i64().unwrap() >= 1);

    let policies = json(&call(&client, "zcell_list_anomaly_policies", json!({"days": 30})).await);
    assert_eq!(rows(&policies).len(), 6);
    let spikes = json(
        &call(
            &client,
            "zcell_list_anomaly_policies",
            json!({"policy_type": "DATA_USAGE"}),
        )
        .await,
    );
    assert_eq!(names(&spikes), ["Daily data spike", "Monthly cap"]);
    let policy = policies[0]["id"].as_str().unwrap();
    let violations = json(
        &call(
            &client,
            "zcell_list_anomaly_policy_violations",
            json!({"policy_id": policy, "days": 7}),
        )
        .await,
    );
    assert_eq!(rows(&violations).len(), 7);
    let logs = json(
        &call(
            &client,
            "zcell_list_anomaly_policy_logs",
            json!({"policy_id": policy}),
        )
        .await,
    );
    assert_eq!(logs[0]["action"], "SUSPEND");
    let of_sim = json(
        &call(
            &client,
            "zcell_list_iccid_violations",
            json!({"policy_id": policy, "iccid": violations[0]["iccid"]}),
        )
        .await,
    );
    assert!(
        rows(&of_sim)
            .iter()
            .all(|v| v["iccid"] == violations[0]["iccid"])
            && !rows(&of_sim).is_empty()
    );

    let summary = json(&call(&client, "zcell_list_sim_analytics_summary", json!({})).await);
    let active = rows(&summary)
        .iter()
        .find(|r| r["value"] == "ACTIVE")
        .unwrap();
    assert_eq!(active["count"], 105);
    let map = json(
        &call(
            &client,
            "zcell_list_sim_analytics_map",
            json!({"icc_ids": [iccid]}),
        )
        .await,
    );
    assert_eq!(rows(&map).len(), 1);
    assert_eq!(map[0]["country"], "US");
    let countries = json(
        &call(
            &client,
            "zcell_list_sim_usage_by_country",
            json!({"limit": 3}),
        )
        .await,
    );
    assert_eq!(rows(&countries).len(), 3);
    assert_eq!(
        countries[0]["country"], "US",
        "two of every ten SIMs are in the US"
    );
    let top = json(
        &call(
            &client,
            "zcell_list_sim_usage_by_sim",
            json!({"limit": 5, "days": 30}),
        )
        .await,
    );
    assert!(top[0]["bytes"].as_i64().unwrap() >= top[4]["bytes"].as_i64().unwrap());
    let daily = json(
        &call(
            &client,
            "zcell_list_sim_usage_by_day",
            json!({"days": 14, "icc_id": iccid}),
        )
        .await,
    );
    assert_eq!(rows(&daily).len(), 14);

    let groups = json(
        &call(
            &client,
            "zcell_list_sim_location_groups",
            json!({"name": "europe"}),
        )
        .await,
    );
    assert_eq!(names(&groups), ["Western Europe"]);
    let group = json(
        &call(
            &client,
            "zcell_get_sim_location_group",
            json!({"group_id": groups[0]["id"]}),
        )
        .await,
    );
    assert_eq!(group["countries"], json!(["GB", "DE", "FR"]));
    let tags = json(&call(&client, "zcell_list_tags", json!({})).await);
    assert_eq!(rows(&tags).len(), 10);

    let metadata = json(&call(&client, "zcell_list_audit_metadata", json!({})).await);
    assert!(rows(&metadata).iter().any(|m| m["objectType"] == "SIM"));
    let deletes = json(
        &call(
            &client,
            "zcell_list_audit_customers_search",
            json!({"operation_type": "DELETE", "object_type": "TAG", "days": 30}),
        )
        .await,
    );
    assert!(!rows(&deletes).is_empty());
    assert!(
        rows(&deletes)
            .iter()
            .all(|a| a["operationType"] == "DELETE" && a["objectType"] == "TAG")
    );

    let day = json(&call(&client, "zcell_list_network_events", json!({})).await);
    let week = json(
        &call(
            &client,
            "zcell_list_network_events",
            json!({"days": 3, "exclude_apn_config": true}),
        )
        .await,
    );
    assert_eq!(rows(&day).len(), 48, "one event every 30 minutes");
    assert_eq!(rows(&week).len(), 120, "every seeded event within 3 days");
    assert!(week[0].get("apnConfig").is_none() && day[0].get("apnConfig").is_some());
    let detaches = json(
        &call(
            &client,
            "zcell_list_network_events",
            json!({"days": 3, "filter_by": {"eventType": "DETACH"}}),
        )
        .await,
    );
    assert_eq!(rows(&detaches).len(), 20);
}
