/**
 * Crash consistency of `lv all` (issue #20): a run killed with SIGKILL at a random point (any stage, between any two
 * writes) and continued with `--resume` ends with the same files, byte for byte, as a run never interrupted. Also:
 * Ctrl-C outside training does not claim a checkpoint. The runs are real processes (SIGKILL cannot be simulated
 * in-process); CRASH_RUNS sets the number of kills (default 3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listFiles, TINY_ARGS } from './tiny-experiment.ts';

const CRASH_RUNS = Number(process.env.CRASH_RUNS ?? 3);
const cliPath = fileURLToPath(new URL('./cli-runner.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The tiny experiment with more training steps, so that kills land in training too. */
const ARGS = TINY_ARGS.map((a, i) => (TINY_ARGS[i - 1] === '--train-steps' ? '12' : TINY_ARGS[i - 1] === '--checkpoint-every' ? '3' : a));

/** Starts the CLI as its own process (no wrapper: SIGKILL must reach the process that writes). */
function start(args: string[]): { child: ChildProcess; lines: string[]; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@srn/source', '--import', tsx, cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    child.emit('line', lines.length);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, stderr: () => stderr, exit };
}

/** Resolves once the child printed `n` lines (at once for n = 0), or exited. */
function afterLines(run: ReturnType<typeof start>, n: number): Promise<void> {
  return new Promise((resolve) => {
    if (run.lines.length >= n) return resolve();
    const check = () => {
      if (run.lines.length >= n) resolve();
    };
    run.child.on('line', check);
    run.child.on('close', () => resolve());
  });
}

/**
 * The files of an experiment, with what legitimately differs between two runs taken out: wall times and peak memory
 * (every stage.json, the report's timings section, metrics.json's timings, the simulations' summary.json wall time,
 * history.csv's seconds column, the checkpoint's session clock) and config.json's creation time.
 */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of listFiles(dir)) {
    const path = join(dir, file);
    if (file.endsWith('stage.json') || file === 'train/checkpoint.bin') out[file] = '(timings)';
    else if (file === 'config.json') out[file] = JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), created: undefined });
    else if (file.endsWith('summary.json')) out[file] = JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), wallSeconds: undefined });
    else if (file === 'report/metrics.json') out[file] = JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), timings: undefined });
    else if (file === 'train/history.csv') {
      const rows = readFileSync(path, 'utf8').split('\n').map((line) => line.split(','));
      const seconds = rows[0].indexOf('seconds');
      out[file] = rows.map((cells) => cells.filter((_, i) => i !== seconds).join(',')).join('\n');
    } else if (file === 'report/report.md') out[file] = readFileSync(path, 'utf8').replace(/## Timings and memory[\s\S]*?(?=\n## )/, '');
    else if (file === 'report/report.html') out[file] = readFileSync(path, 'utf8').replace(/<h2>Timings and memory<\/h2>[\s\S]*?(?=<h2>)/, '');
    else out[file] = readFileSync(path).toString('base64');
  }
  return out;
}

describe('lv all killed at random points, then --resume', () => {
  let root: string;
  let run: string;
  let ref: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'srn-crash-'));
    run = join(root, 'run');
    ref = join(root, 'ref');
    // The uninterrupted run, made in the same directory as the killed ones (the report names its directory).
    const r = await cli(['lv', 'all', '--out', run, ...ARGS]);
    expect(r.code, r.stderr).toBe(0);
    renameSync(run, ref);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('ends byte-identical to the uninterrupted run', async () => {
    const expected = contents(ref);
    // A kill point: after the k-th line of output (0: from the start, which covers start-up and config.json), plus a
    // random delay; the lines mark the stages (config, simulate train / held-out, train, predict raw / filtered, report).
    const killPoint = fc.record({ line: fc.integer({ min: 0, max: 7 }), delayMs: fc.integer({ min: 0, max: 600 }) });
    await fc.assert(
      fc.asyncProperty(killPoint, async ({ line, delayMs }) => {
        rmSync(run, { recursive: true, force: true });
        const child = start(['lv', 'all', '--out', run, ...ARGS]);
        await afterLines(child, line);
        await new Promise((resolve) => setTimeout(resolve, line === 0 ? 4 * delayMs : delayMs));
        child.child.kill('SIGKILL');
        await child.exit;
        // What the user does next: resume if the experiment was created, else start it again.
        const next = existsSync(join(run, 'config.json')) ? ['lv', 'all', '--out', run, '--resume', '--workers', '1'] : ['lv', 'all', '--out', run, ...ARGS];
        const r = await cli(next);
        expect(r.code, `${r.stderr} (killed after line ${line} + ${delayMs} ms)`).toBe(0);
        expect(contents(run)).toEqual(expected);
      }),
      { numRuns: CRASH_RUNS, endOnFailure: true },
    );
  });

  it('Ctrl-C during prediction stops without claiming a checkpoint', async () => {
    const dir = join(root, 'interrupt');
    cpSync(ref, dir, { recursive: true });
    rmSync(join(dir, 'predict'), { recursive: true });
    const child = start(['lv', 'all', '--out', dir, '--resume', '--workers', '1']);
    await new Promise<void>((resolve) => {
      child.child.on('line', () => {
        if (child.lines.some((l) => l.startsWith('train: up to date'))) resolve();
      });
    });
    child.child.kill('SIGINT');
    const code = await child.exit;
    expect(child.stderr()).not.toMatch(/checkpoint/);
    expect(code === 130 || code === 0, child.stderr()).toBe(true);
  });
});
