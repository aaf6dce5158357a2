//! The MCP prompts: listed only for services with tools, rendered with defaults, refused
//! without a required argument, and their arguments completed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use rmcp::model::GetPromptRequestParams;
use serde_json::json;
use zmcp_catalog::Service;

fn prompt_text(result: &rmcp::model::GetPromptResult) -> String {
    result
        .messages
        .iter()
        .filter_map(|m| m.content.as_text().map(|t| t.text.clone()))
        .collect()
}

#[tokio::test]
async fn prompts_render_with_defaults_and_refuse_missing_arguments() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;

    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "zdx_troubleshoot_user_experience",
            "zcell_investigate_sim",
            "zcell_audit_data_usage",
            "zcell_review_anomaly_policies"
        ]
    );
    let zdx = &prompts[0];
    assert_eq!(
        zdx.title.as_deref(),
        Some("ZDX: Troubleshoot User Experience")
    );
    let declared = zdx.arguments.as_ref().unwrap();
    assert_eq!(declared[0].name, "user_or_device");
    assert_eq!(
        (declared[0].required, declared[2].required),
        (Some(true), Some(false))
    );

    let rendered = client
        .get_prompt(
            GetPromptRequestParams::new("zdx_troubleshoot_user_experience")
                .with_arguments(args(json!({"user_or_device": "jane.doe@acme.com"}))),
        )
        .await
        .expect("prompts/get");
    let text = prompt_text(&rendered);
    assert!(text.contains("\"jane.doe@acme.com\""), "{text}");
    assert!(
        text.contains("last 24 hours"),
        "default since_hours: {text}"
    );
    assert!(
        text.contains("zdx_start_deeptrace")
            && !text.contains('{'.to_string().as_str().repeat(2).as_str())
    );

    let sim_prompt = client
        .get_prompt(
            GetPromptRequestParams::new("zcell_investigate_sim").with_arguments(args(
                json!({"iccid": "89445001021983000001", "since_days": 3}),
            )),
        )
        .await
        .expect("prompts/get");
    let text = prompt_text(&sim_prompt);
    assert!(
        text.contains("{\"iccid\": \"89445001021983000001\"}"),
        "{text}"
    );
    assert!(
        text.contains("days=3") && !text.contains("{since_days}"),
        "{text}"
    );

    let missing = client
        .get_prompt(GetPromptRequestParams::new("zcell_investigate_sim"))
        .await;
    assert!(format!("{missing:?}").contains("iccid"), "{missing:?}");
    let unknown = client.get_prompt(GetPromptRequestParams::new("nope")).await;
    assert!(unknown.is_err());
}

#[tokio::test]
async fn prompt_arguments_complete_from_their_known_values() {
    let sim = start_sim().await;
    let client = connect(server_for(&sim), plain_client()).await;
    let days = client
        .complete_prompt_simple("zcell_audit_data_usage", "since_days", "1")
        .await
        .expect("completion/complete");
    assert_eq!(days, ["1", "14"]);
    let types = client
        .complete_prompt_simple("zcell_review_anomaly_policies", "policy_type", "da")
        .await
        .expect("completion/complete");
    assert_eq!(types, ["DATA_USAGE"]);
    let free_text = client
        .complete_prompt_simple("zcell_investigate_sim", "iccid", "89")
        .await
        .expect("completion/complete");
    assert!(free_text.is_empty());
}

#[tokio::test]
async fn prompts_follow_the_services_that_have_tools() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.tools.retain(|t| t.service != Service::Zcell);
    let client = connect(zmcp_server::McpServer::new(config), plain_client()).await;
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["zdx_troubleshoot_user_experience"]);
    let hidden = client
        .get_prompt(
            GetPromptRequestParams::new("zcell_investigate_sim")
                .with_arguments(args(json!({"iccid": "1"}))),
        )
        .await;
    assert!(
        hidden.is_err(),
        "a prompt of an unserved service is unknown"
    );
}
