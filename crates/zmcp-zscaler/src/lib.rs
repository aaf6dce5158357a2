//! The Zscaler OneAPI client used by zscaler-mcp.
//!
//! It turns an [`ApiRequest`] into an authenticated HTTPS call on the OneAPI gateway: it
//! obtains and caches the OneAPI token (client secret or private-key JWT assertion), retries
//! what is safe to retry, walks each product's paging convention and reports failures as an
//! [`ApiError`] a person can act on. It knows nothing of MCP or of the tool catalog, and must
//! not depend on any other zscaler-mcp crate.

mod assertion;
mod client;
mod config;
mod endpoints;
mod entitlement;
mod error;
mod paging;
mod request;
mod response;
mod retry;
mod token;
mod transport;

pub use client::{PagedItems, ZscalerClient};
pub use config::{ClientConfig, Cloud, Credential};
pub use endpoints::oneapi_token_url;
pub use error::{ApiError, ConfigError};
pub use request::{ApiRequest, ApiResponse, HttpMethod, PageStyle};
