import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { parseVary } from '../src/commands/sweep.ts';
import { capture } from './capture.ts';

const model = new URL('../examples/birth-death.srn', import.meta.url).pathname;

describe('srn-bench sweep', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srn-sweep-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses NAME=FROM:TO:COUNT into evenly spaced values and rejects malformed ones', () => {
    expect(parseVary('k=0:1:3')).toEqual({ name: 'k', values: [0, 0.5, 1] });
    expect(parseVary('k_in=5:5:1')).toEqual({ name: 'k_in', values: [5] });
    expect(() => parseVary('k=0:1')).toThrow(/expected NAME=FROM:TO:COUNT/);
    expect(() => parseVary('k=0:1:0')).toThrow(/COUNT must be an integer from 1 to 10000; got '0'/);
    expect(() => parseVary('k=a:1:2')).toThrow(/FROM and TO must be numbers/);
  });

  it('matches the exact immigration-death moments at every grid point, and a restart skips the points it has', async () => {
    const out = join(dir, 'sweep');
    const argsFor = (runs: number) =>
      ['sweep', model, '--vary', 'k_in=5:15:3', '--vary', 'k_out=0.5:1:2', '--runs', String(runs), '--seed', '3', '--t-end', '2', '--steps', '4', '--workers', '1', '--out', out];
    const args = argsFor(400);
    let io = capture();
    expect(await main(args)).toBe(0);
    vi.restoreAllMocks();
    const table = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(table[0]).toBe('point,k_in,k_out,X-mean,X-sd');
    expect(table).toHaveLength(7);
    // With X0 = 0, X(t) is Poisson with mean lambda = (k_in / k_out)(1 - exp(-k_out t)). Over n = 400 runs the
    // sample mean has SD sqrt(lambda / n), and the sample variance has variance about (mu4 - sigma^4) / n =
    // (lambda + 2 lambda^2) / n; both are held to 4 standard errors at each of the 6 points.
    for (const row of table.slice(1)) {
      const [, kIn, kOut, mean, sd] = row.split(',').map(Number);
      const lambda = (kIn / kOut) * (1 - Math.exp(-kOut * 2));
      expect(Math.abs(mean - lambda) / Math.sqrt(lambda / 400)).toBeLessThan(4);
      expect(Math.abs(sd * sd - lambda) / Math.sqrt((lambda + 2 * lambda * lambda) / 400)).toBeLessThan(4);
    }
    expect(readdirSync(out).sort()).toEqual(['points', 'sweep.csv', 'sweep.json', 'sweep.png', 'sweep.svg', 'sweep.vl.json']);
    const first = readFileSync(join(out, 'points', '004', 'moments.csv'), 'utf8');
    // An interrupted sweep lacks some points: remove two and run again; only those are computed, identically.
    rmSync(join(out, 'points', '001'), { recursive: true });
    rmSync(join(out, 'points', '004'), { recursive: true });
    io = capture();
    expect(await main(args)).toBe(0);
    expect(io.text()).toMatch(/4 of 6 points already done/);
    expect(io.text()).toMatch(/6 points x 400 runs \(2 computed\)/);
    vi.restoreAllMocks();
    expect(readFileSync(join(out, 'points', '004', 'moments.csv'), 'utf8')).toBe(first);
    expect(readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n')).toEqual(table);
    // The same directory with other settings is refused rather than mixed.
    io = capture();
    expect(await main(argsFor(200))).toBe(2);
    expect(io.errors()).toMatch(/holds a sweep with other settings/);
  });

  it('a sweep process killed with SIGKILL between points is completed by a restart that computes only the missing points, identically', async () => {
    // Each point is 100,000 runs (a few tenths of a second), so the kill lands with some points written and some not.
    const args = ['sweep', model, '--vary', 'k_in=5:15:3', '--vary', 'k_out=0.5:1:2', '--runs', '100000', '--seed', '8', '--t-end', '2', '--steps', '4', '--workers', '1'];
    const out = join(dir, 'killed');
    const runner = fileURLToPath(new URL('./cli-runner.ts', import.meta.url));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--conditions=@srn/source', '--import', tsx, runner, ...args, '--out', out], { stdio: 'ignore' });
    const written = () => (existsSync(join(out, 'points')) ? readdirSync(join(out, 'points')).filter((f) => /^\d{3}$/.test(f)).length : 0);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    while (written() < 2 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    await exited;
    const before = written();
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(6);
    expect(existsSync(join(out, 'sweep.csv'))).toBe(false);
    const io = capture();
    expect(await main([...args, '--out', out])).toBe(0);
    expect(io.text()).toMatch(new RegExp(`${before} of 6 points already done`));
    expect(io.text()).toMatch(new RegExp(`6 points x 100000 runs \\(${6 - before} computed\\)`));
    // The killed process's half-written point (a staging folder) is cleared away, not left beside the points.
    expect(readdirSync(join(out, 'points')).sort()).toEqual(['000', '001', '002', '003', '004', '005']);
    expect(await main([...args, '--out', join(dir, 'whole')])).toBe(0);
    for (const file of ['sweep.csv', ...[0, 1, 2, 3, 4, 5].map((i) => `points/00${i}/moments.csv`)]) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(dir, 'whole', file), 'utf8'));
    }
  });

  it('refuses unknown names, fractional species amounts and a missing --vary with exit 2', async () => {
    const io = capture();
    expect(await main(['sweep', model, '--vary', 'nope=1:2:2', '--out', join(dir, 'a')])).toBe(2);
    expect(io.errors()).toMatch(/--vary nope: the model has no parameter or species of that name \(it has k_in, k_out, X\)/);
    expect(await main(['sweep', model, '--vary', 'X=0:1:3', '--out', join(dir, 'b')])).toBe(2);
    expect(io.errors()).toMatch(/--vary X: a species' initial amount must be a whole number >= 0/);
    expect(await main(['sweep', model, '--out', join(dir, 'c')])).toBe(2);
    expect(io.errors()).toMatch(/missing required option --vary/);
  });
});
