//! List walks against scripted servers: parameters on the wire, bounds, hostile cursors.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};
use support::{Canned, Mock};
use zmcp_zscaler::{ApiRequest, HttpMethod, PageStyle, PagedItems};

fn list(path: &str, query: &[(&str, &str)]) -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Get,
        path: path.into(),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: None,
    }
}

/// Walks every page of `path` with a fresh client of the mock, as a tool would.
async fn walk(
    mock: &Mock,
    path: &str,
    query: &[(&str, &str)],
    style: &PageStyle,
    max_items: usize,
) -> PagedItems {
    mock.client()
        .fetch_all(&list(path, query), style, max_items)
        .await
        .unwrap()
}

/// What a walk came to: (records, pages, truncated).
fn outcome(walk: &PagedItems) -> (usize, u32, bool) {
    (walk.items.len(), walk.pages, walk.truncated)
}

fn ids(range: std::ops::Range<usize>) -> Value {
    Value::Array(range.map(|i| json!({ "id": i })).collect())
}

#[tokio::test]
async fn zia_pages_keep_the_callers_filters_and_stop_on_a_short_page() {
    let mock = Mock::answering(|seen| {
        let page: usize = seen.query["page"].parse().unwrap();
        let start = (page - 1) * 1000;
        let len = if page < 3 { 1000 } else { 7 };
        Canned::json(200, ids(start..start + len))
    })
    .await;
    let query = [("dept", "Eng"), ("page", "9")];
    let all = walk(&mock, "/zia/api/v1/users", &query, &PageStyle::Zia, 10_000).await;
    assert_eq!(outcome(&all), (2007, 3, false));
    assert_eq!(all.items[2006]["id"], 2006);
    for (i, seen) in mock.requests().iter().enumerate() {
        assert_eq!(seen.query["dept"], "Eng");
        assert_eq!(seen.query["page"], (i + 1).to_string());
        assert_eq!(seen.query["pageSize"], "1000");
        assert_eq!(
            seen.raw_query.matches("page=").count(),
            1,
            "{}",
            seen.raw_query
        );
    }
}

#[tokio::test]
async fn the_record_bound_truncates() {
    let mock = Mock::answering(|seen| {
        let page: usize = seen.query["page"].parse().unwrap();
        Canned::json(
            200,
            json!({"totalPages": "5", "totalCount": "2500", "list": ids((page - 1) * 500..page * 500)}),
        )
    })
    .await;
    let path = "/zpa/mgmtconfig/v1/admin/customers/1/segmentGroup";
    let some = walk(&mock, path, &[], &PageStyle::Zpa, 700).await;
    assert_eq!(outcome(&some), (700, 2, true));
    assert_eq!(mock.requests()[1].query["pagesize"], "500");

    let exact = walk(&mock, path, &[], &PageStyle::Zpa, 500).await;
    assert_eq!(outcome(&exact), (500, 1, true));
}

#[tokio::test]
async fn a_cursor_that_never_moves_stops_the_walk() {
    let mock = Mock::answering(|_| {
        Canned::json(200, json!({"devices": ids(0..2), "next_offset": "same"}))
    })
    .await;
    let style = PageStyle::Zdx {
        items_key: Some("devices".into()),
    };
    let walked = walk(
        &mock,
        "/zdx/v1/devices",
        &[("from", "1")],
        &style,
        1_000_000,
    )
    .await;
    assert_eq!(outcome(&walked), (4, 2, true));
    let seen = mock.requests();
    assert_eq!(seen[0].query.get("offset"), None);
    assert_eq!(seen[1].query["offset"], "same");
    assert_eq!(seen[1].query["from"], "1");
}

#[tokio::test]
async fn zidentity_links_to_foreign_hosts_are_replayed_on_the_gateway() {
    let mock = Mock::answering(|seen| match seen.query.get("offset").map(String::as_str) {
        None => Canned::json(
            200,
            json!({"records": ids(0..2),
                   "next_link": "https://evil.example/admin/api/v1/users?offset=2&limit=2"}),
        ),
        Some("2") => Canned::json(200, json!({"records": ids(2..3), "next_link": null})),
        Some(other) => Canned::json(400, json!({"message": other})),
    })
    .await;
    let query = [("name[like]", "a")];
    let walked = walk(
        &mock,
        "/ziam/admin/api/v1/users",
        &query,
        &PageStyle::Zid,
        100,
    )
    .await;
    assert_eq!(outcome(&walked), (3, 2, false));
    let seen = mock.requests();
    assert_eq!(seen[0].query["limit"], "1000");
    assert_eq!(seen[1].path, "/ziam/admin/api/v1/users");
    assert_eq!(seen[1].query["offset"], "2");
    assert_eq!(seen[1].query["limit"], "2");
    assert_eq!(seen[1].query["name[like]"], "a");
}

#[tokio::test]
async fn zidentity_links_on_the_gateway_are_followed_as_given() {
    // The responder learns its own address after start-up, to hand out absolute links.
    let own_base = Arc::new(OnceLock::<String>::new());
    let base_for_links = own_base.clone();
    let mock = Mock::answering(move |seen| match seen.path.as_str() {
        "/ziam/admin/api/v1/groups" => Canned::json(
            200,
            json!({"records": ids(0..1),
                   "next_link": format!("{}/direct/groups?offset=1", base_for_links.get().unwrap())}),
        ),
        "/direct/groups" => Canned::json(200, json!({"records": ids(1..2)})),
        _ => Canned::json(404, json!({})),
    })
    .await;
    own_base.set(mock.base.clone()).unwrap();
    let walked = walk(
        &mock,
        "/ziam/admin/api/v1/groups",
        &[],
        &PageStyle::Zid,
        100,
    )
    .await;
    assert_eq!(outcome(&walked), (2, 2, false));
    let seen = mock.requests();
    assert_eq!(seen[1].path, "/direct/groups");
    assert_eq!(seen[1].raw_query, "offset=1");
    assert_eq!(seen[1].token(), Some("tok-1"));
}
