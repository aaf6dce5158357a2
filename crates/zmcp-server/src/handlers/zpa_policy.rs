//! ZPA policy rules (access, timeout, forwarding, isolation, inspection). The list is the
//! catalog entry's own request walked page by page; the single-rule read resolves the policy
//! set of the entry's `handler_args.policy_type` (default `ACCESS_POLICY`) first.
//!
//! Reads come back from the API in the v1 condition form (one `objectType`/`lhs`/`rhs` triple
//! per operand). `zpa_get_policy_rule` returns them in the v2 form the create/update tools
//! take, so a model can read a rule and write it back:
//!
//! ```text
//! "conditions": [
//!   { "operator": "OR",                       // the condition's operator, kept
//!     "negated": false,                       // kept when present
//!     "operands": [                           // one entry per objectType, first-seen order
//!       { "object_type": "APP", "values": ["<segment id>", ...] },          // lhs == "id"
//!       { "object_type": "SCIM_GROUP",
//!         "entry_values": [ { "lhs": "<idp id>", "rhs": "<group id>" } ] }  // lhs/rhs pairs
//!     ] } ]
//! ```
//!
//! An operand whose `lhs` is `"id"` contributes its `rhs` to `values`; any other operand
//! contributes its `{lhs, rhs}` pair to `entry_values`. Everything else in the rule is
//! returned verbatim.

use serde_json::{Map, Value, json};
use zmcp_catalog::{expand_path, plan_request};
use zmcp_zscaler::{ApiRequest, HttpMethod, PageStyle};

use super::{HandlerCall, text_arg};
use crate::dispatch::{fetch, now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

const DEFAULT_POLICY_TYPE: &str = "ACCESS_POLICY";
const POLICY_SET_BY_TYPE: &str =
    "/zpa/mgmtconfig/v1/admin/customers/{customer_id}/policySet/policyType/{policy_type}";
const RULE_BY_ID: &str =
    "/zpa/mgmtconfig/v1/admin/customers/{customer_id}/policySet/{policy_set_id}/rule/{rule_id}";

/// `GET .../policySet/rules/policyType/{TYPE}` as the catalog entry plans it (search syntax,
/// microtenant default), every page unless `page`/`page_size` is given.
pub async fn list_rules(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let paging = (!plan.single_page).then_some(PageStyle::Zpa);
    fetch(call.client, to_api_request(plan), paging, call.max_items).await
}

/// Resolves the policy set of the type, then reads the rule and converts its conditions to v2.
pub async fn get_rule(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let set_path = expand_path(POLICY_SET_BY_TYPE, &path_args(&call, []), call.tenant)?;
    let set = call
        .client
        .execute(&get(set_path, microtenant_query(&call)))
        .await?
        .body;
    let set_id = match set.get("id") {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => {
            return Err(ToolFailure::Arguments(
                "the API returned no policy set for this policy type".into(),
            ));
        }
    };
    let rule_path = expand_path(
        RULE_BY_ID,
        &path_args(&call, [("policy_set_id", Value::String(set_id))]),
        call.tenant,
    )?;
    let mut rule = call
        .client
        .execute(&get(rule_path, microtenant_query(&call)))
        .await?
        .body;
    if let Some(conditions) = rule.get_mut("conditions") {
        *conditions = conditions_to_v2(conditions);
    }
    Ok(Produced::complete(rule))
}

/// The arguments plus `policy_type` (and extra bound values) for a path template.
fn path_args<const N: usize>(
    call: &HandlerCall<'_>,
    extra: [(&str, Value); N],
) -> Map<String, Value> {
    let mut args = call.args.clone();
    args.insert("policy_type".into(), Value::String(policy_type(call).into()));
    for (key, value) in extra {
        args.insert(key.into(), value);
    }
    args
}

fn policy_type<'a>(call: &HandlerCall<'a>) -> &'a str {
    call.spec
        .handler_args
        .as_ref()
        .and_then(|args| args.get("policy_type"))
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_POLICY_TYPE)
}

/// `microtenantId` from the argument, else the configured default microtenant.
fn microtenant_query(call: &HandlerCall<'_>) -> Vec<(String, String)> {
    text_arg(call.args, "microtenant_id")
        .or(call.tenant.microtenant_id.as_deref().filter(|m| !m.trim().is_empty()))
        .map(|id| vec![("microtenantId".to_string(), id.to_string())])
        .unwrap_or_default()
}

fn get(path: String, query: Vec<(String, String)>) -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Get,
        path,
        query,
        body: None,
    }
}

/// v1 conditions → v2 (see the module documentation). Anything not shaped like v1 is kept.
fn conditions_to_v2(conditions: &Value) -> Value {
    let Value::Array(conditions) = conditions else {
        return conditions.clone();
    };
    Value::Array(conditions.iter().map(condition_to_v2).collect())
}

fn condition_to_v2(condition: &Value) -> Value {
    let Some(operands) = condition.get("operands").and_then(Value::as_array) else {
        return condition.clone();
    };
    let mut groups: Vec<(String, Vec<Value>, Vec<Value>)> = Vec::new();
    for operand in operands {
        let object_type = operand
            .get("objectType")
            .and_then(Value::as_str)
            .unwrap_or("UNKNOWN")
            .to_string();
        let index = match groups.iter().position(|(t, _, _)| *t == object_type) {
            Some(index) => index,
            None => {
                groups.push((object_type, Vec::new(), Vec::new()));
                groups.len() - 1
            }
        };
        let Some((_, values, entry_values)) = groups.get_mut(index) else {
            continue;
        };
        let lhs = operand.get("lhs").cloned().unwrap_or(Value::Null);
        let rhs = operand.get("rhs").cloned().unwrap_or(Value::Null);
        if lhs.as_str() == Some("id") {
            values.push(rhs);
        } else {
            entry_values.push(json!({"lhs": lhs, "rhs": rhs}));
        }
    }
    let operands: Vec<Value> = groups
        .into_iter()
        .map(|(object_type, values, entry_values)| {
            let mut operand = Map::new();
            operand.insert("object_type".into(), Value::String(object_type));
            if !values.is_empty() {
                operand.insert("values".into(), Value::Array(values));
            }
            if !entry_values.is_empty() {
                operand.insert("entry_values".into(), Value::Array(entry_values));
            }
            Value::Object(operand)
        })
        .collect();
    let mut out = Map::new();
    out.insert(
        "operator".into(),
        condition.get("operator").cloned().unwrap_or(Value::String("OR".into())),
    );
    if let Some(negated) = condition.get("negated") {
        out.insert("negated".into(), negated.clone());
    }
    out.insert("operands".into(), Value::Array(operands));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::conditions_to_v2;
    use serde_json::json;

    #[test]
    fn v1_operands_are_grouped_per_object_type() {
        let v1 = json!([
            {"id": "1", "operator": "OR", "negated": false, "operands": [
                {"id": "a", "objectType": "APP", "lhs": "id", "rhs": "111"},
                {"id": "b", "objectType": "APP_GROUP", "lhs": "id", "rhs": "222"},
                {"id": "c", "objectType": "APP", "lhs": "id", "rhs": "333"}
            ]},
            {"operator": "AND", "operands": [
                {"objectType": "SCIM_GROUP", "lhs": "idp1", "rhs": "3251059", "idpName": "Okta"}
            ]}
        ]);
        assert_eq!(
            conditions_to_v2(&v1),
            json!([
                {"operator": "OR", "negated": false, "operands": [
                    {"object_type": "APP", "values": ["111", "333"]},
                    {"object_type": "APP_GROUP", "values": ["222"]}
                ]},
                {"operator": "AND", "operands": [
                    {"object_type": "SCIM_GROUP", "entry_values": [{"lhs": "idp1", "rhs": "3251059"}]}
                ]}
            ])
        );
    }

    #[test]
    fn unexpected_shapes_pass_through() {
        assert_eq!(conditions_to_v2(&json!(null)), json!(null));
        assert_eq!(conditions_to_v2(&json!([{"x": 1}])), json!([{"x": 1}]));
    }
}
