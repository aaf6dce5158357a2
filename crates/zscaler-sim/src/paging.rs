//! Each product's paging convention: ZIA `page`/`pageSize` bare arrays, ZPA
//! `page`/`pagesize` envelopes with string counts, ZDX opaque `offset` cursors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::params::Params;

/// ZPA's default and largest page sizes.
const ZPA_DEFAULT_PAGE_SIZE: i64 = 20;
const ZPA_MAX_PAGE_SIZE: i64 = 500;

/// The 1-based `page` of `items` with `size` items per page (empty past the end).
fn slice_page(items: Vec<Value>, page: i64, size: i64) -> Vec<Value> {
    let size = usize::try_from(size).unwrap_or(usize::MAX).max(1);
    let skip = usize::try_from(page.saturating_sub(1))
        .unwrap_or(0)
        .saturating_mul(size);
    items.into_iter().skip(skip).take(size).collect()
}

/// ZIA: a bare array page. `Err` carries the message of ZIA's 400.
pub(crate) fn zia_page(
    items: Vec<Value>,
    params: &Params,
    default_size: i64,
    max_size: i64,
) -> Result<Vec<Value>, String> {
    let page = params.int("page")?.unwrap_or(1);
    let size = params.int("pageSize")?.unwrap_or(default_size);
    if page < 1 {
        return Err("page must be at least 1".into());
    }
    if size < 1 {
        return Err("pageSize must be at least 1".into());
    }
    Ok(slice_page(items, page, size.min(max_size)))
}

/// ZPA: `{"totalPages":"N","totalCount":"M","list":[...]}`. `Err` carries the reason of
/// ZPA's 400.
pub(crate) fn zpa_page(items: Vec<Value>, params: &Params) -> Result<Value, String> {
    let page = params.int("page")?.unwrap_or(1);
    let size = params.int("pagesize")?.unwrap_or(ZPA_DEFAULT_PAGE_SIZE);
    if page < 1 {
        return Err("page must be at least 1".into());
    }
    if !(1..=ZPA_MAX_PAGE_SIZE).contains(&size) {
        return Err(format!(
            "pagesize must be between 1 and {ZPA_MAX_PAGE_SIZE}"
        ));
    }
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let pages = (total + size - 1) / size;
    Ok(json!({
        "totalPages": pages.to_string(),
        "totalCount": total.to_string(),
        "list": slice_page(items, page, size),
    }))
}

/// ZDX: the window `[start, end)` of a list of `total` items and the cursor for the next one.
pub(crate) struct ZdxWindow {
    pub start: usize,
    pub end: usize,
    pub next_offset: Option<String>,
}

/// Reads ZDX `limit` (default 10) and `offset` (a cursor this function issued).
pub(crate) fn zdx_window(total: usize, params: &Params) -> Result<ZdxWindow, String> {
    let limit = params.int("limit")?.unwrap_or(10);
    if !(1..=1000).contains(&limit) {
        return Err("limit must be between 1 and 1000".into());
    }
    let limit = usize::try_from(limit).unwrap_or(10);
    let start = match params.get("offset").filter(|o| !o.is_empty()) {
        None => 0,
        Some(cursor) => decode_cursor(cursor).ok_or("offset is not a valid cursor")?,
    };
    let start = start.min(total);
    let end = start.saturating_add(limit).min(total);
    let next_offset = (end < total).then(|| encode_cursor(end));
    Ok(ZdxWindow {
        start,
        end,
        next_offset,
    })
}

fn encode_cursor(position: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("pos:{position}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("pos:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!(i)).collect()
    }

    #[test]
    fn zpa_counts_are_strings_and_size_is_bounded() {
        let page = zpa_page(items(45), &Params::parse("page=3")).unwrap();
        assert_eq!(page["totalPages"], "3");
        assert_eq!(page["totalCount"], "45");
        assert_eq!(page["list"].as_array().unwrap().len(), 5);
        assert!(zpa_page(items(1), &Params::parse("pagesize=501")).is_err());
        let empty = zpa_page(Vec::new(), &Params::default()).unwrap();
        assert_eq!(empty["totalPages"], "0");
    }

    #[test]
    fn zia_pages_are_one_based() {
        let page = zia_page(items(5), &Params::parse("page=2&pageSize=2"), 100, 1000).unwrap();
        assert_eq!(page, vec![json!(2), json!(3)]);
        assert!(zia_page(items(5), &Params::parse("page=0"), 100, 1000).is_err());
    }

    #[test]
    fn zdx_cursor_round_trips() {
        let w = zdx_window(25, &Params::parse("limit=10")).unwrap();
        let next = w.next_offset.unwrap();
        let w2 = zdx_window(25, &Params::parse(&format!("limit=10&offset={next}"))).unwrap();
        assert_eq!((w2.start, w2.end), (10, 20));
        assert!(zdx_window(25, &Params::parse("offset=garbage!")).is_err());
    }
}
