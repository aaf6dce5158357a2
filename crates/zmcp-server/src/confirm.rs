//! The delete confirmation gate: no delete reaches the API before a human said yes.
//!
//! Three paths: on 2026-07-28 an `InputRequiredResult` asking `choice: delete|cancel` with a
//! sealed `requestState` the client echoes back (see [`sealed`]); on older sessions that can
//! answer server-to-client requests, a native elicitation; otherwise an HMAC-bound,
//! single-use, expiring token the agent must echo back in `kwargs` after asking the user.
//! Tokens and request states bind the tool name and every argument, so approving one delete
//! never authorises another, and both are signed by the same key ring ([`keys`]) and spent in
//! the same single-use ledger ([`ledger`]).

mod keys;
mod ledger;
mod sealed;

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use rmcp::RoleServer;
use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema, JsonObject};
use rmcp::service::{Peer, RequestContext};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use keys::KeyRing;
pub use keys::{ConfirmationKey, KEYS_ENV, KeyError};
pub use ledger::{MemoryLedger, NonceLedger, StoreLedger};
pub use sealed::Redeemed;

use crate::tools::{KWARGS, QUERY};

type HmacSha256 = Hmac<Sha256>;

/// Argument keys that never take part in the signed payload (Python parity).
const UNSIGNED_KEYS: [&str; 5] = ["confirmed", "confirmation_token", "service", KWARGS, QUERY];

/// Issues and checks confirmations: tokens and sealed request states.
pub struct ConfirmationGate {
    keys: KeyRing,
    ttl: Duration,
    /// Nonces already spent (tokens and request states alike).
    ledger: Arc<dyn NonceLedger>,
}

/// Why a presented token does not authorise the call (messages are Python's).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Not `expiry:nonce:key-id:sig`.
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
    /// A gate signing with the first of `keys` (a random per-process key when empty) and
    /// spending nonces in `ledger`.
    pub fn new(ttl: Duration, keys: &[ConfirmationKey], ledger: Arc<dyn NonceLedger>) -> Self {
        Self {
            keys: KeyRing::new(keys),
            ttl,
            ledger,
        }
    }

    /// How long a token (and an elicitation) stays valid.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn expiry(&self, now: i64) -> i64 {
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        now.saturating_add(ttl)
    }

    /// A token for this call, valid for the TTL: `expiry:nonce:key-id:sig`.
    pub fn issue(&self, tool: &str, args: &Map<String, Value>, now: i64) -> String {
        let expiry = self.expiry(now);
        let nonce = new_nonce();
        let (key_id, mac) = self.keys.signer();
        let sig = hex(&signed(mac, tool, args, expiry, &nonce, key_id)
            .finalize()
            .into_bytes());
        format!("{expiry}:{nonce}:{key_id}:{sig}")
    }

    /// Checks a token in Python's order and, when it is good, spends it.
    ///
    /// # Errors
    /// The first [`Rejection`] that applies.
    pub async fn verify(
        &self,
        tool: &str,
        args: &Map<String, Value>,
        token: &str,
        now: i64,
    ) -> Result<(), Rejection> {
        let mut parts = token.trim().split(':');
        let (Some(expiry), Some(nonce), Some(key_id), Some(sig), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(Rejection::Malformed);
        };
        let expiry: i64 = expiry.parse().map_err(|_| Rejection::InvalidExpiry)?;
        if expiry < now {
            return Err(Rejection::Expired);
        }
        let presented = unhex(sig).ok_or(Rejection::Mismatch)?;
        // A key this ring does not hold signed for someone else: same answer as a forgery.
        let mac = self.keys.verifier(key_id).ok_or(Rejection::Mismatch)?;
        signed(mac, tool, args, expiry, nonce, key_id)
            .verify_slice(&presented)
            .map_err(|_| Rejection::Mismatch)?;
        if !self.ledger.first_use(nonce, expiry, now).await {
            return Err(Rejection::AlreadyUsed);
        }
        Ok(())
    }
}

/// 128 random bits, hex.
fn new_nonce() -> String {
    hex(&rand::random::<[u8; 16]>())
}

/// `mac` over the canonical call, the expiry, the nonce and the key id.
fn signed(
    mut mac: HmacSha256,
    tool: &str,
    args: &Map<String, Value>,
    expiry: i64,
    nonce: &str,
    key_id: &str,
) -> HmacSha256 {
    mac.update(canonical_payload(tool, args).as_bytes());
    mac.update(format!(":{expiry}:{nonce}:{key_id}").as_bytes());
    mac
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

/// Whether the client said it can fill an elicitation form (per request on 2026-07-28, from
/// the handshake before); an elicitation capability naming neither mode means forms.
pub fn answers_forms(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .as_ref()
        .and_then(|capabilities| capabilities.elicitation.as_ref())
        .is_some_and(|elicitation| elicitation.form.is_some() || elicitation.url.is_none())
}

/// The authenticated caller's subject on HTTP; `None` on stdio and without authentication.
pub fn principal(context: &RequestContext<RoleServer>) -> Option<String> {
    context
        .extensions
        .get::<http::request::Parts>()?
        .extensions
        .get::<zmcp_auth::Principal>()
        .map(|principal| principal.subject.clone())
}

/// `DELETE Rule Label — "x" (9)`: how refusals name the operation.
fn summary(tool: &str, target: &str) -> String {
    format!("DELETE {} — {target}", resource_type(tool))
}

/// The question (Python's `DeleteConfirmation` model): one `choice` of `delete` or `cancel`.
fn confirmation_form(tool: &str, target: &str) -> Option<ElicitRequestParams> {
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
        return None;
    };
    let requested_schema = ElicitationSchema::from_json_schema(JsonObject::from(schema)).ok()?;
    Some(ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: format!(
            "Confirm destructive operation: {}\nThis cannot be undone. Choose 'delete' to proceed.",
            summary(tool, target)
        ),
        requested_schema,
    })
}

/// What an answer to the form means, with Python's refusal texts.
fn judge(action: &ElicitationAction, content: Option<&Value>, summary: &str) -> Elicited {
    match action {
        ElicitationAction::Accept => {
            let choice = content
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
        _ => could_not_confirm(summary),
    }
}

fn could_not_confirm(summary: &str) -> Elicited {
    Elicited::Refused(format!(
        "Could not obtain confirmation for {summary}. The operation was NOT performed. Please retry."
    ))
}

/// Asks the human through the client mid-call (sessions before 2026-07-28).
pub async fn elicit(
    peer: &Peer<RoleServer>,
    tool: &str,
    target: &str,
    timeout: Duration,
) -> Elicited {
    let Some(params) = confirmation_form(tool, target) else {
        return Elicited::Unavailable;
    };
    match peer
        .create_elicitation_with_timeout(params, Some(timeout))
        .await
    {
        Ok(answer) => judge(
            &answer.action,
            answer.content.as_ref(),
            &summary(tool, target),
        ),
        Err(error) => {
            tracing::info!(%error, "elicitation failed; falling back to the confirmation token");
            Elicited::Unavailable
        }
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

    fn gate() -> ConfirmationGate {
        ConfirmationGate::new(
            Duration::from_secs(300),
            &[],
            Arc::new(MemoryLedger::default()),
        )
    }

    #[tokio::test]
    async fn a_token_authorises_exactly_its_call_once() {
        let gate = gate();
        let call = args(json!({"label_id": "42", "kwargs": {"x": 1}}));
        let token = gate.issue("zia_delete_rule_label", &call, 1_000);
        assert_eq!(
            gate.verify("zia_delete_rule_label", &call, &token, 1_001)
                .await,
            Ok(())
        );
        assert_eq!(
            gate.verify("zia_delete_rule_label", &call, &token, 1_002)
                .await,
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

    #[tokio::test]
    async fn rejections_follow_pythons_order() {
        let gate = gate();
        let call = args(json!({"label_id": "42"}));
        let other = args(json!({"label_id": "43"}));
        let token = gate.issue("t", &call, 1_000);
        assert_eq!(
            gate.verify("t", &call, "abc", 1_000).await,
            Err(Rejection::Malformed)
        );
        assert_eq!(
            gate.verify("t", &call, "x:y:z:w", 1_000).await,
            Err(Rejection::InvalidExpiry)
        );
        assert_eq!(
            gate.verify("t", &call, &token, 2_000).await,
            Err(Rejection::Expired)
        );
        assert_eq!(
            gate.verify("t", &other, &token, 1_000).await,
            Err(Rejection::Mismatch)
        );
        assert_eq!(
            gate.verify("u", &call, &token, 1_000).await,
            Err(Rejection::Mismatch)
        );
        let forged = format!("{}:zz", token.rsplit_once(':').map_or("", |(head, _)| head));
        assert_eq!(
            gate.verify("t", &call, &forged, 1_000).await,
            Err(Rejection::Mismatch)
        );
        assert_eq!(gate.verify("t", &call, &token, 1_000).await, Ok(()));
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
