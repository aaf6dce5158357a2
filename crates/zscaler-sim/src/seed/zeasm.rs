//! EASM seed data: two organizations (the parent company and an acquired subsidiary), their
//! exposed-asset findings and lookalike domains, in EASM's snake_case.

use serde_json::{Value, json};

use super::SEED_EPOCH;
use crate::products::zeasm::{EasmData, Organization};

/// Finding templates: (title, severity, category, CVE, CVSS, port).
const FINDINGS: &[(&str, &str, &str, &str, f64, u16)] = &[
    (
        "Expired TLS certificate",
        "medium",
        "certificate",
        "",
        5.3,
        443,
    ),
    (
        "Apache HTTP Server path traversal",
        "critical",
        "vulnerability",
        "CVE-2021-41773",
        9.8,
        80,
    ),
    (
        "OpenSSH user enumeration",
        "medium",
        "vulnerability",
        "CVE-2018-15473",
        5.3,
        22,
    ),
    (
        "RDP exposed to the internet",
        "high",
        "exposed_service",
        "",
        7.5,
        3389,
    ),
    (
        "Self-signed certificate",
        "low",
        "certificate",
        "",
        3.1,
        8443,
    ),
    (
        "Outdated jQuery library",
        "medium",
        "vulnerability",
        "CVE-2020-11023",
        6.1,
        443,
    ),
    (
        "Open directory listing",
        "medium",
        "misconfiguration",
        "",
        5.0,
        80,
    ),
    ("SMTP open relay", "high", "misconfiguration", "", 7.2, 25),
    (
        "Microsoft Exchange ProxyShell",
        "critical",
        "vulnerability",
        "CVE-2021-34473",
        9.8,
        443,
    ),
    (
        "Missing HSTS header",
        "info",
        "misconfiguration",
        "",
        0.0,
        443,
    ),
];

const HOSTS: &[&str] = &[
    "vpn.acme.com",
    "mail.acme.com",
    "dev.acme.com",
    "legacy-portal.acme.com",
    "jira.acme.com",
    "files.acme.com",
    "status.acme.com",
    "test-api.acme.com",
];

fn finding(index: usize, org_prefix: &str, hosts: &[&str]) -> (Value, Value) {
    let (title, severity, category, cve, cvss, port) = FINDINGS
        .get(index % FINDINGS.len())
        .copied()
        .unwrap_or(("Finding", "info", "misconfiguration", "", 0.0, 443));
    let host = hosts
        .get(index % hosts.len().max(1))
        .copied()
        .unwrap_or("acme.com");
    let id = format!("{org_prefix}-F{:04}", 1001 + index);
    let first_seen = SEED_EPOCH - 86_400 * (3 + index as u64 * 2);
    let summary = json!({
        "id": id, "title": title, "severity": severity, "category": category,
        "status": if index % 5 == 4 { "resolved" } else { "open" },
        "asset": host, "asset_type": "domain", "port": port,
        "cve_ids": if cve.is_empty() { json!([]) } else { json!([cve]) }, "cvss_score": cvss,
        "first_seen": first_seen, "last_seen": SEED_EPOCH - 3600 * index as u64,
    });
    let mut details = summary.clone();
    super::merge(
        &mut details,
        json!({
            "description": format!("{title} detected on {host}:{port}."),
            "remediation": match category {
                "certificate" => "Renew the certificate with a trusted CA and automate renewal.",
                "vulnerability" => "Apply the vendor patch or upgrade to a fixed version.",
                "exposed_service" => "Remove the service from the internet or put it behind ZPA.",
                _ => "Correct the configuration and re-scan.",
            },
            "references": if cve.is_empty() { json!([]) } else {
                json!([format!("https://nvd.nist.gov/vuln/detail/{cve}")]) },
            "evidence": {"finding_id": id, "collected_at": SEED_EPOCH,
                "items": [{"type": "http_response", "url": format!("https://{host}:{port}/"),
                           "content": format!("HTTP/1.1 200 OK\r\nServer: Apache/2.4.49\r\n\r\n<title>{host}</title>")}]},
            "scan_output": {"finding_id": id, "scanner": "zscaler-easm-scanner", "scanned_at": SEED_EPOCH,
                "output": format!("PORT {port}/tcp open\n| {title}\n|_ target: {host}")},
        }),
    );
    (summary, details)
}

/// Lookalike domains: (domain, registrar, has MX, risk).
const LOOKALIKES: &[(&str, &str, bool, &str)] = &[
    ("acme-login.com", "NameCheap, Inc.", true, "high"),
    ("acrne.com", "GoDaddy.com, LLC", true, "high"),
    ("acme-support.net", "Tucows Domains Inc.", false, "medium"),
    ("acmecorp-sso.com", "NameSilo, LLC", true, "high"),
    ("acme.co", "Gandi SAS", false, "low"),
    ("xn--acm-9ja.com", "Porkbun LLC", false, "medium"),
    ("acme-payroll.com", "NameCheap, Inc.", true, "high"),
    ("myacme.org", "Tucows Domains Inc.", false, "low"),
    ("acme-vpn.com", "GoDaddy.com, LLC", false, "medium"),
    ("acme-hr.info", "Porkbun LLC", true, "medium"),
    ("acmee.com", "Gandi SAS", false, "low"),
    ("acme-invoices.com", "NameSilo, LLC", true, "high"),
];

fn lookalike(
    index: usize,
    (domain, registrar, mx, risk): (&str, &str, bool, &str),
) -> (Value, Value) {
    let registered = SEED_EPOCH - 86_400 * (10 + 17 * index as u64);
    let summary = json!({
        "lookalike_raw": domain, "lookalike_domain": domain, "original_domain": "acme.com",
        "registrar": registrar, "created_on": registered, "has_mx_records": mx, "risk": risk,
        "status": if index % 4 == 3 { "taken_down" } else { "active" },
    });
    let mut details = summary.clone();
    super::merge(
        &mut details,
        json!({
            "whois": {"registrar": registrar, "registrant_country": "IS", "privacy_protected": true},
            "dns": {"a": [format!("185.199.{}.{}", 100 + index, 10 + index)],
                     "mx": if mx { json!([format!("mx1.{domain}")]) } else { json!([]) }},
            "web": {"title": if index.is_multiple_of(2) { "Acme Corp - Sign in" } else { "Domain parked" },
                     "screenshot_available": index.is_multiple_of(2)},
        }),
    );
    (summary, details)
}

/// The seeded EASM data.
pub(crate) fn data() -> EasmData {
    let acme = Organization {
        summary: json!({"id": "org-7001", "name": "Acme Corp", "primary_domain": "acme.com",
                        "asset_count": 1284, "created_on": SEED_EPOCH - 86_400 * 400}),
        findings: (0..32).map(|i| finding(i, "ACME", HOSTS)).collect(),
        lookalikes: LOOKALIKES
            .iter()
            .enumerate()
            .map(|(i, l)| lookalike(i, *l))
            .collect(),
    };
    let subsidiary = Organization {
        summary: json!({"id": "org-7002", "name": "Acme Robotics", "primary_domain": "acmerobotics.io",
                        "asset_count": 96, "created_on": SEED_EPOCH - 86_400 * 90}),
        findings: (0..5)
            .map(|i| {
                finding(
                    i + 3,
                    "ROBO",
                    &["www.acmerobotics.io", "api.acmerobotics.io"],
                )
            })
            .collect(),
        lookalikes: Vec::new(),
    };
    EasmData {
        organizations: vec![acme, subsidiary],
    }
}
