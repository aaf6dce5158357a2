//! The client: token, retries, paging. (Skeleton; implemented by the zmcp-zscaler work.)

use serde_json::Value;

use crate::{ApiError, ApiRequest, ApiResponse, ClientConfig, ConfigError, PageStyle};

/// Records gathered from every page of a list.
#[derive(Debug, Clone)]
pub struct PagedItems {
    /// The records, in API order.
    pub items: Vec<Value>,
    /// Pages fetched.
    pub pages: u32,
    /// True when the record bound stopped the walk before the last page.
    pub truncated: bool,
}

/// A cheap-to-clone handle on one tenant.
#[derive(Debug, Clone)]
pub struct ZscalerClient {
    _config: std::sync::Arc<ClientConfig>,
}

impl ZscalerClient {
    /// Builds a client; no network I/O happens until the first call.
    ///
    /// # Errors
    /// When the configuration cannot work (bad private key, bad URL).
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            _config: std::sync::Arc::new(config),
        })
    }

    /// Sends one request.
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn execute(&self, _request: &ApiRequest) -> Result<ApiResponse, ApiError> {
        Err(ApiError::Transport("not implemented".into()))
    }

    /// Walks every page of a list request, up to `max_items` records.
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn fetch_all(
        &self,
        _request: &ApiRequest,
        _style: &PageStyle,
        _max_items: usize,
    ) -> Result<PagedItems, ApiError> {
        Err(ApiError::Transport("not implemented".into()))
    }

    /// Runs a GraphQL document and returns `data`.
    ///
    /// # Errors
    /// See [`ApiError`]; an `errors` array on HTTP 200 is [`ApiError::Graphql`].
    pub async fn graphql(
        &self,
        _endpoint: &str,
        _document: &str,
        _variables: Value,
    ) -> Result<Value, ApiError> {
        Err(ApiError::Transport("not implemented".into()))
    }
}
