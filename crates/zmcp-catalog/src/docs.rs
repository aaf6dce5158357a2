//! `docs/tools.md`, rendered from the catalog so the documentation cannot drift from it.

use std::fmt::Write;

use crate::{Action, Catalog, Service};

/// The Markdown tool reference: one table per service (name, action, toolset, summary).
pub fn tools_markdown(catalog: &Catalog) -> String {
    let mut out = String::from(
        "# Tools\n\n<!-- Generated from crates/zmcp-catalog/catalog/*.toml by \
         `UPDATE_DOCS=1 cargo test -p zmcp-catalog`. Do not edit. -->\n\n\
         Write tools (create, update, delete) are off unless `--enable-write-tools` is set and \
         the name matches a `--write-tools` pattern. List tools take a JMESPath `query`.\n",
    );
    for service in Service::ALL {
        let tools: Vec<_> = catalog
            .tools()
            .iter()
            .filter(|t| t.service == service)
            .collect();
        if tools.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\n## {} ({} tools)\n\n| Tool | Action | Toolset | Summary |\n|---|---|---|---|\n",
            service.code(),
            tools.len()
        );
        for tool in tools {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                tool.name,
                action_word(tool.action),
                tool.toolset,
                tool.summary().replace('|', "\\|")
            );
        }
    }
    out
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Read => "read",
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}
