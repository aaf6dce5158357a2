//! The client: one authenticated call with retries, list walks and GraphQL on top of it.

use std::sync::Arc;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use secrecy::ExposeSecret as _;
use serde_json::Value;
use url::Url;

use crate::assertion::ClientAuth;
use crate::endpoints::Endpoints;
use crate::paging::{Next, PageWalk, Step, merge_query};
use crate::retry::{RetryReason, classify, wait_before_retry};
use crate::token::{IssuedToken, TokenCache};
use crate::{
    ApiError, ApiRequest, ApiResponse, ClientConfig, ConfigError, Credential, HttpMethod,
    PageStyle, response, transport,
};

/// A walk stops after this many pages even if the server keeps handing out new cursors.
const MAX_PAGES: u32 = 10_000;
/// GraphQL errors quoted in one message.
const MAX_GRAPHQL_ERRORS: usize = 5;

/// Records gathered from every page of a list.
#[derive(Debug, Clone)]
pub struct PagedItems {
    /// The records, in API order.
    pub items: Vec<Value>,
    /// Pages fetched.
    pub pages: u32,
    /// True when the walk stopped before the last page: the record bound was reached, or
    /// the server's cursor went in circles.
    pub truncated: bool,
}

/// A cheap-to-clone handle on one tenant: clones share the HTTP connection pool and the
/// token.
#[derive(Clone)]
pub struct ZscalerClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    endpoints: Endpoints,
    http: reqwest::Client,
    tokens: TokenCache,
}

impl std::fmt::Debug for ZscalerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZscalerClient")
            .field("client_id", &self.inner.config.client_id)
            .field("api_base", &self.inner.endpoints.api_base.as_str())
            .field("token_url", &self.inner.endpoints.token_url.as_str())
            .finish_non_exhaustive()
    }
}

/// One HTTP exchange that completed, whatever its status.
struct Exchange {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl ZscalerClient {
    /// Builds a client; no network I/O happens until the first call.
    ///
    /// # Errors
    /// When the configuration cannot work (bad private key, bad URL).
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        if config.client_id.trim().is_empty() {
            return Err(ConfigError::Missing(vec!["ZSCALER_CLIENT_ID"]));
        }
        let endpoints = Endpoints::resolve(&config)?;
        let auth = ClientAuth::from_credential(&config.credential, &config.client_id)?;
        let http = transport::http_client(&config, &endpoints)?;
        let tokens = TokenCache::new(
            http.clone(),
            endpoints.token_url.clone(),
            config.client_id.clone(),
            auth,
            config.request_timeout,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                endpoints,
                http,
                tokens,
            }),
        })
    }

    /// Switches to a rotated secret or key without rebuilding the client; calls in flight
    /// finish with the old token, later calls fetch a token with the new credential.
    ///
    /// # Errors
    /// When the new credential cannot work (empty secret, bad key); the old one stays.
    pub fn set_credential(&self, credential: Credential) -> Result<(), ConfigError> {
        let auth = ClientAuth::from_credential(&credential, &self.inner.config.client_id)?;
        self.inner.tokens.replace_auth(auth);
        Ok(())
    }

    /// The Zscaler products (`service-info[].prd`, e.g. `ZIA`, `CLOUD_CONNECTOR`) the
    /// current OneAPI token entitles, fetching a token if there is none; the token stays
    /// cached for the calls that follow, so asking costs at most one token request.
    ///
    /// # Errors
    /// The token request's [`ApiError`], or [`ApiError::InvalidResponse`] when the token is
    /// not a JWT carrying a `service-info` list.
    pub async fn entitled_products(&self) -> Result<Vec<String>, ApiError> {
        let token = self.inner.tokens.token().await?;
        crate::entitlement::products(token.secret.expose_secret())
    }

    /// Sends one request.
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn execute(&self, request: &ApiRequest) -> Result<ApiResponse, ApiError> {
        let url = self.gateway_url(&request.path)?;
        self.send(request.method, url, &request.query, request.body.as_ref())
            .await
    }

    /// Walks every page of a list request, up to `max_items` records.
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn fetch_all(
        &self,
        request: &ApiRequest,
        style: &PageStyle,
        max_items: usize,
    ) -> Result<PagedItems, ApiError> {
        let list_url = self.gateway_url(&request.path)?;
        let trusted = |url: &Url| self.inner.endpoints.is_trusted(url);
        let mut walk = PageWalk::new(style, &trusted);
        let mut step = walk.first();
        let mut items = Vec::new();
        let mut pages = 0u32;
        loop {
            let response = match step {
                Step::Query(paging) => {
                    let query = merge_query(&request.query, &paging);
                    self.send(
                        request.method,
                        list_url.clone(),
                        &query,
                        request.body.as_ref(),
                    )
                    .await?
                }
                Step::Url(url) => self.send(request.method, url, &[], None).await?,
            };
            pages += 1;
            let outcome = walk.read(response.body)?;
            let room = max_items.saturating_sub(items.len());
            let overflow = outcome.records.len() > room;
            items.extend(outcome.records.into_iter().take(room));
            let truncated = match outcome.next {
                Next::Done => overflow,
                Next::Repeated => {
                    tracing::warn!(path = %request.path, pages, "the API repeated a paging cursor; stopping the walk");
                    true
                }
                Next::Fetch(_) if items.len() >= max_items || pages >= MAX_PAGES => true,
                Next::Fetch(next) => {
                    step = next;
                    continue;
                }
            };
            return Ok(PagedItems {
                items,
                pages,
                truncated,
            });
        }
    }

    /// Runs a GraphQL document and returns `data`.
    ///
    /// # Errors
    /// See [`ApiError`]; an `errors` array on HTTP 200 is [`ApiError::Graphql`].
    pub async fn graphql(
        &self,
        endpoint: &str,
        document: &str,
        variables: Value,
    ) -> Result<Value, ApiError> {
        let request = ApiRequest {
            method: HttpMethod::Post,
            path: endpoint.to_owned(),
            query: Vec::new(),
            body: Some(serde_json::json!({ "query": document, "variables": variables })),
        };
        let mut body = self.execute(&request).await?.body;
        if let Some(message) = graphql_errors(&body) {
            return Err(ApiError::Graphql(message));
        }
        Ok(body.get_mut("data").map(Value::take).unwrap_or(Value::Null))
    }

    fn gateway_url(&self, path: &str) -> Result<Url, ApiError> {
        if !path.starts_with('/') {
            return Err(ApiError::Transport(format!(
                "request path {path:?} must start with /"
            )));
        }
        self.inner
            .endpoints
            .api_url(path)
            .map_err(|e| ApiError::Transport(format!("cannot build a URL from {path:?}: {e}")))
    }

    /// One logical call: token, send, and the retry policy of [`crate::retry`]. A 401
    /// renews the token once; it does not use up a retry.
    async fn send(
        &self,
        method: HttpMethod,
        url: Url,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<ApiResponse, ApiError> {
        let config = &self.inner.config;
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            let token = self.inner.tokens.token().await?;
            let exchange = match self.exchange(method, &url, query, body, &token).await {
                Ok(exchange) => exchange,
                Err(err) => {
                    // A refused connection never reached the server; a timed-out read may
                    // have, so only reads are repeated after a timeout.
                    let safe = err.is_connect() || (err.is_timeout() && method == HttpMethod::Get);
                    if safe && retries < config.max_retries {
                        let wait = wait_before_retry(retries, None, config.max_backoff);
                        tracing::warn!(method = method.as_str(), path = url.path(), error = %transport::describe_send_error(&err, config.request_timeout), wait_ms = wait.as_millis() as u64, "retrying Zscaler API call after a connection failure");
                        tokio::time::sleep(wait).await;
                        retries += 1;
                        continue;
                    }
                    return Err(transport::send_error(&err, config.request_timeout));
                }
            };
            let status = exchange.status;
            if (200..300).contains(&status) {
                return Ok(ApiResponse {
                    status,
                    body: response::success_body(&exchange.headers, &exchange.body)?,
                    request_id: response::request_id(&exchange.headers),
                });
            }
            if status == 401 && !reauthenticated {
                tracing::debug!(
                    method = method.as_str(),
                    path = url.path(),
                    "token rejected; renewing it once"
                );
                self.inner.tokens.invalidate(token.generation);
                reauthenticated = true;
                continue;
            }
            match classify(method, status, &exchange.headers, &exchange.body) {
                Some(retryable) if retries < config.max_retries => {
                    let wait =
                        wait_before_retry(retries, retryable.server_hint, config.max_backoff);
                    tracing::warn!(method = method.as_str(), path = url.path(), status, reason = ?retryable.reason, wait_ms = wait.as_millis() as u64, retry = retries + 1, "retrying Zscaler API call");
                    tokio::time::sleep(wait).await;
                    retries += 1;
                }
                Some(retryable) if retryable.reason == RetryReason::RateLimited => {
                    return Err(ApiError::RateLimited { retries });
                }
                _ => {
                    return Err(response::status_error(
                        status,
                        &exchange.headers,
                        &exchange.body,
                    ));
                }
            }
        }
    }

    async fn exchange(
        &self,
        method: HttpMethod,
        url: &Url,
        query: &[(String, String)],
        body: Option<&Value>,
        token: &IssuedToken,
    ) -> Result<Exchange, reqwest::Error> {
        let mut url = url.clone();
        if !query.is_empty() {
            url.set_query(Some(&encode_query(query)));
        }
        let mut builder = self
            .inner
            .http
            .request(method.to_reqwest(), url)
            .bearer_auth(token.secret.expose_secret())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(body) = body {
            builder = builder.json(body);
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        Ok(Exchange {
            status,
            headers,
            body,
        })
    }
}

/// The `errors` of a GraphQL answer as one line (`message (CODE); ...`), or `None` when
/// there are none.
fn graphql_errors(body: &Value) -> Option<String> {
    let errors = body.get("errors")?.as_array().filter(|e| !e.is_empty())?;
    let mut parts: Vec<String> = errors
        .iter()
        .take(MAX_GRAPHQL_ERRORS)
        .map(|error| {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("error without message");
            match error.pointer("/extensions/code").and_then(Value::as_str) {
                Some(code) => format!("{message} ({code})"),
                None => message.to_owned(),
            }
        })
        .collect();
    if errors.len() > MAX_GRAPHQL_ERRORS {
        parts.push(format!("{} more", errors.len() - MAX_GRAPHQL_ERRORS));
    }
    Some(parts.join("; "))
}

/// Characters left as they are in a query component: RFC 3986 unreserved only.
const QUERY_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes query pairs with `%20` for spaces and `%2B` for plus signs. Form encoding (what
/// `reqwest::RequestBuilder::query` does) writes spaces as `+`, which ZPA's `search` grammar
/// (`name+EQ+CDE Segment`) cannot tell apart from its own separators.
fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            format!(
                "{}={}",
                percent_encoding::utf8_percent_encode(key, QUERY_COMPONENT),
                percent_encoding::utf8_percent_encode(value, QUERY_COMPONENT)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn query_encoding_keeps_zpa_search_separators_apart_from_spaces() {
        let encoded = encode_query(&[
            ("search".to_owned(), "name+EQ+CDE Segment".to_owned()),
            ("page".to_owned(), "1".to_owned()),
        ]);
        assert_eq!(encoded, "search=name%2BEQ%2BCDE%20Segment&page=1");
    }

    #[test]
    fn graphql_errors_join_messages_and_codes() {
        let body = json!({
            "errors": [
                {"message": "Data fetching Failed: Forbidden to use API",
                 "extensions": {"code": "FORBIDDEN", "http_status": 403}},
                {"message": "second"}
            ],
            "data": {"IOT": {"device_stats": null}}
        });
        assert_eq!(
            graphql_errors(&body).as_deref(),
            Some("Data fetching Failed: Forbidden to use API (FORBIDDEN); second")
        );
        assert_eq!(graphql_errors(&json!({"errors": [], "data": {}})), None);
        assert_eq!(graphql_errors(&json!({"data": {}})), None);
    }

    #[test]
    fn many_graphql_errors_are_summarised() {
        let errors: Vec<Value> = (0..8)
            .map(|i| json!({"message": format!("e{i}")}))
            .collect();
        let text = graphql_errors(&json!({ "errors": errors })).unwrap();
        assert!(text.ends_with("e4; 3 more"), "{text}");
    }
}
