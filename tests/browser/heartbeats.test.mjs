// Browser test of the console's Heartbeats page (docs/console.md "Heartbeats", issue 20): the real
// loom-oncall binary with two configured heartbeats, one pinged and one never pinged, in Debian's
// headless Chromium through playwright-core. Run by ctest (tests/CMakeLists.txt) with
// LOOM_ONCALL_BIN (required) and LOOM_CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { CHROMIUM, chromium, signInWithToken, startServer, stopServer } from './browser_env.mjs';

const ADMIN_TOKEN = 'uitest-admin-' + randomBytes(16).toString('hex');
const KEY = randomBytes(16).toString('hex');
let server;
let browser;

before(async () => {
  server = await startServer(`services:
  - id: loom
    integration_keys:
      - key: "${KEY}"
    heartbeats:
      - { id: nightly-backup, interval: 1h, grace: 5m, severity: sev1 }
      - { id: watchdog, name: Watchdog, interval: 5m }
`, ADMIN_TOKEN, 'loom-uitest-hb-');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stopServer(server);
});

test('the Heartbeats page shows each heartbeat with its state and last ping', async () => {
  const ping = await fetch(`${server.url}/v1/heartbeats/nightly-backup/ping`,
    { method: 'POST', headers: { Authorization: `Token ${KEY}` } });
  assert.equal(ping.status, 202);
  const { context, page, problems } = await signInWithToken(browser, server.url, ADMIN_TOKEN);
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
