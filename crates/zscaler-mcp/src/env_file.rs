//! `.env` loading (inventory section 2.3, steps 1, 2 and 7) and the plaintext-credential check.
//!
//! Runs before the command line is parsed, so values from the file become flag defaults, and
//! before any thread exists, because loading sets process environment variables. Logging is
//! not configured yet at that point, so what there is to say is returned as [`Notice`]s and
//! logged once telemetry is up.

use std::path::{Path, PathBuf};

use crate::banner;

/// Variables that should not sit in a plaintext file.
const CREDENTIAL_VARS: [&str; 3] = [
    "ZSCALER_CLIENT_SECRET",
    "ZSCALER_MCP_AUTH_API_KEY",
    "ZSCALER_PRIVATE_KEY",
];

/// Something to log once logging is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An INFO line.
    Info(String),
    /// A WARN line (or banner).
    Warn(String),
}

/// Loads the first of: the explicit path (`ZSCALER_MCP_DOTENV_PATH`), `<cwd>/.env`; both
/// with override, as the Python server does. The Python server also tries `.env` in its
/// project root; an installed binary has no project root, so that step does not exist here.
pub fn load_initial() -> Vec<Notice> {
    let explicit = std::env::var_os("ZSCALER_MCP_DOTENV_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    load_first(explicit.as_deref())
}

/// Re-loads with `--dotenv-path` from the command line (step 7), with override.
pub fn load_explicit(path: &Path) -> Vec<Notice> {
    load_first(Some(path))
}

fn load_first(explicit: Option<&Path>) -> Vec<Notice> {
    let mut notices = Vec::new();
    if let Some(path) = explicit {
        if path.is_file() {
            load(path, &mut notices);
            return notices;
        }
        notices.push(Notice::Warn(format!(
            "dotenv path {} does not exist — falling back to defaults",
            path.display()
        )));
    }
    let cwd_env = PathBuf::from(".env");
    if cwd_env.is_file() {
        load(&cwd_env, &mut notices);
    }
    notices
}

fn load(path: &Path, notices: &mut Vec<Notice>) {
    match dotenvy::from_path_override(path) {
        Ok(()) => notices.push(Notice::Info(format!(
            "Loaded environment from {}",
            path.display()
        ))),
        Err(err) => notices.push(Notice::Warn(format!(
            "could not fully load {}: {err}",
            path.display()
        ))),
    }
    if let Some(warning) = plaintext_credentials_warning(path) {
        notices.push(Notice::Warn(warning));
    }
}

/// The "Credentials detected in plaintext .env file" banner, when the file assigns one of
/// [`CREDENTIAL_VARS`] on an uncommented line.
fn plaintext_credentials_warning(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let found = credential_assignments(&text);
    if found.is_empty() {
        return None;
    }
    let mut lines = vec![
        format!("File: {}", path.display()),
        format!("Contains: {}", found.join(", ")),
    ];
    lines.extend(permission_lines(path));
    lines.push(
        "Prefer injecting credentials from a secret manager or the service environment.".to_owned(),
    );
    Some(banner::security_warning(
        "Credentials detected in plaintext .env file",
        &lines,
    ))
}

/// The credential variables assigned a value on uncommented lines of a `.env` text.
fn credential_assignments(text: &str) -> Vec<&'static str> {
    CREDENTIAL_VARS
        .into_iter()
        .filter(|var| {
            text.lines().any(|line| {
                let line = line.trim();
                let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
                line.split_once('=').is_some_and(|(key, value)| {
                    key.trim() == *var && !value.trim().trim_matches(['"', '\'']).is_empty()
                })
            })
        })
        .collect()
}

#[cfg(unix)]
fn permission_lines(path: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Vec::new();
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        vec![format!("Permissions: {mode:04o} (owner only)")]
    } else {
        vec![
            format!("Permissions: {mode:04o}: readable by group/others."),
            format!("Restrict it: chmod 600 {}", path.display()),
        ]
    }
}

#[cfg(not(unix))]
fn permission_lines(_path: &Path) -> Vec<String> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_uncommented_assignments_only() {
        let text = "\
# ZSCALER_CLIENT_SECRET=commented
ZSCALER_CLIENT_ID=abc
export ZSCALER_MCP_AUTH_API_KEY = \"k\"
ZSCALER_PRIVATE_KEY=
";
        assert_eq!(credential_assignments(text), ["ZSCALER_MCP_AUTH_API_KEY"]);
    }

    #[cfg(unix)]
    #[test]
    fn warns_about_group_readable_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "ZSCALER_CLIENT_SECRET=s3cr3t\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warning = plaintext_credentials_warning(&path).unwrap();
        assert!(warning.contains("SECURITY WARNING: Credentials detected in plaintext .env file"));
        assert!(warning.contains("ZSCALER_CLIENT_SECRET"));
        assert!(warning.contains("readable by group/others"));
        assert!(!warning.contains("s3cr3t"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let warning = plaintext_credentials_warning(&path).unwrap();
        assert!(warning.contains("owner only"));
    }
}
