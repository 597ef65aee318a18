/**
 * Shared set-up of the browser tests: build the playground into a temporary folder, serve it on loopback and
 * launch Debian's Chromium through playwright-core (never a downloaded browser). A missing Chromium is an error
 * naming the fix, not a skipped test.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM build scripts without type declarations
import { buildPlayground } from '../scripts/build.mjs';
// @ts-expect-error: plain ESM build scripts without type declarations
import { serveStatic } from '../scripts/serve.mjs';

/** The Chromium binary: $SRN_CHROMIUM, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.SRN_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a headless Chromium on a machine with a closed network (no background connections). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium (playwright-core gives it a new empty --user-data-dir); throws, loudly, when the binary is
 * missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set SRN_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Builds the playground once into a temporary folder and serves it; `stop()` cleans up. */
export async function servePlayground(): Promise<{ url: string; dir: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'srn-web-'));
  await buildPlayground(dir);
  const { server, url } = (await serveStatic(dir, 0)) as { server: Server; url: string };
  return {
    url,
    dir,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Console errors and uncaught exceptions of a page. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** A short fingerprint of a canvas's pixels (its PNG data URL), to see whether drawing changed it. */
export function canvasPixels(page: Page, id: string): Promise<string> {
  return page.evaluate((canvasId) => (document.getElementById(canvasId) as HTMLCanvasElement).toDataURL(), id);
}
