// End-to-end test of the Entra ID guide's deployment (docs/authentication.md, section
// "oidcproxy (Entra ID guide)"): a real OpenID provider (oidc-provider, behaving like Entra
// ID v2), the real server binary with the guide's Step 4 variables, the real `mcp-remote`
// with the guide's Step 5 configuration (no static client info, no headers) driven by the
// official MCP SDK client over stdio, and headless Chromium completing the sign-in.
//
// Run 1 signs in and calls a tool. Run 2 has the provider stamp Entra v1 issuers into its
// tokens: the sign-in must fail and the server log must carry the v1 hint.
//
// Run 3 is the authorization-server facade (OIDCPROXY_FLOW=proxy, a confidential "Web" app
// at the provider whose only redirect URI is the server's /auth/callback, state in a SQLite
// store, 8-second access tokens): mcp-remote (server URL only: it registers, picks its own
// callback port) signs in through the server's consent page and the provider, gets the
// server's own ES256 tokens (checked against /jwks; no provider token reaches it) and calls
// a tool. The server is restarted on the same port; once the access token has expired the
// same mcp-remote, and then a new mcp-remote on the same token store, call the tool again
// without a browser (refresh-token rotation at the restarted server). Finally the provider
// authorization URL of a consented sign-in is opened in another browser: the server's
// callback must refuse it (browser binding).
//
// Usage: node test.mjs   (run.sh sets ZSCALER_MCP_BIN, CHROMIUM and the work directory;
// OIDCPROXY_E2E_RUNS=3 runs only run 3, OIDCPROXY_E2E_RUNS=1,2 the first two)
// Prints one line per check and finally "N passed, N failed"; exits 1 on any failure.

import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { chromium } from 'playwright-core';

import { startIdp, TEST_USER } from './idp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const serverBin = process.env.ZSCALER_MCP_BIN ?? path.join(root, 'target/debug/zscaler-mcp');
const chromiumBin = process.env.CHROMIUM ?? '/usr/bin/chromium';
const mcpRemoteBin = path.join(here, 'node_modules/mcp-remote/dist/proxy.js');
const openUrlScript = path.join(here, 'open-url.sh');
const workDir = fs.mkdtempSync(path.join(process.env.OIDCPROXY_E2E_WORKDIR ?? os.tmpdir(), 'oidcproxy-e2e-'));

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP_ID = '6f3c1a2e-8d4b-4c1e-9f0a-1b2c3d4e5f60';
const SIGN_IN_TIMEOUT_MS = 120_000;
const FACADE_ACCESS_TOKEN_TTL = 8;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok    ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL  ${name}${detail ? `\n      ${detail}` : ''}`);
  }
}

const children = new Set();
function cleanup() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', cleanup);

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * The server with the guide's Step 4 variables pointing at `idp`, plus `env`; on `port` (a
 * free one by default). Its log goes to `<name>-server.log`.
 */
async function startServer(name, idp, configuredIssuer, { port, env: extraEnv = {} } = {}) {
  port ??= await freePort();
  const logFile = path.join(workDir, `${name}-server.log`);
  const log = fs.openSync(logFile, 'w');
  const env = {
    PATH: process.env.PATH,
    HOME: workDir,
    OIDCPROXY_AUTH_ISSUER: configuredIssuer,
    OIDCPROXY_AUTH_AUTHORIZATION_ENDPOINT: idp.endpoints.authorization,
    OIDCPROXY_AUTH_TOKEN_ENDPOINT: idp.endpoints.token,
    OIDCPROXY_AUTH_JWKS_URI: idp.endpoints.jwks,
    OIDCPROXY_AUTH_AUDIENCE: APP_ID,
    OIDCPROXY_AUTH_SCOPES: 'openid profile offline_access',
    ZSCALER_MCP_AUTH_ENABLED: 'false',
    ZSCALER_MCP_ALLOW_HTTP: 'true',
    ...extraEnv,
  };
  const child = spawn(
    serverBin,
    ['--demo', '--transport', 'streamable-http', '--port', String(port)],
    { env, stdio: ['ignore', log, log] },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    `${name} server on ${base}`,
    async () => {
      if (child.exitCode !== null) {
        throw Object.assign(new Error('exited'), { fatal: true });
      }
      return (await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).ok;
    },
    30_000,
  ).catch((err) => {
    throw new Error(`${err.message}; server log:\n${fs.readFileSync(logFile, 'utf8')}`);
  });
  return {
    base,
    logFile,
    log: () => fs.readFileSync(logFile, 'utf8'),
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
      child.kill('SIGKILL');
    },
  };
}

/**
 * mcp-remote as the guide's Step 5 runs it, as a stdio child of the official SDK client; its
 * browser is our headless Chromium: mcp-remote opens the URL with the `open` package, whose
 * bundled xdg-open (no desktop session) runs $BROWSER, here open-url.sh, which appends the
 * URL to a file this test watches. Without `callbackPort` mcp-remote picks its own (the guide's
 * configuration); `configDir` (MCP_REMOTE_CONFIG_DIR, its client and token store) defaults to
 * a fresh one for `name`.
 */
function mcpRemote(name, serverUrl, callbackPort, configDir = path.join(workDir, `${name}-mcp-auth`)) {
  const urlFile = path.join(workDir, `${name}-browser-urls.txt`);
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(urlFile, '');
  const stderrFile = path.join(workDir, `${name}-mcp-remote.log`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [mcpRemoteBin, serverUrl, ...(callbackPort ? [String(callbackPort)] : [])],
    env: {
      PATH: process.env.PATH,
      HOME: workDir,
      MCP_REMOTE_CONFIG_DIR: configDir,
      BROWSER: openUrlScript,
      OIDCPROXY_E2E_URL_FILE: urlFile,
    },
    stderr: 'pipe',
  });
  const stderrLog = fs.createWriteStream(stderrFile);
  transport.stderr?.pipe(stderrLog);
  return { transport, configDir, urlFile, stderrFile };
}

/**
 * Waits for mcp-remote to "open" a URL, then signs in with Chromium until the browser lands
 * on `callback` (a Playwright URL glob or predicate: mcp-remote's loopback callback).
 *
 * With `consent`, the first page is the server's consent page: what it shows and its
 * response headers are recorded (`consent`) and it is approved. With `idpAuthorization` (the
 * provider's authorization endpoint) the first navigation to it is recorded (`idpUrl`).
 */
async function signInWithBrowser(browser, urlFile, { callback, consent = false, idpAuthorization } = {}) {
  const url = await waitFor(
    'mcp-remote to open the browser',
    async () => fs.readFileSync(urlFile, 'utf8').split('\n').find(Boolean),
    SIGN_IN_TIMEOUT_MS,
  );
  const context = await browser.newContext();
  const page = await context.newPage();
  const result = { url };
  if (idpAuthorization) {
    page.on('request', (request) => {
      if (!result.idpUrl && endpointOf(request.url()) === idpAuthorization) result.idpUrl = request.url();
    });
  }
  try {
    const response = await page.goto(url, { waitUntil: 'load' });
    if (consent) {
      result.consent = await readConsentPage(page, response);
      await clickOrExplain(page, '#approve');
      await page.waitForSelector('#submit', { timeout: 30_000 }).catch(async (err) => {
        throw new Error(`${err.message}; after approving: ${page.url()}\n${await bodyText(page)}`);
      });
    }
    result.loginTitle = await page.title();
    await page.click('#submit');
    await page.waitForURL(callback, { timeout: 30_000 });
    result.callbackUrl = new URL(page.url());
    result.callbackText = await page.textContent('body').catch(() => '');
    return result;
  } finally {
    await context.close();
  }
}

/** `url` without its query. */
function endpointOf(url) {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

async function bodyText(page) {
  return (await page.textContent('body', { timeout: 5000 }).catch(() => '')) ?? '';
}

/** Clicks `selector`; if it never shows, fails with the page that was shown instead. */
async function clickOrExplain(page, selector) {
  await page.click(selector, { timeout: 15_000 }).catch(async (err) => {
    throw new Error(`no ${selector} on ${page.url()}: ${err.message.split('\n')[0]}\n`
      + `${(await bodyText(page)).trim().slice(0, 500)}`);
  });
}

/** What the server's consent page (the response `response` of `page`) shows and sends. */
async function readConsentPage(page, response) {
  const headers = response ? await response.allHeaders() : {};
  const text = async (selector) => ((await page.locator(selector).textContent({ timeout: 5000 })
    .catch(() => null)) ?? '').trim();
  return {
    url: page.url(),
    status: response?.status(),
    frameOptions: headers['x-frame-options'] ?? '',
    csp: headers['content-security-policy'] ?? '',
    clientName: await text('#client-name'),
    redirectUri: await text('#redirect-uri'),
  };
}

/** mcp-remote's loopback callback (`http://localhost:<port>/oauth/callback` on Linux). */
function isLoopbackCallback(url) {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname)
    && url.pathname === '/oauth/callback';
}

function decodeJwt(token) {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

function jwtHeader(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** Whether `value` is a JWS compact serialization (three base64url parts, a JSON header). */
function looksLikeJwt(value) {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value)) {
    return false;
  }
  try {
    return typeof jwtHeader(value).alg === 'string';
  } catch {
    return false;
  }
}

/** Whether the ES256 JWT `token` is signed by a key of the JWK set `jwks`. */
function verifiesWith(token, jwks) {
  try {
    const [header, payload, signature] = token.split('.');
    const { alg, kid } = jwtHeader(token);
    const jwk = (jwks.keys ?? []).find((key) => kid === undefined || key.kid === kid);
    if (alg !== 'ES256' || !jwk) return false;
    return verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

function findFiles(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findFiles(full, suffix);
    return entry.name.endsWith(suffix) ? [full] : [];
  });
}

/** mcp-remote's stored tokens and client registration (`<hash>_tokens.json` and so on). */
function mcpRemoteStore(configDir) {
  const read = (suffix) => {
    const [file] = findFiles(configDir, suffix);
    return file ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  };
  return { tokens: read('_tokens.json'), clientInfo: read('_client_info.json') };
}

/** Calls zia_list_rule_labels through `client`: whether the demo tenant's labels came back. */
async function callRuleLabels(client) {
  const result = await withTimeout(
    client.callTool({ name: 'zia_list_rule_labels', arguments: {} }),
    90_000,
    'tools/call zia_list_rule_labels',
  );
  const text = (result.content ?? []).map((c) => c.text ?? '').join('\n');
  return {
    ok: !result.isError && text.includes('Compliance-PCI') && text.includes('Incident-Response'),
    text,
  };
}

/**
 * Connects the SDK client through mcp-remote while Chromium completes the sign-in that
 * mcp-remote opens; failures of either side are checks named after `what`.
 */
async function connectWithSignIn(browser, client, remote, server, options, what) {
  const browserDone = signInWithBrowser(browser, remote.urlFile, options);
  // A browser that got stuck ends the wait for mcp-remote too.
  browserDone.catch(() => client.close().catch(() => {}));
  let connected = false;
  try {
    await withTimeout(client.connect(remote.transport, { timeout: SIGN_IN_TIMEOUT_MS }),
      SIGN_IN_TIMEOUT_MS + 5000, 'connect through mcp-remote');
    connected = true;
  } catch (err) {
    check(`mcp-remote connects after ${what}`, false,
      `${err.message}\n--- mcp-remote:\n${fs.readFileSync(remote.stderrFile, 'utf8').slice(-3000)}`
      + `\n--- server:\n${server.log().slice(-3000)}`);
  }
  const signIn = await browserDone.catch((err) => ({ error: err }));
  if (signIn.error) check(`browser completes ${what}`, false, signIn.error.message);
  return { connected, signIn };
}

async function runSignIn(browser) {
  console.log('# run 1: sign in through the proxy and call a tool');
  const callbackPort = await freePort();
  const idpLog = fs.createWriteStream(path.join(workDir, 'run1-idp.log'));
  const idp = await startIdp({
    tenant: TENANT,
    clientId: APP_ID,
    redirectUri: `http://localhost:${callbackPort}/oauth/callback`,
    log: (line) => idpLog.write(`${line}\n`),
  });
  const server = await startServer('run1', idp, idp.issuer);
  const client = new Client({ name: 'oidcproxy-e2e', version: '1.0.0' });
  const remote = mcpRemote('run1', `${server.base}/mcp`, callbackPort);
  try {
    check(
      'banner names the OIDC proxy and the provider issuer',
      server.log().includes(
        `[SECURITY] transport=streamable-http auth=OIDCProxy (issuer=${idp.issuer})`,
      ),
      server.log().split('\n').find((l) => l.includes('[SECURITY]')),
    );

    const prm = await (await fetch(`${server.base}/.well-known/oauth-protected-resource/mcp`)).json();
    const asMeta = await (await fetch(`${server.base}/.well-known/oauth-authorization-server`)).json();
    check('protected-resource metadata names this server', prm.resource === `${server.base}/mcp`
      && prm.authorization_servers?.[0] === server.base, JSON.stringify(prm));
    check('authorization-server issuer is byte-identical to authorization_servers[0]',
      asMeta.issuer === prm.authorization_servers?.[0]
      && JSON.stringify(asMeta.code_challenge_methods_supported) === '["S256"]'
      && asMeta.registration_endpoint === `${server.base}/register`, JSON.stringify(asMeta));

    const unauthenticated = await fetch(`${server.base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    check('/mcp without a token is 401 pointing at the resource metadata',
      unauthenticated.status === 401
      && unauthenticated.headers.get('www-authenticate')
        === `Bearer resource_metadata="${server.base}/.well-known/oauth-protected-resource/mcp"`,
      `${unauthenticated.status} ${unauthenticated.headers.get('www-authenticate')}`);

    const { connected, signIn: browserResult } = await connectWithSignIn(
      browser, client, remote, server, { callback: `http://localhost:${callbackPort}/oauth/callback**` },
      'the browser sign-in');
    if (!browserResult.error) {
      const opened = new URL(browserResult.url);
      check('mcp-remote opened our /authorize in the browser',
        opened.origin === server.base && opened.pathname === '/authorize', browserResult.url);
      check('the provider showed its login form', browserResult.loginTitle.includes('Sign in'),
        browserResult.loginTitle);
      check('the provider redirected straight to mcp-remote with a code',
        Boolean(browserResult.callbackUrl.searchParams.get('code')), browserResult.callbackUrl.href);
    }
    if (connected) {
      check('mcp-remote connects after the browser sign-in', true);
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      check('tools/list through the proxy includes zia_list_rule_labels',
        names.includes('zia_list_rule_labels'), `${names.length} tools`);
      const labels = await callRuleLabels(client);
      check('zia_list_rule_labels returns the demo tenant labels', labels.ok, labels.text.slice(0, 300));

      const tokenFiles = findFiles(remote.configDir, '_tokens.json');
      const tokens = tokenFiles.length ? JSON.parse(fs.readFileSync(tokenFiles[0], 'utf8')) : {};
      const claims = tokens.access_token ? decodeJwt(tokens.access_token) : {};
      check('the client holds a token issued by this server, not the provider',
        claims.iss === server.base && claims.aud === `${server.base}/mcp`
        && claims.sub === TEST_USER.accountId
        && claims.preferred_username === TEST_USER.preferred_username
        && claims.tid === TENANT && claims.oid === TEST_USER.oid,
        JSON.stringify(claims));
      check('the token lives at most an hour', claims.exp - claims.iat <= 3600,
        `${claims.exp - claims.iat} s`);
    }
    const log = server.log();
    check('the server logged the completed sign-in', log.includes('oidcproxy: sign-in completed'));
    check('no token appears in the server log', !/eyJ[A-Za-z0-9_-]{10,}/.test(log));
  } finally {
    await client.close().catch(() => {});
    await server.stop();
    await idp.close();
    idpLog.end();
  }
}

async function runV1Tokens(browser) {
  console.log('# run 2: the provider issues Entra v1 tokens');
  const callbackPort = await freePort();
  const idpLog = fs.createWriteStream(path.join(workDir, 'run2-idp.log'));
  const idp = await startIdp({
    tenant: TENANT,
    clientId: APP_ID,
    redirectUri: `http://localhost:${callbackPort}/oauth/callback`,
    issuerOverride: `https://sts.windows.net/${TENANT}/`,
    log: (line) => idpLog.write(`${line}\n`),
  });
  // As the guide says: the v2.0 issuer. The provider's tokens carry the v1 one.
  const server = await startServer('run2', idp, `https://login.microsoftonline.com/${TENANT}/v2.0`);
  const client = new Client({ name: 'oidcproxy-e2e-v1', version: '1.0.0' });
  const remote = mcpRemote('run2', `${server.base}/mcp`, callbackPort);
  try {
    const browserDone = signInWithBrowser(browser, remote.urlFile, {
      callback: `http://localhost:${callbackPort}/oauth/callback**`,
    });
    browserDone.catch(() => {});
    let outcome;
    try {
      await withTimeout(client.connect(remote.transport, { timeout: SIGN_IN_TIMEOUT_MS }),
        SIGN_IN_TIMEOUT_MS + 5000, 'connect through mcp-remote');
      outcome = 'connected';
    } catch (err) {
      outcome = err.message;
    }
    const browserResult = await browserDone.catch((err) => ({ error: err }));
    check('the provider still completed its part (code sent to mcp-remote)',
      !browserResult.error && Boolean(browserResult.callbackUrl.searchParams.get('code')),
      browserResult.error?.message);
    check('the sign-in fails: mcp-remote never connects', outcome !== 'connected', outcome);
    await waitFor('the v1 hint in the server log',
      async () => server.log().includes('requestedAccessTokenVersion'), 10_000).catch(() => {});
    const log = server.log();
    check('the server log explains the v1 token',
      log.includes(`https://sts.windows.net/${TENANT}/`) && log.includes('requestedAccessTokenVersion'),
      log.split('\n').filter((l) => l.includes('oidcproxy')).join('\n'));
    check('no sign-in completed', !log.includes('oidcproxy: sign-in completed'));
    const remoteLog = fs.readFileSync(remote.stderrFile, 'utf8');
    check('mcp-remote got the OAuth error from /token', remoteLog.includes('invalid_grant'),
      remoteLog.slice(-1500));
  } finally {
    await client.close().catch(() => {});
    await server.stop();
    await idp.close();
    idpLog.end();
  }
}

/** The JWT-looking strings anywhere in `value` (mcp-remote's stored tokens). */
function jwtsIn(value) {
  if (looksLikeJwt(value)) return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(jwtsIn);
  return [];
}

/**
 * Browser binding: a sign-in approved in browser A whose provider authorization URL is then
 * opened in browser B (no cookies of A) must be refused at the server's /auth/callback. Runs
 * the client side by hand (registration, PKCE, /authorize) so the flow stays pending in A.
 */
async function checkBrowserBinding(browser, base, idp) {
  const redirectUri = `http://127.0.0.1:${await freePort()}/callback`; // nothing listens
  const registration = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'oidcproxy-e2e binding check',
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }),
  });
  const registered = await registration.json().catch(() => ({}));
  if (!registration.ok || !registered.client_id) {
    check('the binding check registers a client', false,
      `${registration.status} ${JSON.stringify(registered)}`);
    return;
  }
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${base}/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: registered.client_id,
    redirect_uri: redirectUri,
    state: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    resource: `${base}/mcp`,
  }).toString();

  const contextA = await browser.newContext();
  const contextB = await browser.newContext();
  try {
    const pageA = await contextA.newPage();
    await pageA.goto(authorize.href, { waitUntil: 'load' });
    const toIdp = pageA.waitForRequest((r) => endpointOf(r.url()) === idp.endpoints.authorization,
      { timeout: 30_000 });
    toIdp.catch(() => {});
    await clickOrExplain(pageA, '#approve');
    const idpUrl = (await toIdp).url();

    const pageB = await contextB.newPage();
    const callbackResponse = pageB.waitForResponse(
      (r) => endpointOf(r.url()) === `${base}/auth/callback`, { timeout: 30_000 },
    );
    callbackResponse.catch(() => {});
    await pageB.goto(idpUrl, { waitUntil: 'load' });
    await clickOrExplain(pageB, '#submit');
    const response = await callbackResponse;
    await pageB.waitForLoadState('load').catch(() => {});
    const text = await bodyText(pageB);
    check('the callback in another browser (no binding cookie) is refused: 403 "mismatch"',
      response.status() === 403 && /mismatch/i.test(text),
      `${response.status()} ${pageB.url()}\n${text.slice(0, 300)}`);
  } catch (err) {
    check('the callback in another browser (no binding cookie) is refused: 403 "mismatch"', false,
      err.message);
  } finally {
    await contextA.close();
    await contextB.close();
  }
}

async function runFacade(browser) {
  console.log('# run 3: the authorization-server facade (OIDCPROXY_FLOW=proxy), a restart, browser binding');
  // A fixed port: the provider registers <base>/auth/callback, and the restart reuses it.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const idpLog = fs.createWriteStream(path.join(workDir, 'run3-idp.log'));
  const idp = await startIdp({
    tenant: TENANT,
    clientId: APP_ID,
    clientSecret,
    redirectUri: `${base}/auth/callback`,
    log: (line) => idpLog.write(`${line}\n`),
  });
  const facade = {
    port,
    env: {
      OIDCPROXY_FLOW: 'proxy',
      OIDCPROXY_AUTH_CLIENT_SECRET: clientSecret,
      ZSCALER_MCP_STORE: `sqlite:${path.join(workDir, 'facade-state.sqlite3')}`,
      OIDCPROXY_ACCESS_TOKEN_TTL: String(FACADE_ACCESS_TOKEN_TTL),
    },
  };
  let server = await startServer('run3', idp, idp.issuer, facade);
  const firstLog = server.logFile;
  const client = new Client({ name: 'oidcproxy-e2e-facade', version: '1.0.0' });
  const remote = mcpRemote('run3', `${base}/mcp`);
  let again;
  try {
    check('the banner names the facade and the one redirect URI to register at the provider',
      server.log().includes(`[SECURITY] transport=streamable-http auth=OIDCProxy (issuer=${idp.issuer}, flow=proxy)`)
      && server.log().includes(`Redirect URI to register at the IdP (Web): ${base}/auth/callback`),
      server.log().split('\n').filter((l) => /SECURITY|Redirect URI/.test(l)).join('\n'));
    const asMeta = await fetchJson(`${base}/.well-known/oauth-authorization-server`);
    check('facade metadata: issuer, jwks_uri, revocation_endpoint, RFC 9207 iss support',
      asMeta.issuer === base && asMeta.jwks_uri === `${base}/jwks`
      && asMeta.revocation_endpoint === `${base}/revoke`
      && asMeta.authorization_response_iss_parameter_supported === true,
      JSON.stringify(asMeta));

    const { connected, signIn } = await connectWithSignIn(browser, client, remote, server, {
      callback: isLoopbackCallback,
      consent: true,
      idpAuthorization: idp.endpoints.authorization,
    }, 'the sign-in through the facade');
    if (!signIn.error) {
      const opened = new URL(signIn.url);
      const { consent } = signIn;
      check('mcp-remote opened the facade\'s /authorize in the browser',
        endpointOf(signIn.url) === `${base}/authorize`, signIn.url);
      check('/authorize led to the consent page naming the client and its loopback redirect URI',
        endpointOf(consent.url) === `${base}/consent` && consent.status === 200
        && consent.clientName.length > 0
        && /^http:\/\/(localhost|127\.0\.0\.1):\d+\/oauth\/callback$/.test(consent.redirectUri),
        JSON.stringify(consent));
      check('the consent page cannot be framed (X-Frame-Options DENY, frame-ancestors \'none\')',
        consent.frameOptions.toUpperCase() === 'DENY' && /frame-ancestors\s+'none'/.test(consent.csp),
        `X-Frame-Options: ${consent.frameOptions}; CSP: ${consent.csp}`);
      const idpUrl = signIn.idpUrl ? new URL(signIn.idpUrl) : undefined;
      const idpParams = idpUrl?.searchParams;
      check('approving sent the browser to the provider with the server\'s own callback, state, PKCE, nonce',
        idpParams?.get('client_id') === APP_ID
        && idpParams.get('redirect_uri') === `${base}/auth/callback`
        && idpParams.get('response_type') === 'code'
        && idpParams.get('code_challenge_method') === 'S256' && Boolean(idpParams.get('code_challenge'))
        && Boolean(idpParams.get('nonce')) && Boolean(idpParams.get('state'))
        && idpParams.get('state') !== opened.searchParams.get('state')
        && idpParams.get('code_challenge') !== opened.searchParams.get('code_challenge'),
        signIn.idpUrl ?? 'no request to the provider\'s authorization endpoint');
      check('the provider showed its login form', signIn.loginTitle.includes('Sign in'), signIn.loginTitle);
      const back = signIn.callbackUrl;
      check('the browser landed on mcp-remote\'s callback with code, its state and iss = the facade',
        Boolean(back.searchParams.get('code'))
        && back.searchParams.get('state') === opened.searchParams.get('state')
        && back.searchParams.get('iss') === base
        && endpointOf(back.href) === consent.redirectUri,
        back.href);
    }
    let restarted = false;
    if (connected) {
      check('mcp-remote connects after the sign-in through the facade', true);

      const { tools } = await client.listTools();
      check('tools/list through the facade includes zia_list_rule_labels',
        tools.some((t) => t.name === 'zia_list_rule_labels'), `${tools.length} tools`);
      const labels = await callRuleLabels(client);
      check('zia_list_rule_labels through the facade returns the demo tenant labels', labels.ok,
        labels.text.slice(0, 300));

      const store = mcpRemoteStore(remote.configDir);
      const accessToken = store.tokens.access_token ?? '';
      const claims = looksLikeJwt(accessToken) ? decodeJwt(accessToken) : {};
      check('mcp-remote holds the facade\'s access token (iss, aud, user claims, client_id)',
        claims.iss === base && claims.aud === `${base}/mcp`
        && claims.sub === TEST_USER.accountId && claims.oid === TEST_USER.oid && claims.tid === TENANT
        && claims.preferred_username === TEST_USER.preferred_username
        && claims.client_id === store.clientInfo.client_id,
        `${JSON.stringify(claims)} client ${store.clientInfo.client_id}`);
      check(`the access token lives OIDCPROXY_ACCESS_TOKEN_TTL = ${FACADE_ACCESS_TOKEN_TTL} s`,
        claims.exp - claims.iat === FACADE_ACCESS_TOKEN_TTL, `${claims.exp - claims.iat} s`);
      const jwts = jwtsIn(store.tokens);
      check('no provider token reaches mcp-remote: every JWT it stores is the facade\'s',
        jwts.length > 0 && jwts.every((t) => decodeJwt(t).iss === base),
        jwts.map((t) => decodeJwt(t).iss).join(', '));
      check('mcp-remote holds an opaque refresh token (not a JWT)',
        typeof store.tokens.refresh_token === 'string' && store.tokens.refresh_token.length >= 16
        && !looksLikeJwt(store.tokens.refresh_token),
        `${typeof store.tokens.refresh_token}, ${String(store.tokens.refresh_token).length} chars`);
      const jwks = await fetchJson(`${base}/jwks`);
      check('/jwks verifies the access token (ES256) and holds no private key',
        verifiesWith(accessToken, jwks) && (jwks.keys ?? []).every((k) => k.d === undefined),
        `${JSON.stringify(jwtHeader(accessToken))} ${JSON.stringify(jwks)}`);

      // Restart on the same port, same store; then let the last access token expire.
      const clientId = store.clientInfo.client_id;
      const browserUrls = () => fs.readFileSync(remote.urlFile, 'utf8').split('\n').filter(Boolean);
      const signInsBefore = browserUrls().length;
      await server.stop();
      const restartedAt = Math.floor(Date.now() / 1000);
      server = await startServer('run3-restarted', idp, idp.issuer, facade);
      restarted = true;
      check('the restarted server publishes the same signing key (the old token verifies)',
        verifiesWith(accessToken, await fetchJson(`${base}/jwks`)));
      const lastExp = decodeJwt(mcpRemoteStore(remote.configDir).tokens.access_token).exp;
      const waitMs = Math.max(lastExp, claims.exp) * 1000 + 1500 - Date.now();
      console.log(`#   waiting ${Math.max(0, Math.ceil(waitMs / 1000))} s for the access token to expire`);
      await sleep(Math.max(0, waitMs));
      const expired = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      check('the expired access token is refused after the restart (401)', expired.status === 401,
        `${expired.status}`);

      // Variant 1: the SAME connected client (mcp-remote refreshes: its margin is 60 s, so with
      // 8 s tokens it renews before every request; the MCP session died with the server).
      let sameClient;
      try {
        sameClient = await callRuleLabels(client);
      } catch (err) {
        sameClient = { ok: false, text: '', error: err };
      }
      const newSignIns = browserUrls().length - signInsBefore;
      // mcp-remote meets 404 for its dead MCP session and initialises a new one; the refresh
      // token carries the sign-in across the restart.
      check('after the restart the same mcp-remote calls the tool again (refresh, no new sign-in)',
        sameClient.ok && newSignIns === 0,
        `${sameClient.error?.message ?? sameClient.text.slice(0, 300)}`
        + `; browser sign-ins opened since the restart: ${newSignIns}`
        + `\n--- mcp-remote:\n${fs.readFileSync(remote.stderrFile, 'utf8').slice(-2500)}`);
      await client.close().catch(() => {});

      // Variant 2: a NEW mcp-remote on the same token store (a restarted MCP host).
      again = { client: new Client({ name: 'oidcproxy-e2e-facade-again', version: '1.0.0' }) };
      again.remote = mcpRemote('run3-again', `${base}/mcp`, undefined, remote.configDir);
      let againResult;
      try {
        await withTimeout(again.client.connect(again.remote.transport, { timeout: 60_000 }), 65_000,
          'connect the new mcp-remote');
        againResult = await callRuleLabels(again.client);
      } catch (err) {
        againResult = { ok: false, text: '', error: err };
      }
      const againUrls = fs.readFileSync(again.remote.urlFile, 'utf8').trim();
      const againStore = mcpRemoteStore(remote.configDir);
      const againClaims = looksLikeJwt(againStore.tokens.access_token ?? '')
        ? decodeJwt(againStore.tokens.access_token) : {};
      check('a new mcp-remote on the same store calls the tool after the restart, no browser',
        againResult.ok && againUrls === '',
        `${againResult.error?.message ?? againResult.text.slice(0, 300)}; browser: ${againUrls || '(none)'}`
        + `\n--- mcp-remote:\n${fs.readFileSync(again.remote.stderrFile, 'utf8').slice(-2500)}`);
      check('the new mcp-remote kept its registration and got a token from the restarted server',
        againStore.clientInfo.client_id === clientId && againClaims.iat >= restartedAt
        && againClaims.iss === base,
        `client ${againStore.clientInfo.client_id} (was ${clientId}); iat ${againClaims.iat}, restart ${restartedAt}`);
    }

    await checkBrowserBinding(browser, base, idp);

    const log = server.log();
    const first = fs.readFileSync(firstLog, 'utf8');
    check('the first server logged the sign-in', first.includes('oidcproxy: sign-in completed'));
    if (restarted) {
      check('the restarted server rotated a refresh token', log.includes('oidcproxy: refresh token rotated'),
        log.split('\n').filter((l) => l.includes('oidcproxy')).slice(-10).join('\n'));
    }
    check('no token appears in the server logs', !/eyJ[A-Za-z0-9_-]{10,}/.test(restarted ? first + log : log));
  } finally {
    await client.close().catch(() => {});
    await again?.client.close().catch(() => {});
    await server.stop();
    await idp.close();
    idpLog.end();
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    // OIDCPROXY_E2E_RUNS=3 (say) runs only the runs listed.
    const only = process.env.OIDCPROXY_E2E_RUNS?.split(',').map((n) => n.trim());
    const runs = [runSignIn, runV1Tokens, runFacade];
    for (const [i, run] of runs.entries()) {
      if (!only || only.includes(String(i + 1))) await run(browser);
    }
  } catch (err) {
    check('the test harness ran to the end', false, err.stack);
  } finally {
    await browser.close();
    cleanup();
  }
  if (failed === 0) {
    fs.rmSync(workDir, { recursive: true, force: true });
  } else {
    console.log(`logs (server, mcp-remote, provider): ${workDir}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main();
