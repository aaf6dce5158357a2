//! The advertised tool list, built once from the selected catalog entries.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{Tool, ToolAnnotations};
use zmcp_catalog::ToolSpec;

/// Name of the argument that carries the delete confirmation token (Python parity; the
/// catalog adds it to every delete schema).
pub const KWARGS: &str = "kwargs";
/// Name of the JMESPath argument of list tools.
pub const QUERY: &str = "query";

/// The selected tools, as rmcp `Tool`s and as catalog entries, indexed by name.
pub struct ToolTable {
    advertised: Vec<Tool>,
    by_name: HashMap<&'static str, (usize, &'static ToolSpec)>,
}

impl ToolTable {
    /// Builds the table; names borrow from the `'static` catalog so clones are cheap.
    pub fn new(specs: &[&'static ToolSpec]) -> Self {
        let mut advertised = Vec::with_capacity(specs.len());
        let mut by_name = HashMap::with_capacity(specs.len());
        for spec in specs {
            if by_name.contains_key(spec.name.as_str()) {
                continue;
            }
            by_name.insert(spec.name.as_str(), (advertised.len(), *spec));
            advertised.push(to_rmcp_tool(spec));
        }
        Self {
            advertised,
            by_name,
        }
    }

    /// Every advertised tool, in selection order.
    pub fn advertised(&self) -> &[Tool] {
        &self.advertised
    }

    /// The catalog entry of a selected tool.
    pub fn spec(&self, name: &str) -> Option<&'static ToolSpec> {
        self.by_name.get(name).map(|(_, spec)| *spec)
    }

    /// The advertised form of a selected tool.
    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.by_name
            .get(name)
            .and_then(|(index, _)| self.advertised.get(*index))
    }

    /// How many tools are advertised.
    pub fn len(&self) -> usize {
        self.advertised.len()
    }
}

fn to_rmcp_tool(spec: &'static ToolSpec) -> Tool {
    let schema = spec.input_schema();
    let hints = spec.hints();
    let mut annotations = ToolAnnotations::new()
        .read_only(hints.read_only)
        .open_world(hints.open_world);
    // Clients ignore the destructive and idempotent hints of a read-only tool; leaving them
    // out of ~250 read tools keeps tools/list (paid in every conversation's context) smaller.
    if !hints.read_only {
        annotations = annotations
            .destructive(hints.destructive)
            .idempotent(hints.idempotent);
    }
    let mut tool = Tool::new(
        Cow::Borrowed(spec.name.as_str()),
        Cow::Borrowed(spec.description.as_str()),
        Arc::new(schema),
    )
    .with_annotations(annotations);
    if let Some(title) = &spec.title {
        tool = tool.with_title(title.clone());
    }
    tool
}
