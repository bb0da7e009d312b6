// Browser test of the console's Heartbeats page (docs/console.md "Heartbeats", issue 20): the real
// loom-oncall binary with two configured heartbeats, one pinged and one never pinged, in Debian's
// headless Chromium through playwright-core. Run by ctest (tests/CMakeLists.txt) with
// LOOM_ONCALL_BIN (required) and LOOM_CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, test } from 'node:test';

const { chromium } = await import('playwright-core');

const BIN = process.env.LOOM_ONCALL_BIN;
const CHROMIUM = process.env.LOOM_CHROMIUM || '/usr/bin/chromium';
const ADMIN_TOKEN = 'uitest-admin-' + randomBytes(16).toString('hex');
const KEY = randomBytes(16).toString('hex');
const server = { proc: null, root: null, url: null };
let browser;

async function startServer() {
  assert.ok(BIN, 'LOOM_ONCALL_BIN is not set: run this through ctest');
  server.root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-uitest-hb-'));
  const config = path.join(server.root, 'loom-oncall.yaml');
  fs.writeFileSync(config, `services:
  - id: loom
    integration_keys:
      - key: "${KEY}"
    heartbeats:
      - { id: nightly-backup, interval: 1h, grace: 5m, severity: sev1 }
      - { id: watchdog, name: Watchdog, interval: 5m }
`);
  const env = { ...process.env, LOOM_ONCALL_ADMIN_TOKEN: ADMIN_TOKEN };
  for (const k of ['LOOM_ONCALL_CONFIG', 'LOOM_ONCALL_SERVER', 'LOOM_ONCALL_TOKEN']) delete env[k];
  server.proc = spawn(BIN, ['serve', '--config', config, '--data-dir', path.join(server.root, 'data'),
                            '--listen', '127.0.0.1:0'], { cwd: server.root, env, stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = readline.createInterface({ input: server.proc.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no listening line within 20 s')), 20000);
    lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
  });
  server.url = first.match(/^loom-oncall listening on (http:\/\/127\.0\.0\.1:\d+)$/)[1];
  lines.on('line', () => {});
}

before(async () => {
  await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server.proc) server.proc.kill('SIGTERM');
  fs.rmSync(server.root, { recursive: true, force: true });
});

test('the Heartbeats page shows each heartbeat with its state and last ping', async () => {
  const ping = await fetch(`${server.url}/v1/heartbeats/nightly-backup/ping`,
    { method: 'POST', headers: { Authorization: `Token ${KEY}` } });
  assert.equal(ping.status, 202);
  const context = await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  await page.goto(server.url + '/');
  await page.getByText('Sign in with an API token').click();
  await page.getByLabel('API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use the token' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  await page.getByRole('link', { name: 'Heartbeats' }).click();
  await page.getByRole('heading', { name: 'Heartbeats' }).waitFor();
  const backup = page.locator('tr[data-heartbeat="nightly-backup"]');
  await backup.waitFor();
  assert.equal(await backup.getAttribute('data-state'), 'healthy');
  const cells = await backup.locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 3), ['loom', 'healthy', 'every 1h + 5m']);
  assert.match(cells[3], /ago\)$/);
  assert.match(cells[4], /left$/);
  assert.equal(cells[5], '—');
  const watchdog = page.locator('tr[data-heartbeat="watchdog"]');
  assert.equal(await watchdog.locator('th').textContent(), 'Watchdog (watchdog)');
  assert.deepEqual((await watchdog.locator('td').allTextContents()).slice(1, 5),
                   ['never pinged', 'every 5m', '—', '—']);
  assert.deepEqual(problems, []);
  await context.close();
});
