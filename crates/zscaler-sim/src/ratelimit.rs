//! Rate-limit bookkeeping: the gateway's per-product `x-ratelimit-*` windows and, when enabled,
//! the documented ZIA/ZPA per-method limits that answer 429.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::http::Method;

/// Which product a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Product {
    Token,
    Zia,
    Zpa,
    Zdx,
    Zins,
    Other,
}

impl Product {
    pub fn of_path(path: &str) -> Self {
        if path.starts_with("/oauth2/") {
            Self::Token
        } else if path.starts_with("/zia/") {
            Self::Zia
        } else if path.starts_with("/zpa/") {
            Self::Zpa
        } else if path.starts_with("/zdx/") {
            Self::Zdx
        } else if path.starts_with("/zins/") {
            Self::Zins
        } else {
            Self::Other
        }
    }

    /// The `service-info` `prd` value that entitles a token to this product.
    pub fn entitlement(self) -> Option<&'static str> {
        match self {
            Self::Zia => Some("ZIA"),
            Self::Zpa => Some("ZPA"),
            Self::Zdx => Some("ZDX"),
            Self::Zins => Some("ZINSIGHTS"),
            Self::Token | Self::Other => None,
        }
    }

    /// The gateway window: header text, capacity, window length.
    fn gateway_window(self) -> (&'static str, u64, Duration) {
        match self {
            Self::Token => ("500, 500;w=1, 100000;w=60", 500, Duration::from_secs(1)),
            Self::Zia | Self::Zpa => ("5000, 5000;w=60", 5000, Duration::from_secs(60)),
            Self::Zdx | Self::Zins | Self::Other => {
                ("1000, 1000;w=1", 1000, Duration::from_secs(1))
            }
        }
    }
}

/// The three `x-ratelimit-*` header values for one response.
pub(crate) struct RateHeaders {
    pub limit: &'static str,
    pub remaining: u64,
    pub reset_secs: u64,
}

/// A documented per-method limit that was exceeded.
pub(crate) struct Exceeded {
    pub retry_after_secs: u64,
    /// ZIA's wording, e.g. `2/SECOND`.
    pub rate_text: &'static str,
}

#[derive(Default)]
struct Window {
    started: Option<Instant>,
    count: u64,
}

/// Counters for every product window and enforced limit.
#[derive(Default)]
pub(crate) struct RateWindows {
    gateway: HashMap<Product, Window>,
    enforced: HashMap<(Product, &'static str), VecDeque<Instant>>,
}

impl RateWindows {
    /// Counts one request against the product's gateway window.
    pub fn count(&mut self, product: Product) -> RateHeaders {
        let (limit, capacity, length) = product.gateway_window();
        let now = Instant::now();
        let window = self.gateway.entry(product).or_default();
        let started = match window.started {
            Some(start) if now.duration_since(start) < length => start,
            _ => {
                window.count = 0;
                window.started = Some(now);
                now
            }
        };
        window.count = window.count.saturating_add(1);
        let left = length.saturating_sub(now.duration_since(started));
        RateHeaders {
            limit,
            remaining: capacity.saturating_sub(window.count),
            reset_secs: left.as_secs().max(1),
        }
    }

    /// Applies the documented ZIA/ZPA per-method limits (ZIA has a short window and an hourly
    /// one per method); `Err` names the first limit this request exceeds. A refused request
    /// counts against no window.
    pub fn enforce(&mut self, product: Product, method: &Method) -> Result<(), Exceeded> {
        let now = Instant::now();
        let limits = documented_limits(product, method);
        for limit in limits {
            let hits = self.enforced.entry((product, limit.class)).or_default();
            while hits
                .front()
                .is_some_and(|t| now.duration_since(*t) >= limit.window)
            {
                hits.pop_front();
            }
            if hits.len() >= limit.cap {
                let oldest = hits.front().copied().unwrap_or(now);
                let wait = limit.window.saturating_sub(now.duration_since(oldest));
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                return Err(Exceeded {
                    retry_after_secs: secs.max(1),
                    rate_text: limit.text,
                });
            }
        }
        for limit in limits {
            self.enforced
                .entry((product, limit.class))
                .or_default()
                .push_back(now);
        }
        Ok(())
    }
}

/// One documented limit: a counter key, its capacity per window, and ZIA's wording.
struct Limit {
    class: &'static str,
    cap: usize,
    window: Duration,
    text: &'static str,
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// ZIA (help page "API Rate Limit Summary"): GET 2/s and 1000/h, POST/PUT 1/s and 400/h,
/// DELETE 1/min and 4/h. ZPA: 20 GET and 10 writes per 10 s (zscaler-api.md 3.1).
const ZIA_GET: [Limit; 2] = [
    Limit {
        class: "get",
        cap: 2,
        window: SECOND,
        text: "2/SECOND",
    },
    Limit {
        class: "get/hour",
        cap: 1000,
        window: HOUR,
        text: "1000/HOUR",
    },
];
const ZIA_WRITE: [Limit; 2] = [
    Limit {
        class: "write",
        cap: 1,
        window: SECOND,
        text: "1/SECOND",
    },
    Limit {
        class: "write/hour",
        cap: 400,
        window: HOUR,
        text: "400/HOUR",
    },
];
const ZIA_DELETE: [Limit; 2] = [
    Limit {
        class: "delete",
        cap: 1,
        window: MINUTE,
        text: "1/MINUTE",
    },
    Limit {
        class: "delete/hour",
        cap: 4,
        window: HOUR,
        text: "4/HOUR",
    },
];
const ZPA_GET: [Limit; 1] = [Limit {
    class: "get",
    cap: 20,
    window: Duration::from_secs(10),
    text: "20/10SECONDS",
}];
const ZPA_WRITE: [Limit; 1] = [Limit {
    class: "write",
    cap: 10,
    window: Duration::from_secs(10),
    text: "10/10SECONDS",
}];

fn documented_limits(product: Product, method: &Method) -> &'static [Limit] {
    match product {
        Product::Zia if method == Method::GET => &ZIA_GET,
        Product::Zia if method == Method::DELETE => &ZIA_DELETE,
        Product::Zia => &ZIA_WRITE,
        Product::Zpa if method == Method::GET => &ZPA_GET,
        Product::Zpa => &ZPA_WRITE,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zia_delete_limit_is_one_per_minute() {
        let mut w = RateWindows::default();
        assert!(w.enforce(Product::Zia, &Method::DELETE).is_ok());
        let err = w.enforce(Product::Zia, &Method::DELETE).err().unwrap();
        assert_eq!(err.rate_text, "1/MINUTE");
        assert!(err.retry_after_secs >= 1);
        assert!(w.enforce(Product::Zdx, &Method::DELETE).is_ok());
    }

    #[test]
    fn zia_hourly_caps_apply_behind_the_short_windows() {
        let mut w = RateWindows::default();
        let past = Instant::now()
            .checked_sub(Duration::from_secs(120))
            .unwrap();
        // Four deletes earlier this hour, each outside the one-per-minute window.
        w.enforced.insert(
            (Product::Zia, "delete/hour"),
            std::iter::repeat_n(past, 4).collect(),
        );
        let err = w.enforce(Product::Zia, &Method::DELETE).err().unwrap();
        assert_eq!(err.rate_text, "4/HOUR");
        assert!(err.retry_after_secs > 60, "{}", err.retry_after_secs);
        assert!(
            w.enforced
                .get(&(Product::Zia, "delete"))
                .is_none_or(|h| h.is_empty()),
            "a refused request is not counted"
        );
    }

    #[test]
    fn gateway_window_counts_down() {
        let mut w = RateWindows::default();
        assert_eq!(w.count(Product::Zia).remaining, 4999);
        assert_eq!(w.count(Product::Zia).remaining, 4998);
        assert_eq!(w.count(Product::Zpa).remaining, 4999);
    }
}
