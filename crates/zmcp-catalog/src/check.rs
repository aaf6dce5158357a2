//! The catalog's invariants, checked when it loads: a broken entry is a build defect that the
//! crate's tests catch, reported with every problem at once.

use serde_json::Value;

use crate::plan::placeholders;
use crate::{
    Action, ParamLocation, ParamSpec, ParamType, TenantKey, ToolSpec, Transform, toolsets,
};

/// Every problem found in `tools` (sorted by name), one line each.
pub(crate) fn problems(tools: &[ToolSpec]) -> Vec<String> {
    let mut out = Vec::new();
    for pair in tools.windows(2) {
        if let [a, b] = pair
            && a.name == b.name
        {
            out.push(format!("{}: duplicate tool name", a.name));
        }
    }
    for tool in tools {
        let mut report = |problem: String| out.push(format!("{}: {problem}", tool.name));
        check_tool(tool, &mut report);
    }
    out
}

fn check_tool(tool: &ToolSpec, report: &mut impl FnMut(String)) {
    check_identity(tool, report);
    check_binding(tool, report);
    check_params(tool, report);
    if let Some(http) = &tool.http {
        check_paths(tool, &http.path, report);
    }
    let schema = Value::Object(tool.input_schema());
    if let Err(err) = jsonschema::draft202012::meta::validate(&schema) {
        report(format!(
            "input schema is not valid JSON Schema 2020-12: {err}"
        ));
    }
}

fn check_identity(tool: &ToolSpec, report: &mut impl FnMut(String)) {
    let code = tool.service.code();
    let valid_chars = tool
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if tool.name.is_empty() || tool.name.len() > 128 || !valid_chars {
        report("name must match ^[A-Za-z0-9_.-]{1,128}$".into());
    }
    let prefix = format!("{code}_");
    if !tool.name.starts_with(&prefix) && !tool.name.starts_with(&format!("get_{prefix}")) {
        report(format!("name must start with `{prefix}` or `get_{prefix}`"));
    }
    if !tool.toolset.starts_with(code) {
        report(format!(
            "toolset `{}` must start with `{code}`",
            tool.toolset
        ));
    }
    if !toolsets::is_known_toolset(&tool.toolset) {
        report(format!("unknown toolset `{}`", tool.toolset));
    }
    if tool.description.trim().is_empty() {
        report("empty description".into());
    }
    if tool.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        report("empty title".into());
    }
}

fn check_binding(tool: &ToolSpec, report: &mut impl FnMut(String)) {
    match (&tool.http, &tool.graphql, &tool.handler) {
        (Some(_), None, _) | (None, Some(_), _) | (None, None, Some(_)) => {}
        _ => {
            report("needs exactly one of http, graphql, handler (or handler + http/graphql)".into())
        }
    }
    if tool.handler.as_deref().is_some_and(|h| h.trim().is_empty()) {
        report("empty handler name".into());
    }
    if tool.handler_args.is_some() && tool.handler.is_none() {
        report("handler_args without a handler".into());
    }
    if tool.http_by_id.is_some() && tool.http.is_none() {
        report("http_by_id needs an http binding".into());
    }
    if let Some(graphql) = &tool.graphql
        && (!graphql.endpoint.starts_with('/')
            || graphql.document.trim().is_empty()
            || graphql.result.trim().is_empty())
    {
        report("graphql needs an absolute endpoint, a document and a result path".into());
    }
    if tool.list && tool.action != Action::Read {
        report("list tools must be reads".into());
    }
    if (tool.paging.is_some() || tool.items.is_some()) && !tool.list {
        report("paging/items only on list tools".into());
    }
}

fn check_params(tool: &ToolSpec, report: &mut impl FnMut(String)) {
    let mut seen = Vec::new();
    let mut whole = 0;
    for param in &tool.params {
        let name = &param.name;
        if seen.contains(&name) {
            report(format!("duplicate param `{name}`"));
        }
        seen.push(name);
        if name == "query" || name == "kwargs" {
            report(format!("param `{name}` is reserved (added by the catalog)"));
        }
        if param
            .description
            .as_deref()
            .is_some_and(|d| d.trim().is_empty())
        {
            report(format!("param `{name}`: empty description"));
        }
        let graphql = tool.graphql.is_some();
        let allowed = match param.location {
            ParamLocation::Variable => graphql,
            ParamLocation::Local => true,
            _ => tool.http.is_some(),
        };
        if !allowed {
            report(format!(
                "param `{name}`: location does not fit the tool's binding"
            ));
        }
        if param.location == ParamLocation::Path && !param.required {
            report(format!("path param `{name}` must be required"));
        }
        if param.location == ParamLocation::BodyWhole {
            whole += 1;
        }
        check_param_types(param, report);
    }
    let shaped_body = tool
        .params
        .iter()
        .any(|p| matches!(p.location, ParamLocation::Body | ParamLocation::BodyMerge))
        || tool.http.as_ref().is_some_and(|h| !h.body.is_empty());
    if whole > 1 || (whole == 1 && shaped_body) {
        report("a body_whole param must be the only body source".into());
    }
    if let Some(by_id) = &tool.http_by_id {
        match tool.param(&by_id.param) {
            Some(p) if !p.required && p.location == ParamLocation::Local => {}
            _ => report(format!(
                "http_by_id param `{}` must be an optional local param",
                by_id.param
            )),
        }
        for keep in &by_id.keep {
            if tool.param(keep).is_none() {
                report(format!("http_by_id keeps unknown param `{keep}`"));
            }
        }
    }
}

fn check_param_types(param: &ParamSpec, report: &mut impl FnMut(String)) {
    let name = &param.name;
    if param.items.is_some() && param.ty != ParamType::Array {
        report(format!("param `{name}`: items on a non-array"));
    }
    let numeric = matches!(param.ty, ParamType::Integer | ParamType::Number);
    if (param.minimum.is_some() || param.maximum.is_some()) && !numeric {
        report(format!("param `{name}`: bounds on a non-number"));
    }
    if let Some(transform) = param.transform {
        let fits = match transform {
            Transform::SinceHours | Transform::DaysAgoEpochMs => param.ty == ParamType::Integer,
            Transform::IdRefs | Transform::CsvList => param.ty == ParamType::Array,
            Transform::ZpaSearch => param.ty == ParamType::String,
            Transform::EnabledState => param.ty == ParamType::Boolean,
        };
        if !fits {
            report(format!("param `{name}`: transform does not fit type"));
        }
        if transform == Transform::SinceHours && param.location != ParamLocation::Query {
            report(format!(
                "param `{name}`: since_hours sends query parameters"
            ));
        }
    }
    if param.from_tenant.is_some() && param.ty != ParamType::String {
        report(format!("param `{name}`: from_tenant needs a string param"));
    }
    for value in param.allowed.iter().flatten() {
        if !value_fits(param, value) {
            report(format!(
                "param `{name}`: enum value {value} does not fit its type"
            ));
        }
    }
    if let Some(default) = &param.default {
        let in_enum = param.allowed.as_ref().is_none_or(|a| a.contains(default));
        if !value_fits(param, default) || !in_enum {
            report(format!("param `{name}`: default {default} does not fit"));
        }
    }
}

/// Whether `value` has the param's type and respects its bounds.
fn value_fits(param: &ParamSpec, value: &Value) -> bool {
    let typed = type_fits(param.ty, param.items, value);
    let bounded = value.as_f64().is_none_or(|n| {
        param.minimum.is_none_or(|min| n >= min) && param.maximum.is_none_or(|max| n <= max)
    });
    typed && bounded
}

fn type_fits(ty: ParamType, items: Option<ParamType>, value: &Value) -> bool {
    match ty {
        ParamType::String => value.is_string(),
        ParamType::Integer => value.is_i64() || value.is_u64(),
        ParamType::Number => value.is_number(),
        ParamType::Boolean => value.is_boolean(),
        ParamType::Object => value.is_object(),
        ParamType::Array => value.as_array().is_some_and(|a| {
            a.iter()
                .all(|v| type_fits(items.unwrap_or(ParamType::String), None, v))
        }),
    }
}

/// Every `{placeholder}` bound exactly once (tenant value or path param); every path param used.
fn check_paths(tool: &ToolSpec, list_path: &str, report: &mut impl FnMut(String)) {
    let mut templates = vec![(list_path, None)];
    if let Some(by_id) = &tool.http_by_id {
        templates.push((by_id.path.as_str(), Some(by_id.param.as_str())));
    }
    for (template, by_id_param) in &templates {
        if !template.starts_with('/')
            || template.matches('{').count() != template.matches('}').count()
        {
            report(format!("malformed path `{template}`"));
        }
        for name in placeholders(template) {
            let tenant = matches!(
                TenantKey::from_name(name),
                Some(TenantKey::CustomerId | TenantKey::ZcellCustomerId)
            );
            let by_param = tool
                .param(name)
                .is_some_and(|p| p.location == ParamLocation::Path);
            let by_id = *by_id_param == Some(name);
            if usize::from(tenant) + usize::from(by_param) + usize::from(by_id) != 1 {
                report(format!(
                    "placeholder `{{{name}}}` in `{template}` must be bound exactly once"
                ));
            }
        }
    }
    for param in tool
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let used = templates
            .iter()
            .any(|(t, _)| placeholders(t).contains(&param.name.as_str()));
        if !used {
            report(format!("path param `{}` is not in the path", param.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Catalog, CatalogError, Service};

    fn problems(toml: &str) -> String {
        match Catalog::from_toml(&[(Service::Zpa, toml)]) {
            Err(CatalogError::Invalid(message)) => message,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    const BASE: &str = r#"
[[tool]]
name = "zpa_get_thing"
toolset = "zpa_misc"
action = "read"
description = "Thing."
"#;

    #[test]
    fn every_problem_is_reported_at_once() {
        let message = problems(&format!(
            "{BASE}http = {{ method = \"GET\", path = \"/zpa/x/{{customer_id}}/{{thing_id}}/{{other}}\" }}\nparams = [\
             {{ name = \"thing_id\", type = \"string\", in = \"path\", required = true }},\
             {{ name = \"customer_id\", type = \"string\", in = \"path\", required = true }},\
             {{ name = \"unused\", type = \"string\", in = \"path\" }},\
             {{ name = \"rank\", type = \"integer\", in = \"query\", default = \"7\", maximum = 7 }},\
             {{ name = \"kind\", type = \"string\", in = \"query\", enum = [\"A\", 2] }},\
             {{ name = \"query\", type = \"string\", in = \"query\" }},\
             {{ name = \"kind\", type = \"string\", in = \"query\" }},\
             ]\n"
        ));
        for expected in [
            "placeholder `{other}`",
            "placeholder `{customer_id}`",
            "path param `unused` must be required",
            "path param `unused` is not in the path",
            "param `rank`: default \"7\" does not fit",
            "param `kind`: enum value 2",
            "param `query` is reserved",
            "duplicate param `kind`",
        ] {
            assert!(
                message.contains(expected),
                "{expected} missing in:\n{message}"
            );
        }
    }

    #[test]
    fn names_toolsets_and_bindings_are_checked() {
        let message = problems(
            r#"
[[tool]]
name = "zia_list_things"
toolset = "zia_misc"
action = "create"
description = " "
list = true
handler = "h"
graphql = { endpoint = "/zpa/graphql", document = "q", result = "r" }
http = { method = "GET", path = "/zpa/things" }
[[tool]]
name = "zpa_list_things"
toolset = "zpa_nope"
action = "read"
description = "d"
paging = "zpa"
http = { method = "GET", path = "/zpa/things" }
[[tool]]
name = "zpa_list_things"
toolset = "zpa_misc"
action = "read"
description = "d"
http = { method = "GET", path = "/zpa/things" }
"#,
        );
        for expected in [
            "zia_list_things: name must start with `zpa_` or `get_zpa_`",
            "zia_list_things: toolset `zia_misc` must start with `zpa`",
            "zia_list_things: empty description",
            "zia_list_things: needs exactly one of http, graphql, handler",
            "zia_list_things: list tools must be reads",
            "zpa_list_things: unknown toolset `zpa_nope`",
            "zpa_list_things: paging/items only on list tools",
            "zpa_list_things: duplicate tool name",
        ] {
            assert!(
                message.contains(expected),
                "{expected} missing in:\n{message}"
            );
        }
    }

    #[test]
    fn syntax_errors_name_the_file() {
        let message = problems("[[tool]]\nname = 3\n");
        assert!(message.starts_with("catalog/zpa.toml:"), "{message}");
    }
}
