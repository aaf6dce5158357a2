//! Loading: the compiled-in `catalog/<service>.toml` files, parsed and checked once.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::{CatalogError, Service, ToolSpec, check};

/// The catalog sources compiled into the binary, one per service that has tools.
pub(crate) const SOURCES: &[(Service, &str)] = &[
    (Service::Zia, include_str!("../catalog/zia.toml")),
    (Service::Zpa, include_str!("../catalog/zpa.toml")),
    (Service::Zdx, include_str!("../catalog/zdx.toml")),
    (Service::Zins, include_str!("../catalog/zins.toml")),
    (Service::Zcc, include_str!("../catalog/zcc.toml")),
    (Service::Zid, include_str!("../catalog/zid.toml")),
    (Service::Zeasm, include_str!("../catalog/zeasm.toml")),
    (Service::Ztw, include_str!("../catalog/ztw.toml")),
    (Service::Zms, include_str!("../catalog/zms.toml")),
    (Service::Zcell, include_str!("../catalog/zcell.toml")),
];

/// All tools known to this build.
#[derive(Debug)]
pub struct Catalog {
    tools: Vec<ToolSpec>,
}

/// One catalog file: `[[tool]]` entries.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    tool: Vec<ToolSpec>,
}

impl Catalog {
    /// The catalog compiled into the binary, parsed and validated once.
    ///
    /// # Errors
    /// When a catalog file is invalid (caught by the crate's tests before release).
    pub fn builtin() -> Result<&'static Catalog, CatalogError> {
        static BUILTIN: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Catalog::from_toml(SOURCES))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses and validates catalog sources (one TOML text per service); every problem of
    /// every file is reported. [`Catalog::builtin`] is this over the compiled-in files; tests
    /// elsewhere can build small catalogs with it.
    ///
    /// # Errors
    /// When a source does not parse or breaks an invariant.
    pub fn from_toml(sources: &[(Service, &str)]) -> Result<Catalog, CatalogError> {
        let mut tools = Vec::new();
        let mut problems = Vec::new();
        for (service, text) in sources {
            match toml::from_str::<CatalogFile>(text) {
                Ok(file) => tools.extend(file.tool.into_iter().map(|mut tool| {
                    tool.service = *service;
                    tool
                })),
                Err(err) => problems.push(format!("catalog/{}.toml: {err}", service.code())),
            }
        }
        tools.sort_by(|a, b| a.name.cmp(&b.name));
        problems.extend(check::problems(&tools));
        if problems.is_empty() {
            Ok(Catalog { tools })
        } else {
            Err(CatalogError::Invalid(problems.join("\n")))
        }
    }

    /// Every tool, sorted by name.
    pub fn tools(&self) -> &[ToolSpec] {
        &self.tools
    }

    /// One tool by name.
    pub fn get(&self, name: &str) -> Option<&ToolSpec> {
        self.tools
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.tools.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_sorted_with_services_from_files() {
        let catalog = Catalog::builtin().unwrap();
        let entries: usize = SOURCES
            .iter()
            .map(|(_, text)| text.matches("[[tool]]").count())
            .sum();
        assert_eq!(catalog.tools().len(), entries, "every [[tool]] entry loads");
        assert!(catalog.tools().windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(catalog.get("get_zia_users").unwrap().service, Service::Zia);
        assert_eq!(catalog.get("zdx_get_device").unwrap().service, Service::Zdx);
        assert_eq!(
            catalog
                .get("zins_get_threat_super_categories")
                .unwrap()
                .service,
            Service::Zins
        );
        assert!(catalog.get("zpa_nothing").is_none());
        assert!(std::ptr::eq(catalog, Catalog::builtin().unwrap()));
    }
}
