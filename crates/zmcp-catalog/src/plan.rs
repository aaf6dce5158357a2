//! Request planning: validated tool arguments become one HTTP request or one GraphQL call.
//!
//! Everything that decides what goes on the wire lives here: path placeholders (encoded so an
//! id can never change the path), query and body fields by wire name, defaults, tenant values
//! and the argument rewrites ([`Transform`]).

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use crate::{Method, ParamLocation, ParamSpec, Service, TenantKey, ToolSpec, Transform};

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

impl TenantScope {
    /// The configured value for `key`, if any (empty counts as unset).
    pub fn get(&self, key: TenantKey) -> Option<&str> {
        let value = match key {
            TenantKey::CustomerId => &self.customer_id,
            TenantKey::ZcellCustomerId => &self.zcell_customer_id,
            TenantKey::MicrotenantId => &self.microtenant_id,
        };
        value.as_deref().filter(|v| !v.trim().is_empty())
    }

    fn require(&self, key: TenantKey) -> Result<&str, PlanError> {
        self.get(key)
            .ok_or(PlanError::MissingTenantValue(key.env_var()))
    }
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
    /// The caller asked for one page (gave `page`/`page_size`/`offset`/`limit`), or the tool
    /// does not page, or a combo tool fetches one resource by id: do not walk all pages.
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

/// Arguments whose presence means "one page only".
const PAGE_CONTROLS: [&str; 4] = ["page", "page_size", "offset", "limit"];

/// Operators of ZPA's `field+OP+value` search syntax.
const ZPA_SEARCH_OPS: [&str; 9] = [
    "EQ",
    "NE",
    "GT",
    "LT",
    "GE",
    "LE",
    "CONTAINS",
    "STARTSWITH",
    "ENDSWITH",
];

/// Everything except RFC 3986 unreserved characters is encoded, so `/`, `?`, `#` and `%`
/// inside an id stay inside its segment.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Builds the request for a plain (`http`) tool from validated arguments.
///
/// # Errors
/// See [`PlanError`].
pub fn plan_request(
    tool: &ToolSpec,
    args: &Map<String, Value>,
    tenant: &TenantScope,
    now_epoch_secs: i64,
) -> Result<RequestPlan, PlanError> {
    let http = tool.http.as_ref().ok_or_else(|| {
        PlanError::InvalidArguments(format!("tool {} has no HTTP binding", tool.name))
    })?;
    let by_id = tool
        .http_by_id
        .as_ref()
        .filter(|by_id| is_given(args, &by_id.param));
    let template = by_id.map_or(http.path.as_str(), |by_id| by_id.path.as_str());
    let path = expand_path(template, args, tenant)?;

    let sent = tool.params.iter().filter(|p| match by_id {
        Some(by_id) => by_id.keep.contains(&p.name),
        None => true,
    });
    let values = resolve(sent, args, tenant, now_epoch_secs)?;

    let mut query: Vec<(String, String)> = http
        .query
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let declares_body = !http.body.is_empty()
        || tool
            .params
            .iter()
            .any(|p| matches!(p.location, ParamLocation::Body | ParamLocation::BodyMerge));
    let mut fields = http.body.clone();
    let mut whole = None;
    let mut merge = Vec::new();
    for value in values {
        match value.location {
            ParamLocation::Query => push_query(&mut query, &value.wire, value.value),
            ParamLocation::Body => {
                fields.insert(value.wire.into_owned(), value.value);
            }
            ParamLocation::BodyMerge => merge.push(value.value),
            ParamLocation::BodyWhole => whole = Some(value.value),
            ParamLocation::Path | ParamLocation::Variable | ParamLocation::Local => {}
        }
    }
    for extra in merge {
        merge_into(&mut fields, extra)?;
    }
    let body = match whole {
        Some(whole) => Some(whole),
        None if declares_body => Some(Value::Object(fields)),
        None => None,
    };
    let single_page = by_id.is_some()
        || tool.paging.is_none()
        || PAGE_CONTROLS
            .iter()
            .any(|name| tool.param(name).is_some() && is_given(args, name));
    Ok(RequestPlan {
        method: http.method,
        path,
        query,
        body,
        single_page,
    })
}

/// Builds the GraphQL call for a `graphql` tool from validated arguments.
///
/// # Errors
/// See [`PlanError`].
pub fn plan_graphql(
    tool: &ToolSpec,
    args: &Map<String, Value>,
    tenant: &TenantScope,
    now_epoch_secs: i64,
) -> Result<GraphqlPlan, PlanError> {
    let graphql = tool.graphql.as_ref().ok_or_else(|| {
        PlanError::InvalidArguments(format!("tool {} has no GraphQL binding", tool.name))
    })?;
    let mut variables = Map::new();
    if tool.service == Service::Zms {
        let customer = tenant.require(TenantKey::CustomerId)?;
        variables.insert("customerId".into(), Value::String(customer.to_owned()));
    }
    for value in resolve(tool.params.iter(), args, tenant, now_epoch_secs)? {
        if value.location == ParamLocation::Variable {
            variables.insert(value.wire.into_owned(), value.value);
        }
    }
    Ok(GraphqlPlan {
        endpoint: graphql.endpoint.clone(),
        document: graphql.document.clone(),
        variables: Value::Object(variables),
        result_path: graphql.result.clone(),
    })
}

/// Fills a path template: `{customer_id}` / `{zcell_customer_id}` from the tenant, every other
/// `{name}` from the argument of that name, each encoded as exactly one segment.
/// Handlers use it to build their own paths the same safe way.
///
/// # Errors
/// A missing tenant value or argument, or an id that cannot be one path segment.
pub fn expand_path(
    template: &str,
    args: &Map<String, Value>,
    tenant: &TenantScope,
) -> Result<String, PlanError> {
    let mut out = String::with_capacity(template.len() + 24);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (literal, tail) = rest.split_at(open);
        out.push_str(literal);
        let close = tail.find('}').ok_or_else(|| {
            PlanError::InvalidArguments(format!("unclosed placeholder in {template}"))
        })?;
        let name = tail.get(1..close).unwrap_or_default();
        let raw: Cow<'_, str> = match TenantKey::from_name(name) {
            Some(key @ (TenantKey::CustomerId | TenantKey::ZcellCustomerId)) => {
                Cow::Borrowed(tenant.require(key)?)
            }
            _ => match args.get(name) {
                Some(value) if !value.is_null() => scalar_text(value).ok_or_else(|| {
                    PlanError::InvalidArguments(format!("{name}: expected a string or number"))
                })?,
                _ => {
                    return Err(PlanError::InvalidArguments(format!(
                        "missing required argument \"{name}\""
                    )));
                }
            },
        };
        out.push_str(&path_segment(name, &raw)?);
        rest = tail.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// Encodes one path segment; refuses values that would still change the path's shape once a
/// URL parser normalises it (empty, `.`, `..`).
///
/// # Errors
/// When `value` cannot be a single segment.
pub fn path_segment(name: &str, value: &str) -> Result<String, PlanError> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(PlanError::InvalidArguments(format!(
            "{name}: {value:?} is not a valid id"
        )));
    }
    Ok(utf8_percent_encode(value, PATH_SEGMENT).to_string())
}

/// The names of the `{placeholders}` of a path template, in order.
pub(crate) fn placeholders(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

/// A value bound for the wire.
struct WireValue<'a> {
    location: ParamLocation,
    wire: Cow<'a, str>,
    value: Value,
}

/// The values to send, by wire name: given arguments first (in declaration order), then
/// defaults and tenant values for wire names still free.
fn resolve<'a>(
    params: impl Iterator<Item = &'a ParamSpec> + Clone,
    args: &Map<String, Value>,
    tenant: &TenantScope,
    now: i64,
) -> Result<Vec<WireValue<'a>>, PlanError> {
    let mut out: Vec<WireValue<'a>> = Vec::new();
    let sendable =
        |p: &&ParamSpec| !matches!(p.location, ParamLocation::Path | ParamLocation::Local);
    for param in params.clone().filter(sendable) {
        if let Some(value) = args.get(&param.name).filter(|v| !v.is_null()) {
            push_unique(&mut out, transform(param, value.clone(), now)?);
        }
    }
    for param in params.filter(sendable) {
        let fallback = param.default.clone().or_else(|| {
            param
                .from_tenant
                .and_then(|key| tenant.get(key))
                .map(|v| Value::String(v.to_owned()))
        });
        if let Some(value) = fallback {
            push_unique(&mut out, transform(param, value, now)?);
        }
    }
    Ok(out)
}

fn push_unique<'a>(out: &mut Vec<WireValue<'a>>, values: Vec<WireValue<'a>>) {
    for value in values {
        if !out
            .iter()
            .any(|v| v.location == value.location && v.wire == value.wire)
        {
            out.push(value);
        }
    }
}

/// Applies the param's rewrite; most params yield one wire value, `since_hours` yields two.
fn transform(param: &ParamSpec, value: Value, now: i64) -> Result<Vec<WireValue<'_>>, PlanError> {
    let one = |value: Value| {
        vec![WireValue {
            location: param.location,
            wire: Cow::Borrowed(param.wire_name()),
            value,
        }]
    };
    let invalid = |expected: &str| {
        PlanError::InvalidArguments(format!("{}: expected {expected}", param.name))
    };
    let Some(transform) = param.transform else {
        return Ok(one(value));
    };
    Ok(match transform {
        Transform::SinceHours => {
            let hours = value.as_i64().ok_or_else(|| invalid("an integer"))?;
            let from = now.saturating_sub(hours.saturating_mul(3600));
            ["from", "to"]
                .into_iter()
                .zip([from, now])
                .map(|(wire, secs)| WireValue {
                    location: ParamLocation::Query,
                    wire: Cow::Borrowed(wire),
                    value: Value::from(secs),
                })
                .collect()
        }
        Transform::DaysAgoEpochMs => {
            let days = value.as_i64().ok_or_else(|| invalid("an integer"))?;
            let secs = now.saturating_sub(days.saturating_mul(86_400));
            one(Value::from(secs.saturating_mul(1000)))
        }
        Transform::IdRefs => one(Value::Array(
            list_items(value)
                .ok_or_else(|| invalid("a list of ids"))?
                .into_iter()
                .map(|id| Value::Object(Map::from_iter([("id".to_owned(), id)])))
                .collect(),
        )),
        Transform::CsvList => {
            one(Value::Array(list_items(value).ok_or_else(|| {
                invalid("a list or a comma-separated string")
            })?))
        }
        Transform::ZpaSearch => {
            let text = value.as_str().ok_or_else(|| invalid("a string"))?;
            one(Value::String(zpa_search(text)))
        }
        Transform::EnabledState => {
            let enabled = value.as_bool().ok_or_else(|| invalid("a boolean"))?;
            one(Value::from(if enabled { "ENABLED" } else { "DISABLED" }))
        }
    })
}

/// A list given as an array, a JSON array string or a comma-separated string.
fn list_items(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        Value::String(text) => {
            let text = text.trim();
            if text.starts_with('[') {
                match serde_json::from_str(text) {
                    Ok(Value::Array(items)) => Some(items),
                    _ => None,
                }
            } else {
                Some(
                    text.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_owned()))
                        .collect(),
                )
            }
        }
        _ => None,
    }
}

/// A bare search term becomes `name+EQ+<term>`; an explicit `field+OP+value` is kept.
fn zpa_search(text: &str) -> String {
    let mut parts = text.splitn(3, '+');
    let explicit = match (parts.next(), parts.next(), parts.next()) {
        (Some(field), Some(op), Some(_)) => {
            !field.is_empty()
                && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && ZPA_SEARCH_OPS.contains(&op)
        }
        _ => false,
    };
    if explicit {
        text.to_owned()
    } else {
        format!("name+EQ+{text}")
    }
}

fn push_query(query: &mut Vec<(String, String)>, wire: &str, value: Value) {
    match value {
        Value::Array(items) => {
            for item in items {
                push_query(query, wire, item);
            }
        }
        Value::Null => {}
        other => {
            let text = scalar_text(&other).unwrap_or_else(|| Cow::Owned(other.to_string()));
            query.push((wire.to_owned(), text.into_owned()));
        }
    }
}

/// Merges a free-form object (ZIA's `advanced`) into the body. Keys may be snake_case, as the
/// Python tools accept them, and become the API's camelCase; list values may be JSON strings.
fn merge_into(fields: &mut Map<String, Value>, extra: Value) -> Result<(), PlanError> {
    let Value::Object(extra) = extra else {
        return Err(PlanError::InvalidArguments(
            "advanced: expected an object".into(),
        ));
    };
    for (key, value) in extra {
        let value = match value {
            Value::String(text) if text.trim_start().starts_with('[') => {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            }
            other => other,
        };
        fields.insert(camel_case(&key), value);
    }
    Ok(())
}

fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for (i, c) in key.chars().enumerate() {
        if c == '_' && i > 0 {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn scalar_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

fn is_given(args: &Map<String, Value>, name: &str) -> bool {
    args.get(name).is_some_and(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::Catalog;

    const NOW: i64 = 1_700_000_000;

    fn tool(name: &str) -> &'static ToolSpec {
        Catalog::builtin().unwrap().get(name).unwrap()
    }

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn zpa_tenant() -> TenantScope {
        TenantScope {
            customer_id: Some("123".into()),
            ..TenantScope::default()
        }
    }

    fn call(name: &str, value: Value, tenant: &TenantScope) -> Result<RequestPlan, PlanError> {
        plan_request(tool(name), &args(value), tenant, NOW)
    }

    #[test]
    fn zia_rule_create_applies_defaults_and_merges_advanced_last() {
        let plan = call(
            "zia_create_url_filtering_rule",
            json!({"name": "Block", "action": "BLOCK",
                   "advanced": {"url_categories": "[\"GAMBLING\"]", "rank": 3, "protocols": ["ANY_RULE"]}}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(plan.method, Method::Post);
        assert_eq!(plan.path, "/zia/api/v1/urlFilteringRules");
        assert_eq!(
            plan.body.unwrap(),
            json!({"name": "Block", "action": "BLOCK", "state": "ENABLED", "order": 1, "rank": 3,
                   "urlCategories": ["GAMBLING"], "protocols": ["ANY_RULE"]})
        );
    }

    #[test]
    fn disabled_rule_is_sent_as_state() {
        let plan = call(
            "zia_create_url_filtering_rule",
            json!({"name": "r", "action": "ALLOW", "enabled": false, "order": 4}),
            &TenantScope::default(),
        )
        .unwrap();
        let body = plan.body.unwrap();
        assert_eq!(body["state"], "DISABLED");
        assert_eq!(body["order"], 4);
        assert_eq!(body["rank"], 7);
    }

    #[test]
    fn path_ids_cannot_escape_their_segment() {
        let plan = call(
            "zia_get_url_category",
            json!({"category_id": "1/../../x?a=1#f%"}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(
            plan.path,
            "/zia/api/v1/urlCategories/1%2F..%2F..%2Fx%3Fa%3D1%23f%25"
        );
        for bad in ["", ".", ".."] {
            let err = call(
                "zia_get_url_category",
                json!({"category_id": bad}),
                &TenantScope::default(),
            )
            .unwrap_err();
            assert!(matches!(err, PlanError::InvalidArguments(_)), "{bad:?}");
        }
    }

    #[test]
    fn zpa_needs_customer_id_and_defaults_microtenant() {
        let err = call(
            "zpa_list_segment_groups",
            json!({}),
            &TenantScope::default(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            PlanError::MissingTenantValue("ZSCALER_CUSTOMER_ID")
        ));
        assert!(
            err.to_string()
                .starts_with("ZSCALER_CUSTOMER_ID is required")
        );

        let mut tenant = zpa_tenant();
        tenant.microtenant_id = Some("mt-env".into());
        let plan = call(
            "zpa_list_segment_groups",
            json!({"search": "Web Apps"}),
            &tenant,
        )
        .unwrap();
        assert_eq!(
            plan.path,
            "/zpa/mgmtconfig/v1/admin/customers/123/segmentGroup"
        );
        assert_eq!(
            plan.query,
            vec![
                ("search".to_owned(), "name+EQ+Web Apps".to_owned()),
                ("microtenantId".to_owned(), "mt-env".to_owned()),
            ]
        );
        assert!(!plan.single_page);

        let plan = call(
            "zpa_list_segment_groups",
            json!({"microtenant_id": "mt-arg", "search": "description+CONTAINS+x", "page_size": 50}),
            &tenant,
        )
        .unwrap();
        assert_eq!(
            plan.query,
            vec![
                ("search".to_owned(), "description+CONTAINS+x".to_owned()),
                ("microtenantId".to_owned(), "mt-arg".to_owned()),
                ("pagesize".to_owned(), "50".to_owned()),
            ]
        );
        assert!(plan.single_page);
    }

    #[test]
    fn zpa_segment_group_update_uses_v2_and_body() {
        let plan = call(
            "zpa_update_segment_group",
            json!({"group_id": "77", "enabled": false}),
            &zpa_tenant(),
        )
        .unwrap();
        assert_eq!(plan.method, Method::Put);
        assert_eq!(
            plan.path,
            "/zpa/mgmtconfig/v2/admin/customers/123/segmentGroup/77"
        );
        assert_eq!(plan.body, Some(json!({"enabled": false})));
        assert!(plan.query.is_empty());
    }

    #[test]
    fn combo_tool_switches_to_get_by_id() {
        let list = call(
            "get_zia_users",
            json!({"name": "Jane", "page": 2}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(list.path, "/zia/api/v1/users");
        assert_eq!(
            list.query,
            vec![
                ("name".to_owned(), "Jane".to_owned()),
                ("page".to_owned(), "2".to_owned())
            ]
        );
        assert!(list.single_page);
        let all = call("get_zia_users", json!({}), &TenantScope::default()).unwrap();
        assert!(!all.single_page);

        let one = call(
            "get_zia_users",
            json!({"user_id": 42, "name": "Jane"}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(one.path, "/zia/api/v1/users/42");
        assert!(one.query.is_empty());
        assert!(one.single_page);
    }

    #[test]
    fn zdx_since_and_repeated_filters() {
        let plan = call(
            "zdx_list_devices",
            json!({"since": 24, "location_id": ["1", "2"], "user_ids": ["9"]}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(plan.path, "/zdx/v1/devices");
        let expected: Vec<(String, String)> = [
            ("userids", "9".to_owned()),
            ("loc", "1".to_owned()),
            ("loc", "2".to_owned()),
            ("from", (NOW - 24 * 3600).to_string()),
            ("to", NOW.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(plan.query, expected);
        assert!(!plan.single_page);
    }

    #[test]
    fn body_whole_fixed_query_and_fixed_body() {
        let lookup = call(
            "zia_url_lookup",
            json!({"urls": ["google.com"]}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(lookup.body, Some(json!(["google.com"])));

        let add = call(
            "zia_add_urls_to_category",
            json!({"category_id": "CUSTOM_01", "configured_name": "Games", "urls": [".a.com"]}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(
            add.query,
            vec![("action".to_owned(), "ADD_TO_LIST".to_owned())]
        );
        assert_eq!(
            add.body,
            Some(json!({"configuredName": "Games", "urls": [".a.com"]}))
        );

        let create = call(
            "zia_create_url_category",
            json!({"configured_name": "G", "super_category": "USER_DEFINED"}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(
            create.body,
            Some(
                json!({"type": "URL_CATEGORY", "configuredName": "G", "superCategory": "USER_DEFINED"})
            )
        );

        let activate = call(
            "zia_activate_configuration",
            json!({}),
            &TenantScope::default(),
        )
        .unwrap();
        assert_eq!(activate.body, None);
    }

    #[test]
    fn graphql_time_window_precedence() {
        let tool = tool("zins_get_web_traffic_by_location");
        let day_ms = 86_400_000;
        let defaults = plan_graphql(tool, &Map::new(), &TenantScope::default(), NOW).unwrap();
        assert_eq!(defaults.endpoint, "/zins/graphql");
        assert_eq!(defaults.result_path, "WEB_TRAFFIC.location.entries");
        assert!(defaults.document.starts_with("query WebTrafficByLocation("));
        assert_eq!(
            defaults.variables,
            json!({"startTime": NOW * 1000 - 7 * day_ms, "endTime": NOW * 1000, "trafficUnit": "TRANSACTIONS"})
        );

        let explicit = plan_graphql(
            tool,
            &args(json!({"start_days_ago": 3, "start_time": 5, "end_days_ago": 1, "limit": 10})),
            &TenantScope::default(),
            NOW,
        )
        .unwrap();
        assert_eq!(
            explicit.variables,
            json!({"startTime": 5, "endTime": NOW * 1000 - day_ms, "limit": 10, "trafficUnit": "TRANSACTIONS"})
        );
    }

    const TEST_TOOLS: &str = r#"
[[tool]]
name = "zms_list_things"
toolset = "zms"
action = "read"
description = "Test."
list = true
graphql = { endpoint = "/zms/graphql", document = "query Q { x }", result = "x.nodes" }
params = [ { name = "page", type = "integer", in = "variable" } ]
"#;

    const TEST_ZIA: &str = r#"
[[tool]]
name = "zia_create_thing"
toolset = "zia_misc"
action = "create"
description = "Test."
http = { method = "POST", path = "/zia/api/v1/things" }
params = [
  { name = "names", type = "array", in = "body", transform = "csv_list" },
  { name = "location_ids", type = "array", items = "integer", in = "body", wire = "locations", transform = "id_refs" },
]
"#;

    #[test]
    fn zms_graphql_carries_customer_id() {
        let catalog = Catalog::from_toml(&[(Service::Zms, TEST_TOOLS)]).unwrap();
        let tool = catalog.get("zms_list_things").unwrap();
        let err = plan_graphql(tool, &Map::new(), &TenantScope::default(), NOW).unwrap_err();
        assert!(matches!(
            err,
            PlanError::MissingTenantValue("ZSCALER_CUSTOMER_ID")
        ));
        let plan = plan_graphql(tool, &args(json!({"page": 2})), &zpa_tenant(), NOW).unwrap();
        assert_eq!(plan.variables, json!({"customerId": "123", "page": 2}));
    }

    #[test]
    fn list_transforms_accept_text_and_arrays() {
        let catalog = Catalog::from_toml(&[(Service::Zia, TEST_ZIA)]).unwrap();
        let tool = catalog.get("zia_create_thing").unwrap();
        let t = TenantScope::default();
        let body = |value| {
            plan_request(tool, &args(value), &t, NOW)
                .unwrap()
                .body
                .unwrap()
        };
        assert_eq!(
            body(json!({"names": "a, b,,c", "location_ids": "[1,2]"})),
            json!({"names": ["a", "b", "c"], "locations": [{"id": 1}, {"id": 2}]})
        );
        assert_eq!(
            body(json!({"names": "[\"x\"]", "location_ids": [3]})),
            json!({"names": ["x"], "locations": [{"id": 3}]})
        );
        assert!(plan_request(tool, &args(json!({"names": "[oops"})), &t, NOW).is_err());
    }

    #[test]
    fn zpa_search_keeps_explicit_filters() {
        assert_eq!(zpa_search("web"), "name+EQ+web");
        assert_eq!(zpa_search("a+b"), "name+EQ+a+b");
        assert_eq!(zpa_search("name+STARTSWITH+a b"), "name+STARTSWITH+a b");
        assert_eq!(camel_case("url_categories2"), "urlCategories2");
        assert_eq!(camel_case("state"), "state");
    }

    proptest! {
        #[test]
        fn any_id_stays_one_segment(id in any::<String>()) {
            let mut values = Map::new();
            values.insert("group_id".into(), Value::String(id.clone()));
            let template = "/zpa/mgmtconfig/v1/admin/customers/{customer_id}/segmentGroup/{group_id}/x";
            match expand_path(template, &values, &zpa_tenant()) {
                Err(_) => prop_assert!(id.is_empty() || id == "." || id == ".."),
                Ok(path) => {
                    let segments: Vec<&str> = path.split('/').collect();
                    prop_assert_eq!(segments.len(), template.split('/').count());
                    prop_assert!(!path.contains('?') && !path.contains('#'));
                    let segment = segments[segments.len() - 2];
                    prop_assert!(segment != "." && segment != "..");
                    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().unwrap();
                    prop_assert_eq!(decoded, id);
                }
            }
        }
    }
}
