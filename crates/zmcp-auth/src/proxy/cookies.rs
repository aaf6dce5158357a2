//! Browser cookies of the facade's sign-in: the consent page's CSRF cookie and the cookie
//! that binds a sign-in sent to the provider to the browser that approved it.
//!
//! Each cookie is named after the value it vouches for (a tag of its hash), so parallel
//! sign-ins in one browser do not overwrite each other, and holds a MAC of that value under
//! a server key: it cannot be forged, and a cookie from the attacker's own browser is of
//! no use in the victim's. On an https base URL the names carry the `__Host-` prefix and
//! `Secure` (no subdomain can plant them); `SameSite=Lax` because the provider's redirect
//! back is a cross-site top-level navigation.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};

use super::sealed::StateKeys;

/// What a cookie vouches for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// The consent form's CSRF token (double submit).
    Csrf,
    /// The `state` of a sign-in this browser approved.
    Binding,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::Csrf => "csrf",
            Purpose::Binding => "bind",
        }
    }
}

/// Makes and checks the cookies for one base URL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cookies {
    secure: bool,
}

impl Cookies {
    /// `secure` when the base URL is https.
    pub(crate) fn new(secure: bool) -> Self {
        Self { secure }
    }

    fn name(self, purpose: Purpose, value: &str) -> String {
        let digest = Sha256::digest(value.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(digest.get(..12).unwrap_or_default());
        let prefix = if self.secure { "__Host-" } else { "" };
        format!("{prefix}zmcp-{}-{tag}", purpose.label())
    }

    /// The `Set-Cookie` value vouching for `value` for `max_age_secs`.
    pub(crate) fn issue(
        self,
        keys: &StateKeys,
        purpose: Purpose,
        value: &str,
        max_age_secs: u64,
    ) -> Option<HeaderValue> {
        let mac = keys.cookie_mac(purpose.label(), value);
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={mac}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
            self.name(purpose, value)
        ))
        .ok()
    }

    /// The `Set-Cookie` value that deletes the cookie for `value`.
    pub(crate) fn clear(self, purpose: Purpose, value: &str) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
            self.name(purpose, value)
        ))
        .ok()
    }

    /// Whether the request carries a valid cookie vouching for `value`.
    pub(crate) fn vouches(
        self,
        keys: &StateKeys,
        headers: &HeaderMap,
        purpose: Purpose,
        value: &str,
    ) -> bool {
        let name = self.name(purpose, value);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(n, mac)| n == name && keys.cookie_mac_matches(purpose.label(), value, mac))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).unwrap(),
        );
        headers
    }

    #[test]
    fn a_cookie_vouches_only_for_its_value_and_purpose() {
        let keys = StateKeys::derive(b"k").unwrap();
        let cookies = Cookies::new(false);
        let set = cookies
            .issue(&keys, Purpose::Binding, "state-1", 600)
            .unwrap();
        let text = set.to_str().unwrap();
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax"),
            "{text}"
        );
        assert!(
            !text.contains("Secure") && !text.starts_with("__Host-"),
            "{text}"
        );
        let headers = request_with(&set);
        assert!(cookies.vouches(&keys, &headers, Purpose::Binding, "state-1"));
        assert!(!cookies.vouches(&keys, &headers, Purpose::Binding, "state-2"));
        assert!(!cookies.vouches(&keys, &headers, Purpose::Csrf, "state-1"));
        let other_server = StateKeys::derive(b"other").unwrap();
        assert!(!cookies.vouches(&other_server, &headers, Purpose::Binding, "state-1"));
        assert!(!cookies.vouches(&keys, &HeaderMap::new(), Purpose::Binding, "state-1"));
    }

    #[test]
    fn https_cookies_are_host_only_and_secure() {
        let keys = StateKeys::derive(b"k").unwrap();
        let set = Cookies::new(true)
            .issue(&keys, Purpose::Csrf, "t", 60)
            .unwrap();
        let text = set.to_str().unwrap();
        assert!(text.starts_with("__Host-zmcp-csrf-"), "{text}");
        assert!(
            text.contains("; Secure") && text.contains("Path=/"),
            "{text}"
        );
        let cleared = Cookies::new(true).clear(Purpose::Csrf, "t").unwrap();
        assert!(cleared.to_str().unwrap().contains("Max-Age=0"));
    }
}
