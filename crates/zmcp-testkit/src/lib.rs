//! zmcp-testkit (placeholder)
