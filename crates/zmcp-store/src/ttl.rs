//! Time-to-live normalised once, so every backend expires an entry at the same moment.

use std::time::Duration;

/// Upper bound on a TTL (about 100 years): far beyond any token's life, and small enough
/// that "now + TTL" in milliseconds fits SQLite's and Redis's signed 64-bit clocks.
const MAX_MILLIS: u64 = 100 * 365 * 24 * 60 * 60 * 1000;

/// A TTL in whole milliseconds, at least 1 and at most [`MAX_MILLIS`].
///
/// Rounds up rather than failing: callers compute TTLs from expiry times, and a TTL that
/// has already run out (zero) must still behave as "expires at once", which Redis cannot
/// express with `PX 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ttl(u64);

impl Ttl {
    pub(crate) fn new(ttl: Duration) -> Self {
        let millis = ttl.as_nanos().div_ceil(1_000_000);
        Self(
            u64::try_from(millis)
                .unwrap_or(MAX_MILLIS)
                .clamp(1, MAX_MILLIS),
        )
    }

    pub(crate) fn millis(self) -> u64 {
        self.0
    }

    pub(crate) fn duration(self) -> Duration {
        Duration::from_millis(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_MILLIS, Ttl};
    use std::time::Duration;

    #[test]
    fn rounds_up_to_whole_milliseconds() {
        assert_eq!(Ttl::new(Duration::ZERO).millis(), 1);
        assert_eq!(Ttl::new(Duration::from_nanos(1)).millis(), 1);
        assert_eq!(Ttl::new(Duration::from_micros(1500)).millis(), 2);
        assert_eq!(Ttl::new(Duration::from_secs(300)).millis(), 300_000);
    }

    #[test]
    fn caps_huge_ttls() {
        assert_eq!(Ttl::new(Duration::MAX).millis(), MAX_MILLIS);
        assert!(i64::try_from(MAX_MILLIS).is_ok());
    }
}
