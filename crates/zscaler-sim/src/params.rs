//! Query-string and form parsing that keeps repeated keys and never fails on odd input.

use axum::http::Uri;
use percent_encoding::percent_decode_str;

/// Decoded `key=value` pairs in arrival order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text (`+` is a space, `%2B` a plus sign).
    pub fn parse(raw: &str) -> Self {
        let pairs = raw
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (key, value) = part.split_once('=').unwrap_or((part, ""));
                (decode(key), decode(value))
            })
            .collect();
        Self(pairs)
    }

    /// The query of a request URI.
    pub fn from_uri(uri: &Uri) -> Self {
        Self::parse(uri.query().unwrap_or(""))
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key` (also `key[]`), each split on commas, empty parts dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        let bracketed = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| k == key || *k == bracketed)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `key` as an integer; `Err` names the parameter when it is not one.
    pub fn int(&self, key: &str) -> Result<Option<i64>, String> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| format!("{key} must be an integer")),
        }
    }

    /// `key` is the literal `true` (case-insensitive).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_is_space_and_encoded_plus_is_plus() {
        let p = Params::parse("search=name%2BEQ%2BCDE%20Segment+Group&x");
        assert_eq!(p.get("search"), Some("name+EQ+CDE Segment Group"));
        assert_eq!(p.get("x"), Some(""));
    }

    #[test]
    fn lists_split_commas_and_brackets() {
        let p = Params::parse("loc=1,2&loc%5B%5D=3");
        assert_eq!(p.list("loc"), vec!["1", "2", "3"]);
    }
}
