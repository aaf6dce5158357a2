//! zmcp-server (placeholder)
