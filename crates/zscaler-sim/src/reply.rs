//! Response builders shared by the products: JSON bodies and each product's error shape.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// A JSON response.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    with_body(status, "application/json", bytes)
}

/// A response with a body of the given content type.
pub(crate) fn with_body(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An empty response (ZIA/ZPA DELETE, ZPA PUT).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// ZIA's `{"code","message"}` error.
pub(crate) fn zia_error(status: StatusCode, code: &str, message: &str) -> Response {
    json(status, &json!({"code": code, "message": message}))
}

/// ZIA's 404 for an id that does not exist.
pub(crate) fn zia_not_found(what: &str, id: &str) -> Response {
    zia_error(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_FOUND",
        &format!("{what} with id {id} not found"),
    )
}

/// ZIA's 400 for a bad argument.
pub(crate) fn zia_invalid(message: &str) -> Response {
    zia_error(StatusCode::BAD_REQUEST, "INVALID_INPUT_ARGUMENT", message)
}

/// ZPA's `{"id","reason"}` error.
pub(crate) fn zpa_error(status: StatusCode, id: &str, reason: &str) -> Response {
    json(status, &json!({"id": id, "reason": reason}))
}

/// ZDX's error shape (not recorded publicly; a plain `{"code","message"}`).
pub(crate) fn zdx_error(status: StatusCode, message: &str) -> Response {
    json(
        status,
        &json!({"code": status.as_u16().to_string(), "message": message}),
    )
}

/// Parses a JSON request body; an empty body reads as `null`.
pub(crate) fn parse_body(bytes: &[u8]) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|err| format!("Request body is invalid: {err}"))
}
