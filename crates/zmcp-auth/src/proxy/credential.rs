//! How this server proves itself at the provider's token endpoint as a confidential client:
//! a client secret, or a certificate credential (RFC 7523 `private_key_jwt`, what Entra ID
//! calls a certificate: the app registration holds the certificate, this server the key).
//!
//! The certificate assertion is a PS256 JWT naming the certificate by its SHA-256
//! thumbprint (`x5t#S256`, and the SHA-1 `x5t` older Entra endpoints still read), issued by
//! and about the client id, for the token endpoint, valid five minutes and never reused.

use std::time::Duration;

use aws_lc_rs::digest;
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::own_token::{now_secs, random_token};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);
/// Largest certificate file read.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// A confidential client's credential.
pub(crate) enum Credential {
    Secret(SecretString),
    Certificate(Certificate),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Secret([redacted])"),
            Credential::Certificate(c) => write!(f, "Certificate(x5t#S256={})", c.x5t_s256),
        }
    }
}

impl Credential {
    /// The form fields that authenticate a token request to `token_endpoint`.
    pub(crate) fn form_fields(
        &self,
        client_id: &str,
        token_endpoint: &str,
    ) -> Result<Vec<(&'static str, String)>, String> {
        match self {
            Credential::Secret(secret) => {
                Ok(vec![("client_secret", secret.expose_secret().to_owned())])
            }
            Credential::Certificate(cert) => Ok(vec![
                ("client_assertion_type", ASSERTION_TYPE.to_owned()),
                (
                    "client_assertion",
                    cert.assertion(client_id, token_endpoint)?,
                ),
            ]),
        }
    }

    /// Secret material every replica shares, from which stored state's keys may derive.
    pub(crate) fn shared_secret(&self) -> Vec<u8> {
        match self {
            Credential::Secret(secret) => secret.expose_secret().as_bytes().to_vec(),
            Credential::Certificate(cert) => cert.key_der.expose_secret().as_bytes().to_vec(),
        }
    }

    /// How the start-up log describes it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Credential::Secret(_) => "client secret".to_owned(),
            Credential::Certificate(c) => format!("certificate (x5t#S256={})", c.x5t_s256),
        }
    }
}

/// A certificate and its RSA private key.
pub(crate) struct Certificate {
    key: EncodingKey,
    /// The key's DER, base64 (kept only to derive state keys from).
    key_der: SecretString,
    x5t_s256: String,
    x5t: String,
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: u64,
    nbf: u64,
    exp: u64,
}

impl Certificate {
    /// Reads a PEM file holding the certificate (`CERTIFICATE`) and its RSA private key
    /// (`PRIVATE KEY` or `RSA PRIVATE KEY`), in any order, as Entra ID's exports do.
    pub(crate) fn from_file(path: &str) -> Result<Self, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(format!(
                "{path} is larger than 64 KiB; expected one PEM certificate and key"
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        Self::from_pem(&text)
    }

    pub(crate) fn from_pem(text: &str) -> Result<Self, String> {
        let blocks = pem_blocks(text);
        let cert = blocks
            .iter()
            .find(|(label, _)| label == "CERTIFICATE")
            .map(|(_, der)| der)
            .ok_or_else(|| "no -----BEGIN CERTIFICATE----- block".to_owned())?;
        let (label, key_der) = blocks
            .iter()
            .find(|(label, _)| label == "PRIVATE KEY" || label == "RSA PRIVATE KEY")
            .ok_or_else(|| {
                "no -----BEGIN PRIVATE KEY----- block (the certificate's RSA private key)"
                    .to_owned()
            })?;
        let pem = format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            STANDARD.encode(key_der)
        );
        let key = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|_| "the private key is not an RSA key".to_owned())?;
        let certificate = Self {
            key,
            key_der: SecretString::from(STANDARD.encode(key_der)),
            x5t_s256: URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, cert)),
            x5t: URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, cert)),
        };
        certificate
            .assertion("check", "https://check.invalid/token")
            .map_err(|e| format!("the key cannot sign: {e}"))?;
        Ok(certificate)
    }

    fn assertion(&self, client_id: &str, token_endpoint: &str) -> Result<String, String> {
        let now = now_secs();
        let claims = AssertionClaims {
            iss: client_id,
            sub: client_id,
            aud: token_endpoint,
            jti: random_token(),
            iat: now,
            nbf: now,
            exp: now + ASSERTION_LIFETIME.as_secs(),
        };
        let mut header = Header::new(Algorithm::PS256);
        header.x5t_s256 = Some(self.x5t_s256.clone());
        header.x5t = Some(self.x5t.clone());
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| format!("cannot sign the client assertion: {e}"))
    }
}

/// The `(label, DER)` of each PEM block; anything between blocks is ignored.
fn pem_blocks(text: &str) -> Vec<(String, Vec<u8>)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some((_, after)) = rest.split_once("-----BEGIN ") {
        let Some((label, body_and_rest)) = after.split_once("-----") else {
            break;
        };
        let end_marker = format!("-----END {label}-----");
        let Some((body, tail)) = body_and_rest.split_once(end_marker.as_str()) else {
            break;
        };
        let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = STANDARD.decode(body) {
            blocks.push((label.to_owned(), der));
        }
        rest = tail;
    }
    blocks
}

#[cfg(test)]
pub(crate) mod tests {
    use aws_lc_rs::{
        encoding::AsDer,
        rsa::{KeyPair as RsaKeyPair, KeySize},
        signature::KeyPair as _,
    };
    use jsonwebtoken::{DecodingKey, Validation};

    use super::*;

    /// A self-signed certificate and its key as one PEM file (Entra's export), with the
    /// certificate's DER and the public key (SPKI DER).
    pub(crate) fn certificate_pem() -> (String, Vec<u8>, Vec<u8>) {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = pair.as_der().unwrap();
        let key_pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(pkcs8.as_ref())
        );
        let rc_key = rcgen::KeyPair::from_pem(&key_pem).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["zscaler-mcp.example".to_owned()])
            .unwrap()
            .self_signed(&rc_key)
            .unwrap();
        let spki = pair.public_key().as_der().unwrap().as_ref().to_vec();
        (
            format!("{}\n{key_pem}", cert.pem()),
            cert.der().to_vec(),
            spki,
        )
    }

    #[test]
    fn the_assertion_names_the_certificate_and_verifies_with_its_key() {
        let (pem, cert_der, spki) = certificate_pem();
        let cert = Certificate::from_pem(&pem).unwrap();
        let credential = Credential::Certificate(cert);
        let fields = credential
            .form_fields("app-id", "https://login.example/t/oauth2/v2.0/token")
            .unwrap();
        assert_eq!(
            fields[0],
            ("client_assertion_type", ASSERTION_TYPE.to_owned())
        );
        let jwt = &fields[1].1;
        let header = jsonwebtoken::decode_header(jwt).unwrap();
        assert_eq!(header.alg, Algorithm::PS256);
        assert_eq!(
            header.x5t_s256.as_deref(),
            Some(
                URL_SAFE_NO_PAD
                    .encode(digest::digest(&digest::SHA256, &cert_der))
                    .as_str()
            )
        );
        let mut validation = Validation::new(Algorithm::PS256);
        validation.set_audience(&["https://login.example/t/oauth2/v2.0/token"]);
        validation.set_issuer(&["app-id"]);
        let claims = jsonwebtoken::decode::<serde_json::Value>(
            jwt,
            &DecodingKey::from_rsa_pem(
                format!(
                    "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                    STANDARD.encode(&spki)
                )
                .as_bytes(),
            )
            .unwrap(),
            &validation,
        )
        .unwrap()
        .claims;
        assert_eq!(claims["sub"], "app-id");
        assert!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap() <= 300);
        let again = credential.form_fields("app-id", "https://x/token").unwrap();
        assert_ne!(
            jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&again[1].1)
                .unwrap()
                .claims["jti"],
            claims["jti"],
            "an assertion is never reused"
        );
        assert!(format!("{credential:?}").contains("x5t#S256"));
    }

    #[test]
    fn unusable_files_are_refused_with_the_reason() {
        let (pem, _, _) = certificate_pem();
        let only_cert = pem.split("-----BEGIN PRIVATE KEY-----").next().unwrap();
        let err = Certificate::from_pem(only_cert).err().unwrap();
        assert!(err.contains("PRIVATE KEY"), "{err}");
        let only_key = &pem[pem.find("-----BEGIN PRIVATE KEY-----").unwrap()..];
        let err = Certificate::from_pem(only_key).err().unwrap();
        assert!(err.contains("CERTIFICATE"), "{err}");
        let err = Certificate::from_file("/nonexistent/cert.pem")
            .err()
            .unwrap();
        assert!(err.contains("/nonexistent/cert.pem"), "{err}");
        let secret = Credential::Secret(SecretString::from("s3cret"));
        assert!(!format!("{secret:?}").contains("s3cret"));
    }
}
