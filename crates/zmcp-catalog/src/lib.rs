//! The zscaler-mcp tool catalog: every tool as data, compiled in from `catalog/<service>.toml`.
//!
//! It owns what a tool *is* (name, action, parameters, request mapping), which tools a given
//! configuration exposes (services, toolsets, disabled patterns, the write gate), the JSON
//! Schemas and annotations advertised for them, the translation of arguments into a
//! [`RequestPlan`], and the guarded JMESPath `query` applied to results.
//! It performs no I/O and must not depend on rmcp or on any other zscaler-mcp crate.
//! (Skeleton: the API below is the contract; bodies are filled in by the catalog work.)

mod spec;

pub use spec::*;

use serde_json::{Map, Value};

/// Errors of this crate.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogError {
    /// A catalog file does not parse or breaks an invariant (a build-time defect).
    #[error("invalid catalog: {0}")]
    Invalid(String),
    /// A selection names services or toolsets that do not exist.
    #[error("{0}")]
    Selection(String),
}

/// All tools known to this build.
#[derive(Debug)]
pub struct Catalog {
    tools: Vec<ToolSpec>,
}

impl Catalog {
    /// The catalog compiled into the binary, parsed and validated once.
    ///
    /// # Errors
    /// When a catalog file is invalid (caught by the crate's tests before release).
    pub fn builtin() -> Result<&'static Catalog, CatalogError> {
        Err(CatalogError::Invalid("not implemented".into()))
    }
    /// Every tool, sorted by name.
    pub fn tools(&self) -> &[ToolSpec] {
        &self.tools
    }
    /// One tool by name.
    pub fn get(&self, name: &str) -> Option<&ToolSpec> {
        self.tools.iter().find(|t| t.name == name)
    }
}

/// Which tools to expose; mirrors the Python server's flags.
#[derive(Debug, Clone, Default)]
pub struct SelectionConfig {
    /// `--services` (empty = all).
    pub services: Vec<String>,
    /// `--disabled-services`.
    pub disabled_services: Vec<String>,
    /// `--toolsets` (empty, `all` or `default` = all).
    pub toolsets: Vec<String>,
    /// `--disabled-toolsets`.
    pub disabled_toolsets: Vec<String>,
    /// `--enable-write-tools`.
    pub enable_write: bool,
    /// `--write-tools` fnmatch patterns.
    pub write_tools: Vec<String>,
    /// `--disabled-tools` fnmatch patterns (highest precedence).
    pub disabled_tools: Vec<String>,
    /// `--list-tools` lists write tools regardless of the gate.
    pub include_all_writes: bool,
}

/// The outcome of a selection.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Selected tools, sorted by name.
    pub tools: Vec<&'static ToolSpec>,
    /// Warnings to log (write gate half-configured, ...), worded as the Python server words them.
    pub warnings: Vec<String>,
}

impl Catalog {
    /// Applies a configuration.
    ///
    /// # Errors
    /// Unknown service or toolset names, with the list of valid ones.
    pub fn select(&'static self, _config: &SelectionConfig) -> Result<Selection, CatalogError> {
        Err(CatalogError::Selection("not implemented".into()))
    }
}

/// Advisory MCP hints derived from the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    /// readOnlyHint
    pub read_only: bool,
    /// destructiveHint (meaningful for writes)
    pub destructive: bool,
    /// idempotentHint (meaningful for writes)
    pub idempotent: bool,
    /// openWorldHint
    pub open_world: bool,
}

impl ToolSpec {
    /// The JSON Schema (2020-12) of the tool's arguments, including `query` on list tools.
    pub fn input_schema(&self) -> Map<String, Value> {
        Map::new()
    }
    /// MCP annotation hints.
    pub fn hints(&self) -> Hints {
        Hints {
            read_only: !self.action.is_write(),
            destructive: matches!(self.action, Action::Update | Action::Delete),
            idempotent: matches!(self.action, Action::Update | Action::Delete),
            open_world: false,
        }
    }
}

/// Tenant-scoped values that come from configuration, never from the model.
#[derive(Debug, Clone, Default)]
pub struct TenantScope {
    /// `ZSCALER_CUSTOMER_ID` (ZPA, ZMS).
    pub customer_id: Option<String>,
    /// `ZCELL_CUSTOMER_ID`.
    pub zcell_customer_id: Option<String>,
    /// `ZSCALER_MICROTENANT_ID`, the default ZPA microtenant.
    pub microtenant_id: Option<String>,
}

/// One HTTP request derived from a tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPlan {
    /// Method.
    pub method: Method,
    /// Path, percent-encoded segment by segment.
    pub path: String,
    /// Query parameters, unencoded.
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Value>,
    /// The caller asked for one page (gave `page`/`page_size`/`offset`): do not walk all pages.
    pub single_page: bool,
}

/// Why arguments could not become a request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// A tenant value the path needs is not configured (names the env var).
    #[error("{0} is required for this tool. Set it in the environment or .env file.")]
    MissingTenantValue(&'static str),
    /// Arguments do not fit the tool.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
}

/// Builds the request for a plain (`http`) tool from validated arguments.
///
/// # Errors
/// See [`PlanError`].
pub fn plan_request(
    _tool: &ToolSpec,
    _args: &Map<String, Value>,
    _tenant: &TenantScope,
    _now_epoch_secs: i64,
) -> Result<RequestPlan, PlanError> {
    Err(PlanError::InvalidArguments("not implemented".into()))
}

/// Validates arguments against each selected tool's input schema; validators compiled once.
#[derive(Debug, Default)]
pub struct ArgValidators {}

impl ArgValidators {
    /// Compiles validators for these tools.
    pub fn new(_tools: &[&ToolSpec]) -> Self {
        Self {}
    }
    /// Checks one call's arguments; the error lists every problem in words a model can fix.
    ///
    /// # Errors
    /// When the arguments do not match the schema.
    pub fn validate(&self, _tool: &str, _args: &Value) -> Result<(), String> {
        Ok(())
    }
}

/// The guarded JMESPath `query` argument.
pub mod query {
    use serde_json::Value;

    /// Applies `expression` to `value`, after the guard (length and nesting limits).
    ///
    /// # Errors
    /// A message for the model when the expression is refused or invalid.
    pub fn apply(_expression: &str, value: &Value) -> Result<Value, String> {
        Ok(value.clone())
    }
}

/// One GraphQL call derived from a tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphqlPlan {
    /// Gateway path of the endpoint.
    pub endpoint: String,
    /// The document.
    pub document: String,
    /// Variables built from the arguments (and tenant values such as ZMS `customerId`).
    pub variables: Value,
    /// Dotted path of the result inside `data`.
    pub result_path: String,
}

/// Builds the GraphQL call for a `graphql` tool from validated arguments.
///
/// # Errors
/// See [`PlanError`].
pub fn plan_graphql(
    _tool: &ToolSpec,
    _args: &Map<String, Value>,
    _tenant: &TenantScope,
    _now_epoch_secs: i64,
) -> Result<GraphqlPlan, PlanError> {
    Err(PlanError::InvalidArguments("not implemented".into()))
}
