//! The zscaler-mcp tool catalog: every tool as data, compiled in from `catalog/<service>.toml`.
//!
//! It owns what a tool *is* (name, action, parameters, request mapping), which tools a given
//! configuration exposes (services, toolsets, disabled patterns, the write gate), the JSON
//! Schemas and annotations advertised for them, the translation of arguments into a
//! [`RequestPlan`], and the guarded JMESPath `query` applied to results.
//! It performs no I/O and must not depend on rmcp or on any other zscaler-mcp crate.

mod args;
mod catalog;
mod check;
mod docs;
mod plan;
pub mod query;
mod schema;
mod select;
mod spec;
mod toolsets;

pub use args::ArgValidators;
pub use catalog::Catalog;
pub use docs::tools_markdown;
pub use plan::{
    GraphqlPlan, PlanError, RequestPlan, TenantScope, expand_path, path_segment, plan_graphql,
    plan_request,
};
pub use schema::{Hints, KWARGS_DESCRIPTION, QUERY_DESCRIPTION};
pub use select::{Selection, SelectionConfig};
pub use spec::*;
pub use toolsets::{KNOWN_TOOLSETS, is_known_toolset};

/// Errors of this crate.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogError {
    /// A catalog file does not parse or breaks an invariant (a build-time defect).
    #[error("invalid catalog: {0}")]
    Invalid(String),
    /// A selection names services or toolsets that do not exist.
    #[error("{0}")]
    Selection(String),
}
