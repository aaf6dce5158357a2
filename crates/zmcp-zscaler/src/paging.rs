//! Each product's paging convention (zscaler-api.md 4) as a walk: where the first page is,
//! which records a page holds, and where the next one is.

use std::collections::HashSet;

use serde_json::Value;
use url::Url;

use crate::{ApiError, PageStyle};

/// ZIA `pageSize`: the largest size the ZIA list APIs accept (the users API caps at 1000);
/// the Go SDK uses the same.
pub(crate) const ZIA_PAGE_SIZE: usize = 1000;
/// ZPA `pagesize`: the documented maximum.
pub(crate) const ZPA_PAGE_SIZE: usize = 500;
/// ZIdentity `limit`: the documented maximum.
pub(crate) const ZID_PAGE_SIZE: usize = 1000;
/// ZCell `size`: the documented maximum.
pub(crate) const ZCELL_PAGE_SIZE: usize = 100;

/// Where the next page request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The list path again, with these paging parameters replacing same-named ones.
    Query(Vec<(String, String)>),
    /// An absolute URL the server handed out, already checked as trusted.
    Url(Url),
}

/// What one page said.
#[derive(Debug)]
pub(crate) struct PageOutcome {
    /// The page's records.
    pub records: Vec<Value>,
    /// The next page, if any.
    pub next: Next,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// This was the last page.
    Done,
    /// Fetch this next.
    Fetch(Step),
    /// The server pointed back at a page already fetched; following would never end.
    Repeated,
}

/// The state of one walk over a list.
pub(crate) struct PageWalk<'a> {
    style: &'a PageStyle,
    /// The page number of the page just requested (1-based, ZCell 0-based).
    page: u64,
    seen_cursors: HashSet<String>,
    trusted: &'a (dyn Fn(&Url) -> bool + Sync),
}

impl<'a> PageWalk<'a> {
    /// `trusted` decides whether an absolute ZIdentity `next_link` may receive the token.
    pub(crate) fn new(style: &'a PageStyle, trusted: &'a (dyn Fn(&Url) -> bool + Sync)) -> Self {
        let page = u64::from(*style != PageStyle::Zcell);
        Self {
            style,
            page,
            seen_cursors: HashSet::new(),
            trusted,
        }
    }

    /// The paging parameters of the first request.
    pub(crate) fn first(&self) -> Step {
        Step::Query(match self.style {
            PageStyle::Zia => page_params("pageSize", ZIA_PAGE_SIZE, 1),
            PageStyle::Zpa => page_params("pagesize", ZPA_PAGE_SIZE, 1),
            PageStyle::Zcell => page_params("size", ZCELL_PAGE_SIZE, 0),
            PageStyle::Zdx { .. } => Vec::new(),
            PageStyle::Zid => vec![("limit".to_owned(), ZID_PAGE_SIZE.to_string())],
        })
    }

    /// Reads the page just fetched. An empty page always ends the walk, so a server that
    /// keeps promising more without sending any cannot keep the client busy.
    pub(crate) fn read(&mut self, body: Value) -> Result<PageOutcome, ApiError> {
        let (records, next) = match self.style {
            PageStyle::Zia => {
                let records = bare_array(body, "ZIA")?;
                let full = records.len() >= ZIA_PAGE_SIZE;
                (
                    records,
                    full.then(|| self.next_page("pageSize", ZIA_PAGE_SIZE)),
                )
            }
            PageStyle::Zpa => self.read_numbered(body, "list", "pagesize", ZPA_PAGE_SIZE)?,
            PageStyle::Zcell => self.read_numbered(body, "content", "size", ZCELL_PAGE_SIZE)?,
            PageStyle::Zdx { items_key } => self.read_zdx(body, items_key.as_deref())?,
            PageStyle::Zid => self.read_zid(body)?,
        };
        let next = match next {
            _ if records.is_empty() => Next::Done,
            None => Next::Done,
            Some(next) => next,
        };
        Ok(PageOutcome { records, next })
    }

    fn next_page(&mut self, size_name: &str, size: usize) -> Next {
        self.page += 1;
        Next::Fetch(Step::Query(page_params(size_name, size, self.page)))
    }

    /// ZPA and ZCell: an envelope with `totalPages` (a string in ZPA, a number in ZCell).
    /// A few ZPA endpoints answer with a bare array, which is the whole list.
    fn read_numbered(
        &mut self,
        body: Value,
        items_key: &str,
        size_name: &str,
        size: usize,
    ) -> Result<(Vec<Value>, Option<Next>), ApiError> {
        let Value::Object(mut envelope) = body else {
            return Ok((bare_array(body, "paged")?, None));
        };
        let records = take_array(&mut envelope, items_key)?;
        let total_pages = envelope.get("totalPages").and_then(as_u64).unwrap_or(0);
        let last_index = match self.style {
            PageStyle::Zcell => total_pages.saturating_sub(1),
            _ => total_pages,
        };
        let more = self.page < last_index;
        Ok((records, more.then(|| self.next_page(size_name, size))))
    }

    /// ZDX: records under a key (or a bare array), `next_offset` as the cursor.
    fn read_zdx(
        &mut self,
        body: Value,
        items_key: Option<&str>,
    ) -> Result<(Vec<Value>, Option<Next>), ApiError> {
        let (records, cursor) = match (body, items_key) {
            (Value::Object(mut envelope), Some(key)) => {
                let cursor = envelope.get("next_offset").and_then(cursor_text);
                (take_array(&mut envelope, key)?, cursor)
            }
            (body, _) => (bare_array(body, "ZDX")?, None),
        };
        let next = cursor.map(|cursor| {
            self.cursor_step(cursor.clone(), || {
                Step::Query(vec![("offset".to_owned(), cursor)])
            })
        });
        Ok((records, next))
    }

    /// ZIdentity: records under `records`, `next_link` as the cursor. A link to a host that
    /// may not see the token is not followed; its query is replayed on the gateway path.
    fn read_zid(&mut self, body: Value) -> Result<(Vec<Value>, Option<Next>), ApiError> {
        let Value::Object(mut envelope) = body else {
            return Ok((bare_array(body, "ZIdentity")?, None));
        };
        let records = take_array(&mut envelope, "records")?;
        let link = envelope.get("next_link").and_then(cursor_text);
        let next = link.map(|link| {
            let step = match Url::parse(&link) {
                Ok(url) if (self.trusted)(&url) => Step::Url(url),
                Ok(url) => Step::Query(query_pairs(&url)),
                Err(_) => Step::Query(relative_query(&link)),
            };
            self.cursor_step(link, || step)
        });
        Ok((records, next))
    }

    fn cursor_step(&mut self, cursor: String, step: impl FnOnce() -> Step) -> Next {
        if self.seen_cursors.insert(cursor) {
            Next::Fetch(step())
        } else {
            Next::Repeated
        }
    }
}

fn page_params(size_name: &str, size: usize, page: u64) -> Vec<(String, String)> {
    vec![
        ("page".to_owned(), page.to_string()),
        (size_name.to_owned(), size.to_string()),
    ]
}

/// Merges paging parameters into a request's own query, replacing same-named ones.
pub(crate) fn merge_query(
    own: &[(String, String)],
    paging: &[(String, String)],
) -> Vec<(String, String)> {
    own.iter()
        .filter(|(name, _)| !paging.iter().any(|(p, _)| p == name))
        .chain(paging)
        .cloned()
        .collect()
}

fn query_pairs(url: &Url) -> Vec<(String, String)> {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The query of a relative link such as `/admin/api/v1/users?offset=100`.
fn relative_query(link: &str) -> Vec<(String, String)> {
    let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A cursor value; null, empty and non-scalar values mean "no next page".
fn cursor_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The records under `key`; an absent or null key is an empty page (ZPA omits `list` on
/// empty results).
fn take_array(
    envelope: &mut serde_json::Map<String, Value>,
    key: &str,
) -> Result<Vec<Value>, ApiError> {
    match envelope.remove(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(records)) => Ok(records),
        Some(_) => Err(ApiError::InvalidResponse(format!(
            "expected `{key}` to be a list of records"
        ))),
    }
}

fn bare_array(body: Value, product: &str) -> Result<Vec<Value>, ApiError> {
    match body {
        Value::Array(records) => Ok(records),
        Value::Null => Ok(Vec::new()),
        _ => Err(ApiError::InvalidResponse(format!(
            "expected a {product} list (a JSON array)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn never(_: &Url) -> bool {
        false
    }

    fn records(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!({ "id": i })).collect()
    }

    fn query(next: &Next) -> Vec<(String, String)> {
        match next {
            Next::Fetch(Step::Query(q)) => q.clone(),
            other => panic!("expected a query step, got {other:?}"),
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn zia_walks_until_a_short_page() {
        let mut walk = PageWalk::new(&PageStyle::Zia, &never);
        assert_eq!(
            walk.first(),
            Step::Query(pairs(&[("page", "1"), ("pageSize", "1000")]))
        );
        let full = walk.read(Value::Array(records(ZIA_PAGE_SIZE))).unwrap();
        assert_eq!(
            query(&full.next),
            pairs(&[("page", "2"), ("pageSize", "1000")])
        );
        let short = walk.read(Value::Array(records(3))).unwrap();
        assert_eq!((short.records.len(), short.next), (3, Next::Done));
        assert!(walk.read(json!({"not": "a list"})).is_err());
    }

    #[test]
    fn zpa_reads_string_or_number_total_pages_and_missing_list() {
        let mut walk = PageWalk::new(&PageStyle::Zpa, &never);
        assert_eq!(
            walk.first(),
            Step::Query(pairs(&[("page", "1"), ("pagesize", "500")]))
        );
        let p1 = walk
            .read(json!({"totalPages": "2", "totalCount": "3", "list": records(2)}))
            .unwrap();
        assert_eq!(
            query(&p1.next),
            pairs(&[("page", "2"), ("pagesize", "500")])
        );
        let p2 = walk
            .read(json!({"totalPages": 2, "list": records(1)}))
            .unwrap();
        assert_eq!((p2.records.len(), p2.next), (1, Next::Done));

        let mut walk = PageWalk::new(&PageStyle::Zpa, &never);
        let empty = walk.read(json!({"totalPages": "0"})).unwrap();
        assert_eq!((empty.records.len(), empty.next), (0, Next::Done));
        let mut walk = PageWalk::new(&PageStyle::Zpa, &never);
        let bare = walk.read(Value::Array(records(4))).unwrap();
        assert_eq!((bare.records.len(), bare.next), (4, Next::Done));
    }

    #[test]
    fn zpa_stops_on_an_empty_page_despite_total_pages() {
        let mut walk = PageWalk::new(&PageStyle::Zpa, &never);
        let p = walk.read(json!({"totalPages": "99", "list": []})).unwrap();
        assert_eq!(p.next, Next::Done);
    }

    #[test]
    fn zcell_is_zero_based() {
        let mut walk = PageWalk::new(&PageStyle::Zcell, &never);
        assert_eq!(
            walk.first(),
            Step::Query(pairs(&[("page", "0"), ("size", "100")]))
        );
        let p0 = walk
            .read(json!({"content": records(2), "totalPages": 2}))
            .unwrap();
        assert_eq!(query(&p0.next), pairs(&[("page", "1"), ("size", "100")]));
        let p1 = walk
            .read(json!({"content": records(2), "totalPages": 2}))
            .unwrap();
        assert_eq!(p1.next, Next::Done);
    }

    #[test]
    fn zdx_follows_next_offset_and_detects_a_stuck_cursor() {
        let style = PageStyle::Zdx {
            items_key: Some("devices".into()),
        };
        let mut walk = PageWalk::new(&style, &never);
        assert_eq!(walk.first(), Step::Query(Vec::new()));
        let p1 = walk
            .read(json!({"devices": records(2), "next_offset": "c1"}))
            .unwrap();
        assert_eq!(query(&p1.next), pairs(&[("offset", "c1")]));
        let p2 = walk
            .read(json!({"devices": records(2), "next_offset": 7}))
            .unwrap();
        assert_eq!(query(&p2.next), pairs(&[("offset", "7")]));
        let again = walk
            .read(json!({"devices": records(2), "next_offset": "c1"}))
            .unwrap();
        assert_eq!(again.next, Next::Repeated);
        for end in [json!(null), json!(""), json!({})] {
            let p = walk
                .read(json!({"devices": records(1), "next_offset": end}))
                .unwrap();
            assert_eq!(p.next, Next::Done);
        }
    }

    #[test]
    fn zdx_bare_arrays_are_one_page() {
        let style = PageStyle::Zdx { items_key: None };
        let mut walk = PageWalk::new(&style, &never);
        let p = walk.read(Value::Array(records(3))).unwrap();
        assert_eq!((p.records.len(), p.next), (3, Next::Done));
    }

    #[test]
    fn zid_follows_trusted_links_and_replays_untrusted_ones_on_the_gateway() {
        let trusted = |url: &Url| url.host_str() == Some("acme-admin.zslogin.net");
        let mut walk = PageWalk::new(&PageStyle::Zid, &trusted);
        assert_eq!(walk.first(), Step::Query(pairs(&[("limit", "1000")])));
        let link = "https://acme-admin.zslogin.net/admin/api/v1/users?offset=100&limit=100";
        let p1 = walk
            .read(json!({"records": records(1), "next_link": link}))
            .unwrap();
        assert_eq!(p1.next, Next::Fetch(Step::Url(Url::parse(link).unwrap())));

        let evil = "https://evil.example/admin/api/v1/users?offset=200&limit=100";
        let p2 = walk
            .read(json!({"records": records(1), "next_link": evil}))
            .unwrap();
        assert_eq!(
            query(&p2.next),
            pairs(&[("offset", "200"), ("limit", "100")])
        );

        let relative = "/admin/api/v1/users?offset=300";
        let p3 = walk
            .read(json!({"records": records(1), "next_link": relative}))
            .unwrap();
        assert_eq!(query(&p3.next), pairs(&[("offset", "300")]));

        let p4 = walk
            .read(json!({"records": records(1), "next_link": relative}))
            .unwrap();
        assert_eq!(p4.next, Next::Repeated);
        let last = walk
            .read(json!({"records": records(1), "next_link": null}))
            .unwrap();
        assert_eq!(last.next, Next::Done);
    }

    #[test]
    fn paging_params_replace_the_requests_own() {
        let own = pairs(&[("search", "a b"), ("page", "9"), ("pagesize", "5")]);
        let merged = merge_query(&own, &pairs(&[("page", "2"), ("pagesize", "500")]));
        assert_eq!(
            merged,
            pairs(&[("search", "a b"), ("page", "2"), ("pagesize", "500")])
        );
    }
}
