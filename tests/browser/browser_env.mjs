// What every browser test file shares: playwright-core (from tests/browser/node_modules, installed
// by scripts/setup.sh) and the environment ctest gives them (tests/CMakeLists.txt):
//   LOOM_ONCALL_BIN    the built binary (required)
//   LOOM_UI_ARTIFACTS  where the screenshots go (default: <tmp>/loom-ui-artifacts)
//   LOOM_CHROMIUM      the browser (default /usr/bin/chromium, from scripts/setup.sh)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

let playwright;
try {
  playwright = await import('playwright-core');
} catch (e) {
  throw new Error(`playwright-core is not installed in tests/browser: run scripts/setup.sh (${e.message})`);
}

export const { chromium } = playwright;
export const BIN = process.env.LOOM_ONCALL_BIN;
export const CHROMIUM = process.env.LOOM_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.LOOM_UI_ARTIFACTS || path.join(os.tmpdir(), 'loom-ui-artifacts');

// Starts `loom-oncall serve` on a free loopback port with `configText` (YAML) and the admin token
// `adminToken`, in a new temporary directory named after `prefix`; answers {proc, root, url} once
// the server printed its listening line. stopServer(server) ends it and removes the directory.
export async function startServer(configText, adminToken, prefix) {
  if (!BIN) throw new Error('LOOM_ONCALL_BIN is not set: run this through ctest');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const config = path.join(root, 'loom-oncall.yaml');
  fs.writeFileSync(config, configText);
  const env = { ...process.env, LOOM_ONCALL_ADMIN_TOKEN: adminToken };
  for (const k of ['LOOM_ONCALL_CONFIG', 'LOOM_ONCALL_SERVER', 'LOOM_ONCALL_TOKEN']) delete env[k];
  const proc = spawn(BIN, ['serve', '--config', config, '--data-dir', path.join(root, 'data'),
                           '--listen', '127.0.0.1:0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = readline.createInterface({ input: proc.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no listening line within 20 s')), 20000);
    lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
  });
  lines.on('line', () => {});
  const url = first.match(/^loom-oncall listening on (http:\/\/127\.0\.0\.1:\d+)$/)[1];
  return { proc, root, url };
}

export async function stopServer(server) {
  if (server.proc) server.proc.kill('SIGTERM');
  if (server.root) fs.rmSync(server.root, { recursive: true, force: true });
}

// A new page of `browser` (UTC, en-GB) signed in to the console at `url` with the API `token`,
// showing the incident list; `problems` collects the page's uncaught errors.
export async function signInWithToken(browser, url, token) {
  const context = await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  await page.goto(url + '/');
  await page.getByText('Sign in with an API token').click();
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Use the token' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  return { context, page, problems };
}
