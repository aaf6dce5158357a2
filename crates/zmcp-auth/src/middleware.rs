//! The axum middleware that admits or rejects each HTTP request.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::ClientAuth;

/// Paths served without authentication in every mode, as in the Python server: health
/// probes and the OAuth discovery/registration endpoints a client must reach before it has
/// a credential.
pub const SKIP_PATHS: [&str; 8] = [
    "/health",
    "/healthz",
    "/ready",
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-protected-resource/mcp",
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    "/register",
];

/// Admits a request under the configured mode and inserts its [`Principal`] into the request
/// extensions, or answers 401 (403 for a missing scope) with a JSON-RPC error body and a
/// `WWW-Authenticate` challenge (the Python server's shape, so clients that parse it keep
/// working). Public paths ([`ClientAuth::is_public_path`]) pass through.
///
/// Use with `axum::middleware::from_fn_with_state(Arc::new(client_auth), require_auth)`.
pub async fn require_auth(
    State(auth): State<Arc<ClientAuth>>,
    mut request: Request,
    next: Next,
) -> Response {
    if auth.is_public_path(request.uri().path()) {
        return next.run(request).await;
    }
    match auth.authenticate(request.headers()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(rejection) => {
            let peer = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.to_string());
            let peer = peer.as_deref().unwrap_or("unknown");
            let path = request.uri().path();
            if rejection.is_expected() {
                tracing::info!(
                    mode = %auth.mode(), peer, path,
                    "client authentication required: {}", rejection.message()
                );
            } else {
                tracing::warn!(
                    mode = %auth.mode(), peer, path,
                    "client authentication failed: {}", rejection.message()
                );
            }
            rejection.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::{Extension, Router, body::Body, middleware::from_fn_with_state, routing::get};
    use http::Request;
    use secrecy::SecretString;
    use tower::ServiceExt;

    use http::{HeaderMap, StatusCode, header};

    use super::*;
    use crate::{AuthMode, Principal};

    /// A route that echoes the principal the middleware inserted.
    fn app(auth: ClientAuth) -> Router {
        Router::new()
            .route(
                "/mcp",
                get(|Extension(p): Extension<Principal>| async move {
                    format!("{}|{}", p.subject, p.auth_mode)
                }),
            )
            .route("/health", get(|| async { "ok" }))
            .layer(from_fn_with_state(Arc::new(auth), require_auth))
    }

    fn api_key_app() -> Router {
        app(ClientAuth::ApiKey(SecretString::from(
            "sk-test-123".to_owned(),
        )))
    }

    async fn call(
        app: Router,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        let mut req = Request::builder().uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
    }

    fn error_message(body: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["jsonrpc"], "2.0");
        assert_eq!(v["error"]["code"], -32001);
        assert!(v.get("id").is_none());
        v["error"]["message"].as_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn no_key_is_401_with_json_rpc_body_and_bearer_challenge() {
        let (status, headers, body) = call(api_key_app(), "/mcp", &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert!(error_message(&body).starts_with("Unauthorized: Missing API key"));
    }

    #[tokio::test]
    async fn wrong_key_is_rejected() {
        let (status, _, body) = call(
            api_key_app(),
            "/mcp",
            &[("authorization", "Bearer sk-test-124")],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(error_message(&body), "Unauthorized: Invalid API key");
    }

    #[tokio::test]
    async fn non_bearer_scheme_is_explained() {
        let (status, _, body) = call(
            api_key_app(),
            "/mcp",
            &[("authorization", "Basic c2stdGVzdC0xMjM=")],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            error_message(&body),
            "Unauthorized: Expected: Authorization: Bearer <api-key>"
        );
    }

    #[tokio::test]
    async fn bearer_key_is_admitted_with_a_fingerprint_principal() {
        let (status, _, body) = call(
            api_key_app(),
            "/mcp",
            &[("authorization", "bearer sk-test-123")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let fp = crate::key_fingerprint(&SecretString::from("sk-test-123".to_owned()));
        assert_eq!(body, format!("api-key:{fp}|api-key"));
        assert!(!body.contains("sk-test-123"));
    }

    #[tokio::test]
    async fn x_api_key_header_is_accepted() {
        let (status, _, _) = call(api_key_app(), "/mcp", &[("x-api-key", "sk-test-123")]).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = call(api_key_app(), "/mcp", &[("x-api-key", "nope")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn health_is_not_authenticated() {
        let (status, _, body) = call(api_key_app(), "/health", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "ok");
    }

    #[tokio::test]
    async fn mode_none_admits_everyone_as_anonymous() {
        let (status, _, body) = call(app(ClientAuth::None), "/mcp", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, format!("anonymous|{}", AuthMode::None));
    }
}
