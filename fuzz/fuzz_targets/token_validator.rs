//! Arbitrary bytes as a bearer token, as an `Authorization` header value, and as the header
//! and claims of a correctly signed token, against a validator with a fixed in-memory JWKS.
//! Validation must never panic, and every refusal must become a well-formed challenge.

#![no_main]

use std::sync::{Arc, OnceLock};

use http::{HeaderMap, HeaderValue, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use zmcp_auth::{
    AuthMode, Rejection, StaticKeys, TokenValidator, ValidatorConfig,
    jwks::{KeySet, VerificationKey},
    test_support::TestKey,
};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    validator: TokenValidator,
    keys: Vec<TestKey>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let keys = vec![
            TestKey::rsa("rsa-1").expect("RSA key"),
            TestKey::ec("ec-1").expect("EC key").without_jwk_alg(),
        ];
        let set = KeySet::from_keys(
            keys.iter()
                .map(|k| VerificationKey::from_jwk(k.jwk()).expect("usable JWK"))
                .collect(),
        );
        let validator = TokenValidator::new(
            ValidatorConfig {
                issuers: vec!["https://idp.example".to_owned()],
                audiences: vec!["zscaler-mcp-server".to_owned()],
                algorithms: vec![
                    jsonwebtoken::Algorithm::RS256,
                    jsonwebtoken::Algorithm::ES256,
                ],
                required_scopes: vec!["mcp.access".to_owned()],
            },
            Arc::new(StaticKeys(set)),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        Fixture {
            runtime,
            validator,
            keys,
        }
    })
}

fn check_refusal(error: &zmcp_auth::ValidationError) {
    let rejection = Rejection::bearer(
        error,
        Some("https://mcp.example/.well-known/oauth-protected-resource/mcp"),
        &["mcp.access".to_owned()],
    );
    assert!(matches!(
        rejection.status(),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ));
    assert!(
        rejection
            .challenge()
            .to_str()
            .is_ok_and(|c| c.starts_with("Bearer"))
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    match selector % 3 {
        0 => {
            let token = String::from_utf8_lossy(rest);
            if let Err(e) = f.runtime.block_on(f.validator.validate(&token)) {
                check_refusal(&e);
            }
        }
        1 => {
            let Ok(value) = HeaderValue::from_bytes(rest) else {
                return;
            };
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value);
            if let Err(e) = f
                .runtime
                .block_on(f.validator.authenticate(&headers, AuthMode::Jwt))
            {
                check_refusal(&e);
            }
        }
        _ => {
            // Split the rest into a header and a payload, and sign them for real.
            let Some((&split, body)) = rest.split_first() else {
                return;
            };
            let at = usize::from(split).min(body.len());
            let (header_bytes, payload) = body.split_at(at);
            let key = &f.keys[usize::from(split) % f.keys.len()];
            let Ok(token) = key.sign_raw(header_bytes, payload) else {
                return;
            };
            if let Err(e) = f.runtime.block_on(f.validator.validate(&token)) {
                check_refusal(&e);
            }
        }
    }
});
