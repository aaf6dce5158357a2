//! ZDX seed data: monitored applications and the device fleet (one device per employee for
//! the first 120 employees).

use serde_json::{Value, json};

use super::people::{self, DEPARTMENTS};
use crate::products::zdx::{Device, ZdxData};

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
    }
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
