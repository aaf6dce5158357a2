//! The delete confirmation gate: token flow and native elicitation, against the simulator.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities,
    ClientConfig as McpClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction,
    Implementation, InputRequiredResult, ProtocolVersion,
};
use rmcp::service::{
    ClientLifecycleMode, RequestContext, RunningService, serve_client_with_lifecycle,
};
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Value, json};
use zmcp_server::{ConfirmationKey, McpServer, ServerConfig};

const TEMPORARY_LABEL: i64 = 3_318_283;

fn token_in(prompt: &str) -> String {
    let start = prompt
        .find("\"confirmation_token\": \"")
        .expect("token in prompt")
        + 23;
    let rest = &prompt[start..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}

fn deletes(sim: &zscaler_sim::SimHandle) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count()
}

#[tokio::test]
async fn delete_runs_only_with_a_valid_unused_token_for_the_same_arguments() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let prompt = call(
        &client,
        "zia_delete_rule_label",
        json!({"label_id": TEMPORARY_LABEL}),
    )
    .await;
    let prompt = text(&prompt);
    assert!(
        prompt.starts_with("DESTRUCTIVE OPERATION - CONFIRMATION REQUIRED"),
        "{prompt}"
    );
    assert!(prompt.contains("Operation: DELETE Rule Label"), "{prompt}");
    assert!(
        prompt.contains(&format!("\"Temporary\" ({TEMPORARY_LABEL} (label_id))")),
        "{prompt}"
    );
    assert_eq!(deletes(&sim), 0, "no API call before confirmation");
    let token = token_in(&prompt);

    let tampered = text(
        &call(
            &client,
            "zia_delete_rule_label",
            json!({"label_id": 3_318_280, "kwargs": {"confirmation_token": token}}),
        )
        .await,
    );
    assert!(
        tampered.starts_with("Confirmation rejected: Confirmation token does not match"),
        "{tampered}"
    );
    assert!(
        tampered.contains("DESTRUCTIVE OPERATION"),
        "a fresh prompt follows: {tampered}"
    );
    assert_eq!(deletes(&sim), 0);

    let kwargs = format!("{{\"confirmation_token\": \"{token}\"}}");
    let done = call(
        &client,
        "zia_delete_rule_label",
        json!({"label_id": TEMPORARY_LABEL, "kwargs": kwargs}),
    )
    .await;
    assert!(!is_error(&done), "{}", text(&done));
    assert_eq!(deletes(&sim), 1);
    assert!(text(&done).contains("Note: ZIA changes are staged"));
    assert_eq!(
        json(&done),
        json!({"success": true, "message": format!("Deleted rule label {TEMPORARY_LABEL} (label_id)")})
    );
    let gone = call(
        &client,
        "zia_get_rule_label",
        json!({"label_id": TEMPORARY_LABEL}),
    )
    .await;
    assert!(is_error(&gone), "{}", text(&gone));

    let replay = text(
        &call(
            &client,
            "zia_delete_rule_label",
            json!({"label_id": TEMPORARY_LABEL, "kwargs": {"confirmation_token": token}}),
        )
        .await,
    );
    assert!(
        replay.starts_with("Confirmation rejected: Confirmation token has already been used"),
        "{replay}"
    );
    assert_eq!(deletes(&sim), 1);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let sim = start_sim().await;
    let server = McpServer::new(ServerConfig {
        confirmation_ttl: Duration::ZERO,
        ..config_for(&sim)
    });
    let client = connect(server, plain_client()).await;
    let token = token_in(&text(
        &call(
            &client,
            "zia_delete_rule_label",
            json!({"label_id": TEMPORARY_LABEL}),
        )
        .await,
    ));
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let late = text(
        &call(
            &client,
            "zia_delete_rule_label",
            json!({"label_id": TEMPORARY_LABEL, "kwargs": {"confirmation_token": token}}),
        )
        .await,
    );
    assert!(
        late.starts_with("Confirmation rejected: Confirmation token has expired"),
        "{late}"
    );
    assert_eq!(deletes(&sim), 0);
}

/// A client that can answer elicitations, with a fixed answer.
struct Human {
    action: ElicitationAction,
    choice: &'static str,
}

impl ClientHandler for Human {
    fn get_info(&self) -> McpClientConfig {
        McpClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("human", "1"),
        )
        .with_protocol_version(rmcp::model::ProtocolVersion::V_2025_11_25)
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::FormElicitationParams { message, .. } = request else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        assert!(message.contains("DELETE Segment Group"), "{message}");
        Ok(ElicitResult::new(self.action.clone()).with_content(json!({"choice": self.choice})))
    }
}

async fn new_segment_group(client: &RunningService<RoleClient, Human>) -> String {
    let created = json(
        &call(
            client,
            "zpa_create_segment_group",
            json!({"name": "Doomed group", "enabled": true}),
        )
        .await,
    );
    created["id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no id in {created}"))
}

#[tokio::test]
async fn elicitation_approves_or_refuses_without_a_token() {
    let sim = start_sim().await;
    let declining = connect(
        server_for(&sim),
        Human {
            action: ElicitationAction::Decline,
            choice: "cancel",
        },
    )
    .await;
    let group = new_segment_group(&declining).await;
    let refused = text(
        &call(
            &declining,
            "zpa_delete_segment_group",
            json!({"group_id": group}),
        )
        .await,
    );
    assert!(refused.starts_with("Declined by user."), "{refused}");
    assert_eq!(deletes(&sim), 0);

    let approving = connect(
        server_for(&sim),
        Human {
            action: ElicitationAction::Accept,
            choice: "delete",
        },
    )
    .await;
    let done = call(
        &approving,
        "zpa_delete_segment_group",
        json!({"group_id": group}),
    )
    .await;
    assert!(!is_error(&done), "{}", text(&done));
    assert_eq!(deletes(&sim), 1);
    assert!(json(&done)["success"] == json!(true) || !text(&done).contains("DESTRUCTIVE"));
}

/// A 2026-07-28 client (no handshake, no server-to-client requests) whose human answers the
/// confirmation form with `action` and `choice`.
struct ModernHuman {
    action: ElicitationAction,
    choice: &'static str,
}

impl ClientHandler for ModernHuman {
    fn get_info(&self) -> McpClientConfig {
        McpClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("modern-human", "1"),
        )
        .with_protocol_version(ProtocolVersion::V_2026_07_28)
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::FormElicitationParams { message, .. } = request else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        assert!(message.contains("DELETE Rule Label"), "{message}");
        Ok(ElicitResult::new(self.action.clone()).with_content(json!({"choice": self.choice})))
    }
}

/// Connects a 2026-07-28 client: `server/discover`, then per-request metadata, no handshake.
async fn connect_modern(
    server: McpServer,
    action: ElicitationAction,
    choice: &'static str,
) -> RunningService<RoleClient, ModernHuman> {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    let client = serve_client_with_lifecycle(ModernHuman { action, choice }, client_io, lifecycle)
        .await
        .expect("2026 client connects");
    assert_eq!(
        client.peer_info().expect("discovered").protocol_version,
        ProtocolVersion::V_2026_07_28
    );
    client
}

fn delete_label() -> CallToolRequestParams {
    CallToolRequestParams::new("zia_delete_rule_label")
        .with_arguments(args(json!({"label_id": TEMPORARY_LABEL})))
}

/// The first round of a delete: the question and the sealed state.
async fn ask(client: &RunningService<RoleClient, ModernHuman>) -> (InputRequiredResult, String) {
    match client
        .call_tool_once(delete_label())
        .await
        .expect("tools/call")
    {
        CallToolResponse::InputRequired(asked) => {
            let state = asked.request_state.clone().expect("a requestState");
            (asked, state)
        }
        other => panic!("expected input_required, got {other:?}"),
    }
}

/// The retried call, with `answer` for our question and `state` echoed.
async fn answer(
    client: &RunningService<RoleClient, ModernHuman>,
    state: &str,
    answer: Value,
) -> CallToolResult {
    let retry = delete_label()
        .with_request_state(state)
        .with_input_responses(BTreeMap::from([("confirm".to_owned(), answer)]));
    match client.call_tool_once(retry).await.expect("tools/call") {
        CallToolResponse::Complete(result) => result,
        other => panic!("expected a final result, got {other:?}"),
    }
}

fn approve() -> Value {
    json!({"action": "accept", "content": {"choice": "delete"}})
}

#[tokio::test]
async fn a_2026_client_is_asked_in_the_result_and_deletes_by_answering() {
    let sim = start_sim().await;
    let client = connect_modern(server_for(&sim), ElicitationAction::Accept, "delete").await;

    let (asked, _) = ask(&client).await;
    let question = serde_json::to_value(&asked).unwrap();
    let form = &question["inputRequests"]["confirm"];
    assert_eq!(form["method"], "elicitation/create", "{question}");
    assert_eq!(
        form["params"]["message"],
        format!(
            "Confirm destructive operation: DELETE Rule Label — \"Temporary\" ({TEMPORARY_LABEL} (label_id))\nThis cannot be undone. Choose 'delete' to proceed."
        ),
        "{question}"
    );
    assert_eq!(
        form["params"]["requestedSchema"]["properties"]["choice"]["enum"],
        json!(["delete", "cancel"])
    );
    assert_eq!(deletes(&sim), 0, "asking deletes nothing");

    // rmcp's high-level call answers through the handler and retries with the state.
    let done = client.call_tool(delete_label()).await.expect("tools/call");
    assert!(!is_error(&done), "{}", text(&done));
    assert_eq!(
        json(&done),
        json!({"success": true, "message": format!("Deleted rule label {TEMPORARY_LABEL} (label_id)")})
    );
    assert_eq!(deletes(&sim), 1);
}

#[tokio::test]
async fn a_2026_client_that_declines_deletes_nothing() {
    let sim = start_sim().await;
    let client = connect_modern(server_for(&sim), ElicitationAction::Decline, "cancel").await;
    let refused = text(&client.call_tool(delete_label()).await.expect("tools/call"));
    assert!(
        refused.starts_with("Declined by user. DELETE Rule Label — \"Temporary\""),
        "{refused}"
    );
    let cancelled = answer(
        &client,
        &ask(&client).await.1,
        json!({"action": "accept", "content": {"choice": "cancel"}}),
    )
    .await;
    assert!(
        text(&cancelled).starts_with("Cancelled by user."),
        "{}",
        text(&cancelled)
    );
    assert_eq!(deletes(&sim), 0);
}

#[tokio::test]
async fn a_tampered_or_foreign_request_state_deletes_nothing() {
    let sim = start_sim().await;
    let client = connect_modern(server_for(&sim), ElicitationAction::Accept, "delete").await;
    let (_, state) = ask(&client).await;
    // Flip one character inside the sealed body (`rs2.kid.body.tag`).
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
    let refused = text(&answer(&client, &tampered, approve()).await);
    assert!(
        refused.starts_with("Confirmation rejected: the confirmation state is invalid"),
        "{refused}"
    );
    assert!(refused.contains("Nothing was deleted"), "{refused}");

    // A state sealed for another label does not approve this one.
    let other = CallToolRequestParams::new("zia_delete_rule_label")
        .with_arguments(args(json!({"label_id": 3_318_280})))
        .with_request_state(state)
        .with_input_responses(BTreeMap::from([("confirm".to_owned(), approve())]));
    let refused = client.call_tool_once(other).await.expect("tools/call");
    let CallToolResponse::Complete(refused) = refused else {
        panic!("expected a final result, got {refused:?}");
    };
    assert!(
        text(&refused).starts_with("Confirmation rejected"),
        "{}",
        text(&refused)
    );
    assert_eq!(deletes(&sim), 0);
}

#[tokio::test]
async fn an_approved_request_state_deletes_once() {
    let sim = start_sim().await;
    let client = connect_modern(server_for(&sim), ElicitationAction::Accept, "delete").await;
    let (_, state) = ask(&client).await;
    let done = answer(&client, &state, approve()).await;
    assert!(!is_error(&done), "{}", text(&done));
    assert_eq!(deletes(&sim), 1);
    let replay = text(&answer(&client, &state, approve()).await);
    assert!(
        replay.starts_with("Confirmation rejected: this confirmation has already been used"),
        "{replay}"
    );
    assert_eq!(deletes(&sim), 1, "the replay deleted nothing");
}

const KEY_OLD: &str = "request-state-key-old-0123456789abcdef0123456789";
const KEY_NEW: &str = "request-state-key-new-0123456789abcdef0123456789";

fn server_with_keys(sim: &zscaler_sim::SimHandle, keys: &str) -> McpServer {
    McpServer::new(ServerConfig {
        confirmation_keys: ConfirmationKey::parse_list(keys).expect("keys"),
        confirmation_store: None,
        ..config_for(sim)
    })
}

/// Asks `issuer` for a token, then presents it to `verifier`.
async fn token_across(issuer: McpServer, verifier: McpServer) -> CallToolResult {
    let issuing = connect(issuer, plain_client()).await;
    let token = token_in(&text(
        &call(
            &issuing,
            "zia_delete_rule_label",
            json!({"label_id": TEMPORARY_LABEL}),
        )
        .await,
    ));
    let verifying = connect(verifier, plain_client()).await;
    call(
        &verifying,
        "zia_delete_rule_label",
        json!({"label_id": TEMPORARY_LABEL, "kwargs": {"confirmation_token": token}}),
    )
    .await
}

#[tokio::test]
async fn replicas_sharing_the_key_ring_accept_each_others_tokens() {
    let sim = start_sim().await;
    let stranger = token_across(
        server_with_keys(&sim, KEY_OLD),
        server_with_keys(&sim, KEY_NEW),
    )
    .await;
    assert!(
        text(&stranger).starts_with("Confirmation rejected: Confirmation token does not match"),
        "{}",
        text(&stranger)
    );
    assert_eq!(deletes(&sim), 0);

    let shared = token_across(
        server_with_keys(&sim, KEY_OLD),
        server_with_keys(&sim, KEY_OLD),
    )
    .await;
    assert!(!is_error(&shared), "{}", text(&shared));
    assert_eq!(json(&shared)["success"], true, "{}", text(&shared));
    assert_eq!(deletes(&sim), 1);
}

#[tokio::test]
async fn a_token_signed_with_the_old_key_survives_prepending_a_new_one() {
    let sim = start_sim().await;
    let rotated = format!("[\"{KEY_NEW}\", \"{KEY_OLD}\"]");
    let done = token_across(
        server_with_keys(&sim, KEY_OLD),
        server_with_keys(&sim, &rotated),
    )
    .await;
    assert_eq!(json(&done)["success"], true, "{}", text(&done));
    assert_eq!(deletes(&sim), 1);
}

fn replica(sim: &zscaler_sim::SimHandle, store: &zmcp_store::Store) -> McpServer {
    McpServer::new(ServerConfig {
        confirmation_keys: ConfirmationKey::parse_list(KEY_OLD).expect("keys"),
        confirmation_store: Some(store.clone()),
        ..config_for(sim)
    })
}

#[tokio::test]
async fn replicas_sharing_a_store_spend_an_approval_once() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = zmcp_store::Store::open("sqlite:confirmations.sqlite3", dir.path())
        .await
        .expect("sqlite store");
    let issuing = connect(replica(&sim, &store), plain_client()).await;
    let args = json!({"label_id": TEMPORARY_LABEL});
    let token = token_in(&text(
        &call(&issuing, "zia_delete_rule_label", args.clone()).await,
    ));
    let with_token = json!({"label_id": TEMPORARY_LABEL, "kwargs": {"confirmation_token": token}});

    let first = connect(replica(&sim, &store), plain_client()).await;
    let done = call(&first, "zia_delete_rule_label", with_token.clone()).await;
    assert_eq!(json(&done)["success"], true, "{}", text(&done));
    assert_eq!(deletes(&sim), 1);

    // The same approval presented to a third replica: already spent in the shared store.
    let second = connect(replica(&sim, &store), plain_client()).await;
    let replay = text(&call(&second, "zia_delete_rule_label", with_token).await);
    assert!(replay.contains("already been used"), "{replay}");
    assert_eq!(
        deletes(&sim),
        1,
        "the replay on another replica deleted nothing"
    );
}
