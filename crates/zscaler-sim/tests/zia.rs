//! ZIA: staging and activation, paging, CRUD statuses and error bodies, URL categories.
// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::start;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn status(sim: &common::Sim) -> String {
    sim.get("/zia/api/v1/status").await.json()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn writes_stage_until_activation_or_session_end() {
    let sim = start().await;
    assert_eq!(status(&sim).await, "ACTIVE");
    let created = sim
        .call(
            Method::POST,
            "/zia/api/v1/ruleLabels",
            Some(json!({"name": "Audit-2026"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "ZIA POST answers 200");
    assert!(created.json()["id"].is_i64());
    assert_eq!(status(&sim).await, "PENDING");
    assert!(sim.handle.zia_pending().await);
    let activated = sim
        .call(Method::POST, "/zia/api/v1/status/activate", Some(json!({})))
        .await;
    assert_eq!(activated.json(), json!({"status": "ACTIVE"}));
    assert_eq!(status(&sim).await, "ACTIVE");

    let id = created.json()["id"].as_i64().unwrap();
    let deleted = sim
        .call(
            Method::DELETE,
            &format!("/zia/api/v1/ruleLabels/{id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(status(&sim).await, "PENDING");
    let ended = sim
        .call(Method::DELETE, "/zia/api/v1/authenticatedSession", None)
        .await;
    assert_eq!(ended.status, StatusCode::OK);
    assert_eq!(status(&sim).await, "ACTIVE");
}

#[tokio::test]
async fn users_page_through_bare_arrays() {
    let sim = start().await;
    let mut seen = Vec::new();
    for page in 1.. {
        let reply = sim
            .get(&format!("/zia/api/v1/users?page={page}&pageSize=100"))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let items = reply.json().as_array().unwrap().clone();
        seen.extend(items.iter().map(|u| u["id"].as_i64().unwrap()));
        if items.len() < 100 {
            break;
        }
    }
    assert_eq!(seen.len(), 250);
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 250, "no user appears on two pages");
    let bad = sim.get("/zia/api/v1/users?page=0").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["code"], "INVALID_INPUT_ARGUMENT");
}

#[tokio::test]
async fn user_filters_are_starts_with_and_search_is_substring() {
    let sim = start().await;
    let finance = sim
        .get("/zia/api/v1/users?dept=Fin&pageSize=1000")
        .await
        .json();
    assert!(!finance.as_array().unwrap().is_empty());
    assert!(
        finance
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["department"]["name"] == "Finance")
    );
    let janes = sim.get("/zia/api/v1/users?name=Jane").await.json();
    assert!(
        janes
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["name"].as_str().unwrap().starts_with("Jane"))
    );
    let one = &janes[0];
    let by_id = sim.get(&format!("/zia/api/v1/users/{}", one["id"])).await;
    assert_eq!(&by_id.json(), one);
    let search = sim.get("/zia/api/v1/locations?search=office").await.json();
    assert!(search.as_array().unwrap().len() > 3);
    assert!(
        search
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["name"].as_str().unwrap().contains("Office"))
    );
}

#[tokio::test]
async fn crud_errors_have_zia_bodies() {
    let sim = start().await;
    let missing = sim.get("/zia/api/v1/urlFilteringRules/424242").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["code"], "RESOURCE_NOT_FOUND");

    let invalid = sim
        .call(
            Method::POST,
            "/zia/api/v1/urlFilteringRules",
            Some(json!({"description": "no name"})),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.json()["code"], "INVALID_INPUT_ARGUMENT");

    let rules = sim.get("/zia/api/v1/firewallFilteringRules").await.json();
    let existing = rules[0]["name"].as_str().unwrap();
    let duplicate = sim
        .call(
            Method::POST,
            "/zia/api/v1/firewallFilteringRules",
            Some(json!({"name": existing, "order": 1, "action": "ALLOW"})),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.json()["code"], "DUPLICATE_ITEM");

    let rule = sim
        .call(
            Method::POST,
            "/zia/api/v1/urlFilteringRules",
            Some(json!({"name": "Block Crypto", "order": 9, "action": "BLOCK", "urlCategories": ["GAMBLING"]})),
        )
        .await
        .json();
    assert_eq!(rule["state"], "ENABLED", "server defaults are filled in");
    let id = rule["id"].as_i64().unwrap();
    let updated = sim
        .call(
            Method::PUT,
            &format!("/zia/api/v1/urlFilteringRules/{id}"),
            Some(json!({"name": "Block Crypto", "order": 9, "action": "CAUTION"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.json()["action"], "CAUTION");
}

#[tokio::test]
async fn path_traversal_in_an_id_is_just_a_missing_record() {
    let sim = start().await;
    let reply = sim.get("/zia/api/v1/ruleLabels/..%2F..%2Fx").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["code"], "RESOURCE_NOT_FOUND");
    let log = sim.handle.requests();
    assert_eq!(
        log.last().unwrap().path,
        "/zia/api/v1/ruleLabels/..%2F..%2Fx"
    );
}

#[tokio::test]
async fn url_categories_custom_and_incremental_edits() {
    let sim = start().await;
    let all = sim.get("/zia/api/v1/urlCategories").await.json();
    let custom = sim
        .get("/zia/api/v1/urlCategories?customOnly=true")
        .await
        .json();
    assert!(all.as_array().unwrap().len() > custom.as_array().unwrap().len());
    assert!(
        custom
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["customCategory"] == true)
    );
    let counts = sim
        .get("/zia/api/v1/urlCategories?includeOnlyUrlKeywordCounts=true")
        .await
        .json();
    assert!(counts[0].get("urls").is_none() && counts[0].get("customUrlsCount").is_some());

    let created = sim
        .call(
            Method::POST,
            "/zia/api/v1/urlCategories",
            Some(json!({"configuredName": "Partner Portals", "superCategory": "USER_DEFINED", "urls": ["partner.example"]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("CUSTOM_"));

    let path = format!("/zia/api/v1/urlCategories/{id}");
    let added = sim
        .call(
            Method::PUT,
            &format!("{path}?action=ADD_TO_LIST"),
            Some(json!({"urls": ["b.example"]})),
        )
        .await
        .json();
    assert_eq!(added["urls"], json!(["partner.example", "b.example"]));
    let removed = sim
        .call(
            Method::PUT,
            &format!("{path}?action=REMOVE_FROM_LIST"),
            Some(json!({"urls": ["partner.example"]})),
        )
        .await
        .json();
    assert_eq!(removed["urls"], json!(["b.example"]));
    let replaced = sim
        .call(Method::PUT, &path, Some(json!({"configuredName": "Partner Portals", "superCategory": "USER_DEFINED", "urls": ["c.example"]})))
        .await
        .json();
    assert_eq!(replaced["urls"], json!(["c.example"]));
    assert_eq!(replaced["id"], json!(id));

    let predefined = sim
        .call(Method::DELETE, "/zia/api/v1/urlCategories/WEB_SEARCH", None)
        .await;
    assert!(predefined.status.is_client_error());
    assert!(predefined.json()["code"].is_string());
    assert_eq!(
        sim.call(Method::DELETE, &path, None).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn url_lookup_classifies_and_bounds_input() {
    let sim = start().await;
    let reply = sim
        .call(
            Method::POST,
            "/zia/api/v1/urlLookup",
            Some(json!([
                "www.google.com",
                "secure-paypa1.example",
                "unknown.example"
            ])),
        )
        .await
        .json();
    assert_eq!(reply[0]["urlClassifications"], json!(["WEB_SEARCH"]));
    assert_eq!(
        reply[1]["urlClassificationsWithSecurityAlert"],
        json!(["PHISHING"])
    );
    assert_eq!(
        reply[2]["urlClassifications"],
        json!(["MISCELLANEOUS_OR_UNKNOWN"])
    );
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!(format!("site{i}.example")))
        .collect();
    let refused = sim
        .call(
            Method::POST,
            "/zia/api/v1/urlLookup",
            Some(Value::Array(too_many)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn locations_and_groups_are_seeded_realistically() {
    let sim = start().await;
    let locations = sim.get("/zia/api/v1/locations").await.json();
    let hq = &locations[0];
    assert_eq!(hq["name"], "San Jose HQ");
    assert_eq!(hq["tz"], "UNITED_STATES_AMERICA_LOS_ANGELES");
    assert!(hq.get("dynamiclocationGroups").is_some());
    let groups = sim.get("/zia/api/v1/locations/groups").await.json();
    let first = groups[0]["id"].as_i64().unwrap();
    let group = sim
        .get(&format!("/zia/api/v1/locations/groups/{first}"))
        .await;
    assert_eq!(group.json()["id"], first);
    assert_eq!(
        sim.get("/zia/api/v1/locations/groups/1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn put_replaces_the_whole_resource() {
    let sim = start().await;
    let protocols = "/zia/api/v1/cyberThreatProtection/atpMalwareProtocols";
    assert_eq!(sim.get(protocols).await.json()["inspectHttp"], true);
    let replaced = sim
        .call(Method::PUT, protocols, Some(json!({"inspectFtp": true})))
        .await;
    assert_eq!(replaced.status, StatusCode::OK);
    assert_eq!(
        replaced.json(),
        json!({"inspectHttp": false, "inspectFtpOverHttp": false, "inspectFtp": true}),
        "fields left out reset"
    );
    let unknown = sim
        .call(Method::PUT, protocols, Some(json!({"inspectGopher": true})))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    let interval = "/zia/api/v1/timeIntervals/2100001";
    let partial = sim
        .call(
            Method::PUT,
            interval,
            Some(json!({"name": "Business Hours", "startTime": 500})),
        )
        .await;
    assert_eq!(partial.status, StatusCode::BAD_REQUEST);
    assert_eq!(partial.json()["code"], "INVALID_INPUT_ARGUMENT");
}

#[tokio::test]
async fn traffic_forwarding_keeps_static_ips_and_tunnels_consistent() {
    let sim = start().await;
    let orphan = sim
        .call(
            Method::POST,
            "/zia/api/v1/greTunnels",
            Some(json!({"sourceIp": "203.0.113.250", "ipUnnumbered": true})),
        )
        .await;
    assert_eq!(orphan.status, StatusCode::BAD_REQUEST, "unknown static IP");
    let in_use = sim
        .call(Method::DELETE, "/zia/api/v1/staticIP/5100001", None)
        .await;
    assert_eq!(in_use.status, StatusCode::BAD_REQUEST, "a tunnel uses it");
    let duplicate = sim
        .call(
            Method::POST,
            "/zia/api/v1/staticIP",
            Some(json!({"ipAddress": "198.51.100.10"})),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.json()["code"], "DUPLICATE_ITEM");
    let secret = sim
        .call(
            Method::POST,
            "/zia/api/v1/vpnCredentials",
            Some(json!({"type": "UFQDN", "fqdn": "x@acme.com", "preSharedKey": "hunter2"})),
        )
        .await;
    assert!(secret.json().get("preSharedKey").is_none(), "write-only");
}

#[tokio::test]
async fn lists_page_as_bare_arrays_and_read_only_inventories_refuse_writes() {
    let sim = start().await;
    let page = sim
        .get("/zia/api/v1/deviceGroups/devices?page=3&pageSize=100")
        .await;
    assert_eq!(page.json().as_array().unwrap().len(), 50, "250 devices");
    let refused = sim
        .call(
            Method::POST,
            "/zia/api/v1/dlpEngines",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
    let app_rule = sim
        .get("/zia/api/v1/webApplicationRules/WEBMAIL/1700701")
        .await;
    assert_eq!(
        app_rule.status,
        StatusCode::NOT_FOUND,
        "a streaming rule is not a webmail rule"
    );
}
