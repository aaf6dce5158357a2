//! ZIA GRE tunnels: creation provisions the static IP first when it is missing and picks a
//! free internal range for numbered tunnels; deletion removes the tunnel, then its static IP
//! (ZIA refuses to delete a static IP a tunnel still uses).

use serde_json::{Map, Value, json};
use zmcp_catalog::path_segment;
use zmcp_zscaler::{ApiRequest, HttpMethod, ZscalerClient};

use super::{HandlerCall, text_arg};
use crate::outcome::{Produced, ToolFailure};

const STATIC_IPS: &str = "/zia/api/v1/staticIP";
const TUNNELS: &str = "/zia/api/v1/greTunnels";
const FREE_RANGES: &str = "/zia/api/v1/greTunnels/availableInternalIpRanges";

fn request(
    method: HttpMethod,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
) -> ApiRequest {
    ApiRequest {
        method,
        path,
        query,
        body,
    }
}

async fn send(client: &ZscalerClient, request: ApiRequest) -> Result<Value, ToolFailure> {
    Ok(client.execute(&request).await?.body)
}

pub async fn create(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let address = text_arg(call.args, "static_ip_address")
        .ok_or_else(|| ToolFailure::Arguments("static_ip_address is required".into()))?;
    let comment = text_arg(call.args, "comment");
    ensure_static_ip(call.client, address, comment).await?;
    let unnumbered = call
        .args
        .get("ip_unnumbered")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut tunnel = Map::new();
    tunnel.insert("sourceIp".into(), json!(address));
    tunnel.insert("ipUnnumbered".into(), json!(unnumbered));
    if let Some(comment) = comment {
        tunnel.insert("comment".into(), json!(comment));
    }
    if !unnumbered {
        let range = match text_arg(call.args, "internal_ip_range") {
            Some(given) => given.to_owned(),
            None => first_free_range(call.client, address).await?,
        };
        tunnel.insert("internalIpRange".into(), json!(range));
    }
    let created = send(
        call.client,
        request(
            HttpMethod::Post,
            TUNNELS.into(),
            Vec::new(),
            Some(Value::Object(tunnel)),
        ),
    )
    .await?;
    Ok(Produced::complete(created))
}

/// The static IP record for `address`, created when the tenant has none.
async fn ensure_static_ip(
    client: &ZscalerClient,
    address: &str,
    comment: Option<&str>,
) -> Result<Value, ToolFailure> {
    let query = vec![("ipAddress".to_owned(), address.to_owned())];
    let listed = send(
        client,
        request(HttpMethod::Get, STATIC_IPS.into(), query, None),
    )
    .await?;
    let existing = listed.as_array().and_then(|rows| {
        rows.iter()
            .find(|row| row.get("ipAddress").and_then(Value::as_str) == Some(address))
            .cloned()
    });
    if let Some(record) = existing {
        return Ok(record);
    }
    let mut body = json!({"ipAddress": address});
    if let (Some(comment), Some(map)) = (comment, body.as_object_mut()) {
        map.insert("comment".into(), json!(comment));
    }
    send(
        client,
        request(HttpMethod::Post, STATIC_IPS.into(), Vec::new(), Some(body)),
    )
    .await
}

async fn first_free_range(client: &ZscalerClient, address: &str) -> Result<String, ToolFailure> {
    let query = vec![("staticIp".to_owned(), address.to_owned())];
    let ranges = send(
        client,
        request(HttpMethod::Get, FREE_RANGES.into(), query, None),
    )
    .await?;
    ranges
        .as_array()
        .and_then(|rows| rows.first())
        .and_then(|row| row.get("startIPAddress"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ToolFailure::Arguments(
                "ZIA offers no free internal GRE range; pass internal_ip_range or ip_unnumbered=true"
                    .into(),
            )
        })
}

pub async fn delete(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let tunnel = id_segment(call.args, "tunnel_id")?;
    let static_ip = id_segment(call.args, "static_ip_id")?;
    for path in [
        format!("{TUNNELS}/{tunnel}"),
        format!("{STATIC_IPS}/{static_ip}"),
    ] {
        send(
            call.client,
            request(HttpMethod::Delete, path, Vec::new(), None),
        )
        .await?;
    }
    Ok(Produced::complete(json!({
        "success": true,
        "message": format!("Deleted GRE tunnel {tunnel} and static IP {static_ip}"),
    })))
}

fn id_segment(args: &Map<String, Value>, name: &str) -> Result<String, ToolFailure> {
    let raw = match args.get(name) {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ToolFailure::Arguments(format!("{name} is required"))),
    };
    Ok(path_segment(name, &raw)?)
}
