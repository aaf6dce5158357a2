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

    /// Applies the documented ZIA/ZPA per-method limit; `Err` when this request exceeds it.
    pub fn enforce(&mut self, product: Product, method: &Method) -> Result<(), Exceeded> {
        let Some((class, cap, length, rate_text)) = documented_limit(product, method) else {
            return Ok(());
        };
        let now = Instant::now();
        let hits = self.enforced.entry((product, class)).or_default();
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= length)
        {
            hits.pop_front();
        }
        if hits.len() >= cap {
            let oldest = hits.front().copied().unwrap_or(now);
            let wait = length.saturating_sub(now.duration_since(oldest));
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(Exceeded {
                retry_after_secs: secs.max(1),
                rate_text,
            });
        }
        hits.push_back(now);
        Ok(())
    }
}

/// (method class, capacity, window, ZIA wording) per the public limits (zscaler-api.md 3.1).
fn documented_limit(
    product: Product,
    method: &Method,
) -> Option<(&'static str, usize, Duration, &'static str)> {
    let second = Duration::from_secs(1);
    match product {
        Product::Zia if method == Method::GET => Some(("get", 2, second, "2/SECOND")),
        Product::Zia if method == Method::DELETE => {
            Some(("delete", 1, Duration::from_secs(60), "1/MINUTE"))
        }
        Product::Zia => Some(("write", 1, second, "1/SECOND")),
        Product::Zpa if method == Method::GET => {
            Some(("get", 20, Duration::from_secs(10), "20/10SECONDS"))
        }
        Product::Zpa => Some(("write", 10, Duration::from_secs(10), "10/10SECONDS")),
        _ => None,
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
    fn gateway_window_counts_down() {
        let mut w = RateWindows::default();
        assert_eq!(w.count(Product::Zia).remaining, 4999);
        assert_eq!(w.count(Product::Zia).remaining, 4998);
        assert_eq!(w.count(Product::Zpa).remaining, 4999);
    }
}
