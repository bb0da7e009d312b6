// Browser test of the console's Maintenance page and the banner of an incident in maintenance
// (docs/console.md "Maintenance", docs/maintenance.md, issue 20): the real loom-oncall binary with
// two services in Debian's headless Chromium through playwright-core. A responder schedules a
// window on `loom` with the page's form; an incident of `loom` shows the banner and the badge, one
// of `billing` does not; "End now" moves the window to Past and the banner goes; a window not yet
// started is deleted with its button. Run by ctest (tests/CMakeLists.txt); the environment it
// needs is browser_env.mjs's.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { CHROMIUM, chromium, startServer, stopServer } from './browser_env.mjs';

const ADMIN_TOKEN = 'uitest-admin-' + randomBytes(16).toString('hex');
const LOOM_KEY = randomBytes(16).toString('hex');
const BILLING_KEY = randomBytes(16).toString('hex');
let server;
let browser;

async function call(method, urlPath, body) {
  const r = await fetch(server.url + urlPath, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

async function trigger(key) {
  const r = await call('POST', '/v2/enqueue', {
    routing_key: key, event_action: 'trigger', dedup_key: 'mw-' + randomBytes(4).toString('hex'),
    payload: { summary: 'Disk full', source: 'host-1', severity: 'critical' },
  });
  assert.equal(r.status, 202);
  const list = await call('GET', '/v1/incidents?open=true');
  return list.body.incidents.find((i) => i.dedup_key === r.body.dedup_key).id;
}

before(async () => {
  server = await startServer(`services:
  - id: loom
    integration_keys:
      - key: "${LOOM_KEY}"
  - id: billing
    integration_keys:
      - key: "${BILLING_KEY}"
`, ADMIN_TOKEN, 'loom-uitest-mw-');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stopServer(server);
});

test('a window scheduled on the Maintenance page puts a banner on its service\'s incidents until it ends', async () => {
  const context = await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  await page.goto(server.url + '/');
  await page.getByText('Sign in with an API token').click();
  await page.getByLabel('API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use the token' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  await page.getByRole('link', { name: 'Maintenance' }).click();
  await page.getByRole('heading', { name: 'Maintenance', exact: true }).waitFor();

  // A reason is required: the form says so next to the field.
  await page.getByLabel('loom').check();
  await page.getByRole('button', { name: 'Schedule maintenance' }).click();
  await page.locator('#m-reason-error').filter({ hasText: 'required' }).waitFor();

  await page.getByLabel('Reason').fill('PostgreSQL 17 upgrade');
  await page.getByLabel('Length').fill('2h');
  await page.getByRole('button', { name: 'Schedule maintenance' }).click();
  const active = page.locator('table[data-group="active"] tr[data-state="active"]');
  await active.waitFor();
  const cells = await active.locator('td').allTextContents();
  assert.equal(cells[0], 'loom');
  assert.match(cells[1], /^until .* left\)$/);
  assert.equal(cells[2], 'PostgreSQL 17 upgrade');
  assert.equal(cells[3], 'scheduled by token:admin');

  const held = await trigger(LOOM_KEY);
  const paged = await trigger(BILLING_KEY);
  await page.goto(`${server.url}/#/incidents/${held}`);
  const banner = page.locator('.banner.maintenance');
  await banner.waitFor();
  assert.match(await banner.textContent(), /^In maintenance until .*: PostgreSQL 17 upgrade\. No one is paged/);
  await page.locator('.badges .badge.maintenance').waitFor();
  await page.locator('.timeline').getByText('maintenance.held').first().waitFor();

  await page.goto(`${server.url}/#/incidents/${paged}`);
  await page.getByRole('heading', { name: new RegExp(paged) }).waitFor();
  assert.equal(await page.locator('.banner.maintenance').count(), 0);

  // The list marks the held incident only.
  await page.goto(`${server.url}/#/`);
  await page.locator(`a[href="#/incidents/${held}"]`).first().waitFor();
  const listed = await call('GET', '/v1/incidents?open=true');
  assert.equal(listed.body.incidents.find((i) => i.id === held).maintenance.reason, 'PostgreSQL 17 upgrade');
  assert.equal(listed.body.incidents.find((i) => i.id === paged).maintenance, null);

  await page.goto(`${server.url}/#/maintenance`);
  await page.getByRole('button', { name: 'End now' }).click();
  const past = page.locator('table[data-group="past"] tr[data-state="past"]');
  await past.waitFor();
  assert.match((await past.locator('td').allTextContents())[3], /ended early by token:admin$/);

  await page.goto(`${server.url}/#/incidents/${held}`);
  await page.locator('.timeline').getByText('maintenance.ended').first().waitFor();
  assert.equal(await page.locator('.banner.maintenance').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a window not yet started is deleted with its button', async () => {
  const start = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
  const made = await call('POST', '/v1/maintenance', { services: ['billing'], start, duration: '1h', reason: 'network change' });
  assert.equal(made.status, 201);
  const context = await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await page.getByText('Sign in with an API token').click();
  await page.getByLabel('API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use the token' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  await page.goto(`${server.url}/#/maintenance`);
  const row = page.locator(`table[data-group="scheduled"] tr[data-window="${made.body.id}"]`);
  await row.waitFor();
  await row.getByRole('button', { name: 'Delete' }).click();
  const gone = page.locator(`table[data-group="past"] tr[data-window="${made.body.id}"][data-state="cancelled"]`);
  await gone.waitFor();
  assert.match((await gone.locator('td').allTextContents())[3], /deleted by token:admin$/);
  await context.close();
});
