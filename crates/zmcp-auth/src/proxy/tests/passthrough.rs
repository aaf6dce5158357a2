//! The Entra ID guide's pass-through flow.

use super::*;

#[tokio::test]
async fn metadata_documents_name_this_server_as_the_authorization_server() {
    let h = Harness::start().await;
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let (status, headers, body) = h.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let doc: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["issuer"], BASE);
        assert_eq!(doc["authorization_endpoint"], format!("{BASE}/authorize"));
        assert_eq!(doc["token_endpoint"], format!("{BASE}/token"));
        assert_eq!(doc["registration_endpoint"], format!("{BASE}/register"));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(doc["response_types_supported"], json!(["code"]));
        assert_eq!(
            doc["grant_types_supported"],
            json!(["authorization_code", "refresh_token"])
        );
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"],
            json!(["none"])
        );
        assert_eq!(
            doc["scopes_supported"],
            json!(["openid", "profile", "offline_access"])
        );
    }
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let (status, _, body) = h.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let doc: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["resource"], format!("{BASE}/mcp"));
        // Byte-identical to the AS metadata issuer (RFC 8414 §3.3).
        assert_eq!(doc["authorization_servers"], json!([BASE]));
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
        assert_eq!(doc["scopes_supported"], json!(["openid", "profile"]));
    }
    for path in h.proxy.public_paths() {
        let (status, _, _) = h.get(path).await;
        assert_ne!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        h.proxy.resource_metadata_url(),
        format!("{BASE}/.well-known/oauth-protected-resource/mcp")
    );
    assert_eq!(
        h.proxy.banner(),
        format!("OIDCProxy (issuer=https://login.microsoftonline.com/{TENANT}/v2.0)")
    );
}

#[tokio::test]
async fn registration_accepts_mcp_remote_and_describes_a_public_client() {
    let h = Harness::start().await;
    let (status, body) = h.post_json("/register", &mcp_remote_registration()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body["client_id"].as_str().unwrap().len() >= 32);
    assert!(body["client_id_issued_at"].is_u64());
    assert_eq!(body["redirect_uris"], json!([CALLBACK]));
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert_eq!(body["client_name"], "MCP CLI Client");
    assert_eq!(body["software_id"], "2e6dc280-f3c3-4e01-99a7-8181dbd1d23d");
    assert!(body.get("client_secret").is_none());
    assert!(!body.to_string().contains(APP), "provider client id leaked");
    let (_, again) = h.post_json("/register", &mcp_remote_registration()).await;
    assert_ne!(again["client_id"], body["client_id"]);
}

#[tokio::test]
async fn registration_refuses_unsafe_or_unsupported_metadata() {
    let h = Harness::start().await;
    let cases = [
        (
            json!({"redirect_uris": ["https://evil.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["http://localhost:1/cb#x"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["http://a@localhost:1/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["http://localhost:1/a/../cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["javascript:alert(1)"]}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (json!({"client_name": "no uris"}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": [CALLBACK], "grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CALLBACK], "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ];
    for (body, error) in cases {
        let (status, answer) = h.post_json("/register", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"], error, "{body}: {answer}");
    }
    // Native custom schemes are fine.
    let (status, _) = h
        .post_json(
            "/register",
            &json!({"redirect_uris": ["cursor://anysphere.cursor-mcp/oauth/callback"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn authorize_passes_the_sign_in_through_to_the_provider() {
    let h = Harness::start().await;
    let client_id = h.register().await;
    let verifier = "a".repeat(64);
    let location = h.authorize(&client_id, &verifier, "client-state-42").await;
    assert_eq!(
        location.as_str().split('?').next().unwrap(),
        format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize")
    );
    assert_eq!(param(&location, "client_id").unwrap(), APP);
    assert_eq!(param(&location, "response_type").unwrap(), "code");
    assert_eq!(param(&location, "redirect_uri").unwrap(), CALLBACK);
    assert_eq!(
        param(&location, "code_challenge").unwrap(),
        challenge(&verifier)
    );
    assert_eq!(param(&location, "code_challenge_method").unwrap(), "S256");
    assert_eq!(param(&location, "state").unwrap(), "client-state-42");
    assert_eq!(
        param(&location, "scope").unwrap(),
        "openid profile offline_access"
    );
    assert_eq!(param(&location, "response_mode").unwrap(), "query");
    assert!(param(&location, "nonce").unwrap().len() >= 32);
    // Never forwarded: the client's resource (Entra AADSTS9010010) and our client id.
    assert!(param(&location, "resource").is_none());
    assert!(!location.as_str().contains(&client_id));

    // RFC 8252: the loopback port may differ from the registered one.
    let query = format!(
        "response_type=code&client_id={client_id}&code_challenge={}&code_challenge_method=S256\
         &redirect_uri=http%3A%2F%2Flocalhost%3A49152%2Foauth%2Fcallback&state=s",
        challenge("b-verifier-b-verifier-b-verifier-b-verifier-b")
    );
    let (status, headers, _) = h.get(&format!("/authorize?{query}")).await;
    assert_eq!(status, StatusCode::FOUND);
    let location = Url::parse(headers[header::LOCATION].to_str().unwrap()).unwrap();
    assert_eq!(
        param(&location, "redirect_uri").unwrap(),
        "http://localhost:49152/oauth/callback"
    );
}

#[tokio::test]
async fn authorize_errors_before_the_redirect_uri_is_trusted_are_pages() {
    let h = Harness::start().await;
    let client_id = h.register().await;
    let ch = challenge(&"c".repeat(50));
    let cases = [
        format!("response_type=code&code_challenge={ch}&code_challenge_method=S256&state=s"),
        format!("client_id=unknown&response_type=code&code_challenge={ch}&state=s"),
        format!(
            "client_id={client_id}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb\
             &response_type=code&code_challenge={ch}&code_challenge_method=S256&state=s"
        ),
        format!(
            "client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A3334%2Foauth%2Fcallback\
             &response_type=code&code_challenge={ch}&code_challenge_method=S256&state=s"
        ),
        format!("client_id={client_id}&client_id=x&response_type=code"),
    ];
    for query in cases {
        let (status, headers, body) = h.get(&format!("/authorize?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(headers.get(header::LOCATION).is_none(), "{query}");
        assert!(body.contains("Sign-in request refused"), "{query}");
        assert!(!body.contains("evil.example"), "{query}");
    }
}

#[tokio::test]
async fn authorize_errors_after_the_redirect_uri_is_trusted_go_back_to_the_client() {
    let h = Harness::start().await;
    let client_id = h.register().await;
    let ch = challenge(&"d".repeat(50));
    let common = format!(
        "client_id={client_id}&redirect_uri=http%3A%2F%2Flocalhost%3A3334%2Foauth%2Fcallback"
    );
    let cases = [
        (
            format!(
                "{common}&response_type=token&code_challenge={ch}&code_challenge_method=S256&state=s1"
            ),
            "unsupported_response_type",
            Some("s1"),
        ),
        (
            format!("{common}&response_type=code&state=s2"),
            "invalid_request",
            Some("s2"),
        ),
        (
            format!(
                "{common}&response_type=code&code_challenge={ch}&code_challenge_method=plain&state=s3"
            ),
            "invalid_request",
            Some("s3"),
        ),
        (
            format!("{common}&response_type=code&code_challenge={ch}&state=s4"),
            "invalid_request",
            Some("s4"),
        ),
        (
            format!("{common}&response_type=code&code_challenge={ch}&code_challenge_method=S256"),
            "invalid_request",
            None,
        ),
        (
            format!(
                "{common}&response_type=code&code_challenge={ch}&code_challenge_method=S256&state=s6\
                 &resource=https%3A%2F%2Fother.example%2Fmcp"
            ),
            "invalid_target",
            Some("s6"),
        ),
    ];
    for (query, error, state) in cases {
        let (status, headers, _) = h.get(&format!("/authorize?{query}")).await;
        assert_eq!(status, StatusCode::FOUND, "{query}");
        let location = Url::parse(headers[header::LOCATION].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(CALLBACK), "{location}");
        assert_eq!(param(&location, "error").as_deref(), Some(error), "{query}");
        assert_eq!(param(&location, "state").as_deref(), state, "{query}");
    }
}

#[tokio::test]
async fn token_exchange_validates_the_id_token_and_returns_our_own_tokens() {
    let h = Harness::start().await;
    let (client_id, body) = h.sign_in().await;

    // What went upstream: the client's code, verifier and redirect URI, as the app.
    let sent = h.upstream.last_request();
    assert_eq!(sent["grant_type"], "authorization_code");
    assert_eq!(sent["code"], "CODE-FROM-IDP");
    assert_eq!(sent["code_verifier"], "v".repeat(50));
    assert_eq!(sent["redirect_uri"], CALLBACK);
    assert_eq!(sent["client_id"], APP);
    assert!(!sent.contains_key("client_secret"));

    // What came back: our tokens only.
    let text = body.to_string();
    assert!(!text.contains("UPSTREAM-ACCESS-TOKEN"));
    assert!(!text.contains("UPSTREAM-REFRESH-1"));
    assert!(body.get("id_token").is_none());
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() <= 3600);
    let access = body["access_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(access).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let claims = claims_of(access);
    assert_eq!(claims["iss"], BASE);
    assert_eq!(claims["aud"], format!("{BASE}/mcp"));
    assert_eq!(claims["sub"], "pairwise-sub-1");
    assert_eq!(claims["oid"], "00000000-0000-0000-0000-0000000000a1");
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(claims["preferred_username"], "ada@contoso.example");
    assert_eq!(claims["email"], "ada@contoso.example");
    assert_eq!(claims["name"], "Ada Lovelace");
    assert_eq!(claims["client_id"], client_id.as_str());
    assert!(claims["exp"].as_i64().unwrap() - now() <= 3600);

    let principal = h.authenticate(access).await.unwrap();
    assert_eq!(principal.subject, "pairwise-sub-1");
    assert_eq!(principal.name.as_deref(), Some("ada@contoso.example"));
    assert_eq!(principal.auth_mode, AuthMode::OidcProxy);

    // The code's sign-in is single use.
    let (status, again) = h
        .post_form(
            "/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", "CODE-FROM-IDP"),
                ("code_verifier", &"v".repeat(50)),
                ("redirect_uri", CALLBACK),
                ("client_id", &client_id),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_goes_upstream_revalidates_and_rotates() {
    let h = Harness::start().await;
    let (client_id, body) = h.sign_in().await;
    let ours = body["refresh_token"].as_str().unwrap().to_owned();
    h.upstream.answer(
        200,
        json!({
            "access_token": "UPSTREAM-ACCESS-2",
            "refresh_token": "UPSTREAM-REFRESH-2",
            "id_token": h.id_token(&json!({"name": "Ada L."})),
        }),
    );
    let refresh = |token: String| {
        let client_id = client_id.clone();
        let h = &h;
        async move {
            h.post_form(
                "/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    let (status, fresh) = refresh(ours.clone()).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    let sent = h.upstream.last_request();
    assert_eq!(sent["grant_type"], "refresh_token");
    assert_eq!(sent["refresh_token"], "UPSTREAM-REFRESH-1");
    assert_eq!(sent["client_id"], APP);
    assert_eq!(
        claims_of(fresh["access_token"].as_str().unwrap())["name"],
        "Ada L."
    );
    let rotated = fresh["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, ours);
    assert!(!fresh.to_string().contains("UPSTREAM"));

    // The new one maps to the rotated upstream token.
    let (status, fresher) = refresh(rotated).await;
    assert_eq!(status, StatusCode::OK, "{fresher}");
    assert_eq!(
        h.upstream.last_request()["refresh_token"],
        "UPSTREAM-REFRESH-2"
    );
    let newest = fresher["refresh_token"].as_str().unwrap().to_owned();
    let access = fresher["access_token"].as_str().unwrap().to_owned();
    assert!(h.authenticate(&access).await.is_ok());

    // Replaying a spent refresh token revokes the whole session: the newest refresh token
    // and the access token issued with it stop working too.
    let (status, err) = refresh(ours).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "invalid_grant");
    assert!(
        err["error_description"]
            .as_str()
            .unwrap()
            .contains("already used"),
        "{err}"
    );
    let (status, err) = refresh(newest).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let rejection = h.authenticate(&access).await.unwrap_err();
    assert!(
        rejection.message().contains("session"),
        "{}",
        rejection.message()
    );

    // An ID token for someone else on refresh is refused.
    let (_, body) = h.sign_in().await;
    h.upstream.answer(
        200,
        json!({"id_token": h.id_token(&json!({"sub": "someone-else"}))}),
    );
    let (status, err) = h
        .post_form(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", body["refresh_token"].as_str().unwrap()),
                ("client_id", &client_id),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "invalid_grant");
}

/// Builds the provider's token response from the sign-in's nonce.
type ProviderAnswer = dyn Fn(&Harness, &str) -> (u16, Value);

/// Runs a sign-in whose provider token response is `answer` (built with the nonce).
async fn redeem_with(
    h: &Harness,
    answer: impl Fn(&Harness, &str) -> (u16, Value),
) -> (StatusCode, Value) {
    let client_id = h.register().await;
    let verifier = "w".repeat(60);
    let location = h.authorize(&client_id, &verifier, "s").await;
    let nonce = param(&location, "nonce").unwrap();
    let (status, body) = answer(h, &nonce);
    h.upstream.answer(status, body);
    h.post_form(
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", "C"),
            ("code_verifier", &verifier),
            ("redirect_uri", CALLBACK),
            ("client_id", &client_id),
        ],
    )
    .await
}

#[tokio::test]
async fn id_tokens_that_do_not_validate_fail_the_sign_in() {
    let h = Harness::start().await;
    let other_key = TestKey::rsa("idp-key-1").unwrap();
    let cases: Vec<(Box<ProviderAnswer>, &str)> = vec![
        (
            Box::new(|h, _| {
                (
                    200,
                    json!({"id_token": h.id_token(&json!({"nonce": "not-ours"}))}),
                )
            }),
            "nonce",
        ),
        (
            Box::new(|h, nonce| {
                let iss = format!("https://sts.windows.net/{TENANT}/");
                (
                    200,
                    json!({"id_token": h.id_token(&json!({"nonce": nonce, "iss": iss}))}),
                )
            }),
            "requestedAccessTokenVersion",
        ),
        (
            Box::new(|h, nonce| {
                (
                    200,
                    json!({"id_token": h.id_token(&json!({"nonce": nonce, "aud": "api://other"}))}),
                )
            }),
            "audience",
        ),
        (
            Box::new(|h, nonce| {
                (
                    200,
                    json!({"id_token": h.id_token(&json!({"nonce": nonce, "exp": now() - 3600}))}),
                )
            }),
            "expired",
        ),
        (
            Box::new(move |_, nonce| {
                let mut claims =
                    json!({"iss": v2_issuer(), "aud": APP, "sub": "x", "nonce": nonce});
                claims["exp"] = json!(now() + 600);
                (200, json!({"id_token": other_key.sign(&claims).unwrap()}))
            }),
            "signature",
        ),
        (
            Box::new(|_, _| (200, json!({"access_token": "only-access"}))),
            "no ID token",
        ),
    ];
    for (answer, expected) in cases {
        let (status, body) = redeem_with(&h, answer).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{expected}: {body}");
        assert_eq!(body["error"], "invalid_grant", "{expected}: {body}");
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description
                .to_lowercase()
                .contains(&expected.to_lowercase()),
            "{expected}: {description}"
        );
        assert!(!body.to_string().contains("eyJ"), "a token leaked: {body}");
    }
}

#[tokio::test]
async fn provider_errors_are_surfaced_with_their_aadsts_codes() {
    let h = Harness::start().await;
    let (status, body) = redeem_with(&h, |_, _| {
        (
            400,
            json!({
                "error": "invalid_grant",
                "error_description": "AADSTS70008: The provided authorization code or refresh token has expired.",
            }),
        )
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("AADSTS70008")
    );

    // A refusal of the server's own app credentials must not look like the client's.
    let (_, body) = redeem_with(&h, |_, _| {
        (
            401,
            json!({"error": "invalid_client", "error_description": "AADSTS7000218: client_secret required"}),
        )
    })
    .await;
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("AADSTS7000218")
    );
}

#[tokio::test]
async fn token_requests_must_match_a_sign_in_started_here() {
    let h = Harness::start().await;
    let client_id = h.register().await;
    let verifier = "x".repeat(60);
    h.authorize(&client_id, &verifier, "s").await;
    let before = h.upstream.request_count();
    let attempt = |verifier: String, redirect: &'static str, client: String| {
        let h = &h;
        async move {
            h.post_form(
                "/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", "C"),
                    ("code_verifier", &verifier),
                    ("redirect_uri", redirect),
                    ("client_id", &client),
                ],
            )
            .await
        }
    };
    let (status, body) = attempt("y".repeat(60), CALLBACK, client_id.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, body) = attempt(verifier.clone(), CALLBACK, "unknown".into()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) = attempt(
        verifier.clone(),
        "http://localhost:9/oauth/callback",
        client_id.clone(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(
        h.upstream.request_count(),
        before,
        "nothing may reach the provider"
    );

    let (status, body) = h
        .post_form(
            "/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    let (status, body) = h
        .post_form(
            "/token",
            &[("grant_type", "authorization_code"), ("grant_type", "x")],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}

#[tokio::test]
async fn mcp_accepts_our_tokens_and_app_tokens_and_refuses_graph_tokens() {
    let h = Harness::start().await;
    let metadata = format!("{BASE}/.well-known/oauth-protected-resource/mcp");

    let err = h.proxy.authenticate(&HeaderMap::new()).await.unwrap_err();
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        err.challenge(),
        format!("Bearer resource_metadata=\"{metadata}\"").as_str()
    );

    // A provider access token for this app (API scope): aud = the client id.
    let app_token = h
        .key
        .sign(
            &json!({"iss": v2_issuer(), "aud": APP, "sub": "api-user", "scp": "mcp.access",
                      "iat": now(), "exp": now() + 600}),
        )
        .unwrap();
    let principal = h.authenticate(&app_token).await.unwrap();
    assert_eq!(principal.subject, "api-user");
    assert_eq!(principal.scopes, ["mcp.access"]);

    // The provider's ID token for this app has the same iss, aud and key, but it is not a
    // bearer credential.
    let err = h.authenticate(&h.id_token(&json!({}))).await.unwrap_err();
    assert!(
        err.message().contains("not an access token"),
        "{}",
        err.message()
    );

    let graph = h
        .key
        .sign(&json!({"iss": v2_issuer(), "aud": GRAPH, "sub": "u", "iat": now(), "exp": now() + 600}))
        .unwrap();
    let err = h.authenticate(&graph).await.unwrap_err();
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    assert!(
        err.message().contains("Microsoft Graph"),
        "{}",
        err.message()
    );
    let challenge = err.challenge().to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(
        challenge.contains(&format!("resource_metadata=\"{metadata}\"")),
        "{challenge}"
    );

    let other_aud = h
        .key
        .sign(&json!({"iss": v2_issuer(), "aud": "api://other", "sub": "u", "iat": now(), "exp": now() + 600}))
        .unwrap();
    assert!(h.authenticate(&other_aud).await.is_err());

    // Our token from another server instance (another key) is refused.
    let other = Harness::start().await;
    let (_, body) = other.sign_in().await;
    let err = h
        .authenticate(body["access_token"].as_str().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    drop(other.idp);
}

#[tokio::test]
async fn start_up_fails_closed() {
    let key = TestKey::rsa("k").unwrap();
    let idp = IdpServer::start(&[&key], Some(&v2_issuer())).await.unwrap();
    let (_, token_addr) = TokenEndpoint::start().await;
    let vars = guide_env(&idp, token_addr);

    idp.set_jwks_status(Some(503));
    let err = OidcProxy::from_env(&proxy_env(&vars), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ProxyConfigError::Jwks(_)), "{err}");
    assert!(err.to_string().contains("OIDCPROXY_AUTH_JWKS_URI"), "{err}");
    idp.set_jwks_status(None);

    let mut with_discovery = vars.clone();
    with_discovery.insert("OIDCPROXY_AUTH_DISCOVERY_URL", idp.discovery_url());
    with_discovery.insert(
        "OIDCPROXY_AUTH_ISSUER",
        format!("https://sts.windows.net/{TENANT}/"),
    );
    let err = OidcProxy::from_env(&proxy_env(&with_discovery), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProxyConfigError::IssuerMismatch { .. }),
        "{err}"
    );

    with_discovery.insert("OIDCPROXY_AUTH_ISSUER", v2_issuer());
    OidcProxy::from_env(&proxy_env(&with_discovery), None)
        .await
        .unwrap();

    let mut without_scopes = vars.clone();
    without_scopes.remove("OIDCPROXY_AUTH_SCOPES");
    let err = OidcProxy::from_env(&proxy_env(&without_scopes), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("OIDCPROXY_AUTH_SCOPES"), "{err}");

    let public_bind = ProxyEnv::from_lookup(|n| vars.get(n).cloned(), "0.0.0.0", 8000);
    let err = OidcProxy::from_env(&public_bind, None).await.unwrap_err();
    assert!(err.to_string().contains("OIDCPROXY_BASE_URL"), "{err}");
}

#[tokio::test]
async fn without_a_secret_to_seal_with_nothing_is_written_to_the_store() {
    let store = Store::memory();
    let h = Harness::start_with(&[], store.clone(), Lifetimes::default()).await;
    h.sign_in().await;
    for namespace in [
        "oidcproxy.clients",
        "oidcproxy.sessions",
        "oidcproxy.signing-keys",
    ] {
        assert!(
            store.list(namespace).await.unwrap().is_empty(),
            "{namespace}"
        );
    }
    let with_key = Harness::start_with(
        &[("OIDCPROXY_STATE_KEY", "operator-chosen-state-key")],
        store.clone(),
        Lifetimes::default(),
    )
    .await;
    with_key.sign_in().await;
    assert_eq!(store.list("oidcproxy.sessions").await.unwrap().len(), 1);
}
