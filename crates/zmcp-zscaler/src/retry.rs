//! Which failed calls are worth repeating, and how long to wait first (zscaler-api.md 3).

use std::time::{Duration, SystemTime};

use rand::Rng as _;
use reqwest::header::HeaderMap;

use crate::HttpMethod;
use crate::response::error_code;

/// First back-off step; doubled per attempt.
const BASE_BACKOFF: Duration = Duration::from_secs(1);

/// Error codes that mean "someone else holds the tenant's edit lock, try again": ZIA's staged
/// config lock and ZPA's concurrent-change guard.
const EDIT_LOCK_CODES: [&str; 2] = ["EDIT_LOCK_NOT_AVAILABLE", "api.concurrent.access.error"];

/// Why a response is worth another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// 429: the gateway did not process the request, so any method may be repeated.
    RateLimited,
    /// 409/412 edit lock: the write was refused before it ran.
    EditLock,
    /// 5xx on a read. Writes are never repeated on 5xx: they may have been applied.
    ServerError,
}

/// A retryable failure and the server's own hint of when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retryable {
    pub reason: RetryReason,
    pub server_hint: Option<Duration>,
}

/// Decides whether a non-2xx, non-401 response may be retried. 403 (including
/// `LIMIT_EXCEEDED`, a tenant capacity limit) never is.
pub(crate) fn classify(
    method: HttpMethod,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Retryable> {
    let now = SystemTime::now();
    let (reason, server_hint) = match status {
        429 => (
            RetryReason::RateLimited,
            retry_after(headers, now).or_else(|| rate_limit_reset(headers)),
        ),
        409 | 412 if is_edit_lock(body) => (RetryReason::EditLock, None),
        500..=599 if method == HttpMethod::Get => {
            (RetryReason::ServerError, retry_after(headers, now))
        }
        _ => return None,
    };
    Some(Retryable {
        reason,
        server_hint,
    })
}

fn is_edit_lock(body: &[u8]) -> bool {
    error_code(body).is_some_and(|code| EDIT_LOCK_CODES.contains(&code.as_str()))
}

/// How long to wait before retry number `attempt` (0-based): the server's hint when it gave
/// one, else capped exponential back-off with jitter; never more than `max_backoff`, so a
/// server asking for an hour cannot stall a tool call for an hour.
pub(crate) fn wait_before_retry(
    attempt: u32,
    server_hint: Option<Duration>,
    max_backoff: Duration,
) -> Duration {
    match server_hint {
        Some(hint) => hint.min(max_backoff),
        None => jittered_backoff(attempt, max_backoff),
    }
}

/// Half the exponential step plus a random part of the other half, so clients that failed
/// together do not retry together.
fn jittered_backoff(attempt: u32, max_backoff: Duration) -> Duration {
    let step = BASE_BACKOFF
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(max_backoff);
    let half = step / 2;
    let spread = u64::try_from((step - half).as_millis()).unwrap_or(u64::MAX);
    half + Duration::from_millis(rand::rng().random_range(0..=spread))
}

/// `Retry-After` as seconds (`1`, `4s`, `1 seconds`, `1.5`) or as an HTTP-date.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    seconds(value).or_else(|| {
        let at = httpdate::parse_http_date(value).ok()?;
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    })
}

/// `x-ratelimit-reset`: seconds until the window resets.
fn rate_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    seconds(headers.get("x-ratelimit-reset")?.to_str().ok()?.trim())
}

/// A non-negative number of seconds with an optional `s`/`sec`/`seconds` unit.
fn seconds(value: &str) -> Option<Duration> {
    let number = value
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .trim_end();
    let unit = value.get(number.len()..)?.trim().to_ascii_lowercase();
    if !matches!(
        unit.as_str(),
        "" | "s" | "sec" | "secs" | "second" | "seconds"
    ) {
        return None;
    }
    let secs: f64 = number.parse().ok()?;
    Duration::try_from_secs_f64(secs).ok()
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_accepts_every_observed_form() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let cases = [
            ("1", 1_000),
            ("4s", 4_000),
            ("1 seconds", 1_000),
            ("0 seconds", 0),
            ("1.5", 1_500),
            (" 7 S ", 7_000),
        ];
        for (value, millis) in cases {
            let h = headers(&[("retry-after", value)]);
            assert_eq!(
                retry_after(&h, now),
                Some(Duration::from_millis(millis)),
                "{value}"
            );
        }
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let h = headers(&[("retry-after", &date)]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        let h = headers(&[("retry-after", &past)]);
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_garbage_is_ignored() {
        let now = SystemTime::now();
        for value in ["soon", "-1", "5 minutes", "", "NaN"] {
            let h = headers(&[("retry-after", value)]);
            assert_eq!(retry_after(&h, now), None, "{value}");
        }
    }

    #[test]
    fn a_429_prefers_retry_after_then_rate_limit_reset() {
        let both = headers(&[("retry-after", "4s"), ("x-ratelimit-reset", "9")]);
        let only_reset = headers(&[("x-ratelimit-reset", "9")]);
        let hint = |h: &HeaderMap| classify(HttpMethod::Post, 429, h, b"").unwrap().server_hint;
        assert_eq!(hint(&both), Some(Duration::from_secs(4)));
        assert_eq!(hint(&only_reset), Some(Duration::from_secs(9)));
        assert_eq!(hint(&HeaderMap::new()), None);
    }

    #[test]
    fn what_is_retried() {
        let h = HeaderMap::new();
        let reason = |m, s, b: &[u8]| classify(m, s, &h, b).map(|r| r.reason);
        for method in [HttpMethod::Get, HttpMethod::Post, HttpMethod::Delete] {
            assert_eq!(reason(method, 429, b""), Some(RetryReason::RateLimited));
            assert_eq!(
                reason(method, 409, br#"{"code":"EDIT_LOCK_NOT_AVAILABLE"}"#),
                Some(RetryReason::EditLock)
            );
            assert_eq!(
                reason(
                    method,
                    409,
                    br#"{"id":"api.concurrent.access.error","reason":"x"}"#
                ),
                Some(RetryReason::EditLock)
            );
            assert_eq!(reason(method, 409, br#"{"code":"DUPLICATE_ITEM"}"#), None);
            assert_eq!(reason(method, 403, br#"{"code":"LIMIT_EXCEEDED"}"#), None);
            assert_eq!(reason(method, 400, b""), None);
        }
        for status in [500, 502, 503, 504] {
            assert_eq!(
                reason(HttpMethod::Get, status, b""),
                Some(RetryReason::ServerError)
            );
            for write in [
                HttpMethod::Post,
                HttpMethod::Put,
                HttpMethod::Patch,
                HttpMethod::Delete,
            ] {
                assert_eq!(reason(write, status, b""), None, "{write:?} {status}");
            }
        }
    }

    #[test]
    fn waits_stay_within_the_cap() {
        let cap = Duration::from_secs(5);
        for attempt in 0..40 {
            let w = wait_before_retry(attempt, None, cap);
            assert!(w <= cap, "attempt {attempt}: {w:?}");
            let step = BASE_BACKOFF
                .saturating_mul(2u32.saturating_pow(attempt.min(16)))
                .min(cap);
            assert!(w >= step / 2, "attempt {attempt}: {w:?}");
        }
        assert_eq!(
            wait_before_retry(0, Some(Duration::from_secs(3600)), cap),
            cap
        );
        assert_eq!(
            wait_before_retry(3, Some(Duration::from_secs(1)), cap),
            Duration::from_secs(1)
        );
    }
}
