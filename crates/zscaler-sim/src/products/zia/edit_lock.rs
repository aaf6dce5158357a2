//! ZIA's tenant edit lock: a write holds it while it is applied, and a write arriving while
//! another holds it is refused with `409 {"code":"EDIT_LOCK_NOT_AVAILABLE"}` (zscaler-api.md
//! 5.3), which clients retry.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use serde_json::json;

use crate::reply;
use crate::state::SimState;

/// How long a write holds the lock: real ZIA writes take a while to commit, and the hold is
/// what lets two overlapping writes collide here as they do on the real tenant.
const WRITE_HOLD: Duration = Duration::from_millis(15);

/// Non-GET requests that change nothing (lookups), and the activation calls, which do not
/// queue behind the lock.
const NOT_EDITS: [&str; 4] = [
    "/urlLookup",
    "/availableActions",
    "/status/activate",
    "/authenticatedSession",
];

/// The tenant's lock; one per simulator.
#[derive(Default)]
struct EditLock(AtomicBool);

/// Held while a write runs; releases on drop, also when the handler fails.
struct Held<'a>(&'a EditLock);

impl EditLock {
    fn try_acquire(&self) -> Option<Held<'_>> {
        self.0
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| Held(self))
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.0.store(false, Ordering::Release);
    }
}

fn is_edit(method: &Method, path: &str) -> bool {
    *method != Method::GET && !NOT_EDITS.iter().any(|suffix| path.ends_with(suffix))
}

/// Wraps every ZIA route so writes take the tenant's edit lock.
pub(super) fn guard_writes(router: Router<Arc<SimState>>) -> Router<Arc<SimState>> {
    let lock = Arc::new(EditLock::default());
    router.layer(from_fn(move |request: Request, next: Next| {
        let lock = lock.clone();
        async move {
            if !is_edit(request.method(), request.uri().path()) {
                return next.run(request).await;
            }
            let Some(_held) = lock.try_acquire() else {
                return locked();
            };
            tokio::time::sleep(WRITE_HOLD).await;
            next.run(request).await
        }
    }))
}

fn locked() -> Response {
    reply::json(
        StatusCode::CONFLICT,
        &json!({"code": "EDIT_LOCK_NOT_AVAILABLE"}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_releases() {
        let lock = EditLock::default();
        let first = lock.try_acquire();
        assert!(first.is_some());
        assert!(lock.try_acquire().is_none(), "overlapping write must fail");
        drop(first);
        assert!(lock.try_acquire().is_some());
    }

    #[test]
    fn lookups_and_activation_are_not_edits() {
        assert!(is_edit(&Method::POST, "/zia/api/v1/ruleLabels"));
        assert!(is_edit(&Method::DELETE, "/zia/api/v1/ruleLabels/1"));
        assert!(!is_edit(&Method::GET, "/zia/api/v1/ruleLabels"));
        assert!(!is_edit(&Method::POST, "/zia/api/v1/urlLookup"));
        assert!(!is_edit(&Method::POST, "/zia/api/v1/status/activate"));
        assert!(!is_edit(
            &Method::POST,
            "/zia/api/v1/webApplicationRules/STREAMING_MEDIA/availableActions"
        ));
    }
}
