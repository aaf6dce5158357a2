//! Which tools a configuration exposes, in the Python server's order: disabled patterns,
//! services, disabled services, toolsets, disabled toolsets, then the write gate.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::{Catalog, CatalogError, Service, ToolSpec, toolsets};

/// Which tools to expose; mirrors the Python server's flags.
#[derive(Debug, Clone, Default)]
pub struct SelectionConfig {
    /// `--services` (empty = all).
    pub services: Vec<String>,
    /// `--disabled-services`.
    pub disabled_services: Vec<String>,
    /// `--toolsets` (empty, `all` or `default` = all).
    pub toolsets: Vec<String>,
    /// `--disabled-toolsets`.
    pub disabled_toolsets: Vec<String>,
    /// `--enable-write-tools`.
    pub enable_write: bool,
    /// `--write-tools` fnmatch patterns.
    pub write_tools: Vec<String>,
    /// `--disabled-tools` fnmatch patterns (highest precedence).
    pub disabled_tools: Vec<String>,
    /// `--list-tools` lists write tools regardless of the gate.
    pub include_all_writes: bool,
}

/// The outcome of a selection.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Selected tools, sorted by name.
    pub tools: Vec<&'static ToolSpec>,
    /// Warnings to log (write gate half-configured, ...), worded as the Python server words them.
    pub warnings: Vec<String>,
}

impl Catalog {
    /// Applies a configuration.
    ///
    /// # Errors
    /// Unknown service or toolset names, with the list of valid ones; a pattern that does not
    /// compile.
    pub fn select(&'static self, config: &SelectionConfig) -> Result<Selection, CatalogError> {
        let disabled = fnmatch_set("--disabled-tools", &config.disabled_tools)?;
        let writable = fnmatch_set("--write-tools", &config.write_tools)?;
        let services = parse_services("--services", &config.services)?;
        let disabled_services = parse_services("--disabled-services", &config.disabled_services)?;
        let toolsets = parse_toolsets("--toolsets", &config.toolsets)?;
        let toolsets = if toolsets.iter().any(|t| *t == "all" || *t == "default") {
            Vec::new()
        } else {
            toolsets
        };
        let disabled_toolsets = parse_toolsets("--disabled-toolsets", &config.disabled_toolsets)?;

        let patterns = entries(&config.write_tools).count();
        let mut warnings = Vec::new();
        if !config.include_all_writes {
            if config.enable_write && patterns == 0 {
                warnings.push("Write tools are enabled but no allowlist was given — registering 0 write tools. Name what you want to permit: --write-tools 'zpa_create_*,zia_update_*' (env: ZSCALER_MCP_WRITE_TOOLS).".to_owned());
            } else if !config.enable_write && patterns > 0 {
                warnings.push(format!("A write-tool allowlist was given ({patterns} pattern(s)) but write tools are disabled — registering 0 write tools. Add --enable-write-tools (env: ZSCALER_MCP_WRITE_ENABLED=true) to turn them on."));
            }
        }

        let tools = self
            .tools()
            .iter()
            .filter(|t| !disabled.is_match(&t.name))
            .filter(|t| services.is_empty() || services.contains(&t.service))
            .filter(|t| !disabled_services.contains(&t.service))
            .filter(|t| toolsets.is_empty() || toolsets.contains(&t.toolset.as_str()))
            .filter(|t| !disabled_toolsets.contains(&t.toolset.as_str()))
            .filter(|t| {
                !t.action.is_write()
                    || config.include_all_writes
                    || (config.enable_write && writable.is_match(&t.name))
            })
            .collect();
        Ok(Selection { tools, warnings })
    }
}

/// Non-empty, trimmed entries (flags are often split from comma lists).
fn entries(values: &[String]) -> impl Iterator<Item = &str> {
    values.iter().map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn parse_services(flag: &str, values: &[String]) -> Result<Vec<Service>, CatalogError> {
    let mut unknown = Vec::new();
    let mut services = Vec::new();
    for value in entries(values) {
        match Service::from_code(value) {
            Some(service) => services.push(service),
            None => unknown.push(value),
        }
    }
    if unknown.is_empty() {
        return Ok(services);
    }
    let valid: Vec<&str> = Service::ALL.iter().map(|s| s.code()).collect();
    Err(CatalogError::Selection(format!(
        "{flag}: unknown service(s) {}. Valid services: {}",
        quoted(&unknown),
        valid.join(", ")
    )))
}

fn parse_toolsets<'a>(flag: &str, values: &'a [String]) -> Result<Vec<&'a str>, CatalogError> {
    let (known, unknown): (Vec<&str>, Vec<&str>) = entries(values).partition(|v| {
        toolsets::is_known_toolset(v) || (flag == "--toolsets" && (*v == "all" || *v == "default"))
    });
    if unknown.is_empty() {
        Ok(known)
    } else {
        Err(CatalogError::Selection(format!(
            "{flag}: unknown toolset id(s) {}. Known toolsets: {}",
            quoted(&unknown),
            toolsets::KNOWN_TOOLSETS.join(", ")
        )))
    }
}

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One set for a list of fnmatch patterns, built once per selection.
fn fnmatch_set(flag: &str, patterns: &[String]) -> Result<GlobSet, CatalogError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in entries(patterns) {
        builder.add(fnmatch_glob(pattern).map_err(|err| {
            CatalogError::Selection(format!("{flag}: invalid pattern '{pattern}': {err}"))
        })?);
    }
    builder
        .build()
        .map_err(|err| CatalogError::Selection(format!("{flag}: {err}")))
}

/// Compiles a Python `fnmatch` pattern: `*` crosses everything (tool names have no
/// separators), no backslash escapes, an unclosed `[` is literal, and the globset-only
/// syntax (`{a,b}`, a leading `^` as negation) is rewritten so it keeps fnmatch's meaning.
pub(crate) fn fnmatch_glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            '[' => match class_end(&chars, i) {
                None => out.push_str("[[]"),
                Some(end) => {
                    let body: String = chars.get(i..end).unwrap_or_default().iter().collect();
                    i = end + 1;
                    if body == "!" {
                        // A negated empty class matches any one character.
                        out.push('?');
                        continue;
                    }
                    match body.strip_prefix('^') {
                        // fnmatch reads a leading `^` literally; globset would negate.
                        Some("") => out.push('^'),
                        Some(rest) => {
                            out.push('[');
                            out.push_str(rest);
                            out.push_str("^]");
                        }
                        None => {
                            out.push('[');
                            out.push_str(&body);
                            out.push(']');
                        }
                    }
                }
            },
            other => out.push(other),
        }
    }
    GlobBuilder::new(&out)
        .literal_separator(false)
        .backslash_escape(false)
        .build()
}

/// Index of the `]` closing a class whose body starts at `start`, by fnmatch's rules (a `]`
/// right after `[` or `[!` is a member).
fn class_end(chars: &[char], start: usize) -> Option<usize> {
    let mut j = start;
    if chars.get(j) == Some(&'!') {
        j += 1;
    }
    if chars.get(j) == Some(&']') {
        j += 1;
    }
    chars
        .get(j..)?
        .iter()
        .position(|&c| c == ']')
        .map(|offset| j + offset)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn catalog() -> &'static Catalog {
        Catalog::builtin().unwrap()
    }

    fn names(selection: &Selection) -> Vec<&str> {
        selection.tools.iter().map(|t| t.name.as_str()).collect()
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn default_is_read_only_and_complete_for_reads() {
        let selection = catalog().select(&SelectionConfig::default()).unwrap();
        assert!(selection.warnings.is_empty());
        assert!(selection.tools.iter().all(|t| !t.action.is_write()));
        let reads = catalog()
            .tools()
            .iter()
            .filter(|t| !t.action.is_write())
            .count();
        assert_eq!(selection.tools.len(), reads);
    }

    #[test]
    fn write_gate_needs_both_flag_and_pattern() {
        let only_flag = SelectionConfig {
            enable_write: true,
            ..SelectionConfig::default()
        };
        let selection = catalog().select(&only_flag).unwrap();
        assert!(selection.tools.iter().all(|t| !t.action.is_write()));
        assert_eq!(selection.warnings.len(), 1);
        assert!(
            selection.warnings[0].starts_with("Write tools are enabled but no allowlist was given")
        );

        let only_patterns = SelectionConfig {
            write_tools: strings(&["zpa_*", "zia_create_*"]),
            ..SelectionConfig::default()
        };
        let selection = catalog().select(&only_patterns).unwrap();
        assert!(selection.tools.iter().all(|t| !t.action.is_write()));
        assert!(
            selection.warnings[0].starts_with("A write-tool allowlist was given (2 pattern(s))")
        );

        let both = SelectionConfig {
            enable_write: true,
            write_tools: strings(&["zpa_*_segment_group"]),
            ..SelectionConfig::default()
        };
        let selection = catalog().select(&both).unwrap();
        let writes: Vec<&str> = names(&selection)
            .into_iter()
            .filter(|n| catalog().get(n).unwrap().action.is_write())
            .collect();
        assert_eq!(
            writes,
            [
                "zpa_create_segment_group",
                "zpa_delete_segment_group",
                "zpa_update_segment_group"
            ]
        );
        assert!(selection.warnings.is_empty());
    }

    #[test]
    fn disabled_patterns_beat_the_write_allowlist() {
        let config = SelectionConfig {
            enable_write: true,
            write_tools: strings(&["*"]),
            disabled_tools: strings(&["*_delete_*", "zia_get_?ocation"]),
            ..SelectionConfig::default()
        };
        let selection = catalog().select(&config).unwrap();
        let names = names(&selection);
        assert!(names.contains(&"zpa_create_segment_group"));
        assert!(!names.iter().any(|n| n.contains("_delete_")));
        assert!(!names.contains(&"zia_get_location"));
        assert!(names.contains(&"zia_get_rule_label"));
    }

    #[test]
    fn services_and_toolsets_filter_before_the_gate() {
        let config = SelectionConfig {
            services: strings(&["ZPA", "zia"]),
            disabled_services: strings(&["zia"]),
            toolsets: strings(&["zpa_segment_groups", "zdx_reports"]),
            enable_write: true,
            write_tools: strings(&["zia_*", "zpa_create_*"]),
            ..SelectionConfig::default()
        };
        let selection = catalog().select(&config).unwrap();
        assert_eq!(
            names(&selection),
            [
                "zpa_create_segment_group",
                "zpa_get_segment_group",
                "zpa_list_segment_groups"
            ]
        );
        let all = SelectionConfig {
            toolsets: strings(&["default"]),
            disabled_toolsets: strings(&["zia_admin"]),
            ..SelectionConfig::default()
        };
        let selection = catalog().select(&all).unwrap();
        assert!(!names(&selection).contains(&"zia_get_activation_status"));
        assert!(names(&selection).contains(&"zdx_get_device"));
    }

    #[test]
    fn unknown_names_are_errors_listing_the_valid_ones() {
        let err = catalog()
            .select(&SelectionConfig {
                services: strings(&["zpa", "zxx"]),
                ..SelectionConfig::default()
            })
            .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("'zxx'"), "{message}");
        assert!(message.contains("zcc, zcell, zdx, zeasm, zia, zid, zins, zms, zpa, ztw"));

        let err = catalog()
            .select(&SelectionConfig {
                disabled_toolsets: strings(&["zia_nope"]),
                ..SelectionConfig::default()
            })
            .unwrap_err();
        assert!(err.to_string().contains("'zia_nope'"));
        assert!(err.to_string().contains("zia_url_filtering"));
        // Known toolsets without tools in a catalog are not errors.
        let zia_only: &'static Catalog = Box::leak(Box::new(
            Catalog::from_toml(&[(
                Service::Zia,
                r#"
[[tool]]
name = "zia_get_activation_status"
toolset = "zia_admin"
action = "read"
description = "Activation status."
http = { method = "GET", path = "/zia/api/v1/status" }
"#,
            )])
            .unwrap(),
        ));
        assert!(
            zia_only
                .select(&SelectionConfig {
                    toolsets: strings(&["zms"]),
                    ..SelectionConfig::default()
                })
                .unwrap()
                .tools
                .is_empty()
        );
    }

    #[test]
    fn list_tools_mode_shows_every_write() {
        let config = SelectionConfig {
            include_all_writes: true,
            ..SelectionConfig::default()
        };
        let selection = catalog().select(&config).unwrap();
        assert_eq!(selection.tools.len(), catalog().tools().len());
        assert!(selection.warnings.is_empty());
    }

    #[test]
    fn fnmatch_specials() {
        let m = |p: &str, s: &str| fnmatch_glob(p).unwrap().compile_matcher().is_match(s);
        assert!(m("zia_{a,b}", "zia_{a,b}"));
        assert!(!m("zia_{a,b}", "zia_a"));
        assert!(m("zia_[^x]", "zia_^"));
        assert!(m("zia_[^x]", "zia_x"));
        assert!(!m("zia_[^x]", "zia_y"));
        assert!(m("zia_[!x]", "zia_y"));
        assert!(m("zia_[x", "zia_[x"));
        assert!(m("a/b*", "a/b/c"));
        assert!(!m("ZIA_*", "zia_x"));
    }

    /// Python's fnmatch for `*`, `?` and literals, written the obvious way.
    fn reference_fnmatch(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|i| reference_fnmatch(rest, &text[i..])),
            Some((b'?', rest)) => !text.is_empty() && reference_fnmatch(rest, &text[1..]),
            Some((c, rest)) => text.first() == Some(c) && reference_fnmatch(rest, &text[1..]),
        }
    }

    proptest! {
        #[test]
        fn globset_agrees_with_fnmatch(pattern in "[a-z_*?]{0,8}", text in "[a-z_]{0,8}") {
            let glob = fnmatch_glob(&pattern).unwrap().compile_matcher();
            prop_assert_eq!(glob.is_match(&text), reference_fnmatch(pattern.as_bytes(), text.as_bytes()));
        }

        #[test]
        fn globset_agrees_on_tool_names(pattern in "[a-z_*?]{1,8}") {
            let glob = fnmatch_glob(&pattern).unwrap().compile_matcher();
            for tool in catalog().tools() {
                prop_assert_eq!(glob.is_match(&tool.name), reference_fnmatch(pattern.as_bytes(), tool.name.as_bytes()));
            }
        }
    }
}
