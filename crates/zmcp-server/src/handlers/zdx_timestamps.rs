//! ZDX reads with readable times: the catalog entry's own request (every page of a list),
//! then each epoch-second time field becomes an ISO-8601 string and the number is kept next to
//! it as `<key>_epoch`, as the Python server's `convert_timestamps` does. Models misread raw
//! epoch numbers; the kept number still allows arithmetic and sorting.

use serde_json::Value;
use zmcp_catalog::plan_request;

use super::HandlerCall;
use crate::dispatch::{fetch, now_epoch_secs, page_style, to_api_request};
use crate::outcome::{Produced, ToolFailure};

/// 2000-01-01 and 2100-01-01: numbers outside are not epoch seconds (ids, counts, ms).
const PLAUSIBLE_EPOCH_SECS: std::ops::RangeInclusive<i64> = 946_684_800..=4_102_444_800;
/// Key endings that name a point in time in ZDX bodies (`started_on`, `created_at`, ...).
const TIME_SUFFIXES: [&str; 3] = ["_on", "_at", "_time"];
/// Whole keys that name a point in time.
const TIME_KEYS: [&str; 3] = ["timestamp", "t0", "t1"];

/// Runs the entry's request (walking pages for lists) and rewrites its times.
pub async fn run(call: HandlerCall<'_>) -> Result<Produced, ToolFailure> {
    let plan = plan_request(call.spec, call.args, call.tenant, now_epoch_secs())?;
    let paging = page_style(call.spec).filter(|_| call.spec.list && !plan.single_page);
    let mut produced = fetch(call.client, to_api_request(plan), paging, call.max_items).await?;
    readable_times(&mut produced.value);
    Ok(produced)
}

/// Rewrites every time field of `value`, at any depth.
fn readable_times(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(readable_times),
        Value::Object(map) => {
            let times: Vec<(String, i64)> = map
                .iter()
                .filter(|(key, _)| is_time_key(key))
                .filter_map(|(key, v)| epoch_secs(v).map(|secs| (key.clone(), secs)))
                .collect();
            for (key, secs) in times {
                let epoch_key = format!("{key}_epoch");
                if let Some(original) = map.insert(key, Value::String(iso8601(secs))) {
                    map.insert(epoch_key, original);
                }
            }
            map.values_mut().for_each(readable_times);
        }
        _ => {}
    }
}

fn is_time_key(key: &str) -> bool {
    TIME_KEYS.contains(&key) || TIME_SUFFIXES.iter().any(|suffix| key.ends_with(suffix))
}

/// The value as epoch seconds when it is a plausible one (integer or integral float).
fn epoch_secs(value: &Value) -> Option<i64> {
    let secs = value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| f as i64)
    })?;
    PLAUSIBLE_EPOCH_SECS.contains(&secs).then_some(secs)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for epoch seconds (proleptic Gregorian, UTC).
fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn iso_dates_match_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_773_370_207), "2026-03-13T02:50:07Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn time_fields_become_iso_and_keep_the_epoch() {
        let mut body = json!({"alerts": [{"id": 1_773_370_207_i64, "started_on": 1_773_370_207,
            "ended_on": 0, "datapoints": [{"timestamp": 1_773_370_207, "value": 5}]}]});
        readable_times(&mut body);
        let alert = body["alerts"][0].as_object().unwrap().clone();
        assert_eq!(alert["started_on"], "2026-03-13T02:50:07Z");
        assert_eq!(alert["started_on_epoch"], 1_773_370_207);
        assert_eq!(alert["id"], 1_773_370_207_i64, "ids are not times");
        assert_eq!(alert["ended_on"], 0, "0 means unset and stays");
        assert!(!alert.contains_key("ended_on_epoch"));
        assert_eq!(
            alert["datapoints"][0]["timestamp"], "2026-03-13T02:50:07Z",
            "nested"
        );
    }
}
