//! Tool calls end to end: the real rmcp client, the in-process transport, the real simulator.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use serde_json::{Value, json};
use zscaler_sim::{Fault, FaultKind};

#[tokio::test]
async fn read_tools_of_each_service_return_the_seeded_data() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let labels = json(&call(&client, "zia_list_rule_labels", json!({})).await);
    let names: Vec<&str> = labels
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Baseline") && names.contains(&"Compliance-PCI"),
        "{names:?}"
    );

    let groups = json(&call(&client, "zpa_list_segment_groups", json!({})).await);
    let groups = groups.as_array().expect("array");
    assert!(
        groups.iter().any(|g| g["name"] == "Finance Apps"),
        "{groups:?}"
    );
    assert!(
        groups.len() > 20,
        "fetch-all walks every page: {}",
        groups.len()
    );

    let apps = json(&call(&client, "zdx_list_applications", json!({})).await);
    assert!(apps.to_string().contains("Salesforce"), "{apps}");

    let traffic = call(&client, "zins_get_web_traffic_by_location", json!({})).await;
    assert!(!is_error(&traffic), "{}", text(&traffic));
}

#[tokio::test]
async fn jmespath_query_projects_the_result() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let result = call(
        &client,
        "zia_list_rule_labels",
        json!({"query": "[?name=='Baseline'].name"}),
    )
    .await;
    assert_eq!(json(&result), json!(["Baseline"]));
    let bad = call(
        &client,
        "zia_list_rule_labels",
        json!({"query": "[?name=="}),
    )
    .await;
    assert!(is_error(&bad), "{}", text(&bad));
    assert!(
        text(&bad).contains("zia_list_rule_labels"),
        "{}",
        text(&bad)
    );
}

#[tokio::test]
async fn invalid_arguments_are_refused_before_any_api_call() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    sim.clear_requests();
    let result = call(
        &client,
        "zia_get_rule_label",
        json!({"label_id": "not a number", "bogus": 1}),
    )
    .await;
    assert!(is_error(&result));
    assert!(
        text(&result).starts_with("Invalid arguments for zia_get_rule_label"),
        "{}",
        text(&result)
    );
    assert!(
        sim.requests()
            .iter()
            .all(|r| !r.path.contains("ruleLabels")),
        "no API call"
    );

    let unknown = call(&client, "zia_no_such_tool", json!({})).await;
    assert!(is_error(&unknown));
    assert!(text(&unknown).contains("Unknown tool: zia_no_such_tool"));
}

#[tokio::test]
async fn missing_credentials_are_named_in_the_error() {
    let client = connect(server_without_credentials(), plain_client()).await;
    let result = call(&client, "zia_list_rule_labels", json!({})).await;
    assert!(is_error(&result));
    let message = text(&result);
    assert!(
        message.contains("ZSCALER_CLIENT_ID") && message.contains("ZSCALER_CLIENT_SECRET"),
        "{message}"
    );
}

#[tokio::test]
async fn a_zia_write_is_readable_back_and_notes_the_staging() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let created = call(
        &client,
        "zia_create_rule_label",
        json!({"name": "From MCP", "description": "test"}),
    )
    .await;
    assert!(
        text(&created).ends_with(
            "Note: ZIA changes are staged; call zia_activate_configuration to apply them."
        )
    );
    let id = json(&created)["id"].as_i64().expect("id");
    let read = json(&call(&client, "zia_get_rule_label", json!({"label_id": id})).await);
    assert_eq!(read["name"], "From MCP");
    assert!(sim.zia_pending().await, "the write is staged");
    let activated = call(&client, "zia_activate_configuration", json!({})).await;
    assert!(
        !text(&activated).contains("Note: ZIA changes are staged"),
        "{}",
        text(&activated)
    );
}

#[tokio::test]
async fn a_zpa_segment_group_update_changes_the_group() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let groups = json(
        &call(
            &client,
            "zpa_list_segment_groups",
            json!({"query": "[?name=='HR Apps'].id"}),
        )
        .await,
    );
    let id = groups[0].as_str().expect("id").to_string();
    let updated = call(
        &client,
        "zpa_update_segment_group",
        json!({"group_id": id, "description": "Updated by MCP"}),
    )
    .await;
    assert!(!is_error(&updated), "{}", text(&updated));
    let read = json(&call(&client, "zpa_get_segment_group", json!({"group_id": id})).await);
    assert_eq!(read["description"], "Updated by MCP");
    assert_eq!(read["name"], "HR Apps");
}

#[tokio::test]
async fn url_lookup_results_carry_the_untrusted_label() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let result = call(&client, "zia_url_lookup", json!({"urls": ["google.com"]})).await;
    let body = text(&result);
    assert!(body.starts_with("[UNTRUSTED CONTENT: "), "{body}");
    assert!(json(&result).to_string().contains("google.com"));
    let labels = text(&call(&client, "zia_list_rule_labels", json!({})).await);
    assert!(!labels.contains("UNTRUSTED"));
}

#[tokio::test]
async fn rate_limits_and_server_errors_on_reads_are_retried() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    sim.inject_fault(Fault {
        kind: FaultKind::RateLimit {
            retry_after_secs: Some(0),
        },
        count: 1,
        path_prefix: Some("/zia/api/v1/ruleLabels".into()),
    });
    let after_429 = call(&client, "zia_list_rule_labels", json!({})).await;
    assert!(json(&after_429).to_string().contains("Baseline"));

    sim.inject_fault(Fault {
        kind: FaultKind::ServerError { status: 500 },
        count: 1,
        path_prefix: Some("/zia/api/v1/ruleLabels".into()),
    });
    sim.clear_requests();
    let after_500 = call(
        &client,
        "zia_get_rule_label",
        json!({"label_id": 3_318_280}),
    )
    .await;
    assert_eq!(json(&after_500)["name"], "Baseline");
    let statuses: Vec<u16> = sim
        .requests()
        .iter()
        .filter(|r| r.path.contains("ruleLabels"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![500, 200]);

    sim.inject_fault(Fault {
        kind: FaultKind::RateLimit {
            retry_after_secs: Some(0),
        },
        count: 50,
        path_prefix: Some("/zia/api/v1/ruleLabels".into()),
    });
    let exhausted = call(&client, "zia_list_rule_labels", json!({})).await;
    assert!(is_error(&exhausted));
    assert!(text(&exhausted).contains("429"), "{}", text(&exhausted));
    sim.clear_faults();
}

#[tokio::test]
async fn an_id_can_never_change_the_path() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    sim.clear_requests();
    let result = call(
        &client,
        "zia_get_url_category",
        json!({"category_id": "1/../../x"}),
    )
    .await;
    assert!(is_error(&result), "{}", text(&result));
    let requests = sim.requests();
    let api: Vec<_> = requests
        .iter()
        .filter(|r| !r.path.starts_with("/oauth2"))
        .collect();
    assert_eq!(api.len(), 1, "{api:?}");
    assert_eq!(api[0].path, "/zia/api/v1/urlCategories/1%2F..%2F..%2Fx");
    assert_eq!(api[0].status, 404);
    assert!(text(&result).contains("404"), "{}", text(&result));
}

#[tokio::test]
async fn url_categories_are_searched_and_matched_locally() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let found = json(
        &call(
            &client,
            "zia_list_url_categories",
            json!({"search": "approved saas"}),
        )
        .await,
    );
    let found = found.as_array().expect("array");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["configuredName"], "Acme Approved SaaS");

    let covering = json(
        &call(
            &client,
            "zia_list_url_categories",
            json!({"contains_url": "https://wiki.acme.com/x"}),
        )
        .await,
    );
    let covering = covering.as_array().expect("array");
    assert!(!covering.is_empty());
    assert!(
        covering
            .iter()
            .all(|row| row["_url_match"].as_array().is_some_and(|m| !m.is_empty()))
    );
    assert!(
        covering
            .iter()
            .any(|row| row["_url_match"] == json!([".acme.com"])),
        "{covering:?}"
    );
}

#[tokio::test]
async fn a_url_category_update_keeps_the_fields_not_given() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let ids = json(
        &call(
            &client,
            "zia_list_url_categories",
            json!({"custom_only": true, "query": "[?configuredName=='Acme Approved SaaS'].id"}),
        )
        .await,
    );
    let id = ids[0].as_str().expect("id").to_string();
    let before = json(&call(&client, "zia_get_url_category", json!({"category_id": id})).await);
    let updated = call(&client, "zia_update_url_category", json!({"category_id": id, "configured_name": "Acme Approved SaaS", "description": "New words"})).await;
    assert!(!is_error(&updated), "{}", text(&updated));
    let after = json(&call(&client, "zia_get_url_category", json!({"category_id": id})).await);
    assert_eq!(after["description"], "New words");
    assert_eq!(
        after["urls"], before["urls"],
        "untouched fields survive the PUT"
    );
}

#[tokio::test]
async fn zpa_policy_rules_list_and_read_in_the_v2_shape() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let rules = json(&call(&client, "zpa_list_access_policy_rules", json!({})).await);
    let rules = rules.as_array().expect("array");
    assert!(!rules.is_empty());
    let with_conditions = rules
        .iter()
        .find(|r| r["conditions"].as_array().is_some_and(|c| !c.is_empty()))
        .expect("a rule with conditions");
    let id = with_conditions["id"].as_str().expect("id").to_string();
    let rule = json(
        &call(
            &client,
            "zpa_get_access_policy_rule",
            json!({"rule_id": id}),
        )
        .await,
    );
    assert_eq!(rule["id"], Value::String(id));
    for condition in rule["conditions"].as_array().expect("conditions") {
        for operand in condition["operands"].as_array().expect("operands") {
            assert!(operand["object_type"].is_string(), "{operand}");
            assert!(
                operand.get("values").is_some() || operand.get("entry_values").is_some(),
                "{operand}"
            );
            assert!(operand.get("lhs").is_none());
        }
    }
}

#[tokio::test]
async fn a_fetch_all_stopped_by_the_bound_says_how_to_narrow() {
    let sim = start_sim().await;
    let server = zmcp_server::McpServer::new(zmcp_server::ServerConfig {
        max_list_items: 5,
        ..config_for(&sim)
    });
    let client = connect(server, plain_client()).await;
    let result = call(&client, "zpa_list_segment_groups", json!({})).await;
    assert_eq!(json(&result).as_array().map(Vec::len), Some(5));
    assert!(
        text(&result).contains("Note: the result stops at 5 records"),
        "{}",
        text(&result)
    );
    let one_page = call(
        &client,
        "zpa_list_segment_groups",
        json!({"page": 1, "page_size": 3}),
    )
    .await;
    assert!(
        !text(&one_page).contains("Note: the result stops"),
        "{}",
        text(&one_page)
    );
}
