//! The Python server's boolean environment values: each variable has its own accepted set,
//! and a value outside it means "off" (never an error), so the sets are spelled out here.

use std::convert::Infallible;

/// `{true, 1, yes}` (case-insensitive): `ZSCALER_MCP_WRITE_ENABLED`, `_ALLOW_HTTP`,
/// `_DISABLE_HOST_VALIDATION`, `_DISABLE_ENTITLEMENT_FILTER`, and our `ZSCALER_MCP_DEMO`.
pub fn true_1_yes(value: &str) -> Result<bool, Infallible> {
    Ok(matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes"
    ))
}

/// Only `true` (case-insensitive): `ZSCALER_MCP_DEBUG`, `ZSCALER_MCP_LOG_TOOL_CALLS`.
pub fn true_only(value: &str) -> Result<bool, Infallible> {
    Ok(value.trim().eq_ignore_ascii_case("true"))
}

/// `{true, 1, yes, on}` (case-insensitive): `ZSCALER_MCP_DISABLE_OUTPUT_SANITIZATION`.
pub fn true_1_yes_on(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("on") || true_1_yes(value).unwrap_or(false)
}

/// Reads a `{true, 1, yes}` variable from the process environment (unset = off).
pub fn env_true_1_yes(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| true_1_yes(&v).unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_1_yes_set() {
        for v in ["true", "TRUE", "1", "yes", " Yes "] {
            assert_eq!(true_1_yes(v), Ok(true), "{v}");
        }
        for v in ["", "on", "y", "false", "0", "2"] {
            assert_eq!(true_1_yes(v), Ok(false), "{v}");
        }
    }

    #[test]
    fn true_1_yes_on_set() {
        for v in ["true", "1", "YES", " On "] {
            assert!(true_1_yes_on(v), "{v}");
        }
        for v in ["", "off", "y", "false", "0"] {
            assert!(!true_1_yes_on(v), "{v}");
        }
    }

    #[test]
    fn true_only_set() {
        assert_eq!(true_only("True"), Ok(true));
        for v in ["1", "yes", "on", ""] {
            assert_eq!(true_only(v), Ok(false), "{v}");
        }
    }
}
