/**
 * The installed CLI (issue #19 item 5, issue #20 item 9): the compiled bin prints the real version without loading
 * any command, the command table and the command modules agree, `--help` columns line up, odd output paths are
 * refused, and SIGTERM / SIGHUP stop the whole CLI (no process left behind).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type CommandSpec, formatUsage } from '../src/args.ts';
import { commands, main } from '../src/cli.ts';

const app = fileURLToPath(new URL('..', import.meta.url));
const root = join(app, '..', '..');
const bin = join(app, 'bin', 'srn-bench.js');
const example = join(app, 'examples', 'lotka-volterra.srn');

function runBin(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Column where each description starts, for rows `  LEFT  description` of one section, and for a left part too
 * long for the column (alone on its line) the indented description on the next line.
 */
function descriptionColumns(section: string[]): number[] {
  const columns: number[] = [];
  for (const line of section) {
    const continuation = /^ {3,}(?=\S)/.exec(line);
    if (continuation) columns.push(continuation[0].length);
    else if (/^ {2}\S+( \S+)?$/.test(line)) continue; // a long left part whose description follows
    else columns.push(/^ {2}\S.*?\S {2,}(?=\S)/.exec(line)?.[0].length ?? -1);
  }
  return columns;
}

function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(title);
  const end = lines.findIndex((line, i) => i > start && line === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

beforeAll(() => {
  // The bin runs dist/: build it (turbo, cached) exactly as `npm start` does.
  execFileSync(process.execPath, [join(root, 'scripts', 'ensure-install.mjs'), '--build'], { stdio: 'inherit' });
}, 600_000);

describe('srn-bench bin', () => {
  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { version: string };
    expect(version).not.toBe('0.0.0');
    const result = runBin(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('loading the CLI loads no command and no third-party package (commands are imported lazily)', () => {
    // Counted rather than timed (scripts/loaded-modules.mjs lists every resolved module).
    const out = execFileSync(process.execPath, [join(root, 'scripts', 'loaded-modules.mjs'), join(app, 'dist', 'cli.js')], {
      cwd: app,
      encoding: 'utf8',
    });
    const loaded = JSON.parse(out) as { packages: string[]; urls: string[] };
    expect(loaded.urls.some((u) => u.endsWith('/dist/cli.js'))).toBe(true);
    expect(loaded.packages).toEqual([]);
    expect(loaded.urls.filter((u) => u.includes('/commands/') || u.includes('/packages/'))).toEqual([]);
  });

  it('the command table matches the command modules it loads', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.spec.name).toBe(entry.name);
      expect(command.spec.summary.startsWith(entry.summary.replace(/\.$/, ''))).toBe(true);
    }
  });

  it('--help aligns descriptions in one column, in the overview and for every command', async () => {
    const overview = runBin(['--help']);
    expect(overview.code).toBe(0);
    const columns = [...descriptionColumns(section(overview.stdout, 'Commands:')), ...descriptionColumns(section(overview.stdout, 'Options:'))];
    expect(columns.length).toBe(commands.length + 2);
    expect(new Set(columns).size).toBe(1);
    for (const entry of commands) {
      const usage = formatUsage((await entry.load()).spec);
      const options = section(usage, 'Options:');
      const starts = descriptionColumns(options);
      expect(starts.length).toBeGreaterThan(1);
      expect(new Set(starts).size, `${entry.name} --help:\n${options.join('\n')}`).toBe(1);
    }
  });

  it('an option too long for the column gets its description on the next line, aligned', () => {
    const spec: CommandSpec = {
      name: 'demo',
      summary: 'Demo.',
      options: {
        short: { type: 'boolean', description: 'a flag' },
        'a-very-long-option-name-indeed-longer-than-the-column': { type: 'string', description: 'long one', placeholder: 'VALUE' },
      },
    };
    const options = section(formatUsage(spec), 'Options:');
    const column = options[0].indexOf('a flag');
    expect(options[1]).toBe('  --a-very-long-option-name-indeed-longer-than-the-column VALUE');
    expect(options[2].indexOf('long one')).toBe(column);
    expect(options[2].slice(0, column).trim()).toBe('');
  });

  it('refuses --out - with exit code 2 and a clear message, creating nothing', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'srn-odd-'));
    const result = spawnSync(process.execPath, [bin, 'simulate', example, '--out', '-', '--runs', '1'], { cwd, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("srn-bench simulate: --out -: srn-bench does not write to stdout; give a path (./- for a file named '-')\n");
    expect(readdirSync(cwd)).toEqual([]); // in particular no directory named '-'
  });

  it.each([
    ['-x', /looks like an option/],
    ['/proc/srn-out', /cannot write output under \/proc/],
    ['/sys/srn-out', /cannot write output under \/sys/],
    ['out\nput', /control character/],
  ])('refuses --out %j with exit code 2 and a clear message', async (out, message) => {
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['simulate', example, '--out', out, '--runs', '1'])).toBe(2);
      expect(await main(['lv', 'all', '--out', out])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toHaveLength(2);
    for (const line of stderr) expect(line).toMatch(message);
    expect(existsSync(resolve(out))).toBe(false);
  });

  it('refuses --settings - (no stdin)', async () => {
    const result = runBin(['simulate', example, '--out', mkdtempSync(join(tmpdir(), 'srn-odd-')), '--settings', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--settings -: srn-bench does not read from stdin/);
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['lv', 'report', '--out', '-'])).toBe(2);
      expect(spy).toHaveBeenCalledWith(expect.stringMatching(/^srn-bench lv report: --out -: srn-bench does not write to stdout/));
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s stops the CLI and leaves no process running', async (signal, expectedCode) => {
    // A long simulation on four threads (the calling thread runs batches too, so --workers 4 starts three worker
    // threads: enough to see above node's own threads); the unique output path identifies every process of this run.
    // The calling thread handles the signal between two of its batches, so the runs are short (t = 10): a batch then
    // takes milliseconds, and the ensemble as a whole still runs for hours.
    const out = mkdtempSync(join(tmpdir(), `srn-signal-${signal}-`));
    const child = spawn(process.execPath, [bin, 'simulate', example, '--runs', '100000000', '--t-end', '10', '--workers', '4', '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the worker threads run (the process has more than its start-up threads), then signal it.
    const threads = () => readdirSync(`/proc/${child.pid}/task`).length;
    const baseline = 12; // node's own threads (main, libuv pool of 4, V8 platform workers, inspector) stay below this
    for (let waited = 0; threads() <= baseline && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(threads()).toBeGreaterThan(baseline);
    child.kill(signal);
    expect(await exited).toBe(expectedCode);
    expect(stderr).toContain(signal);
    const survivors = readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(out);
        } catch {
          return false; // exited meanwhile
        }
      });
    expect(survivors).toEqual([]);
  }, 120_000);
});
