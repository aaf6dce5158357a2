//! The authorization-server facade (`OIDCPROXY_FLOW=proxy`).

use super::*;
