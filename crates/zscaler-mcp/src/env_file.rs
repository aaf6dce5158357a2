//! `.env` loading (inventory section 2.3, steps 1, 2 and 7) and the plaintext-credential check.
//!
//! Runs before the command line is parsed, so values from the file become flag defaults, and
//! before any thread exists, because loading sets process environment variables. Logging is
//! not configured yet at that point, so what there is to say is returned as [`Notice`]s and
//! logged once telemetry is up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::banner;

/// Variables that should not sit in a plaintext file: the Python server's three, plus the
/// other secrets this server reads.
const CREDENTIAL_VARS: [&str; 9] = [
    "ZSCALER_CLIENT_SECRET",
    "ZSCALER_MCP_AUTH_API_KEY",
    "ZSCALER_PRIVATE_KEY",
    "OIDCPROXY_CLIENT_SECRET",
    "OIDCPROXY_AUTH_CLIENT_SECRET",
    "OIDCPROXY_STATE_KEY",
    "ZSCALER_MCP_REQUEST_STATE_KEYS",
    "ZSCALER_MCP_TLS_KEYFILE_PASSWORD",
    "ZSCALER_SANDBOX_TOKEN",
];

/// Something to log once logging is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An INFO line.
    Info(String),
    /// A WARN line (or banner).
    Warn(String),
}

/// What a loading step did: what to log, and which file it loaded (recorded in the PID file
/// so `reload` re-reads the same one).
#[derive(Debug, Default)]
pub struct EnvLoad {
    /// Lines to log.
    pub notices: Vec<Notice>,
    /// The file loaded, absolute when it could be resolved.
    pub path: Option<PathBuf>,
}

/// Loads the first of: the explicit path (`ZSCALER_MCP_DOTENV_PATH`), `<cwd>/.env`; both
/// with override, as the Python server does. The Python server also tries `.env` in its
/// project root; an installed binary has no project root, so that step does not exist here.
pub fn load_initial() -> EnvLoad {
    let explicit = std::env::var_os("ZSCALER_MCP_DOTENV_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    load_first(explicit.as_deref())
}

/// Re-loads with `--dotenv-path` from the command line (step 7), with override.
pub fn load_explicit(path: &Path) -> EnvLoad {
    load_first(Some(path))
}

/// `.env` in the working directory: what a restarted server discovers by itself.
pub fn default_candidate() -> PathBuf {
    PathBuf::from(".env")
}

fn load_first(explicit: Option<&Path>) -> EnvLoad {
    let mut loaded = EnvLoad::default();
    if let Some(path) = explicit {
        if path.is_file() {
            load(path, &mut loaded);
            return loaded;
        }
        loaded.notices.push(Notice::Warn(format!(
            "dotenv path {} does not exist — falling back to defaults",
            path.display()
        )));
    }
    let cwd_env = default_candidate();
    if cwd_env.is_file() {
        load(&cwd_env, &mut loaded);
    }
    loaded
}

fn load(path: &Path, loaded: &mut EnvLoad) {
    match dotenvy::from_path_override(path) {
        Ok(()) => loaded.notices.push(Notice::Info(format!(
            "Loaded environment from {}",
            path.display()
        ))),
        Err(err) => loaded.notices.push(Notice::Warn(format!(
            "could not fully load {}: {err}",
            path.display()
        ))),
    }
    loaded
        .notices
        .extend(plaintext_credentials_warning(path).map(Notice::Warn));
    loaded.path = Some(std::path::absolute(path).unwrap_or_else(|_| path.to_owned()));
}

/// Reads a `.env` file into a map without touching the process environment (which must not
/// change once threads run), for `reload`.
///
/// # Errors
/// When the file cannot be read or a line does not parse; the message names the file, never
/// a value.
pub fn read_values(path: &Path) -> Result<HashMap<String, String>, String> {
    let entries = dotenvy::from_path_iter(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    entries
        .map(|entry| entry.map_err(|err| format!("cannot parse {}: {err}", path.display())))
        .collect()
}

/// The "Credentials detected in plaintext .env file" banner, when the file assigns one of
/// [`CREDENTIAL_VARS`] on an uncommented line: which variables, the file's mode bits and
/// owner, and what to do about it.
pub fn plaintext_credentials_warning(path: &Path) -> Option<String> {
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
        "Prefer injecting credentials from a secret manager or the service environment \
         (systemd LoadCredential=, Kubernetes/Docker secrets, a vault agent)."
            .to_owned(),
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

/// Mode bits and owner: a file others can read leaks the secrets; one others can write lets
/// them point the server at their own token endpoint and collect the secret.
#[cfg(unix)]
fn permission_lines(path: &Path) -> Vec<String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Ok(meta) = std::fs::metadata(path) else {
        return Vec::new();
    };
    let mode = meta.permissions().mode() & 0o777;
    let mut lines = Vec::new();
    if mode & 0o077 == 0 {
        lines.push(format!("Permissions: {mode:04o} (owner only)"));
    } else {
        let mut exposure = Vec::new();
        if mode & 0o044 != 0 {
            exposure.push("readable");
        }
        if mode & 0o022 != 0 {
            exposure.push("writable");
        }
        if mode & 0o011 != 0 && exposure.is_empty() {
            exposure.push("executable");
        }
        lines.push(format!(
            "Permissions: {mode:04o}: {} by group/others.",
            exposure.join(" and ")
        ));
        lines.push(format!("Restrict it: chmod 600 {}", path.display()));
    }
    let me = rustix::process::getuid().as_raw();
    if meta.uid() != me {
        lines.push(format!(
            "Owner: uid {} is not the user running the server (uid {me}); chown it to that user.",
            meta.uid()
        ));
    }
    lines
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
        assert!(!warning.contains("chmod"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o662)).unwrap();
        let warning = plaintext_credentials_warning(&path).unwrap();
        assert!(
            warning.contains("0662: readable and writable by group/others."),
            "{warning}"
        );
        assert!(warning.contains(&format!("chmod 600 {}", path.display())));
        assert!(warning.contains("secret manager"));
    }

    #[test]
    fn other_secrets_are_flagged_and_plain_settings_are_not() {
        let text =
            "OIDCPROXY_CLIENT_SECRET=x\nZSCALER_MCP_REQUEST_STATE_KEYS=k\nZSCALER_MCP_HOST=0\n";
        assert_eq!(
            credential_assignments(text),
            ["OIDCPROXY_CLIENT_SECRET", "ZSCALER_MCP_REQUEST_STATE_KEYS"]
        );
        assert!(credential_assignments("ZSCALER_CLIENT_ID=x\n").is_empty());
    }

    #[test]
    fn values_are_read_without_touching_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(
            &path,
            "# c\nZMCP_TEST_ONLY_A=1\nexport ZMCP_TEST_ONLY_B=\"two words\"\n",
        )
        .unwrap();
        let values = read_values(&path).unwrap();
        assert_eq!(values["ZMCP_TEST_ONLY_A"], "1");
        assert_eq!(values["ZMCP_TEST_ONLY_B"], "two words");
        assert!(std::env::var("ZMCP_TEST_ONLY_A").is_err());
        std::fs::write(&path, "BROKEN LINE WITHOUT EQUALS\n").unwrap();
        let err = read_values(&path).unwrap_err();
        assert!(err.contains(".env"), "{err}");
        assert!(read_values(&dir.path().join("gone")).is_err());
    }
}
