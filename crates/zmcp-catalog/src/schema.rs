//! What each tool advertises: its input JSON Schema (built once per tool) and MCP hints.

use serde_json::{Map, Value, json};

use crate::{Action, ParamSpec, ParamType, ToolSpec, Transform};

/// Description of the `query` argument every list tool gets.
pub const QUERY_DESCRIPTION: &str =
    "JMESPath on the result (API camelCase keys), e.g. [?enabled==`true`].{id:id,name:name}";

/// Description of the `kwargs` argument every delete tool gets.
pub const KWARGS_DESCRIPTION: &str =
    "Confirmation channel: pass {\"confirmation_token\": \"...\"} when the server asks for one.";

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
        self.schema_cache.get_or_init(|| build_schema(self)).clone()
    }

    /// MCP annotation hints (the Python server's mapping: nothing is open-world).
    pub fn hints(&self) -> Hints {
        Hints {
            read_only: !self.action.is_write(),
            destructive: matches!(self.action, Action::Update | Action::Delete),
            idempotent: matches!(self.action, Action::Update | Action::Delete),
            open_world: false,
        }
    }
}

fn build_schema(tool: &ToolSpec) -> Map<String, Value> {
    let mut properties: Map<String, Value> = tool
        .params
        .iter()
        .map(|p| (p.name.clone(), Value::Object(param_schema(p))))
        .collect();
    if tool.list {
        properties.insert(
            "query".into(),
            json!({"type": "string", "description": QUERY_DESCRIPTION}),
        );
    }
    if tool.action == Action::Delete {
        properties.insert(
            "kwargs".into(),
            json!({"type": "object", "description": KWARGS_DESCRIPTION}),
        );
    }
    let required: Vec<Value> = tool
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| Value::String(p.name.clone()))
        .collect();
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    schema
}

fn param_schema(param: &ParamSpec) -> Map<String, Value> {
    let mut schema = Map::new();
    // Lists that the Python tools also accept as JSON or comma-separated strings.
    let accepts_text = matches!(
        param.transform,
        Some(Transform::CsvList | Transform::IdRefs)
    );
    let ty = Value::from(param.ty.json_type());
    schema.insert(
        "type".into(),
        if accepts_text {
            json!([ty, "string"])
        } else {
            ty
        },
    );
    if param.ty == ParamType::Array {
        let items = param.items.unwrap_or(ParamType::String);
        schema.insert("items".into(), json!({"type": items.json_type()}));
    }
    if let Some(description) = &param.description {
        schema.insert("description".into(), description.as_str().into());
    }
    if let Some(allowed) = &param.allowed {
        schema.insert("enum".into(), Value::Array(allowed.clone()));
    }
    if let Some(default) = &param.default {
        schema.insert("default".into(), default.clone());
    }
    for (keyword, bound) in [("minimum", param.minimum), ("maximum", param.maximum)] {
        if let Some(bound) = bound {
            schema.insert(keyword.into(), number(bound));
        }
    }
    schema
}

/// Whole bounds print as integers (`7`, not `7.0`), which is what an integer param expects.
fn number(bound: f64) -> Value {
    if bound.fract() == 0.0 && bound.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(bound as i64)
    } else {
        Value::from(bound)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Catalog;

    fn schema(name: &str) -> Value {
        Value::Object(
            Catalog::builtin()
                .unwrap()
                .get(name)
                .unwrap()
                .input_schema(),
        )
    }

    #[test]
    fn list_tools_get_query_and_deletes_get_kwargs() {
        let list = schema("zia_list_rule_labels");
        assert_eq!(list["properties"]["query"]["type"], "string");
        assert_eq!(list["additionalProperties"], false);
        assert!(list["properties"].get("kwargs").is_none());
        let delete = schema("zpa_delete_segment_group");
        assert_eq!(delete["properties"]["kwargs"]["type"], "object");
        assert_eq!(delete["required"], json!(["group_id"]));
        assert!(delete["properties"].get("query").is_none());
        assert!(
            schema("zia_get_rule_label")["properties"]
                .get("query")
                .is_none()
        );
    }

    #[test]
    fn params_render_compactly() {
        let rule = schema("zia_create_url_filtering_rule");
        assert_eq!(
            rule["properties"]["rank"],
            json!({"type": "integer", "description": "Admin rank.", "default": 7, "minimum": 0, "maximum": 7})
        );
        assert_eq!(rule["properties"]["name"], json!({"type": "string"}));
        assert_eq!(rule["required"], json!(["name", "action"]));
        assert!(rule.get("$schema").is_none() && rule.get("title").is_none());
        let lookup = schema("zia_url_lookup");
        assert_eq!(
            lookup["properties"]["urls"]["items"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn every_schema_is_valid_2020_12_and_cached() {
        for tool in Catalog::builtin().unwrap().tools() {
            let schema = Value::Object(tool.input_schema());
            assert!(
                jsonschema::draft202012::meta::is_valid(&schema),
                "{}",
                tool.name
            );
            assert_eq!(tool.input_schema(), *tool.schema_cache.get().unwrap());
        }
    }

    #[test]
    fn hints_follow_the_action() {
        let catalog = Catalog::builtin().unwrap();
        let hints = |name: &str| catalog.get(name).unwrap().hints();
        assert!(hints("zia_list_locations").read_only);
        let create = hints("zia_create_rule_label");
        assert!(
            !create.read_only && !create.destructive && !create.idempotent && !create.open_world
        );
        let delete = hints("zia_delete_rule_label");
        assert!(!delete.read_only && delete.destructive && delete.idempotent);
        let update = hints("zia_activate_configuration");
        assert!(update.destructive && update.idempotent);
    }
}
