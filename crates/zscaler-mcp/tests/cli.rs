//! The command line of the real binary: version, inventory, .env handling, token snippets,
//! the write-gate warnings and start-up refusals.

// `parse_inventory` is a test helper: a failed expectation there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{run, stderr, stdout, zscaler_mcp};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn version_long_and_short() {
    let dir = tmp();
    for flag in ["--version", "-v"] {
        let out = run(zscaler_mcp(dir.path()).arg(flag));
        assert!(out.status.success());
        assert_eq!(
            stdout(&out),
            format!("Zscaler MCP Server version {VERSION}\n")
        );
    }
}

/// Parses `--list-tools` output, checking every line's shape; returns (header count,
/// services with their counts, tool lines).
fn parse_inventory(text: &str) -> (usize, Vec<(String, usize)>, Vec<String>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let prefix = format!("Zscaler MCP Server v{VERSION} — ");
    let rest = header
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("header: {header}"));
    let (n, rest) = rest.split_once(" tool(s) across ").unwrap();
    let (s, tail) = rest.split_once(' ').unwrap();
    assert_eq!(tail, "service(s)");
    let mut services = Vec::new();
    let mut tools = Vec::new();
    let mut expect_header = false;
    for line in lines {
        if line.is_empty() {
            expect_header = true;
            continue;
        }
        if expect_header {
            let (svc, count) = line.strip_suffix("):").unwrap().split_once(" (").unwrap();
            services.push((svc.to_owned(), count.parse().unwrap()));
            expect_header = false;
        } else {
            let body = line
                .strip_prefix("  ")
                .unwrap_or_else(|| panic!("tool line: {line}"));
            let (name_part, summary) = body.split_once(" — ").unwrap();
            assert!(!summary.is_empty(), "{line}");
            if let Some((_, action)) = name_part.split_once(' ') {
                assert!(
                    ["[create]", "[update]", "[delete]"].contains(&action),
                    "only writes carry a bracket: {line}"
                );
            }
            tools.push(line.to_owned());
        }
    }
    let n: usize = n.parse().unwrap();
    assert_eq!(services.len(), s.parse::<usize>().unwrap());
    assert_eq!(services.iter().map(|(_, c)| c).sum::<usize>(), n);
    assert_eq!(tools.len(), n);
    (n, services, tools)
}

#[test]
fn list_tools_prints_the_inventory_with_write_tools() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path()).args(["--list-tools", "--demo"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let (n, services, tools) = parse_inventory(&stdout(&out));
    assert!(n >= 40, "{n} tools");
    assert!(services.len() > 1);
    assert!(
        tools.iter().any(|t| t.contains(" [delete] — ")),
        "writes listed"
    );
}

#[test]
fn list_tools_honours_services_and_disabled_services() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path()).args([
        "--list-tools",
        "-s",
        "zia,zpa",
        "--disabled-services",
        "zpa",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, services, tools) = parse_inventory(&stdout(&out));
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].0, "zia");
    assert!(tools.iter().all(|t| t.contains("zia")));
}

#[test]
fn unknown_service_is_a_usage_error_listing_valid_ones() {
    let dir = tmp();
    for args in [
        vec!["--list-tools", "--services", "zia,bogus"],
        vec!["--demo", "--services", "bogus"],
    ] {
        let out = run(zscaler_mcp(dir.path()).args(&args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("bogus"), "{err}");
        for valid in ["zia", "zpa", "zdx", "zcell"] {
            assert!(err.contains(valid), "{err}");
        }
    }
}

#[test]
fn dotenv_in_cwd_sets_flag_defaults_and_flags_win() {
    let dir = tmp();
    std::fs::write(dir.path().join(".env"), "ZSCALER_MCP_SERVICES=zpa\n").unwrap();
    let out = run(zscaler_mcp(dir.path()).arg("--list-tools"));
    let (_, services, _) = parse_inventory(&stdout(&out));
    assert_eq!(
        services.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["zpa"]
    );
    let out = run(zscaler_mcp(dir.path()).args(["--list-tools", "-s", "zia"]));
    let (_, services, _) = parse_inventory(&stdout(&out));
    assert_eq!(services[0].0, "zia");
}

#[test]
fn explicit_dotenv_path_from_env_wins_over_cwd() {
    let dir = tmp();
    std::fs::write(dir.path().join(".env"), "ZSCALER_MCP_SERVICES=zpa\n").unwrap();
    let other = dir.path().join("custom.env");
    std::fs::write(&other, "ZSCALER_MCP_SERVICES=zia\n").unwrap();
    let out = run(zscaler_mcp(dir.path())
        .env("ZSCALER_MCP_DOTENV_PATH", &other)
        .arg("--list-tools"));
    let (_, services, _) = parse_inventory(&stdout(&out));
    assert_eq!(services[0].0, "zia");
}

#[test]
fn dotenv_path_on_the_command_line_is_loaded_and_credentials_are_flagged() {
    let dir = tmp();
    let file = dir.path().join("creds.env");
    std::fs::write(
        &file,
        "ZSCALER_CLIENT_ID=id\nZSCALER_CLIENT_SECRET=s3cr3t-value\n",
    )
    .unwrap();
    let out = run(zscaler_mcp(dir.path())
        .arg("--dotenv-path")
        .arg(&file)
        .args(["--generate-auth-token", "bearer"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Header: Authorization: Bearer s3cr3t-value"));
    let err = stderr(&out);
    assert!(
        err.contains("Credentials detected in plaintext .env file"),
        "{err}"
    );
    assert!(err.contains("ZSCALER_CLIENT_SECRET"), "{err}");
    assert!(
        !err.contains("s3cr3t-value"),
        "the log never shows the secret"
    );
}

#[test]
fn generate_auth_token_basic_and_missing_credentials() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path())
        .env("ZSCALER_CLIENT_ID", "id")
        .env("ZSCALER_CLIENT_SECRET", "secret")
        .arg("--generate-auth-token"));
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("  Mode:   zscaler (Basic Auth)\n"), "{text}");
    assert!(text.contains("Authorization: Basic aWQ6c2VjcmV0"), "{text}");
    assert!(text.contains("\"X-Zscaler-Client-ID\": \"id\""), "{text}");
    assert!(text.contains("mcp-remote"), "{text}");

    let out = run(zscaler_mcp(dir.path()).arg("--generate-auth-token"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("Error: ZSCALER_CLIENT_ID and ZSCALER_CLIENT_SECRET must be set.")
    );
}

#[test]
fn write_gate_half_configured_logs_a_warning() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path()).args(["--demo", "--enable-write-tools"]));
    assert!(
        stderr(&out).contains("Write tools are enabled but no allowlist was given"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("write_tools=disabled"));
    let out = run(zscaler_mcp(dir.path())
        .env("ZSCALER_MCP_WRITE_TOOLS", "zia_*,zpa_*")
        .arg("--demo"));
    assert!(
        stderr(&out).contains(
            "A write-tool allowlist was given (2 pattern(s)) but write tools are disabled"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn write_gate_truthy_set_is_true_1_yes() {
    let dir = tmp();
    for (value, enabled) in [("yes", true), ("1", true), ("on", false)] {
        let out = run(zscaler_mcp(dir.path())
            .env("ZSCALER_MCP_WRITE_ENABLED", value)
            .env("ZSCALER_MCP_WRITE_TOOLS", "*")
            .arg("--demo"));
        let err = stderr(&out);
        assert_eq!(
            !err.contains("write_tools=disabled"),
            enabled,
            "{value}: {err}"
        );
    }
}

#[test]
fn plaintext_on_a_public_bind_is_refused() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path()).args([
        "--demo",
        "--transport",
        "streamable-http",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
    ]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("Refusing to bind a non-localhost address over plaintext HTTP"),
        "{err}"
    );
    assert!(err.contains(
        "ERROR: plaintext HTTP on a non-localhost bind requires TLS certs or ZSCALER_MCP_ALLOW_HTTP=true"
    ));
}

#[test]
fn wildcard_bind_needs_host_validation_settings() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path())
        .env("ZSCALER_MCP_ALLOW_HTTP", "true")
        .args([
            "--demo",
            "--transport",
            "sse",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
        ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("ERROR: Cannot bind to 0.0.0.0 without host validation configuration.")
    );
}

#[test]
fn unconfigured_or_unimplemented_auth_modes_fail_closed() {
    let dir = tmp();
    // Nothing configured, not a demo: the Python default (jwt) lacks its JWKS URI.
    let out = run(zscaler_mcp(dir.path()).args(["--transport", "streamable-http", "--port", "0"]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("Authentication is enabled (default) but configuration is invalid"),
        "{err}"
    );
    assert!(err.contains("Mode: jwt"), "{err}");
    assert!(err.contains("ZSCALER_MCP_AUTH_JWKS_URI"), "{err}");
    assert!(err.contains("ZSCALER_MCP_AUTH_ENABLED=false"), "{err}");
    let out = run(zscaler_mcp(dir.path())
        .env("ZSCALER_MCP_AUTH_MODE", "oidcproxy")
        .args(["--demo", "--transport", "streamable-http", "--port", "0"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Mode: oidcproxy"));
}

#[test]
fn missing_credentials_warn_but_do_not_stop_start_up() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path()).env("ZSCALER_CLIENT_ID", "id"));
    let err = stderr(&out);
    assert!(err.contains("ZSCALER_VANITY_DOMAIN"), "{err}");
    assert!(err.contains("[SECURITY] transport=stdio"), "{err}");
}

#[test]
fn help_never_shows_secrets() {
    let dir = tmp();
    let out = run(zscaler_mcp(dir.path())
        .env("ZSCALER_CLIENT_SECRET", "help-secret-1")
        .env("ZSCALER_MCP_AUTH_API_KEY", "help-secret-2")
        .arg("--help"));
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("ZSCALER_MCP_WRITE_ENABLED"));
    assert!(!text.contains("help-secret"));
}
