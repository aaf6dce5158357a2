//! zmcp-auth (placeholder)
