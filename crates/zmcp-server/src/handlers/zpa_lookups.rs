//! ZPA tools that look something up before (or instead of) their one call: a reference given
//! by name (enrollment certificate, portal certificate), the read-modify-write update, the
//! IdP-scoped identity lookups and the locally filtered isolation profiles.

use serde_json::{Map, Value};
use zmcp_catalog::{Method, RequestPlan, expand_path, plan_request};
use zmcp_zscaler::{ApiRequest, HttpMethod, PageStyle};

use super::{HandlerCall, text_arg};
use crate::dispatch::{fetch, now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

/// Where IdPs are listed (names resolve to ids here).
const IDP_LIST: &str = "/zpa/mgmtconfig/v2/admin/customers/{customer_id}/idp";
/// Largest ZPA page: one lookup request covers most tenants.
const LOOKUP_PAGE_SIZE: &str = "500";

/// Fills the `id_arg` argument from the record named by `name_arg` (exact name,
/// case-insensitive; else `default_name`, e.g. the tenant's standard `Connector` enrollment
/// certificate ZPA requires on a new connector group) in the `lookup` list of `handler_args`,
/// unless the id is given; then runs the entry's own request.
pub async fn resolve_by_name(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let (lookup, name_arg, id_arg) = (
        handler_arg(&call, "lookup")?,
        handler_arg(&call, "name_arg")?,
        handler_arg(&call, "id_arg")?,
    );
    let mut args = call.args.clone();
    let name = text_arg(call.args, name_arg).or(optional_handler_arg(&call, "default_name"));
    if text_arg(&args, id_arg).is_none()
        && let Some(name) = name
    {
        let path = expand_path(lookup, &args, call.tenant)?;
        let id = id_named(&call, path, name).await?.ok_or_else(|| {
            ToolFailure::Arguments(format!(
                "nothing named \"{name}\" was found for `{id_arg}`; pass `{id_arg}` or list the candidates first"
            ))
        })?;
        args.insert(id_arg.into(), Value::String(id));
    }
    run_entry(&call, &args).await
}

/// The entry's own request with `args`; a PUT runs as [`update_merged`] does.
async fn run_entry(
    call: &HandlerCall<'_>,
    args: &Map<String, Value>,
) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, args, call.tenant, now_epoch_secs())?;
    if plan.method == Method::Put {
        return put_merged(call, plan).await;
    }
    Ok(Produced::complete(
        call.client.execute(&to_api_request(plan)).await?.body,
    ))
}

/// GETs the record, overlays the fields given and PUTs the whole object back (a ZPA PUT
/// replaces the record), then returns the record as read back (the PUT answers 204).
/// `handler_args.read` may name the path the record is read from.
pub async fn update_merged(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    run_entry(&call, call.args).await
}

async fn put_merged(call: &HandlerCall<'_>, plan: RequestPlan) -> Result<Produced, ToolFailure> {
    let read = ApiRequest {
        method: HttpMethod::Get,
        path: read_path(call, &plan)?,
        query: plan.query.clone(),
        body: None,
    };
    let mut record = match call.client.execute(&read).await?.body {
        Value::Object(map) => map,
        other => {
            return Err(ToolFailure::Arguments(format!(
                "expected the record as a JSON object, got {}",
                crate::outcome::compact(&other)
            )));
        }
    };
    if let Some(Value::Object(changes)) = &plan.body {
        record.extend(changes.clone());
    }
    let mut put = to_api_request(plan);
    put.body = Some(Value::Object(record));
    call.client.execute(&put).await?;
    Ok(Produced::complete(call.client.execute(&read).await?.body))
}

/// Where the record is read: `handler_args.read` (for resources written through another API
/// version than they are read, e.g. v2 segment-group updates), else the PUT's own path.
fn read_path(call: &HandlerCall<'_>, plan: &RequestPlan) -> Result<String, ToolFailure> {
    match optional_handler_arg(call, "read") {
        Some(template) => Ok(expand_path(template, call.args, call.tenant)?),
        None => Ok(plan.path.clone()),
    }
}

/// SAML attributes, SCIM attributes and SCIM groups: `idp_name` resolves through
/// `GET {v2}/idp`; `handler_args` name the request templates (`idp_path` with `{idp_id}`,
/// optional `all_path` when no IdP is given, `by_id_param` + `by_id_path` for one record)
/// and `plain_search` for SCIM endpoints, which take a bare search string.
pub async fn idp_lookup(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let mut args = call.args.clone();
    if let Some(name) = text_arg(call.args, "idp_name") {
        let path = expand_path(IDP_LIST, &args, call.tenant)?;
        let id = id_named(&call, path, name).await?.ok_or_else(|| {
            ToolFailure::Arguments(format!(
                "no identity provider is named \"{name}\"; the IdP names are in the ZPA admin portal (Authentication > IdP Configuration)"
            ))
        })?;
        args.insert("idp_id".into(), Value::String(id));
    }
    let by_id = optional_handler_arg(&call, "by_id_param")
        .filter(|param| text_arg(&args, param).is_some())
        .map(|_| handler_arg(&call, "by_id_path"))
        .transpose()?;
    if let Some(template) = by_id {
        let path = expand_path(template, &args, call.tenant)?;
        return Ok(Produced::complete(
            call.client.execute(&get(path, Vec::new())).await?.body,
        ));
    }
    let template = if args.contains_key("idp_id") {
        handler_arg(&call, "idp_path")?
    } else {
        optional_handler_arg(&call, "all_path").ok_or_else(|| {
            ToolFailure::Arguments(match optional_handler_arg(&call, "by_id_param") {
                Some(param) if call.spec.param("idp_name").is_some_and(|p| !p.required) => {
                    format!("give `idp_name` (to list) or `{param}`")
                }
                _ => "give `idp_name`".into(),
            })
        })?
    };
    let path = expand_path(template, &args, call.tenant)?;
    let mut query = Vec::new();
    if let Some(search) = text_arg(&args, "search") {
        let plain = optional_handler_arg(&call, "plain_search").is_some_and(|p| p == "true");
        query.push(("search".to_string(), zpa_name_search(search, plain)));
    }
    let single_page = ["page", "page_size"]
        .iter()
        .any(|name| args.get(*name).is_some_and(|v| !v.is_null()));
    for (arg, wire) in [("page", "page"), ("page_size", "pagesize")] {
        if let Some(value) = args.get(arg).and_then(Value::as_i64) {
            query.push((wire.to_string(), value.to_string()));
        }
    }
    let paging = (!single_page).then_some(PageStyle::Zpa);
    fetch(call.client, get(path, query), paging, call.max_items).await
}

/// The entry's list, keeping rows whose `name` contains the `name` argument
/// (case-insensitive): the isolation API has no search parameter.
pub async fn filter_by_name(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let body = call.client.execute(&to_api_request(plan)).await?.body;
    let rows = records(body);
    let kept = match text_arg(call.args, "name").map(str::to_lowercase) {
        Some(needle) => rows
            .into_iter()
            .filter(|row| {
                row.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.to_lowercase().contains(&needle))
            })
            .collect(),
        None => rows,
    };
    Ok(Produced::complete(Value::Array(kept)))
}

/// The id of the record whose `name` equals `name` (case-insensitive) in a ZPA list.
async fn id_named(
    call: &HandlerCall<'_>,
    path: String,
    name: &str,
) -> Result<Option<String>, ToolFailure> {
    let query = vec![
        ("search".to_string(), zpa_name_search(name, false)),
        ("pagesize".to_string(), LOOKUP_PAGE_SIZE.to_string()),
    ];
    let body = call.client.execute(&get(path, query)).await?.body;
    Ok(records(body)
        .iter()
        .find(|r| {
            r.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .and_then(|r| match r.get("id") {
            Some(Value::String(id)) => Some(id.clone()),
            Some(Value::Number(id)) => Some(id.to_string()),
            _ => None,
        }))
}

/// Rows of a ZPA list answer: the `list` of an envelope, or a bare array.
fn records(body: Value) -> Vec<Value> {
    match body {
        Value::Array(rows) => rows,
        Value::Object(mut envelope) => match envelope.remove("list") {
            Some(Value::Array(rows)) => rows,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// ZPA's `field+OP+value` search for a name: an exact match unless the text already is an
/// expression; SCIM endpoints take the text as it is.
fn zpa_name_search(text: &str, plain: bool) -> String {
    if plain || text.splitn(3, '+').count() == 3 {
        text.to_string()
    } else {
        format!("name+EQ+{text}")
    }
}

fn handler_arg<'a>(call: &HandlerCall<'a>, key: &str) -> Result<&'a str, ToolFailure> {
    optional_handler_arg(call, key).ok_or_else(|| {
        ToolFailure::Unsupported(format!("the catalog entry lacks handler_args.{key}"))
    })
}

fn optional_handler_arg<'a>(call: &HandlerCall<'a>, key: &str) -> Option<&'a str> {
    call.spec
        .handler_args
        .as_ref()
        .and_then(|args: &Map<String, Value>| args.get(key))
        .and_then(Value::as_str)
}

fn get(path: String, query: Vec<(String, String)>) -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Get,
        path,
        query,
        body: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn name_search_is_exact_unless_already_an_expression() {
        assert_eq!(
            super::zpa_name_search("Okta Users", false),
            "name+EQ+Okta Users"
        );
        assert_eq!(
            super::zpa_name_search("name+CONTAINS+ok", false),
            "name+CONTAINS+ok"
        );
        assert_eq!(super::zpa_name_search("Engineering", true), "Engineering");
    }

    #[test]
    fn records_come_from_envelopes_or_arrays() {
        assert_eq!(
            super::records(json!({"list": [1, 2]})),
            vec![json!(1), json!(2)]
        );
        assert_eq!(super::records(json!([3])), vec![json!(3)]);
        assert!(super::records(json!({"totalPages": "0"})).is_empty());
    }
}
