//! Where the client talks to: token URL, API gateway and ZIdentity admin host, per cloud.

use std::net::IpAddr;

use url::Url;

use crate::ConfigError;
use crate::config::{ClientConfig, Cloud, is_dns_label};

/// The resolved, validated addresses of one tenant.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    /// OneAPI token endpoint.
    pub token_url: Url,
    /// API gateway base, without a trailing slash in its path.
    pub api_base: Url,
    /// `{vanity}-admin.<login domain>`: ZIdentity's direct host, which `next_link` points at.
    /// `None` when the token URL is overridden (tests, the demo).
    pub admin_host: Option<String>,
    /// False only when an override points at a loopback address over plain HTTP.
    pub https_only: bool,
}

impl Endpoints {
    /// Derives the URLs from cloud and vanity domain (zscaler-api.md 1.1), then applies the
    /// overrides. Plain HTTP is allowed for loopback overrides only, so a typo cannot send the
    /// client secret over the network in clear text.
    pub(crate) fn resolve(config: &ClientConfig) -> Result<Self, ConfigError> {
        let login_domain = login_domain(&config.cloud);
        let token_url = match &config.token_url {
            Some(url) => parse_override("ZSCALER_MCP_TOKEN_URL", url)?,
            None => parse_derived(&oneapi_token_url(&config.vanity_domain, &config.cloud)?)?,
        };
        let api_base = match &config.api_base_url {
            Some(url) => parse_override("ZSCALER_MCP_API_BASE_URL", url)?,
            None => parse_derived(&gateway_base(&config.cloud))?,
        };
        let admin_host = match &config.token_url {
            Some(_) => None,
            None => Some(format!(
                "{}-admin.{login_domain}",
                vanity_label(&config.vanity_domain, &login_domain)?
            )),
        };
        let https_only = token_url.scheme() == "https" && api_base.scheme() == "https";
        Ok(Self {
            token_url,
            api_base,
            admin_host,
            https_only,
        })
    }

    /// The gateway URL of `path` (already percent-encoded, starting with `/`).
    pub(crate) fn api_url(&self, path: &str) -> Result<Url, url::ParseError> {
        let base = self.api_base.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}"))
    }

    /// True when `url` may receive the bearer token: the gateway itself or ZIdentity's admin
    /// host, over the same scheme as the gateway.
    pub(crate) fn is_trusted(&self, url: &Url) -> bool {
        if url.scheme() != self.api_base.scheme() {
            return false;
        }
        let same_gateway = url.host_str() == self.api_base.host_str()
            && url.port_or_known_default() == self.api_base.port_or_known_default();
        let admin = match (&self.admin_host, url.host_str()) {
            (Some(admin), Some(host)) => admin.eq_ignore_ascii_case(host),
            _ => false,
        };
        same_gateway || admin
    }
}

/// The OneAPI token endpoint of a tenant (zscaler-api.md 1.1), for callers that check
/// credentials against it without building a client (the `zscaler` client-auth mode), so the
/// cloud-to-host mapping lives in this one place.
///
/// # Errors
/// When the vanity domain is empty or not a host label.
pub fn oneapi_token_url(vanity_domain: &str, cloud: &Cloud) -> Result<String, ConfigError> {
    let login_domain = login_domain(cloud);
    let vanity = vanity_label(vanity_domain, &login_domain)?;
    Ok(parse_derived(&format!("https://{vanity}.{login_domain}/oauth2/v1/token"))?.to_string())
}

/// The ZIdentity login domain, shared by the token host and the admin host.
fn login_domain(cloud: &Cloud) -> String {
    match cloud {
        Cloud::Production => "zslogin.net".to_owned(),
        Cloud::Gov => "zidentitygov.net".to_owned(),
        Cloud::GovUs => "zidentitygov.us".to_owned(),
        Cloud::Other(name) => format!("zslogin{name}.net"),
    }
}

fn gateway_base(cloud: &Cloud) -> String {
    match cloud {
        Cloud::Production => "https://api.zsapi.net".to_owned(),
        Cloud::Gov => "https://api.zscalergov.net".to_owned(),
        Cloud::GovUs => "https://api.zscalergov.us".to_owned(),
        Cloud::Other(name) => format!("https://api.{name}.zsapi.net"),
    }
}

/// The vanity domain becomes a host label; accept `acme` and the common mistake of the full
/// login host (`acme.zslogin.net`), refuse anything else.
fn vanity_label(vanity: &str, login_domain: &str) -> Result<String, ConfigError> {
    let vanity = vanity.trim().to_ascii_lowercase();
    if vanity.is_empty() {
        return Err(ConfigError::Missing(vec!["ZSCALER_VANITY_DOMAIN"]));
    }
    let label = match vanity.split_once('.') {
        None => vanity.as_str(),
        Some((label, rest)) if rest == login_domain => label,
        Some(_) => "",
    };
    if !is_dns_label(label) {
        return Err(ConfigError::Invalid {
            name: "ZSCALER_VANITY_DOMAIN",
            reason: format!(
                "{vanity:?} is not a vanity domain label (expected e.g. acme for acme.{login_domain})"
            ),
        });
    }
    Ok(label.to_owned())
}

fn parse_derived(url: &str) -> Result<Url, ConfigError> {
    Url::parse(url).map_err(|e| ConfigError::Invalid {
        name: "ZSCALER_CLOUD",
        reason: format!("derived URL {url} is invalid: {e}"),
    })
}

fn parse_override(name: &'static str, url: &str) -> Result<Url, ConfigError> {
    let parsed = Url::parse(url).map_err(|e| ConfigError::Invalid {
        name,
        reason: format!("{url:?} is not a URL: {e}"),
    })?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(ConfigError::Invalid {
            name,
            reason: format!("{url} uses plain http; only loopback addresses may (use https)"),
        }),
        other => Err(ConfigError::Invalid {
            name,
            reason: format!("scheme {other:?} is not supported (use https)"),
        }),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {

    use secrecy::SecretString;

    use super::*;
    use crate::Credential;

    #[test]
    fn oneapi_token_url_per_cloud() {
        let url = |v: &str, c: &str| oneapi_token_url(v, &Cloud::parse(c)?);
        assert_eq!(
            url("acme", "production").unwrap(),
            "https://acme.zslogin.net/oauth2/v1/token"
        );
        assert_eq!(
            url("acme", "beta").unwrap(),
            "https://acme.zsloginbeta.net/oauth2/v1/token"
        );
        assert_eq!(
            url("acme", "gov").unwrap(),
            "https://acme.zidentitygov.net/oauth2/v1/token"
        );
        assert_eq!(
            url("acme", "govus").unwrap(),
            "https://acme.zidentitygov.us/oauth2/v1/token"
        );
        assert_eq!(
            url("Acme.zslogin.net", "production").unwrap(),
            "https://acme.zslogin.net/oauth2/v1/token"
        );
        assert!(url("acme.evil.com", "production").is_err());
        assert!(url("acme", "beta.evil.com/x").is_err());
        assert!(url("", "production").is_err());
    }

    fn config(cloud: Cloud) -> ClientConfig {
        ClientConfig::new(
            "id",
            Credential::Secret(SecretString::from("s")),
            "acme",
            cloud,
        )
    }

    fn resolved(cloud: &str) -> Endpoints {
        Endpoints::resolve(&config(Cloud::parse(cloud).unwrap())).unwrap()
    }

    #[test]
    fn urls_follow_the_cloud_table() {
        let cases = [
            (
                "production",
                "https://acme.zslogin.net/oauth2/v1/token",
                "https://api.zsapi.net/",
                "acme-admin.zslogin.net",
            ),
            (
                "beta",
                "https://acme.zsloginbeta.net/oauth2/v1/token",
                "https://api.beta.zsapi.net/",
                "acme-admin.zsloginbeta.net",
            ),
            (
                "alpha",
                "https://acme.zsloginalpha.net/oauth2/v1/token",
                "https://api.alpha.zsapi.net/",
                "acme-admin.zsloginalpha.net",
            ),
            (
                "gov",
                "https://acme.zidentitygov.net/oauth2/v1/token",
                "https://api.zscalergov.net/",
                "acme-admin.zidentitygov.net",
            ),
            (
                "govus",
                "https://acme.zidentitygov.us/oauth2/v1/token",
                "https://api.zscalergov.us/",
                "acme-admin.zidentitygov.us",
            ),
        ];
        for (cloud, token, api, admin) in cases {
            let e = resolved(cloud);
            assert_eq!(e.token_url.as_str(), token, "{cloud}");
            assert_eq!(e.api_base.as_str(), api, "{cloud}");
            assert_eq!(e.admin_host.as_deref(), Some(admin), "{cloud}");
            assert!(e.https_only);
        }
    }

    #[test]
    fn a_full_login_host_as_vanity_domain_is_reduced_to_its_label() {
        let mut c = config(Cloud::Production);
        c.vanity_domain = "Acme.zslogin.net".into();
        let e = Endpoints::resolve(&c).unwrap();
        assert_eq!(
            e.token_url.as_str(),
            "https://acme.zslogin.net/oauth2/v1/token"
        );
    }

    #[test]
    fn a_vanity_domain_that_changes_the_host_is_refused() {
        for bad in [
            "acme.evil.com",
            "ac/me",
            "acme.zslogin.net.evil.com",
            "acme.zsloginbeta.net",
        ] {
            let mut c = config(Cloud::Production);
            c.vanity_domain = bad.into();
            assert!(Endpoints::resolve(&c).is_err(), "{bad}");
        }
        let mut c = config(Cloud::Production);
        c.vanity_domain = " ".into();
        assert!(matches!(
            Endpoints::resolve(&c),
            Err(ConfigError::Missing(_))
        ));
    }

    #[test]
    fn overrides_allow_http_on_loopback_only() {
        let mut c = config(Cloud::Production);
        c.token_url = Some("http://127.0.0.1:9/oauth2/v1/token".into());
        c.api_base_url = Some("http://127.0.0.1:9".into());
        let e = Endpoints::resolve(&c).unwrap();
        assert!(!e.https_only);
        assert_eq!(e.admin_host, None);

        c.api_base_url = Some("http://api.example.com".into());
        assert!(Endpoints::resolve(&c).is_err());
        c.api_base_url = Some("ftp://127.0.0.1".into());
        assert!(Endpoints::resolve(&c).is_err());
        c.api_base_url = Some("https://api.example.com/gw/".into());
        let e = Endpoints::resolve(&c).unwrap();
        assert_eq!(
            e.api_url("/zia/api/v1/users").unwrap().as_str(),
            "https://api.example.com/gw/zia/api/v1/users"
        );
    }

    #[test]
    fn only_the_gateway_and_the_admin_host_are_trusted() {
        let e = resolved("production");
        let trusted = [
            "https://api.zsapi.net/ziam/admin/api/v1/users?offset=1",
            "https://acme-admin.zslogin.net/admin/api/v1/users?offset=1",
        ];
        for url in trusted {
            assert!(e.is_trusted(&Url::parse(url).unwrap()), "{url}");
        }
        let untrusted = [
            "https://evil.example/admin/api/v1/users",
            "http://api.zsapi.net/x",
            "https://api.zsapi.net:8443/x",
            "https://other-admin.zslogin.net/x",
        ];
        for url in untrusted {
            assert!(!e.is_trusted(&Url::parse(url).unwrap()), "{url}");
        }
    }
}
