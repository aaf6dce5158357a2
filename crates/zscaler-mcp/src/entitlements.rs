//! The OneAPI entitlement filter (inventory section 3.8): tools of products the API client
//! is not entitled to (the token's `service-info[].prd`) are dropped before the server is
//! built, so the model is never offered a tool that can only answer 401. It never stops
//! start-up: whatever goes wrong skips it with a warning and every selected tool stays.

use std::collections::BTreeSet;
use std::time::Duration;

use zmcp_catalog::{Service, ToolSpec};
use zmcp_zscaler::{ConfigError, ZscalerClient};

/// Start-up waits this long for the token at most; the filter is skipped after that.
const TOKEN_WAIT: Duration = Duration::from_secs(10);

/// The service a `prd` value names (upper-cased first), as the Python server maps them,
/// including the values observed in live tokens (`CLOUD_CONNECTOR`, `ZIAM`, `ZINSIGHTS`,
/// `EASM`) and the unconfirmed ZCell variants.
fn service_of(prd: &str) -> Option<Service> {
    Some(match prd.trim().to_ascii_uppercase().as_str() {
        "ZIA" => Service::Zia,
        "ZPA" => Service::Zpa,
        "ZDX" => Service::Zdx,
        "ZCC" => Service::Zcc,
        "ZTW" | "CLOUD_CONNECTOR" => Service::Ztw,
        "ZIDENTITY" | "ZID" | "IDENTITY" | "ZIAM" => Service::Zid,
        "ZEASM" | "EASM" => Service::Zeasm,
        "ZINS" | "INSIGHTS" | "ZINSIGHTS" => Service::Zins,
        "ZMS" => Service::Zms,
        "ZCELL" | "ZCELLULAR" | "CELLULAR" => Service::Zcell,
        _ => return None,
    })
}

/// What the token's products mean for the selected services.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    /// Services the token entitles (mapped `prd` values).
    entitled: BTreeSet<Service>,
    /// Selected services the token does not entitle.
    removed: BTreeSet<Service>,
    /// `prd` values with no known service, sorted and de-duplicated.
    unmapped: Vec<String>,
}

/// Maps `products` and compares them with the `selected` services.
///
/// # Errors
/// Why the filter must be skipped: no `prd` value maps to a known service (filtering on
/// that would drop every tool, which is a mapping gap far more often than a real tenant).
fn judge(selected: &BTreeSet<Service>, products: &[String]) -> Result<Verdict, String> {
    let mut entitled = BTreeSet::new();
    let mut unmapped = BTreeSet::new();
    for prd in products {
        match service_of(prd) {
            Some(service) => {
                entitled.insert(service);
            }
            None => {
                unmapped.insert(prd.clone());
            }
        }
    }
    let unmapped: Vec<String> = unmapped.into_iter().collect();
    if entitled.is_empty() {
        return Err(if unmapped.is_empty() {
            "token had no recognizable service-info entries".to_owned()
        } else {
            format!(
                "no prd value in the token maps to a known service; unmapped: {}",
                unmapped.join(", ")
            )
        });
    }
    Ok(Verdict {
        removed: selected.difference(&entitled).copied().collect(),
        entitled,
        unmapped,
    })
}

fn codes<'a>(services: impl IntoIterator<Item = &'a Service>) -> String {
    let codes: Vec<&str> = services.into_iter().map(|s| s.code()).collect();
    format!("[{}]", codes.join(", "))
}

/// Drops the tools of services the OneAPI token does not entitle; costs one token request,
/// which the client keeps for the first tool call.
pub async fn apply(
    tools: Vec<&'static ToolSpec>,
    client: &Result<ZscalerClient, ConfigError>,
    enabled: bool,
) -> Vec<&'static ToolSpec> {
    if !enabled {
        tracing::info!("OneAPI entitlement filter disabled by configuration.");
        return tools;
    }
    let client = match client {
        Ok(client) => client,
        Err(err) => {
            tracing::warn!("OneAPI entitlement filter skipped ({err})");
            return tools;
        }
    };
    let products = match tokio::time::timeout(TOKEN_WAIT, client.entitled_products()).await {
        Ok(Ok(products)) => products,
        Ok(Err(err)) => {
            tracing::warn!(
                "OneAPI entitlement filter skipped ({err}); all selected tools stay registered"
            );
            return tools;
        }
        Err(_) => {
            tracing::warn!(
                "OneAPI entitlement filter skipped (no OneAPI token within {} s); all selected \
                 tools stay registered",
                TOKEN_WAIT.as_secs()
            );
            return tools;
        }
    };
    let selected: BTreeSet<Service> = tools.iter().map(|t| t.service).collect();
    let verdict = match judge(&selected, &products) {
        Ok(verdict) => verdict,
        Err(reason) => {
            tracing::warn!(
                "OneAPI entitlement filter skipped ({reason}); all selected tools stay registered"
            );
            return tools;
        }
    };
    if !verdict.unmapped.is_empty() {
        tracing::warn!(
            "Entitlement filter: {} prd value(s) in the OneAPI token have no known service \
             mapping and were ignored: {}. If the tools of such a product are missing but \
             work for you, this is a mapping gap: confirm with --no-entitlement-filter and \
             report the value.",
            verdict.unmapped.len(),
            verdict.unmapped.join(", ")
        );
    }
    let before = tools.len();
    let kept: Vec<&'static ToolSpec> = tools
        .into_iter()
        .filter(|t| !verdict.removed.contains(&t.service))
        .collect();
    let kept_services = selected.difference(&verdict.removed).count();
    if verdict.removed.is_empty() {
        tracing::info!(
            "OneAPI entitlement filter applied: entitled services={}, kept {kept_services} \
             service(s)",
            codes(&verdict.entitled)
        );
    } else {
        tracing::info!(
            "OneAPI entitlement filter applied: entitled services={}, kept {kept_services} \
             service(s), removed {} service(s): {} ({} tool(s)) because the API client's \
             OneAPI token does not list them in service-info; --no-entitlement-filter keeps them",
            codes(&verdict.entitled),
            verdict.removed.len(),
            codes(&verdict.removed),
            before - kept.len()
        );
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn products(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn every_documented_prd_value_maps() {
        for (prd, service) in [
            ("ZIA", Service::Zia),
            ("zpa", Service::Zpa),
            ("ZDX", Service::Zdx),
            ("ZCC", Service::Zcc),
            ("CLOUD_CONNECTOR", Service::Ztw),
            ("ZTW", Service::Ztw),
            ("ZIAM", Service::Zid),
            ("ZIDENTITY", Service::Zid),
            ("ZINSIGHTS", Service::Zins),
            ("EASM", Service::Zeasm),
            ("ZMS", Service::Zms),
            ("ZCELL", Service::Zcell),
            ("CELLULAR", Service::Zcell),
        ] {
            assert_eq!(service_of(prd), Some(service), "{prd}");
        }
        assert_eq!(service_of("RISK360"), None);
        assert_eq!(service_of("ZGUARD"), None);
    }

    #[test]
    fn selected_services_outside_the_token_are_removed() {
        let selected = BTreeSet::from([Service::Zia, Service::Zpa, Service::Zdx, Service::Zins]);
        let verdict = judge(&selected, &products(&["ZIA", "ZPA", "ZCC", "RISK360"])).unwrap();
        assert_eq!(
            verdict.removed,
            BTreeSet::from([Service::Zdx, Service::Zins])
        );
        assert_eq!(
            verdict.entitled,
            BTreeSet::from([Service::Zia, Service::Zpa, Service::Zcc])
        );
        assert_eq!(verdict.unmapped, ["RISK360"]);
    }

    #[test]
    fn a_token_with_nothing_known_skips_the_filter() {
        let selected = BTreeSet::from([Service::Zia]);
        assert!(
            judge(&selected, &[])
                .unwrap_err()
                .contains("no recognizable")
        );
        assert!(
            judge(&selected, &products(&["ZGUARD"]))
                .unwrap_err()
                .contains("unmapped: ZGUARD")
        );
    }
}
