//! Arbitrary bytes as the query of `GET /authorize` for a registered client, raw and as
//! the value of each parameter. Whatever the input: no panic, no server error, and no open
//! redirect: a 302 goes only to this server's consent page or to the client's registered
//! loopback redirect URI (any port, RFC 8252).

#![no_main]

#[path = "oauth/fixture.rs"]
mod fixture;

use axum::body::Body;
use http::{Request, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use url::Url;

fn check_redirect(location: &str) {
    let url = Url::parse(location).expect("an absolute Location");
    let consent = url.as_str().starts_with(&format!("{}/consent?txn=", fixture::BASE));
    let client = url.scheme() == "http"
        && url.host_str() == Some("localhost")
        && url.path() == "/oauth/callback";
    assert!(consent || client, "redirect to {location}");
}

async fn authorize(f: &fixture::Fixture, query: &str) {
    let Ok(request) = Request::get(format!("/authorize?{query}")).body(Body::empty()) else {
        return; // not a valid request target: never reaches the server
    };
    let response = fixture::send(&f.proxy, request).await;
    let status = response.status();
    match status {
        StatusCode::FOUND => check_redirect(
            response.headers()[header::LOCATION]
                .to_str()
                .expect("a visible-ASCII Location"),
        ),
        StatusCode::BAD_REQUEST => {}
        other => panic!("unexpected status {other}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixture::fixture();
    let text = String::from_utf8_lossy(data);
    f.runtime.block_on(async {
        // As a raw query string.
        authorize(f, &text).await;
        // As one parameter of an otherwise valid request.
        let encoded: String = url::form_urlencoded::byte_serialize(data).collect();
        let valid = [
            ("response_type", "code".to_owned()),
            ("client_id", f.client_id.clone()),
            ("redirect_uri", fixture::REDIRECT.to_owned()),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()),
            ("code_challenge_method", "S256".to_owned()),
            ("state", "s".to_owned()),
            ("resource", format!("{}/mcp", fixture::BASE)),
        ];
        let which = data.first().map_or(0, |b| usize::from(*b) % valid.len());
        let query: Vec<String> = valid
            .iter()
            .enumerate()
            .map(|(i, (name, value))| {
                let value = if i == which {
                    encoded.clone()
                } else {
                    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
                };
                format!("{name}={value}")
            })
            .collect();
        authorize(f, &query.join("&")).await;
    });
});
