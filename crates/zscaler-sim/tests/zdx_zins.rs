//! ZDX cursors and windows, and the Z-Insights GraphQL endpoint.
// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::HashSet;

use common::start;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn device_cursor_walk_covers_every_device_exactly_once() {
    let sim = start().await;
    let mut seen = HashSet::new();
    let mut calls = 0;
    let mut offset: Option<String> = None;
    loop {
        let path = match &offset {
            Some(o) => format!("/zdx/v1/devices?limit=25&offset={o}"),
            None => "/zdx/v1/devices?limit=25".to_owned(),
        };
        let body = sim.get(&path).await.json();
        calls += 1;
        for device in body["devices"].as_array().unwrap() {
            assert!(
                seen.insert(device["id"].as_i64().unwrap()),
                "device listed twice"
            );
        }
        match body["next_offset"].as_str() {
            Some(next) if !next.is_empty() => offset = Some(next.to_owned()),
            _ => break,
        }
    }
    assert_eq!(seen.len(), 120);
    assert_eq!(calls, 5);
    let default = sim.get("/zdx/v1/devices").await.json();
    assert_eq!(default["devices"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn device_filters_and_detail() {
    let sim = start().await;
    let first = sim.get("/zdx/v1/devices?limit=1").await.json()["devices"][0].clone();
    let detail = sim
        .get(&format!("/zdx/v1/devices/{}", first["id"]))
        .await
        .json();
    assert_eq!(detail["id"], first["id"]);
    assert!(detail["hardware"]["hw_model"].is_string());
    assert!(detail["network"][0]["ipv4"].is_string());
    let email = detail["user"]["email"].as_str().unwrap().to_owned();
    let by_email = sim
        .get(&format!("/zdx/v1/devices?emails={email}"))
        .await
        .json();
    assert_eq!(by_email["devices"], json!([first]));
    assert!(by_email["next_offset"].is_null());
    let by_dept = sim
        .get("/zdx/v1/devices?dept=68759302&limit=500")
        .await
        .json();
    let n = by_dept["devices"].as_array().unwrap().len();
    assert!(n > 0 && n < 120);
    assert_eq!(
        sim.get("/zdx/v1/devices/1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn time_windows_are_validated() {
    let sim = start().await;
    let bad = sim.get("/zdx/v1/apps?from=2000&to=1000").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        sim.get("/zdx/v1/devices?from=abc").await.status,
        StatusCode::BAD_REQUEST
    );
    let apps = sim.get("/zdx/v1/apps?from=1000&to=2000").await.json();
    let app = &apps[0];
    assert!(app["most_impacted_region"]["country"].is_string());
    assert!(app["total_users"].is_i64());
    let score = sim
        .get(&format!(
            "/zdx/v1/apps/{}/score?from=1699900000&to=1699907200",
            app["id"]
        ))
        .await
        .json();
    assert_eq!(score["metric"], "score");
    let points = score["datapoints"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    assert!(
        points
            .iter()
            .all(|p| (1_699_900_000..=1_699_907_200).contains(&p["timestamp"].as_i64().unwrap()))
    );
    let metrics = sim
        .get(&format!(
            "/zdx/v1/apps/{}/metrics?metric_name=pft",
            app["id"]
        ))
        .await
        .json();
    assert_eq!(metrics.as_array().unwrap().len(), 1);
    assert_eq!(metrics[0]["unit"], "ms");
}

const BY_LOCATION: &str = "query WebTrafficByLocation($startTime: Long!, $endTime: Long!, $trafficUnit: String, $limit: Int) {
  WEB_TRAFFIC(start_time: $startTime, end_time: $endTime, traffic_unit: $trafficUnit) {
    location(limit: $limit) { entries { name total } } } }";
const THREATS: &str = "query WebThreatSuperCategories($startTime: Long!, $endTime: Long!, $trafficUnit: String, $limit: Int) {
  WEB_TRAFFIC(start_time: $startTime, end_time: $endTime, traffic_unit: $trafficUnit) {
    threat_super_categories(limit: $limit) { entries { name total } } } }";

async fn graphql(sim: &common::Sim, query: &str, variables: Value) -> (StatusCode, Value) {
    let reply = sim
        .call(
            Method::POST,
            "/zins/graphql",
            Some(json!({"query": query, "variables": variables})),
        )
        .await;
    (reply.status, reply.json())
}

#[tokio::test]
async fn graphql_happy_path_with_limit_and_units() {
    let sim = start().await;
    let vars =
        json!({"startTime": 1_700_000_000_000_i64, "endTime": 1_700_604_800_000_i64, "limit": 3});
    let (status, tx) = graphql(&sim, BY_LOCATION, vars.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let entries = tx["data"]["WEB_TRAFFIC"]["location"]["entries"]
        .as_array()
        .unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["name", "total"]
    );
    let mut bytes_vars = vars;
    bytes_vars["trafficUnit"] = json!("BYTES");
    let (_, bytes) = graphql(&sim, BY_LOCATION, bytes_vars).await;
    let by_bytes = &bytes["data"]["WEB_TRAFFIC"]["location"]["entries"][0]["total"];
    assert_ne!(by_bytes, &entries[0]["total"]);
    let (_, threats) = graphql(&sim, THREATS, json!({"startTime": 1, "endTime": 2})).await;
    assert!(
        threats["data"]["WEB_TRAFFIC"]["threat_super_categories"]["entries"]
            .as_array()
            .unwrap()
            .len()
            > 3
    );
}

#[tokio::test]
async fn graphql_errors_are_http_200() {
    let sim = start().await;
    let (status, unknown) = graphql(
        &sim,
        "query { WEB_TRAFFIC(start_time: 1, end_time: 2) { nope { entries { name } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let message = unknown["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("nope"), "{message}");
    assert!(unknown["errors"][0]["locations"][0]["line"].is_u64());

    let (status, syntax) = graphql(&sim, "query { WEB_TRAFFIC(start_time: 1 {", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        syntax["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid syntax")
    );

    let (_, missing) = graphql(&sim, BY_LOCATION, json!({"endTime": 5})).await;
    assert!(
        missing["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("startTime")
    );

    let (_, backwards) = graphql(&sim, BY_LOCATION, json!({"startTime": 10, "endTime": 5})).await;
    assert_eq!(backwards["errors"][0]["path"], json!(["WEB_TRAFFIC"]));
    assert_eq!(backwards["data"], json!({"WEB_TRAFFIC": null}));
}
