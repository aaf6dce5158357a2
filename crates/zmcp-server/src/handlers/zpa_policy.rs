//! ZPA policy rules (access, timeout, forwarding, isolation, inspection), one set of handlers
//! for the five families: the entry's `handler_args.policy_type` (default `ACCESS_POLICY`)
//! picks the policy set. The list is the catalog entry's own request walked page by page;
//! get, create, update and delete resolve the policy set id first
//! (`GET /policySet/policyType/{TYPE}`). Create and update go to the v2 prefix, which takes
//! conditions in the v2 form; get and delete use v1.
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
//!
//! Create and update take that same shape (`object_type`/`objectType`,
//! `entry_values`/`entryValues`, or a v1 `lhs`/`rhs` operand) and send the API's v2 wire form
//! (`objectType`, `values`, `entryValues`). Update is read-modify-write: the current rule
//! (its conditions converted to v2) is the base the given fields overlay, so a PUT never
//! drops what the caller did not mention; the result is the rule as read back.

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
const RULES_V2: &str =
    "/zpa/mgmtconfig/v2/admin/customers/{customer_id}/policySet/{policy_set_id}/rule";
const RULE_BY_ID_V2: &str =
    "/zpa/mgmtconfig/v2/admin/customers/{customer_id}/policySet/{policy_set_id}/rule/{rule_id}";

/// Tool arguments copied into the rule body under the API's name.
const RULE_FIELDS: [(&str, &str); 8] = [
    ("name", "name"),
    ("description", "description"),
    ("action_type", "action"),
    ("custom_msg", "customMsg"),
    ("reauth_timeout", "reauthTimeout"),
    ("reauth_idle_timeout", "reauthIdleTimeout"),
    ("zpn_isolation_profile_id", "zpnIsolationProfileId"),
    ("zpn_inspection_profile_id", "zpnInspectionProfileId"),
];
/// Tool arguments holding id lists, sent as `[{"id": ...}]`.
const RULE_ID_LISTS: [(&str, &str); 2] = [
    ("app_connector_group_ids", "appConnectorGroups"),
    ("app_server_group_ids", "appServerGroups"),
];
/// Operand type spellings of the Python SDK's tuple format that differ from the API's.
const OBJECT_TYPE_ALIASES: [(&str, &str); 2] = [
    ("MACHINE_GROUP", "MACHINE_GRP"),
    ("RISK_FACTOR", "RISK_FACTOR_TYPE"),
];

/// `GET .../policySet/rules/policyType/{TYPE}` as the catalog entry plans it (search syntax,
/// microtenant default), every page unless `page`/`page_size` is given.
pub async fn list_rules(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let paging = (!plan.single_page).then_some(PageStyle::Zpa);
    fetch(call.client, to_api_request(plan), paging, call.max_items).await
}

/// Resolves the policy set of the type, then reads the rule and converts its conditions to v2.
pub async fn get_rule(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let set_id = policy_set_id(&call).await?;
    let rule = read_rule(&call, &set_id).await?;
    Ok(Produced::complete(with_v2_conditions(rule)))
}

/// `POST {v2}/policySet/{id}/rule` with the rule built from the arguments (defaults applied).
pub async fn create_rule(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let set_id = policy_set_id(&call).await?;
    let mut body = Map::new();
    overlay_arguments(&call, &mut body, true)?;
    let path = expand_path(
        RULES_V2,
        &path_args(&call, [("policy_set_id", Value::String(set_id))]),
        call.tenant,
    )?;
    let created = call
        .client
        .execute(&request(
            HttpMethod::Post,
            path,
            &call,
            Some(Value::Object(body)),
        ))
        .await?
        .body;
    Ok(Produced::complete(with_v2_conditions(created)))
}

/// Reads the rule, overlays the given fields, `PUT {v2}/.../rule/{id}`, reads it back.
pub async fn update_rule(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let set_id = policy_set_id(&call).await?;
    let mut body = match read_rule(&call, &set_id).await? {
        Value::Object(rule) => rule,
        other => {
            return Err(ToolFailure::Arguments(format!(
                "expected the rule as a JSON object, got {}",
                crate::outcome::compact(&other)
            )));
        }
    };
    if let Some(conditions) = body.get_mut("conditions") {
        *conditions = conditions_to_wire(conditions).map_err(ToolFailure::Arguments)?;
    }
    overlay_arguments(&call, &mut body, false)?;
    let path = expand_path(
        RULE_BY_ID_V2,
        &path_args(&call, [("policy_set_id", Value::String(set_id.clone()))]),
        call.tenant,
    )?;
    call.client
        .execute(&request(
            HttpMethod::Put,
            path,
            &call,
            Some(Value::Object(body)),
        ))
        .await?;
    let rule = read_rule(&call, &set_id).await?;
    Ok(Produced::complete(with_v2_conditions(rule)))
}

/// `DELETE {v1}/policySet/{id}/rule/{rule_id}`.
pub async fn delete_rule(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let set_id = policy_set_id(&call).await?;
    let path = expand_path(
        RULE_BY_ID,
        &path_args(&call, [("policy_set_id", Value::String(set_id))]),
        call.tenant,
    )?;
    let answer = call
        .client
        .execute(&request(HttpMethod::Delete, path, &call, None))
        .await?;
    Ok(Produced::complete(answer.body))
}

/// The id of the policy set of the entry's policy type.
async fn policy_set_id(call: &HandlerCall<'_>) -> Result<String, ToolFailure> {
    let set_path = expand_path(POLICY_SET_BY_TYPE, &path_args(call, []), call.tenant)?;
    let set = call
        .client
        .execute(&request(HttpMethod::Get, set_path, call, None))
        .await?
        .body;
    match set.get("id") {
        Some(Value::String(id)) => Ok(id.clone()),
        Some(Value::Number(id)) => Ok(id.to_string()),
        _ => Err(ToolFailure::Arguments(
            "the API returned no policy set for this policy type".into(),
        )),
    }
}

/// `GET {v1}/policySet/{set}/rule/{rule_id}`, as the API returns it (v1 conditions).
async fn read_rule(call: &HandlerCall<'_>, set_id: &str) -> Result<Value, ToolFailure> {
    let rule_path = expand_path(
        RULE_BY_ID,
        &path_args(call, [("policy_set_id", Value::String(set_id.into()))]),
        call.tenant,
    )?;
    Ok(call
        .client
        .execute(&request(HttpMethod::Get, rule_path, call, None))
        .await?
        .body)
}

fn with_v2_conditions(mut rule: Value) -> Value {
    if let Some(conditions) = rule.get_mut("conditions") {
        *conditions = conditions_to_v2(conditions);
    }
    rule
}

/// Writes the given arguments (and, on create, the catalog defaults) into the rule body.
fn overlay_arguments(
    call: &HandlerCall<'_>,
    body: &mut Map<String, Value>,
    apply_defaults: bool,
) -> Result<(), ToolFailure> {
    let given = |name: &str| {
        call.args
            .get(name)
            .filter(|v| !v.is_null())
            .cloned()
            .or_else(|| {
                apply_defaults
                    .then(|| call.spec.param(name).and_then(|p| p.default.clone()))
                    .flatten()
            })
    };
    for (arg, field) in RULE_FIELDS {
        if let Some(value) = given(arg) {
            body.insert(field.into(), value);
        }
    }
    for (arg, field) in RULE_ID_LISTS {
        if let Some(Value::Array(ids)) = given(arg) {
            let refs = ids.into_iter().map(|id| json!({ "id": id })).collect();
            body.insert(field.into(), Value::Array(refs));
        }
    }
    if let Some(conditions) = given("conditions") {
        let wire = conditions_to_wire(&conditions).map_err(ToolFailure::Arguments)?;
        body.insert("conditions".into(), wire);
    }
    Ok(())
}

/// The arguments plus `policy_type` (and extra bound values) for a path template.
fn path_args<const N: usize>(
    call: &HandlerCall<'_>,
    extra: [(&str, Value); N],
) -> Map<String, Value> {
    let mut args = call.args.clone();
    args.insert(
        "policy_type".into(),
        Value::String(policy_type(call).into()),
    );
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
        .or(call
            .tenant
            .microtenant_id
            .as_deref()
            .filter(|m| !m.trim().is_empty()))
        .map(|id| vec![("microtenantId".to_string(), id.to_string())])
        .unwrap_or_default()
}

fn request(
    method: HttpMethod,
    path: String,
    call: &HandlerCall<'_>,
    body: Option<Value>,
) -> ApiRequest {
    ApiRequest {
        method,
        path,
        query: microtenant_query(call),
        body,
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
        condition
            .get("operator")
            .cloned()
            .unwrap_or(Value::String("OR".into())),
    );
    if let Some(negated) = condition.get("negated") {
        out.insert("negated".into(), negated.clone());
    }
    out.insert("operands".into(), Value::Array(operands));
    Value::Object(out)
}

/// Conditions as the model writes them (v2 shape, or v1 `lhs`/`rhs` operands) → the API's v2
/// wire form. `Err` says which operand is unusable.
fn conditions_to_wire(conditions: &Value) -> Result<Value, String> {
    let Value::Array(conditions) = conditions else {
        return Err("conditions must be a list of {operator, operands} objects".into());
    };
    conditions
        .iter()
        .map(condition_to_wire)
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn condition_to_wire(condition: &Value) -> Result<Value, String> {
    let operator = condition
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or("OR")
        .to_uppercase();
    let operands = condition
        .get("operands")
        .and_then(Value::as_array)
        .ok_or("each condition needs an `operands` list")?
        .iter()
        .map(operand_to_wire)
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = json!({ "operator": operator, "operands": operands });
    if let (Some(negated), Some(fields)) = (condition.get("negated"), out.as_object_mut()) {
        fields.insert("negated".into(), negated.clone());
    }
    Ok(out)
}

fn operand_to_wire(operand: &Value) -> Result<Value, String> {
    let field = |snake: &str, camel: &str| operand.get(snake).or_else(|| operand.get(camel));
    let object_type = field("object_type", "objectType")
        .and_then(Value::as_str)
        .ok_or("each operand needs an `object_type`")?
        .to_uppercase();
    let object_type = OBJECT_TYPE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == object_type)
        .map_or(object_type.clone(), |(_, api)| (*api).to_string());
    if let Some(values) = field("values", "values").filter(|v| v.is_array()) {
        return Ok(json!({ "objectType": object_type, "values": values }));
    }
    if let Some(entries) = field("entry_values", "entryValues").and_then(Value::as_array) {
        let pairs: Vec<Value> = entries
            .iter()
            .map(|e| json!({ "lhs": e.get("lhs"), "rhs": e.get("rhs") }))
            .collect();
        return Ok(json!({ "objectType": object_type, "entryValues": pairs }));
    }
    match (operand.get("lhs"), operand.get("rhs")) {
        (Some(lhs), Some(rhs)) if lhs.as_str() == Some("id") => {
            Ok(json!({ "objectType": object_type, "values": [rhs] }))
        }
        (Some(lhs), Some(rhs)) => Ok(json!({
            "objectType": object_type, "entryValues": [{ "lhs": lhs, "rhs": rhs }],
        })),
        _ => Err(format!(
            "operand {object_type} needs `values` or `entry_values` (or lhs and rhs)"
        )),
    }
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

    #[test]
    fn model_conditions_become_the_v2_wire_form() {
        let given = json!([
            {"operator": "or", "operands": [
                {"object_type": "app", "values": ["1", "2"]},
                {"objectType": "SCIM_GROUP", "entryValues": [{"lhs": "idp", "rhs": "g1", "x": 1}]},
                {"object_type": "MACHINE_GROUP", "lhs": "id", "rhs": "m1"},
                {"object_type": "PLATFORM", "lhs": "windows", "rhs": "true"}
            ]},
            {"negated": true, "operands": [{"object_type": "POSTURE", "entry_values": [{"lhs": "u", "rhs": "true"}]}]}
        ]);
        assert_eq!(
            super::conditions_to_wire(&given).unwrap(),
            json!([
                {"operator": "OR", "operands": [
                    {"objectType": "APP", "values": ["1", "2"]},
                    {"objectType": "SCIM_GROUP", "entryValues": [{"lhs": "idp", "rhs": "g1"}]},
                    {"objectType": "MACHINE_GRP", "values": ["m1"]},
                    {"objectType": "PLATFORM", "entryValues": [{"lhs": "windows", "rhs": "true"}]}
                ]},
                {"operator": "OR", "negated": true, "operands": [
                    {"objectType": "POSTURE", "entryValues": [{"lhs": "u", "rhs": "true"}]}
                ]}
            ])
        );
    }

    #[test]
    fn unusable_conditions_are_refused_with_a_reason() {
        let no_type = super::conditions_to_wire(&json!([{"operands": [{"values": ["1"]}]}]));
        assert!(no_type.unwrap_err().contains("object_type"));
        let no_values = super::conditions_to_wire(&json!([{"operands": [{"object_type": "APP"}]}]));
        assert!(no_values.unwrap_err().contains("values"));
        assert!(super::conditions_to_wire(&json!({"operator": "OR"})).is_err());
    }

    #[test]
    fn a_read_rule_converts_back_to_what_create_accepts() {
        let v1 = json!([{"id": "9", "operator": "AND", "negated": false, "operands": [
            {"id": "a", "objectType": "APP", "lhs": "id", "rhs": "111"},
            {"id": "b", "objectType": "SAML", "lhs": "attr", "rhs": "x@acme.com"}
        ]}]);
        let wire = super::conditions_to_wire(&conditions_to_v2(&v1)).unwrap();
        assert_eq!(
            wire,
            json!([{"operator": "AND", "negated": false, "operands": [
                {"objectType": "APP", "values": ["111"]},
                {"objectType": "SAML", "entryValues": [{"lhs": "attr", "rhs": "x@acme.com"}]}
            ]}])
        );
    }
}
