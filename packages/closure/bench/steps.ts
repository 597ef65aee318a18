/**
 * Per-step cost of DBD training for the two configurations of the lattice LV experiment, on simulated data
 * (`lotkaVolterraLattice()` + `simulateLattice`, 40 × 40, 500 snapshots, seeds 2024/i):
 *
 * - `paper-original`: spec 6.8 (3-layer DBM, 5 + 5 chains, 10 + 10 sweeps; the trainer's defaults);
 * - `paper`: the `srn-bench lv --preset paper` model and training (a Potts machine without hidden layers whose
 *   couplings are the nearest-neighbour pairs of every species pair and the prey–predator pairs at distance 2;
 *   every trajectory in the awake phase, 20 asleep chains, SGD 1.5e-5, physical ψ).
 *
 *   npx tsx --conditions=@srn/source bench/steps.ts [paper|paper-original] [steps] [trajectories]
 *
 * Prints one JSON line: CPU and wall seconds per step (the first two steps left out: compilation), peak RSS, the
 * machine's load average, and a SHA-256 digest of every step report (without its timing) and of the final checkpoint,
 * so that two versions of the code can be checked for identical results.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { createRng } from '@srn/gillespie';
import { lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice';
import { createMachine } from '@srn/boltzmann';
import { createDbdTrainer, type DbdTrainerConfig, paperMachineSpec, paperTheta0 } from '../src/index.ts';

const preset = process.argv[2] ?? 'paper';
const steps = Number(process.argv[3] ?? 22);
const count = Number(process.argv[4] ?? 100);
if (preset !== 'paper' && preset !== 'paper-original') throw new RangeError(`preset must be paper or paper-original; got ${preset}`);
if (!(Number.isInteger(steps) && steps > 2)) throw new RangeError(`steps must be an integer > 2; got ${process.argv[3]}`);

const trajectories = Array.from({ length: count }, (_, i) => simulateLattice(lotkaVolterraLattice(), createRng(2024, i)).trajectory!);
const L = trajectories[0].shape[0];
const lateral: DbdTrainerConfig = {
  machine: {
    layers: [{ name: 'visible', shape: [L, L], states: ['X', 'Y'] }],
    connections: [
      { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
      { lower: 0, upper: 0, field: [[0, 2], [2, 0], [1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
    ],
    parameterization: 'homogeneous',
  },
  domain: ['hX', 'hY', 'nXX', 'nYY', 'nXY', 'mXY'],
  steps: 1000,
  passes: 2,
  batchSize: count,
  asleepChains: 20,
  learningRate: 1.5e-5,
  psiDerivScale: 'physical',
};
// The paper's θ(0) (density 1/16) and initial offsets, given explicitly (the trainer's defaults come from the data).
const spec = preset === 'paper' ? lateral.machine! : paperMachineSpec(L);
const paper: DbdTrainerConfig = {
  theta0: Array.from(paperTheta0(createMachine(spec))),
  initialOffsets: preset === 'paper' ? [0.0625] : [0.0625, 0.33, 0.33],
};
const config: DbdTrainerConfig = preset === 'paper' ? { ...lateral, ...paper } : paper;
const trainer = createDbdTrainer(config, { trajectories }, createRng(1));

const hash = createHash('sha256');
let peakRss = 0;
let cpu = 0;
let wall = 0;
for (let i = 0; i < steps; i++) {
  const before = process.cpuUsage();
  const info = trainer.step();
  const used = process.cpuUsage(before);
  if (i >= 2) {
    cpu += (used.user + used.system) / 1e6;
    wall += info.seconds;
  }
  for (const [key, value] of Object.entries(info)) {
    if (key === 'seconds') continue;
    if (typeof value === 'number') hash.update(`${key}=${value};`);
    else if (ArrayBuffer.isView(value)) hash.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
hash.update(trainer.checkpoint());
console.log(
  JSON.stringify({
    preset,
    steps,
    trajectories: count,
    cpuSecondsPerStep: +(cpu / (steps - 2)).toFixed(4),
    wallSecondsPerStep: +(wall / (steps - 2)).toFixed(4),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    loadAverage: loadavg().map((x) => +x.toFixed(1)),
    digest: hash.digest('hex').slice(0, 16),
  }),
);
