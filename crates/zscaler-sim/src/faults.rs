//! Injected faults: what the next matching requests answer instead of the real thing.

use serde::{Deserialize, Serialize};

/// One queued fault: it hits the next `count` requests whose path starts with `path_prefix`.
///
/// JSON form (for `POST /_sim/faults`, one object or an array):
/// `{"kind":"rate_limit","count":2,"path_prefix":"/zia/","retry_after_secs":1}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What the request gets.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it hits (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Only requests whose raw path starts with this (default: every API request).
    #[serde(default)]
    pub path_prefix: Option<String>,
}

fn one() -> u32 {
    1
}

/// The kinds of fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 with the product's body and `retry-after` (ZIA `1`, ZPA `4s` unless overridden).
    RateLimit {
        /// Seconds announced in `retry-after`; default ZIA 1, ZPA 4.
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// The given 5xx status with the product's error body.
    ServerError {
        /// Status code, 500 to 599 (other values become 500).
        #[serde(default = "internal")]
        status: u16,
    },
    /// The request is served normally after this delay.
    Latency {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// ZIA's `409 {"code":"EDIT_LOCK_NOT_AVAILABLE"}`.
    EditLock,
    /// The gateway's 401, as for an expired token.
    Unauthorized,
    /// `200` with a body that is not JSON.
    Garbage,
}

fn internal() -> u16 {
    500
}

impl Fault {
    /// A fault hitting the next request only, on any path.
    pub fn once(kind: FaultKind) -> Self {
        Self {
            kind,
            count: 1,
            path_prefix: None,
        }
    }

    /// The same fault for the next `count` requests.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Restricts the fault to paths starting with `prefix`.
    pub fn on_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }
}

/// Takes one hit from the first queued fault matching `path`, dropping spent faults.
pub(crate) fn take(queue: &mut Vec<Fault>, path: &str) -> Option<FaultKind> {
    queue.retain(|f| f.count > 0);
    let fault = queue.iter_mut().find(|f| {
        f.path_prefix
            .as_deref()
            .is_none_or(|prefix| path.starts_with(prefix))
    })?;
    fault.count = fault.count.saturating_sub(1);
    let kind = fault.kind.clone();
    queue.retain(|f| f.count > 0);
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_parses_with_defaults() {
        let f: Fault = serde_json::from_str(r#"{"kind":"server_error","status":503}"#).unwrap();
        assert_eq!(f, Fault::once(FaultKind::ServerError { status: 503 }));
        let f: Fault =
            serde_json::from_str(r#"{"kind":"latency","ms":5,"count":2,"path_prefix":"/zpa/"}"#)
                .unwrap();
        assert_eq!(
            f,
            Fault::once(FaultKind::Latency { ms: 5 })
                .times(2)
                .on_prefix("/zpa/")
        );
    }

    #[test]
    fn faults_are_consumed_by_matching_paths_only() {
        let mut queue = vec![Fault::once(FaultKind::Garbage).times(2).on_prefix("/zia/")];
        assert_eq!(take(&mut queue, "/zpa/x"), None);
        assert_eq!(take(&mut queue, "/zia/x"), Some(FaultKind::Garbage));
        assert_eq!(take(&mut queue, "/zia/y"), Some(FaultKind::Garbage));
        assert_eq!(take(&mut queue, "/zia/z"), None);
        assert!(queue.is_empty());
    }
}
