//! The product APIs behind the gateway, one module each.

pub(crate) mod zdx;
pub(crate) mod zia;
pub(crate) mod zins;
pub(crate) mod zpa;
