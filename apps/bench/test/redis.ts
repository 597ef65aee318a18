/**
 * Test helpers for queue mode: a real `redis-server` on a free loopback port (no mock), and `srn-bench worker`
 * child processes. Without `redis-server` the queue tests fail loudly, unless SRN_SKIP_REDIS_TESTS=1 says to skip.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** True when the environment asks to skip tests that need a real Redis. */
export const skipRedis = process.env.SRN_SKIP_REDIS_TESTS === '1';

/** Throws a clear error when `redis-server` is not installed (the tests must not pass silently without it). */
export function requireRedisServer(): void {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(
      'redis-server is not installed: the queue tests need a real Redis (apt-get install -y redis-server; .ci/run does this), ' +
        'or set SRN_SKIP_REDIS_TESTS=1 to skip them deliberately',
    );
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT/db`. */
  url(db?: number): string;
  /** Kills the server with SIGKILL (a crash: only the append-only file survives). */
  crash(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free loopback port: without persistence, or with `appendonly` (every write fsynced)
 * in its own directory when the test restarts it.
 */
export async function startRedis(options: { appendOnly?: boolean } = {}): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'srn-redis-'));
  const pidfile = join(dir, 'redis.pid');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--pidfile', pidfile, '--dir', dir, '--save', ''];
  if (options.appendOnly) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  const ping = () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
  const pid = () => {
    try {
      return Number(readFileSync(pidfile, 'utf8').trim());
    } catch {
      return 0;
    }
  };
  const start = async () => {
    execFileSync('redis-server', args);
    for (let i = 0; i < 100 && !ping(); i++) await sleep(50);
    if (!ping()) throw new Error(`redis-server on port ${port} did not start`);
  };
  const kill = async (signal: NodeJS.Signals) => {
    const p = pid();
    if (p > 0) {
      try {
        process.kill(p, signal);
      } catch {}
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(p, 0);
          await sleep(50);
        } catch {
          break;
        }
      }
    }
    rmSync(pidfile, { force: true });
  };
  await start();
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    crash: () => kill('SIGKILL'),
    start,
    stop: async () => {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The CLI from its sources in a real process (cli.ts does not run itself; the runner calls runCli as the bin does).
const cli = fileURLToPath(new URL('./cli-runner.ts', import.meta.url));
const tsxLoader = createRequire(import.meta.url).resolve('tsx');

/** A `srn-bench worker` child process and what it printed. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the worker has printed `count` shard lines. */
  shardsDone(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** Another build of srn-bench on disk (see {@link otherBuild}). */
export interface OtherBuild {
  /** Its `test/cli-runner.ts`, to start as a worker with {@link startWorker}'s `cli` option. */
  readonly cli: string;
  remove(): void;
}

/**
 * A second installation of srn-bench, as another machine would have it: a copy of `src/` and the CLI runner beside
 * its own `package.json` (the version a worker stamps and compares comes from that file), with `node_modules`
 * linked to this checkout's. `version` replaces the package version (a worker of another srn release);
 * `patch` edits a source file of the copy (a build that computes something differently under the same version).
 */
export function otherBuild(options: { version?: string; patch?: { file: string; from: string; to: string } }): OtherBuild {
  const root = mkdtempSync(join(tmpdir(), 'srn-other-build-'));
  const here = fileURLToPath(new URL('..', import.meta.url));
  const bench = join(root, 'apps', 'bench');
  mkdirSync(join(bench, 'test'), { recursive: true });
  cpSync(join(here, 'src'), join(bench, 'src'), { recursive: true });
  cpSync(join(here, 'test', 'cli-runner.ts'), join(bench, 'test', 'cli-runner.ts'));
  const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as { version: string };
  if (options.version !== undefined) pkg.version = options.version;
  writeFileSync(join(bench, 'package.json'), JSON.stringify(pkg, null, 2));
  if (options.patch) {
    const file = join(bench, options.patch.file);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(options.patch.from)) throw new Error(`otherBuild: ${options.patch.file} does not contain ${JSON.stringify(options.patch.from)}`);
    writeFileSync(file, text.replace(options.patch.from, options.patch.to));
  }
  symlinkSync(join(here, 'node_modules'), join(bench, 'node_modules'), 'dir');
  symlinkSync(join(here, '..', '..', 'node_modules'), join(root, 'node_modules'), 'dir');
  return { cli: join(bench, 'test', 'cli-runner.ts'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Starts `srn-bench worker --queue URL ...` (the CLI itself, as bin/srn-bench.js runs it, so that a signal reaches the
 * worker and not a wrapper) and waits until it is connected. `build` starts the worker of another installation.
 */
export async function startWorker(url: string, extra: string[] = [], build?: OtherBuild): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--conditions=@srn/source', '--import', pathToFileURL(tsxLoader).href, build?.cli ?? cli, 'worker', '--queue', url, '--concurrency', '1', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    text += String(chunk);
  });
  const until = async (test: () => boolean, what: string) => {
    for (let i = 0; i < 2400 && !test(); i++) {
      if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}) before ${what}:\n${text}`);
      await sleep(50);
    }
    if (!test()) throw new Error(`worker: timed out waiting for ${what}:\n${text}`);
  };
  await until(() => text.includes('srn-bench worker ('), 'connecting');
  return {
    child,
    output: () => text,
    shardsDone: (count) => until(() => (text.match(/^shard /gm) ?? []).length >= count, `${count} shards`),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Runs the CLI (of this checkout, or of `build`) as a child process to completion; returns its exit code and output. */
export function runCliProcess(args: string[], build?: OtherBuild): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--conditions=@srn/source', '--import', pathToFileURL(tsxLoader).href, build?.cli ?? cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}
