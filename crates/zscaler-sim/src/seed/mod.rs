//! The demo tenant "Acme Corp": deterministic seed data (no randomness, so tests can rely on
//! e.g. the first segment group).

pub(crate) mod people;
pub(crate) mod zcc;
pub(crate) mod zcell;
pub(crate) mod zdx;
pub(crate) mod zeasm;
pub(crate) mod zia;
pub(crate) mod zid;
pub(crate) mod zins;
pub(crate) mod zms;
pub(crate) mod zpa;
pub(crate) mod ztw;

/// A fixed "now" for seeded timestamps (2026-03-13T02:50:07Z), so seeds never change.
pub(crate) const SEED_EPOCH: u64 = 1_773_370_207;

/// Overlays `patch`'s fields onto `base` (both objects).
pub(crate) fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    if let (Some(base), serde_json::Value::Object(patch)) = (base.as_object_mut(), patch) {
        base.extend(patch);
    }
}
