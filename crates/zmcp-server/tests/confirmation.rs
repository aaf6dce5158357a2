//! The delete confirmation gate: token flow and native elicitation, against the simulator.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::*;
use rmcp::model::{
    ClientCapabilities, ClientConfig as McpClientConfig, ElicitRequestParams, ElicitResult,
    ElicitationAction, Implementation,
};
use rmcp::service::RequestContext;
use rmcp::{ClientHandler, ErrorData, RoleClient};
use serde_json::json;
use zmcp_server::{McpServer, ServerConfig};

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

async fn new_segment_group(client: &rmcp::service::RunningService<RoleClient, Human>) -> String {
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
