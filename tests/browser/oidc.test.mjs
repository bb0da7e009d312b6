// Single sign-on in Chromium, end to end (docs/authentication.md "Single sign-on"): the real
// loom-oncall binary on 127.0.0.1 with `auth.oidc` pointing at a real OpenID Connect provider
// (oidc-provider, tests/oidc/provider.mjs) on http://localhost — another site than the console,
// as a real provider is. The sign-in form offers "Sign in with Test IdP"; the person signs in at
// the provider, allows access, comes back through the callback and is signed in as the configured
// user their e-mail matches. A person the server does not know gets a clear refusal page.
// Run by ctest (tests/CMakeLists.txt) with LOOM_ONCALL_BIN, LOOM_UI_ARTIFACTS and LOOM_CHROMIUM as
// console.test.mjs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, test } from 'node:test';

import { ARTIFACTS, BIN, CHROMIUM, chromium } from './browser_env.mjs';

const OIDC_DIR = new URL('../oidc/', import.meta.url).pathname;
const CLIENT_SECRET = 'oidc-ui-' + randomBytes(12).toString('hex');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-oidc-uitest-'));
const procs = [];
let browser;
let loomUrl;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Starts `cmd args` and resolves with the first stdout line matching `re` (its match).
function startProcess(name, cmd, args, options, re) {
  const stderr = path.join(root, `${name}.stderr.log`);
  const proc = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', fs.openSync(stderr, 'w')] });
  procs.push(proc);
  const lines = readline.createInterface({ input: proc.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start\n${fs.readFileSync(stderr, 'utf8')}`)), 20000);
    lines.on('line', (line) => {
      const m = line.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code}\n${fs.readFileSync(stderr, 'utf8')}`)));
  });
}

before(async () => {
  assert.ok(BIN, 'LOOM_ONCALL_BIN is not set: run this through ctest');
  const port = await freePort();
  loomUrl = `http://127.0.0.1:${port}`;
  const providerConfig = path.join(root, 'provider.json');
  fs.writeFileSync(providerConfig, JSON.stringify({
    host: 'localhost', port: 0,
    clients: [{ client_id: 'loom', client_secret: CLIENT_SECRET, redirect_uris: [`${loomUrl}/ui/auth/oidc/callback`] }],
    accounts: {
      alice: { password: 'alice-pw', email: 'alice@example.test', name: 'Alice', groups: ['oncall-admins'] },
      erin: { password: 'erin-pw', email: 'erin@example.test', name: 'Erin' },
    },
  }));
  const [, issuer] = await startProcess('provider', 'node', ['provider.mjs', providerConfig], { cwd: OIDC_DIR },
                                        /^oidc-provider listening on (\S+)$/);
  const config = path.join(root, 'loom-oncall.yaml');
  fs.writeFileSync(config, `server: { public_url: "${loomUrl}" }
notify: { allow_hosts: [localhost] }
users:
  - { id: alice, name: Alice Primary, email: alice@example.test }
auth:
  oidc:
    issuer: "${issuer}"
    client_id: loom
    client_secret_env: LOOM_OIDC_CLIENT_SECRET
    scopes: [openid, email, profile, groups]
    claim_groups: groups
    name: Test IdP
    group_roles: [ { group: oncall-admins, role: admin } ]
`);
  fs.mkdirSync(path.join(root, 'data'));
  const env = { ...process.env, LOOM_OIDC_CLIENT_SECRET: CLIENT_SECRET };
  for (const k of ['LOOM_ONCALL_CONFIG', 'LOOM_ONCALL_SERVER', 'LOOM_ONCALL_TOKEN', 'LOOM_ONCALL_ADMIN_TOKEN']) delete env[k];
  await startProcess('loom-oncall', BIN, ['serve', '--config', config, '--data-dir', path.join(root, 'data'),
                                          '--listen', `127.0.0.1:${port}`], { cwd: root, env },
                     /^loom-oncall listening on /);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  for (const proc of procs.reverse()) {
    if (proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
});

async function signInAtProvider(page, login, password) {
  await page.goto(`${loomUrl}/ui/`);
  const sso = page.getByRole('link', { name: 'Sign in with Test IdP' });
  await sso.waitFor();
  await sso.click();
  await page.waitForURL(/^http:\/\/localhost:\d+\/interaction\//);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
}

test('a person signs in through the provider and the console knows them', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${loomUrl}/ui/`);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'oidc-sign-in-form.png'), fullPage: true });
  await signInAtProvider(page, 'alice', 'alice-pw');
  await page.waitForURL(`${loomUrl}/ui/**`);
  await assert.doesNotReject(page.locator('#who', { hasText: 'Alice Primary · admin' }).waitFor());
  const session = await page.evaluate(async () => (await fetch('/ui/session')).json());
  assert.equal(session.actor, 'user:alice');
  assert.equal(session.role, 'admin');
  await page.screenshot({ path: path.join(ARTIFACTS, 'oidc-signed-in.png'), fullPage: true });
  await context.close();
});

test('a person no user matches gets a refusal page and no session', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  await signInAtProvider(page, 'erin', 'erin-pw');
  await page.getByRole('heading', { name: 'Sign-in refused' }).waitFor();
  assert.match(await page.textContent('body'), /no user of this loom-oncall matches email erin@example\.test/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'oidc-refused-phone.png'), fullPage: true });
  const cookies = await context.cookies(loomUrl);
  assert.equal(cookies.find((c) => c.name === 'loom_session'), undefined);
  await page.getByRole('link', { name: 'Back to the sign-in page' }).click();
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor();
  await context.close();
});
