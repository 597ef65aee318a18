/**
 * `npm run web` is `node scripts/build.mjs && node scripts/serve.mjs`: both scripts run as the command runs them (real
 * processes), and the served folder holds the page, the worker and the chunks it imports on demand.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const scripts = fileURLToPath(new URL('../scripts/', import.meta.url));

describe('npm run web: build, then serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'srn-web-serve-'));
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the static files and serves them on loopback (404 for a missing file and for a path out of the folder)', async () => {
    const printed = execFileSync(process.execPath, [join(scripts, 'build.mjs'), dir], { encoding: 'utf8' });
    expect(printed).toMatch(/^worker\.js\s+[\d.]+ KiB/m);
    expect(printed).toMatch(/^total\s+/m);
    const chunks = readdirSync(join(dir, 'chunks'));
    expect(chunks.filter((f) => /^engine-wellmixed-[\w-]+\.js$/.test(f))).toHaveLength(1);
    expect(chunks.filter((f) => /^closure-[\w-]+\.js$/.test(f))).toHaveLength(1);

    const child = spawn(process.execPath, [join(scripts, 'serve.mjs'), dir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout?.on('data', (chunk) => {
        text += String(chunk);
        const match = /srn playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${text}`)));
    });
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toContain('<canvas id="lattice"');
    for (const file of ['main.js', 'worker.js', ...chunks.map((c) => `chunks/${c}`)]) {
      const response = await fetch(new URL(file, url));
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type'), file).toMatch(/^text\/javascript/);
      await response.arrayBuffer();
    }
    expect((await fetch(new URL('nope.js', url))).status).toBe(404);
    // A path climbing out of the folder (encoded, so that fetch() sends it as it is) resolves inside it: not found.
    expect((await fetch(`${url}%2e%2e/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
  });
});
