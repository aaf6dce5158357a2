//! The shape of one catalog entry, exactly as the `catalog/<service>.toml` files spell it.
//!
//! A tool is data: its name, what it does to the tenant (`action`), how its arguments become
//! an HTTP request (`http` + `params`), how a list is paged, and, for the few tools whose
//! logic is more than one call, the name of a handler implemented in `zmcp-server`.
//! Nothing here performs I/O.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The Zscaler product a tool belongs to. The code is the prefix of tool names and the value
/// users pass to `--services`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// Internet Access.
    Zia,
    /// Private Access.
    Zpa,
    /// Digital Experience.
    Zdx,
    /// Client Connector.
    Zcc,
    /// Cloud & Branch Connector (workload).
    Ztw,
    /// ZIdentity.
    Zid,
    /// External attack surface management.
    Zeasm,
    /// Z-Insights analytics (GraphQL).
    Zins,
    /// Microsegmentation (GraphQL).
    Zms,
    /// Cellular.
    Zcell,
}

impl Service {
    /// Every service, in the order `--list-tools` prints them.
    pub const ALL: [Service; 10] = [
        Service::Zcc,
        Service::Zcell,
        Service::Zdx,
        Service::Zeasm,
        Service::Zia,
        Service::Zid,
        Service::Zins,
        Service::Zms,
        Service::Zpa,
        Service::Ztw,
    ];

    /// The code used in tool names and on the command line (`zia`, `zpa`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Service::Zia => "zia",
            Service::Zpa => "zpa",
            Service::Zdx => "zdx",
            Service::Zcc => "zcc",
            Service::Ztw => "ztw",
            Service::Zid => "zid",
            Service::Zeasm => "zeasm",
            Service::Zins => "zins",
            Service::Zms => "zms",
            Service::Zcell => "zcell",
        }
    }

    /// Parses a service code as users type it (case-insensitive).
    pub fn from_code(code: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// What a tool does to the tenant. Decides the write gate, the delete confirmation and the
/// MCP annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Reads only.
    Read,
    /// Creates a resource (or adds to a list).
    Create,
    /// Changes an existing resource.
    Update,
    /// Removes a resource (or removes entries from a list): needs a human confirmation.
    Delete,
}

impl Action {
    /// Whether the write gate applies.
    pub fn is_write(self) -> bool {
        !matches!(self, Action::Read)
    }
}

/// HTTP method of a catalog request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
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

/// The one HTTP call behind a plain tool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpBinding {
    /// HTTP method.
    pub method: Method,
    /// Path template on the API gateway, e.g.
    /// `/zpa/mgmtconfig/v1/admin/customers/{customer_id}/segmentGroup/{group_id}`.
    /// Placeholders are bound from `in = "path"` params or from tenant values
    /// (`customer_id`, `zcell_customer_id`); each is percent-encoded as one segment.
    pub path: String,
    /// Fixed query parameters sent on every call (e.g. `action = "ADD_TO_LIST"`).
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Fixed body fields sent on every call (e.g. `type = "URL_CATEGORY"`); arguments
    /// with the same wire name override them.
    #[serde(default)]
    pub body: Map<String, Value>,
}

/// The "get one by id" request of a combo tool (the Python server's `get_zia_users` style:
/// list when the id is absent, get when it is given).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByIdBinding {
    /// The optional parameter whose presence switches to this request; it binds the
    /// placeholder of the same name in `path`.
    pub param: String,
    /// Path template of the single-resource request (same method as `http`).
    pub path: String,
    /// Other parameters still sent on the by-id request (e.g. `microtenant_id`); all others
    /// (list filters, paging) are dropped, as the Python tools drop them.
    #[serde(default)]
    pub keep: Vec<String>,
}

/// A GraphQL operation behind a Z-Insights or ZMS tool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlBinding {
    /// Gateway path of the GraphQL endpoint (`/zins/graphql`, `/zms/graphql`).
    pub endpoint: String,
    /// The GraphQL document sent as `query`.
    pub document: String,
    /// Dotted path of the result inside `data` (e.g. `WEB_TRAFFIC.location.entries`).
    pub result: String,
}

/// How a list endpoint pages; decides how "fetch all" walks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paging {
    /// ZIA, ZTW, ZCC v1: `page`/`pageSize`, 1-based, bare array; stop on a short page.
    Zia,
    /// ZPA: `page`/`pagesize`, `{"list": [...], "totalPages": "N"}`.
    Zpa,
    /// ZDX: `offset` cursor echoed from `next_offset`; records under `items`.
    Zdx,
    /// ZIdentity: follow `next_link`; records under `records`.
    Zid,
    /// ZCell: `page` (0-based) / `size`; Spring page `{"content": [...], "totalPages": N}`.
    Zcell,
}

/// JSON type of a parameter as it appears in the input schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// string
    String,
    /// integer
    Integer,
    /// number
    Number,
    /// boolean
    Boolean,
    /// array (see `items`)
    Array,
    /// object
    Object,
}

impl ParamType {
    /// The JSON Schema type keyword.
    pub fn json_type(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Array => "array",
            ParamType::Object => "object",
        }
    }
}

/// Where an argument goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    /// Binds the `{name}` placeholder of the path.
    Path,
    /// A query parameter named `wire` (default: the param name).
    Query,
    /// A field named `wire` (default: the param name) of the JSON body object.
    Body,
    /// The argument is the whole JSON body (e.g. the URL array of `zia_url_lookup`).
    BodyWhole,
    /// An object whose fields are merged into the body last (ZIA's `advanced`).
    BodyMerge,
    /// A GraphQL variable named `wire` (default: the param name).
    Variable,
    /// Not sent; read by a handler or a post-processing step.
    Local,
}

/// How an argument is rewritten before it goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// ZDX look-back in hours: sends `from = now - N h` and `to = now` (epoch seconds).
    SinceHours,
    /// A list of ids sent as `[{"id": x}, ...]` (ZIA/ZPA references).
    IdRefs,
    /// A comma-separated string or JSON array string accepted as an array.
    CsvList,
    /// A ZPA `search` value: a bare string becomes `name+EQ+<value>`.
    ZpaSearch,
    /// Days ago to epoch milliseconds (`now - N days`), for Z-Insights time windows.
    DaysAgoEpochMs,
    /// A boolean sent as ZIA's `state`: `true` → `"ENABLED"`, `false` → `"DISABLED"`.
    EnabledState,
}

/// One tool parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Argument name as the model sends it (snake_case, as in the Python server).
    pub name: String,
    /// JSON type.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Item type for arrays (default string).
    #[serde(default)]
    pub items: Option<ParamType>,
    /// Where it goes.
    #[serde(rename = "in")]
    pub location: ParamLocation,
    /// Name on the wire when it differs (`microtenantId`, `pagesize`, `configuredName`).
    /// Several params may share one wire name as alternatives (Z-Insights `start_time` and
    /// `start_days_ago` → `startTime`): a given argument beats a default or tenant value,
    /// and among given arguments the first declared wins.
    #[serde(default)]
    pub wire: Option<String>,
    /// Whether the model must supply it.
    #[serde(default)]
    pub required: bool,
    /// What it means, for the model. Short.
    #[serde(default)]
    pub description: Option<String>,
    /// Value sent when the argument is absent (also advertised in the schema).
    #[serde(default)]
    pub default: Option<Value>,
    /// Allowed values.
    #[serde(default, rename = "enum")]
    pub allowed: Option<Vec<Value>>,
    /// Inclusive lower bound for numbers.
    #[serde(default)]
    pub minimum: Option<f64>,
    /// Inclusive upper bound for numbers.
    #[serde(default)]
    pub maximum: Option<f64>,
    /// Rewrite applied before sending.
    #[serde(default)]
    pub transform: Option<Transform>,
    /// Tenant value used when the argument is absent (`microtenant_id`: the configured
    /// `ZSCALER_MICROTENANT_ID`). Ranks below an explicit argument, like `default`.
    #[serde(default)]
    pub from_tenant: Option<TenantKey>,
}

/// A tenant-scoped value from configuration (see [`crate::TenantScope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantKey {
    /// `ZSCALER_CUSTOMER_ID`.
    CustomerId,
    /// `ZCELL_CUSTOMER_ID`.
    ZcellCustomerId,
    /// `ZSCALER_MICROTENANT_ID`.
    MicrotenantId,
}

impl TenantKey {
    /// Parses a path placeholder or key name.
    pub fn from_name(name: &str) -> Option<TenantKey> {
        match name {
            "customer_id" => Some(TenantKey::CustomerId),
            "zcell_customer_id" => Some(TenantKey::ZcellCustomerId),
            "microtenant_id" => Some(TenantKey::MicrotenantId),
            _ => None,
        }
    }

    /// The environment variable users set, named in errors.
    pub fn env_var(self) -> &'static str {
        match self {
            TenantKey::CustomerId => "ZSCALER_CUSTOMER_ID",
            TenantKey::ZcellCustomerId => "ZCELL_CUSTOMER_ID",
            TenantKey::MicrotenantId => "ZSCALER_MICROTENANT_ID",
        }
    }
}

impl ParamSpec {
    /// The name used on the wire.
    pub fn wire_name(&self) -> &str {
        self.wire.as_deref().unwrap_or(&self.name)
    }
}

/// One tool, as written in the catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// Tool name (`{service}_{verb}_{resource}` or the Python server's legacy `get_{service}_...`).
    pub name: String,
    /// Service, filled from the catalog file the entry lives in.
    #[serde(skip, default = "default_service")]
    pub service: Service,
    /// Toolset id (`zpa_segment_groups`), as in the Python server.
    pub toolset: String,
    /// What it does to the tenant.
    pub action: Action,
    /// Human title.
    #[serde(default)]
    pub title: Option<String>,
    /// What it returns and when to use it. The first line is the summary `--list-tools` prints.
    pub description: String,
    /// The HTTP call, for plain tools.
    #[serde(default)]
    pub http: Option<HttpBinding>,
    /// The GraphQL operation, for ZINS/ZMS tools.
    #[serde(default)]
    pub graphql: Option<GraphqlBinding>,
    /// Name of a Rust handler in `zmcp-server` for tools with more than one call.
    #[serde(default)]
    pub handler: Option<String>,
    /// Static data for the handler (e.g. `{ policy_type = "ACCESS_POLICY" }`).
    #[serde(default)]
    pub handler_args: Option<Map<String, Value>>,
    /// Combo tools: the single-resource request used when `param` is given.
    #[serde(default)]
    pub http_by_id: Option<ByIdBinding>,
    /// Paging convention of a list endpoint.
    #[serde(default)]
    pub paging: Option<Paging>,
    /// Key of the record array inside the response object (ZDX `devices`, ...).
    #[serde(default)]
    pub items: Option<String>,
    /// Returns a collection: gets the JMESPath `query` argument and fetches all pages.
    #[serde(default)]
    pub list: bool,
    /// Returns externally authored content: the result carries an untrusted-content label.
    #[serde(default)]
    pub untrusted: bool,
    /// Parameters.
    #[serde(default)]
    pub params: Vec<ParamSpec>,
    /// The input schema, built on first use.
    #[serde(skip)]
    pub(crate) schema_cache: std::sync::OnceLock<Map<String, Value>>,
}

fn default_service() -> Service {
    Service::Zia
}

impl ToolSpec {
    /// The first line of the description.
    pub fn summary(&self) -> &str {
        self.description.lines().next().unwrap_or_default().trim()
    }

    /// Looks up a parameter by name.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}
