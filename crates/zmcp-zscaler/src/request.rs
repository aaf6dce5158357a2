//! One call on the OneAPI gateway, independent of any tool.

use serde_json::Value;

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl HttpMethod {
    /// The method name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Self::Get => reqwest::Method::GET,
            Self::Post => reqwest::Method::POST,
            Self::Put => reqwest::Method::PUT,
            Self::Patch => reqwest::Method::PATCH,
            Self::Delete => reqwest::Method::DELETE,
        }
    }
}

/// A request relative to the API gateway.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// Method.
    pub method: HttpMethod,
    /// Path starting with `/`, already percent-encoded segment by segment.
    pub path: String,
    /// Query parameters (unencoded; the client encodes them).
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Value>,
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// Parsed JSON body; `Value::Null` when the body was empty (ZPA PUT 204, deletes).
    pub body: Value,
    /// `x-oneapi-request-id` (or `x-transaction-id`) when the gateway sent one.
    pub request_id: Option<String>,
}

/// How a list endpoint pages, for [`crate::ZscalerClient::fetch_all`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStyle {
    /// `page`/`pageSize` (1000), 1-based, bare array; stops on a short page.
    Zia,
    /// `page`/`pagesize` (500), `{"list": [...], "totalPages": "N"}`.
    Zpa,
    /// `offset` cursor from `next_offset`; records under the given key.
    Zdx {
        /// Key of the record array (`devices`, `users`, ...); `None` for bare arrays.
        items_key: Option<String>,
    },
    /// Follow `next_link`; records under `records`; `limit` 1000.
    Zid,
    /// `page` (0-based) / `size` (100); `{"content": [...], "totalPages": N}`.
    Zcell,
}
