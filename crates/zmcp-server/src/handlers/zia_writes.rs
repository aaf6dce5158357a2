//! ZIA writes that need more than the catalog's one request: the read-modify-write update
//! (a ZIA PUT replaces the whole resource, so the fields the caller did not give are read
//! first) and network services, whose port specs become ZIA's four port-range lists.

use serde_json::{Map, Value, json};
use zmcp_catalog::{Method, plan_request};
use zmcp_zscaler::{ApiRequest, HttpMethod, ZscalerClient};

use super::HandlerCall;
use crate::dispatch::{now_epoch_secs, to_api_request};
use crate::outcome::{Produced, ToolFailure};

/// GETs the entry's path, overlays the fields given (`advanced`/`settings` merged by the plan)
/// and PUTs the whole object back.
pub async fn read_modify_write(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let changes = match &plan.body {
        Some(Value::Object(changes)) => changes.clone(),
        _ => Map::new(),
    };
    let put = to_api_request(plan);
    merge_and_put(call.client, put, &changes)
        .await
        .map(Produced::complete)
}

/// The record at `put.path`, `changes` overlaid, sent with `put`'s method and query. Answers
/// what the PUT returned, or the merged record when the PUT returned no body.
pub(super) async fn merge_and_put(
    client: &ZscalerClient,
    mut put: ApiRequest,
    changes: &Map<String, Value>,
) -> Result<Value, ToolFailure> {
    let read = ApiRequest {
        method: HttpMethod::Get,
        path: put.path.clone(),
        query: Vec::new(),
        body: None,
    };
    let mut record = match client.execute(&read).await?.body {
        Value::Object(map) => map,
        other => {
            return Err(ToolFailure::Arguments(format!(
                "expected the current resource as a JSON object, got {}",
                crate::outcome::compact(&other)
            )));
        }
    };
    record.extend(changes.clone());
    put.body = Some(Value::Object(record.clone()));
    let answer = client.execute(&put).await?.body;
    Ok(if answer.is_null() {
        Value::Object(record)
    } else {
        answer
    })
}

/// Create or update of a network service: `ports` (`[["dest","tcp","80","443"], ...]`, or
/// that as a JSON string) becomes `srcTcpPorts`/`destTcpPorts`/`srcUdpPorts`/`destUdpPorts`.
/// An update keeps the current ports when none are given.
pub async fn network_service(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let mut changes = match &plan.body {
        Some(Value::Object(body)) => body.clone(),
        _ => Map::new(),
    };
    if let Some(ports) = call.args.get("ports").filter(|p| !p.is_null()) {
        changes.extend(port_ranges(ports)?);
    }
    let method = plan.method;
    let mut request = to_api_request(plan);
    if method == Method::Put {
        return merge_and_put(call.client, request, &changes)
            .await
            .map(Produced::complete);
    }
    request.body = Some(Value::Object(changes));
    Ok(Produced::complete(
        call.client.execute(&request).await?.body,
    ))
}

/// The four port-range lists for the given port specs.
fn port_ranges(ports: &Value) -> Result<Map<String, Value>, ToolFailure> {
    let parsed;
    let specs = match ports {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|err| {
                ToolFailure::Arguments(format!("ports: not a JSON array of port specs: {err}"))
            })?;
            &parsed
        }
        other => other,
    };
    let specs = specs
        .as_array()
        .filter(|specs| !specs.is_empty())
        .ok_or_else(|| ToolFailure::Arguments("ports: give at least one port spec".into()))?;
    let mut lists: Map<String, Value> =
        ["srcTcpPorts", "destTcpPorts", "srcUdpPorts", "destUdpPorts"]
            .iter()
            .map(|key| ((*key).to_owned(), json!([])))
            .collect();
    for spec in specs {
        let (key, range) = port_range(spec)?;
        if let Some(Value::Array(list)) = lists.get_mut(key) {
            list.push(range);
        }
    }
    Ok(lists)
}

/// One `[direction, protocol, start, end?]` spec: the list it belongs to and its range.
fn port_range(spec: &Value) -> Result<(&'static str, Value), ToolFailure> {
    let bad = || {
        ToolFailure::Arguments(format!(
            "ports: {} is not [\"src\"|\"dest\", \"tcp\"|\"udp\", start, end?] with ports 1-65535",
            crate::outcome::compact(spec)
        ))
    };
    let parts = spec.as_array().ok_or_else(bad)?;
    let text = |i: usize| parts.get(i).and_then(Value::as_str).map(str::to_lowercase);
    let port = |i: usize| {
        parts.get(i).and_then(|p| {
            p.as_u64()
                .or_else(|| p.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|n| (1..=65_535).contains(n))
        })
    };
    let key = match (text(0).as_deref(), text(1).as_deref()) {
        (Some("src"), Some("tcp")) => "srcTcpPorts",
        (Some("dest"), Some("tcp")) => "destTcpPorts",
        (Some("src"), Some("udp")) => "srcUdpPorts",
        (Some("dest"), Some("udp")) => "destUdpPorts",
        _ => return Err(bad()),
    };
    let start = port(2).ok_or_else(bad)?;
    let end = match parts.get(3) {
        None => start,
        Some(_) => port(3).filter(|end| *end >= start).ok_or_else(bad)?,
    };
    if parts.len() > 4 {
        return Err(bad());
    }
    Ok((key, json!({"start": start, "end": end})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_specs_fill_the_four_lists() {
        let lists = port_ranges(&json!([
            ["dest", "tcp", "80", "443"],
            ["dest", "udp", 53],
            ["src", "TCP", "1024"]
        ]))
        .expect("valid specs");
        assert_eq!(lists["destTcpPorts"], json!([{"start": 80, "end": 443}]));
        assert_eq!(lists["destUdpPorts"], json!([{"start": 53, "end": 53}]));
        assert_eq!(lists["srcTcpPorts"], json!([{"start": 1024, "end": 1024}]));
        assert_eq!(lists["srcUdpPorts"], json!([]));
        let from_text = port_ranges(&json!("[[\"dest\", \"tcp\", \"22\"]]")).expect("JSON text");
        assert_eq!(from_text["destTcpPorts"], json!([{"start": 22, "end": 22}]));
    }

    #[test]
    fn bad_port_specs_are_refused() {
        for bad in [
            json!([]),
            json!([["up", "tcp", "80"]]),
            json!([["dest", "icmp", "80"]]),
            json!([["dest", "tcp", "0"]]),
            json!([["dest", "tcp", "90", "80"]]),
            json!("not json"),
        ] {
            assert!(port_ranges(&bad).is_err(), "{bad}");
        }
    }
}
