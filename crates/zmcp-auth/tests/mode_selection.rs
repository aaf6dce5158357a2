//! Which mode the environment selects, and the start-up errors of each mode's settings.

mod common;

use common::env;
use secrecy::ExposeSecret;
use zmcp_auth::{AuthConfigError, AuthMode, AuthResolution, ClientAuth, ModeSource};

async fn resolve(pairs: &[(&str, &str)], demo: bool) -> Result<AuthResolution, AuthConfigError> {
    ClientAuth::resolve_from_env(&env(pairs), demo).await
}

#[tokio::test]
async fn nothing_configured_defaults_to_jwt_and_fails_closed() {
    let err = resolve(&[], false).await.unwrap_err();
    assert_eq!(err.mode(), Some(AuthMode::Jwt));
    let text = err.to_string();
    assert!(text.contains("ZSCALER_MCP_AUTH_JWKS_URI"), "{text}");
}

#[tokio::test]
async fn nothing_configured_in_demo_on_loopback_is_none() {
    let r = resolve(&[], true).await.unwrap();
    assert!(matches!(r.auth, ClientAuth::None));
    assert_eq!(r.source, ModeSource::DemoLoopback);
}

#[tokio::test]
async fn demo_does_not_override_configured_auth() {
    let r = resolve(&[("ZSCALER_MCP_AUTH_API_KEY", "k")], true)
        .await
        .unwrap();
    assert_eq!(r.auth.mode(), AuthMode::ApiKey);
}

#[tokio::test]
async fn disabled_flag_accepts_false_0_no_only() {
    for v in ["false", "0", "no", "FALSE", " No "] {
        let r = resolve(&[("ZSCALER_MCP_AUTH_ENABLED", v)], false)
            .await
            .unwrap();
        assert_eq!(r.source, ModeSource::DisabledByEnv, "{v}");
    }
    for v in ["off", "n", "true"] {
        assert!(
            resolve(&[("ZSCALER_MCP_AUTH_ENABLED", v)], false)
                .await
                .is_err(),
            "{v}"
        );
    }
}

#[tokio::test]
async fn disabled_flag_wins_over_explicit_mode() {
    let r = resolve(
        &[
            ("ZSCALER_MCP_AUTH_ENABLED", "false"),
            ("ZSCALER_MCP_AUTH_MODE", "jwt"),
        ],
        false,
    )
    .await
    .unwrap();
    assert!(matches!(r.auth, ClientAuth::None));
}

#[tokio::test]
async fn mode_none_disables() {
    let r = resolve(&[("ZSCALER_MCP_AUTH_MODE", "None")], false)
        .await
        .unwrap();
    assert_eq!(r.source, ModeSource::ModeNone);
    assert!(matches!(r.auth, ClientAuth::None));
}

#[tokio::test]
async fn api_key_is_auto_detected_and_explicit() {
    let r = resolve(&[("ZSCALER_MCP_AUTH_API_KEY", " sk-1 ")], false)
        .await
        .unwrap();
    assert_eq!(
        r.source,
        ModeSource::AutoDetected("ZSCALER_MCP_AUTH_API_KEY")
    );
    match r.auth {
        ClientAuth::ApiKey(k) => assert_eq!(k.expose_secret(), "sk-1"),
        other => panic!("expected api-key, got {other:?}"),
    }
    let r = resolve(
        &[
            ("ZSCALER_MCP_AUTH_MODE", "api-key"),
            ("ZSCALER_MCP_AUTH_API_KEY", "sk-1"),
        ],
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.source, ModeSource::Explicit);
}

#[tokio::test]
async fn explicit_api_key_without_key_is_an_error() {
    let err = resolve(
        &[
            ("ZSCALER_MCP_AUTH_MODE", "api-key"),
            ("ZSCALER_MCP_AUTH_API_KEY", "  "),
        ],
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AuthConfigError::MissingApiKey));
}

#[tokio::test]
async fn auto_detection_order_is_jwks_then_api_key_then_vanity() {
    // A JWKS URI wins over an API key: jwt is selected (and fails on the missing issuer).
    let err = resolve(
        &[
            ("ZSCALER_MCP_AUTH_JWKS_URI", "https://idp.example/jwks"),
            ("ZSCALER_MCP_AUTH_API_KEY", "k"),
        ],
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(err.mode(), Some(AuthMode::Jwt));
    assert!(err.to_string().contains("ZSCALER_MCP_AUTH_ISSUER"), "{err}");
    // The binary passes the token URL it derives from the vanity domain with zmcp-zscaler.
    let r = resolve(
        &[
            ("ZSCALER_VANITY_DOMAIN", "acme"),
            (
                "ZSCALER_MCP_TOKEN_URL",
                "https://acme.zslogin.net/oauth2/v1/token",
            ),
        ],
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.auth.mode(), AuthMode::Zscaler);
    assert_eq!(r.source, ModeSource::AutoDetected("ZSCALER_VANITY_DOMAIN"));
}

#[tokio::test]
async fn unknown_mode_is_an_error() {
    let err = resolve(&[("ZSCALER_MCP_AUTH_MODE", "magic")], false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Unknown auth mode: 'magic'"));
}

#[tokio::test]
async fn each_mode_names_its_missing_settings() {
    let cases: [(&str, &[&str]); 3] = [
        ("jwt", &["ZSCALER_MCP_AUTH_JWKS_URI"]),
        ("zscaler", &["ZSCALER_VANITY_DOMAIN"]),
        ("oidc", &["OIDCPROXY_CONFIG_URL", "OIDCPROXY_BASE_URL"]),
    ];
    for (mode, names) in cases {
        let err = resolve(&[("ZSCALER_MCP_AUTH_MODE", mode)], false)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AuthConfigError::Setting { .. }),
            "{mode}: {err:?}"
        );
        for name in names {
            assert!(err.to_string().contains(name), "{mode}: {err}");
        }
    }
}

#[tokio::test]
async fn jwt_settings_are_checked_before_any_fetch() {
    let base = [
        ("ZSCALER_MCP_AUTH_MODE", "jwt"),
        ("ZSCALER_MCP_AUTH_ISSUER", "https://idp.example"),
    ];
    let with = |extra: (&'static str, &'static str)| {
        let mut v = base.to_vec();
        v.push(extra);
        v
    };
    let err = resolve(
        &with(("ZSCALER_MCP_AUTH_JWKS_URI", "http://idp.example/jwks")),
        false,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    let mut hs = with(("ZSCALER_MCP_AUTH_JWKS_URI", "https://idp.example/jwks"));
    hs.push(("ZSCALER_MCP_AUTH_ALGORITHMS", "RS256,HS256"));
    let err = resolve(&hs, false).await.unwrap_err();
    assert!(err.to_string().contains("symmetric"), "{err}");
}

#[tokio::test]
async fn oidc_audience_is_required() {
    let err = resolve(
        &[
            ("ZSCALER_MCP_AUTH_MODE", "oidc"),
            (
                "OIDCPROXY_CONFIG_URL",
                "https://idp.example/.well-known/openid-configuration",
            ),
            ("OIDCPROXY_BASE_URL", "https://mcp.example/mcp"),
        ],
        false,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("OIDCPROXY_AUDIENCE"), "{err}");
}

#[tokio::test]
async fn oidc_proxy_without_its_settings_stops_start_up_naming_them() {
    let err = resolve(&[("ZSCALER_MCP_AUTH_MODE", "oidcproxy")], false)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthConfigError::Startup { .. }), "{err:?}");
    assert_eq!(err.mode(), Some(AuthMode::OidcProxy));
    assert!(err.to_string().contains("OIDCPROXY_AUTH_ISSUER"), "{err}");
}

#[tokio::test]
async fn entra_guide_variables_are_never_served_open() {
    // The guide pairs OIDCPROXY_AUTH_* with ZSCALER_MCP_AUTH_ENABLED=false.
    let err = resolve(
        &[
            (
                "OIDCPROXY_AUTH_ISSUER",
                "https://login.microsoftonline.com/t/v2.0",
            ),
            ("ZSCALER_MCP_AUTH_ENABLED", "false"),
        ],
        true,
    )
    .await
    .unwrap_err();
    assert_eq!(err.mode(), Some(AuthMode::OidcProxy));
    assert!(err.to_string().contains("OIDCPROXY_AUTH_"));
}

#[tokio::test]
async fn explicit_mode_beats_entra_variables_with_a_warning() {
    let r = resolve(
        &[
            ("OIDCPROXY_AUTH_AUDIENCE", "x"),
            ("ZSCALER_MCP_AUTH_MODE", "api-key"),
            ("ZSCALER_MCP_AUTH_API_KEY", "k"),
        ],
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.auth.mode(), AuthMode::ApiKey);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("OIDCPROXY_AUTH_AUDIENCE"))
    );
}

#[tokio::test]
async fn trust_platform_is_not_honoured_and_says_so() {
    let r = resolve(
        &[
            ("ZSCALER_MCP_AUTH_API_KEY", "k"),
            ("ZSCALER_MCP_TRUST_PLATFORM_AUTH", "yes"),
        ],
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.warnings.len(), 1);
}
