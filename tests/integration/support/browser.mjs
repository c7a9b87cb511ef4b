// What the browser tests share: playwright-core from tools/node, Chromium started headless with a
// throw-away HOME, the environment they are run with, and the failure a check throws.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { chromium } = createRequire(path.join(root, 'tools/node/package.json'))('playwright-core');

export class Failure extends Error {}
export function check(condition, message) {
  if (!condition) throw new Failure(message);
}

// A variable the test's runner script sets (`runner` names it in the error).
export function requireEnv(name, runner) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run through ${runner})`);
  return value;
}

// Chromium ($CHROMIUM, else Debian's) headless, offline-quiet, with HOME in a fresh folder that
// close() removes. Playwright gives it a fresh profile of its own (a temporary --user-data-dir).
export async function launchChromium(name) {
  const home = mkdtempSync(path.join(tmpdir(), `vitrina-${name}-`));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    env: { ...process.env, HOME: home },
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
