//! ZPA policy sets and their rules: the policy-set lookup by type, rule CRUD (v1 and v2
//! prefixes), v2 `values`/`entryValues` conditions normalised to the v1 read shape with fresh
//! condition and operand ids, and rule order kept contiguous.

use super::*;

pub(super) fn routes() -> Router<Arc<SimState>> {
    let rule = get(get_rule).put(update_rule).delete(delete_rule);
    route_table([
        (
            format!("{V1}/policySet/policyType/{{kind}}"),
            get(get_policy_set),
        ),
        (
            format!("{V1}/policySet/rules/policyType/{{kind}}"),
            get(list_rules),
        ),
        (format!("{V1}/policySet/{{set}}/rule"), post(create_rule)),
        (format!("{V2}/policySet/{{set}}/rule"), post(create_rule)),
        (format!("{V1}/policySet/{{set}}/rule/{{rule}}"), rule),
        (
            format!("{V2}/policySet/{{set}}/rule/{{rule}}"),
            put(update_rule),
        ),
    ])
}

fn set_by_kind<'a>(tenant: &'a ZpaTenant, kind: &str) -> Result<&'a PolicySet, Refusal> {
    tenant
        .policy_sets
        .iter()
        .find(|s| s.kind.name == kind)
        .ok_or_else(|| Refusal::bad(&format!("Unknown policy type {kind}")))
}

async fn get_policy_set(State(state): Shared, Path((cid, kind)): Path<(String, String)>) -> Answer {
    customer(&cid)?;
    let tenant = state.tenant.lock().await;
    Ok(reply::json(
        StatusCode::OK,
        &set_by_kind(&tenant.zpa, &kind)?.set,
    ))
}

async fn list_rules(
    State(state): Shared,
    Path((cid, kind)): Path<(String, String)>,
    uri: Uri,
) -> Answer {
    customer(&cid)?;
    let params = Params::from_uri(&uri);
    let rules = set_by_kind(&state.tenant.lock().await.zpa, &kind)?
        .rules
        .clone();
    let page = paged(search(scope(rules, &params), &params)?, &params)?;
    Ok(reply::json(StatusCode::OK, &page))
}

/// The position of the policy set, or ZPA's 404.
fn set_index(tenant: &ZpaTenant, set_id: &str) -> Result<usize, Refusal> {
    tenant
        .policy_sets
        .iter()
        .position(|s| text(&s.set, "id") == set_id)
        .ok_or_else(|| Refusal::not_found("Policy set", set_id))
}

/// The rule of the set, or ZPA's 404.
fn rule_in<'a>(set: Option<&'a PolicySet>, rule_id: &str) -> Result<&'a Value, Refusal> {
    set.and_then(|s| s.rules.iter().find(|r| text(r, "id") == rule_id))
        .ok_or_else(|| Refusal::not_found("Policy rule", rule_id))
}

async fn get_rule(
    State(state): Shared,
    Path((cid, set_id, rule_id)): Path<(String, String, String)>,
) -> Answer {
    customer(&cid)?;
    let tenant = state.tenant.lock().await;
    let set = set_index(&tenant.zpa, &set_id)
        .ok()
        .and_then(|i| tenant.zpa.policy_sets.get(i));
    Ok(reply::json(StatusCode::OK, rule_in(set, &rule_id)?))
}

async fn delete_rule(
    State(state): Shared,
    Path((cid, set_id, rule_id)): Path<(String, String, String)>,
) -> Answer {
    customer(&cid)?;
    let mut tenant = state.tenant.lock().await;
    let zpa = &mut tenant.zpa;
    let index = set_index(zpa, &set_id)?;
    let Some(set) = zpa.policy_sets.get_mut(index) else {
        return Err(Refusal::not_found("Policy set", &set_id));
    };
    let before = set.rules.len();
    set.rules.retain(|r| text(r, "id") != rule_id);
    if set.rules.len() == before {
        return Err(Refusal::not_found("Policy rule", &rule_id));
    }
    renumber(&mut set.rules);
    Ok(empty(StatusCode::NO_CONTENT))
}

fn renumber(rules: &mut [Value]) {
    for (i, rule) in rules.iter_mut().enumerate() {
        let order = (i + 1).to_string();
        merge(rule, json!({"ruleOrder": order, "priority": order}));
    }
}

/// Operand types whose `lhs` is an IdP id.
const IDP_SCOPED: &[&str] = &["SCIM_GROUP", "SCIM", "SAML"];
/// Every operand type the simulator accepts.
const OBJECT_TYPES: &[&str] = &[
    "APP",
    "APP_GROUP",
    "CLIENT_TYPE",
    "CONSOLE",
    "LOCATION",
    "MACHINE_GRP",
    "USER_PORTAL",
    "CHROME_POSTURE_PROFILE",
    "SCIM_GROUP",
    "SCIM",
    "SAML",
    "POSTURE",
    "PLATFORM",
    "TRUSTED_NETWORK",
    "COUNTRY_CODE",
    "RISK_FACTOR_TYPE",
    "CHROME_ENTERPRISE",
    "IDP",
    "EDGE_CONNECTOR_GROUP",
    "BRANCH_CONNECTOR_GROUP",
];

/// Turns v1 (`lhs`/`rhs`) or v2 (`values`/`entryValues`) operands into `(lhs, rhs)` pairs.
fn operand_pairs(operand: &Value) -> Vec<(String, String)> {
    if let Some(values) = operand.get("values").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| ("id".to_owned(), scalar_text(v)))
            .collect();
    }
    if let Some(entries) = operand.get("entryValues").and_then(Value::as_array) {
        return entries
            .iter()
            .map(|e| (text(e, "lhs"), text(e, "rhs")))
            .collect();
    }
    vec![(text(operand, "lhs"), text(operand, "rhs"))]
}

/// Conditions in the v1 read shape with fresh condition and operand ids (zscaler-api.md 6.2).
fn normalise_conditions(
    tenant: &mut ZpaTenant,
    conditions: Option<&Value>,
    rule_id: &str,
) -> Result<Value, Refusal> {
    let mut out = Vec::new();
    for condition in conditions.and_then(Value::as_array).into_iter().flatten() {
        let operator = condition
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or("OR")
            .to_uppercase();
        if operator != "OR" && operator != "AND" {
            return Err(Refusal::bad("Condition operator must be AND or OR"));
        }
        let condition_id = tenant.next_condition_id.to_string();
        tenant.next_condition_id = tenant.next_condition_id.saturating_add(1);
        let mut operands = Vec::new();
        for operand in refs(condition, "operands") {
            let object_type = text(&operand, "objectType");
            if !OBJECT_TYPES.contains(&object_type.as_str()) {
                return Err(Refusal::bad(&format!("Invalid objectType {object_type}")));
            }
            for (lhs, rhs) in operand_pairs(&operand) {
                let mut v1 = json!({
                    "id": tenant.next_condition_id.to_string(), "objectType": object_type,
                    "lhs": lhs, "rhs": rhs, "conditionId": condition_id,
                });
                tenant.next_condition_id = tenant.next_condition_id.saturating_add(1);
                merge(&mut v1, operand_details(tenant, &object_type, &lhs, &rhs)?);
                operands.push(v1);
            }
        }
        out.push(json!({
            "id": condition_id, "operator": operator,
            "negated": condition.get("negated").and_then(Value::as_bool).unwrap_or(false),
            "operands": operands, "ruleGid": rule_id,
        }));
    }
    Ok(Value::Array(out))
}

/// Names and IdP details ZPA adds to an operand on read; unknown app references are refused.
fn operand_details(
    tenant: &ZpaTenant,
    object_type: &str,
    lhs: &str,
    rhs: &str,
) -> Result<Value, Refusal> {
    let collection = match object_type {
        "APP" => Some(("application", "Application segment")),
        "APP_GROUP" => Some(("segmentGroup", "Segment group")),
        _ => None,
    };
    if let Some((path, what)) = collection {
        return match find(tenant, path, rhs) {
            Some(record) => Ok(json!({"name": text(record, "name")})),
            None => Err(Refusal::not_found(what, rhs)),
        };
    }
    if IDP_SCOPED.contains(&object_type) {
        let idp_name = if lhs == data::IDP.0 { data::IDP.1 } else { "" };
        return Ok(json!({"idpId": lhs, "idpName": idp_name}));
    }
    if object_type == "CLIENT_TYPE" {
        return Ok(json!({"name": rhs}));
    }
    Ok(json!({}))
}

/// Builds a rule record from a request body (v1 or v2 conditions).
fn build_rule(
    tenant: &mut ZpaTenant,
    set_index: usize,
    body: Map<String, Value>,
    rule_id: &str,
) -> Result<Value, Refusal> {
    let Some(set) = tenant.policy_sets.get(set_index) else {
        return Err(Refusal::not_found("Policy set", ""));
    };
    let kind = set.kind;
    let set_id = text(&set.set, "id");
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    if name.trim().is_empty() {
        return Err(Refusal::bad("name is required"));
    }
    let action = body
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or(kind.actions.first().copied().unwrap_or("ALLOW"))
        .to_uppercase();
    if !kind.actions.contains(&action.as_str()) {
        return Err(Refusal::bad(&format!(
            "Action {action} is not valid for {}",
            kind.name
        )));
    }
    let conditions = normalise_conditions(tenant, body.get("conditions"), rule_id)?;
    let mut rule = json!({
        "description": "", "operator": "AND", "disabled": "0", "extranetEnabled": false,
        "devicePostureFailureNotificationEnabled": false, "defaultRule": false,
        "readOnly": false, "zscalerManaged": false, "appConnectorGroups": [], "appServerGroups": [],
    });
    merge(&mut rule, Value::Object(body));
    let now = now_secs().to_string();
    merge(
        &mut rule,
        json!({
            "id": rule_id, "action": action, "policyType": kind.number, "policySetId": set_id,
            "conditions": conditions, "modifiedTime": now, "modifiedBy": data::ADMIN_ID,
        }),
    );
    if let Some(disabled) = rule.get("disabled").filter(|d| !d.is_string()).cloned() {
        merge(&mut rule, json!({"disabled": scalar_text(&disabled)}));
    }
    Ok(rule)
}

async fn create_rule(
    State(state): Shared,
    Path((cid, set_id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    write_rule(&state, &cid, &set_id, &body, |zpa, index, body| {
        let rule_id = zpa.next_id.to_string();
        zpa.next_id = zpa.next_id.saturating_add(1);
        let mut rule = build_rule(zpa, index, body, &rule_id)?;
        merge(&mut rule, json!({"creationTime": now_secs().to_string()}));
        let Some(set) = zpa.policy_sets.get_mut(index) else {
            return Err(Refusal::not_found("Policy set", &set_id));
        };
        set.rules.push(rule);
        renumber(&mut set.rules);
        let created = set.rules.last();
        let created = created.ok_or_else(|| Refusal::not_found("Policy rule", &rule_id))?;
        Ok(reply::json(StatusCode::CREATED, created))
    })
    .await
}

async fn update_rule(
    State(state): Shared,
    Path((cid, set_id, rule_id)): Path<(String, String, String)>,
    body: Bytes,
) -> Answer {
    write_rule(&state, &cid, &set_id, &body, |zpa, index, body| {
        let current = rule_in(zpa.policy_sets.get(index), &rule_id)?.clone();
        let mut rule = build_rule(zpa, index, body, &rule_id)?;
        let kept: Map<String, Value> = ["creationTime", "ruleOrder", "priority"]
            .iter()
            .filter_map(|k| current.get(*k).map(|v| ((*k).to_owned(), v.clone())))
            .collect();
        merge(&mut rule, Value::Object(kept));
        if let Some(slot) = zpa
            .policy_sets
            .get_mut(index)
            .and_then(|s| s.rules.iter_mut().find(|r| text(r, "id") == rule_id))
        {
            *slot = rule;
        }
        Ok(empty(StatusCode::NO_CONTENT))
    })
    .await
}

/// Runs a rule write against the set the path names, once customer and body are checked.
async fn write_rule(
    state: &SimState,
    cid: &str,
    set_id: &str,
    body: &[u8],
    write: impl FnOnce(&mut ZpaTenant, usize, Map<String, Value>) -> Answer,
) -> Answer {
    let body = customer_body(cid, body)?;
    let mut tenant = state.tenant.lock().await;
    let index = set_index(&tenant.zpa, set_id)?;
    write(&mut tenant.zpa, index, body)
}
