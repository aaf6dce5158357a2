//! Catalog hot paths: cold parse, selection, schemas for tools/list, argument validation,
//! request planning and a JMESPath query.
#![allow(
    clippy::expect_used,
    reason = "a benchmark over the built-in catalog aborts loudly on setup failure"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use zmcp_catalog::{
    ArgValidators, Catalog, SelectionConfig, Service, TenantScope, ToolSpec, plan_request, query,
};

fn typical_config() -> SelectionConfig {
    SelectionConfig {
        services: vec!["zia".into(), "zpa".into(), "zdx".into()],
        disabled_toolsets: vec!["zia_admin".into()],
        enable_write: true,
        write_tools: vec!["zpa_create_*".into(), "zia_update_*".into()],
        disabled_tools: vec!["*_delete_*".into()],
        ..SelectionConfig::default()
    }
}

fn benches(c: &mut Criterion) {
    let catalog = Catalog::builtin().expect("catalog");
    let sources = [
        (Service::Zia, include_str!("../catalog/zia.toml")),
        (Service::Zpa, include_str!("../catalog/zpa.toml")),
        (Service::Zdx, include_str!("../catalog/zdx.toml")),
        (Service::Zins, include_str!("../catalog/zins.toml")),
    ];
    c.bench_function("parse_and_check_cold", |b| {
        b.iter(|| Catalog::from_toml(black_box(&sources)).expect("catalog"));
    });
    let config = typical_config();
    c.bench_function("select_typical", |b| {
        b.iter(|| black_box(catalog.select(black_box(&config)).expect("select")));
    });
    c.bench_function("tools_list_schemas_json", |b| {
        b.iter(|| {
            let schemas: Vec<Value> = catalog
                .tools()
                .iter()
                .map(|t| Value::Object(t.input_schema()))
                .collect();
            black_box(serde_json::to_string(&schemas).expect("json"))
        });
    });
    let tools: Vec<&ToolSpec> = catalog.tools().iter().collect();
    let validators = ArgValidators::new(&tools);
    let call = json!({"search": "Web", "page_size": 100, "query": "[].name"});
    c.bench_function("validate_call", |b| {
        b.iter(|| validators.validate("zpa_list_segment_groups", black_box(&call)))
    });
    let tool = catalog.get("zpa_list_segment_groups").expect("tool");
    let args = call.as_object().expect("object").clone();
    let tenant = TenantScope {
        customer_id: Some("216196257331281920".into()),
        ..TenantScope::default()
    };
    c.bench_function("plan_request", |b| {
        b.iter(|| plan_request(tool, black_box(&args), &tenant, 1_700_000_000).expect("plan"))
    });
    let rows: Value = (0..200)
        .map(|i| json!({"id": i, "name": format!("sg-{i}"), "enabled": i % 2 == 0}))
        .collect();
    c.bench_function("jmespath_filter_200_rows", |b| {
        b.iter(|| query::apply("[?enabled==`true`].{id:id,name:name}", black_box(&rows)))
    });
}

criterion_group!(catalog_benches, benches);
criterion_main!(catalog_benches);
