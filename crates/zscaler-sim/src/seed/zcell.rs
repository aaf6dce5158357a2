//! ZCell seed data: `data/zcell.json` (customer, regions, SIMs, tags, SIM location groups,
//! anomaly policies with violations and logs, audit records, network events). Network events
//! carry `agoSecs` instead of a time, so they always fall in the recent past.

use serde_json::Value;

const ZCELL_JSON: &str = include_str!("../../data/zcell.json");

/// The ZCell data; an empty object if the bundled file were ever unreadable (a unit test
/// proves it is not).
pub(crate) fn data() -> Value {
    serde_json::from_str(ZCELL_JSON).unwrap_or_else(|_| Value::Object(Default::default()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_data_parses() {
        let data: serde_json::Value = serde_json::from_str(super::ZCELL_JSON).unwrap();
        assert_eq!(data["sims"].as_array().unwrap().len(), 150);
    }
}
