//! The few HTML pages the proxy shows a browser (refusals, the consent page), all with the
//! same hardening: never cached, never framed, no script, no outside resources.

use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

/// No script, no outside resources, no framing. `form-action` is left out on purpose:
/// Chrome applies it to the whole redirect chain of a form post, and approving consent
/// redirects to the identity provider.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

/// A complete page: `title` as heading, `body` as already-escaped HTML.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let title = escape(title);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    // Not `no-referrer`: under it browsers send `Origin: null` with the consent form,
    // which the DNS-rebinding guard refuses. `same-origin` still sends nothing to the
    // identity provider or the client.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The 400 page for sign-in requests that cannot be sent back to a client.
pub(crate) fn refusal(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Sign-in request refused",
        &format!(
            "<p>{}</p><p>Restart the sign-in from your MCP client.</p>",
            escape(reason)
        ),
    )
}

/// The 429 page for a browser over a rate limit.
pub(crate) fn busy() -> Response {
    let mut response = page(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many sign-in requests",
        "<p>The server is receiving too many sign-in requests. Try again in a moment.</p>",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f5f6f8;margin:0}\
main{max-width:36rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;\
box-shadow:0 1px 4px rgba(0,0,0,.1)}h1{font-size:1.3rem}code{word-break:break-all}\
.warn{color:#8a4b00}.actions{display:flex;gap:1rem;margin-top:1.5rem}\
button{font-size:1rem;padding:.5rem 1.2rem;border-radius:4px;border:1px solid #888}\
#approve{background:#0b5cad;color:#fff;border-color:#0b5cad}";

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }

    #[test]
    fn pages_cannot_be_framed_or_cached() {
        let response = refusal("<script>");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let h = response.headers();
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert!(
            h[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
    }
}
