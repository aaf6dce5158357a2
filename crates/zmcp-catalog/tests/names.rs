//! Every catalog tool keeps the Python server's name, service and action.

// Test helpers may fail loudly; the workspace lints only exempt `#[test]` functions.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use zmcp_catalog::{Action, Catalog};

#[test]
fn every_tool_matches_the_upstream_inventory() {
    let inventory: HashMap<&str, (&str, &str)> = include_str!("data/tool-names.tsv")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split('\t');
            Some((cols.next()?, cols.next()?, cols.next()?))
        })
        .map(|(service, tool, action)| (tool, (service, action)))
        .collect();
    assert_eq!(inventory.len(), 402);
    for tool in Catalog::builtin().unwrap().tools() {
        let action = match tool.action {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        };
        assert_eq!(
            inventory.get(tool.name.as_str()),
            Some(&(tool.service.code(), action)),
            "{}",
            tool.name
        );
    }
}

/// Every upstream tool of `service` is in the catalog with the same action.
fn assert_service_complete(service: &str) {
    let catalog = Catalog::builtin().unwrap();
    let mut missing = Vec::new();
    for line in include_str!("data/tool-names.tsv").lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(&svc), Some(&name), Some(&action)) = (cols.first(), cols.get(1), cols.get(2))
        else {
            continue;
        };
        if svc != service {
            continue;
        }
        let found = catalog
            .get(name)
            .map(|t| format!("{:?}", t.action).to_lowercase());
        if found.as_deref() != Some(action) {
            missing.push(format!("{name} ({action}): catalog has {found:?}"));
        }
    }
    assert!(missing.is_empty(), "{service}: {missing:#?}");
}

#[test]
fn zdx_is_complete() {
    assert_service_complete("zdx");
}

#[test]
fn zpa_is_complete() {
    assert_service_complete("zpa");
}

#[test]
fn zcc_is_complete() {
    assert_service_complete("zcc");
}

#[test]
fn zid_is_complete() {
    assert_service_complete("zid");
}

#[test]
fn zins_is_complete() {
    assert_service_complete("zins");
}

#[test]
fn zia_is_complete() {
    assert_service_complete("zia");
}

#[test]
fn zeasm_is_complete() {
    assert_service_complete("zeasm");
}

#[test]
fn ztw_is_complete() {
    assert_service_complete("ztw");
}

#[test]
fn zms_is_complete() {
    assert_service_complete("zms");
}

#[test]
fn zcell_is_complete() {
    assert_service_complete("zcell");
}
