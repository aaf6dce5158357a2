//! `--generate-auth-token [basic|bearer]`: MCP client configuration snippets carrying the
//! OneAPI credentials, in the Python server's layout. Printing the credential to stdout is
//! the point of the command; it is never logged.

use base64::Engine;

use crate::args::TokenFormat;

const URL: &str = "http://localhost:8000/mcp";

/// Prints the snippets for `ZSCALER_CLIENT_ID`/`ZSCALER_CLIENT_SECRET`; exit code 1 when
/// either is missing.
pub fn run(format: TokenFormat) -> u8 {
    let get = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (get("ZSCALER_CLIENT_ID"), get("ZSCALER_CLIENT_SECRET")) {
        (Some(id), Some(secret)) => {
            print!("{}", render(format, &id, &secret));
            0
        }
        _ => {
            println!("Error: ZSCALER_CLIENT_ID and ZSCALER_CLIENT_SECRET must be set.");
            println!("Set them in your .env file or as environment variables.");
            1
        }
    }
}

/// The snippets: a header-capable client (Cursor), for `basic` also the raw credential
/// headers, and Claude Desktop through `mcp-remote`.
pub fn render(format: TokenFormat, client_id: &str, client_secret: &str) -> String {
    let (mode, header) = match format {
        TokenFormat::Basic => {
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{client_id}:{client_secret}"));
            ("zscaler (Basic Auth)", format!("Basic {token}"))
        }
        TokenFormat::Bearer => ("api-key (Bearer)", format!("Bearer {client_secret}")),
    };
    let bar = "=".repeat(70);
    let mut out = format!(
        "\n{bar}\n  Zscaler MCP Server — Auth Token Generator\n{bar}\n\n  Mode:   {mode}\n  \
         Header: Authorization: {header}\n\n--- Cursor / MCP clients with header support ---\n\n"
    );
    out.push_str(&url_snippet(&[("Authorization", &header)]));
    if format == TokenFormat::Basic {
        out.push_str("--- Alternative: raw credential headers (no Base64 needed) ---\n\n");
        out.push_str(&url_snippet(&[
            ("X-Zscaler-Client-ID", client_id),
            ("X-Zscaler-Client-Secret", client_secret),
        ]));
    }
    out.push_str(&format!(
        "--- Claude Desktop (mcp-remote bridge) ---\n\n  {{\n    \"mcpServers\": {{\n      \
         \"zscaler-mcp-server\": {{\n        \"command\": \"npx\",\n        \"args\": [\n          \
         \"-y\",\n          \"mcp-remote\",\n          \"{URL}\",\n          \"--header\",\n          \
         \"Authorization: {header}\"\n        ]\n      }}\n    }}\n  }}\n\n{bar}\n"
    ));
    out
}

fn url_snippet(headers: &[(&str, &str)]) -> String {
    let headers = headers
        .iter()
        .map(|(k, v)| format!("          \"{k}\": \"{v}\""))
        .collect::<Vec<_>>()
        .join(",\n");
    format!(
        "  {{\n    \"mcpServers\": {{\n      \"zscaler-mcp-server\": {{\n        \"url\": \"{URL}\",\n        \
         \"headers\": {{\n{headers}\n        }}\n      }}\n    }}\n  }}\n\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_encodes_id_and_secret() {
        let out = render(TokenFormat::Basic, "id", "secret");
        // base64("id:secret") = aWQ6c2VjcmV0
        assert!(out.contains("  Header: Authorization: Basic aWQ6c2VjcmV0\n"));
        assert!(out.contains("\"X-Zscaler-Client-Secret\": \"secret\""));
        assert!(out.contains("\"Authorization: Basic aWQ6c2VjcmV0\""));
    }

    #[test]
    fn bearer_uses_the_secret_and_has_no_raw_headers() {
        let out = render(TokenFormat::Bearer, "id", "secret");
        assert!(out.contains("  Mode:   api-key (Bearer)\n"));
        assert!(out.contains("\"Authorization\": \"Bearer secret\""));
        assert!(!out.contains("X-Zscaler-Client-ID"));
    }
}
