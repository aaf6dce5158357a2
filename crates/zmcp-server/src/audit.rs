//! The tool-call audit trail: one JSON line per `tools/call` saying who called what, with
//! which (non-secret) arguments, and how it ended — never what it returned.
//!
//! Arguments are shown without any key that names a secret (at any depth), each value cut to
//! [`MAX_VALUE_CHARS`]; `args_sha256` digests the same redacted arguments before cutting, so
//! two lines can be compared exactly without a low-entropy secret (a six-digit OTP) becoming
//! recoverable by hashing every candidate.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{CallToolResult, JsonObject};
use rmcp::service::RequestContext;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use zmcp_auth::Principal;
use zmcp_catalog::Action;

use crate::outcome::Upstream;

/// Longest argument value written as is (characters of its JSON text).
pub const MAX_VALUE_CHARS: usize = 256;

/// Argument keys never written: any key containing one of these (case-insensitive).
const SECRET_KEY_PARTS: [&str; 8] = [
    "secret",
    "password",
    "token",
    "key",
    "otp",
    "credential",
    "kwargs",
    "confirmation",
];

/// Where audit lines go.
#[derive(Debug)]
pub struct AuditLog {
    sink: Sink,
}

#[derive(Debug)]
enum Sink {
    /// `tracing` events with target `audit` (the binary sends them to stderr).
    Tracing,
    /// Appended to a file, one line per call.
    File { path: PathBuf, file: Mutex<File> },
}

impl AuditLog {
    /// Lines become INFO events with target `audit`, wherever the process logs.
    pub fn tracing() -> Self {
        Self {
            sink: Sink::Tracing,
        }
    }

    /// Lines are appended to `path` (created if missing; never truncated).
    ///
    /// # Errors
    /// When the file cannot be opened for appending.
    pub fn append_to(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            sink: Sink::File {
                path: path.to_owned(),
                file: Mutex::new(file),
            },
        })
    }

    /// Where the lines go, for the start-up log.
    pub fn destination(&self) -> String {
        match &self.sink {
            Sink::Tracing => "the process log (target \"audit\")".to_owned(),
            Sink::File { path, .. } => path.display().to_string(),
        }
    }

    pub(crate) fn write(&self, entry: &AuditEntry<'_>) {
        let line = crate::outcome::compact(&entry.to_json());
        match &self.sink {
            Sink::Tracing => tracing::info!(target: "audit", "{line}"),
            Sink::File { path, file } => {
                // One `write_all` of the whole line: with O_APPEND, lines from concurrent
                // calls (or processes) never interleave.
                let written = file
                    .lock()
                    .map_err(|_| std::io::Error::other("audit file lock poisoned"))
                    .and_then(|mut file| file.write_all(format!("{line}\n").as_bytes()));
                if let Err(error) = written {
                    tracing::warn!(path = %path.display(), %error, "cannot write the audit line");
                }
            }
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Error,
    ConfirmationRequired,
    Cancelled,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::ConfirmationRequired => "confirmation_required",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// What a server handle is serving, for the `transport` field: streamable HTTP is recognised
/// from the request itself (rmcp hands over its HTTP `Parts`), the others cannot be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A client in the same process (tests, embedding).
    InProcess,
    /// stdin/stdout.
    Stdio,
    /// The legacy HTTP+SSE transport.
    Sse,
}

/// Who made this call and over which transport.
pub(crate) fn caller(
    context: &RequestContext<RoleServer>,
    channel: Channel,
) -> (Caller, &'static str) {
    if let Some(parts) = context.extensions.get::<http::request::Parts>() {
        let caller = parts
            .extensions
            .get::<Principal>()
            .map_or_else(Caller::unknown, Caller::from_principal);
        let transport = match channel {
            Channel::Sse => "sse",
            _ => "streamable-http",
        };
        return (caller, transport);
    }
    match channel {
        Channel::Stdio => (Caller::local(), "stdio"),
        Channel::Sse => (Caller::unknown(), "sse"),
        Channel::InProcess => (Caller::unknown(), "in-process"),
    }
}

/// Who called: from the HTTP request's [`Principal`], or the local process over stdio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    subject: String,
    name: Option<String>,
    auth_mode: String,
}

impl Caller {
    pub(crate) fn from_principal(principal: &Principal) -> Self {
        Self {
            subject: principal.subject.clone(),
            name: principal.name.clone(),
            auth_mode: principal.auth_mode.as_str().to_owned(),
        }
    }

    /// stdio is never authenticated: the caller is whoever started the process.
    pub(crate) fn local() -> Self {
        Self {
            subject: "local".to_owned(),
            name: None,
            auth_mode: "stdio".to_owned(),
        }
    }

    /// A transport that carried no principal (the legacy SSE stream, an in-process client).
    pub(crate) fn unknown() -> Self {
        Self {
            subject: "unknown".to_owned(),
            name: None,
            auth_mode: "unknown".to_owned(),
        }
    }
}

/// The arguments as the audit line shows them, computed before the call consumes them.
#[derive(Debug, Clone)]
pub(crate) struct AuditedArgs {
    sha256: String,
    shown: Map<String, Value>,
}

impl AuditedArgs {
    pub(crate) fn of(arguments: Option<&JsonObject>) -> Self {
        let redacted = arguments.map(redact_object).unwrap_or_default();
        let digest = Sha256::digest(crate::confirm::canonical_json(&Value::Object(
            redacted.clone(),
        )));
        let shown = redacted
            .into_iter()
            .map(|(key, value)| (key, shorten(value)))
            .collect();
        Self {
            sha256: crate::confirm::hex(&digest),
            shown,
        }
    }
}

/// One line of the trail.
pub(crate) struct AuditEntry<'a> {
    pub caller: &'a Caller,
    pub transport: &'static str,
    pub tool: &'a str,
    pub action: Option<Action>,
    pub args: &'a AuditedArgs,
    pub outcome: Outcome,
    pub error_kind: Option<&'static str>,
    pub latency: Duration,
    pub upstream: &'a Upstream,
    pub result_bytes: usize,
}

impl AuditEntry<'_> {
    /// Every field is always present (`null` when unknown), so consumers need no schema
    /// guessing.
    fn to_json(&self) -> Value {
        json!({
            "time": now_rfc3339(),
            "principal": {
                "subject": self.caller.subject,
                "name": self.caller.name,
                "auth_mode": self.caller.auth_mode,
            },
            "transport": self.transport,
            "tool": shorten(Value::String(self.tool.to_owned())),
            "action": self.action.map(action_name),
            "args_sha256": self.args.sha256,
            "args": self.args.shown,
            "outcome": self.outcome.as_str(),
            "error_kind": self.error_kind,
            "latency_ms": u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX),
            "upstream_status": self.upstream.status,
            "request_id": self.upstream.request_id,
            "result_bytes": self.result_bytes,
        })
    }
}

/// Bytes of text the model received.
pub(crate) fn result_bytes(result: &CallToolResult) -> usize {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text())
        .map(|text| text.text.len())
        .sum()
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Read => "read",
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|part| key.contains(part))
}

fn redact_object(map: &JsonObject) -> Map<String, Value> {
    map.iter()
        .filter(|(key, _)| !is_secret_key(key))
        .map(|(key, value)| (key.clone(), redact(value)))
        .collect()
}

fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(redact_object(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// The value, or the start of its text with how much was cut.
fn shorten(value: Value) -> Value {
    let text = match &value {
        Value::String(text) => text.clone(),
        Value::Array(_) | Value::Object(_) => crate::outcome::compact(&value),
        Value::Null | Value::Bool(_) | Value::Number(_) => return value,
    };
    let total = text.chars().count();
    if total <= MAX_VALUE_CHARS {
        return value;
    }
    let kept: String = text.chars().take(MAX_VALUE_CHARS).collect();
    Value::String(format!("{kept}…(+{} chars)", total - MAX_VALUE_CHARS))
}

/// Now, UTC, to the millisecond.
fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .truncate_to_millisecond()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn secret_keys_are_dropped_at_every_depth() {
        let audited = AuditedArgs::of(Some(&args(json!({
            "name": "branch-1",
            "psk": {"pre_shared_key": "hunter2", "type": "ufqdn"},
            "admin_password": "p",
            "API_KEY": "k",
            "otp_code": "123456",
            "kwargs": "{\"confirmation_token\":\"1:2:3\"}",
            "confirmation_token": "1:2:3",
            "client_secret": "s",
            "items": [{"token": "t", "id": 1}],
        }))));
        assert_eq!(
            Value::Object(audited.shown),
            json!({"name": "branch-1", "psk": {"type": "ufqdn"}, "items": [{"id": 1}]})
        );
    }

    #[test]
    fn digest_ignores_key_order_and_secrets_but_not_values() {
        let a = AuditedArgs::of(Some(&args(json!({"a": 1, "b": "x", "password": "p1"}))));
        let b = AuditedArgs::of(Some(&args(json!({"b": "x", "password": "p2", "a": 1}))));
        let c = AuditedArgs::of(Some(&args(json!({"a": 2, "b": "x"}))));
        assert_eq!(a.sha256, b.sha256);
        assert_ne!(a.sha256, c.sha256);
        assert_eq!(a.sha256.len(), 64);
    }

    #[test]
    fn long_values_are_cut_but_the_digest_covers_them_whole() {
        let long = "x".repeat(300);
        let one = AuditedArgs::of(Some(&args(
            json!({"description": long, "ids": (0..100).collect::<Vec<_>>()}),
        )));
        let other = AuditedArgs::of(Some(&args(json!({"description": format!("{long}y")}))));
        let description = one.shown["description"].as_str().unwrap();
        assert!(description.ends_with("…(+44 chars)"), "{description}");
        assert_eq!(
            description.chars().count(),
            256 + "…(+44 chars)".chars().count()
        );
        assert!(one.shown["ids"].as_str().unwrap().starts_with("[0,1,2,"));
        assert_ne!(one.sha256, other.sha256);
    }

    #[test]
    fn entry_has_every_field_even_when_unknown() {
        let audited = AuditedArgs::of(None);
        let entry = AuditEntry {
            caller: &Caller::local(),
            transport: "stdio",
            tool: "zia_nope",
            action: None,
            args: &audited,
            outcome: Outcome::Error,
            error_kind: Some("unknown_tool"),
            latency: Duration::from_millis(3),
            upstream: &Upstream::default(),
            result_bytes: 10,
        };
        let line = entry.to_json();
        let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "time",
                "principal",
                "transport",
                "tool",
                "action",
                "args_sha256",
                "args",
                "outcome",
                "error_kind",
                "latency_ms",
                "upstream_status",
                "request_id",
                "result_bytes"
            ]
        );
        assert_eq!(
            line["principal"],
            json!({"subject": "local", "name": null, "auth_mode": "stdio"})
        );
        let time = line["time"].as_str().unwrap();
        assert!(
            time.ends_with('Z') && time.len() == "2026-11-26T14:13:40.123Z".len(),
            "{time}"
        );
    }

    #[test]
    fn file_destination_appends_one_line_per_call() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "earlier line\n").unwrap();
        let log = AuditLog::append_to(&path).unwrap();
        let audited = AuditedArgs::of(Some(&args(json!({"rule_id": "7"}))));
        for outcome in [Outcome::Ok, Outcome::Cancelled] {
            log.write(&AuditEntry {
                caller: &Caller::unknown(),
                transport: "sse",
                tool: "zia_get_rule_label",
                action: Some(Action::Read),
                args: &audited,
                outcome,
                error_kind: None,
                latency: Duration::ZERO,
                upstream: &Upstream {
                    status: Some(200),
                    request_id: Some("req-1".into()),
                },
                result_bytes: 42,
            });
        }
        let written = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = written.lines().collect();
        assert_eq!(lines.len(), 3, "{written}");
        assert_eq!(lines[0], "earlier line");
        let second: Value = serde_json::from_str(lines[2]).unwrap();
        assert_eq!(second["outcome"], "cancelled");
        assert_eq!(second["upstream_status"], 200);
        assert_eq!(second["request_id"], "req-1");
        assert_eq!(second["args"], json!({"rule_id": "7"}));
        assert_eq!(log.destination(), path.display().to_string());
    }
}
