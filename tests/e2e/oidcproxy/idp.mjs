// A local OpenID provider (oidc-provider) configured to behave like Microsoft Entra ID v2:
// issuer `http://127.0.0.1:<port>/<tenant-guid>/v2.0` with discovery at
// `<issuer>/.well-known/openid-configuration`, no dynamic registration, one client whose id
// is a GUID, PKCE S256 required, ID tokens with aud = client id and Entra's
// oid/tid/preferred_username claims. The client is either
//   - PUBLIC ("Mobile and desktop applications" platform), whose only redirect URI is
//     mcp-remote's loopback callback: the pass-through flow, or
//   - CONFIDENTIAL (`clientSecret` given; a "Web" platform app registration with a client
//     secret), whose only redirect URI is the server's own `<base>/auth/callback`, sending
//     its secret as client_secret_post: the server's authorization-server facade
//     (OIDCPROXY_FLOW=proxy).
//
// Like Entra ID (and unlike oidc-provider's default) it puts no RFC 9207 `iss` on its
// authorization responses.
//
// Signing in is a plain HTML login form for one test user; consent is granted
// automatically (as for an app the tenant admin already consented to).
//
// `issuerOverride` makes the provider stamp another issuer into its tokens while serving
// the same endpoints: the v1 case (`https://sts.windows.net/<tid>/`).

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

export const TEST_USER = {
  accountId: 'ada',
  oid: '3f1c9e2a-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
  preferred_username: 'ada@contoso.example',
  name: 'Ada Lovelace',
  email: 'ada@contoso.example',
};

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function loginPage(uid) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sign in - Test IdP</title></head>
<body><h1>Sign in to Contoso (test)</h1>
<form id="login" method="post" action="/interaction/${uid}/login">
<label>User <input name="login" value="${TEST_USER.accountId}"></label>
<button id="submit" type="submit">Sign in</button>
</form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/**
 * The registered client. Public: `native`, so that (RFC 8252 section 7.3) oidc-provider
 * matches its loopback redirect URI on any port. Confidential: `web`, as Entra's Web
 * platform; oidc-provider accepts plain-http (and loopback) redirect URIs for web clients as
 * long as they do not use the implicit grant (lib/helpers/client_schema.js only forces https
 * and forbids localhost for implicit web clients), and matches them exactly, port included
 * (lib/models/client.js ignores loopback ports for native clients only), so
 * `http://127.0.0.1:<port>/auth/callback` is registered as it is.
 */
function registeredClient({ clientId, clientSecret, redirectUri }) {
  const common = {
    client_id: clientId,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
  if (clientSecret) {
    return {
      ...common,
      client_secret: clientSecret,
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_post',
    };
  }
  return { ...common, application_type: 'native', token_endpoint_auth_method: 'none' };
}

/**
 * Starts the provider on 127.0.0.1 (a free port). With `clientSecret` the client is
 * confidential (see registeredClient) and `redirectUri` is the server's `<base>/auth/callback`.
 * @returns {{issuer: string, tokenIssuer: string, origin: string, endpoints: object, close: Function}}
 */
export async function startIdp({
  tenant, clientId, redirectUri, clientSecret, issuerOverride, log = () => {},
}) {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  const mount = `/${tenant}/v2.0`;
  const issuer = `${origin}${mount}`;
  const tokenIssuer = issuerOverride ?? issuer;

  const provider = new Provider(tokenIssuer, {
    clients: [registeredClient({ clientId, clientSecret, redirectUri })],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomUUID()] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 300,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
    pkce: { required: () => true },
    // oidc-provider drops `offline_access` from an authorization request without
    // prompt=consent (lib/actions/authorization/scopes.js) and by default issues refresh
    // tokens only for grants holding `offline_access`. Entra ID issues one whenever
    // offline_access is asked for, prompt or not, and the facade (the confidential client)
    // sends no prompt=consent: it gets a refresh token for every code. The public client
    // keeps the default, which mcp-remote meets by adding prompt=consent itself.
    issueRefreshToken: async (_ctx, client, source) => client.grantTypeAllowed('refresh_token')
      && (Boolean(clientSecret) || source.scopes.has('offline_access')),
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: false },
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub', 'oid', 'tid'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    // Entra puts the profile claims into the ID token itself.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        oid: TEST_USER.oid,
        tid: tenant,
        preferred_username: TEST_USER.preferred_username,
        name: TEST_USER.name,
        email: TEST_USER.email,
      }),
    }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      log(`idp error page: ${JSON.stringify(out)}`);
      ctx.type = 'html';
      ctx.body = `<!doctype html><h1>IdP error</h1><pre id="error">${out.error}: ${out.error_description ?? ''}</pre>`;
    },
  });
  // Entra ID sends no RFC 9207 `iss` on its authorization responses; oidc-provider always
  // does. The client compares `iss` with ITS authorization server (the proxy), so an IdP
  // that sends its own would break the pass-through flow: behave like Entra.
  provider.on('authorization.success', (_ctx, out) => {
    delete out.iss;
  });
  provider.on('server_error', (_ctx, err) => log(`idp server_error: ${err.stack}`));
  provider.on('grant.error', (_ctx, err) => log(`idp grant.error: ${err.message} ${err.error_description ?? ''}`));
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    try {
      log(`idp ${req.method} ${req.url.split('?')[0]}`);
      const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
      if (match) {
        const interaction = await provider.interactionDetails(req, res);
        if (match[2] && req.method === 'POST') {
          const form = await readForm(req);
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: form.get('login') } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        if (interaction.prompt.name === 'login') {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(loginPage(interaction.uid));
          return;
        }
        // Consent (always asked of native clients) is granted without a page, as for an
        // app the tenant admin consented to.
        const { prompt: { details }, params, session } = interaction;
        const grant = interaction.grantId
          ? await provider.Grant.find(interaction.grantId)
          : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
        if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
        if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { consent: interaction.grantId ? {} : { grantId } },
          { mergeWithLastSubmission: true },
        );
        return;
      }
      if (req.url === mount || req.url.startsWith(`${mount}/`)) {
        // oidc-provider works out its mount path from originalUrl vs url.
        req.originalUrl = req.url;
        req.url = req.url.slice(mount.length) || '/';
        callback(req, res);
        return;
      }
      res.writeHead(404).end();
    } catch (err) {
      log(`idp handler error: ${err.stack}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });

  return {
    issuer,
    tokenIssuer,
    origin,
    endpoints: {
      discovery: `${issuer}/.well-known/openid-configuration`,
      authorization: `${issuer}/auth`,
      token: `${issuer}/token`,
      jwks: `${issuer}/jwks`,
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
