//! The products a OneAPI access token entitles (`service-info[].prd`), read from the token's
//! payload without verifying its signature: OneAPI publishes no JWKS, and the token was just
//! issued to this process's own credentials, so the claim only steers which tools to offer.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::ApiError;

/// The `prd` values of the token's `service-info` (or `serviceInfo`) claim, trimmed, in token
/// order; an empty claim gives an empty list.
///
/// # Errors
/// [`ApiError::InvalidResponse`] when the token is not a JWT with a JSON payload or has no
/// `service-info` list. The message never quotes the token.
pub(crate) fn products(token: &str) -> Result<Vec<String>, ApiError> {
    let not_jwt = || ApiError::InvalidResponse("the OneAPI access token is not a JWT".to_owned());
    let mut parts = token.split('.');
    let payload = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(payload), Some(_), None) => payload,
        _ => return Err(not_jwt()),
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| not_jwt())?;
    let claims: Value = serde_json::from_slice(&bytes).map_err(|_| not_jwt())?;
    let info = claims
        .get("service-info")
        .or_else(|| claims.get("serviceInfo"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::InvalidResponse(
                "the OneAPI access token carries no service-info claim".to_owned(),
            )
        })?;
    Ok(info
        .iter()
        .filter_map(|entry| entry.get("prd").and_then(Value::as_str))
        .map(str::trim)
        .filter(|prd| !prd.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn jwt(claims: &Value) -> String {
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        format!(
            "{}.{}.c2ln",
            encode(&json!({"alg": "RS256"})),
            encode(claims)
        )
    }

    #[test]
    fn reads_prd_values_in_order() {
        let token = jwt(&json!({"service-info": [
            {"prd": "ZIA", "rnm": "Super Admin", "tnt": "x"},
            {"prd": " ZPA "},
            {"rnm": "no product"},
            {"prd": ""},
            {"prd": 7}
        ]}));
        assert_eq!(products(&token).unwrap(), ["ZIA", "ZPA"]);
    }

    #[test]
    fn accepts_the_camel_case_claim_and_an_empty_list() {
        let token = jwt(&json!({"serviceInfo": [{"prd": "ZDX"}]}));
        assert_eq!(products(&token).unwrap(), ["ZDX"]);
        assert!(
            products(&jwt(&json!({"service-info": []})))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn refuses_tokens_without_the_claim_or_not_jwts_without_quoting_them() {
        let missing = products(&jwt(&json!({"sub": "x"}))).unwrap_err();
        assert!(missing.to_string().contains("no service-info"), "{missing}");
        for bad in ["opaque-token-value", "a.b", "a.!!!.c", "a.b.c.d"] {
            let err = products(bad).unwrap_err();
            assert!(err.to_string().contains("not a JWT"), "{bad}: {err}");
            assert!(!err.to_string().contains(bad), "{err}");
        }
    }
}
