//! Every catalog tool keeps the Python server's name, service and action.

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
