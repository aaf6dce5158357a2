//! The product APIs behind the gateway, one module each.

pub(crate) mod zcc;
pub(crate) mod zcell;
pub(crate) mod zdx;
pub(crate) mod zdx_troubleshoot;
pub(crate) mod zeasm;
pub(crate) mod zia;
pub(crate) mod zid;
pub(crate) mod zins;
pub(crate) mod zms;
pub(crate) mod zpa;
pub(crate) mod ztw;
