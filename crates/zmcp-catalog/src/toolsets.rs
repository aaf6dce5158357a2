//! The toolset ids the Python server defines, so `--toolsets` can be checked even for
//! toolsets whose tools this build does not carry yet.

/// Every toolset id, sorted.
pub const KNOWN_TOOLSETS: &[&str] = &[
    "zcc_devices",
    "zcc_forwarding_profiles",
    "zcc_trusted_networks",
    "zcell_anomaly_policy",
    "zcell_audit_data_handling",
    "zcell_customer_data_handling",
    "zcell_customer_region_handling",
    "zcell_network_events",
    "zcell_sim_analytics",
    "zcell_sim_handling",
    "zcell_sim_location_groups",
    "zcell_tag_handling",
    "zdx_alerts",
    "zdx_reports",
    "zdx_software_inventory",
    "zdx_troubleshooting",
    "zeasm",
    "zeasm_findings",
    "zeasm_lookalike_domains",
    "zia_admin",
    "zia_advanced_settings",
    "zia_atp_malware",
    "zia_atp_policy",
    "zia_authentication_settings",
    "zia_cloud_app_control",
    "zia_cloud_firewall",
    "zia_devices",
    "zia_dlp",
    "zia_file_type_control",
    "zia_locations",
    "zia_misc",
    "zia_rule_labels",
    "zia_sandbox",
    "zia_shadow_it",
    "zia_ssl_inspection",
    "zia_time_intervals",
    "zia_url_categories",
    "zia_url_filtering",
    "zia_users",
    "zia_workload_groups",
    "zid_groups",
    "zid_users",
    "zins_cyber_security",
    "zins_firewall",
    "zins_iot",
    "zins_saas",
    "zins_shadow_it",
    "zins_web_traffic",
    "zms",
    "zpa_access_policies",
    "zpa_app_connector_groups",
    "zpa_app_segments",
    "zpa_application_servers",
    "zpa_ba_certificates",
    "zpa_connectors",
    "zpa_idp",
    "zpa_misc",
    "zpa_pra",
    "zpa_provisioning_keys",
    "zpa_segment_groups",
    "zpa_server_groups",
    "zpa_service_edge_groups",
    "ztw",
];

/// Whether `id` is a toolset id the Python server knows.
pub fn is_known_toolset(id: &str) -> bool {
    KNOWN_TOOLSETS.binary_search(&id).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_unique_and_complete() {
        assert!(KNOWN_TOOLSETS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(KNOWN_TOOLSETS.len(), 63);
        assert!(is_known_toolset("zpa_segment_groups"));
        assert!(!is_known_toolset("zpa_segment_group"));
    }
}
