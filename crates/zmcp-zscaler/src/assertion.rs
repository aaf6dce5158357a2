//! How the client proves its identity at the token endpoint: the client secret, or an RS256
//! `client_assertion` signed with the API client's private key (zscaler-api.md 1.2).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::{ConfigError, Credential};

/// `aud` of the assertion and `audience` of the token request.
pub(crate) const AUDIENCE: &str = "https://api.zscaler.com";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ASSERTION_LIFETIME_SECS: u64 = 600;
const MIN_RSA_BITS: usize = 2048;

/// A credential made ready to use: the private key is parsed once, not per token request.
pub(crate) enum ClientAuth {
    Secret(SecretString),
    PrivateKey(EncodingKey),
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
}

impl ClientAuth {
    /// Parses the key and signs one throw-away assertion, so a bad key fails at start-up
    /// with a config error instead of at the first tool call.
    pub(crate) fn from_credential(
        credential: &Credential,
        client_id: &str,
    ) -> Result<Self, ConfigError> {
        match credential {
            Credential::Secret(secret) => {
                if secret.expose_secret().is_empty() {
                    return Err(ConfigError::Missing(vec!["ZSCALER_CLIENT_SECRET"]));
                }
                Ok(Self::Secret(secret.clone()))
            }
            Credential::PrivateKey(key) => {
                let auth = Self::PrivateKey(parse_private_key(key.expose_secret())?);
                auth.form(client_id)
                    .map_err(|reason| invalid_key(&reason))?;
                Ok(auth)
            }
        }
    }

    /// The form fields of a token request. The secret is exposed only into this form.
    pub(crate) fn form(&self, client_id: &str) -> Result<Vec<(&'static str, String)>, String> {
        let mut form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", client_id.to_owned()),
        ];
        match self {
            Self::Secret(secret) => {
                form.push(("client_secret", secret.expose_secret().to_owned()));
            }
            Self::PrivateKey(key) => {
                form.push(("client_assertion", sign_assertion(key, client_id)?));
                form.push(("client_assertion_type", ASSERTION_TYPE.to_owned()));
            }
        }
        form.push(("audience", AUDIENCE.to_owned()));
        Ok(form)
    }
}

fn sign_assertion(key: &EncodingKey, client_id: &str) -> Result<String, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let claims = AssertionClaims {
        iss: client_id,
        sub: client_id,
        aud: AUDIENCE,
        exp: now + ASSERTION_LIFETIME_SECS,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key)
        .map_err(|e| format!("cannot sign the client assertion with the private key ({e})"))
}

fn invalid_key(reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: "ZSCALER_PRIVATE_KEY",
        reason: reason.to_owned(),
    }
}

/// Accepts a PEM key (PKCS#8 or PKCS#1) or an RSA private JWK. Env files often carry PEM
/// newlines as literal `\n`; those are restored.
fn parse_private_key(text: &str) -> Result<EncodingKey, ConfigError> {
    let text = text.trim();
    if text.starts_with('{') {
        return jwk_to_key(text);
    }
    if text.starts_with("-----BEGIN") {
        let pem = if text.contains('\n') {
            text.to_owned()
        } else {
            text.replace("\\n", "\n")
        };
        return EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|_| invalid_key("the PEM block is not an RSA private key"));
    }
    Err(invalid_key(
        "expected an RSA private key as PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) or as JWK JSON",
    ))
}

/// The private members of an RSA JWK (RFC 7518 6.3.2), base64url without padding.
#[derive(Deserialize)]
struct RsaPrivateJwk {
    kty: String,
    n: String,
    e: String,
    d: Option<String>,
    p: Option<String>,
    q: Option<String>,
    dp: Option<String>,
    dq: Option<String>,
    qi: Option<String>,
}

/// jsonwebtoken signs with a PKCS#1 DER key but reads JWKs only as public keys, so the JWK
/// members are re-encoded as a PKCS#1 `RSAPrivateKey` here.
fn jwk_to_key(json: &str) -> Result<EncodingKey, ConfigError> {
    let jwk: RsaPrivateJwk =
        serde_json::from_str(json).map_err(|_| invalid_key("the JWK is not valid JSON"))?;
    if jwk.kty != "RSA" {
        return Err(invalid_key("the JWK is not an RSA key (kty must be RSA)"));
    }
    let public = [Some(jwk.n), Some(jwk.e)];
    let private = [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi];
    let mut integers = Vec::with_capacity(8);
    for member in public.into_iter().chain(private) {
        let member = member.ok_or_else(|| {
            invalid_key("the JWK lacks private members (d, p, q, dp, dq, qi are required)")
        })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(member.trim_end_matches('='))
            .map_err(|_| invalid_key("a JWK member is not base64url"))?;
        integers.push(bytes);
    }
    let modulus_bits = integers
        .first()
        .map(|n| significant(n).len() * 8)
        .unwrap_or_default();
    if modulus_bits < MIN_RSA_BITS {
        return Err(invalid_key("the RSA key is shorter than 2048 bits"));
    }
    let mut body = der_integer(&[0]);
    for integer in &integers {
        body.extend(der_integer(integer));
    }
    Ok(EncodingKey::from_rsa_der(&der_tlv(0x30, &body)))
}

fn significant(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// A DER INTEGER holding the unsigned big-endian `bytes`.
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let digits = significant(bytes);
    let mut content = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(digits);
    der_tlv(0x02, &content)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let len_bytes = len.to_be_bytes();
        let len_bytes = significant(&len_bytes);
        out.push(0x80 | len_bytes.len() as u8);
        out.extend_from_slice(len_bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_integers_are_minimal_and_unsigned() {
        assert_eq!(der_integer(&[0]), vec![0x02, 0x01, 0x00]);
        assert_eq!(der_integer(&[0, 0, 0x7f]), vec![0x02, 0x01, 0x7f]);
        assert_eq!(der_integer(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der_integer(&[0x01, 0x00, 0x01]), vec![0x02, 0x03, 1, 0, 1]);
    }

    #[test]
    fn der_long_lengths_use_the_long_form() {
        let tlv = der_tlv(0x30, &[7; 300]);
        assert_eq!(tlv.get(..4), Some(&[0x30, 0x82, 0x01, 0x2c][..]));
        assert_eq!(tlv.len(), 304);
    }

    #[test]
    fn secret_form_has_the_exact_fields() {
        let auth =
            ClientAuth::from_credential(&Credential::Secret(SecretString::from("shh")), "cid")
                .unwrap();
        let form = auth.form("cid").unwrap();
        let names: Vec<_> = form.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            ["grant_type", "client_id", "client_secret", "audience"]
        );
        assert!(form.contains(&("audience", AUDIENCE.to_owned())));
        assert!(form.contains(&("client_secret", "shh".to_owned())));
    }

    #[test]
    fn empty_secret_and_garbage_keys_are_config_errors() {
        let empty = ClientAuth::from_credential(&Credential::Secret(SecretString::from("")), "c");
        assert!(matches!(empty, Err(ConfigError::Missing(_))));
        for bad in [
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "{\"kty\":\"EC\",\"n\":\"\",\"e\":\"\"}",
            "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
            "{broken",
        ] {
            let r =
                ClientAuth::from_credential(&Credential::PrivateKey(SecretString::from(bad)), "c");
            match r {
                Err(ConfigError::Invalid { name, reason }) => {
                    assert_eq!(name, "ZSCALER_PRIVATE_KEY");
                    assert!(!reason.contains("AAAA"), "{reason}");
                }
                Err(other) => panic!("unexpected {other:?} for {bad}"),
                Ok(_) => panic!("accepted {bad}"),
            }
        }
    }

    const PEM: &str = include_str!("../tests/fixtures/test-rsa-2048.pem");
    const JWK: &str = include_str!("../tests/fixtures/test-rsa-2048.jwk.json");
    const SHORT_PEM: &str = include_str!("../tests/fixtures/test-rsa-1024.pem");

    /// Verifies the assertion with the public half of the JWK, as the token endpoint would.
    fn verify(assertion: &str) -> serde_json::Value {
        let jwk: serde_json::Value = serde_json::from_str(JWK).unwrap();
        let key = jsonwebtoken::DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap(),
            jwk["e"].as_str().unwrap(),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&["cid"]);
        let header = jsonwebtoken::decode_header(assertion).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid, None);
        jsonwebtoken::decode::<serde_json::Value>(assertion, &key, &validation)
            .unwrap()
            .claims
    }

    fn assertion_form(key: &str) -> Vec<(&'static str, String)> {
        let auth =
            ClientAuth::from_credential(&Credential::PrivateKey(SecretString::from(key)), "cid")
                .unwrap();
        auth.form("cid").unwrap()
    }

    #[test]
    fn pem_escaped_pem_and_jwk_all_sign_valid_assertions() {
        let escaped = PEM.trim().replace('\n', "\\n");
        for key in [PEM, escaped.as_str(), JWK] {
            let form = assertion_form(key);
            let names: Vec<_> = form.iter().map(|(k, _)| *k).collect();
            assert_eq!(
                names,
                [
                    "grant_type",
                    "client_id",
                    "client_assertion",
                    "client_assertion_type",
                    "audience"
                ]
            );
            let assertion = &form
                .iter()
                .find(|(k, _)| *k == "client_assertion")
                .unwrap()
                .1;
            let claims = verify(assertion);
            assert_eq!(claims["sub"], "cid");
            let exp = claims["exp"].as_u64().unwrap();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            assert!(exp > now + 500 && exp <= now + 600, "exp {exp} now {now}");
            assert_eq!(claims.as_object().unwrap().len(), 4, "{claims}");
        }
    }

    #[test]
    fn short_rsa_keys_are_refused() {
        let r = ClientAuth::from_credential(
            &Credential::PrivateKey(SecretString::from(SHORT_PEM)),
            "cid",
        );
        assert!(matches!(r, Err(ConfigError::Invalid { .. })));
    }
}
