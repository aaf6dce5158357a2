//! Every ZPA tool, called through MCP against the simulator: reads assert on the seeded
//! tenant, writes are read back through the matching get/list tool, deletes go through the
//! confirmation flow.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
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

/// Seeded identifiers the assertions rely on (see `zscaler-sim/src/seed/zpa*`).
const OKTA: &str = "216196257331285825";
const FIRST_SEGMENT_GROUP: &str = "216196257331290001";
const FIRST_CONNECTOR_GROUP: &str = "216196257331293001";
const FIRST_SERVER_GROUP: &str = "216196257331292001";
const CONNECTOR_CERT: &str = "216196257331283003";
const EU_MICROTENANT: &str = "216196257331300001";

async fn ok<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    tool: &str,
    args: Value,
) -> Value {
    json(&call(client, tool, args).await)
}

/// The records of a list result: every page's rows, or the `list` of a single page's envelope.
fn rows(value: &Value) -> &Vec<Value> {
    value
        .get("list")
        .unwrap_or(value)
        .as_array()
        .unwrap_or_else(|| panic!("expected a list, got {value}"))
}

fn names(value: &Value) -> Vec<String> {
    rows(value)
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn id_of(value: &Value) -> String {
    match &value["id"] {
        Value::String(id) => id.clone(),
        Value::Number(id) => id.to_string(),
        other => panic!("no id in {other}"),
    }
}

/// Deletes through confirmation, then proves the record is gone with the getter.
async fn delete_and_confirm_gone<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    delete: &str,
    get: &str,
    args: Value,
) {
    let done = delete_confirmed(client, delete, args.clone()).await;
    assert_eq!(json(&done)["success"], true, "{}", text(&done));
    let gone = call(client, get, args).await;
    assert!(is_error(&gone), "{get} still answers: {}", text(&gone));
    assert!(text(&gone).contains("404"), "{}", text(&gone));
}

// ------------------------------------------------------------------------- policy rules

struct Family {
    noun: &'static str,
    plural: &'static str,
    seeded_prefix: &'static str,
    action: &'static str,
}

const FAMILIES: [Family; 5] = [
    Family {
        noun: "access_policy_rule",
        plural: "access_policy_rules",
        seeded_prefix: "Allow",
        action: "DENY",
    },
    Family {
        noun: "timeout_policy_rule",
        plural: "timeout_policy_rules",
        seeded_prefix: "Reauth",
        action: "RE_AUTH",
    },
    Family {
        noun: "forwarding_policy_rule",
        plural: "forwarding_policy_rules",
        seeded_prefix: "Forward",
        action: "BYPASS",
    },
    Family {
        noun: "isolation_policy_rule",
        plural: "isolation_policy_rules",
        seeded_prefix: "Isolate",
        action: "ISOLATE",
    },
    Family {
        noun: "app_protection_rule",
        plural: "app_protection_rules",
        seeded_prefix: "Inspect",
        action: "INSPECT",
    },
];

#[tokio::test]
async fn policy_rules_of_every_family_list_create_update_and_delete() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let isolation = ok(
        &client,
        "get_zpa_isolation_profile",
        json!({"name": "default"}),
    )
    .await;
    let isolation_id = id_of(&rows(&isolation)[0]);
    let inspection = ok(
        &client,
        "get_zpa_app_protection_profile",
        json!({"name": "OWASP Strict"}),
    )
    .await;
    let inspection_id = id_of(&rows(&inspection)[0]);

    for family in &FAMILIES {
        let list = ok(&client, &format!("zpa_list_{}", family.plural), json!({})).await;
        assert!(
            names(&list)
                .iter()
                .all(|n| n.starts_with(family.seeded_prefix) || n.starts_with("Deny")),
            "{}: {:?}",
            family.plural,
            names(&list)
        );
        let seeded = ok(
            &client,
            &format!("zpa_get_{}", family.noun),
            json!({"rule_id": id_of(&rows(&list)[0])}),
        )
        .await;
        assert_eq!(
            seeded["conditions"][0]["operands"][0]["object_type"],
            "APP_GROUP"
        );
        assert_eq!(
            seeded["conditions"][0]["operands"][0]["values"],
            json!([FIRST_SEGMENT_GROUP])
        );

        let conditions = json!([{"operator": "OR", "operands": [
            {"object_type": "APP_GROUP", "values": [FIRST_SEGMENT_GROUP]},
            {"object_type": "SCIM_GROUP", "entry_values": [{"lhs": OKTA, "rhs": "3251060"}]}
        ]}]);
        let mut create = json!({"name": format!("MCP {}", family.noun), "action_type": family.action,
                                "description": "created by the test", "conditions": conditions});
        match family.noun {
            "access_policy_rule" => {
                create["app_connector_group_ids"] = json!([FIRST_CONNECTOR_GROUP])
            }
            "timeout_policy_rule" => {
                create["custom_msg"] = json!("Please sign in again");
                create["reauth_timeout"] = json!("172800");
                create.as_object_mut().unwrap().remove("action_type");
            }
            "isolation_policy_rule" => create["zpn_isolation_profile_id"] = json!(isolation_id),
            "app_protection_rule" => create["zpn_inspection_profile_id"] = json!(inspection_id),
            _ => {}
        }
        let created = ok(&client, &format!("zpa_create_{}", family.noun), create).await;
        let rule_id = id_of(&created);
        let read = ok(
            &client,
            &format!("zpa_get_{}", family.noun),
            json!({"rule_id": rule_id}),
        )
        .await;
        assert_eq!(read["action"], family.action, "{read}");
        assert_eq!(read["description"], "created by the test");
        let operands = &read["conditions"][0]["operands"];
        assert_eq!(
            operands[0],
            json!({"object_type": "APP_GROUP", "values": [FIRST_SEGMENT_GROUP]})
        );
        assert_eq!(
            operands[1],
            json!({"object_type": "SCIM_GROUP", "entry_values": [{"lhs": OKTA, "rhs": "3251060"}]})
        );
        match family.noun {
            "access_policy_rule" => {
                assert_eq!(read["appConnectorGroups"][0]["id"], FIRST_CONNECTOR_GROUP)
            }
            "timeout_policy_rule" => {
                assert_eq!(read["customMsg"], "Please sign in again");
                assert_eq!(read["reauthTimeout"], "172800");
            }
            "isolation_policy_rule" => {
                assert_eq!(read["zpnIsolationProfileId"], isolation_id.as_str())
            }
            "app_protection_rule" => {
                assert_eq!(read["zpnInspectionProfileId"], inspection_id.as_str())
            }
            _ => {}
        }
        let after = ok(&client, &format!("zpa_list_{}", family.plural), json!({})).await;
        assert_eq!(rows(&after).len(), rows(&list).len() + 1);

        let updated = ok(
            &client,
            &format!("zpa_update_{}", family.noun),
            json!({"rule_id": rule_id, "description": "updated by the test"}),
        )
        .await;
        assert_eq!(updated["description"], "updated by the test");
        assert_eq!(
            updated["name"],
            format!("MCP {}", family.noun),
            "untouched fields survive"
        );
        assert_eq!(
            updated["conditions"], read["conditions"],
            "conditions survive an update that omits them"
        );

        delete_and_confirm_gone(
            &client,
            &format!("zpa_delete_{}", family.noun),
            &format!("zpa_get_{}", family.noun),
            json!({"rule_id": rule_id}),
        )
        .await;
    }
    let bad = call(
        &client,
        "zpa_create_access_policy_rule",
        json!({"name": "Broken", "action_type": "ALLOW", "conditions": [{"operands": [{"values": ["1"]}]}]}),
    )
    .await;
    assert!(
        is_error(&bad) && text(&bad).contains("object_type"),
        "{}",
        text(&bad)
    );
}

// ------------------------------------------------------------------ application segments

#[tokio::test]
async fn application_segments_plain_browser_access_and_pra() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let plain = ok(
        &client,
        "zpa_list_application_segments",
        json!({"search": "Oracle Financials"}),
    )
    .await;
    assert_eq!(names(&plain), ["Oracle Financials"]);
    let ba = ok(
        &client,
        "zpa_list_application_segments_ba",
        json!({"search": "name+CONTAINS+Browser Access"}),
    )
    .await;
    assert_eq!(
        names(&ba),
        ["Intranet (Browser Access)", "Jira (Browser Access)"]
    );
    let ba_one = ok(
        &client,
        "zpa_get_application_segment_ba",
        json!({"segment_id": id_of(&rows(&ba)[0])}),
    )
    .await;
    assert_eq!(ba_one["clientlessApps"][0]["applicationProtocol"], "HTTPS");
    let pra = ok(
        &client,
        "zpa_list_application_segments_pra",
        json!({"search": "name+ENDSWITH+(PRA)"}),
    )
    .await;
    assert_eq!(rows(&pra).len(), 2);
    let pra_one = ok(
        &client,
        "zpa_get_application_segment_pra",
        json!({"segment_id": id_of(&rows(&pra)[0])}),
    )
    .await;
    assert_eq!(
        pra_one["commonAppsDto"]["appsConfig"][0]["applicationProtocol"],
        "SSH"
    );

    let by_type = ok(
        &client,
        "get_zpa_app_segments_by_type",
        json!({"application_type": "SECURE_REMOTE_ACCESS"}),
    )
    .await;
    let protocols: Vec<&str> = rows(&by_type)
        .iter()
        .map(|a| a["applicationProtocol"].as_str().unwrap())
        .collect();
    assert_eq!(protocols, ["SSH", "RDP"]);
    assert_eq!(rows(&by_type)[0]["appId"], id_of(&pra_one).as_str());
    let browser = ok(
        &client,
        "get_zpa_app_segments_by_type",
        json!({"application_type": "BROWSER_ACCESS", "page_size": 1}),
    )
    .await;
    assert_eq!(rows(&browser).len(), 1, "page_size takes one page");

    let variants = [
        ("", json!({})),
        (
            "_ba",
            json!({"clientless_app_ids": [{"name": "wiki.acme.com", "domain": "wiki.acme.com",
            "applicationPort": "443", "applicationProtocol": "HTTPS", "enabled": true}]}),
        ),
        (
            "_pra",
            json!({"common_apps_dto": {"appsConfig": [{"name": "ssh.acme.com", "domain": "ssh.acme.com",
            "applicationPort": "22", "applicationProtocol": "SSH", "appTypes": ["SECURE_REMOTE_ACCESS"], "enabled": true}]}}),
        ),
    ];
    for (suffix, extra) in variants {
        let mut create = json!({"name": format!("MCP segment{suffix}"), "segment_group_id": FIRST_SEGMENT_GROUP,
            "domain_names": [format!("mcp{suffix}.acme.com")], "server_group_ids": [FIRST_SERVER_GROUP],
            "tcp_port_ranges": ["443", "443"], "advanced": {"bypass_type": "ON_NET"}});
        create
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let created = ok(
            &client,
            &format!("zpa_create_application_segment{suffix}"),
            create,
        )
        .await;
        let id = id_of(&created);
        let get = format!("zpa_get_application_segment{suffix}");
        let read = ok(&client, &get, json!({"segment_id": id})).await;
        assert_eq!(read["tcpPortRange"], json!([{"from": "443", "to": "443"}]));
        assert_eq!(read["serverGroups"][0]["name"], "Finance Servers");
        assert_eq!(read["bypassType"], "ON_NET", "advanced fields are merged");
        match suffix {
            "_ba" => assert_eq!(read["clientlessApps"][0]["domain"], "wiki.acme.com"),
            "_pra" => assert_eq!(
                read["commonAppsDto"]["appsConfig"][0]["applicationPort"],
                "22"
            ),
            _ => {}
        }
        let updated = ok(
            &client,
            &format!("zpa_update_application_segment{suffix}"),
            json!({"segment_id": id, "description": "changed", "udp_port_ranges": ["53", "53"]}),
        )
        .await;
        assert_eq!(updated["description"], "changed");
        assert_eq!(updated["udpPortRange"], json!([{"from": "53", "to": "53"}]));
        assert_eq!(
            updated["domainNames"], read["domainNames"],
            "untouched fields survive"
        );
        delete_and_confirm_gone(
            &client,
            &format!("zpa_delete_application_segment{suffix}"),
            &get,
            json!({"segment_id": id}),
        )
        .await;
    }
}

// ------------------------------------------------------ connector groups and connectors

#[tokio::test]
async fn connector_groups_resolve_the_enrollment_certificate_by_name() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let created = ok(
        &client,
        "zpa_create_app_connector_group",
        json!({"name": "MCP Connectors", "latitude": "37.33874", "longitude": "-121.8852525",
               "location": "San Jose, CA, USA", "enrollment_cert_name": "connector",
               "upgrade_day": "FRIDAY", "dns_query_type": "IPV4"}),
    )
    .await;
    let id = id_of(&created);
    let read = ok(
        &client,
        "zpa_get_app_connector_group",
        json!({"group_id": id}),
    )
    .await;
    assert_eq!(read["enrollmentCertId"], CONNECTOR_CERT);
    assert_eq!(read["upgradeDay"], "FRIDAY");
    let updated = ok(
        &client,
        "zpa_update_app_connector_group",
        json!({"group_id": id, "enrollment_cert_name": "Root", "description": "moved"}),
    )
    .await;
    assert_eq!(updated["enrollmentCertId"], "216196257331283001");
    assert_eq!(
        updated["location"], "San Jose, CA, USA",
        "untouched fields survive"
    );
    let defaulted = ok(
        &client,
        "zpa_create_app_connector_group",
        json!({"name": "MCP Default Cert"}),
    )
    .await;
    assert_eq!(
        defaulted["enrollmentCertId"], CONNECTOR_CERT,
        "the Connector certificate by default"
    );
    let unknown = call(
        &client,
        "zpa_create_app_connector_group",
        json!({"name": "X", "enrollment_cert_name": "Nope"}),
    )
    .await;
    assert!(
        is_error(&unknown) && text(&unknown).contains("\"Nope\""),
        "{}",
        text(&unknown)
    );
    let groups = ok(
        &client,
        "zpa_list_app_connector_groups",
        json!({"search": "MCP Connectors"}),
    )
    .await;
    assert_eq!(names(&groups), ["MCP Connectors"]);
    delete_and_confirm_gone(
        &client,
        "zpa_delete_app_connector_group",
        "zpa_get_app_connector_group",
        json!({"group_id": id}),
    )
    .await;
}

#[tokio::test]
async fn connectors_update_delete_and_bulk_delete() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let all = ok(&client, "zpa_list_app_connectors", json!({})).await;
    assert_eq!(rows(&all).len(), 30, "every page is fetched");
    let ids: Vec<String> = rows(&all).iter().map(id_of).collect();
    let one = ok(
        &client,
        "zpa_get_app_connector",
        json!({"connector_id": ids[0]}),
    )
    .await;
    assert_eq!(one["name"], "san-connector-01");
    let updated = ok(
        &client,
        "zpa_update_app_connector",
        json!({"connector_id": ids[0], "enabled": false, "description": "maintenance"}),
    )
    .await;
    assert_eq!(updated["enabled"], false);
    assert_eq!(updated["name"], "san-connector-01");
    delete_and_confirm_gone(
        &client,
        "zpa_delete_app_connector",
        "zpa_get_app_connector",
        json!({"connector_id": ids[0]}),
    )
    .await;
    let bulk = delete_confirmed(
        &client,
        "zpa_bulk_delete_app_connectors",
        json!({"connector_ids": [ids[1], ids[2]]}),
    )
    .await;
    assert_eq!(json(&bulk)["success"], true, "{}", text(&bulk));
    let left = ok(&client, "zpa_list_app_connectors", json!({})).await;
    assert_eq!(rows(&left).len(), 27);
    assert!(rows(&left).iter().all(|c| !ids[..3].contains(&id_of(c))));
}

// ------------------------------------------------- server groups and application servers

#[tokio::test]
async fn server_groups_and_application_servers() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let servers = ok(&client, "zpa_list_application_servers", json!({})).await;
    assert_eq!(rows(&servers).len(), 36, "two pages at the default size");
    let first = ok(
        &client,
        "zpa_get_application_server",
        json!({"server_id": id_of(&rows(&servers)[0])}),
    )
    .await;
    assert_eq!(first["name"], "finance-srv-01");

    let group = ok(
        &client,
        "zpa_create_server_group",
        json!({"name": "MCP Servers", "app_connector_group_ids": [FIRST_CONNECTOR_GROUP], "dynamic_discovery": false}),
    )
    .await;
    let group_id = id_of(&group);
    let server = ok(
        &client,
        "zpa_create_application_server",
        json!({"name": "mcp-srv", "address": "10.9.9.9", "app_server_group_ids": [group_id]}),
    )
    .await;
    let server_id = id_of(&server);
    let moved = ok(
        &client,
        "zpa_update_application_server",
        json!({"server_id": server_id, "address": "10.9.9.10"}),
    )
    .await;
    assert_eq!(moved["address"], "10.9.9.10");
    assert_eq!(moved["appServerGroupIds"], json!([group_id]));

    let updated = ok(
        &client,
        "zpa_update_server_group",
        json!({"group_id": group_id, "server_ids": [server_id], "description": "static"}),
    )
    .await;
    assert_eq!(updated["description"], "static");
    assert_eq!(updated["servers"], json!([{"id": server_id}]));
    assert_eq!(
        updated["appConnectorGroups"][0]["name"], "San Jose DC",
        "read-modify-write keeps the groups"
    );
    let read = ok(
        &client,
        "zpa_get_server_group",
        json!({"group_id": group_id}),
    )
    .await;
    assert_eq!(read["dynamicDiscovery"], false);
    let listed = ok(
        &client,
        "zpa_list_server_groups",
        json!({"search": "MCP Servers"}),
    )
    .await;
    assert_eq!(names(&listed), ["MCP Servers"]);

    delete_and_confirm_gone(
        &client,
        "zpa_delete_application_server",
        "zpa_get_application_server",
        json!({"server_id": server_id}),
    )
    .await;
    delete_and_confirm_gone(
        &client,
        "zpa_delete_server_group",
        "zpa_get_server_group",
        json!({"group_id": group_id}),
    )
    .await;
}

// ---------------------------------------------------------------- service edges

#[tokio::test]
async fn service_edge_groups_and_service_edges() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let groups = ok(&client, "zpa_list_service_edge_groups", json!({})).await;
    assert_eq!(names(&groups)[0], "San Jose Service Edges");
    let group = ok(
        &client,
        "zpa_get_service_edge_group",
        json!({"group_id": id_of(&rows(&groups)[0])}),
    )
    .await;
    assert_eq!(group["serviceEdges"].as_array().map(Vec::len), Some(4));

    let created = ok(
        &client,
        "zpa_create_service_edge_group",
        json!({"name": "MCP Edges", "latitude": "52.37", "longitude": "4.90", "location": "Amsterdam, Netherlands",
               "is_public": false, "grace_distance_enabled": true, "grace_distance_value": 10.5,
               "grace_distance_value_unit": "KMS", "trusted_network_ids": ["216196257331287001"]}),
    )
    .await;
    let id = id_of(&created);
    let updated = ok(
        &client,
        "zpa_update_service_edge_group",
        json!({"group_id": id, "upgrade_day": "MONDAY"}),
    )
    .await;
    assert_eq!(updated["upgradeDay"], "MONDAY");
    assert_eq!(updated["graceDistanceValue"], 10.5);
    assert_eq!(
        updated["trustedNetworks"],
        json!([{"id": "216196257331287001"}])
    );
    delete_and_confirm_gone(
        &client,
        "zpa_delete_service_edge_group",
        "zpa_get_service_edge_group",
        json!({"group_id": id}),
    )
    .await;

    let edges = ok(&client, "zpa_list_service_edges", json!({})).await;
    assert_eq!(rows(&edges).len(), 24, "every page is fetched");
    let ids: Vec<String> = rows(&edges).iter().map(id_of).collect();
    let edge = ok(
        &client,
        "zpa_get_service_edge",
        json!({"service_edge_id": ids[0]}),
    )
    .await;
    assert_eq!(edge["name"], "san-pse-01");
    let renamed = ok(
        &client,
        "zpa_update_service_edge",
        json!({"service_edge_id": ids[0], "name": "san-pse-renamed"}),
    )
    .await;
    assert_eq!(renamed["name"], "san-pse-renamed");
    delete_and_confirm_gone(
        &client,
        "zpa_delete_service_edge",
        "zpa_get_service_edge",
        json!({"service_edge_id": ids[0]}),
    )
    .await;
    let bulk = delete_confirmed(
        &client,
        "zpa_bulk_delete_service_edges",
        json!({"service_edge_ids": [ids[1], ids[2]]}),
    )
    .await;
    assert_eq!(json(&bulk)["success"], true, "{}", text(&bulk));
    assert_eq!(
        rows(&ok(&client, "zpa_list_service_edges", json!({})).await).len(),
        21
    );
}

// ---------------------------------------- provisioning keys and enrollment certificates

#[tokio::test]
async fn provisioning_keys_and_enrollment_certificates() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let certs = ok(&client, "get_zpa_enrollment_certificate", json!({})).await;
    assert_eq!(
        names(&certs),
        [
            "Root",
            "Client",
            "Connector",
            "Service Edge",
            "Isolation Client"
        ]
    );
    let by_name = ok(
        &client,
        "get_zpa_enrollment_certificate",
        json!({"name": "Connector"}),
    )
    .await;
    assert_eq!(id_of(&rows(&by_name)[0]), CONNECTOR_CERT);
    let by_id = ok(
        &client,
        "get_zpa_enrollment_certificate",
        json!({"certificate_id": CONNECTOR_CERT}),
    )
    .await;
    assert_eq!(by_id["name"], "Connector");

    let connector_keys = ok(
        &client,
        "zpa_list_provisioning_keys",
        json!({"key_type": "CONNECTOR_GRP"}),
    )
    .await;
    assert_eq!(rows(&connector_keys).len(), 5);
    assert_eq!(rows(&connector_keys)[0]["zcomponentName"], "San Jose DC");
    let edge_keys = ok(
        &client,
        "zpa_list_provisioning_keys",
        json!({"key_type": "SERVICE_EDGE_GRP"}),
    )
    .await;
    assert_eq!(rows(&edge_keys).len(), 3);
    let one = ok(
        &client,
        "zpa_get_provisioning_key",
        json!({"key_type": "CONNECTOR_GRP", "key_id": id_of(&rows(&connector_keys)[0])}),
    )
    .await;
    assert_eq!(one["enrollmentCertName"], "Connector");
    let wrong_type = call(
        &client,
        "zpa_get_provisioning_key",
        json!({"key_type": "SERVICE_EDGE_GRP", "key_id": id_of(&one)}),
    )
    .await;
    assert!(
        is_error(&wrong_type),
        "a key is found only under its own type"
    );

    let created = ok(
        &client,
        "zpa_create_provisioning_key",
        json!({"name": "MCP Key", "key_type": "CONNECTOR_GRP", "max_usage": 3,
               "component_id": FIRST_CONNECTOR_GROUP, "enrollment_cert_id": CONNECTOR_CERT}),
    )
    .await;
    let key_id = id_of(&created);
    assert!(
        created["provisioningKey"]
            .as_str()
            .is_some_and(|k| k.starts_with("3|")),
        "{created}"
    );
    let updated = ok(
        &client,
        "zpa_update_provisioning_key",
        json!({"key_id": key_id, "key_type": "CONNECTOR_GRP", "max_usage": 7}),
    )
    .await;
    assert_eq!(updated["maxUsage"], 7);
    assert_eq!(updated["name"], "MCP Key");
    delete_and_confirm_gone(
        &client,
        "zpa_delete_provisioning_key",
        "zpa_get_provisioning_key",
        json!({"key_id": key_id, "key_type": "CONNECTOR_GRP"}),
    )
    .await;
}

// ------------------------------------------- PRA portals, credentials, BA certificates

#[tokio::test]
async fn browser_access_certificates_pra_portals_and_credentials() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let certs = ok(&client, "zpa_list_ba_certificates", json!({})).await;
    assert_eq!(
        names(&certs),
        [
            "intranet.acme.com",
            "wildcard.acme.com",
            "pra.acme.com",
            "jira.acme.com"
        ]
    );
    let cert = ok(&client, "zpa_create_ba_certificate", json!({"name": "mcp.acme.com", "cert_blob": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"})).await;
    let cert_id = id_of(&cert);
    let read = ok(
        &client,
        "zpa_get_ba_certificate",
        json!({"certificate_id": cert_id}),
    )
    .await;
    assert_eq!(read["name"], "mcp.acme.com");
    assert!(
        read.get("certBlob").is_none(),
        "the key material is never read back"
    );

    let portals = ok(&client, "zpa_list_pra_portals", json!({})).await;
    assert_eq!(names(&portals), ["Acme PRA Portal", "Vendor Access Portal"]);
    let portal = ok(
        &client,
        "zpa_get_pra_portal",
        json!({"portal_id": id_of(&rows(&portals)[0])}),
    )
    .await;
    assert_eq!(portal["certificateName"], "pra.acme.com");
    let created = ok(
        &client,
        "zpa_create_pra_portal",
        json!({"name": "MCP Portal", "domain": "mcp.acme.com"}),
    )
    .await;
    let portal_id = id_of(&created);
    assert_eq!(
        created["certificateId"],
        cert_id.as_str(),
        "the certificate named like the domain"
    );
    let updated = ok(&client, "zpa_update_pra_portal", json!({"portal_id": portal_id, "user_notification": "Recorded", "user_notification_enabled": true})).await;
    assert_eq!(updated["userNotification"], "Recorded");
    assert_eq!(updated["domain"], "mcp.acme.com");
    delete_and_confirm_gone(
        &client,
        "zpa_delete_pra_portal",
        "zpa_get_pra_portal",
        json!({"portal_id": portal_id}),
    )
    .await;
    delete_and_confirm_gone(
        &client,
        "zpa_delete_ba_certificate",
        "zpa_get_ba_certificate",
        json!({"certificate_id": cert_id}),
    )
    .await;

    let credentials = ok(&client, "zpa_list_pra_credentials", json!({})).await;
    assert_eq!(rows(&credentials).len(), 4);
    let seeded = ok(
        &client,
        "zpa_get_pra_credential",
        json!({"credential_id": id_of(&rows(&credentials)[0])}),
    )
    .await;
    assert_eq!(seeded["credentialType"], "SSH_KEY");
    let created = ok(
        &client,
        "zpa_create_pra_credential",
        json!({"name": "MCP Admin", "credential_type": "USERNAME_PASSWORD", "username": "admin", "password": "s3cret!"}),
    )
    .await;
    let credential_id = id_of(&created);
    assert!(
        !text(
            &call(
                &client,
                "zpa_get_pra_credential",
                json!({"credential_id": credential_id})
            )
            .await
        )
        .contains("s3cret!")
    );
    let updated = ok(
        &client,
        "zpa_update_pra_credential",
        json!({"credential_id": credential_id, "credential_type": "USERNAME_PASSWORD", "user_domain": "CORP"}),
    )
    .await;
    assert_eq!(updated["userDomain"], "CORP");
    assert_eq!(updated["userName"], "admin", "untouched fields survive");
    assert!(updated.get("password").is_none());
    delete_and_confirm_gone(
        &client,
        "zpa_delete_pra_credential",
        "zpa_get_pra_credential",
        json!({"credential_id": credential_id}),
    )
    .await;
}

// ------------------------------------------------------------ identity lookups and misc

#[tokio::test]
async fn identity_lookups_resolve_the_idp_by_name() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let all_saml = ok(&client, "get_zpa_saml_attribute", json!({})).await;
    assert_eq!(rows(&all_saml).len(), 8);
    let okta_saml = ok(
        &client,
        "get_zpa_saml_attribute",
        json!({"idp_name": "okta_users"}),
    )
    .await;
    assert_eq!(rows(&okta_saml).len(), 6);
    assert!(rows(&okta_saml).iter().all(|a| a["idpId"] == OKTA));
    let one_saml = ok(
        &client,
        "get_zpa_saml_attribute",
        json!({"idp_name": "Okta_Users", "search": "Email_Okta_Users"}),
    )
    .await;
    assert_eq!(names(&one_saml), ["Email_Okta_Users"]);
    let unknown = call(
        &client,
        "get_zpa_saml_attribute",
        json!({"idp_name": "Nope"}),
    )
    .await;
    assert!(
        is_error(&unknown) && text(&unknown).contains("\"Nope\""),
        "{}",
        text(&unknown)
    );

    let scim_attributes = ok(
        &client,
        "get_zpa_scim_attribute",
        json!({"idp_name": "Okta_Users"}),
    )
    .await;
    assert_eq!(names(&scim_attributes)[0], "userName");
    let attribute = ok(
        &client,
        "get_zpa_scim_attribute",
        json!({"idp_name": "Okta_Users", "attribute_id": id_of(&rows(&scim_attributes)[6])}),
    )
    .await;
    assert_eq!(attribute["name"], "department");

    let groups = ok(
        &client,
        "get_zpa_scim_group",
        json!({"idp_name": "Okta_Users"}),
    )
    .await;
    assert_eq!(
        rows(&groups).len(),
        25,
        "integer page counts are walked too"
    );
    assert_eq!(rows(&groups)[0]["id"], 3_251_059);
    let page = ok(
        &client,
        "get_zpa_scim_group",
        json!({"idp_name": "Okta_Users", "page": 2, "page_size": 20}),
    )
    .await;
    assert_eq!(rows(&page).len(), 5);
    let finance = ok(
        &client,
        "get_zpa_scim_group",
        json!({"idp_name": "Okta_Users", "search": "Finance"}),
    )
    .await;
    assert_eq!(names(&finance), ["Finance"]);
    let one = ok(
        &client,
        "get_zpa_scim_group",
        json!({"scim_group_id": "3251060"}),
    )
    .await;
    assert_eq!(one["name"], "Finance");
    let neither = call(&client, "get_zpa_scim_group", json!({})).await;
    assert!(
        is_error(&neither) && text(&neither).contains("idp_name"),
        "{}",
        text(&neither)
    );
}

#[tokio::test]
async fn profiles_networks_and_log_streaming() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let postures = ok(&client, "get_zpa_posture_profile", json!({})).await;
    assert_eq!(rows(&postures).len(), 6);
    let joined = ok(
        &client,
        "get_zpa_posture_profile",
        json!({"name": "Domain Joined"}),
    )
    .await;
    assert_eq!(rows(&joined)[0]["postureType"], "DOMAIN_JOINED_CHECK");
    let by_id = ok(
        &client,
        "get_zpa_posture_profile",
        json!({"profile_id": id_of(&rows(&joined)[0])}),
    )
    .await;
    assert_eq!(by_id["name"], "Domain Joined");
    let networks = ok(
        &client,
        "get_zpa_trusted_network",
        json!({"name": "Acme HQ Network"}),
    )
    .await;
    let network = ok(
        &client,
        "get_zpa_trusted_network",
        json!({"network_id": id_of(&rows(&networks)[0])}),
    )
    .await;
    assert!(network["networkId"].as_str().is_some_and(|n| n.len() == 36));
    assert_eq!(
        rows(&ok(&client, "get_zpa_trusted_network", json!({})).await).len(),
        5
    );
    let inspection = ok(&client, "get_zpa_app_protection_profile", json!({})).await;
    assert_eq!(
        names(&inspection),
        ["OWASP Baseline", "OWASP Strict", "API Protection"]
    );
    let isolation = ok(&client, "get_zpa_isolation_profile", json!({})).await;
    assert_eq!(rows(&isolation).len(), 3);
    let read_only = ok(
        &client,
        "get_zpa_isolation_profile",
        json!({"name": "READ ONLY"}),
    )
    .await;
    assert_eq!(names(&read_only), ["Read Only Isolation"]);

    let configs = ok(&client, "zpa_list_lss_configs", json!({})).await;
    assert_eq!(rows(&configs).len(), 3);
    let audit = ok(
        &client,
        "zpa_list_lss_configs",
        json!({"search": "Splunk Audit"}),
    )
    .await;
    let config = ok(
        &client,
        "zpa_get_lss_config",
        json!({"lss_config_id": id_of(&rows(&audit)[0])}),
    )
    .await;
    assert_eq!(config["config"]["sourceLogType"], "zpn_audit_log");

    let before = sim.requests().len();
    let types = ok(&client, "zpa_list_lss_log_types", json!({})).await;
    assert_eq!(
        sim.requests().len(),
        before,
        "the log types are a static catalog"
    );
    assert!(
        rows(&types)
            .iter()
            .any(|t| t["log_type"] == "user_activity" && t["code"] == "zpn_trans_log")
    );
    let format = ok(
        &client,
        "zpa_get_lss_log_format",
        json!({"log_type": "user_activity"}),
    )
    .await;
    assert!(
        format["csv"]
            .as_str()
            .is_some_and(|f| f.contains("LogTimestamp")),
        "{format}"
    );
    assert!(
        format["json"]
            .as_str()
            .is_some_and(|f| f.contains("SessionID")),
        "{format}"
    );
    let all_codes = ok(&client, "zpa_list_lss_status_codes", json!({})).await;
    assert!(all_codes.get("zpn_trans_log").is_some());
    let status = ok(
        &client,
        "zpa_list_lss_status_codes",
        json!({"log_type": "user_status"}),
    )
    .await;
    assert_eq!(status["ZPN_STATUS_AUTH_FAILED"], "Authentication failed");
    let clients = ok(&client, "zpa_list_lss_client_types", json!({})).await;
    assert_eq!(clients["client_connector"], "zpn_client_type_zapp");
}

// -------------------------------------------------- segment groups, scoping, completeness

#[tokio::test]
async fn segment_groups_crud_and_microtenant_scoping() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let eu = ok(
        &client,
        "zpa_list_segment_groups",
        json!({"microtenant_id": EU_MICROTENANT}),
    )
    .await;
    assert_eq!(rows(&eu).len(), 5);
    assert!(rows(&eu).iter().all(|g| g["microtenantName"] == "Acme EU"));
    let created = ok(
        &client,
        "zpa_create_segment_group",
        json!({"name": "MCP Group", "microtenant_id": EU_MICROTENANT}),
    )
    .await;
    let id = id_of(&created);
    assert_eq!(created["microtenantName"], "Acme EU");
    let hidden = call(
        &client,
        "zpa_get_segment_group",
        json!({"group_id": id, "microtenant_id": "0"}),
    )
    .await;
    assert!(is_error(&hidden), "another microtenant does not see it");
    let updated = ok(
        &client,
        "zpa_update_segment_group",
        json!({"group_id": id, "enabled": false, "microtenant_id": EU_MICROTENANT}),
    )
    .await;
    assert_eq!(
        (updated["enabled"].clone(), updated["name"].clone()),
        (json!(false), json!("MCP Group"))
    );
    let servers = ok(
        &client,
        "zpa_list_application_servers",
        json!({"microtenant_id": EU_MICROTENANT}),
    )
    .await;
    assert!(rows(&servers).is_empty(), "scoping applies to every list");
    let segments = ok(
        &client,
        "zpa_list_application_segments",
        json!({"microtenant_id": EU_MICROTENANT, "page": 1, "page_size": 3}),
    )
    .await;
    assert_eq!(rows(&segments).len(), 3);
    assert_eq!(
        ok(
            &client,
            "zpa_get_application_segment",
            json!({"segment_id": id_of(&rows(&segments)[0])})
        )
        .await["microtenantName"],
        "Acme EU"
    );
    delete_and_confirm_gone(
        &client,
        "zpa_delete_segment_group",
        "zpa_get_segment_group",
        json!({"group_id": id}),
    )
    .await;
}

/// Every ZPA tool of the catalog is exercised by a test above (by name, in this file).
#[test]
fn every_zpa_tool_is_called_here() {
    let source = include_str!("zpa_tools.rs");
    let catalog = zmcp_catalog::Catalog::builtin().unwrap();
    let zpa: Vec<&str> = catalog
        .tools()
        .iter()
        .filter(|t| t.service == zmcp_catalog::Service::Zpa)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(zpa.len(), 109);
    let family_generated = |name: &str| {
        FAMILIES.iter().any(|f| {
            ["list_", "get_", "create_", "update_", "delete_"]
                .iter()
                .any(|verb| {
                    let noun = if *verb == "list_" { f.plural } else { f.noun };
                    name == format!("zpa_{verb}{noun}")
                })
        })
    };
    let segment_generated = |name: &str| {
        ["", "_ba", "_pra"].iter().any(|suffix| {
            ["create", "update", "delete", "get"]
                .iter()
                .any(|verb| name == format!("zpa_{verb}_application_segment{suffix}"))
        })
    };
    let missing: Vec<&&str> = zpa
        .iter()
        .filter(|name| {
            !source.contains(&format!("\"{name}\""))
                && !family_generated(name)
                && !segment_generated(name)
        })
        .collect();
    assert!(missing.is_empty(), "not called: {missing:?}");
}
