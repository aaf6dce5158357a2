//! `docs/tools.md` is generated from the catalog; this test keeps it current.

use std::path::Path;

use zmcp_catalog::{Catalog, tools_markdown};

#[test]
fn tools_md_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/tools.md");
    let expected = tools_markdown(Catalog::builtin().unwrap());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/tools.md is stale: run `UPDATE_DOCS=1 cargo test -p zmcp-catalog --test docs` and commit it"
    );
}
