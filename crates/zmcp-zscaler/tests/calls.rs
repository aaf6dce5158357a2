//! One call on the wire: headers, bodies, error mapping, retries and timeouts.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Canned, Mock, Seen};
use zmcp_zscaler::{ApiError, ApiRequest, HttpMethod, ZscalerClient};

fn request(method: HttpMethod, path: &str, body: Option<Value>) -> ApiRequest {
    ApiRequest {
        method,
        path: path.into(),
        query: vec![("search".into(), "name+EQ+a b".into())],
        body,
    }
}

/// Answers `first` for the first `n` requests, then 200 `{"ok":true}`.
fn fail_first(n: usize, first: Canned) -> impl Fn(&Seen) -> Canned + Send + Sync {
    move |seen| {
        if seen.index < n {
            first.clone()
        } else {
            Canned::json(200, json!({"ok": true}))
        }
    }
}

#[tokio::test]
async fn requests_carry_the_documented_headers() {
    let mock = Mock::answering(|_| Canned::json(200, json!({}))).await;
    let mut config = mock.config();
    config.user_agent_comment = Some("acme-prod".into());
    let client = ZscalerClient::new(config).unwrap();
    client
        .execute(&request(HttpMethod::Get, "/zia/api/v1/users", None))
        .await
        .unwrap();
    client
        .execute(&request(
            HttpMethod::Post,
            "/zia/api/v1/users",
            Some(json!({"name": "x"})),
        ))
        .await
        .unwrap();
    let seen = mock.requests();
    let ua = format!(
        "zscaler-mcp/{} ({}; {}) (acme-prod)",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    for s in &seen {
        assert_eq!(s.header("authorization"), Some("Bearer tok-1"));
        assert_eq!(s.header("accept"), Some("application/json"));
        assert_eq!(s.header("user-agent"), Some(ua.as_str()));
        assert_eq!(s.query["search"], "name+EQ+a b");
    }
    assert_eq!(seen[0].header("content-type"), None);
    assert!(seen[0].body.is_empty());
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<Value>(&seen[1].body).unwrap(),
        json!({"name": "x"})
    );
}

#[tokio::test]
async fn empty_bodies_are_null_and_request_ids_are_kept() {
    let mock = Mock::answering(|seen| match seen.method.as_str() {
        "PUT" => Canned::raw(204, ""),
        _ => Canned::raw(200, "").header("x-transaction-id", "tx-1"),
    })
    .await;
    let client = mock.client();
    let put = client
        .execute(&request(HttpMethod::Put, "/zpa/x", Some(json!({}))))
        .await
        .unwrap();
    assert_eq!(
        (put.status, put.body, put.request_id),
        (204, Value::Null, None)
    );
    let get = client
        .execute(&request(HttpMethod::Get, "/zpa/x", None))
        .await
        .unwrap();
    assert_eq!(get.body, Value::Null);
    assert_eq!(get.request_id.as_deref(), Some("tx-1"));
}

#[tokio::test]
async fn html_on_200_is_an_invalid_response() {
    let mock = Mock::answering(|_| {
        Canned::raw(200, "<html><body>Please log in</body></html>")
            .header("content-type", "text/html")
    })
    .await;
    let err = mock
        .client()
        .execute(&request(HttpMethod::Get, "/x", None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::InvalidResponse(ref m) if m.contains("Please log in")),
        "{err}"
    );
}

#[tokio::test]
async fn a_zia_error_body_becomes_code_and_message() {
    let mock = Mock::answering(|_| {
        Canned::json(
            400,
            json!({"code": "INVALID_INPUT_ARGUMENT", "message": "name cannot be null"}),
        )
    })
    .await;
    let err = mock
        .client()
        .execute(&request(
            HttpMethod::Post,
            "/zia/api/v1/users",
            Some(json!({})),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.to_string(),
        "Zscaler API returned HTTP 400 (INVALID_INPUT_ARGUMENT): name cannot be null"
    );
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_429_is_retried_after_retry_after_for_any_method() {
    for (method, retry_after) in [(HttpMethod::Post, "1"), (HttpMethod::Delete, "4s")] {
        let limited = Canned::json(429, json!({"message": "Rate Limit (1/SECOND) exceeded"}))
            .header("retry-after", retry_after);
        let mock = Mock::answering(fail_first(2, limited)).await;
        let response = mock
            .client()
            .execute(&request(method, "/zia/api/v1/users/1", None))
            .await
            .unwrap();
        assert_eq!(response.body, json!({"ok": true}));
        assert_eq!(mock.requests().len(), 3);
    }
}

#[tokio::test(start_paused = true)]
async fn endless_429s_end_as_rate_limited() {
    let limited = Canned::json(429, json!({"id": "invalid.toomanyrequests"}))
        .header("x-ratelimit-reset", "3600");
    let mock = Mock::answering(move |_| limited.clone()).await;
    let mut config = mock.config();
    config.max_retries = 2;
    let err = ZscalerClient::new(config)
        .unwrap()
        .execute(&request(HttpMethod::Get, "/zpa/x", None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retries: 2 }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(429));
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_5xx_is_retried_for_reads_only() {
    let broken = Canned::json(500, json!({"code": "UNEXPECTED_ERROR", "message": "boom"}));
    let mock = Mock::answering(fail_first(1, broken.clone())).await;
    let response = mock
        .client()
        .execute(&request(HttpMethod::Get, "/zia/api/v1/users", None))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(mock.requests().len(), 2);

    for method in [
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
    ] {
        let mock = Mock::answering(fail_first(1, broken.clone())).await;
        let err = mock
            .client()
            .execute(&request(method, "/zia/api/v1/users", Some(json!({}))))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(500), "{method:?}");
        assert_eq!(mock.requests().len(), 1, "{method:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn edit_locks_are_retried_for_writes() {
    let locks = [
        Canned::json(409, json!({"code": "EDIT_LOCK_NOT_AVAILABLE"})),
        Canned::json(
            409,
            json!({"id": "api.concurrent.access.error", "reason": "Try again"}),
        ),
    ];
    for lock in locks {
        let mock = Mock::answering(fail_first(2, lock)).await;
        mock.client()
            .execute(&request(HttpMethod::Put, "/zia/api/v1/x", Some(json!({}))))
            .await
            .unwrap();
        assert_eq!(mock.requests().len(), 3);
    }
}

#[tokio::test(start_paused = true)]
async fn limit_exceeded_and_other_conflicts_are_not_retried() {
    for (status, body) in [
        (
            403,
            json!({"code": "LIMIT_EXCEEDED", "message": "too many rules"}),
        ),
        (409, json!({"code": "DUPLICATE_ITEM", "message": "exists"})),
        (404, json!({"id": "resource.not.found", "reason": "gone"})),
    ] {
        let mock = Mock::answering(move |_| Canned::json(status, body.clone())).await;
        let err = mock
            .client()
            .execute(&request(HttpMethod::Get, "/x", None))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.is_not_found(), status == 404);
        assert_eq!(mock.requests().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_slow_answer_is_a_timeout() {
    let mock = Mock::answering(|_| Canned::json(200, json!({}))).await;
    let mut config = mock.config();
    // Retries of a timed-out read are allowed; with none left, the timeout surfaces.
    config.max_retries = 0;
    config.request_timeout = Duration::from_secs(5);
    // Point the API at a listener that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    config.api_base_url = Some(format!("http://{}", silent.local_addr().unwrap()));
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (socket, _) = silent.accept().await.unwrap();
            held.push(socket);
        }
    });
    let err = ZscalerClient::new(config)
        .unwrap()
        .execute(&request(HttpMethod::Get, "/x", None))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Timeout { seconds: 5 }), "{err:?}");
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let mut config = zmcp_zscaler::ClientConfig::new(
        "id",
        zmcp_zscaler::Credential::Secret("s".to_owned().into()),
        "acme",
        zmcp_zscaler::Cloud::Production,
    );
    config.api_base_url = Some("http://api.example.com".into());
    assert!(ZscalerClient::new(config).is_err());
}

#[tokio::test]
async fn graphql_returns_data_or_the_errors() {
    let mock = Mock::answering(|seen| {
        let body: Value = serde_json::from_slice(&seen.body).unwrap();
        if body["variables"]["fail"] == json!(true) {
            Canned::json(
                200,
                json!({"errors": [{"message": "Forbidden to use API", "extensions": {"code": "FORBIDDEN"}}],
                       "data": {"IOT": null}}),
            )
        } else {
            Canned::json(200, json!({"data": {"echo": body["query"]}}))
        }
    })
    .await;
    let client = mock.client();
    let data = client
        .graphql("/zins/graphql", "{ IOT { x } }", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(data, json!({"echo": "{ IOT { x } }"}));
    let err = client
        .graphql("/zins/graphql", "{ IOT { x } }", json!({"fail": true}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Graphql(ref m) if m == "Forbidden to use API (FORBIDDEN)"),
        "{err:?}"
    );
    let seen = &mock.requests()[0];
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("POST", "/zins/graphql")
    );
}
