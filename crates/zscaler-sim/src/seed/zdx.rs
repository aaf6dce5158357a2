//! ZDX seed data: monitored applications and the device fleet (one device per employee for
//! the first 120 employees).

use serde_json::{Value, json};

use super::people::{self, DEPARTMENTS};
use crate::products::zdx::{Device, ZdxData};
use crate::products::zdx_troubleshoot::Runs;
use crate::state::now_secs;

/// A region: (id, city, region, country).
type Region = (&'static str, &'static str, &'static str, &'static str);
/// A monitored app: (id, name, base score, most impacted region, users).
type App = (i64, &'static str, f64, Region, i64);

const APPS: &[App] = &[
    (
        67_890,
        "Salesforce",
        92.3,
        ("US-NY", "New York", "New York", "United States"),
        800,
    ),
    (
        67_891,
        "Microsoft Teams",
        84.1,
        ("GB-LND", "London", "England", "United Kingdom"),
        1180,
    ),
    (
        67_892,
        "Zoom",
        78.6,
        ("IN-KA", "Bengaluru", "Karnataka", "India"),
        950,
    ),
    (
        67_893,
        "SharePoint Online",
        88.0,
        ("US-CA", "San Jose", "California", "United States"),
        1100,
    ),
    (
        67_894,
        "Outlook Online",
        90.4,
        ("DE-HE", "Frankfurt", "Hesse", "Germany"),
        1200,
    ),
    (
        67_895,
        "ServiceNow",
        73.9,
        ("JP-13", "Tokyo", "Tokyo", "Japan"),
        420,
    ),
    (
        67_896,
        "Workday",
        81.2,
        ("AU-NSW", "Sydney", "New South Wales", "Australia"),
        1150,
    ),
    (
        67_897,
        "Slack",
        86.7,
        ("US-TX", "Dallas", "Texas", "United States"),
        610,
    ),
    (
        67_898,
        "Box",
        62.5,
        ("BR-SP", "Sao Paulo", "Sao Paulo", "Brazil"),
        300,
    ),
    (
        67_899,
        "Google Workspace",
        91.0,
        ("CA-ON", "Toronto", "Ontario", "Canada"),
        240,
    ),
    (
        67_900,
        "SAP ERP",
        58.4,
        ("DE-HE", "Frankfurt", "Hesse", "Germany"),
        380,
    ),
    (
        67_901,
        "jira.acme.com",
        69.8,
        ("IN-KA", "Bengaluru", "Karnataka", "India"),
        520,
    ),
];

/// ZDX locations (Zscaler locations): (id, name).
pub(crate) const LOCATIONS: &[(i64, &str)] = &[
    (149_873_535, "San Jose HQ"),
    (149_873_536, "New York Office"),
    (149_873_538, "Toronto Office"),
    (149_873_539, "London Office"),
    (149_873_541, "Bangalore Development Center"),
    (149_873_542, "Tokyo Office"),
    (149_873_543, "Sydney Office"),
    (-3, "Road Warrior"),
];

/// Geolocations: (id, city, state, country, lat, long).
const GEOS: &[(&str, &str, &str, &str, f64, f64)] = &[
    (
        "US-CA-SJ",
        "San Jose",
        "California",
        "United States",
        37.3387,
        -121.8853,
    ),
    (
        "US-NY-NYC",
        "New York",
        "New York",
        "United States",
        40.7128,
        -74.006,
    ),
    (
        "CA-ON-TOR",
        "Toronto",
        "Ontario",
        "Canada",
        43.6532,
        -79.3832,
    ),
    (
        "GB-ENG-LON",
        "London",
        "England",
        "United Kingdom",
        51.5072,
        -0.1276,
    ),
    (
        "IN-KA-BLR",
        "Bengaluru",
        "Karnataka",
        "India",
        12.9716,
        77.5946,
    ),
    ("JP-13-TYO", "Tokyo", "Tokyo", "Japan", 35.6762, 139.6503),
    (
        "AU-NSW-SYD",
        "Sydney",
        "New South Wales",
        "Australia",
        -33.8688,
        151.2093,
    ),
    (
        "US-TX-DAL",
        "Dallas",
        "Texas",
        "United States",
        32.7767,
        -96.797,
    ),
];

const FLEET: usize = 120;

/// The seeded ZDX data.
pub(crate) fn data() -> ZdxData {
    ZdxData {
        apps: APPS.iter().map(app).collect(),
        devices: (0..FLEET).map(device).collect(),
        locations: LOCATIONS
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect(),
        departments: DEPARTMENTS
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect(),
        alerts: alerts(i64::try_from(now_secs()).unwrap_or(0)),
        software: software(),
        runs: std::sync::Mutex::new(Runs::seeded(
            132_559_212,
            i64::try_from(now_secs()).unwrap_or(0),
        )),
    }
}

/// Alert rules: (rule name, severity, alert type, app index, location indexes).
const ALERT_RULES: &[(&str, &str, &str, usize, &[usize])] = &[
    (
        "Teams Call Quality Degraded",
        "Critical",
        "call_quality",
        1,
        &[0, 3],
    ),
    ("Zoom Poor Score", "Warning", "app_score", 2, &[4]),
    (
        "Box Page Fetch Time High",
        "Critical",
        "web_probe",
        8,
        &[1, 2, 5],
    ),
    ("SAP ERP Availability", "Critical", "availability", 9, &[3]),
    ("ServiceNow DNS Time High", "Warning", "dns", 5, &[5, 6]),
    ("Wi-Fi Signal Weak", "Info", "device_health", 0, &[0]),
    ("Salesforce Score Drop", "Warning", "app_score", 0, &[1]),
    ("Jira Latency", "Warning", "cloudpath", 10, &[4]),
    ("Workday Availability", "Critical", "availability", 6, &[6]),
    (
        "Outlook Page Fetch Time High",
        "Warning",
        "web_probe",
        4,
        &[2, 3],
    ),
    ("Slack Score Drop", "Info", "app_score", 7, &[0]),
    ("Google Workspace DNS", "Warning", "dns", 9, &[2]),
];
/// How many of `ALERT_RULES` (the first ones) are still ongoing.
const ONGOING_ALERTS: usize = 5;

/// Alerts timed relative to `now`: ongoing ones started within the last hours; ended ones
/// ended 1, 7, 13, ... hours ago, so a wider `since` finds more of them.
fn alerts(now: i64) -> Vec<Value> {
    ALERT_RULES
        .iter()
        .enumerate()
        .map(|(i, (rule, severity, kind, app_index, locations))| {
            let index = i as i64;
            let (started, ended) = if i < ONGOING_ALERTS {
                (now - 1800 * (index + 1), 0)
            } else {
                let ended = now - 3600 * (6 * (index - ONGOING_ALERTS as i64) + 1);
                (ended - 5400, ended)
            };
            let (app_id, app_name) = APPS.get(*app_index).map_or((0, ""), |a| (a.0, a.1));
            let locations: Vec<Value> = locations
                .iter()
                .filter_map(|l| LOCATIONS.get(*l))
                .map(|(id, name)| json!({"id": id, "name": name, "num_devices": 15, "groups": []}))
                .collect();
            let geos: Vec<Value> = GEOS
                .iter()
                .skip(i % GEOS.len())
                .take(2)
                .map(|g| json!({"id": g.0, "name": g.1, "num_devices": 8}))
                .collect();
            json!({
                "id": 7_012_345_600 + index, "rule_name": rule, "severity": severity,
                "alert_type": kind,
                "alert_status": if ended == 0 { "Ongoing" } else { "Resolved" },
                "num_geolocations": geos.len(), "num_devices": 15 * locations.len(),
                "started_on": started, "ended_on": ended,
                "application": {"id": app_id, "name": app_name},
                "departments": pick(DEPARTMENTS, i)
                    .map(|(id, name)| json!([{"id": id, "name": name, "num_devices": 6}])),
                "locations": locations, "geolocations": geos,
            })
        })
        .collect()
}

/// Installed packages: (name, vendor, group, version, install type, every Nth device).
const PACKAGES: &[(&str, &str, &str, &str, &str, usize)] = &[
    (
        "Google Chrome",
        "Google LLC",
        "Browsers",
        "126.0.6478.127",
        "user",
        1,
    ),
    (
        "Microsoft Edge",
        "Microsoft Corporation",
        "Browsers",
        "126.0.2592.87",
        "system",
        1,
    ),
    (
        "Mozilla Firefox",
        "Mozilla",
        "Browsers",
        "127.0.2",
        "user",
        5,
    ),
    (
        "Microsoft Teams",
        "Microsoft Corporation",
        "Collaboration",
        "24165.1410.2974.6689",
        "user",
        1,
    ),
    (
        "Zoom Workplace",
        "Zoom Video Communications, Inc.",
        "Collaboration",
        "6.1.1",
        "user",
        2,
    ),
    (
        "Slack",
        "Slack Technologies",
        "Collaboration",
        "4.39.90",
        "user",
        3,
    ),
    (
        "Microsoft 365 Apps",
        "Microsoft Corporation",
        "Productivity",
        "16.0.17726.20160",
        "system",
        1,
    ),
    (
        "Adobe Acrobat Reader",
        "Adobe Inc.",
        "Productivity",
        "24.002.20857",
        "system",
        2,
    ),
    (
        "Zscaler Client Connector",
        "Zscaler Inc.",
        "Security",
        "4.4.0.379",
        "system",
        1,
    ),
    (
        "CrowdStrike Falcon Sensor",
        "CrowdStrike, Inc.",
        "Security",
        "7.15.18514.0",
        "system",
        1,
    ),
    (
        "Visual Studio Code",
        "Microsoft Corporation",
        "Developer Tools",
        "1.90.2",
        "user",
        4,
    ),
    (
        "Git",
        "The Git Development Community",
        "Developer Tools",
        "2.45.2",
        "user",
        4,
    ),
    (
        "Docker Desktop",
        "Docker Inc.",
        "Developer Tools",
        "4.31.1",
        "system",
        6,
    ),
    (
        "Python",
        "Python Software Foundation",
        "Developer Tools",
        "3.12.4",
        "user",
        6,
    ),
    ("7-Zip", "Igor Pavlov", "Utilities", "24.07", "system", 3),
    (
        "Notepad++",
        "Notepad++ Team",
        "Utilities",
        "8.6.8",
        "user",
        7,
    ),
    (
        "Cisco AnyConnect",
        "Cisco Systems, Inc.",
        "Networking",
        "4.10.08029",
        "system",
        9,
    ),
    (
        "Tableau Desktop",
        "Tableau Software",
        "Analytics",
        "2024.1.3",
        "user",
        12,
    ),
    (
        "Salesforce CLI",
        "Salesforce",
        "Developer Tools",
        "2.47.6",
        "user",
        15,
    ),
    (
        "Wireshark",
        "The Wireshark developer community",
        "Networking",
        "4.2.5",
        "user",
        20,
    ),
    (
        "KeePassXC",
        "KeePassXC Team",
        "Utilities",
        "2.7.8",
        "user",
        10,
    ),
    (
        "Microsoft OneDrive",
        "Microsoft Corporation",
        "Productivity",
        "24.116.0609.0003",
        "user",
        1,
    ),
];

/// The inventory: each package and the indexes of the devices that have it.
fn software() -> Vec<(Value, Vec<usize>)> {
    PACKAGES
        .iter()
        .map(|(name, vendor, group, version, install, every)| {
            let devices: Vec<usize> = (0..FLEET).filter(|i| i % every == 0).collect();
            let key = format!("{}{}", name.to_lowercase().replace(' ', "-"), version);
            let users = devices.len();
            let entry = json!({
                "software_key": key, "software_name": name, "vendor": vendor,
                "software_group": group, "software_version": version,
                "sw_install_type": install, "user_total": users, "device_total": users,
            });
            (entry, devices)
        })
        .collect()
}

fn app(entry: &App) -> Value {
    let (id, name, score, (region_id, city, region, country), users) = *entry;
    let poor = users * (100 - score as i64) / 400;
    let okay = users * (100 - score as i64) / 150;
    json!({
        "id": id, "name": name, "score": score, "total_users": users,
        "most_impacted_region": {"id": region_id, "city": city, "region": region,
                                 "country": country, "geo_type": "city"},
        "stats": {"active_users": users * 15 / 16, "active_devices": users,
                  "num_poor": poor, "num_okay": okay, "num_good": users - poor - okay},
    })
}

fn pick<T: Copy>(list: &[T], i: usize) -> Option<T> {
    list.get(i % list.len().max(1)).copied()
}

fn device(index: usize) -> Device {
    let person = people::person(index);
    let id = 132_559_212 + index as i64;
    let user_id = 76_676_944 + index as i64;
    let (kind, os_name, os_ver, model, mfg) = match index % 4 {
        0 | 1 => (
            "LAPTOP",
            "Windows 11 Enterprise",
            "23H2",
            "Latitude 7440",
            "Dell Inc.",
        ),
        2 => ("MBP", "macOS", "14.5", "MacBookPro18,3", "Apple Inc."),
        _ => (
            "THINKPAD",
            "Windows 10 Enterprise",
            "22H2",
            "ThinkPad T14 Gen 3",
            "Lenovo",
        ),
    };
    let name = format!("{kind}-ACME-{:03}", index + 1);
    let location = pick(LOCATIONS, index).unwrap_or((-3, "Road Warrior"));
    let geo = pick(GEOS, index).unwrap_or((
        "US-CA-SJ",
        "San Jose",
        "California",
        "United States",
        0.0,
        0.0,
    ));
    let ip = format!("10.{}.{}.{}", 20 + index % 8, index / 200, 10 + index % 200);
    let mac = format!(
        "00:50:56:{:02X}:{:02X}:{:02X}",
        index / 256,
        index % 256,
        0xA2
    );
    let detail = json!({
        "id": id, "name": name,
        "hardware": {"hw_model": model, "hw_mfg": mfg, "hw_type": "Laptop",
                     "hw_serial": format!("ACME{:07}", 4_200_000 + index), "tot_mem": "16 GB",
                     "gpu": "Intel Iris Xe Graphics", "disk_size": "512 GB",
                     "disk_model": "NVMe SSD", "disk_type": "SSD", "cpu_mfg": "Intel",
                     "cpu_model": "Intel(R) Core(TM) i7-1365U", "speed_ghz": 1.8,
                     "logical_proc": 12, "num_cores": 10},
        "network": [{"net_type": "Wi-Fi", "status": "Connected", "ipv4": ip, "ipv6": "",
                     "dns_srvs": "10.10.0.53,10.20.0.53", "dns_suffix": "corp.acme.com",
                     "gateway": format!("10.{}.0.1", 20 + index % 8), "mac": mac,
                     "guid": format!("{{6B29FC40-CA47-1067-B31D-00DD010662{:02X}}}", index % 256),
                     "wifi_adapter": "Intel(R) Wi-Fi 6E AX211", "wifi_type": "802.11ax",
                     "ssid": "ACME-CORP", "channel": "36", "bssid": "e8:1d:a8:11:22:33"}],
        "software": {"os_name": os_name, "os_ver": os_ver, "os_build": "22631",
                     "hostname": name.to_lowercase(), "netbios": name,
                     "user": format!("ACME\\{}", person.email.split('@').next().unwrap_or("")),
                     "client_conn_ver": "4.4.0.379", "zdx_ver": "4.4.0.224"},
        "user": {"id": user_id, "name": person.name, "email": person.email},
        "zs_loc": [{"id": location.0, "name": location.1}],
        "geo_loc": [{"id": geo.0, "city": geo.1, "state": geo.2, "country": geo.3,
                     "geo_lat": geo.4, "geo_long": geo.5, "geo_detection": "IP"}],
    });
    Device {
        summary: json!({"id": id, "name": name, "userid": user_id}),
        detail,
        email: person.email,
        user_id,
        location_id: location.0,
        department_id: person.department.0,
        geo_id: geo.0,
    }
}
