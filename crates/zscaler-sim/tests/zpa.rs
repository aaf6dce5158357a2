//! ZPA: envelopes with string counts, the search grammar, statuses, microtenants, policy rules.
// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::start;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn pages_have_string_counts_and_cover_every_record_once() {
    let sim = start().await;
    let first = sim
        .get(&sim.zpa("/application?page=1&pagesize=20"))
        .await
        .json();
    let total: usize = first["totalCount"].as_str().unwrap().parse().unwrap();
    let pages: usize = first["totalPages"].as_str().unwrap().parse().unwrap();
    assert!(total >= 60 && pages >= 3, "{total} apps on {pages} pages");
    let mut ids = Vec::new();
    for page in 1..=pages {
        let body = sim
            .get(&sim.zpa(&format!("/application?page={page}&pagesize=20")))
            .await
            .json();
        for app in body["list"].as_array().unwrap() {
            assert!(app["id"].is_string() && app["modifiedTime"].is_string());
            ids.push(app["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(ids.len(), total);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total);
    let default = sim.get(&sim.zpa("/segmentGroup")).await.json();
    assert_eq!(
        default["list"].as_array().unwrap().len(),
        20,
        "default page size"
    );
    assert_eq!(default["totalCount"], "45");
    let too_big = sim.get(&sim.zpa("/segmentGroup?pagesize=501")).await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
    assert!(too_big.json()["id"].is_string());
}

#[tokio::test]
async fn search_grammar_with_encoded_plus_and_spaces() {
    let sim = start().await;
    let eq = sim
        .get(&sim.zpa("/segmentGroup?search=name%2BEQ%2BFinance%20Apps"))
        .await
        .json();
    assert_eq!(eq["totalCount"], "1");
    assert_eq!(eq["list"][0]["name"], "Finance Apps");
    let starts = sim
        .get(&sim.zpa("/segmentGroup?search=name%2BSTARTSWITH%2BFinance"))
        .await
        .json();
    assert_eq!(starts["totalCount"], "3");
    let ends = sim
        .get(&sim.zpa("/segmentGroup?search=name%2BENDSWITH%2B-%20APAC"))
        .await
        .json();
    assert_eq!(ends["totalCount"], "15");
    let ne = sim
        .get(&sim.zpa("/segmentGroup?search=name%2BNE%2BFinance%20Apps"))
        .await
        .json();
    assert_eq!(ne["totalCount"], "44");
    let contains = sim
        .get(&sim.zpa("/application?search=name%2BCONTAINS%2BSAP"))
        .await
        .json();
    assert!(
        contains["list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["name"].as_str().unwrap().contains("SAP"))
    );
    let bad = sim
        .get(&sim.zpa("/segmentGroup?search=name%2BLIKE%2Bx"))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn write_statuses_are_201_204_204() {
    let sim = start().await;
    let created = sim
        .call(
            Method::POST,
            &sim.zpa("/segmentGroup"),
            Some(json!({"name": "Payments", "description": "PCI", "enabled": true})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let updated = sim
        .call(
            Method::PUT,
            &sim.zpa_v2(&format!("/segmentGroup/{id}")),
            Some(json!({"name": "Payments", "description": "PCI DSS"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT);
    assert!(updated.text.is_empty());
    let read = sim
        .get(&sim.zpa(&format!("/segmentGroup/{id}")))
        .await
        .json();
    assert_eq!(read["description"], "PCI DSS");
    let deleted = sim
        .call(
            Method::DELETE,
            &sim.zpa(&format!("/segmentGroup/{id}")),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = sim.get(&sim.zpa(&format!("/segmentGroup/{id}"))).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.json()["id"], "resource.not.found");
}

#[tokio::test]
async fn customer_id_must_match_and_extra_customer_param_is_tolerated() {
    let sim = start().await;
    let wrong = sim
        .get("/zpa/mgmtconfig/v1/admin/customers/123/segmentGroup")
        .await;
    assert!(wrong.status.is_client_error());
    assert!(wrong.json()["id"].is_string());
    let cid = sim.handle.customer_id().to_owned();
    let extra = sim
        .get(&sim.zpa(&format!("/segmentGroup?customerId={cid}")))
        .await;
    assert_eq!(extra.status, StatusCode::OK);
}

#[tokio::test]
async fn microtenant_scoping_filters_lists() {
    let sim = start().await;
    let all: usize = sim.get(&sim.zpa("/segmentGroup")).await.json()["totalCount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let eu = sim
        .get(&sim.zpa("/segmentGroup?microtenantId=216196257331300001"))
        .await
        .json();
    let eu_count: usize = eu["totalCount"].as_str().unwrap().parse().unwrap();
    assert!(eu_count > 0 && eu_count < all);
    assert!(
        eu["list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["microtenantId"] == "216196257331300001")
    );
    let default: usize = sim
        .get(&sim.zpa("/segmentGroup?microtenantId=0"))
        .await
        .json()["totalCount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(default + eu_count, all);
}

#[tokio::test]
async fn application_create_and_force_delete() {
    let sim = start().await;
    let group = sim.get(&sim.zpa("/segmentGroup")).await.json()["list"][0]["id"].clone();
    let created = sim
        .call(
            Method::POST,
            &sim.zpa("/application"),
            Some(json!({"name": "grafana.acme.com", "domainNames": ["grafana.acme.com"], "segmentGroupId": group, "tcpPortRanges": ["3000", "3000"]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        created.json()["tcpPortRange"],
        json!([{"from": "3000", "to": "3000"}])
    );
    let missing_group = sim
        .call(
            Method::POST,
            &sim.zpa("/application"),
            Some(json!({"name": "x", "domainNames": ["x"], "segmentGroupId": "1"})),
        )
        .await;
    assert!(missing_group.status.is_client_error());

    // The first seeded app is used by an access rule: plain delete is refused, forceDelete works.
    let rules = sim
        .get(&sim.zpa("/policySet/rules/policyType/ACCESS_POLICY?pagesize=500"))
        .await
        .json();
    let set_id = rules["list"][0]["policySetId"].as_str().unwrap().to_owned();
    let app = sim.get(&sim.zpa("/application")).await.json()["list"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rule = sim
        .call(
            Method::POST,
            &sim.zpa_v2(&format!("/policySet/{set_id}/rule")),
            Some(json!({"name": "Use app", "action": "ALLOW", "conditions": [{"operator": "OR", "operands": [{"objectType": "APP", "values": [app]}]}]})),
        )
        .await;
    assert_eq!(rule.status, StatusCode::CREATED);
    let refused = sim
        .call(
            Method::DELETE,
            &sim.zpa(&format!("/application/{app}")),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let forced = sim
        .call(
            Method::DELETE,
            &sim.zpa(&format!("/application/{app}?forceDelete=true")),
            None,
        )
        .await;
    assert_eq!(forced.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn policy_rules_v2_in_v1_out_with_fresh_condition_ids() {
    let sim = start().await;
    let set = sim
        .get(&sim.zpa("/policySet/policyType/ACCESS_POLICY"))
        .await
        .json();
    let set_id = set["id"].as_str().unwrap().to_owned();
    assert_eq!(set["policyType"], "1");
    let seeded = sim
        .get(&sim.zpa("/policySet/rules/policyType/ACCESS_POLICY"))
        .await
        .json();
    assert_eq!(seeded["totalCount"], "40");

    let group = sim.get(&sim.zpa("/segmentGroup")).await.json()["list"][0]["id"].clone();
    let body = json!({
        "name": "Engineers to Finance", "action": "ALLOW",
        "conditions": [
            {"operator": "OR", "operands": [{"objectType": "APP_GROUP", "values": [group]},
                                            {"objectType": "CLIENT_TYPE", "values": ["zpn_client_type_zapp"]}]},
            {"operator": "OR", "operands": [{"objectType": "SCIM_GROUP", "entryValues": [{"lhs": "216196257331285825", "rhs": "3251059"}]}]}
        ]
    });
    let created = sim
        .call(
            Method::POST,
            &sim.zpa_v2(&format!("/policySet/{set_id}/rule")),
            Some(body.clone()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let rule_id = created.json()["id"].as_str().unwrap().to_owned();
    let path = sim.zpa(&format!("/policySet/{set_id}/rule/{rule_id}"));
    let read = sim.get(&path).await.json();
    assert_eq!(read["ruleOrder"], "41");
    let operands: Vec<Value> = read["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["operands"].as_array().unwrap().clone())
        .collect();
    assert_eq!(operands.len(), 3);
    assert_eq!(operands[0]["lhs"], "id");
    assert_eq!(operands[0]["rhs"], group);
    assert_eq!(operands[1]["name"], "zpn_client_type_zapp");
    assert_eq!(operands[2]["idpId"], "216196257331285825");
    assert_eq!(operands[2]["rhs"], "3251059");
    let first_condition_id = read["conditions"][0]["id"].clone();

    let updated = sim
        .call(
            Method::PUT,
            &sim.zpa_v2(&format!("/policySet/{set_id}/rule/{rule_id}")),
            Some(body),
        )
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT);
    let reread = sim.get(&path).await.json();
    assert_ne!(
        reread["conditions"][0]["id"], first_condition_id,
        "condition ids regenerate on PUT"
    );

    let bad_action = sim
        .call(
            Method::POST,
            &sim.zpa_v2(&format!("/policySet/{set_id}/rule")),
            Some(json!({"name": "x", "action": "ISOLATE"})),
        )
        .await;
    assert_eq!(bad_action.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        sim.call(Method::DELETE, &path, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(sim.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn connectors_and_groups_are_seeded() {
    let sim = start().await;
    let connectors = sim.get(&sim.zpa("/connector?pagesize=100")).await.json();
    assert_eq!(connectors["totalCount"], "30");
    let groups = sim.get(&sim.zpa("/appConnectorGroup")).await.json();
    let first = &groups["list"][0];
    assert_eq!(first["name"], "San Jose DC");
    assert!(first["connectors"].as_array().unwrap().len() >= 2);
    let servers = sim.get(&sim.zpa("/serverGroup")).await.json();
    assert!(
        servers["totalCount"]
            .as_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            >= 20
    );
    assert_eq!(
        sim.call(
            Method::POST,
            &sim.zpa("/connector"),
            Some(json!({"name": "x"}))
        )
        .await
        .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn scim_groups_count_with_integers_and_numeric_ids() {
    let sim = start().await;
    let idp = "216196257331285825";
    let path = format!(
        "/zpa/userconfig/v1/customers/{}/scimgroup/idpId/{idp}?page=2",
        sim.handle.customer_id()
    );
    let page = sim.get(&path).await.json();
    assert_eq!(page["totalPages"], 2);
    assert_eq!(page["totalCount"], 25);
    let groups = page["list"].as_array().unwrap();
    assert_eq!(groups.len(), 5);
    assert!(
        groups
            .iter()
            .all(|g| g["id"].is_u64() && g["idpId"].is_u64())
    );
    let other_idp = format!(
        "/zpa/userconfig/v1/customers/{}/scimgroup/idpId/216196257331285826",
        sim.handle.customer_id()
    );
    assert_eq!(sim.get(&other_idp).await.json()["totalCount"], 0);
}

#[tokio::test]
async fn new_resources_answer_201_204_and_hide_write_only_fields() {
    let sim = start().await;
    let created = sim
        .call(
            Method::POST,
            &sim.zpa("/credential"),
            Some(json!({"name": "Ops", "credentialType": "PASSWORD", "password": "p@ss"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert!(!created.text.contains("p@ss"));
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let updated = sim
        .call(
            Method::PUT,
            &sim.zpa(&format!("/credential/{id}")),
            Some(json!({"description": "rotated"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT);
    let read = sim.get(&sim.zpa(&format!("/credential/{id}"))).await;
    assert_eq!(read.json()["description"], "rotated");
    assert!(!read.text.contains("p@ss"));
    let missing_field = sim
        .call(
            Method::POST,
            &sim.zpa("/server"),
            Some(json!({"name": "srv"})),
        )
        .await;
    assert_eq!(missing_field.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing_field.json()["reason"], "address is required");
    let read_only = sim
        .call(
            Method::POST,
            &sim.zpa_v2("/posture"),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(read_only.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn provisioning_keys_live_under_their_association_type() {
    let sim = start().await;
    let connector = sim
        .get(&sim.zpa("/associationType/CONNECTOR_GRP/provisioningKey"))
        .await
        .json();
    assert_eq!(connector["totalCount"], "5");
    let key = &connector["list"][0];
    assert_eq!(key["associationType"], "CONNECTOR_GRP");
    assert_eq!(key["enrollmentCertName"], "Connector");
    let id = key["id"].as_str().unwrap();
    let elsewhere = sim
        .get(&sim.zpa(&format!(
            "/associationType/SERVICE_EDGE_GRP/provisioningKey/{id}"
        )))
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let bad_type = sim
        .get(&sim.zpa("/associationType/NOPE/provisioningKey"))
        .await;
    assert_eq!(bad_type.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bulk_delete_is_all_or_nothing() {
    let sim = start().await;
    let edges = sim.get(&sim.zpa("/serviceEdge?pagesize=500")).await.json();
    let first = edges["list"][0]["id"].as_str().unwrap().to_owned();
    let refused = sim
        .call(
            Method::POST,
            &sim.zpa("/serviceEdge/bulkDelete"),
            Some(json!({"ids": [first, "1"]})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        sim.get(&sim.zpa(&format!("/serviceEdge/{first}")))
            .await
            .status,
        StatusCode::OK
    );
    let done = sim
        .call(
            Method::POST,
            &sim.zpa("/serviceEdge/bulkDelete"),
            Some(json!({"ids": [first]})),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sim.get(&sim.zpa(&format!("/serviceEdge/{first}")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn isolation_profiles_and_lss_catalogs() {
    let sim = start().await;
    let profiles = sim
        .get(&format!(
            "/zpa/cbiconfig/cbi/api/customers/{}/profiles",
            sim.handle.customer_id()
        ))
        .await
        .json();
    assert_eq!(profiles.as_array().map(Vec::len), Some(3), "a bare array");
    let formats = sim
        .get(&sim.zpa_v2("/lssConfig/logType/formats?logType=zpn_audit_log"))
        .await
        .json();
    assert!(
        formats["tsv"]
            .as_str()
            .unwrap()
            .contains("%s{AuditOperationType}")
    );
    let unknown = sim
        .get(&sim.zpa_v2("/lssConfig/logType/formats?logType=nope"))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let codes = sim
        .get("/zpa/mgmtconfig/v2/admin/lssConfig/statusCodes")
        .await
        .json();
    assert!(codes["zpn_auth_log"]["ZPN_STATUS_AUTHENTICATED"].is_string());
    let types = sim
        .get(&format!(
            "/zpa/mgmtconfig/v2/admin/lssConfig/customers/{}/clientTypes",
            sim.handle.customer_id()
        ))
        .await
        .json();
    assert_eq!(types["zpn_client_type_zapp"], "Client Connector");
}
