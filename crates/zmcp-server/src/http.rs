//! The HTTP surface: `/mcp` (streamable HTTP, or the legacy SSE stream), `/sse` +
//! `/messages/` (legacy HTTP+SSE), `/health`, and the protections every route gets
//! ([`guard`]): Host/Origin validation against DNS rebinding, the source-IP allowlist, the
//! body limit and security headers.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderName, HeaderValue, Method, StatusCode, header};
use rmcp::transport::StreamableHttpService;
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use tokio_util::sync::CancellationToken;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::host_check::{HostPolicy, check_host};
use crate::source_ip::{SourceIpAcl, check_source_ip};
use crate::{McpServer, ServeOptions, ServerError, serve, sse};

/// Largest accepted request body.
pub const MAX_REQUEST_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Which MCP transport `/mcp` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpTransport {
    /// Streamable HTTP (sessions for pre-2026 clients, stateless for 2026-07-28).
    StreamableHttp,
    /// The legacy HTTP+SSE transport (2024-11-05): `GET /mcp` opens the event stream.
    Sse,
}

/// How the HTTP surface is served.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// What `/mcp` speaks.
    pub transport: HttpTransport,
    /// Accepted `Host` values for [`router`] (see [`HostPolicy::parse`]): empty means
    /// loopback names only, `*` any host. [`mcp_routes`] ignores it: its caller guards.
    pub allowed_hosts: Vec<String>,
    /// Cancelled to stop serving; open sessions and event streams end with it.
    pub shutdown: CancellationToken,
}

/// The protections [`guard`] puts in front of the routes.
#[derive(Debug, Clone)]
pub struct Guard {
    /// Accepted `Host`/`Origin` values.
    pub hosts: HostPolicy,
    /// Admitted peers; `None` admits every peer.
    pub source_ips: Option<SourceIpAcl>,
    /// Served over TLS: responses carry `Strict-Transport-Security`.
    pub tls: bool,
}

/// The MCP endpoints alone (`/mcp`, `/mcp/`, `/sse`, `/messages/`), with the body limit,
/// for a caller that adds its own routes and layers and then calls [`guard`].
pub fn mcp_routes(server: McpServer, options: &HttpOptions) -> Router {
    let sse_state = sse::SseState::new(
        server.clone().on(crate::audit::Channel::Sse),
        options.shutdown.clone(),
    );
    let legacy = sse::routes(sse_state.clone());
    let mcp = match options.transport {
        HttpTransport::StreamableHttp => {
            let config = StreamableHttpServerConfig::default()
                .disable_allowed_hosts() // checked by `guard` for every route
                .with_max_request_body_bytes(MAX_REQUEST_BODY_BYTES)
                .with_cancellation_token(options.shutdown.child_token());
            let service = StreamableHttpService::new(
                move || Ok(server.clone()),
                Arc::new(LocalSessionManager::default()),
                config,
            );
            Router::new()
                .route_service("/mcp", service.clone())
                .route_service("/mcp/", service)
                .route_layer(middleware::from_fn(require_event_stream_for_get))
                .route_layer(middleware::from_fn(require_json_rpc_envelope))
        }
        HttpTransport::Sse => sse::stream_route("/mcp", sse_state.clone())
            .merge(sse::stream_route("/mcp/", sse_state)),
    };
    Router::new()
        .merge(mcp)
        .merge(legacy)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
}

/// The guarded MCP endpoints with `options.allowed_hosts` as the Host policy (an invalid
/// entry falls back to loopback names only): what [`serve_http`] serves.
pub fn router(server: McpServer, options: &HttpOptions) -> Router {
    let hosts = HostPolicy::parse(&options.allowed_hosts).unwrap_or_else(|err| {
        tracing::warn!("{err}; accepting loopback names only");
        HostPolicy::LoopbackOnly
    });
    guard(
        mcp_routes(server, options),
        &Guard {
            hosts,
            source_ips: None,
            tls: false,
        },
    )
}

/// Puts the protections in front of `app`, outermost first: security headers on every
/// response, `/health` (exempt from the checks, for load balancers), the Host/Origin
/// check, the source-IP allowlist, and the body limit with a JSON-RPC 413.
pub fn guard(app: Router, guard: &Guard) -> Router {
    let mut checked = app.layer(middleware::from_fn(limit_body));
    if let Some(acl) = &guard.source_ips {
        checked = checked.layer(middleware::from_fn_with_state(
            Arc::new(acl.clone()),
            check_source_ip,
        ));
    }
    let checked = checked.layer(middleware::from_fn_with_state(
        Arc::new(guard.hosts.clone()),
        check_host,
    ));
    let app = Router::new()
        .route("/health", get(health)) // GET routes answer HEAD too
        .merge(checked)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(overriding(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // A page may ask for less: the OAuth consent page needs `same-origin` so that its
        // form post carries a real `Origin` (under `no-referrer` browsers send `null`).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(overriding(header::X_FRAME_OPTIONS, "DENY"));
    if guard.tls {
        app.layer(overriding(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000",
        ))
    } else {
        app
    }
}

fn overriding(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// Serves the [`router`] on `listener` (plaintext) until `options.shutdown` is cancelled.
///
/// # Errors
/// When the listener fails.
pub async fn serve_http(
    server: McpServer,
    listener: tokio::net::TcpListener,
    options: HttpOptions,
) -> Result<(), ServerError> {
    let app = router(server, &options);
    serve(listener, app, ServeOptions::plaintext(options.shutdown)).await
}

/// A JSON-RPC error response (code -32001, no id) with `status`: how the Python server
/// refuses a request before it reaches MCP.
pub(crate) fn json_rpc_rejection(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "error": {"code": -32001, "message": message},
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn health() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
}

/// A JSON-RPC error response with no id (the request could not be read far enough to have one).
fn json_rpc_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message},
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Answers a `POST /mcp` whose body is not a JSON-RPC message with the JSON-RPC error a client
/// can act on (-32700 parse error, -32600 invalid request) and status 400, instead of the
/// transport's bare text `415 fail to deserialize`. Valid messages go on untouched.
async fn require_json_rpc_envelope(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REQUEST_BODY_BYTES).await else {
        return json_rpc_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            -32600,
            &format!("Request body too large (limit {MAX_REQUEST_BODY_BYTES} bytes)"),
        );
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Err(error) => {
            return json_rpc_error(
                StatusCode::BAD_REQUEST,
                -32700,
                &format!("Parse error: the body is not JSON ({error})"),
            );
        }
        Ok(serde_json::Value::Object(message))
            if message.get("jsonrpc").and_then(serde_json::Value::as_str) == Some("2.0")
                && ["method", "result", "error"]
                    .iter()
                    .any(|k| message.contains_key(*k)) => {}
        Ok(serde_json::Value::Array(_)) => {
            return json_rpc_error(
                StatusCode::BAD_REQUEST,
                -32600,
                "Invalid Request: JSON-RPC batches are not supported; send one message per request",
            );
        }
        Ok(_) => {
            return json_rpc_error(
                StatusCode::BAD_REQUEST,
                -32600,
                "Invalid Request: expected a JSON-RPC 2.0 object with \"jsonrpc\": \"2.0\" and a \"method\"",
            );
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Refuses a declared oversized body before reading it, and gives every 413 (including a
/// streamed body that outgrows the limit inside) a JSON-RPC error body.
async fn limit_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        json_rpc_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            -32600,
            &format!("Request body too large (limit {MAX_REQUEST_BODY_BYTES} bytes)"),
        )
    };
    if declared.is_some_and(|n| n > MAX_REQUEST_BODY_BYTES as u64) {
        return too_large();
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    response
}

/// `GET /mcp` opens the server-to-client event stream, so it needs `Accept:
/// text/event-stream`; a browser or `curl` without it gets the Python server's 405.
async fn require_event_stream_for_get(request: Request, next: Next) -> Response {
    let wants_stream = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("text/event-stream")));
    if request.method() == Method::GET && !wants_stream {
        return Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .header(header::ALLOW, "POST")
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from(
                "Method Not Allowed: this endpoint is POST-only. To receive server-initiated \
                 messages over SSE, reissue the GET with Accept: text/event-stream.",
            ))
            .unwrap_or_else(|_| StatusCode::METHOD_NOT_ALLOWED.into_response());
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    use axum::extract::ConnectInfo;
    use tower::ServiceExt;

    fn app(guard_with: &Guard) -> Router {
        let inner = Router::new().route("/mcp", axum::routing::post(|| async { "ok" }));
        guard(inner, guard_with)
    }

    fn loopback_guard() -> Guard {
        Guard {
            hosts: HostPolicy::LoopbackOnly,
            source_ips: None,
            tls: false,
        }
    }

    fn request(host: &str, path: &str, peer: Option<&str>) -> Request {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, host)
            .body(Body::empty())
            .expect("request");
        if let Some(peer) = peer {
            let addr: SocketAddr = peer.parse().expect("addr");
            request.extensions_mut().insert(ConnectInfo(addr));
        }
        request
    }

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[tokio::test]
    async fn misdirected_host_gets_421_with_the_python_body() {
        let response = app(&loopback_guard())
            .oneshot(request("evil.example.com:80", "/mcp", None))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
        assert_eq!(
            body_json(response).await,
            serde_json::json!({"jsonrpc": "2.0", "error": {"code": -32001, "message":
                "Misdirected request: Host header 'evil.example.com:80' is not in the allowed list (possible DNS rebinding attempt)"}})
        );
        let health = app(&loopback_guard())
            .oneshot(
                Request::builder()
                    .uri("/health")
                    .header(header::HOST, "evil.example.com")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(health.status(), StatusCode::OK, "/health is exempt");
    }

    #[tokio::test]
    async fn source_ip_allowlist_uses_the_connection_peer() {
        let only_tens = Guard {
            source_ips: SourceIpAcl::parse_csv("10.0.0.0/8").expect("acl"),
            ..loopback_guard()
        };
        let refused = app(&only_tens)
            .oneshot(request("localhost", "/mcp", Some("127.0.0.1:5000")))
            .await
            .expect("response");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            body_json(refused).await["error"]["message"],
            "Forbidden: source IP 127.0.0.1 is not in the allowed list"
        );
        let admitted = app(&only_tens)
            .oneshot(request("localhost", "/mcp", Some("10.1.2.3:5000")))
            .await
            .expect("response");
        assert_eq!(admitted.status(), StatusCode::OK);
        let unknown = app(&only_tens)
            .oneshot(request("localhost", "/mcp", None))
            .await
            .expect("response");
        assert_eq!(unknown.status(), StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn security_headers_on_every_response_and_hsts_with_tls() {
        let plain = app(&loopback_guard())
            .oneshot(request("localhost", "/mcp", None))
            .await
            .expect("response");
        let headers = plain.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));

        let tls = Guard {
            tls: true,
            ..loopback_guard()
        };
        let refused = app(&tls)
            .oneshot(request("evil.example.com", "/mcp", None))
            .await
            .expect("response");
        assert_eq!(refused.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            refused.headers()[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000"
        );
    }

    #[tokio::test]
    async fn malformed_messages_get_json_rpc_errors_not_transport_text() {
        let app = Router::new()
            .route("/mcp", axum::routing::post(|| async { "reached" }))
            .route_layer(middleware::from_fn(require_json_rpc_envelope));
        for (body, code) in [
            ("garbage", -32700),
            ("[1,2,3]", -32600),
            (r#"{"jsonrpc":"2.0"}"#, -32600),
            (r#"{"jsonrpc":"1.0","method":"ping","id":1}"#, -32600),
            ("", -32700),
        ] {
            let response = app
                .clone()
                .oneshot(
                    Request::post("/mcp")
                        .header("content-type", "application/json")
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
            let bytes = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap();
            let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(json["error"]["code"], code, "{body}: {json}");
            assert_eq!(json["jsonrpc"], "2.0");
        }
        let ok = app
            .oneshot(
                Request::post("/mcp")
                    .body(Body::from(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(ok.into_body(), 64).await.unwrap();
        assert_eq!(&bytes[..], b"reached");
    }

    #[tokio::test]
    async fn declared_oversized_body_gets_a_json_rpc_413() {
        let mut oversized = request("localhost", "/mcp", None);
        oversized.headers_mut().insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(MAX_REQUEST_BODY_BYTES + 1),
        );
        let response = app(&loopback_guard())
            .oneshot(oversized)
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body_json(response).await["error"]["code"], -32600);
    }
}
