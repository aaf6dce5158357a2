//! The 2026-07-28 path (SEP-2322): the first call answers `InputRequiredResult` with the
//! confirmation form and a sealed `requestState`; the retried call brings the answer and the
//! state back. The state is attacker-controlled, so it is sealed by the key ring and bound to
//! the tool, a digest of its arguments and the caller; its nonce is spent in the ledger, so an
//! approval deletes once even if the client replays it.

use std::collections::BTreeMap;

use rmcp::model::{
    ElicitRequest, ElicitResult, InputRequest, InputRequiredResult, InputResponses, SealOptions,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{
    ConfirmationGate, Elicited, canonical_payload, confirmation_form, could_not_confirm, hex,
    judge, new_nonce, summary,
};

/// Our key in `inputRequests` / `inputResponses`.
const INPUT_KEY: &str = "confirm";

/// The one message for every state that fails to open: which check failed stays in the log
/// (rmcp: map all opening failures to a single client-facing error).
const INVALID_STATE: &str = "Confirmation rejected: the confirmation state is invalid, expired, \
or was issued for different parameters. Nothing was deleted. Retry the operation to be asked again.";

const ALREADY_USED: &str = "Confirmation rejected: this confirmation has already been used. Each \
approval authorizes a single operation. Nothing was deleted. Retry the operation to be asked again.";

/// What the sealed state carries (readable, not secret; integrity-protected).
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    /// Spent on approval.
    nonce: String,
    /// Epoch seconds; how long the ledger must remember the nonce.
    expires: i64,
    /// How the question named the resource, for the refusal texts.
    target: String,
}

/// How a retried call with a `requestState` ends.
#[derive(Debug, PartialEq, Eq)]
pub enum Redeemed {
    /// The human chose `delete` and this approval was not used before: run the delete.
    Approved,
    /// The human said no (or gave no usable answer); the text is Python's.
    Refused(String),
    /// The state is forged, tampered with, expired, for another call or caller, or already
    /// spent; nothing is deleted and the text says so.
    Rejected(String),
}

impl ConfirmationGate {
    /// The question for a 2026-07-28 client; `None` when it cannot be built (the caller falls
    /// back to a token).
    pub fn ask(
        &self,
        tool: &str,
        args: &Map<String, Value>,
        principal: Option<&str>,
        target: &str,
        now: i64,
    ) -> Option<InputRequiredResult> {
        let codec = self.keys.codec()?;
        let form = confirmation_form(tool, target)?;
        let pending = Pending {
            nonce: new_nonce(),
            expires: self.expiry(now),
            target: target.to_owned(),
        };
        let binding = binding(tool, args, principal);
        let options = SealOptions::new().associated_data(&binding).ttl(self.ttl());
        let sealed = codec.seal_json_with(&pending, &options).ok()?;
        let question = InputRequest::Elicitation(ElicitRequest::new(form));
        Some(InputRequiredResult::new(
            Some(BTreeMap::from([(INPUT_KEY.to_owned(), question)])),
            Some(sealed),
        ))
    }

    /// Opens the echoed state for exactly this call and reads the human's answer.
    pub async fn redeem(
        &self,
        tool: &str,
        args: &Map<String, Value>,
        principal: Option<&str>,
        state: &str,
        responses: Option<&InputResponses>,
        now: i64,
    ) -> Redeemed {
        let binding = binding(tool, args, principal);
        let opened = self
            .keys
            .codec()
            .map(|codec| codec.open_json_with::<Pending>(state, &binding));
        let pending = match opened {
            Some(Ok(pending)) => pending,
            Some(Err(error)) => {
                tracing::info!(%tool, %error, "request state rejected; nothing deleted");
                return Redeemed::Rejected(INVALID_STATE.to_owned());
            }
            None => return Redeemed::Rejected(INVALID_STATE.to_owned()),
        };
        let summary = summary(tool, &pending.target);
        let answer = responses
            .and_then(|responses| responses.get(INPUT_KEY))
            .and_then(|answer| serde_json::from_value::<ElicitResult>(answer.clone()).ok());
        let verdict = match &answer {
            Some(answer) => judge(&answer.action, answer.content.as_ref(), &summary),
            None => could_not_confirm(&summary),
        };
        match verdict {
            Elicited::Approved
                if self
                    .ledger
                    .first_use(&pending.nonce, pending.expires, now)
                    .await =>
            {
                Redeemed::Approved
            }
            Elicited::Approved => Redeemed::Rejected(ALREADY_USED.to_owned()),
            Elicited::Refused(text) => Redeemed::Refused(text),
            Elicited::Unavailable => Redeemed::Rejected(INVALID_STATE.to_owned()),
        }
    }
}

/// What the state is bound to: the tool, a digest of its canonical arguments (the same
/// canonical form the tokens sign) and the caller, if authenticated.
fn binding(tool: &str, args: &Map<String, Value>, principal: Option<&str>) -> Vec<u8> {
    let digest = hex(&Sha256::digest(canonical_payload(tool, args).as_bytes()));
    let caller = principal.map_or_else(|| "-".to_owned(), |subject| format!("p:{subject}"));
    format!("zscaler-mcp/delete-confirmation/v1\n{tool}\n{digest}\n{caller}").into_bytes()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::confirm::{ConfirmationKey, MemoryLedger};

    fn gate_with(key: &str) -> ConfirmationGate {
        ConfirmationGate::new(
            Duration::from_secs(300),
            &ConfirmationKey::parse_list(key).unwrap(),
            Arc::new(MemoryLedger::default()),
        )
    }

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn accept(choice: &str) -> InputResponses {
        BTreeMap::from([(
            INPUT_KEY.to_owned(),
            json!({"action": "accept", "content": {"choice": choice}}),
        )])
    }

    const KEY: &str = "an-example-request-state-key-of-32-bytes-or-more";

    #[tokio::test]
    async fn a_state_is_bound_to_its_call_and_caller_and_spent_once() {
        let gate = gate_with(KEY);
        let tool = "zpa_delete_segment_group";
        let call = args(json!({"group_id": "7"}));
        let asked = gate
            .ask(tool, &call, Some("alice"), "7 (group_id)", 1_000)
            .unwrap();
        let state = asked.request_state.unwrap();
        let yes = accept("delete");
        let invalid = Redeemed::Rejected(INVALID_STATE.to_owned());
        let other_call = args(json!({"group_id": "8"}));
        for (tool, call, who) in [
            (tool, &other_call, Some("alice")),
            ("zpa_delete_app_segment", &call, Some("alice")),
            (tool, &call, Some("bob")),
            (tool, &call, None),
        ] {
            let redeemed = gate
                .redeem(tool, call, who, &state, Some(&yes), 1_001)
                .await;
            assert_eq!(redeemed, invalid, "{tool} {call:?} {who:?}");
        }
        let first = gate
            .redeem(tool, &call, Some("alice"), &state, Some(&yes), 1_001)
            .await;
        assert_eq!(first, Redeemed::Approved);
        let again = gate
            .redeem(tool, &call, Some("alice"), &state, Some(&yes), 1_002)
            .await;
        assert_eq!(again, Redeemed::Rejected(ALREADY_USED.to_owned()));
    }

    #[tokio::test]
    async fn answers_other_than_delete_refuse_with_pythons_texts() {
        let gate = gate_with(KEY);
        let call = args(json!({"id": 9}));
        let state = gate
            .ask("zia_delete_rule_label", &call, None, "9", 1_000)
            .unwrap()
            .request_state
            .unwrap();
        let with = |answer: Value| BTreeMap::from([(INPUT_KEY.to_owned(), answer)]);
        let outcome = |responses: Option<InputResponses>| {
            let state = state.clone();
            let call = call.clone();
            let gate = &gate;
            async move {
                gate.redeem(
                    "zia_delete_rule_label",
                    &call,
                    None,
                    &state,
                    responses.as_ref(),
                    1_001,
                )
                .await
            }
        };
        let refusal = |text: &str| Redeemed::Refused(text.to_owned());
        assert_eq!(
            outcome(Some(with(json!({"action": "decline"})))).await,
            refusal("Declined by user. DELETE Rule Label — 9 was NOT performed.")
        );
        assert_eq!(
            outcome(Some(with(json!({"action": "cancel"})))).await,
            refusal("Confirmation dismissed. DELETE Rule Label — 9 was NOT performed.")
        );
        assert_eq!(
            outcome(Some(accept("cancel"))).await,
            refusal("Cancelled by user. DELETE Rule Label — 9 was NOT performed.")
        );
        assert_eq!(
            outcome(None).await,
            refusal(
                "Could not obtain confirmation for DELETE Rule Label — 9. The operation was NOT performed. Please retry."
            )
        );
        // None of those spent the approval.
        assert_eq!(outcome(Some(accept("delete"))).await, Redeemed::Approved);
    }

    #[tokio::test]
    async fn tampered_or_foreign_states_open_nowhere() {
        let gate = gate_with(KEY);
        let call = args(json!({"id": 9}));
        let state = gate
            .ask("t", &call, None, "9", 1_000)
            .unwrap()
            .request_state
            .unwrap();
        let yes = accept("delete");
        // Flip one character of the sealed body (`rs2.kid.body.tag`): the JSON changes.
        let mut parts: Vec<String> = state.split('.').map(str::to_owned).collect();
        let body = &mut parts[2];
        let middle = body.len() / 2;
        let flipped = if &body[middle..=middle] == "A" {
            "B"
        } else {
            "A"
        };
        body.replace_range(middle..=middle, flipped);
        let tampered = parts.join(".");
        let invalid = Redeemed::Rejected(INVALID_STATE.to_owned());
        assert_eq!(
            gate.redeem("t", &call, None, &tampered, Some(&yes), 1_001)
                .await,
            invalid
        );
        let other = gate_with("another-request-state-key-of-32-bytes-or-more");
        assert_eq!(
            other
                .redeem("t", &call, None, &state, Some(&yes), 1_001)
                .await,
            invalid
        );
        assert_eq!(
            gate.redeem("t", &call, None, "garbage", Some(&yes), 1_001)
                .await,
            invalid
        );
    }
}
