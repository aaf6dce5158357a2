//! The delete confirmation gate: no delete reaches the API before a human said yes.
//!
//! Two paths, as in the Python server: a native elicitation (`choice: delete|cancel`) when the
//! client can answer server-to-client requests, otherwise an HMAC-bound, single-use, expiring
//! token the agent must echo back in `kwargs` after asking the user. The token binds the tool
//! name and every argument, so approving one delete never authorises another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use rmcp::RoleServer;
use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema, JsonObject};
use rmcp::service::{ElicitationMode, Peer};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::tools::{KWARGS, QUERY};

type HmacSha256 = Hmac<Sha256>;

/// Argument keys that never take part in the signed payload (Python parity).
const UNSIGNED_KEYS: [&str; 5] = ["confirmed", "confirmation_token", "service", KWARGS, QUERY];

/// Issues and checks confirmation tokens; one key per process.
pub struct ConfirmationGate {
    key: [u8; 32],
    ttl: Duration,
    /// Signatures already used, with their expiry (swept lazily).
    used: Mutex<HashMap<String, i64>>,
}

/// Why a presented token does not authorise the call (messages are Python's).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Not `expiry:nonce:sig`.
    #[error("Malformed confirmation token")]
    Malformed,
    /// The expiry is not an integer.
    #[error("Malformed confirmation token (invalid expiry)")]
    InvalidExpiry,
    /// Too old.
    #[error(
        "Confirmation token has expired. Please retry the operation to get a new confirmation token."
    )]
    Expired,
    /// Signed for other arguments (or forged).
    #[error(
        "Confirmation token does not match the submitted parameters. The operation parameters may have been modified after approval. Please retry the operation from the beginning."
    )]
    Mismatch,
    /// Replayed.
    #[error(
        "Confirmation token has already been used. Each approval authorizes a single operation. Please retry the operation to get a new confirmation token."
    )]
    AlreadyUsed,
}

impl ConfirmationGate {
    /// A gate with a fresh random key.
    pub fn new(ttl: Duration) -> Self {
        Self {
            key: rand::random(),
            ttl,
            used: Mutex::new(HashMap::new()),
        }
    }

    /// How long a token (and an elicitation) stays valid.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A token for this call, valid for the TTL.
    pub fn issue(&self, tool: &str, args: &Map<String, Value>, now: i64) -> String {
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let expiry = now.saturating_add(ttl);
        let nonce = hex(&rand::random::<[u8; 8]>());
        let sig = hex(&self.sign(tool, args, expiry, &nonce));
        format!("{expiry}:{nonce}:{sig}")
    }

    /// Checks a token in Python's order and, when it is good, spends it.
    ///
    /// # Errors
    /// The first [`Rejection`] that applies.
    pub fn verify(
        &self,
        tool: &str,
        args: &Map<String, Value>,
        token: &str,
        now: i64,
    ) -> Result<(), Rejection> {
        let mut parts = token.trim().split(':');
        let (Some(expiry), Some(nonce), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Rejection::Malformed);
        };
        let expiry: i64 = expiry.parse().map_err(|_| Rejection::InvalidExpiry)?;
        if expiry < now {
            return Err(Rejection::Expired);
        }
        let presented = unhex(sig).ok_or(Rejection::Mismatch)?;
        self.mac(tool, args, expiry, nonce)
            .verify_slice(&presented)
            .map_err(|_| Rejection::Mismatch)?;
        let mut used = self.used.lock().map_err(|_| Rejection::AlreadyUsed)?;
        used.retain(|_, expires| *expires >= now);
        if used.insert(sig.to_ascii_lowercase(), expiry).is_some() {
            return Err(Rejection::AlreadyUsed);
        }
        Ok(())
    }

    fn sign(&self, tool: &str, args: &Map<String, Value>, expiry: i64, nonce: &str) -> Vec<u8> {
        self.mac(tool, args, expiry, nonce)
            .finalize()
            .into_bytes()
            .to_vec()
    }

    fn mac(&self, tool: &str, args: &Map<String, Value>, expiry: i64, nonce: &str) -> HmacSha256 {
        // A 32-byte key is always a valid HMAC key; the fallback keeps this panic-free.
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
        mac.update(canonical_payload(tool, args).as_bytes());
        mac.update(format!(":{expiry}:{nonce}").as_bytes());
        mac
    }
}

/// `tool:` + the arguments as sorted, compact JSON, without the unsigned channels and nulls.
fn canonical_payload(tool: &str, args: &Map<String, Value>) -> String {
    let clean: Map<String, Value> = args
        .iter()
        .filter(|(key, value)| {
            !UNSIGNED_KEYS.contains(&key.as_str()) && !key.starts_with('_') && !value.is_null()
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    format!("{tool}:{}", canonical_json(&Value::Object(clean)))
}

/// JSON with object keys sorted at every depth, so equal arguments sign equally whatever
/// order the client sent them in.
pub(crate) fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for key in keys {
                    if let Some(inner) = map.get(key) {
                        out.insert(key.clone(), sorted(inner));
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    crate::outcome::compact(&sorted(value))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// What the agent put in `kwargs`.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenChannel {
    /// Nothing usable: ask for confirmation.
    Empty,
    /// A token to verify.
    Token(String),
    /// The retired `{"confirmed": true}` form: logged and answered with a fresh prompt.
    Deprecated,
}

/// Reads `kwargs` (an object or a JSON string of one).
pub fn token_channel(kwargs: Option<&Value>) -> TokenChannel {
    let parsed;
    let kwargs = match kwargs {
        Some(Value::Object(map)) => map,
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                parsed = map;
                &parsed
            }
            _ => return TokenChannel::Empty,
        },
        _ => return TokenChannel::Empty,
    };
    match kwargs.get("confirmation_token") {
        Some(Value::String(token)) if !token.trim().is_empty() => {
            TokenChannel::Token(token.trim().to_string())
        }
        _ if ["confirmed", "confirm"]
            .iter()
            .any(|key| kwargs.get(*key) == Some(&Value::Bool(true))) =>
        {
            TokenChannel::Deprecated
        }
        _ => TokenChannel::Empty,
    }
}

/// `zia_delete_rule_label` → `Rule Label` (Python: `split("delete_")[-1]` title-cased).
pub fn resource_type(tool: &str) -> String {
    let tail = tool.split_once("delete_").map_or(tool, |(_, rest)| rest);
    tail.split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The resource the call targets: `id`, else `name`, else the first `*_id` argument (sorted),
/// rendered `value (key)`; `unknown` when there is none.
pub fn identifier(args: &Map<String, Value>) -> String {
    if let Some(id) = args.get("id").and_then(scalar_text) {
        return id;
    }
    if let Some(name) = args.get("name").and_then(scalar_text) {
        return name;
    }
    let mut id_keys: Vec<&String> = args.keys().filter(|key| key.ends_with("_id")).collect();
    id_keys.sort();
    id_keys
        .into_iter()
        .find_map(|key| {
            args.get(key)
                .and_then(scalar_text)
                .map(|value| format!("{value} ({key})"))
        })
        .unwrap_or_else(|| "unknown".into())
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The prompt that stops the first call of a delete (Python's wording).
pub fn prompt_text(tool: &str, target: &str, token: &str) -> String {
    format!(
        "DESTRUCTIVE OPERATION - CONFIRMATION REQUIRED\n\n\
         Operation: DELETE {resource}\n\
         Resource ID/Name: {target}\n\n\
         WARNING: This action CANNOT be undone!\n\n\
         REQUIRED NEXT STEP — do not skip:\n\
         1. Show this warning to the user and ask them to confirm the deletion.\n\
         2. Wait for the user's reply. An earlier request to delete is NOT confirmation, and you must not answer on their behalf.\n\
         3. Only if the user explicitly agrees, retry this call with: kwargs='{{\"confirmation_token\": \"{token}\"}}'\n\
         If the user declines or does not answer, report that and stop.",
        resource = resource_type(tool),
    )
}

/// How a native elicitation ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Elicited {
    /// The human chose `delete`.
    Approved,
    /// The human answered no (or dismissed); the text says which.
    Refused(String),
    /// The client could not be asked; fall back to the token.
    Unavailable,
}

/// Whether this session can carry an `elicitation/create` request.
pub fn can_elicit(peer: &Peer<RoleServer>) -> bool {
    peer.supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
}

/// Asks the human through the client (`choice: delete|cancel`).
pub async fn elicit(
    peer: &Peer<RoleServer>,
    tool: &str,
    target: &str,
    timeout: Duration,
) -> Elicited {
    let summary = format!("DELETE {} — {target}", resource_type(tool));
    let schema = json!({
        "type": "object",
        "description": "Confirm a destructive operation.",
        "properties": {
            "choice": {
                "type": "string",
                "enum": ["delete", "cancel"],
                "description": "Choose 'delete' to perform the deletion, or 'cancel' to abort."
            }
        },
        "required": ["choice"]
    });
    let Value::Object(schema) = schema else {
        return Elicited::Unavailable;
    };
    let Ok(requested_schema) = ElicitationSchema::from_json_schema(JsonObject::from(schema)) else {
        return Elicited::Unavailable;
    };
    let params = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: format!(
            "Confirm destructive operation: {summary}\nThis cannot be undone. Choose 'delete' to proceed."
        ),
        requested_schema,
    };
    let answer = match peer
        .create_elicitation_with_timeout(params, Some(timeout))
        .await
    {
        Ok(answer) => answer,
        Err(error) => {
            tracing::info!(%error, "elicitation failed; falling back to the confirmation token");
            return Elicited::Unavailable;
        }
    };
    match answer.action {
        ElicitationAction::Accept => {
            let choice = answer
                .content
                .as_ref()
                .and_then(|content| content.get("choice"))
                .and_then(Value::as_str);
            if choice == Some("delete") {
                Elicited::Approved
            } else {
                Elicited::Refused(format!("Cancelled by user. {summary} was NOT performed."))
            }
        }
        ElicitationAction::Decline => {
            Elicited::Refused(format!("Declined by user. {summary} was NOT performed."))
        }
        ElicitationAction::Cancel => Elicited::Refused(format!(
            "Confirmation dismissed. {summary} was NOT performed."
        )),
        _ => Elicited::Refused(format!(
            "Could not obtain confirmation for {summary}. The operation was NOT performed. Please retry."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_token_authorises_exactly_its_call_once() {
        let gate = ConfirmationGate::new(Duration::from_secs(300));
        let call = args(json!({"label_id": "42", "kwargs": {"x": 1}}));
        let token = gate.issue("zia_delete_rule_label", &call, 1_000);
        assert_eq!(
            gate.verify("zia_delete_rule_label", &call, &token, 1_001),
            Ok(())
        );
        assert_eq!(
            gate.verify("zia_delete_rule_label", &call, &token, 1_002),
            Err(Rejection::AlreadyUsed)
        );
    }

    #[test]
    fn key_order_and_unsigned_channels_do_not_change_the_payload() {
        let a = args(json!({"b": 1, "a": {"y": 2, "x": 1}, "query": "[*]", "_meta": 1}));
        let b = args(json!({"a": {"x": 1, "y": 2}, "b": 1, "kwargs": "{}"}));
        assert_eq!(canonical_payload("t", &a), canonical_payload("t", &b));
        assert_eq!(canonical_payload("t", &a), r#"t:{"a":{"x":1,"y":2},"b":1}"#);
    }

    #[test]
    fn rejections_follow_pythons_order() {
        let gate = ConfirmationGate::new(Duration::from_secs(300));
        let call = args(json!({"label_id": "42"}));
        let other = args(json!({"label_id": "43"}));
        let token = gate.issue("t", &call, 1_000);
        assert_eq!(
            gate.verify("t", &call, "abc", 1_000),
            Err(Rejection::Malformed)
        );
        assert_eq!(
            gate.verify("t", &call, "x:y:z", 1_000),
            Err(Rejection::InvalidExpiry)
        );
        assert_eq!(
            gate.verify("t", &call, &token, 2_000),
            Err(Rejection::Expired)
        );
        assert_eq!(
            gate.verify("t", &other, &token, 1_000),
            Err(Rejection::Mismatch)
        );
        assert_eq!(
            gate.verify("u", &call, &token, 1_000),
            Err(Rejection::Mismatch)
        );
        let forged = format!("{}:zz", token.rsplit_once(':').map_or("", |(head, _)| head));
        assert_eq!(
            gate.verify("t", &call, &forged, 1_000),
            Err(Rejection::Mismatch)
        );
        assert_eq!(gate.verify("t", &call, &token, 1_000), Ok(()));
    }

    #[test]
    fn kwargs_accepts_an_object_or_a_json_string() {
        let object = json!({"confirmation_token": "1:2:3"});
        let string = json!("{\"confirmation_token\": \"1:2:3\"}");
        let legacy = json!({"confirmed": true});
        let junk = json!("not json");
        assert_eq!(
            token_channel(Some(&object)),
            TokenChannel::Token("1:2:3".into())
        );
        assert_eq!(
            token_channel(Some(&string)),
            TokenChannel::Token("1:2:3".into())
        );
        assert_eq!(token_channel(Some(&legacy)), TokenChannel::Deprecated);
        assert_eq!(token_channel(Some(&junk)), TokenChannel::Empty);
        assert_eq!(token_channel(None), TokenChannel::Empty);
    }

    #[test]
    fn names_follow_the_python_rules() {
        assert_eq!(resource_type("zia_delete_rule_label"), "Rule Label");
        assert_eq!(resource_type("zpa_delete_segment_group"), "Segment Group");
        assert_eq!(
            identifier(&args(json!({"group_id": "7", "a_id": 3}))),
            "3 (a_id)"
        );
        assert_eq!(identifier(&args(json!({"id": 9, "name": "x"}))), "9");
        assert_eq!(identifier(&args(json!({}))), "unknown");
        let prompt = prompt_text("zia_delete_rule_label", "\"x\" (9)", "1:2:3");
        assert!(prompt.starts_with("DESTRUCTIVE OPERATION - CONFIRMATION REQUIRED"));
        assert!(prompt.contains("Operation: DELETE Rule Label"));
        assert!(prompt.contains(r#"kwargs='{"confirmation_token": "1:2:3"}'"#));
    }
}
