//! Arbitrary bytes as a dynamic client registration (`POST /register`). The answer is a
//! registration (201) or an RFC 7591 refusal (400), never a panic or a server error; a
//! registration never carries a secret and only lists redirect URIs the policy accepts.

#![no_main]

#[path = "oauth/fixture.rs"]
mod fixture;

use axum::body::Body;
use http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = fixture::fixture();
    f.runtime.block_on(async {
        let request = Request::post("/register")
            .header("content-type", "application/json")
            .body(Body::from(data.to_vec()))
            .expect("request");
        let response = fixture::send(&f.proxy, request).await;
        let status = response.status();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::BAD_REQUEST,
            "unexpected status {status}"
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("a JSON answer");
        if status == StatusCode::CREATED {
            assert!(json.get("client_secret").is_none());
            assert_eq!(json["token_endpoint_auth_method"], "none");
            for uri in json["redirect_uris"].as_array().expect("redirect_uris") {
                let uri = uri.as_str().expect("a string");
                assert!(!uri.starts_with(fixture::BASE), "{uri}");
                let lower = uri.to_ascii_lowercase();
                assert!(!lower.starts_with("javascript:") && !lower.starts_with("data:"), "{uri}");
            }
        } else {
            assert!(json["error"].is_string());
        }
    });
});
