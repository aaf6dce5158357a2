//! The running server's side of `reload` (SIGHUP) and `restart` (SIGUSR2): re-read the
//! recorded `.env` and rotate the Zscaler credential and the MCP api-key in place, without
//! dropping a session or a call in flight; or stop cleanly and re-execute this binary.
//!
//! The process environment is never written after start-up (other threads read it), so the
//! values a reload brings in live in an overlay consulted before the environment.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;
use zmcp_auth::ClientAuth;
use zmcp_zscaler::ZscalerClient;

use crate::{env_file, zscaler_env::ZscalerEnv};

/// The variables whose new values take effect on the Zscaler client.
const CREDENTIAL_VARS: [&str; 2] = ["ZSCALER_CLIENT_SECRET", "ZSCALER_PRIVATE_KEY"];
/// The MCP client api-key.
const API_KEY_VAR: &str = "ZSCALER_MCP_AUTH_API_KEY";

/// The client authentication in force, replaceable while requests are being served.
#[derive(Debug, Clone)]
pub struct AuthSlot(Arc<RwLock<Arc<ClientAuth>>>);

impl AuthSlot {
    /// Holds `auth`.
    pub fn new(auth: ClientAuth) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(auth))))
    }

    fn current(&self) -> Arc<ClientAuth> {
        Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn replace(&self, auth: ClientAuth) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(auth);
    }
}

/// [`zmcp_auth::require_auth`] with whatever authentication the slot holds when the request
/// arrives; a request already admitted finishes under the key it was admitted with.
pub async fn require_current_auth(
    State(slot): State<AuthSlot>,
    request: Request,
    next: Next,
) -> Response {
    zmcp_auth::require_auth(State(slot.current()), request, next).await
}

/// Reads one variable of the start-up environment.
type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where a reload's new credentials go.
#[derive(Debug, Clone)]
pub enum ZscalerTarget {
    /// The live client: rotated in place.
    Live(ZscalerClient),
    /// `--demo`: the simulator's credentials are fixed; real ones are ignored.
    Demo,
    /// No client could be built at start-up (settings missing): only a restart helps.
    Unconfigured,
}

/// What one reload did, by variable name (never a value).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// Changed variables now in effect.
    pub applied: Vec<String>,
    /// Changed variables that only a restart applies.
    pub needs_restart: Vec<String>,
    /// Changed variables deliberately not applied, with the reason.
    pub ignored: Vec<String>,
}

/// Re-reads the recorded `.env` on demand and applies what can change live.
pub struct Reloader {
    dotenv: Option<PathBuf>,
    zscaler: ZscalerTarget,
    auth: Option<AuthSlot>,
    /// Values brought in by reloads, newest wins; consulted before `base`.
    overlay: Mutex<HashMap<String, String>>,
    /// The environment at start-up (the process environment; a map in tests).
    base: EnvLookup,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader")
            .field("dotenv", &self.dotenv)
            .finish_non_exhaustive()
    }
}

impl Reloader {
    /// A reloader over the process environment.
    pub fn new(dotenv: Option<PathBuf>, zscaler: ZscalerTarget, auth: Option<AuthSlot>) -> Self {
        Self::with_base(dotenv, zscaler, auth, |name| std::env::var(name).ok())
    }

    fn with_base(
        dotenv: Option<PathBuf>,
        zscaler: ZscalerTarget,
        auth: Option<AuthSlot>,
        base: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            dotenv,
            zscaler,
            auth,
            overlay: Mutex::new(HashMap::new()),
            base: Box::new(base),
        }
    }

    /// Re-reads the `.env` recorded at start-up (with override) and applies the changes that
    /// can be applied live; logs one line naming what changed.
    pub fn reload(&self) -> ReloadReport {
        let Some(path) = &self.dotenv else {
            tracing::info!(
                "[LIFECYCLE] no dotenv path recorded at startup — skipping .env reload (the \
                 environment is inherited from the existing process unchanged)"
            );
            return ReloadReport::default();
        };
        if !path.is_file() {
            tracing::warn!(
                "[LIFECYCLE] dotenv path {} does not exist — skipping .env reload. To enable \
                 live reload in a container, bind-mount the host .env at /app/.env (e.g. -v \
                 $(pwd)/.env:/app/.env:ro).",
                path.display()
            );
            return ReloadReport::default();
        }
        let values = match env_file::read_values(path) {
            Ok(values) => values,
            Err(err) => {
                tracing::warn!("[LIFECYCLE] reload failed: {err}; nothing changed");
                return ReloadReport::default();
            }
        };
        if let Some(warning) = env_file::plaintext_credentials_warning(path) {
            tracing::warn!("{warning}");
        }
        let report = self.apply(values);
        tracing::info!(
            "[LIFECYCLE] re-loaded .env from {}: {} — sessions preserved",
            path.display(),
            summary(&report)
        );
        report
    }

    fn apply(&self, values: HashMap<String, String>) -> ReloadReport {
        let mut overlay = self.overlay.lock().unwrap_or_else(PoisonError::into_inner);
        let mut changed: Vec<String> = values
            .iter()
            .filter(|(name, value)| {
                let current = overlay.get(*name).cloned().or_else(|| (self.base)(name));
                current.as_deref() != Some(value.as_str())
            })
            .map(|(name, _)| name.clone())
            .collect();
        changed.sort_unstable();
        overlay.extend(values);
        let lookup = |name: &str| overlay.get(name).cloned().or_else(|| (self.base)(name));
        let mut report = ReloadReport::default();
        let credential_changed: Vec<String> = changed
            .iter()
            .filter(|n| CREDENTIAL_VARS.contains(&n.as_str()))
            .cloned()
            .collect();
        if !credential_changed.is_empty() {
            self.rotate_credential(
                &ZscalerEnv::from_lookup(lookup),
                credential_changed,
                &mut report,
            );
        }
        if changed.iter().any(|n| n == API_KEY_VAR) {
            self.rotate_api_key(lookup(API_KEY_VAR), &mut report);
        }
        report.needs_restart.extend(
            changed
                .into_iter()
                .filter(|n| !CREDENTIAL_VARS.contains(&n.as_str()) && n != API_KEY_VAR),
        );
        report.needs_restart.sort_unstable();
        report
    }

    fn rotate_credential(&self, env: &ZscalerEnv, names: Vec<String>, report: &mut ReloadReport) {
        match &self.zscaler {
            ZscalerTarget::Demo => {
                report
                    .ignored
                    .extend(names.into_iter().map(|n| format!("{n} (demo mode)")));
            }
            ZscalerTarget::Unconfigured => report.needs_restart.extend(names),
            ZscalerTarget::Live(client) => match env.credential() {
                None => {
                    tracing::warn!(
                        "[LIFECYCLE] ZSCALER_CLIENT_SECRET and ZSCALER_PRIVATE_KEY are both \
                         empty after the reload; the Zscaler client keeps its current credential"
                    );
                    report
                        .ignored
                        .extend(names.into_iter().map(|n| format!("{n} (now empty)")));
                }
                Some(credential) => match client.set_credential(credential) {
                    Ok(()) => report.applied.extend(names),
                    Err(err) => {
                        tracing::warn!(
                            "[LIFECYCLE] the new Zscaler credential was refused ({err}); the \
                             client keeps its current credential"
                        );
                        report
                            .ignored
                            .extend(names.into_iter().map(|n| format!("{n} (invalid)")));
                    }
                },
            },
        }
    }

    fn rotate_api_key(&self, key: Option<String>, report: &mut ReloadReport) {
        let Some(slot) = self
            .auth
            .as_ref()
            .filter(|slot| matches!(*slot.current(), ClientAuth::ApiKey(_)))
        else {
            // Another mode (or stdio): the key can only matter after a restart re-selects.
            report.needs_restart.push(API_KEY_VAR.to_owned());
            return;
        };
        match key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()) {
            Some(key) => {
                slot.replace(ClientAuth::ApiKey(SecretString::from(key)));
                report.applied.push(API_KEY_VAR.to_owned());
            }
            None => {
                tracing::warn!(
                    "[LIFECYCLE] {API_KEY_VAR} is empty after the reload; the current key stays \
                     in force (a reload never turns client authentication off)"
                );
                report.ignored.push(format!("{API_KEY_VAR} (now empty)"));
            }
        }
    }
}

fn summary(report: &ReloadReport) -> String {
    let mut parts = Vec::new();
    if !report.applied.is_empty() {
        parts.push(format!("applied {}", report.applied.join(", ")));
    }
    if !report.ignored.is_empty() {
        parts.push(format!("ignored {}", report.ignored.join(", ")));
    }
    if !report.needs_restart.is_empty() {
        parts.push(format!(
            "changed but only applied by `zscaler-mcp restart`: {}",
            report.needs_restart.join(", ")
        ));
    }
    if parts.is_empty() {
        "no variable changed".to_owned()
    } else {
        parts.join("; ")
    }
}

/// Serves SIGHUP (reload) and SIGUSR2 (restart: cancels `shutdown` and reports `true` from
/// the returned handle once serving ends) until `shutdown` is cancelled. Installed before the
/// PID file is written: until then SIGHUP would still terminate the process.
pub fn listen(reloader: Reloader, shutdown: CancellationToken) -> RestartRequest {
    let requested = RestartRequest::default();
    let flag = requested.clone();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::hangup()),
            signal(SignalKind::user_defined2()),
        ) {
            (Ok(mut hup), Ok(mut usr2)) => {
                tokio::spawn(async move {
                    loop {
                        tokio::select! {
                            _ = hup.recv() => {
                                tracing::info!("[LIFECYCLE] SIGHUP received — soft reload");
                                reloader.reload();
                            }
                            _ = usr2.recv() => {
                                tracing::info!("[LIFECYCLE] SIGUSR2 received — hard restart via exec");
                                flag.set();
                                shutdown.cancel();
                                break;
                            }
                            () = shutdown.cancelled() => break,
                        }
                    }
                });
            }
            (Err(err), _) | (_, Err(err)) => tracing::warn!(
                "cannot watch SIGHUP/SIGUSR2 ({err}); `zscaler-mcp reload` and `restart` will \
                 not work for this instance"
            ),
        }
    }
    #[cfg(not(unix))]
    {
        let _unused = (reloader, shutdown, flag);
    }
    requested
}

/// Set when SIGUSR2 asked for a restart.
#[derive(Debug, Clone, Default)]
pub struct RestartRequest(Arc<std::sync::atomic::AtomicBool>);

impl RestartRequest {
    fn set(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether a restart was asked for.
    pub fn is_set(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Replaces this process with a fresh run of `executable` and the same arguments (same PID,
/// so supervisors and containers do not notice). Returns only on failure.
#[cfg(unix)]
pub fn exec_self(executable: &std::path::Path) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(executable);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    // Every descriptor Rust and tokio open is close-on-exec; stdin/stdout/stderr carry over.
    command.args(args).exec()
}

/// Re-executing in place needs Unix `exec`.
#[cfg(not(unix))]
pub fn exec_self(_executable: &std::path::Path) -> std::io::Error {
    std::io::Error::other("in-place restart is Unix-only")
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;
    use zmcp_zscaler::{ClientConfig, Cloud, Credential};

    use super::*;

    fn client() -> ZscalerClient {
        let mut config = ClientConfig::new(
            "id",
            Credential::Secret(SecretString::from("old")),
            "acme",
            Cloud::Production,
        );
        config.token_url = Some("http://127.0.0.1:9/oauth2/v1/token".into());
        config.api_base_url = Some("http://127.0.0.1:9".into());
        ZscalerClient::new(config).unwrap()
    }

    fn base(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn api_key(slot: &AuthSlot) -> String {
        match &*slot.current() {
            ClientAuth::ApiKey(key) => key.expose_secret().to_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rotates_secret_and_api_key_and_names_the_rest() {
        let slot = AuthSlot::new(ClientAuth::ApiKey(SecretString::from("k1")));
        let reloader = Reloader::with_base(
            None,
            ZscalerTarget::Live(client()),
            Some(slot.clone()),
            base(&[
                ("ZSCALER_CLIENT_SECRET", "old"),
                ("ZSCALER_MCP_AUTH_API_KEY", "k1"),
                ("ZSCALER_MCP_TOOLSETS", "a"),
            ]),
        );
        let report = reloader.apply(values(&[
            ("ZSCALER_CLIENT_SECRET", "new"),
            ("ZSCALER_MCP_AUTH_API_KEY", "k2"),
            ("ZSCALER_MCP_TOOLSETS", "b"),
            ("ZSCALER_CLIENT_ID", "id"),
        ]));
        assert_eq!(
            report.applied,
            ["ZSCALER_CLIENT_SECRET", "ZSCALER_MCP_AUTH_API_KEY"]
        );
        assert_eq!(
            report.needs_restart,
            ["ZSCALER_CLIENT_ID", "ZSCALER_MCP_TOOLSETS"]
        );
        assert_eq!(api_key(&slot), "k2");
        let text = summary(&report);
        assert!(!text.contains("new") && !text.contains("k2"), "{text}");
        // The same file again changes nothing.
        let again = reloader.apply(values(&[
            ("ZSCALER_CLIENT_SECRET", "new"),
            ("ZSCALER_MCP_AUTH_API_KEY", "k2"),
        ]));
        assert_eq!(again, ReloadReport::default());
        assert_eq!(summary(&again), "no variable changed");
    }

    #[test]
    fn an_emptied_api_key_never_turns_authentication_off() {
        let slot = AuthSlot::new(ClientAuth::ApiKey(SecretString::from("k1")));
        let reloader = Reloader::with_base(
            None,
            ZscalerTarget::Unconfigured,
            Some(slot.clone()),
            base(&[("ZSCALER_MCP_AUTH_API_KEY", "k1")]),
        );
        let report = reloader.apply(values(&[("ZSCALER_MCP_AUTH_API_KEY", " ")]));
        assert!(report.applied.is_empty());
        assert_eq!(report.ignored, ["ZSCALER_MCP_AUTH_API_KEY (now empty)"]);
        assert_eq!(api_key(&slot), "k1");
    }

    #[test]
    fn other_modes_demo_and_missing_clients_defer_to_a_restart() {
        let none = AuthSlot::new(ClientAuth::None);
        let reloader = Reloader::with_base(None, ZscalerTarget::Demo, Some(none), base(&[]));
        let report = reloader.apply(values(&[
            ("ZSCALER_MCP_AUTH_API_KEY", "k"),
            ("ZSCALER_CLIENT_SECRET", "s"),
        ]));
        assert_eq!(report.needs_restart, ["ZSCALER_MCP_AUTH_API_KEY"]);
        assert_eq!(report.ignored, ["ZSCALER_CLIENT_SECRET (demo mode)"]);
        let reloader = Reloader::with_base(None, ZscalerTarget::Unconfigured, None, base(&[]));
        let report = reloader.apply(values(&[("ZSCALER_CLIENT_SECRET", "s")]));
        assert_eq!(report.needs_restart, ["ZSCALER_CLIENT_SECRET"]);
    }

    #[test]
    fn an_invalid_private_key_keeps_the_old_credential() {
        let reloader = Reloader::with_base(None, ZscalerTarget::Live(client()), None, base(&[]));
        let report = reloader.apply(values(&[("ZSCALER_PRIVATE_KEY", "not a key")]));
        assert!(report.applied.is_empty());
        assert_eq!(report.ignored, ["ZSCALER_PRIVATE_KEY (invalid)"]);
    }

    #[test]
    fn a_missing_recorded_file_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let reloader = Reloader::with_base(
            Some(dir.path().join("gone.env")),
            ZscalerTarget::Unconfigured,
            None,
            base(&[]),
        );
        assert_eq!(reloader.reload(), ReloadReport::default());
    }
}
