//! ZIA traffic forwarding: static IPs, VPN credentials, GRE tunnels, and the city database
//! behind the `/region` geo lookups.

use std::net::IpAddr;

use serde_json::{Value, json};

use super::{OFFICES, SEED_EPOCH, admin};

/// Offices with a GRE tunnel (indexes into [`OFFICES`]); each has a static IP.
const GRE_SITES: [usize; 4] = [0, 1, 2, 5];

fn static_ip_id(i: usize) -> usize {
    5_100_001 + i
}

pub(crate) fn static_ip_defaults() -> Value {
    json!({
        "geoOverride": false, "latitude": 0.0, "longitude": 0.0, "routableIP": true,
        "comment": "", "lastModifiedBy": admin(),
    })
}

pub(crate) fn static_ips() -> Vec<Value> {
    OFFICES
        .iter()
        .enumerate()
        .map(|(i, office)| {
            let city = city_named(office.0);
            json!({
                "id": static_ip_id(i), "ipAddress": office.4, "geoOverride": false,
                "latitude": city.get("latitude"), "longitude": city.get("longitude"),
                "routableIP": true, "comment": office.0, "lastModificationTime": SEED_EPOCH,
                "lastModifiedBy": admin(),
                "city": {"id": city.get("cityGeoId"), "name": city.get("cityName")},
            })
        })
        .collect()
}

/// IP credentials of every office (referenced by the locations) plus two UFQDN ones.
pub(crate) fn vpn_credentials() -> Vec<Value> {
    let mut credentials: Vec<Value> = OFFICES
        .iter()
        .enumerate()
        .map(|(i, office)| {
            json!({
                "id": 29_339_942 + i, "type": "IP", "ipAddress": office.4, "comments": office.0,
                "location": {"id": super::location_id(i), "name": office.0},
            })
        })
        .collect();
    for (i, (fqdn, comment)) in [
        ("branch-kiosk-01@acme.com", "Retail kiosk IPsec"),
        ("lab-router@acme.com", "Lab router IPsec"),
    ]
    .iter()
    .enumerate()
    {
        credentials.push(
            json!({"id": 29_340_101 + i, "type": "UFQDN", "fqdn": fqdn, "comments": comment}),
        );
    }
    credentials
}

pub(crate) fn gre_tunnel_defaults() -> Value {
    json!({
        "ipUnnumbered": false, "comment": "", "withinCountry": false,
        "primaryDestVip": {"id": 88_001, "virtualIp": "199.168.148.131", "datacenter": "SJC4"},
        "secondaryDestVip": {"id": 88_002, "virtualIp": "104.129.194.39", "datacenter": "WAS1"},
        "lastModifiedBy": admin(),
    })
}

pub(crate) fn gre_tunnels() -> Vec<Value> {
    GRE_SITES
        .iter()
        .zip(0u32..)
        .filter_map(|(site, n)| {
            let office = OFFICES.get(*site)?;
            let mut tunnel = gre_tunnel_defaults();
            super::merge(
                &mut tunnel,
                json!({
                    "id": 5_200_001 + n, "sourceIp": office.4,
                    "internalIpRange": format!("172.17.0.{}", 8 * n),
                    "comment": format!("{} primary tunnel", office.0),
                    "lastModificationTime": SEED_EPOCH,
                }),
            );
            Some(tunnel)
        })
        .collect()
}

/// Cities: (geo id, name, state, country, country code, latitude, longitude).
const CITIES: &[(i64, &str, &str, &str, &str, f64, f64)] = &[
    (
        5_392_171,
        "San Jose",
        "California",
        "United States",
        "US",
        37.3394,
        -121.895,
    ),
    (
        5_128_581,
        "New York",
        "New York",
        "United States",
        "US",
        40.7143,
        -74.006,
    ),
    (
        4_744_870,
        "Ashburn",
        "Virginia",
        "United States",
        "US",
        39.0437,
        -77.4875,
    ),
    (
        6_167_865, "Toronto", "Ontario", "Canada", "CA", 43.7001, -79.4163,
    ),
    (
        2_643_743,
        "London",
        "England",
        "United Kingdom",
        "GB",
        51.5085,
        -0.1257,
    ),
    (
        2_925_533,
        "Frankfurt",
        "Hesse",
        "Germany",
        "DE",
        50.1155,
        8.6842,
    ),
    (
        1_277_333,
        "Bangalore",
        "Karnataka",
        "India",
        "IN",
        12.9719,
        77.5937,
    ),
    (
        1_850_147, "Tokyo", "Tokyo", "Japan", "JP", 35.6895, 139.6917,
    ),
    (
        2_147_714,
        "Sydney",
        "New South Wales",
        "Australia",
        "AU",
        -33.8679,
        151.2073,
    ),
    (
        3_448_439,
        "Sao Paulo",
        "Sao Paulo",
        "Brazil",
        "BR",
        -23.5475,
        -46.6361,
    ),
    (
        1_880_252,
        "Singapore",
        "Singapore",
        "Singapore",
        "SG",
        1.2897,
        103.8501,
    ),
    (
        6_173_331,
        "Vancouver",
        "British Columbia",
        "Canada",
        "CA",
        49.2497,
        -123.1193,
    ),
    (
        5_368_361,
        "Los Angeles",
        "California",
        "United States",
        "US",
        34.0522,
        -118.2437,
    ),
    (
        5_391_959,
        "San Francisco",
        "California",
        "United States",
        "US",
        37.7749,
        -122.4194,
    ),
    (
        5_809_844,
        "Seattle",
        "Washington",
        "United States",
        "US",
        47.6062,
        -122.3321,
    ),
];

fn city(entry: &(i64, &str, &str, &str, &str, f64, f64)) -> Value {
    let (id, name, state, country, code, lat, lon) = *entry;
    json!({
        "cityGeoId": id, "stateGeoId": id / 100, "latitude": lat, "longitude": lon,
        "cityName": name, "stateName": state, "countryName": country, "countryCode": code,
        "postalCode": "", "continentCode": "",
    })
}

pub(crate) fn cities() -> Vec<Value> {
    CITIES.iter().map(city).collect()
}

/// The city an office is in (offices are named "<City> <kind>").
fn city_named(office: &str) -> Value {
    CITIES
        .iter()
        .find(|c| office.starts_with(c.1))
        .map_or(Value::Null, city)
}

/// A deterministic city for an address: seeded office IPs resolve to their office's city.
pub(crate) fn city_for_ip(address: IpAddr) -> Value {
    let text = address.to_string();
    if let Some(office) = OFFICES.iter().find(|o| o.4 == text) {
        return city_named(office.0);
    }
    let octets: u32 = match address {
        IpAddr::V4(v4) => v4.octets().iter().map(|o| u32::from(*o)).sum(),
        IpAddr::V6(v6) => v6.octets().iter().map(|o| u32::from(*o)).sum(),
    };
    let index = usize::try_from(octets).unwrap_or(0) % CITIES.len();
    CITIES.get(index).map_or(Value::Null, city)
}

/// The seeded city closest to the coordinates (flat-earth distance is enough here).
pub(crate) fn nearest_city(latitude: f64, longitude: f64) -> Value {
    CITIES
        .iter()
        .min_by(|a, b| {
            let da = (a.5 - latitude).powi(2) + (a.6 - longitude).powi(2);
            let db = (b.5 - latitude).powi(2) + (b.6 - longitude).powi(2);
            da.total_cmp(&db)
        })
        .map_or(Value::Null, city)
}
