//! `POST /register`: RFC 7591 dynamic client registration, so `mcp-remote` and other MCP
//! clients can sign in with no pre-shared client id (the guide's Step 5) even though the
//! identity provider (Entra ID) has no registration endpoint of its own.
//!
//! Every client registered here is public (`token_endpoint_auth_method: none`, whatever it
//! asked for, as RFC 7591 §3.2.1 allows): it proves itself with PKCE, and the provider's
//! own credentials are never handed out.

use std::sync::Arc;

use axum::{
    Json,
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{
    ProxyState, clients::Client, oauth_error, own_token::now_secs, state_unavailable,
    too_many_requests,
};
use crate::outbound::printable;

/// At most this many redirect URIs per client.
const MAX_REDIRECT_URIS: usize = 10;

/// Metadata echoed back when the client sent it as a short string.
const ECHOED: [&str; 6] = [
    "client_name",
    "client_uri",
    "software_id",
    "software_version",
    "scope",
    "application_type",
];

/// Why a registration is refused: an RFC 7591 §3.2.2 error code and a description.
struct Refusal {
    error: &'static str,
    description: String,
}

fn bad_redirect(description: impl Into<String>) -> Refusal {
    Refusal {
        error: "invalid_redirect_uri",
        description: description.into(),
    }
}

fn bad_metadata(description: impl Into<String>) -> Refusal {
    Refusal {
        error: "invalid_client_metadata",
        description: description.into(),
    }
}

pub(crate) async fn register(State(state): State<Arc<ProxyState>>, body: Bytes) -> Response {
    if !state.limits.registrations.allow() {
        tracing::warn!("oidcproxy: client registrations over the rate limit; refused");
        return too_many_requests();
    }
    let checked = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .ok_or_else(|| bad_metadata("the body must be a JSON object (RFC 7591)"))
        .and_then(|metadata| {
            let uris = redirect_uris(&state, &metadata)?;
            check_grants(&metadata)?;
            Ok((metadata, uris))
        });
    let (metadata, redirect_uris) = match checked {
        Ok(checked) => checked,
        Err(refusal) => {
            return oauth_error(StatusCode::BAD_REQUEST, refusal.error, &refusal.description);
        }
    };

    let client_name = metadata
        .get("client_name")
        .and_then(Value::as_str)
        .map(|name| name.chars().take(200).collect::<String>())
        .filter(|name| !name.trim().is_empty());
    let client = Client {
        redirect_uris: redirect_uris.clone(),
        client_name,
        from_document: false,
    };
    let client_id = match state.clients.register(&client).await {
        Ok(id) => id,
        Err(err) => return state_unavailable(&err),
    };
    let mut answer = Map::new();
    answer.insert("client_id".into(), json!(client_id));
    answer.insert("client_id_issued_at".into(), json!(now_secs()));
    answer.insert("redirect_uris".into(), json!(redirect_uris));
    answer.insert("token_endpoint_auth_method".into(), json!("none"));
    answer.insert(
        "grant_types".into(),
        json!(["authorization_code", "refresh_token"]),
    );
    answer.insert("response_types".into(), json!(["code"]));
    for key in ECHOED {
        if let Some(Value::String(v)) = metadata.get(key)
            && v.len() <= 512
        {
            answer.insert(key.into(), json!(v));
        }
    }
    let client_name = answer
        .get("client_name")
        .and_then(Value::as_str)
        .unwrap_or("");
    tracing::info!(
        "oidcproxy: registered client {client_id} ({})",
        printable(client_name, 80)
    );
    (
        StatusCode::CREATED,
        [(http::header::CACHE_CONTROL, "no-store")],
        Json(Value::Object(answer)),
    )
        .into_response()
}

/// The redirect URIs, each allowed by the registration policy.
fn redirect_uris(
    state: &ProxyState,
    metadata: &Map<String, Value>,
) -> Result<Vec<String>, Refusal> {
    let Some(Value::Array(items)) = metadata.get("redirect_uris") else {
        return Err(bad_redirect(
            "redirect_uris (a non-empty array of URIs) is required",
        ));
    };
    if items.is_empty() || items.len() > MAX_REDIRECT_URIS {
        return Err(bad_redirect(format!(
            "redirect_uris must hold 1 to {MAX_REDIRECT_URIS} URIs"
        )));
    }
    let uris = strings(items).ok_or_else(|| bad_redirect("every redirect URI must be a string"))?;
    for uri in &uris {
        state
            .config
            .redirect_policy
            .check(uri)
            .map_err(|reason| bad_redirect(format!("redirect URI {uri:?} refused: {reason}")))?;
    }
    Ok(uris)
}

fn strings(items: &[Value]) -> Option<Vec<String>> {
    items
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Only the authorization-code flow (with refresh) is offered; a client asking for
/// anything else would fail later in a less explicable way.
fn check_grants(metadata: &Map<String, Value>) -> Result<(), Refusal> {
    let listed = |key: &str| -> Result<Option<Vec<String>>, Refusal> {
        match metadata.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => strings(items)
                .map(Some)
                .ok_or_else(|| bad_metadata(format!("{key} must be an array of strings"))),
            Some(_) => Err(bad_metadata(format!("{key} must be an array"))),
        }
    };
    if let Some(grants) = listed("grant_types")? {
        if !grants.iter().any(|g| g == "authorization_code") {
            return Err(bad_metadata("grant_types must include authorization_code"));
        }
        if let Some(other) = grants
            .iter()
            .find(|g| !matches!(g.as_str(), "authorization_code" | "refresh_token"))
        {
            return Err(bad_metadata(format!(
                "grant type {} is not supported (authorization_code, refresh_token)",
                printable(other, 60)
            )));
        }
    }
    if let Some(types) = listed("response_types")?
        && types.iter().any(|t| t != "code")
    {
        return Err(bad_metadata("only the \"code\" response type is supported"));
    }
    Ok(())
}
