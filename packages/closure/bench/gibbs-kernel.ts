/**
 * The table Gibbs kernel alone, JavaScript against WebAssembly, interleaved in one process on the `paper-original`
 * machine (three 40 × 40 layers, 2 × 2 fields) at the paper's θ(0): per round, the awake phase (5 chains clamped to
 * data snapshots of simulated lattice LV trajectories, 10 sweeps of the two hidden layers) and the asleep phase
 * (5 chains from noise, 10 free sweeps), once with each kernel from identical states and generator states; the
 * results are checked to be identical, and the CPU time per unit update is reported as medians over the rounds.
 *
 *   npx tsx --conditions=@srn/source bench/gibbs-kernel.ts [rounds] [preset: paper-original|paper]
 */
import { loadavg } from 'node:os';
import { createChains, createMachine, type MachineSpec, randomizeChains } from '@srn/boltzmann';
import { createRng } from '@srn/gillespie';
import { lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice';
import { compiledGibbsApplies, tableGibbs, tablePlan, useCompiledGibbs } from '../src/kernels/table-gibbs.ts';
import { paperMachineSpec, paperTheta0 } from '../src/index.ts';

const rounds = Number(process.argv[2] ?? 40);
const preset = process.argv[3] ?? 'paper-original';
if (!(Number.isInteger(rounds) && rounds > 2)) throw new RangeError(`rounds must be an integer > 2; got ${process.argv[2]}`);
if (preset !== 'paper' && preset !== 'paper-original') throw new RangeError(`preset must be paper or paper-original; got ${preset}`);

const trajectories = Array.from({ length: 5 }, (_, i) => simulateLattice(lotkaVolterraLattice(), createRng(2024, i)).trajectory!);
const L = trajectories[0].shape[0];
const N = L * L;
const spec: MachineSpec =
  preset === 'paper'
    ? {
        layers: [{ name: 'visible', shape: [L, L], states: ['X', 'Y'] }],
        connections: [
          { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
          { lower: 0, upper: 0, field: [[0, 2], [2, 0], [1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
        ],
        parameterization: 'homogeneous',
      }
    : paperMachineSpec(L);
const machine = createMachine(spec);
const theta = paperTheta0(machine);
const plan = tablePlan(machine)!;
const U = machine.unitCount;
const awakeChains = 5;
const asleepChains = preset === 'paper' ? 20 : 5;
const sweeps = 10;
const awakeOk = compiledGibbsApplies(plan, true, createRng(1));
const asleepOk = compiledGibbsApplies(plan, false, createRng(1));
// unit updates per round and kernel: sampled layers' units × chains × sweeps
const hiddenUnits = U - machine.layers[0].size;
const updates = (machine.layers.length > 1 ? awakeChains * hiddenUnits * sweeps : 0) + asleepChains * U * sweeps;

const awake = createChains(machine, awakeChains);
const asleep = createChains(machine, asleepChains);
const init = createRng(7);
randomizeChains(machine, awake, init);
randomizeChains(machine, asleep, init);

function round(r: number, compiled: boolean, a: Uint8Array, s: Uint8Array, rng: ReturnType<typeof createRng>): number {
  useCompiledGibbs(compiled);
  for (let c = 0; c < awakeChains; c++) {
    const tr = trajectories[c];
    const t = (7 * r + 3 * c) % tr.times.length;
    a.set(tr.occupancy.subarray(t * N, (t + 1) * N), c * U);
  }
  const before = process.cpuUsage();
  if (machine.layers.length > 1) tableGibbs(plan, theta, a, awakeChains, rng, sweeps, true);
  randomizeChains(machine, s, rng);
  tableGibbs(plan, theta, s, asleepChains, rng, sweeps, false);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

const js: number[] = [];
const wasm: number[] = [];
const rngJs = createRng(11);
const rngWasm = createRng(11);
const aJs = awake.slice();
const sJs = asleep.slice();
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [false, true] : [true, false];
  for (const compiled of order) {
    const seconds = compiled ? round(r, true, awake, asleep, rngWasm) : round(r, false, aJs, sJs, rngJs);
    if (r >= 2) (compiled ? wasm : js).push(seconds);
  }
  for (let i = 0; i < awake.length; i++) if (awake[i] !== aJs[i]) throw new Error(`round ${r}: awake states differ at ${i}`);
  for (let i = 0; i < asleep.length; i++) if (asleep[i] !== sJs[i]) throw new Error(`round ${r}: asleep states differ at ${i}`);
  if (rngJs.getState().join() !== rngWasm.getState().join()) throw new Error(`round ${r}: generator states differ`);
}
const median = (x: number[]) => x.slice().sort((p, q) => p - q)[x.length >> 1];
const nsJs = (median(js) / updates) * 1e9;
const nsWasm = (median(wasm) / updates) * 1e9;
console.log(
  JSON.stringify({
    preset,
    rounds,
    compiled: { awake: awakeOk, asleep: asleepOk },
    unitUpdatesPerRound: updates,
    nsPerUpdateJs: +nsJs.toFixed(2),
    nsPerUpdateWasm: +nsWasm.toFixed(2),
    ratio: +(nsJs / nsWasm).toFixed(3),
    identical: true,
    loadAverage: loadavg().map((x) => +x.toFixed(1)),
  }),
);
