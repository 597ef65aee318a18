/**
 * Queue mode (issue #17) against a real redis-server and real `srn-bench worker` processes: merged output identical
 * to the local run for 1 and 3 workers and two shard sizes, a worker killed with SIGKILL mid-shard, Redis crashed and
 * restarted from its append-only file mid-run, version and model-hash refusals, bad URLs.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseModel, planEnsemble } from '@srn/gillespie';
import { latticeConfigFromFile, latticeSummaryToCsv, parseLatticeModel } from '@srn/gillespie/lattice';
import { simulateLatticeEnsembleParallel } from '@srn/gillespie/lattice-node';
import { main } from '../src/cli.ts';
import { bundledLatticeModel } from '../src/commands/lattice-run.ts';
import { canonicalHash, computeShard, ensembleShards, SHARD_FORMAT, shardKey, ShardRefusedError, srnVersion } from '../src/queue/shard.ts';
import { QueueShardError, runShardsOnQueue } from '../src/queue/submit.ts';
import { latticeEnsembleOnQueue } from '../src/queue/ensembles.ts';
import { capture } from './capture.ts';
import { otherBuild, type RedisServer, runCliProcess, skipRedis, startRedis, startWorker, type WorkerProcess } from './redis.ts';

const wellMixed = new URL('../examples/lotka-volterra.srn', import.meta.url).pathname;
const lattice = bundledLatticeModel('barw-1d.lattice');
// Shards of several runs of the lattice Lotka-Volterra model take about a second: long enough to be killed mid-way.
const slowLattice = bundledLatticeModel('lotka-volterra.lattice');
const birthDeath = new URL('../examples/birth-death.srn', import.meta.url).pathname;

/** Every file under `dir` (relative path → bytes), except summary.json, which records wall times and settings. */
function outputFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (rel !== 'summary.json') files.set(rel, readFileSync(join(dir, rel)));
    }
  };
  walk('');
  return files;
}

function expectSameOutput(a: string, b: string): void {
  const fa = outputFiles(a);
  const fb = outputFiles(b);
  expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
  for (const [name, bytes] of fa) expect(fb.get(name)?.equals(bytes), name).toBe(true);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  try {
    const code = await main(args);
    return { code, out: io.text(), err: io.errors() };
  } finally {
    vi.restoreAllMocks();
  }
}

describe.skipIf(skipRedis)('queue mode on a real redis-server', () => {
  let redis: RedisServer;
  let dir: string;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'srn-queue-'));
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the local output byte for byte with 1 and 3 workers and two shard sizes (lattice with trajectories, well-mixed, sweep)', async () => {
    const url = redis.url(1);
    const latticeArgs = ['lattice', 'simulate', lattice, '--runs', '60', '--seed', '11'];
    const wmArgs = ['simulate', wellMixed, '--runs', '600', '--seed', '5', '--t-end', '5', '--steps', '20'];
    expect((await cli([...latticeArgs, '--workers', '2', '--out', join(dir, 'lat-local')])).code).toBe(0);
    expect((await cli([...wmArgs, '--workers', '1', '--out', join(dir, 'wm-local')])).code).toBe(0);

    workers.push(await startWorker(url));
    const one = await cli([...latticeArgs, '--queue', url, '--shard-size', '7', '--out', join(dir, 'lat-1')]);
    expect(one.code).toBe(0);
    expect((await cli([...wmArgs, '--queue', url, '--shard-size', '100', '--out', join(dir, 'wm-1')])).code).toBe(0);

    workers.push(await startWorker(url), await startWorker(url));
    const store = join(dir, 'store');
    expect((await cli([...latticeArgs, '--queue', url, '--shard-size', '20', '--store', store, '--out', join(dir, 'lat-3')])).code).toBe(0);
    expect((await cli([...wmArgs, '--queue', url, '--shard-size', '300', '--out', join(dir, 'wm-3')])).code).toBe(0);

    // A sweep on the queue: every point's shards at once, merged per point.
    const sweepArgs = ['sweep', birthDeath, '--vary', 'k_in=5:15:3', '--runs', '300', '--seed', '2', '--t-end', '2', '--steps', '4'];
    expect((await cli([...sweepArgs, '--workers', '1', '--out', join(dir, 'sweep-local')])).code).toBe(0);
    expect((await cli([...sweepArgs, '--queue', url, '--shard-size', '200', '--out', join(dir, 'sweep-3')])).code).toBe(0);
    for (const file of ['sweep.csv', 'points/000/moments.csv', 'points/001/moments.csv', 'points/002/moments.csv']) {
      expect(readFileSync(join(dir, 'sweep-3', file), 'utf8'), file).toBe(readFileSync(join(dir, 'sweep-local', file), 'utf8'));
    }

    expectSameOutput(join(dir, 'lat-local'), join(dir, 'lat-1'));
    expectSameOutput(join(dir, 'lat-local'), join(dir, 'lat-3'));
    expectSameOutput(join(dir, 'wm-local'), join(dir, 'wm-1'));
    expectSameOutput(join(dir, 'wm-local'), join(dir, 'wm-3'));
    // The store holds one result file per shard of the run that used it (60 runs / 20), each written atomically.
    expect(readdirSync(join(store, 'shards')).filter((f) => f.endsWith('.v8'))).toHaveLength(3);
    expect(readdirSync(join(store, 'shards')).filter((f) => f.endsWith('.tmp'))).toHaveLength(0);
    // Every worker computed something in the 3-worker runs or the single worker did all of the first: no shard ran
    // on a worker that was not connected.
    expect(workers[0].output()).toMatch(/^shard lattice runs 0-6:/m);
  });

  it('runs the simulate stage of the closure pipeline on the queue with the local run\'s output (K initial conditions x M samples, trajectories)', async () => {
    const url = redis.url(4);
    const local = join(dir, 'closure-local');
    const queued = join(dir, 'closure-queue');
    expect((await cli(['closure', 'all', '--preset', 'aa-2019-tiny', '--until', 'simulate', '--workers', '2', '--out', local])).code).toBe(0);
    // The same experiment (its config.json) simulated through the queue by two workers, in shards of 2 runs.
    mkdirSync(queued);
    copyFileSync(join(local, 'config.json'), join(queued, 'config.json'));
    workers.push(await startWorker(url), await startWorker(url));
    const run = await cli(['closure', 'simulate', '--out', queued, '--queue', url, '--shard-size', '2']);
    expect(run.code, run.err).toBe(0);
    // Every file of both ensembles (moments, trajectories) byte for byte; summary.json and stage.json hold timings.
    for (const set of ['train', 'heldout']) expectSameOutput(join(local, 'simulate', set), join(queued, 'simulate', set));
    expect(readdirSync(join(queued, 'simulate', 'train', 'trajectories'))).toHaveLength(9);
    // The shards really ran on the workers (9 + 8 runs in shards of 2: at least nine shards between them).
    const shards = workers.map((w) => w.output().match(/^shard lattice runs/gm)?.length ?? 0);
    expect(shards.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(9);
  });

  it('hands every trajectory to onTrajectory as the local pool does (the streaming path of lattice ensembles)', async () => {
    const url = redis.url(9);
    workers.push(await startWorker(url));
    const run = latticeConfigFromFile(parseLatticeModel(readFileSync(lattice, 'utf8'), { source: lattice }));
    const initialCondition = run.initialCondition.type === 'counts' ? undefined : run.initialCondition;
    const options = { runs: 10, seed: 17, keepTrajectories: true, initialCondition, observables: run.observables };
    const local = new Map<number, Uint8Array>();
    const queued = new Map<number, Uint8Array>();
    const a = await simulateLatticeEnsembleParallel(run.config, { ...options, workers: 1, onTrajectory: (r, bytes) => local.set(r, bytes) });
    const b = await latticeEnsembleOnQueue(run.config, { ...options, onTrajectory: (r, bytes) => queued.set(r, bytes) }, { url, shardSize: 4, store: null });
    expect([...queued.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => i));
    for (const [r, bytes] of local) expect(Buffer.from(queued.get(r)!).equals(Buffer.from(bytes)), `run ${r}`).toBe(true);
    expect(latticeSummaryToCsv(b.summary)).toBe(latticeSummaryToCsv(a.summary));
    expect(b.replicates.map((r) => [r.run, r.occupancy, 'encoded' in r])).toEqual(a.replicates.map((r) => [r.run, r.occupancy, 'encoded' in r]));
  });

  it('loses and duplicates nothing when a worker is killed with SIGKILL mid-shard', async () => {
    const url = redis.url(2);
    const args = ['lattice', 'simulate', slowLattice, '--runs', '24', '--seed', '23', '--trajectories', 'none'];
    expect((await cli([...args, '--workers', '1', '--out', join(dir, 'kill-local')])).code).toBe(0);
    const victim = await startWorker(url, ['--lock-ms', '1500']);
    workers.push(victim);
    let submitted = false;
    const run = cli([...args, '--queue', url, '--shard-size', '8', '--out', join(dir, 'kill-queue')]).finally(() => {
      submitted = true;
    });
    // After its first shard the victim takes the next one at once; kill it while that one computes.
    await victim.shardsDone(1);
    victim.child.kill('SIGKILL');
    expect(submitted).toBe(false);
    expect((victim.output().match(/^shard /gm) ?? []).length).toBeLessThan(3);
    workers.push(await startWorker(url, ['--lock-ms', '1500']));
    const result = await run;
    expect(result.code).toBe(0);
    expectSameOutput(join(dir, 'kill-local'), join(dir, 'kill-queue'));
    const summary = JSON.parse(readFileSync(join(dir, 'kill-queue', 'summary.json'), 'utf8')) as { replicates: { run: number }[] };
    expect(summary.replicates.map((r) => r.run)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it('refuses a shard of another srn version and one whose model hash does not match, and the submitter says so', async () => {
    const url = redis.url(3);
    workers.push(await startWorker(url));
    const model = parseModel(readFileSync(wellMixed, 'utf8'));
    const tasks = planEnsemble(model, { runs: 100, seed: 1, tEnd: 1, steps: 2 });
    const old = ensembleShards(tasks, 1, { version: 'gillespie@0.0.1+bench@0.0.0' });
    await expect(runShardsOnQueue({ url, shards: old, pollMs: 50 })).rejects.toThrow(
      /srn version mismatch: the shard was submitted by gillespie@0\.0\.1\+bench@0\.0\.0 but this worker runs gillespie@/,
    );
    const other = planEnsemble(parseModel('A -> 0 @ 1\nA = 3'), { runs: 100, seed: 1, tEnd: 1, steps: 2 });
    const [shard] = ensembleShards(tasks, 1);
    const forged = { ...shard, modelHash: canonicalHash(other[0].plan) };
    const error = await runShardsOnQueue({ url, shards: [forged], pollMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueShardError);
    expect((error as Error).message).toMatch(/failed on a worker: model hash mismatch/);
  });

  it('a worker of another installation with another srn version refuses the shards, and the submitting command exits 1 saying why', async () => {
    const url = redis.url(6);
    const build = otherBuild({ version: '0.0.0-other' });
    try {
      const stranger = await startWorker(url, [], build);
      workers.push(stranger);
      expect(stranger.output()).toMatch(/srn-bench worker \(srn gillespie@[^+]+\+bench@0\.0\.0-other\)/);
      // The version reaches the worker in the job's fields; both ensemble kinds go through the same check.
      for (const [args, kind] of [
        [['lattice', 'simulate', lattice, '--runs', '12', '--seed', '3', '--shard-size', '6'], 'lattice'],
        [['simulate', wellMixed, '--runs', '200', '--t-end', '1', '--steps', '2', '--shard-size', '100'], 'ensemble'],
      ] as const) {
        const result = await cli([...args, '--queue', url, '--out', join(dir, `other-version-${kind}`)]);
        expect(result.code, kind).toBe(1);
        expect(result.err).toMatch(new RegExp(`\\(${kind}\\) failed on a worker: srn version mismatch: the shard was submitted by ${srnVersion().replace(/[.+]/g, '\\$&')} but this worker runs gillespie@[^+]+\\+bench@0\\.0\\.0-other`));
      }
      // A worker of this version then computes the same shards (the refused jobs are cleared and submitted afresh).
      await stranger.stop();
      workers.push(await startWorker(url));
      const args = ['lattice', 'simulate', lattice, '--runs', '12', '--seed', '3'];
      expect((await cli([...args, '--shard-size', '6', '--queue', url, '--out', join(dir, 'other-version-retry')])).code).toBe(0);
      expect((await cli([...args, '--workers', '1', '--out', join(dir, 'other-version-local')])).code).toBe(0);
      expectSameOutput(join(dir, 'other-version-local'), join(dir, 'other-version-retry'));
    } finally {
      build.remove();
    }
  });

  it('a worker whose build hashes a model differently (same version number) refuses with a model hash mismatch, and the command exits 1', async () => {
    const url = redis.url(7);
    const build = otherBuild({ patch: { file: 'src/queue/shard.ts', from: ".update(canonical(value))", to: ".update('patched:' + canonical(value))" } });
    try {
      workers.push(await startWorker(url, [], build));
      const result = await cli(['lattice', 'simulate', lattice, '--runs', '6', '--seed', '3', '--queue', url, '--out', join(dir, 'other-hash')]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/\(lattice\) failed on a worker: model hash mismatch: the shard names model [0-9a-f]{12} but its model hashes to [0-9a-f]{12} on this worker/);
    } finally {
      build.remove();
    }
  });

  it('a one-shot indexed worker (Kubernetes pod) of another version refuses its shard, and the submitting command exits 1 saying so', async () => {
    const url = redis.url(8);
    const build = otherBuild({ version: '0.0.0-other' });
    try {
      // No queue worker listens on this database: only the pod can answer.
      const run = cli(['lattice', 'simulate', lattice, '--runs', '12', '--seed', '43', '--shard-size', '6', '--queue', url, '--run-id', 'k8s-old', '--out', join(dir, 'indexed-old')]);
      const pod = await runCliProcess(['worker', '--queue', url, '--run', 'k8s-old', '--index', '1', '--wait', '120'], build);
      expect(pod.code).toBe(1);
      expect(pod.output).toMatch(/srn version mismatch: the shard was submitted by .* but this worker runs gillespie@[^+]+\+bench@0\.0\.0-other/);
      const result = await run;
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/shard of runs 6-11 \(lattice\) was refused by a one-shot worker \(--run\): srn version mismatch: .*bench@0\.0\.0-other/);
    } finally {
      build.remove();
    }
  });

  it('lets indexed one-shot workers (a Kubernetes Indexed Job) compute the shards of a published run into the store', async () => {
    const url = redis.url(5);
    const args = ['lattice', 'simulate', lattice, '--runs', '12', '--seed', '41'];
    expect((await cli([...args, '--workers', '1', '--out', join(dir, 'indexed-local')])).code).toBe(0);
    const store = join(dir, 'indexed-store');
    const run = cli([...args, '--queue', url, '--shard-size', '6', '--store', store, '--run-id', 'k8s-test', '--out', join(dir, 'indexed-queue')]);
    const pods = await Promise.all([0, 1, 2].map((i) => runCliProcess(['worker', '--queue', url, '--run', 'k8s-test', '--index', String(i), '--wait', '120'])));
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/shard list published as run 'k8s-test' \(2 shards/);
    expect(pods.map((p) => p.code)).toEqual([0, 0, 0]);
    expect(pods[0].output).toMatch(/shard 0 of run 'k8s-test': lattice runs 0-5 .* to store/);
    expect(pods[2].output).toMatch(/run 'k8s-test' has 2 shards; index 2 has nothing to do/);
    expectSameOutput(join(dir, 'indexed-local'), join(dir, 'indexed-queue'));
  });

  it('fails fast with exit 2 on a wrong or unreachable Redis URL', async () => {
    const closedPort = redis.port === 1 ? 2 : 1;
    const garbage: Server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const notRedis = (garbage.address() as { port: number }).port;
    // A server that accepts the connection and never answers (a stuck proxy, a firewall that swallows packets).
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      for (const [url, message] of [
        [`redis://127.0.0.1:${closedPort}`, /cannot use this Redis server \(ECONNREFUSED\)/],
        [`redis://127.0.0.1:${notRedis}`, /cannot use this Redis server/],
        [`redis://127.0.0.1:${silentPort}`, /cannot use this Redis server \(no answer within 3 s\)/],
        ['http://127.0.0.1:6379', /scheme must be redis:\/\/ or rediss:\/\//],
        [`redis://:secret@127.0.0.1:${closedPort}`, /--queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: cannot use this Redis server/],
        [`redis://127.0.0.1:${redis.port}/db1`, /database must be a number/],
        ['not a url', /is not a URL/],
      ] as const) {
        const result = await cli(['simulate', wellMixed, '--runs', '100', '--queue', url, '--out', join(dir, 'never')]);
        expect(result.code, url).toBe(2);
        expect(result.err).toMatch(message);
      }
      const worker = await cli(['worker', '--queue', `redis://127.0.0.1:${closedPort}`]);
      expect(worker.code).toBe(2);
    } finally {
      garbage.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe.skipIf(skipRedis)('queue mode survives a Redis restart', () => {
  it('completes a run when Redis crashes mid-run and restarts from its append-only file', async () => {
    const redis = await startRedis({ appendOnly: true });
    const dir = mkdtempSync(join(tmpdir(), 'srn-queue-aof-'));
    const workers: WorkerProcess[] = [];
    try {
      const url = redis.url();
      const args = ['lattice', 'simulate', slowLattice, '--runs', '24', '--seed', '31', '--trajectories', 'none'];
      expect((await cli([...args, '--workers', '1', '--out', join(dir, 'local')])).code).toBe(0);
      workers.push(await startWorker(url, ['--lock-ms', '1500']));
      let submitted = false;
      const run = cli([...args, '--queue', url, '--shard-size', '4', '--out', join(dir, 'queue')]).finally(() => {
        submitted = true;
      });
      await workers[0].shardsDone(2);
      await redis.crash();
      expect(submitted).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await redis.start();
      const result = await run;
      expect(result.code).toBe(0);
      expectSameOutput(join(dir, 'local'), join(dir, 'queue'));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('queue-mode usage errors (caught before any connection)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses --store without --queue, a well-mixed shard size off the batch, trajectories too big for Redis, and --run without --index', async () => {
    const out = join(tmpdir(), `srn-never-${process.pid}`);
    const closed = 'redis://127.0.0.1:1';
    const cases: [string[], RegExp][] = [
      [['simulate', wellMixed, '--store', out, '--out', out], /--store needs --queue/],
      [['simulate', wellMixed, '--queue', closed, '--shard-size', '150', '--out', out], /--shard-size 150 must be a multiple of 100/],
      [['lattice', 'simulate', slowLattice, '--runs', '100', '--queue', closed, '--out', out], /too much to pass through Redis; give --store DIR/],
      [['worker', '--queue', closed, '--run', 'x'], /--run needs --index I/],
      [['simulate', wellMixed, '--queue', closed, '--run-id', 'a b', '--out', out], /--run-id must be 1-100 letters/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toMatch(message);
    }
    rmSync(out, { recursive: true, force: true });
  });
});

describe('shards without Redis', () => {
  it('computes a shard with the local batch function and refuses other versions and forged hashes', () => {
    const model = parseModel(readFileSync(wellMixed, 'utf8'));
    const tasks = planEnsemble(model, { runs: 200, seed: 4, tEnd: 2, steps: 4 });
    const [first] = ensembleShards(tasks, 2);
    expect(first.start).toBe(0);
    expect(first.end).toBe(200);
    expect(computeShard(first)).toHaveLength(2);
    expect(() => computeShard(first, 'gillespie@9.9.9+bench@0.0.0')).toThrow(ShardRefusedError);
    expect(() => computeShard({ ...first, modelHash: '0'.repeat(64) })).toThrow(/model hash mismatch/);
    expect(first.version).toBe(srnVersion());
  });

  it('refuses another version however the shard carries it: the version field, the key, the format', () => {
    const model = parseModel(readFileSync(wellMixed, 'utf8'));
    const tasks = planEnsemble(model, { runs: 100, seed: 4, tEnd: 1, steps: 2 });
    const [mine] = ensembleShards(tasks, 1);
    const [old] = ensembleShards(tasks, 1, { version: 'gillespie@0.0.1+bench@0.0.0' });
    // The version field names the other release.
    expect(() => computeShard(old)).toThrow(/srn version mismatch: the shard was submitted by gillespie@0\.0\.1\+bench@0\.0\.0/);
    // The field rewritten to this worker's version, the key still derived under the other one.
    expect(() => computeShard({ ...old, version: srnVersion() })).toThrow(/shard key mismatch: .* another srn version/);
    // An older or newer layout of the job itself.
    expect(() => computeShard({ ...mine, format: SHARD_FORMAT + 1 })).toThrow(/shard format 2 is not the format 1/);
    const { version: _dropped, ...unversioned } = mine;
    expect(() => computeShard(unversioned as typeof mine)).toThrow(/srn version mismatch: the shard was submitted by undefined/);
    // The key is the only place the version enters the result's identity: the same inputs under two versions differ.
    const [{ plan: _plan, ...task }] = tasks;
    expect(shardKey('ensemble', mine.modelHash, [task])).toBe(mine.key);
    expect(shardKey('ensemble', mine.modelHash, [task], 'gillespie@0.0.1+bench@0.0.0')).toBe(old.key);
    expect(old.key).not.toBe(mine.key);
    for (const bad of [old, { ...old, version: srnVersion() }]) expect(() => computeShard(bad)).toThrow(ShardRefusedError);
  });

  it('derives the key from the inputs: same inputs same key, another seed or range another key', () => {
    const model = parseModel(readFileSync(wellMixed, 'utf8'));
    const a = ensembleShards(planEnsemble(model, { runs: 300, seed: 4, tEnd: 2 }), 1);
    const b = ensembleShards(planEnsemble(model, { runs: 300, seed: 4, tEnd: 2 }), 1);
    const c = ensembleShards(planEnsemble(model, { runs: 300, seed: 5, tEnd: 2 }), 1);
    expect(a.map((s) => s.key)).toEqual(b.map((s) => s.key));
    expect(new Set([...a, ...c].map((s) => s.key)).size).toBe(6);
  });
});
