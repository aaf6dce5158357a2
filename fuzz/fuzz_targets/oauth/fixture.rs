//! One OAuth facade (`OIDCPROXY_FLOW=proxy`) shared by the OAuth fuzz targets: state in
//! memory, the provider's JWKS served by the test-support IdP, one client registered the
//! way mcp-remote registers. Requests go through the real axum routes.

// Each target uses a different part of the fixture.
#![allow(dead_code)]

use std::sync::OnceLock;

use axum::body::Body;
use http::{Request, Response, StatusCode};
use tower::ServiceExt;
use zmcp_auth::{
    proxy::{OidcProxy, ProxyEnv},
    test_support::{IdpServer, TestKey},
};

pub const BASE: &str = "http://127.0.0.1:8000";
pub const REDIRECT: &str = "http://localhost:3334/oauth/callback";

pub struct Fixture {
    pub runtime: tokio::runtime::Runtime,
    pub proxy: OidcProxy,
    pub client_id: String,
    _idp: IdpServer,
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (proxy, idp, client_id) = runtime.block_on(async {
            let key = TestKey::rsa("idp").expect("key");
            let issuer = "https://login.microsoftonline.com/tenant/v2.0";
            let idp = IdpServer::start(&[&key], Some(issuer)).await.expect("idp");
            let vars = [
                ("OIDCPROXY_AUTH_ISSUER", issuer.to_owned()),
                (
                    "OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT",
                    "https://login.microsoftonline.com/tenant/oauth2/v2.0/authorize".to_owned(),
                ),
                (
                    "OIDCPROXY_AUTH_TOKEN_ENDPOINT",
                    "http://127.0.0.1:9/token".to_owned(),
                ),
                ("OIDCPROXY_AUTH_JWKS_URI", idp.jwks_url()),
                ("OIDCPROXY_AUTH_AUDIENCE", "app".to_owned()),
                ("OIDCPROXY_AUTH_SCOPES", "openid profile offline_access".to_owned()),
                ("OIDCPROXY_FLOW", "proxy".to_owned()),
                ("OIDCPROXY_AUTH_CLIENT_SECRET", "fuzz-secret".to_owned()),
            ];
            let env = ProxyEnv::from_lookup(
                |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()),
                "127.0.0.1",
                8000,
            );
            let proxy = OidcProxy::without_rate_limits(&env, None)
                .await
                .expect("proxy");
            let registration = format!(r#"{{"redirect_uris":["{REDIRECT}"],"client_name":"fuzz"}}"#);
            let response = send(
                &proxy,
                Request::post("/register")
                    .header("content-type", "application/json")
                    .body(Body::from(registration))
                    .expect("request"),
            )
            .await;
            assert_eq!(response.status(), StatusCode::CREATED);
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
            let client_id = json["client_id"].as_str().expect("client_id").to_owned();
            (proxy, idp, client_id)
        });
        Fixture {
            runtime,
            proxy,
            client_id,
            _idp: idp,
        }
    })
}

pub async fn send(proxy: &OidcProxy, request: Request<Body>) -> Response<Body> {
    proxy.routes().oneshot(request).await.expect("infallible")
}
