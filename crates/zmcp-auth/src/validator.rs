//! Bearer JWT validation shared by the `jwt` and `oidc` modes: only asymmetric algorithms
//! from an allowlist that also fit the key, signature, `exp`/`nbf` with leeway, `iss`,
//! `aud`, required scopes.

use std::{str::FromStr, sync::Arc};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{HeaderMap, header};
use jsonwebtoken::{Algorithm, Validation, errors::ErrorKind};
use serde_json::{Map, Value};

use crate::{
    AuthMode, Principal,
    entra::{self, EntraHint},
    jwks::{KeyError, KeyResolver},
    outbound::printable,
    validation_error::ValidationError,
};

/// Clock skew tolerated on `exp` and `nbf`, seconds.
pub const LEEWAY_SECS: u64 = 60;
/// Longest token read; real access tokens are a few KiB, and parsing more is wasted work.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// `ZSCALER_MCP_AUTH_ALGORITHMS` when unset.
pub const DEFAULT_ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// What a token must satisfy.
#[derive(Debug, Clone)]
pub struct ValidatorConfig {
    /// Accepted `iss` values (exact match).
    pub issuers: Vec<String>,
    /// Accepted `aud` values; the token must name at least one.
    pub audiences: Vec<String>,
    /// Accepted `alg` values; only asymmetric ones (see [`parse_algorithms`]).
    pub algorithms: Vec<Algorithm>,
    /// Scopes the token must carry (in `scp` or `scope`); empty = none.
    pub required_scopes: Vec<String>,
}

/// Parses `ZSCALER_MCP_AUTH_ALGORITHMS`: asymmetric signature algorithms only.
///
/// # Errors
/// A sentence naming the offending entry: `none`, HS* (a public key would become the HMAC
/// secret), or an unknown name.
pub fn parse_algorithms(csv: &[String]) -> Result<Vec<Algorithm>, String> {
    if csv.is_empty() {
        return Ok(DEFAULT_ALGORITHMS.to_vec());
    }
    let mut algorithms = Vec::new();
    for name in csv {
        let alg = match name.to_ascii_uppercase().as_str() {
            "NONE" => {
                return Err(
                    "ZSCALER_MCP_AUTH_ALGORITHMS: 'none' (unsigned tokens) is never accepted"
                        .to_owned(),
                );
            }
            "EDDSA" => Algorithm::EdDSA,
            upper => Algorithm::from_str(upper).map_err(|_| {
                format!(
                    "ZSCALER_MCP_AUTH_ALGORITHMS: unknown algorithm '{name}' (supported: RS256, \
                     RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA)"
                )
            })?,
        };
        if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return Err(format!(
                "ZSCALER_MCP_AUTH_ALGORITHMS: {name} is a symmetric algorithm and is never \
                 accepted with a JWKS (the IdP's public key would become the HMAC secret)"
            ));
        }
        if !algorithms.contains(&alg) {
            algorithms.push(alg);
        }
    }
    Ok(algorithms)
}

/// Names of `algorithms`, for banners and errors.
pub fn algorithm_names(algorithms: &[Algorithm]) -> String {
    algorithms
        .iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Validates bearer JWTs against one issuer's keys.
#[derive(Debug, Clone)]
pub struct TokenValidator {
    config: Arc<ValidatorConfig>,
    keys: Arc<dyn KeyResolver>,
    leeway_secs: u64,
}

/// The parts of the JOSE header read before any key is chosen.
#[derive(serde::Deserialize)]
struct RawHeader {
    alg: Value,
    #[serde(default)]
    kid: Option<Value>,
    #[serde(default)]
    crit: Option<Value>,
}

impl TokenValidator {
    /// A validator using `keys`.
    pub fn new(config: ValidatorConfig, keys: Arc<dyn KeyResolver>) -> Self {
        Self {
            config: Arc::new(config),
            keys,
            leeway_secs: LEEWAY_SECS,
        }
    }

    /// What tokens must satisfy.
    pub fn config(&self) -> &ValidatorConfig {
        &self.config
    }

    /// Reads `Authorization: Bearer <jwt>` and validates it.
    ///
    /// # Errors
    /// Why the request is refused.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        mode: AuthMode,
    ) -> Result<Principal, ValidationError> {
        let token = bearer_token(headers)?;
        let claims = self.validate(token).await?;
        Ok(principal(&claims, mode))
    }

    /// Validates one token and returns its claims.
    ///
    /// # Errors
    /// Why the token is refused.
    pub async fn validate(&self, token: &str) -> Result<Map<String, Value>, ValidationError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(ValidationError::Malformed(format!(
                "Token decode error: the token is larger than {} KiB",
                MAX_TOKEN_BYTES / 1024
            )));
        }
        let (alg, kid) = self.check_header(token)?;
        let key = self
            .keys
            .resolve(kid.as_deref(), alg)
            .await
            .map_err(|err| match err {
                KeyError::Unavailable(reason) => ValidationError::JwksUnavailable(reason),
                other => ValidationError::UnknownKey {
                    detail: other.to_string(),
                    hint: None,
                },
            })
            .map_err(|err| self.diagnose(err, token))?;
        if !key.accepts(alg) {
            return Err(ValidationError::AlgorithmNotAllowed {
                alg: format!("{alg:?}"),
                reason: format!(
                    "the signing key{} is {} and cannot verify it",
                    key.kid()
                        .map(|k| format!(" '{}'", printable(k, 80)))
                        .unwrap_or_default(),
                    match key.pinned_alg() {
                        Some(pinned) => format!("pinned to {pinned:?}"),
                        None => format!("a {} key", key.kind()),
                    }
                ),
            });
        }
        let data = jsonwebtoken::decode::<Map<String, Value>>(
            token,
            key.decoding_key(),
            &self.validation(alg),
        )
        .map_err(|err| self.diagnose(self.map_decode_error(err.into_kind(), token), token))?;
        self.check_scopes(&data.claims)?;
        Ok(data.claims)
    }

    /// The header checks that need no key: shape, `alg` allowed, no unknown `crit`.
    fn check_header(&self, token: &str) -> Result<(Algorithm, Option<String>), ValidationError> {
        let segments: Vec<&str> = token.split('.').collect();
        let header_b64 = match segments.as_slice() {
            [header, _, _] => *header,
            [_, _, _, _, _] => {
                return Err(ValidationError::Malformed(
                    "Token decode error: encrypted tokens (JWE) are not supported; send a signed JWT"
                        .to_owned(),
                ));
            }
            _ => {
                return Err(ValidationError::Malformed(
                    "Token decode error: a JWT has three base64url parts separated by '.'"
                        .to_owned(),
                ));
            }
        };
        let header: RawHeader = URL_SAFE_NO_PAD
            .decode(header_b64)
            .map_err(|_| "the header is not base64url".to_owned())
            .and_then(|bytes| {
                serde_json::from_slice(&bytes)
                    .map_err(|_| "the header is not a JSON object with an alg".to_owned())
            })
            .map_err(|reason| {
                ValidationError::Malformed(format!("Token decode error: {reason}"))
            })?;
        let alg_name = match &header.alg {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let alg = self.allowed_algorithm(&alg_name)?;
        if header.crit.is_some() {
            return Err(ValidationError::Malformed(
                "Token decode error: the token has critical header extensions (crit), which \
                 this server does not support"
                    .to_owned(),
            ));
        }
        let kid = match header.kid {
            None | Some(Value::Null) => None,
            Some(Value::String(kid)) => Some(kid),
            Some(_) => {
                return Err(ValidationError::Malformed(
                    "Token decode error: the header's kid is not a string".to_owned(),
                ));
            }
        };
        Ok((alg, kid))
    }

    fn allowed_algorithm(&self, name: &str) -> Result<Algorithm, ValidationError> {
        let shown = printable(name, 20);
        let allowed = algorithm_names(&self.config.algorithms);
        let refuse = |reason: String| ValidationError::AlgorithmNotAllowed {
            alg: shown.clone(),
            reason,
        };
        if name.eq_ignore_ascii_case("none") {
            return Err(refuse("unsigned tokens are never accepted".to_owned()));
        }
        match Algorithm::from_str(name) {
            Ok(Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => Err(refuse(
                "symmetric (HMAC) signatures are never accepted; the IdP must sign with an \
                 asymmetric key"
                    .to_owned(),
            )),
            Ok(alg) if self.config.algorithms.contains(&alg) => Ok(alg),
            _ => Err(refuse(format!(
                "allowed: {allowed} (ZSCALER_MCP_AUTH_ALGORITHMS)"
            ))),
        }
    }

    /// The same validator with another clock-skew allowance for `exp` and `nbf`: tokens
    /// this server issues and checks itself need none.
    pub(crate) fn with_leeway(mut self, secs: u64) -> Self {
        self.leeway_secs = secs;
        self
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.leeway = self.leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&self.config.issuers);
        validation.set_audience(&self.config.audiences);
        validation
    }

    fn map_decode_error(&self, kind: ErrorKind, token: &str) -> ValidationError {
        let claims = unverified_claims(token);
        match kind {
            ErrorKind::ExpiredSignature => ValidationError::Expired,
            ErrorKind::ImmatureSignature => ValidationError::NotYetValid,
            ErrorKind::InvalidSignature => ValidationError::BadSignature { hint: None },
            ErrorKind::InvalidIssuer => self.wrong_issuer(claims.as_ref()),
            ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => {
                self.wrong_issuer(claims.as_ref())
            }
            ErrorKind::InvalidAudience => self.wrong_audience(claims.as_ref()),
            ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
                self.wrong_audience(claims.as_ref())
            }
            ErrorKind::MissingRequiredClaim(claim) => ValidationError::Malformed(format!(
                "Token decode error: the token has no '{}' claim; tokens without it are not accepted",
                printable(&claim, 20)
            )),
            ErrorKind::InvalidClaimFormat(claim) => ValidationError::Malformed(format!(
                "Token decode error: the '{}' claim has the wrong type",
                printable(&claim, 20)
            )),
            ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                ValidationError::AlgorithmNotAllowed {
                    alg: "?".to_owned(),
                    reason: "it does not match the signing key".to_owned(),
                }
            }
            ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidKeyFormat => ValidationError::BadSignature { hint: None },
            other => ValidationError::Malformed(format!(
                "Token decode error: {}",
                decode_error_text(&other)
            )),
        }
    }

    fn wrong_issuer(&self, claims: Option<&Map<String, Value>>) -> ValidationError {
        let found = claims.and_then(|c| c.get("iss")).map(claim_text);
        ValidationError::WrongIssuer {
            hint: entra::issuer_hint(&self.config.issuers, found.as_deref()),
            expected: self.config.issuers.clone(),
            found,
        }
    }

    fn wrong_audience(&self, claims: Option<&Map<String, Value>>) -> ValidationError {
        ValidationError::WrongAudience {
            expected: self.config.audiences.clone(),
            found: audiences(claims),
            hint: entra::audience_hint(&self.config.issuers),
        }
    }

    /// Adds the Entra hint the token's (unverified) claims point at. A Graph token fails
    /// in several ways (its signature cannot be verified by anyone but Graph), so its hint
    /// wins over the others.
    fn diagnose(&self, err: ValidationError, token: &str) -> ValidationError {
        let graph = unverified_claims(token)
            .is_some_and(|claims| entra::is_graph_audience(&audiences(Some(&claims))));
        if graph {
            err.with_hint(Some(EntraHint::GraphToken))
        } else {
            err
        }
    }

    fn check_scopes(&self, claims: &Map<String, Value>) -> Result<(), ValidationError> {
        if self.config.required_scopes.is_empty() {
            return Ok(());
        }
        let granted = scopes(claims);
        let missing: Vec<String> = self
            .config
            .required_scopes
            .iter()
            .filter(|s| !granted.contains(s))
            .cloned()
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ValidationError::MissingScope {
                required: self.config.required_scopes.clone(),
                missing,
            })
        }
    }
}

/// The token of `Authorization: Bearer <token>`.
///
/// # Errors
/// No header, or another scheme.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, ValidationError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(ValidationError::NoToken)?;
    let expected =
        || ValidationError::Malformed("Expected: Authorization: Bearer <jwt-token>".to_owned());
    let text = value.to_str().map_err(|_| expected())?;
    let (scheme, token) = text.trim().split_once(' ').ok_or_else(expected)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(expected());
    }
    Ok(token)
}

/// The claims, read WITHOUT checking the signature: only for diagnostics of a rejection.
fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn claim_text(value: &Value) -> String {
    match value {
        Value::String(s) => printable(s, 120),
        other => printable(&other.to_string(), 120),
    }
}

/// `aud` as a list (it may be a string or an array).
fn audiences(claims: Option<&Map<String, Value>>) -> Vec<String> {
    match claims.and_then(|c| c.get("aud")) {
        Some(Value::String(aud)) => vec![printable(aud, 120)],
        Some(Value::Array(items)) => items.iter().take(10).map(claim_text).collect(),
        _ => Vec::new(),
    }
}

/// Scopes from `scp` (space-separated string, or array: Entra, Okta) and `scope` (string).
fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in ["scp", "scope"] {
        match claims.get(name) {
            Some(Value::String(s)) => out.extend(s.split_whitespace().map(str::to_owned)),
            Some(Value::Array(items)) => {
                out.extend(items.iter().filter_map(Value::as_str).map(str::to_owned))
            }
            _ => {}
        }
    }
    out.dedup();
    out
}

fn decode_error_text(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Base64(_) => "a part is not valid base64url",
        ErrorKind::Json(_) => "the claims are not a JSON object",
        ErrorKind::Utf8(_) => "a part is not valid UTF-8",
        _ => "the token is not a valid JWT",
    }
}

/// The caller a validated token names.
pub(crate) fn principal(claims: &Map<String, Value>, mode: AuthMode) -> Principal {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(|v| printable(v, 200))
    };
    let subject = ["sub", "azp", "client_id", "appid"]
        .into_iter()
        .find_map(text)
        .unwrap_or_else(|| "unknown".to_owned());
    Principal {
        subject,
        name: ["preferred_username", "name", "email"]
            .into_iter()
            .find_map(text),
        scopes: scopes(claims),
        auth_mode: mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn algorithm_list_is_asymmetric_only() {
        assert_eq!(parse_algorithms(&[]).unwrap(), DEFAULT_ALGORITHMS);
        assert_eq!(
            parse_algorithms(&csv(&["rs256", "PS256", "EdDSA", "RS256"])).unwrap(),
            [Algorithm::RS256, Algorithm::PS256, Algorithm::EdDSA]
        );
        let err = parse_algorithms(&csv(&["RS256", "HS256"])).unwrap_err();
        assert!(err.contains("symmetric"), "{err}");
        assert!(
            parse_algorithms(&csv(&["none"]))
                .unwrap_err()
                .contains("never")
        );
        assert!(
            parse_algorithms(&csv(&["ES512"]))
                .unwrap_err()
                .contains("unknown")
        );
    }

    #[test]
    fn bearer_extraction() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer_token(&h), Err(ValidationError::NoToken));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert!(matches!(
            bearer_token(&h),
            Err(ValidationError::Malformed(_))
        ));
        h.insert(header::AUTHORIZATION, "bearer  a.b.c ".parse().unwrap());
        assert_eq!(bearer_token(&h), Ok("a.b.c"));
        h.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert!(bearer_token(&h).is_err());
    }

    #[test]
    fn scopes_from_scp_and_scope() {
        let claims: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "scp": "mcp.read mcp.write", "scope": "openid"
        }))
        .unwrap();
        assert_eq!(scopes(&claims), ["mcp.read", "mcp.write", "openid"]);
        let okta: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"scp": ["a", 1, "b"]})).unwrap();
        assert_eq!(scopes(&okta), ["a", "b"]);
    }

    #[test]
    fn principal_prefers_sub_and_a_readable_name() {
        let claims: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "sub": "u-1", "name": "Ada", "email": "ada@example.com", "scp": "x"
        }))
        .unwrap();
        let p = principal(&claims, AuthMode::Jwt);
        assert_eq!(p.subject, "u-1");
        assert_eq!(p.name.as_deref(), Some("Ada"));
        assert_eq!(p.scopes, ["x"]);
        let app: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"azp": "app-1"})).unwrap();
        assert_eq!(principal(&app, AuthMode::Oidc).subject, "app-1");
    }
}
