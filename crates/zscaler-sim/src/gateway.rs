//! The API gateway in front of every product: request ids, rate-limit headers, injected
//! faults, bearer-token checks, optional rate-limit enforcement and the request log.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::post;
use serde_json::json;

use crate::faults::{self, FaultKind};
use crate::ratelimit::Product;
use crate::state::{RequestRecord, SimState, lock};
use crate::{control, products, reply, token};

/// The gateway's exact 401 body (zscaler-api.md 5.1).
const UNAUTHORIZED_BODY: &str = r#"{"detail":"unauthorized","type":"","title":"","status":""}"#;

/// Marks responses the gateway itself refused: they carry no rate-limit headers.
#[derive(Clone, Copy)]
struct GatewayRejection;

/// The whole simulator: control routes plus the gateway-wrapped token and product routes.
pub(crate) fn router(state: Arc<SimState>) -> Router {
    let api = Router::new()
        .route("/oauth2/v1/token", post(token::token_endpoint))
        .merge(products::zia::routes())
        .merge(products::zpa::routes())
        .merge(products::zdx::routes())
        .merge(products::zins::routes())
        .merge(products::zcc::routes())
        .merge(products::zid::routes())
        .merge(products::zeasm::routes())
        .merge(products::ztw::routes())
        .merge(products::zms::routes())
        .merge(products::zcell::routes())
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), gateway));
    Router::new()
        .merge(control::routes())
        .merge(api)
        .with_state(state)
}

/// Unknown routes: 404 with an empty body, as ZIA answers.
async fn not_found() -> Response {
    reply::empty(StatusCode::NOT_FOUND)
}

async fn gateway(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let product = Product::of_path(&path);
    let mut response = serve(&state, product, &path, request, next).await;
    decorate(&state, product, &mut response);
    lock(&state.log).push(RequestRecord {
        method,
        path,
        query,
        status: response.status().as_u16(),
    });
    response
}

async fn serve(
    state: &SimState,
    product: Product,
    path: &str,
    request: Request,
    next: Next,
) -> Response {
    let fault = faults::take(&mut lock(&state.faults), path);
    match fault {
        Some(FaultKind::Latency { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(kind) => {
            if let Some(response) = fault_response(product, kind) {
                return response;
            }
        }
        None => {}
    }
    if product != Product::Token && !authorized(state, product, request.headers()) {
        return unauthorized();
    }
    if state.config.enforce_rate_limits {
        let verdict = lock(&state.limits).enforce(product, request.method());
        if let Err(exceeded) = verdict {
            return rate_limited(product, exceeded.retry_after_secs, exceeded.rate_text);
        }
    }
    next.run(request).await
}

/// A valid bearer token entitled to the product (the product-less 404 space only needs a
/// valid token).
fn authorized(state: &SimState, product: Product, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let Some(granted) = state.tokens.products(token.trim()) else {
        return false;
    };
    product
        .entitlement()
        .is_none_or(|needed| granted.iter().any(|g| g == needed))
}

/// The gateway's 401.
pub(crate) fn unauthorized() -> Response {
    let mut response = reply::with_body(
        StatusCode::UNAUTHORIZED,
        "application/json",
        UNAUTHORIZED_BODY.as_bytes().to_vec(),
    );
    response.extensions_mut().insert(GatewayRejection);
    response
        .headers_mut()
        .insert("x-oneapi-api-category", HeaderValue::from_static("public"));
    response
}

/// A 429 in the product's style: ZPA `retry-after: Ns`, ZIA (and others) `retry-after: N`.
fn rate_limited(product: Product, retry_after_secs: u64, rate_text: &str) -> Response {
    let (header_value, body) = if product == Product::Zpa {
        (
            format!("{retry_after_secs}s"),
            json!({"exception": "invalid.toomanyrequests", "id": "invalid.toomanyrequests",
                   "reason": "Exceeded the number of requests allowed."}),
        )
    } else {
        (
            retry_after_secs.to_string(),
            json!({"message": format!("Rate Limit ({rate_text}) exceeded"),
                   "Retry-After": format!("{retry_after_secs} seconds")}),
        )
    };
    let mut response = reply::json(StatusCode::TOO_MANY_REQUESTS, &body);
    if let Ok(value) = HeaderValue::from_str(&header_value) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The response a fault replaces the real one with; `None` for latency (served after the delay).
fn fault_response(product: Product, kind: FaultKind) -> Option<Response> {
    let response = match kind {
        FaultKind::RateLimit { retry_after_secs } => {
            let default = if product == Product::Zpa { 4 } else { 1 };
            rate_limited(product, retry_after_secs.unwrap_or(default), "1/SECOND")
        }
        FaultKind::ServerError { status } => {
            let status = StatusCode::from_u16(status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if product == Product::Zpa {
                reply::zpa_error(
                    status,
                    "internal.server.error",
                    "An internal server error occurred",
                )
            } else {
                reply::zia_error(
                    status,
                    "UNEXPECTED_ERROR",
                    "An unexpected error has occurred, please contact Zscaler's support",
                )
            }
        }
        FaultKind::EditLock => reply::json(
            StatusCode::CONFLICT,
            &json!({"code": "EDIT_LOCK_NOT_AVAILABLE"}),
        ),
        FaultKind::Unauthorized => unauthorized(),
        FaultKind::Garbage => reply::with_body(
            StatusCode::OK,
            "application/json",
            b"<html><body>upstream connect error or disconnect/reset before headers</body></html>"
                .to_vec(),
        ),
        FaultKind::Latency { .. } => return None,
    };
    Some(response)
}

/// Adds the headers every gateway response carries.
fn decorate(state: &SimState, product: Product, response: &mut Response) {
    let rejected = response.extensions().get::<GatewayRejection>().is_some();
    let headers = response.headers_mut();
    headers.insert("server", HeaderValue::from_static("Zscaler"));
    if let Ok(id) = HeaderValue::from_str(&token::request_id()) {
        headers.insert("x-oneapi-request-id", id);
    }
    if rejected {
        return;
    }
    let rate = lock(&state.limits).count(product);
    headers.insert("x-ratelimit-limit", HeaderValue::from_static(rate.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(rate.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(rate.reset_secs));
}
