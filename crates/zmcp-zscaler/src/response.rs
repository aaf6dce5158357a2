//! Reading what the gateway answered: JSON bodies, the products' error shapes (zscaler-api.md
//! 5.1) and request ids.

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

use crate::ApiError;

/// Longest excerpt of a body quoted in an error message.
const EXCERPT_CHARS: usize = 200;

/// The gateway's id for one call, which Zscaler support asks for.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-oneapi-request-id", "x-transaction-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(str::to_owned)
}

/// Parses a 2xx body. Empty means `Null` (ZPA PUT 204, deletes); CSV downloads (ZCC
/// `downloadDevices`) come back as one JSON string; anything else must be JSON, because an
/// HTML page on 2xx means a proxy or login page answered instead of the API.
pub(crate) fn success_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    if content_type(headers).starts_with("text/csv") {
        return Ok(Value::String(String::from_utf8_lossy(body).into_owned()));
    }
    Err(ApiError::InvalidResponse(format!(
        "expected JSON, got {}: {}",
        describe_content_type(headers),
        excerpt(body)
    )))
}

/// Turns an error response into [`ApiError::Status`], reading the code and message from
/// whichever fields the product uses.
pub(crate) fn status_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let fields = parsed.as_ref().and_then(Value::as_object);
    let code = fields.and_then(|f| first_text(f, &["code", "id", "errorCode", "title", "msgId"]));
    let body_message = match fields {
        Some(f) => first_text(
            f,
            &[
                "message",
                "reason",
                "errorDetails",
                "errorMessage",
                "detail",
            ],
        ),
        None if looks_like_text(headers, body) => Some(excerpt(body)),
        None => None,
    };
    let message = match (body_message, status_hint(status)) {
        (Some(message), Some(hint)) if matches!(status, 401 | 403) => {
            format!("{message} ({hint})")
        }
        (Some(message), _) => message,
        (None, Some(hint)) => hint.to_owned(),
        (None, None) => format!("HTTP {status} with no error details"),
    };
    ApiError::Status {
        status,
        code,
        message,
        request_id: request_id(headers),
    }
}

/// The error code of a body, for deciding whether a 409 is a retryable edit lock.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let value = serde_json::from_slice::<Value>(body).ok()?;
    first_text(
        value.as_object()?,
        &["code", "id", "errorCode", "title", "msgId"],
    )
}

/// What a status means for the person reading the error, when the body says nothing useful.
fn status_hint(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "the API rejected the request as invalid",
        401 => "credentials rejected or token expired",
        403 => "the API client is not entitled to this product or lacks the role",
        404 => "not found",
        405 => "method not allowed on this resource",
        406 | 415 => "the API did not accept the request format",
        409 => "conflict with the current state of the resource",
        412 => "precondition failed; the tenant may be busy, try again",
        429 => "rate limited",
        500 => "internal error in the Zscaler API",
        502 | 504 => "the Zscaler API gateway could not reach the service",
        503 => "the Zscaler service is unavailable",
        _ => return None,
    })
}

fn first_text(fields: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| match fields.get(*key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Plain text worth quoting: not empty, not an HTML page.
fn looks_like_text(headers: &HeaderMap, body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start();
    !text.is_empty() && !text.starts_with('<') && !content_type(headers).contains("html")
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn describe_content_type(headers: &HeaderMap) -> String {
    match content_type(headers) {
        ct if ct.is_empty() => "a body without content type".to_owned(),
        ct => ct,
    }
}

/// The start of a body, on one line, at most [`EXCERPT_CHARS`] characters.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    match flat.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", flat.get(..cut).unwrap_or_default()),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn status(err: ApiError) -> (u16, Option<String>, String, Option<String>) {
        match err {
            ApiError::Status {
                status,
                code,
                message,
                request_id,
            } => (status, code, message, request_id),
            other => panic!("not a status error: {other:?}"),
        }
    }

    #[test]
    fn empty_bodies_are_null_and_json_is_parsed() {
        let h = HeaderMap::new();
        assert_eq!(success_body(&h, b"").unwrap(), Value::Null);
        assert_eq!(success_body(&h, b" \n").unwrap(), Value::Null);
        assert_eq!(success_body(&h, b"36").unwrap(), Value::from(36));
        assert_eq!(success_body(&h, b"[{\"id\":1}]").unwrap()[0]["id"], 1);
    }

    #[test]
    fn csv_is_a_string_and_html_on_2xx_is_invalid() {
        let csv = headers(&[("content-type", "text/csv")]);
        assert_eq!(success_body(&csv, b"a,b\n1,2\n").unwrap(), "a,b\n1,2\n");
        let html = headers(&[("content-type", "text/html")]);
        let long = format!("<html>{}</html>", "x".repeat(1000));
        match success_body(&html, long.as_bytes()) {
            Err(ApiError::InvalidResponse(msg)) => {
                assert!(msg.contains("text/html"), "{msg}");
                assert!(msg.chars().count() < 260, "{msg}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn zia_zpa_zcc_zcell_and_gateway_error_shapes() {
        let h = headers(&[("x-oneapi-request-id", "req-1")]);
        let (s, code, msg, rid) = status(status_error(
            400,
            &h,
            br#"{"code":"INVALID_INPUT_ARGUMENT","message":"name cannot be null"}"#,
        ));
        assert_eq!((s, code.as_deref()), (400, Some("INVALID_INPUT_ARGUMENT")));
        assert_eq!(msg, "name cannot be null");
        assert_eq!(rid.as_deref(), Some("req-1"));

        let zpa =
            b"{\n  \"id\" : \"api.concurrent.access.error\",\n  \"reason\" : \"Try again\"\n}";
        let (_, code, msg, _) = status(status_error(409, &HeaderMap::new(), zpa));
        assert_eq!(code.as_deref(), Some("api.concurrent.access.error"));
        assert_eq!(msg, "Try again");

        let zcc = br#"{"title":"INVALID_FIELD_VALUE","errorCode":null,"errorMessage":"bad os"}"#;
        let (_, code, msg, _) = status(status_error(400, &HeaderMap::new(), zcc));
        assert_eq!(
            (code.as_deref(), msg.as_str()),
            (Some("INVALID_FIELD_VALUE"), "bad os")
        );

        let zcell = br#"{"msgId":"invalid.access","detail":"Invalid Authentication."}"#;
        let (_, code, msg, _) = status(status_error(400, &HeaderMap::new(), zcell));
        assert_eq!(code.as_deref(), Some("invalid.access"));
        assert_eq!(msg, "Invalid Authentication.");

        let gateway = br#"{"detail":"unauthorized","type":"","title":"","status":""}"#;
        let h = headers(&[("x-transaction-id", "tx-9")]);
        let (s, code, msg, rid) = status(status_error(401, &h, gateway));
        assert_eq!((s, code), (401, None));
        assert_eq!(msg, "unauthorized (credentials rejected or token expired)");
        assert_eq!(rid.as_deref(), Some("tx-9"));
    }

    #[test]
    fn empty_and_html_error_bodies_describe_the_status() {
        let html = headers(&[("content-type", "text/html")]);
        let (_, code, msg, _) = status(status_error(404, &HeaderMap::new(), b""));
        assert_eq!((code, msg.as_str()), (None, "not found"));
        let (_, _, msg, _) = status(status_error(
            406,
            &html,
            b"<html><body>Tomcat</body></html>",
        ));
        assert_eq!(msg, "the API did not accept the request format");
        let (_, _, msg, _) = status(status_error(403, &HeaderMap::new(), b""));
        assert_eq!(
            msg,
            "the API client is not entitled to this product or lacks the role"
        );
        let (_, _, msg, _) = status(status_error(418, &HeaderMap::new(), b""));
        assert_eq!(msg, "HTTP 418 with no error details");
    }

    #[test]
    fn plain_text_error_bodies_are_quoted() {
        let json_ct = headers(&[("content-type", "application/json")]);
        let (_, _, msg, _) = status(status_error(404, &json_ct, b"404 Not Found"));
        assert_eq!(msg, "404 Not Found");
    }

    #[test]
    fn excerpts_are_short_single_lines() {
        let body = format!("line1\nline2\t{}", "é".repeat(500));
        let e = excerpt(body.as_bytes());
        assert!(e.starts_with("line1 line2 "));
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn error_code_reads_the_same_fields() {
        assert_eq!(
            error_code(br#"{"code":"EDIT_LOCK_NOT_AVAILABLE"}"#).as_deref(),
            Some("EDIT_LOCK_NOT_AVAILABLE")
        );
        assert_eq!(error_code(b"nope"), None);
    }
}
