//! `--list-tools`: the inventory, in the Python server's format.

use zmcp_catalog::{Service, ToolSpec};

use crate::VERSION;

/// `Zscaler MCP Server v{ver} — {N} tool(s) across {S} service(s)`, then per service a blank
/// line, `{svc} ({n}):` and one `  {name}[ [action]] — {summary}` line per tool, where the
/// bracketed action appears for write tools only.
pub fn render(tools: &[&ToolSpec]) -> String {
    let groups: Vec<(Service, Vec<&ToolSpec>)> = Service::ALL
        .into_iter()
        .map(|service| {
            let mut in_service: Vec<&ToolSpec> = tools
                .iter()
                .copied()
                .filter(|t| t.service == service)
                .collect();
            in_service.sort_by(|a, b| a.name.cmp(&b.name));
            (service, in_service)
        })
        .filter(|(_, in_service)| !in_service.is_empty())
        .collect();
    let mut out = format!(
        "Zscaler MCP Server v{VERSION} — {} tool(s) across {} service(s)\n",
        tools.len(),
        groups.len()
    );
    for (service, in_service) in groups {
        out.push_str(&format!("\n{} ({}):\n", service.code(), in_service.len()));
        for tool in in_service {
            let action = if tool.action.is_write() {
                format!(" [{}]", action_name(tool))
            } else {
                String::new()
            };
            out.push_str(&format!("  {}{action} — {}\n", tool.name, tool.summary()));
        }
    }
    out
}

fn action_name(tool: &ToolSpec) -> &'static str {
    match tool.action {
        zmcp_catalog::Action::Read => "read",
        zmcp_catalog::Action::Create => "create",
        zmcp_catalog::Action::Update => "update",
        zmcp_catalog::Action::Delete => "delete",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, service: Service, action: &str) -> ToolSpec {
        let mut spec: ToolSpec = serde_json::from_value(serde_json::json!({
            "name": name,
            "toolset": "t",
            "action": action,
            "description": format!("Does {name}.\nMore text."),
        }))
        .unwrap();
        spec.service = service;
        spec
    }

    #[test]
    fn format_groups_by_service_and_marks_writes() {
        let a = tool("zpa_list_x", Service::Zpa, "read");
        let b = tool("zpa_delete_x", Service::Zpa, "delete");
        let c = tool("zcc_list_devices", Service::Zcc, "read");
        let text = render(&[&a, &b, &c]);
        assert_eq!(
            text,
            format!(
                "Zscaler MCP Server v{VERSION} — 3 tool(s) across 2 service(s)\n\
                 \nzcc (1):\n  zcc_list_devices — Does zcc_list_devices.\n\
                 \nzpa (2):\n  zpa_delete_x [delete] — Does zpa_delete_x.\n  zpa_list_x — Does zpa_list_x.\n"
            )
        );
    }
}
