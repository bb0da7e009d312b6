// What every browser test file shares: playwright-core (from tests/browser/node_modules, installed
// by scripts/setup.sh) and the environment ctest gives them (tests/CMakeLists.txt):
//   LOOM_ONCALL_BIN    the built binary (required)
//   LOOM_UI_ARTIFACTS  where the screenshots go (default: <tmp>/loom-ui-artifacts)
//   LOOM_CHROMIUM      the browser (default /usr/bin/chromium, from scripts/setup.sh)
import os from 'node:os';
import path from 'node:path';

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
