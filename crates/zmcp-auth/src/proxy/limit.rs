//! Rate limits on the unauthenticated endpoints that write state: `/register` keeps a
//! record for a day (90 once used), `/authorize` and the consent page for minutes. Without a bound, a
//! script could fill the state store's disk (or Redis memory) faster than records expire.
//!
//! One token bucket per endpoint group for the whole process: generous for real use (a
//! client registers once per installation; a sign-in is a few requests), and a flood is
//! answered `429` with `Retry-After` instead of being stored.

use std::{
    sync::{Mutex, PoisonError},
    time::Instant,
};

/// A token bucket refilled at `per_second`, holding at most `burst` tokens.
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_second: f64,
    burst: f64,
    bucket: Mutex<(f64, Instant)>,
}

impl RateLimit {
    pub(crate) fn new(per_second: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(per_second),
            burst: f64::from(burst),
            bucket: Mutex::new((f64::from(burst), Instant::now())),
        }
    }

    /// Takes one token; `false` when none is left.
    pub(crate) fn allow(&self) -> bool {
        let mut bucket = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let (tokens, last) = &mut *bucket;
        let now = Instant::now();
        let refill = now.duration_since(*last).as_secs_f64() * self.per_second;
        *tokens = (*tokens + refill).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The process's limits.
#[derive(Debug)]
pub(crate) struct Limits {
    /// `POST /register`.
    pub(crate) registrations: RateLimit,
    /// `GET /authorize` and `GET /consent`.
    pub(crate) sign_ins: RateLimit,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            registrations: RateLimit::new(5, 100),
            sign_ins: RateLimit::new(100, 1000),
        }
    }
}

#[cfg(feature = "test-support")]
impl Limits {
    /// No limits (fuzzing).
    pub(crate) fn unlimited() -> Self {
        Self {
            registrations: RateLimit::new(u32::MAX, u32::MAX),
            sign_ins: RateLimit::new(u32::MAX, u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_then_refilled() {
        let limit = RateLimit::new(1000, 3);
        assert!(limit.allow() && limit.allow() && limit.allow());
        assert!(!limit.allow());
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(limit.allow());
    }
}
