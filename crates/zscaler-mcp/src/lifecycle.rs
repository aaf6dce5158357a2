//! The lifecycle subcommands (inventory section 2.2): `status` reads the PID file, `reload`
//! (SIGHUP), `restart` (SIGUSR2) and `stop` (SIGTERM) signal the server it names, with the
//! Python server's messages and exit codes; `update` explains why a binary cannot update
//! itself.

use std::path::Path;

use crate::{
    VERSION,
    args::Lifecycle,
    env_file,
    pidfile::{self, PidRecord},
};

/// Runs one subcommand; returns the exit code.
pub fn run(command: &Lifecycle, pid_file: Option<&Path>) -> u8 {
    let path = pidfile::location(pid_file);
    match command {
        Lifecycle::Status => status(&path),
        Lifecycle::Reload => send(&path, Request::Reload),
        Lifecycle::Restart => send(&path, Request::Restart),
        Lifecycle::Stop => send(&path, Request::Stop),
        Lifecycle::Update { .. } => update(),
    }
}

/// What the running server is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Reload,
    Restart,
    Stop,
}

/// The process a PID file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Process {
    /// Running (or running under another user, which signalling then reports).
    Alive,
    /// No such process.
    Gone,
    /// A process that is not a zscaler-mcp: the pid was reused after the server died.
    Foreign,
}

fn read_record(path: &Path) -> Option<PidRecord> {
    match pidfile::read(path) {
        Ok(record) => record,
        Err(warning) => {
            tracing::warn!("{warning}");
            None
        }
    }
}

fn status(path: &Path) -> u8 {
    let Some(record) = read_record(path) else {
        println!(
            "No zscaler-mcp server PID file found at {}.",
            path.display()
        );
        return 1;
    };
    let process = probe(record.pid);
    let (env_label, env_advice) = env_source(&record);
    println!("zscaler-mcp lifecycle status");
    println!("{}", "=".repeat(40));
    println!("  pid file          : {}", path.display());
    println!("  pid               : {}", record.pid);
    println!(
        "  alive             : {}",
        match process {
            Process::Alive => "yes",
            Process::Gone => "NO (stale PID file)",
            Process::Foreign => "NO (stale PID file; the pid now belongs to another program)",
        }
    );
    if process == Process::Alive {
        println!(
            "  uptime            : {}",
            pidfile::format_uptime(pidfile::now_epoch_secs() - record.started_at)
        );
    }
    println!("  version           : {}", record.version);
    println!("  transport         : {}", record.transport);
    if record.transport != "stdio" {
        println!("  bind              : {}:{}", record.host, record.port);
    }
    println!(
        "  dotenv path       : {}",
        record.dotenv_path.as_deref().unwrap_or("(none)")
    );
    println!("  env source        : {env_label}");
    println!("  reload/restart    : {env_advice}");
    println!("  executable        : {}", record.executable);
    println!(
        "  argv              : {}",
        if record.argv.is_empty() {
            "(none)".to_owned()
        } else {
            record.argv.join(" ")
        }
    );
    u8::from(process != Process::Alive)
}

fn send(path: &Path, request: Request) -> u8 {
    if !cfg!(unix) {
        eprintln!(
            "ERROR: zscaler-mcp reload/restart/stop are Unix-only (Windows lacks the required \
             signals). Use 'zscaler-mcp status' to inspect the PID file, or restart your \
             supervisor (Docker, systemd, etc.) directly."
        );
        return 2;
    }
    let Some(record) = read_record(path) else {
        println!(
            "No running zscaler-mcp server found (PID file {} missing).",
            path.display()
        );
        return 1;
    };
    match probe(record.pid) {
        Process::Alive => {}
        Process::Gone => return stale(path, &record, "but no such process exists"),
        Process::Foreign => {
            return stale(
                path,
                &record,
                "but that process is not a zscaler-mcp server (the pid was reused)",
            );
        }
    }
    match signal(record.pid, request) {
        Ok(()) => {}
        Err(SignalError::Gone) => return stale(path, &record, "but no such process exists"),
        Err(SignalError::NotPermitted) if request != Request::Stop => {
            eprintln!(
                "ERROR: not permitted to signal pid {}. Run as the same user that started the \
                 server, or use sudo.",
                record.pid
            );
            return 1;
        }
        Err(err) => {
            eprintln!("ERROR: could not signal pid {}: {err}", record.pid);
            return 1;
        }
    }
    let (label, advice) = env_source(&record);
    match request {
        Request::Reload => {
            println!(
                "Sent SIGHUP to zscaler-mcp (pid={}). MCP sessions preserved.",
                record.pid
            );
            println!("  env source : {label}");
            println!("  effect     : {advice}");
            println!(
                "  applied    : ZSCALER_CLIENT_SECRET / ZSCALER_PRIVATE_KEY (credential \
                 rotation) and ZSCALER_MCP_AUTH_API_KEY (api-key mode); any other change \
                 needs 'zscaler-mcp restart'. The server logs which variables changed."
            );
        }
        Request::Restart => {
            println!(
                "Sent SIGUSR2 to zscaler-mcp (pid={}). The server will re-exec itself in place \
                 (same PID, fresh process).",
                record.pid
            );
            println!("  env source : {label}");
            println!("  effect     : {advice}");
        }
        Request::Stop => println!(
            "Sent SIGTERM to zscaler-mcp (pid={}). Will not respawn.",
            record.pid
        ),
    }
    0
}

fn stale(path: &Path, record: &PidRecord, why: &str) -> u8 {
    eprintln!(
        "PID file {} references pid {}, {why}. The server likely crashed or was killed; \
         removing the stale file.",
        path.display(),
        record.pid
    );
    pidfile::remove_if_ours(path, record.pid);
    1
}

/// What the next `reload` or `restart` will read (the Python server's classifier): the
/// recorded `.env`, a `.env` a restarted process would discover, or nothing.
fn env_source(record: &PidRecord) -> (String, String) {
    let bind_mounted = |p: &str| {
        if p.starts_with("/app/") {
            " (bind-mounted)"
        } else {
            ""
        }
    };
    if let Some(dotenv) = record.dotenv_path.as_deref()
        && Path::new(dotenv).is_file()
    {
        return (
            format!("live{}", bind_mounted(dotenv)),
            format!(
                "the server will re-read {dotenv} (override=True); live edits to that file \
                 are picked up."
            ),
        );
    }
    let candidate = env_file::default_candidate();
    if candidate.is_file() {
        let location = std::path::absolute(&candidate).unwrap_or(candidate);
        let location = location.display().to_string();
        return (
            format!("fresh-discovery{}", bind_mounted(&location)),
            format!(
                "no .env was tracked at startup, but a .env file is now present at \
                 {location}. A restarted process discovers and loads it; a reload alone \
                 does NOT pick it up — use restart."
            ),
        );
    }
    let unchanged = "a restarted process inherits the same environment, so reload/restart \
                     will NOT pick up new values. Provide a .env (--dotenv-path or \
                     ZSCALER_MCP_DOTENV_PATH; in a container, bind-mount it, e.g. \
                     -v $(pwd)/.env:/app/.env:ro), or recreate the process with the new \
                     environment.";
    match record.dotenv_path.as_deref() {
        Some(dotenv) => (
            "missing".to_owned(),
            format!(
                "the .env path recorded in the PID file ({dotenv}) does not exist, and no \
                 .env was found in the default search path either; {unchanged}"
            ),
        ),
        None => (
            "none".to_owned(),
            format!(
                "no .env was loaded at startup, and no .env is present in the default search \
                 path either; {unchanged}"
            ),
        ),
    }
}

/// `update`: the Python server pip-upgrades itself; a compiled binary is replaced by its
/// installer instead, and `restart` then re-executes the new binary.
fn update() -> u8 {
    println!(
        "zscaler-mcp update is not available in this build (installed: {VERSION}): a compiled \
         binary cannot safely replace itself in place, and its install channel (release \
         archive, cargo, container image, package manager) owns the file."
    );
    println!(
        "  to upgrade : download the latest release from {}/releases, or run \
         `cargo install zscaler-mcp`, or pull the new container image;",
        env!("CARGO_PKG_REPOSITORY")
    );
    println!(
        "  then       : `zscaler-mcp restart` re-executes the new binary in place (same PID)."
    );
    1
}

#[derive(Debug)]
enum SignalError {
    Gone,
    NotPermitted,
    Other(String),
}

impl std::fmt::Display for SignalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignalError::Gone => f.write_str("no such process"),
            SignalError::NotPermitted => f.write_str("operation not permitted"),
            SignalError::Other(err) => f.write_str(err),
        }
    }
}

#[cfg(unix)]
fn pid_of(pid: u32) -> Option<rustix::process::Pid> {
    i32::try_from(pid)
        .ok()
        .filter(|p| *p > 0)
        .and_then(rustix::process::Pid::from_raw)
}

#[cfg(unix)]
fn probe(pid: u32) -> Process {
    use rustix::io::Errno;
    let Some(target) = pid_of(pid) else {
        return Process::Gone;
    };
    match rustix::process::test_kill_process(target) {
        Ok(()) | Err(Errno::PERM) => {}
        Err(_) => return Process::Gone,
    }
    if runs_another_program(pid) {
        Process::Foreign
    } else {
        Process::Alive
    }
}

/// Whether `/proc` shows that `pid` runs a binary not named `zscaler-mcp*` (a replaced
/// binary shows as `zscaler-mcp (deleted)`, which still counts). Unknown (no `/proc`, the
/// process belongs to another user) counts as ours: signalling then reports the real error.
#[cfg(unix)]
fn runs_another_program(pid: u32) -> bool {
    std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| {
        !exe.file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("zscaler-mcp"))
    })
}

#[cfg(unix)]
fn signal(pid: u32, request: Request) -> Result<(), SignalError> {
    use rustix::{io::Errno, process::Signal};
    let target = pid_of(pid).ok_or(SignalError::Gone)?;
    let sig = match request {
        Request::Reload => Signal::HUP,
        Request::Restart => Signal::USR2,
        Request::Stop => Signal::TERM,
    };
    rustix::process::kill_process(target, sig).map_err(|errno| match errno {
        Errno::SRCH => SignalError::Gone,
        Errno::PERM => SignalError::NotPermitted,
        other => SignalError::Other(other.to_string()),
    })
}

#[cfg(not(unix))]
fn probe(_pid: u32) -> Process {
    // Without signals there is no cheap liveness probe; `status` still shows the record.
    Process::Alive
}

#[cfg(not(unix))]
fn signal(_pid: u32, _request: Request) -> Result<(), SignalError> {
    Err(SignalError::Other("signals are Unix-only".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(dotenv: Option<&str>) -> PidRecord {
        PidRecord {
            argv: vec!["zscaler-mcp".into()],
            dotenv_path: dotenv.map(str::to_owned),
            executable: "zscaler-mcp".into(),
            host: "127.0.0.1".into(),
            pid: 1,
            port: 8000,
            started_at: 0.0,
            transport: "stdio".into(),
            version: VERSION.into(),
        }
    }

    #[test]
    fn env_source_labels() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::fs::write(&env, "A=1\n").unwrap();
        let (label, advice) = env_source(&record(Some(env.to_str().unwrap())));
        assert_eq!(label, "live");
        assert!(advice.contains(env.to_str().unwrap()));
        // The test's working directory (the crate) has no .env.
        let gone = dir.path().join("gone.env");
        assert_eq!(
            env_source(&record(Some(gone.to_str().unwrap()))).0,
            "missing"
        );
        assert_eq!(env_source(&record(None)).0, "none");
    }

    #[cfg(unix)]
    #[test]
    fn probes_this_process_a_dead_one_and_nonsense() {
        // The test binary is not named zscaler-mcp*: it is "another program".
        assert_eq!(probe(std::process::id()), Process::Foreign);
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert_eq!(probe(pid), Process::Gone);
        assert_eq!(probe(0), Process::Gone);
        assert_eq!(probe(u32::MAX), Process::Gone);
    }
}
