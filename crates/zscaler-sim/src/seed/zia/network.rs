//! ZIA firewall objects: IP source and destination groups, network services (predefined and
//! custom) and their groups, network applications (string ids) and application groups.

use serde_json::{Value, json};

use super::{SEED_EPOCH, admin};

pub(crate) fn ip_source_groups() -> Vec<Value> {
    [
        ("San Jose Corporate LAN", &["10.1.0.0/16"][..]),
        ("New York Corporate LAN", &["10.2.0.0/16"]),
        ("Datacenter Servers", &["10.100.0.0/16", "10.101.0.0/16"]),
        ("Guest Wifi", &["192.168.200.0/24"]),
        ("Vulnerability Scanners", &["10.50.0.10", "10.50.0.11"]),
    ]
    .iter()
    .zip(0..)
    .map(|((name, ips), i)| {
        json!({
            "id": 18_100_001 + i, "name": name, "ipAddresses": ips,
            "description": format!("{name} source addresses"), "creatorContext": "ZIA",
        })
    })
    .collect()
}

pub(crate) fn ip_destination_groups() -> Vec<Value> {
    [
        (
            "AWS us-east-1",
            "DSTN_IP",
            json!(["3.217.228.0-3.217.231.255"]),
            json!([]),
        ),
        (
            "Acme SaaS Domains",
            "DSTN_FQDN",
            json!(["jira.acme.com", "confluence.acme.com"]),
            json!([]),
        ),
        (
            "Sanctioned Countries",
            "DSTN_OTHER",
            json!([]),
            json!(["COUNTRY_KP", "COUNTRY_IR", "COUNTRY_SY"]),
        ),
        (
            "Acme Resolvers",
            "DSTN_IP",
            json!(["10.10.0.53", "10.20.0.53"]),
            json!([]),
        ),
        (
            "Wildcard Partner Domains",
            "DSTN_DOMAIN",
            json!(["*.partner.example"]),
            json!([]),
        ),
    ]
    .iter()
    .zip(0..)
    .map(|((name, kind, addresses, countries), i)| {
        json!({
            "id": 18_200_001 + i, "name": name, "type": kind, "addresses": addresses,
            "countries": countries, "ipCategories": [],
            "description": format!("{name} destinations"), "creatorContext": "ZIA",
        })
    })
    .collect()
}

/// Predefined services: (name, protocol, TCP destination ports, UDP destination ports).
const SERVICES: &[(&str, &str, &[u16], &[u16])] = &[
    ("HTTP", "TCP", &[80], &[]),
    ("HTTPS", "TCP", &[443], &[]),
    ("DNS", "UDP", &[53], &[53]),
    ("SSH", "TCP", &[22], &[]),
    ("FTP", "TCP", &[21], &[]),
    ("SMTP", "TCP", &[25], &[]),
    ("SMTPS", "TCP", &[465], &[]),
    ("IMAP", "TCP", &[143], &[]),
    ("IMAPS", "TCP", &[993], &[]),
    ("POP3", "TCP", &[110], &[]),
    ("POP3S", "TCP", &[995], &[]),
    ("TELNET", "TCP", &[23], &[]),
    ("RDP", "TCP", &[3389], &[]),
    ("SMB", "TCP", &[445], &[]),
    ("NETBIOS", "UDP", &[139], &[137, 138]),
    ("LDAP", "TCP", &[389], &[389]),
    ("LDAPS", "TCP", &[636], &[]),
    ("KERBEROS", "TCP", &[88], &[88]),
    ("NTP", "UDP", &[], &[123]),
    ("SNMP", "UDP", &[], &[161, 162]),
    ("SYSLOG", "UDP", &[], &[514]),
    ("MYSQL", "TCP", &[3306], &[]),
    ("MSSQL", "TCP", &[1433], &[]),
    ("POSTGRESQL", "TCP", &[5432], &[]),
    ("ORACLE", "TCP", &[1521], &[]),
    ("SIP", "UDP", &[5060], &[5060]),
    ("IPSEC", "UDP", &[], &[500, 4500]),
    ("OPENVPN", "UDP", &[1194], &[1194]),
    ("TFTP", "UDP", &[], &[69]),
    ("HTTP_PROXY", "TCP", &[8080, 3128], &[]),
];

fn ranges(ports: &[u16]) -> Value {
    Value::Array(
        ports
            .iter()
            .map(|p| json!({"start": p, "end": p}))
            .collect(),
    )
}

pub(crate) fn network_services() -> Vec<Value> {
    let mut services: Vec<Value> = SERVICES
        .iter()
        .zip(0..)
        .map(|((name, protocol, tcp, udp), i)| {
            json!({
                "id": 774_001 + i, "name": name, "type": "PREDEFINED", "protocol": protocol,
                "description": format!("{name} (predefined)"), "isNameL10nTag": true,
                "srcTcpPorts": [], "destTcpPorts": ranges(tcp), "srcUdpPorts": [],
                "destUdpPorts": ranges(udp), "predefined": true, "creatorContext": "ZIA",
            })
        })
        .collect();
    services.push(json!({
        "id": 774_101, "name": "Acme Backup Agent", "type": "CUSTOM", "protocol": "TCP",
        "description": "Backup agent to the Ashburn datacenter", "isNameL10nTag": false,
        "srcTcpPorts": [], "destTcpPorts": [{"start": 9100, "end": 9110}], "srcUdpPorts": [],
        "destUdpPorts": [], "predefined": false, "creatorContext": "ZIA",
    }));
    services
}

pub(crate) fn network_service_groups() -> Vec<Value> {
    let refs = |ids: &[i64]| -> Value {
        Value::Array(
            ids.iter()
                .filter_map(|id| {
                    SERVICES
                        .get(usize::try_from(id - 774_001).ok()?)
                        .map(|s| json!({"id": id, "name": s.0}))
                })
                .collect(),
        )
    };
    vec![
        json!({"id": 775_001, "name": "Web Services", "services": refs(&[774_001, 774_002]), "description": "HTTP and HTTPS"}),
        json!({"id": 775_002, "name": "Mail Services", "services": refs(&[774_006, 774_007, 774_008, 774_009]), "description": "SMTP and IMAP"}),
        json!({"id": 775_003, "name": "Directory Services", "services": refs(&[774_016, 774_017, 774_018]), "description": "LDAP and Kerberos"}),
        json!({"id": 775_004, "name": "Database Services", "services": refs(&[774_022, 774_023, 774_024, 774_025]), "description": "SQL databases"}),
    ]
}

/// Network applications (ids are the application enums).
const APPLICATIONS: &[(&str, &str, &str)] = &[
    ("APNS", "Apple Push Notification", "MOBILE"),
    ("BITTORRENT", "BitTorrent", "P2P"),
    ("DNS_TUNNELING", "DNS Tunneling", "TUNNELING"),
    ("DROPBOX", "Dropbox", "FILE_SHARING"),
    ("FACEBOOK", "Facebook", "SOCIAL"),
    ("GOOGLE_DRIVE", "Google Drive", "FILE_SHARING"),
    ("MS_TEAMS", "Microsoft Teams", "COLLABORATION"),
    ("OFFICE365", "Office 365", "PRODUCTIVITY"),
    ("SALESFORCE", "Salesforce", "BUSINESS"),
    ("SKYPE", "Skype", "VOIP"),
    ("SLACK", "Slack", "COLLABORATION"),
    ("SSH", "SSH", "REMOTE_ACCESS"),
    ("TEAMVIEWER", "TeamViewer", "REMOTE_ACCESS"),
    ("TOR", "Tor", "TUNNELING"),
    ("WEBEX", "Webex", "VOIP"),
    ("ZOOM", "Zoom", "VOIP"),
];

pub(crate) fn network_applications() -> Vec<Value> {
    APPLICATIONS
        .iter()
        .map(|(id, description, category)| {
            json!({"id": id, "parentCategory": category, "description": description, "deprecated": false})
        })
        .collect()
}

pub(crate) fn network_application_groups() -> Vec<Value> {
    [
        ("Remote Access Tools", &["TEAMVIEWER", "SSH"][..]),
        (
            "Collaboration Suite",
            &["MS_TEAMS", "SLACK", "ZOOM", "WEBEX"],
        ),
        (
            "Evasive Applications",
            &["TOR", "BITTORRENT", "DNS_TUNNELING"],
        ),
    ]
    .iter()
    .zip(0..)
    .map(|((name, apps), i)| {
        json!({
            "id": 776_001 + i, "name": name, "networkApplications": apps,
            "description": format!("{name} (Acme)"), "lastModifiedTime": SEED_EPOCH,
            "lastModifiedBy": admin(),
        })
    })
    .collect()
}
