// End-to-end test of the Entra ID guide's deployment (docs/authentication.md, section
// "oidcproxy (Entra ID guide)"): a real OpenID provider (oidc-provider, behaving like Entra
// ID v2), the real server binary with the guide's Step 4 variables, the real `mcp-remote`
// with the guide's Step 5 configuration (no static client info, no headers) driven by the
// official MCP SDK client over stdio, and headless Chromium completing the sign-in.
//
// Run 1 signs in and calls a tool. Run 2 has the provider stamp Entra v1 issuers into its
// tokens: the sign-in must fail and the server log must carry the v1 hint.
//
// Usage: node test.mjs   (run.sh sets ZSCALER_MCP_BIN, CHROMIUM and the work directory)
// Prints one line per check and finally "N passed, N failed"; exits 1 on any failure.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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

/** The server with the guide's Step 4 variables pointing at `idp`. */
async function startServer(name, idp, configuredIssuer) {
  const port = await freePort();
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
 * URL to a file this test watches.
 */
function mcpRemote(name, serverUrl, callbackPort) {
  const configDir = path.join(workDir, `${name}-mcp-auth`);
  const urlFile = path.join(workDir, `${name}-browser-urls.txt`);
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(urlFile, '');
  const stderrFile = path.join(workDir, `${name}-mcp-remote.log`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [mcpRemoteBin, serverUrl, String(callbackPort)],
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

/** Waits for mcp-remote to "open" a URL, then signs in with Chromium. */
async function signInWithBrowser(browser, urlFile, callbackPort) {
  const url = await waitFor(
    'mcp-remote to open the browser',
    async () => fs.readFileSync(urlFile, 'utf8').split('\n').find(Boolean),
    SIGN_IN_TIMEOUT_MS,
  );
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'load' });
    const loginTitle = await page.title();
    await page.click('#submit');
    await page.waitForURL(`http://localhost:${callbackPort}/oauth/callback**`, { timeout: 30_000 });
    const callbackUrl = new URL(page.url());
    const callbackText = await page.textContent('body').catch(() => '');
    return { url, loginTitle, callbackUrl, callbackText };
  } finally {
    await context.close();
  }
}

function decodeJwt(token) {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

function findFiles(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findFiles(full, suffix);
    return entry.name.endsWith(suffix) ? [full] : [];
  });
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

    const browserDone = signInWithBrowser(browser, remote.urlFile, callbackPort);
    browserDone.catch(() => {});
    let connected = false;
    try {
      await withTimeout(client.connect(remote.transport, { timeout: SIGN_IN_TIMEOUT_MS }),
        SIGN_IN_TIMEOUT_MS + 5000, 'connect through mcp-remote');
      connected = true;
    } catch (err) {
      check('mcp-remote connects after the browser sign-in', false,
        `${err.message}\n--- mcp-remote:\n${fs.readFileSync(remote.stderrFile, 'utf8').slice(-3000)}`
        + `\n--- server:\n${server.log().slice(-3000)}`);
    }
    const browserResult = await browserDone.catch((err) => ({ error: err }));
    if (browserResult.error) {
      check('browser completes the sign-in', false, browserResult.error.message);
    } else {
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
      const result = await client.callTool({ name: 'zia_list_rule_labels', arguments: {} });
      const text = (result.content ?? []).map((c) => c.text ?? '').join('\n');
      check('zia_list_rule_labels returns the demo tenant labels',
        !result.isError && text.includes('Compliance-PCI') && text.includes('Incident-Response'),
        text.slice(0, 300));

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
    const browserDone = signInWithBrowser(browser, remote.urlFile, callbackPort);
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

async function main() {
  const browser = await chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    await runSignIn(browser);
    await runV1Tokens(browser);
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
