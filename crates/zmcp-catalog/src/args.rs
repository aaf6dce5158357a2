//! Argument validation against each tool's input schema, with errors a model can act on.

use std::collections::HashMap;

use jsonschema::Validator;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::ToolSpec;

/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 10;

/// Validates arguments against each selected tool's input schema; validators compiled once.
#[derive(Debug, Default)]
pub struct ArgValidators {
    /// Per tool: the compiled validator, or why the schema did not compile.
    validators: HashMap<String, Result<Validator, String>>,
}

impl ArgValidators {
    /// Compiles validators for these tools.
    pub fn new(tools: &[&ToolSpec]) -> Self {
        let validators = tools
            .iter()
            .map(|tool| {
                let schema = Value::Object(tool.input_schema());
                let validator = jsonschema::draft202012::new(&schema)
                    .map_err(|err| format!("tool {} has an invalid schema: {err}", tool.name));
                (tool.name.clone(), validator)
            })
            .collect();
        Self { validators }
    }

    /// Checks one call's arguments; the error lists every problem in words a model can fix.
    ///
    /// # Errors
    /// When the arguments do not match the schema.
    pub fn validate(&self, tool: &str, args: &Value) -> Result<(), String> {
        let validator = match self.validators.get(tool) {
            Some(Ok(validator)) => validator,
            Some(Err(err)) => return Err(err.clone()),
            None => return Err(format!("unknown tool \"{tool}\"")),
        };
        let mut problems = Vec::new();
        let mut total = 0usize;
        for error in validator.iter_errors(args) {
            for problem in describe(
                error.kind(),
                error.instance_path().as_str(),
                error.instance(),
            ) {
                total += 1;
                if problems.len() < MAX_PROBLEMS {
                    problems.push(problem);
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        let mut message = format!("Invalid arguments for {tool}: {}", problems.join("; "));
        if total > problems.len() {
            message.push_str(&format!("; and {} more", total - problems.len()));
        }
        Err(message)
    }
}

/// Plain words for one schema violation; an extra-properties error names each argument.
fn describe(kind: &ValidationErrorKind, pointer: &str, instance: &Value) -> Vec<String> {
    let at = location(pointer);
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| format!("unknown argument \"{name}\""))
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            vec![format!("{name}: required argument missing")]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(ty) => ty.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            vec![format!(
                "{at}: expected {expected}, got {}",
                json_type(instance)
            )]
        }
        ValidationErrorKind::Enum { options } => {
            let options = match options.as_ref() {
                Value::Array(values) => values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            vec![format!("{at}: must be one of {options}")]
        }
        ValidationErrorKind::Minimum { limit } => vec![format!("{at}: must be >= {limit}")],
        ValidationErrorKind::Maximum { limit } => vec![format!("{at}: must be <= {limit}")],
        _ => vec![format!("{at}: invalid value")],
    }
}

/// `/urls/0` → `urls[0]`; the root is "arguments".
fn location(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        if !out.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment.replace("~1", "/").replace("~0", "~"));
        }
    }
    if out.is_empty() {
        "arguments".to_owned()
    } else {
        out
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Catalog;

    fn validators() -> ArgValidators {
        let tools: Vec<&ToolSpec> = Catalog::builtin().unwrap().tools().iter().collect();
        ArgValidators::new(&tools)
    }

    #[test]
    fn accepts_a_good_call() {
        let v = validators();
        assert_eq!(
            v.validate("zia_get_url_filtering_rule", &json!({"rule_id": 5})),
            Ok(())
        );
        assert_eq!(
            v.validate(
                "zpa_list_segment_groups",
                &json!({"search": "x", "query": "[].name"})
            ),
            Ok(())
        );
        assert_eq!(
            v.validate(
                "zia_delete_rule_label",
                &json!({"label_id": 1, "kwargs": {"confirmation_token": "t"}})
            ),
            Ok(())
        );
    }

    #[test]
    fn lists_each_problem_in_plain_words() {
        let err = validators()
            .validate(
                "zia_create_url_filtering_rule",
                &json!({"name": 3, "rank": 9, "foo": 1}),
            )
            .unwrap_err();
        assert!(err.contains("name: expected string, got integer"), "{err}");
        assert!(err.contains("action: required argument missing"), "{err}");
        assert!(err.contains("rank: must be <= 7"), "{err}");
        assert!(err.contains("unknown argument \"foo\""), "{err}");
    }

    #[test]
    fn names_nested_items_and_enums() {
        let v = validators();
        let err = v
            .validate("zia_url_lookup", &json!({"urls": ["a", 2]}))
            .unwrap_err();
        assert!(
            err.contains("urls[1]: expected string, got integer"),
            "{err}"
        );
        let err = v
            .validate(
                "zins_get_threat_super_categories",
                &json!({"traffic_unit": "PACKETS"}),
            )
            .unwrap_err();
        assert!(
            err.contains("traffic_unit: must be one of TRANSACTIONS, BYTES"),
            "{err}"
        );
        let err = v.validate("zdx_get_device", &json!("dev")).unwrap_err();
        assert!(
            err.contains("arguments: expected object, got string"),
            "{err}"
        );
    }

    #[test]
    fn caps_the_list_and_rejects_unknown_tools() {
        let many: serde_json::Map<String, Value> =
            (0..15).map(|i| (format!("x{i}"), json!(i))).collect();
        let err = validators()
            .validate("zia_get_activation_status", &Value::Object(many))
            .unwrap_err();
        assert_eq!(err.matches("unknown argument").count(), MAX_PROBLEMS);
        assert!(err.ends_with("and 5 more"), "{err}");
        assert_eq!(
            validators().validate("nope", &json!({})),
            Err("unknown tool \"nope\"".to_owned())
        );
    }
}
