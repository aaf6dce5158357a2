//! zmcp-store (placeholder)
