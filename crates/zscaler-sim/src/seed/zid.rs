//! ZIdentity seed data: every employee as a user, the directory groups plus one dynamic group
//! per department, with memberships taken from the shared employee list.

use serde_json::{Value, json};

use super::SEED_EPOCH;
use super::people::{self, DEPARTMENTS, GROUPS, HEADCOUNT};
use crate::products::zid::ZidData;

const IDP: (&str, &str) = ("idp-7c1d00a2", "Acme Okta");

fn user_id(index: usize) -> String {
    format!("u{:08x}", 0x5a1d_0000 + index)
}

fn department_group_id(department: i64) -> String {
    format!("g-dept-{department}")
}

/// The seeded ZIdentity data.
pub(crate) fn data() -> ZidData {
    let mut users = Vec::new();
    let mut memberships = Vec::new();
    for index in 0..HEADCOUNT {
        let person = people::person(index);
        let (first, last) = person.name.split_once(' ').unwrap_or((&person.name, ""));
        let id = user_id(index);
        users.push(json!({
            "id": id, "source": "SCIM", "loginName": person.email,
            "displayName": person.name, "firstName": first, "lastName": last,
            "primaryEmail": person.email, "secondaryEmail": "",
            "status": index % 29 != 7,
            "department": {"id": person.department.0.to_string(), "name": person.department.1},
            "idp": {"id": IDP.0, "name": IDP.1},
            "lastModifiedTime": SEED_EPOCH - (index as u64) * 3600,
        }));
        for (group, _) in &person.groups {
            memberships.push((id.clone(), group.to_string()));
        }
        memberships.push((id, department_group_id(person.department.0)));
    }
    let mut groups: Vec<Value> = GROUPS
        .iter()
        .map(|(id, name)| {
            json!({"id": id.to_string(), "name": name, "description": format!("{name} (synced from Okta)"),
                   "source": "SCIM", "isDynamicGroup": false, "idp": {"id": IDP.0, "name": IDP.1}})
        })
        .collect();
    groups.extend(DEPARTMENTS.iter().map(|(id, name)| {
        json!({"id": department_group_id(*id), "name": format!("Dept - {name}"),
               "description": format!("Everyone whose department is {name}"),
               "source": "UI", "isDynamicGroup": true,
               "dynamicGroupRule": format!("department eq \"{name}\"")})
    }));
    ZidData {
        users,
        groups,
        memberships,
    }
}
