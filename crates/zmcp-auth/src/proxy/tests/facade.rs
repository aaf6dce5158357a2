//! The authorization-server facade (`OIDCPROXY_FLOW=proxy`): the whole sign-in as a
//! browser and a client would drive it, and each defence refusing what it must.

use std::time::Duration;

use super::*;

const SECRET: &str = "app-client-secret-value";
const FACADE: [(&str, &str); 2] = [
    ("OIDCPROXY_FLOW", "proxy"),
    ("OIDCPROXY_AUTH_CLIENT_SECRET", SECRET),
];

async fn facade() -> Harness {
    Harness::start_with(&FACADE, Store::memory(), Lifetimes::default()).await
}

/// An OAuth error answer with this status and `error` code.
fn assert_refused(status: StatusCode, body: &Value, expected: StatusCode, error: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (expected, Some(error)),
        "{body}"
    );
}

/// The `name=value` pairs of the `Set-Cookie` headers, as a browser would send them back.
fn cookies_from(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .filter(|pair| !pair.ends_with('='))
        .collect()
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap() + marker.len();
    let len = page[start..].find('"').unwrap();
    page[start..start + len].to_owned()
}

fn location(headers: &HeaderMap) -> Url {
    Url::parse(headers[header::LOCATION].to_str().unwrap()).unwrap()
}

/// A sign-in at the point where the browser is sent to the provider.
struct AtProvider {
    client_id: String,
    verifier: String,
    idp_url: Url,
    /// The browser's cookies after approving (the binding cookie).
    cookies: Vec<String>,
}

impl Harness {
    async fn browser_get(&self, path: &str, cookies: &[String]) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(path);
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        self.call(request.body(Body::empty()).unwrap()).await
    }

    /// `/authorize` for a fresh registration; returns the consent page path.
    async fn start_facade(&self, client_id: &str, verifier: &str) -> String {
        let consent = self.authorize(client_id, verifier, "client-state-1").await;
        assert_eq!(consent.path(), "/consent", "{consent}");
        format!("/consent?{}", consent.query().unwrap())
    }

    /// Shows the consent page; returns (txn, csrf, cookies, page).
    async fn consent_page(&self, path: &str) -> (String, String, Vec<String>, String) {
        let (status, headers, page) = self.browser_get(path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        (
            hidden(&page, "txn"),
            hidden(&page, "csrf"),
            cookies_from(&headers),
            page,
        )
    }

    /// Registers, authorizes and approves; stops before the provider.
    async fn to_provider(&self) -> AtProvider {
        let client_id = self.register().await;
        let verifier = "client-verifier-".repeat(4);
        let consent = self.start_facade(&client_id, &verifier).await;
        let (txn, csrf, cookies, _) = self.consent_page(&consent).await;
        self.approve(&client_id, &verifier, [&txn, &csrf], &cookies)
            .await
    }

    /// Posts the approval of a rendered consent page (`[txn, csrf]`) with the browser's
    /// `cookies`; returns the sign-in at the provider.
    async fn approve(
        &self,
        client_id: &str,
        verifier: &str,
        [txn, csrf]: [&str; 2],
        cookies: &[String],
    ) -> AtProvider {
        let (status, headers, body) = self
            .browser_post(
                "/consent",
                &[("txn", txn), ("csrf", csrf), ("action", "approve")],
                cookies,
            )
            .await;
        assert_eq!(status, StatusCode::FOUND, "{body}");
        AtProvider {
            client_id: client_id.to_owned(),
            verifier: verifier.to_owned(),
            idp_url: location(&headers),
            cookies: cookies_from(&headers),
        }
    }

    /// The provider's answer: scripts the token endpoint, then runs `/auth/callback` in the
    /// browser with `cookies`; returns the response.
    async fn provider_returns(
        &self,
        at: &AtProvider,
        cookies: &[String],
    ) -> (StatusCode, HeaderMap, String) {
        self.provider_signs_in(&param(&at.idp_url, "nonce").unwrap());
        let state = param(&at.idp_url, "state").unwrap();
        self.browser_get(
            &format!("/auth/callback?code=IDP-CODE&state={state}"),
            cookies,
        )
        .await
    }

    /// Up to our code at the client's redirect URI.
    async fn to_client_code(&self) -> (AtProvider, String) {
        let at = self.to_provider().await;
        let cookies = at.cookies.clone();
        let (status, headers, body) = self.provider_returns(&at, &cookies).await;
        assert_eq!(status, StatusCode::FOUND, "{body}");
        let code = param(&location(&headers), "code").unwrap();
        (at, code)
    }

    async fn redeem(&self, client_id: &str, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.redeem_at(client_id, code, verifier, CALLBACK, &format!("{BASE}/mcp"))
            .await
    }

    /// A code redemption naming this redirect URI and resource.
    async fn redeem_at(
        &self,
        client_id: &str,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
        resource: &str,
    ) -> (StatusCode, Value) {
        self.post_form(
            "/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", verifier),
                ("redirect_uri", redirect_uri),
                ("client_id", client_id),
                ("resource", resource),
            ],
        )
        .await
    }

    async fn facade_sign_in(&self) -> (String, Value) {
        let (at, code) = self.to_client_code().await;
        let (status, body) = self.redeem(&at.client_id, &code, &at.verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (at.client_id, body)
    }

    async fn revoke(&self, form: &[(&str, &str)]) -> StatusCode {
        self.browser_post("/revoke", form, &[]).await.0
    }

    async fn refresh_with(&self, client_id: &str, token: &str) -> (StatusCode, Value) {
        self.post_form(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", token),
                ("client_id", client_id),
            ],
        )
        .await
    }
}

#[tokio::test]
async fn metadata_promises_iss_documents_revocation_and_publishes_the_key() {
    let h = facade().await;
    let (_, _, body) = h.get("/.well-known/oauth-authorization-server").await;
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["issuer"], BASE);
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["client_id_metadata_document_supported"], true);
    assert_eq!(doc["revocation_endpoint"], format!("{BASE}/revoke"));
    assert_eq!(doc["jwks_uri"], format!("{BASE}/jwks"));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    let (status, _, jwks) = h.get("/jwks").await;
    assert_eq!(status, StatusCode::OK);
    let jwks: Value = serde_json::from_str(&jwks).unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "EC");
    assert_eq!(jwks["keys"][0]["crv"], "P-256");
    assert!(jwks["keys"][0].get("d").is_none());
    for path in h.proxy.public_paths() {
        let (status, _, _) = h.get(path).await;
        assert_ne!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // The pass-through issues no authorization responses of its own.
    let (_, _, body) = Harness::start()
        .await
        .get("/.well-known/oauth-authorization-server")
        .await;
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["authorization_response_iss_parameter_supported"], false);
}

#[tokio::test]
async fn the_whole_sign_in_keeps_provider_tokens_and_client_secrets_apart() {
    let h = facade().await;
    let client_id = h.register().await;
    let verifier = "client-verifier-".repeat(4);
    let consent = h.start_facade(&client_id, &verifier).await;

    // Nothing went to the provider before consent; the page names client and redirect.
    assert_eq!(h.upstream.request_count(), 0);
    let (status, headers, page) = h.browser_get(&consent, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        page.contains("id=\"client-name\">MCP CLI Client<"),
        "{page}"
    );
    assert!(
        page.contains(&format!("id=\"redirect-uri\">{CALLBACK}<")),
        "{page}"
    );
    assert!(page.contains("not verified"), "{page}");
    let cookies = cookies_from(&headers);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let set_cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));

    let (status, headers, _) = h
        .browser_post(
            "/consent",
            &[
                ("txn", &hidden(&page, "txn")),
                ("csrf", &hidden(&page, "csrf")),
                ("action", "approve"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::FOUND);
    let idp = location(&headers);
    assert!(
        idp.as_str()
            .starts_with("https://login.microsoftonline.com/"),
        "{idp}"
    );
    assert_eq!(param(&idp, "client_id").unwrap(), APP);
    assert_eq!(
        param(&idp, "redirect_uri").unwrap(),
        format!("{BASE}/auth/callback")
    );
    assert_eq!(param(&idp, "code_challenge_method").unwrap(), "S256");
    // Our own PKCE and state towards the provider, never the client's.
    assert_ne!(param(&idp, "code_challenge").unwrap(), challenge(&verifier));
    assert_ne!(param(&idp, "state").unwrap(), "client-state-1");
    assert!(param(&idp, "resource").is_none());

    let at = AtProvider {
        client_id: client_id.clone(),
        verifier: verifier.clone(),
        idp_url: idp.clone(),
        cookies: cookies_from(&headers),
    };
    let (status, headers, body) = h.provider_returns(&at, &at.cookies).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    let back = location(&headers);
    assert!(back.as_str().starts_with(CALLBACK), "{back}");
    assert_eq!(param(&back, "state").unwrap(), "client-state-1");
    assert_eq!(param(&back, "iss").unwrap(), BASE);
    let code = param(&back, "code").unwrap();
    assert_ne!(code, "IDP-CODE");

    // The provider's code was redeemed here, as the confidential client, with our PKCE.
    let sent = h.upstream.last_request();
    assert_eq!(sent["grant_type"], "authorization_code");
    assert_eq!(sent["code"], "IDP-CODE");
    assert_eq!(sent["client_secret"], SECRET);
    assert_eq!(sent["redirect_uri"], format!("{BASE}/auth/callback"));
    assert_eq!(
        challenge(&sent["code_verifier"]),
        param(&idp, "code_challenge").unwrap()
    );

    let (status, tokens) = h.redeem(&client_id, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(!tokens.to_string().contains("UPSTREAM"), "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let claims = claims_of(access);
    assert_eq!(claims["iss"], BASE);
    assert_eq!(claims["aud"], format!("{BASE}/mcp"));
    assert_eq!(claims["sub"], "pairwise-sub-1");
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(claims["client_id"], client_id);
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        900
    );
    let principal = h.authenticate(access).await.unwrap();
    assert_eq!(principal.subject, "pairwise-sub-1");
    assert_eq!(principal.name.as_deref(), Some("ada@contoso.example"));
    assert!(tokens["refresh_token"].as_str().unwrap().len() >= 43);
}

#[tokio::test]
async fn a_code_works_once_and_its_replay_revokes_what_it_issued() {
    let h = facade().await;
    let (at, code) = h.to_client_code().await;
    let (status, first) = h.redeem(&at.client_id, &code, &at.verifier).await;
    assert_eq!(status, StatusCode::OK);
    let access = first["access_token"].as_str().unwrap();
    assert!(h.authenticate(access).await.is_ok());
    let (status, err) = h.redeem(&at.client_id, &code, &at.verifier).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "invalid_grant");
    assert!(h.authenticate(access).await.is_err());
    let (status, _) = h
        .refresh_with(&at.client_id, first["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_code_needs_the_right_verifier_redirect_client_and_resource() {
    let h = facade().await;
    let (at, code) = h.to_client_code().await;
    let (status, err) = h.redeem(&at.client_id, &code, &"x".repeat(64)).await;
    assert_refused(status, &err, StatusCode::BAD_REQUEST, "invalid_grant");
    assert!(
        err["error_description"]
            .as_str()
            .unwrap()
            .contains("code_verifier")
    );
    // The failed attempt spent the code.
    let (status, _) = h.redeem(&at.client_id, &code, &at.verifier).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (at, code) = h.to_client_code().await;
    let resource = format!("{BASE}/mcp");
    let (status, err) = h
        .redeem_at(
            &at.client_id,
            &code,
            &at.verifier,
            "http://localhost:9999/other",
            &resource,
        )
        .await;
    assert_refused(status, &err, StatusCode::BAD_REQUEST, "invalid_grant");

    let (at, code) = h.to_client_code().await;
    let other = h.register().await;
    let (status, err) = h.redeem(&other, &code, &at.verifier).await;
    assert_refused(status, &err, StatusCode::BAD_REQUEST, "invalid_grant");

    let (at, code) = h.to_client_code().await;
    let (status, err) = h
        .redeem_at(
            &at.client_id,
            &code,
            &at.verifier,
            CALLBACK,
            "https://elsewhere.example/mcp",
        )
        .await;
    assert_refused(status, &err, StatusCode::BAD_REQUEST, "invalid_target");

    let (status, err) = h.redeem("never-registered", "c", &at.verifier).await;
    assert_refused(status, &err, StatusCode::UNAUTHORIZED, "invalid_client");
}

#[tokio::test]
async fn authorize_refuses_unknown_clients_foreign_redirects_and_other_resources() {
    let h = facade().await;
    let query = |client: &str, redirect: &str, resource: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("response_type", "code"),
                ("client_id", client),
                ("code_challenge", &challenge(&"v".repeat(50))),
                ("code_challenge_method", "S256"),
                ("redirect_uri", redirect),
                ("state", "s"),
                ("resource", resource),
            ])
            .finish()
    };
    let resource = format!("{BASE}/mcp");
    let (status, headers, page) = h
        .get(&format!(
            "/authorize?{}",
            query("unregistered", CALLBACK, &resource)
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(headers.get(header::LOCATION).is_none());
    assert!(page.contains("not registered"), "{page}");

    let client = h.register().await;
    let (status, headers, _) = h
        .get(&format!(
            "/authorize?{}",
            query(&client, "https://evil.example/cb", &resource)
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(headers.get(header::LOCATION).is_none());

    // A loopback redirect may change its port (RFC 8252), nothing else.
    let (status, headers, _) = h
        .get(&format!(
            "/authorize?{}",
            query(&client, "http://localhost:51234/oauth/callback", &resource)
        ))
        .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location(&headers).path(), "/consent");

    let (status, headers, _) = h
        .get(&format!(
            "/authorize?{}",
            query(&client, CALLBACK, "https://elsewhere.example/mcp")
        ))
        .await;
    assert_eq!(status, StatusCode::FOUND);
    let back = location(&headers);
    assert!(back.as_str().starts_with(CALLBACK));
    assert_eq!(param(&back, "error").unwrap(), "invalid_target");
    assert_eq!(param(&back, "iss").unwrap(), BASE);
    assert_eq!(param(&back, "state").unwrap(), "s");

    // Registering a redirect URI that points at this server is refused.
    let (status, body) = h
        .post_json(
            "/register",
            &json!({"redirect_uris": [format!("{BASE}/auth/callback")]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_redirect_uri");
}

#[tokio::test]
async fn consent_needs_its_csrf_cookie_and_token_once() {
    let h = facade().await;
    let client_id = h.register().await;
    let consent = h.start_facade(&client_id, &"v".repeat(50)).await;
    let (txn, csrf, cookies, _) = h.consent_page(&consent).await;
    let approve = [
        ("txn", txn.as_str()),
        ("csrf", csrf.as_str()),
        ("action", "approve"),
    ];

    // Posted from another site: the browser has no CSRF cookie for this token.
    let (status, _, page) = h.browser_post("/consent", &approve, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    // A CSRF cookie for another token does not vouch for this one.
    let (_, _, other_cookies, _) = h.consent_page(&consent).await;
    let (status, _, _) = h.browser_post("/consent", &approve, &other_cookies).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token missing from the form.
    let (status, _, _) = h
        .browser_post(
            "/consent",
            &[("txn", &txn), ("action", "approve")],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The real browser: works once; the replay finds nothing.
    let (status, _, _) = h.browser_post("/consent", &approve, &cookies).await;
    assert_eq!(status, StatusCode::FOUND);
    let (status, _, page) = h.browser_post("/consent", &approve, &cookies).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired or was already used"), "{page}");
    // The transaction is spent too: the page cannot be shown again.
    let (status, _, _) = h.browser_get(&consent, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn denying_consent_tells_the_client_and_contacts_no_provider() {
    let h = facade().await;
    let client_id = h.register().await;
    let consent = h.start_facade(&client_id, &"v".repeat(50)).await;
    let (txn, csrf, cookies, _) = h.consent_page(&consent).await;
    let (status, headers, _) = h
        .browser_post(
            "/consent",
            &[("txn", &txn), ("csrf", &csrf), ("action", "deny")],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::FOUND);
    let back = location(&headers);
    assert!(back.as_str().starts_with(CALLBACK));
    assert_eq!(param(&back, "error").unwrap(), "access_denied");
    assert_eq!(param(&back, "state").unwrap(), "client-state-1");
    assert_eq!(param(&back, "iss").unwrap(), BASE);
    assert_eq!(h.upstream.request_count(), 0);
}

#[tokio::test]
async fn the_callback_is_refused_in_a_browser_that_did_not_approve() {
    let h = facade().await;
    let at = h.to_provider().await;
    // The victim's browser: no binding cookie.
    let (status, _, page) = h.provider_returns(&at, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("mismatch"), "{page}");
    // A binding cookie of another sign-in does not help.
    let other = h.to_provider().await;
    let (status, _, _) = h.provider_returns(&at, &other.cookies).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(h.upstream.request_count(), 0, "no code may be redeemed");
    // The approving browser still completes, once.
    let (status, _, _) = h.provider_returns(&at, &at.cookies).await;
    assert_eq!(status, StatusCode::FOUND);
    let (status, _, page) = h.provider_returns(&at, &at.cookies).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired or was already completed"), "{page}");
}

#[tokio::test]
async fn provider_errors_reach_the_client_with_its_state_and_our_iss() {
    let h = facade().await;
    let at = h.to_provider().await;
    let state = param(&at.idp_url, "state").unwrap();
    let (status, headers, _) = h
        .browser_get(
            &format!(
                "/auth/callback?error=access_denied&error_description=AADSTS65004%3A+declined&state={state}"
            ),
            &at.cookies,
        )
        .await;
    assert_eq!(status, StatusCode::FOUND);
    let back = location(&headers);
    assert_eq!(param(&back, "error").unwrap(), "access_denied");
    assert!(
        param(&back, "error_description")
            .unwrap()
            .contains("AADSTS65004")
    );
    assert_eq!(param(&back, "state").unwrap(), "client-state-1");
    assert_eq!(param(&back, "iss").unwrap(), BASE);

    // An ID token without this sign-in's nonce is refused.
    let at = h.to_provider().await;
    h.upstream.answer(
        200,
        json!({"id_token": h.id_token(&json!({"nonce": "another"})), "refresh_token": "R"}),
    );
    let state = param(&at.idp_url, "state").unwrap();
    let (status, headers, _) = h
        .browser_get(&format!("/auth/callback?code=C&state={state}"), &at.cookies)
        .await;
    assert_eq!(status, StatusCode::FOUND);
    let back = location(&headers);
    assert_eq!(param(&back, "error").unwrap(), "access_denied");
    assert!(param(&back, "code").is_none());
}

#[tokio::test]
async fn sign_ins_expire() {
    let lifetimes = Lifetimes {
        sign_in: Duration::from_millis(300),
        code: Duration::from_millis(300),
    };
    let h = Harness::start_with(&FACADE, Store::memory(), lifetimes).await;
    let client_id = h.register().await;
    let consent = h.start_facade(&client_id, &"v".repeat(50)).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, _, page) = h.browser_get(&consent, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired"), "{page}");

    let at = h.to_provider().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, _, page) = h.provider_returns(&at, &at.cookies).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired"), "{page}");

    let (at, code) = h.to_client_code().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, err) = h.redeem(&at.client_id, &code, &at.verifier).await;
    assert_refused(status, &err, StatusCode::BAD_REQUEST, "invalid_grant");
}

#[tokio::test]
async fn refresh_rotates_goes_upstream_and_a_replay_revokes_the_session() {
    let h = facade().await;
    let (client_id, tokens) = h.facade_sign_in().await;
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    h.upstream.answer(
        200,
        json!({"refresh_token": "UPSTREAM-REFRESH-2", "id_token": h.id_token(&json!({}))}),
    );
    let (status, fresh) = h.refresh_with(&client_id, &first).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    let sent = h.upstream.last_request();
    assert_eq!(sent["refresh_token"], "UPSTREAM-REFRESH-1");
    assert_eq!(sent["client_secret"], SECRET);
    let second = fresh["refresh_token"].as_str().unwrap().to_owned();
    let access = fresh["access_token"].as_str().unwrap().to_owned();
    assert!(h.authenticate(&access).await.is_ok());

    let (status, err) = h.refresh_with(&client_id, &first).await;
    assert_refused(status, &err, StatusCode::BAD_REQUEST, "invalid_grant");
    let (status, _) = h.refresh_with(&client_id, &second).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h.authenticate(&access).await.is_err());
}

#[tokio::test]
async fn the_provider_refusing_a_refresh_ends_the_session_and_an_outage_does_not() {
    let h = facade().await;
    let (client_id, tokens) = h.facade_sign_in().await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    h.upstream.answer(503, json!("down"));
    let (status, err) = h.refresh_with(&client_id, &refresh).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{err}");
    // Neither the outage nor this server's own misconfiguration is the client's fault:
    // the same refresh token still works afterwards.
    h.upstream.answer(
        401,
        json!({"error": "invalid_client", "error_description": "AADSTS7000222: the secret expired"}),
    );
    let (status, err) = h.refresh_with(&client_id, &refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_ne!(
        err["error"], "invalid_client",
        "the client must not re-register in vain"
    );
    assert!(h.authenticate(&access).await.is_ok());
    h.upstream.answer(
        400,
        json!({"error": "invalid_grant", "error_description": "AADSTS50173: the grant was revoked"}),
    );
    let (status, err) = h.refresh_with(&client_id, &refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["error_description"]
            .as_str()
            .unwrap()
            .contains("AADSTS50173")
    );
    assert!(
        h.authenticate(&access).await.is_err(),
        "the user was revoked upstream"
    );
}

#[tokio::test]
async fn refresh_asks_the_provider_for_the_scopes_it_granted() {
    let h = facade().await;
    let at = h.to_provider().await;
    let nonce = param(&at.idp_url, "nonce").unwrap();
    h.upstream.answer(
        200,
        json!({
            "refresh_token": "UPSTREAM-REFRESH-1",
            "scope": "openid profile",
            "id_token": h.id_token(&json!({ "nonce": nonce })),
        }),
    );
    let state = param(&at.idp_url, "state").unwrap();
    let (_, headers, _) = h
        .browser_get(&format!("/auth/callback?code=C&state={state}"), &at.cookies)
        .await;
    // The code redemption itself asked for the configured scopes.
    assert_eq!(
        h.upstream.last_request()["scope"],
        "openid profile offline_access"
    );
    let code = param(&location(&headers), "code").unwrap();
    let (_, tokens) = h.redeem(&at.client_id, &code, &at.verifier).await;
    h.upstream
        .answer(200, json!({"refresh_token": "UPSTREAM-REFRESH-2"}));
    let (status, _) = h
        .refresh_with(&at.client_id, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.upstream.last_request()["scope"], "openid profile");
}

#[tokio::test]
async fn revocation_ends_the_session_for_the_owning_client_only() {
    let h = facade().await;
    let (client_id, tokens) = h.facade_sign_in().await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    // Another client cannot revoke it (and learns nothing: 200 either way).
    let other = h.register().await;
    let status = h
        .revoke(&[("token", &refresh), ("client_id", &other)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.authenticate(&access).await.is_ok());
    // The owner can.
    let status = h
        .revoke(&[("token", &refresh), ("client_id", &client_id)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.authenticate(&access).await.is_err());
    let (status, _) = h.refresh_with(&client_id, &refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Revoking an access token ends its session as well.
    let (client_id, tokens) = h.facade_sign_in().await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let status = h
        .revoke(&[
            ("token", &access),
            ("token_type_hint", "access_token"),
            ("client_id", &client_id),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.authenticate(&access).await.is_err());
    let (status, _) = h
        .refresh_with(&client_id, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_restart_keeps_clients_sessions_and_the_signing_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.sqlite3");
    let store = Store::open(&format!("sqlite:{}", file.display()), dir.path())
        .await
        .unwrap();
    let mut h = Harness::start_with(&FACADE, store, Lifetimes::default()).await;
    let (client_id, tokens) = h.facade_sign_in().await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    // A sign-in in flight across the restart.
    let at = h.to_provider().await;

    h.restart().await;
    assert!(
        h.authenticate(&access).await.is_ok(),
        "same signing key, same session"
    );
    h.upstream.answer(
        200,
        json!({"refresh_token": "UPSTREAM-REFRESH-2", "id_token": h.id_token(&json!({}))}),
    );
    let (status, fresh) = h.refresh_with(&client_id, &refresh).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(
        h.upstream.last_request()["refresh_token"],
        "UPSTREAM-REFRESH-1"
    );
    // The client is still registered: a new sign-in needs no new registration.
    let consent = h.start_facade(&client_id, &"v".repeat(50)).await;
    assert_eq!(h.browser_get(&consent, &[]).await.0, StatusCode::OK);
    let (status, _, body) = h.provider_returns(&at, &at.cookies).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");

    // The store holds no token in clear.
    let dump = std::fs::read(&file).unwrap();
    let dump = String::from_utf8_lossy(&dump);
    for secret in ["UPSTREAM-REFRESH", refresh.as_str(), "ada@contoso.example"] {
        assert!(!dump.contains(secret), "{secret} is stored in clear");
    }
}

#[tokio::test]
async fn another_state_key_forgets_everything_without_breaking() {
    let store = Store::memory();
    let h = Harness::start_with(&FACADE, store.clone(), Lifetimes::default()).await;
    let (_, tokens) = h.facade_sign_in().await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let mut vars = h.vars.clone();
    vars.insert("OIDCPROXY_STATE_KEY", "a-new-state-key".to_owned());
    let rekeyed = OidcProxy::start(&proxy_env(&vars), Some(store), tuning(Lifetimes::default()))
        .await
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {access}")).unwrap(),
    );
    assert!(rekeyed.authenticate(&headers).await.is_err());
}

/// Serves one client metadata document on 127.0.0.1; returns its URL.
async fn serve_document(document: impl Fn(&str) -> Value + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!(
        "http://{}/clients/agent.json",
        listener.local_addr().unwrap()
    );
    let body = document(&url);
    let app = Router::new().route(
        "/clients/agent.json",
        axum::routing::get(move || {
            let body = body.clone();
            async move { Json(body) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn clients_may_identify_by_a_metadata_document() {
    let h = facade().await;
    let client_id = serve_document(|url| {
        json!({"client_id": url, "client_name": "Agent From Docs", "redirect_uris": [CALLBACK]})
    })
    .await;
    let verifier = "doc-verifier-".repeat(4);
    let consent = h.start_facade(&client_id, &verifier).await;
    let (txn, csrf, cookies, page) = h.consent_page(&consent).await;
    assert!(page.contains("Agent From Docs"), "{page}");
    assert!(
        page.contains("identity published by <strong>127.0.0.1</strong>"),
        "{page}"
    );
    let at = h
        .approve(&client_id, &verifier, [&txn, &csrf], &cookies)
        .await;
    let (_, headers, _) = h.provider_returns(&at, &at.cookies).await;
    let code = param(&location(&headers), "code").unwrap();
    let (status, tokens) = h.redeem(&client_id, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(
        claims_of(tokens["access_token"].as_str().unwrap())["client_id"],
        client_id
    );

    // A document claiming another client id is refused at authorize.
    let liar = serve_document(|_| {
        json!({"client_id": "https://other.example/c.json", "client_name": "X", "redirect_uris": [CALLBACK]})
    })
    .await;
    let (status, _, page) = h
        .get(&format!(
            "/authorize?response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256&state=s",
            url::form_urlencoded::byte_serialize(liar.as_bytes()).collect::<String>(),
            url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>(),
            challenge(&verifier)
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("client_id is not the URL"), "{page}");
}

/// Two replicas behind a load balancer sharing `store`: each step of a sign-in lands on
/// the other one, and a refresh-token replay seen by one revokes the session on both.
async fn replicas_share_sign_ins(store: Store) {
    let mut h = Harness::start_with(&FACADE, store, Lifetimes::default()).await;
    let a = h.proxy.clone();
    h.restart().await;
    let b = h.proxy.clone();
    let on = |h: &mut Harness, replica: &OidcProxy| h.proxy = replica.clone();

    on(&mut h, &a);
    let client_id = h.register().await;
    on(&mut h, &b);
    let verifier = "replica-verifier-".repeat(3);
    let consent = h.start_facade(&client_id, &verifier).await;
    on(&mut h, &a);
    let (txn, csrf, cookies, _) = h.consent_page(&consent).await;
    on(&mut h, &b);
    let at = h
        .approve(&client_id, &verifier, [&txn, &csrf], &cookies)
        .await;
    on(&mut h, &a);
    let (status, headers, body) = h.provider_returns(&at, &at.cookies).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    let code = param(&location(&headers), "code").unwrap();
    on(&mut h, &b);
    let (status, tokens) = h.redeem(&client_id, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    on(&mut h, &a);
    assert!(
        h.authenticate(&access).await.is_ok(),
        "one signing key for all replicas"
    );
    h.upstream
        .answer(200, json!({"refresh_token": "UPSTREAM-REFRESH-2"}));
    let (status, fresh) = h.refresh_with(&client_id, &first).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    let fresh_access = fresh["access_token"].as_str().unwrap().to_owned();
    on(&mut h, &b);
    let (status, _) = h.refresh_with(&client_id, &first).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a replay on the other replica"
    );
    on(&mut h, &a);
    assert!(
        h.authenticate(&fresh_access).await.is_err(),
        "revoked everywhere"
    );
}

#[tokio::test]
async fn replicas_share_sign_ins_in_one_process() {
    replicas_share_sign_ins(Store::memory()).await;
}

#[tokio::test]
async fn replicas_share_sign_ins_through_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("shared.sqlite3").display());
    replicas_share_sign_ins(Store::open(&url, dir.path()).await.unwrap()).await;
}

#[cfg(not(zmcp_skip_redis_tests))]
#[tokio::test]
async fn replicas_share_sign_ins_through_redis() {
    let Ok(url) = std::env::var("ZMCP_TEST_REDIS_URL") else {
        panic!(
            "ZMCP_TEST_REDIS_URL is not set. Start a throwaway Redis with \
             `export ZMCP_TEST_REDIS_URL=\"$(tests/e2e/redis.sh start)\"` from the repository \
             root (scripts/test does), or build without the Redis tests with \
             ZMCP_SKIP_REDIS_TESTS=1."
        )
    };
    let dir = tempfile::tempdir().unwrap();
    replicas_share_sign_ins(Store::open(&url, dir.path()).await.unwrap()).await;
}

#[tokio::test]
async fn a_certificate_credential_replaces_the_secret_upstream() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.pem");
    std::fs::write(&file, crate::proxy::credential::tests::certificate_pem().0).unwrap();
    let path = file.display().to_string();
    let h = Harness::start_with(
        &[
            ("OIDCPROXY_FLOW", "proxy"),
            ("OIDCPROXY_AUTH_CLIENT_CERTIFICATE", &path),
        ],
        Store::memory(),
        Lifetimes::default(),
    )
    .await;
    let (client_id, tokens) = h.facade_sign_in().await;
    let sent = h.upstream.last_request();
    assert!(!sent.contains_key("client_secret"), "{sent:?}");
    assert_eq!(
        sent["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    let assertion = claims_of(&sent["client_assertion"]);
    assert_eq!(
        assertion["aud"],
        h.vars["OIDCPROXY_AUTH_TOKEN_ENDPOINT"].as_str()
    );
    assert_eq!(assertion["iss"], APP);
    // State survives with keys derived from the certificate's key.
    h.upstream
        .answer(200, json!({"refresh_token": "UPSTREAM-REFRESH-2"}));
    let (status, _) = h
        .refresh_with(&client_id, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.upstream.last_request().contains_key("client_assertion"));
}

#[tokio::test]
async fn floods_of_registrations_and_sign_ins_are_refused_not_stored() {
    let h = facade().await;
    let tight = Tuning {
        limits: Limits {
            registrations: limit::RateLimit::new(1, 2),
            sign_ins: limit::RateLimit::new(1, 2),
        },
        ..tuning(Lifetimes::default())
    };
    let mut h = h;
    h.proxy = OidcProxy::start(&proxy_env(&h.vars), Some(h.store.clone()), tight)
        .await
        .unwrap();
    let client_id = h.register().await;
    h.register().await;
    let (status, body) = h.post_json("/register", &mcp_remote_registration()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    let verifier = "v".repeat(50);
    h.authorize(&client_id, &verifier, "s1").await;
    h.authorize(&client_id, &verifier, "s2").await;
    let (status, headers, _) = h.get(&format!("/authorize?client_id={client_id}")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers[header::RETRY_AFTER], "1");
}
