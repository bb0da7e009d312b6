// Browser test of the console's "My profile" page (docs/console.md "My profile", docs/profile.md):
// the real loom-oncall binary and a local webhook sink; alice (a token bound to her) opens her
// profile from the header, sees the file's method read-only, picks a type and fills the fields of
// its keys (one per key of the channel table), adds a webhook, enters the code the
// sink received, sends a test, sets and changes her rules, deletes the method, and reads who did
// each change in the history. Headless Chromium through playwright-core,
// run by ctest (tests/CMakeLists.txt) with LOOM_ONCALL_BIN (required) and LOOM_CHROMIUM.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { CHROMIUM, chromium, signInWithToken, startServer, stopServer } from './browser_env.mjs';

const ADMIN_TOKEN = 'uitest-admin-' + randomBytes(16).toString('hex');
const KEY = randomBytes(16).toString('hex');
let server;
const received = [];  // the JSON bodies the sink was sent
let sink;
let browser;

async function startLoom() {
  server = await startServer(`services:
  - id: loom
    integration_keys:
      - key: "${KEY}"
users:
  - id: alice
    name: Alice Liddell
    contact_methods:
      - { id: desk, type: webhook, url: "http://127.0.0.1:9/desk" }
notify:
  allow_hosts: [127.0.0.1]
`, ADMIN_TOKEN, 'loom-uitest-profile-');
}

function startSink() {
  sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
}

async function waitFor(predicate, what) {
  for (let i = 0; i < 200; i++) {
    const value = await predicate();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  await startSink();
  await startLoom();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stopServer(server);
  if (sink) sink.close();
});

test('a person adds, verifies, tests and deletes a contact method on My profile', async () => {
  const made = await fetch(`${server.url}/v1/tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'alice-ui', role: 'responder', user: 'alice' }),
  });
  assert.equal(made.status, 201);
  const aliceToken = (await made.json()).token;

  const { context, page, problems } = await signInWithToken(browser, server.url, aliceToken);
  await page.locator('#who').getByRole('link').click();  // the person's name in the header
  await page.getByRole('heading', { name: 'My profile' }).waitFor();

  const desk = page.locator('tr[data-method="desk"]');
  await desk.waitFor();
  assert.match(await desk.textContent(), /from the configuration file/);
  assert.equal(await desk.getByRole('button', { name: 'Delete' }).count(), 0);

  const port = sink.address().port;
  // The form shows one labelled field per key of the chosen type (the server's channel table);
  // a type the server is not set up for (sms: no Twilio) cannot be chosen.
  await page.getByLabel('Type').selectOption('ntfy');
  await page.getByLabel('Topic', { exact: true }).waitFor();
  assert.equal(await page.getByLabel('Server (optional)', { exact: true }).count(), 1);
  assert.equal(await page.getByLabel('Token (environment variable name) (optional)', { exact: true }).count(), 1);
  assert.equal(await page.locator('#method-type option[value="sms"]').isDisabled(), true);
  await page.getByLabel('Type').selectOption('webhook');
  assert.equal(await page.getByLabel('Topic', { exact: true }).count(), 0);
  assert.equal(await page.getByLabel('Secret (environment variable name) (optional)', { exact: true }).count(), 1);
  await page.getByLabel('Id').fill('phone-hook');
  await page.getByLabel('URL (optional)', { exact: true }).fill(`http://127.0.0.1:${port}/alice`);
  await page.getByRole('button', { name: 'Add and send a code' }).click();
  const row = page.locator('tr[data-method="phone-hook"]');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-verified'), 'false');
  const sent = await waitFor(() => received.find((b) => b.type === 'verification'), 'the code');
  const code = sent.summary.match(/([0-9]{6})$/)[1];

  await page.getByLabel('Code for phone-hook').fill(code);
  await row.getByRole('button', { name: 'Verify' }).click();
  await page.locator('tr[data-method="phone-hook"][data-verified="true"]').waitFor();

  await page.locator('tr[data-method="phone-hook"]').getByRole('button', { name: 'Send a test' }).click();
  await waitFor(() => received.find((b) => b.type === 'test'), 'the test notification');

  await page.getByLabel('High urgency (method@after …)').fill('phone-hook@0s desk@5m');
  await page.getByRole('button', { name: 'Save rules' }).click();
  const rulesNow = async () => (await (await fetch(`${server.url}/v1/users/alice/contact-methods`,
    { headers: { Authorization: `Bearer ${aliceToken}` } })).json()).notification_rules;
  const rules = await waitFor(async () => { const r = await rulesNow(); return r.source === 'api' && r; }, 'the saved rules');
  assert.deepEqual(rules.high, [{ method: 'phone-hook', after: '0s' }, { method: 'desk', after: '300s' }]);

  await page.getByLabel('High urgency (method@after …)').fill('desk@0s');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await waitFor(async () => (await rulesNow()).high.length === 1, 'the rules without phone-hook');
  await page.locator('tr[data-method="phone-hook"]').getByRole('button', { name: 'Delete' }).click();
  await page.locator('tr[data-method="phone-hook"]').waitFor({ state: 'detached' });

  // The history names who made each change, newest first.
  await page.locator('table.contact-history tr[data-action="method_deleted"]').waitFor();
  const history = await page.locator('table.contact-history tbody tr').allTextContents();
  assert.deepEqual(history.map((row) => row.replace(/^.*?(user:)/, '$1')), [
    'user:alicedeleted phone-hook (webhook)',
    'user:alicereplaced the notification rules',
    'user:alicereplaced the notification rules',
    'user:aliceverified phone-hook (webhook)',
    'user:aliceadded phone-hook (webhook)',
  ]);
  assert.deepEqual(problems, []);
  await context.close();
});
