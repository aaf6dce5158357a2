//! The PID file by which the lifecycle subcommands find a running server (inventory section
//! 2.2): where it lives, what it records, the atomic write, and its removal at exit.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File name in `/var/run` and `/tmp`.
const SHARED_NAME: &str = "zscaler-mcp.pid";

/// What a running server records. The Python server's fields, with `executable` (this
/// binary) in place of `python_executable`; serialized with sorted keys and a two-space
/// indent, as Python's `json.dumps(..., indent=2, sort_keys=True)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PidRecord {
    /// The command line, program name first.
    pub argv: Vec<String>,
    /// The `.env` file loaded at start-up, re-read by `reload`.
    pub dotenv_path: Option<String>,
    /// The binary `restart` re-executes.
    pub executable: String,
    /// Bind host (HTTP transports).
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// Bound port (HTTP transports; the real one when `--port 0` was given).
    pub port: u16,
    /// Start time, seconds since the Unix epoch.
    pub started_at: f64,
    /// `stdio`, `streamable-http` or `sse`.
    pub transport: String,
    /// Server version.
    pub version: String,
}

/// Where the PID file lives, first match wins: `--pid-file` / `ZSCALER_MCP_PID_FILE`,
/// `/var/run/zscaler-mcp.pid` if that directory is writable, `/tmp/zscaler-mcp.pid` if that
/// one is, else `~/.zscaler-mcp/server.pid` (the directory is created).
pub fn location(explicit: Option<&Path>) -> PathBuf {
    if let Some(path) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return expand_home(path);
    }
    for dir in ["/var/run", "/tmp"] {
        if writable_dir(Path::new(dir)) {
            return Path::new(dir).join(SHARED_NAME);
        }
    }
    let dir = home().join(".zscaler-mcp");
    // A failure shows up when the file is written or read, with the path in the message.
    let _created = std::fs::create_dir_all(&dir);
    dir.join("server.pid")
}

fn home() -> PathBuf {
    std::env::home_dir().unwrap_or_else(|| PathBuf::from("."))
}

/// `~/x` → `$HOME/x`, as Python's `expanduser`.
fn expand_home(path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => home().join(rest),
        Err(_) => path.to_owned(),
    }
}

#[cfg(unix)]
fn writable_dir(dir: &Path) -> bool {
    dir.is_dir() && rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn writable_dir(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && !m.permissions().readonly())
}

/// Writes `record` to `path` through a temporary file and a rename, so a reader never sees a
/// half-written file.
///
/// # Errors
/// When the directory is missing or not writable.
pub fn write(path: &Path, record: &PidRecord) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let text = serde_json::to_string_pretty(record).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ignored = std::fs::remove_file(&tmp);
    })
}

/// Reads the PID file: `Ok(None)` when there is none.
///
/// # Errors
/// When it exists but cannot be read or parsed (worded for a WARN line).
pub fn read(path: &Path) -> Result<Option<PidRecord>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(format!("PID file {} is unreadable ({err})", path.display())),
    };
    serde_json::from_str(&text).map(Some).map_err(|err| {
        format!(
            "PID file {} is unparsable ({err}) — ignoring",
            path.display()
        )
    })
}

/// Removes the PID file at exit if it still names this process: another instance that
/// started later may have taken the same path over.
pub fn remove_if_ours(path: &Path, pid: u32) {
    if read(path).ok().flatten().is_some_and(|r| r.pid == pid) {
        match std::fs::remove_file(path) {
            Ok(()) => tracing::debug!("Removed PID file: {}", path.display()),
            Err(err) => tracing::debug!("Could not remove PID file {}: {err}", path.display()),
        }
    }
}

/// The written PID file; removed when dropped (serving ended, or just before a restart).
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
    pid: u32,
}

impl PidFile {
    /// Writes the record; a failure is a warning, as in the Python server: the server runs,
    /// only the lifecycle subcommands cannot find it.
    pub fn create(path: PathBuf, record: &PidRecord) -> Option<Self> {
        match write(&path, record) {
            Ok(()) => {
                tracing::info!("Wrote PID file: {} (pid={})", path.display(), record.pid);
                Some(Self {
                    path,
                    pid: record.pid,
                })
            }
            Err(err) => {
                tracing::warn!(
                    "Could not write PID file {}: {err} — lifecycle subcommands \
                     (reload/restart/status/stop) will not work for this instance.",
                    path.display()
                );
                None
            }
        }
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        remove_if_ours(&self.path, self.pid);
    }
}

/// Seconds since the Unix epoch, for `started_at`.
pub fn now_epoch_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `status`'s uptime: `1d 2h 3m`, `2h 3m 4s`, `3m 4s` or `4s`, as the Python server prints it.
pub fn format_uptime(seconds: f64) -> String {
    // Saturating float-to-int conversion; a negative or NaN uptime (clock moved) prints 0s.
    let total = seconds.max(0.0) as u64;
    let (days, rem) = (total / 86_400, total % 86_400);
    let (hours, rem) = (rem / 3600, rem % 3600);
    let (minutes, secs) = (rem / 60, rem % 60);
    if days > 0 {
        format!("{days}d {hours}h {minutes}m")
    } else if hours > 0 {
        format!("{hours}h {minutes}m {secs}s")
    } else if minutes > 0 {
        format!("{minutes}m {secs}s")
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pid: u32) -> PidRecord {
        PidRecord {
            argv: vec!["zscaler-mcp".into(), "--transport".into(), "sse".into()],
            dotenv_path: Some("/srv/.env".into()),
            executable: "/usr/local/bin/zscaler-mcp".into(),
            host: "127.0.0.1".into(),
            pid,
            port: 8000,
            started_at: 1_700_000_000.5,
            transport: "sse".into(),
            version: "0.1.0".into(),
        }
    }

    #[test]
    fn round_trips_with_sorted_keys_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        write(&path, &record(42)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let positions: Vec<usize> = [
            "argv",
            "dotenv_path",
            "executable",
            "host",
            "pid",
            "port",
            "started_at",
            "transport",
            "version",
        ]
        .iter()
        .map(|key| text.find(&format!("\"{key}\":")).unwrap())
        .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("\n  \"pid\": 42,"), "{text}");
        assert_eq!(read(&path).unwrap(), Some(record(42)));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_is_none_and_garbage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        assert_eq!(read(&path).unwrap(), None);
        std::fs::write(&path, "not json").unwrap();
        assert!(read(&path).unwrap_err().contains("unparsable"));
    }

    #[test]
    fn removal_spares_a_file_another_instance_took_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        write(&path, &record(7)).unwrap();
        remove_if_ours(&path, 8);
        assert!(path.exists());
        drop(PidFile::create(path.clone(), &record(8)));
        assert!(!path.exists());
    }

    #[test]
    fn explicit_location_wins_and_expands_home() {
        assert_eq!(
            location(Some(Path::new("/x/y.pid"))),
            PathBuf::from("/x/y.pid")
        );
        assert_eq!(location(Some(Path::new("~/a.pid"))), home().join("a.pid"));
        let shared = location(None);
        assert!(
            shared == Path::new("/var/run/zscaler-mcp.pid")
                || shared == Path::new("/tmp/zscaler-mcp.pid")
                || shared.ends_with(".zscaler-mcp/server.pid"),
            "{shared:?}"
        );
    }

    #[test]
    fn uptime_is_formatted_as_python_does() {
        assert_eq!(format_uptime(4.9), "4s");
        assert_eq!(format_uptime(184.0), "3m 4s");
        assert_eq!(format_uptime(7384.0), "2h 3m 4s");
        assert_eq!(format_uptime(93_784.0), "1d 2h 3m");
        assert_eq!(format_uptime(-5.0), "0s");
    }
}
