/**
 * What the stages need to know about an experiment's lattice model, from its config: the model file and the
 * changes the settings make to it (lattice shape, snapshots, initial conditions; for the Lotka-Volterra presets the
 * lattice side, the L²/16 initial counts and the rates), the runs of each part (training, held-out), the time grid and
 * the observables. One place, so that every stage reads the experiment the same way.
 */
import { bundledLatticeModel } from '../commands/lattice-run.ts';
import { defaultObservables, type LatticeModelFile, type LatticeObservable, observableNames } from '@srn/gillespie/lattice';
import { loadLatticeModel } from '../commands/lattice-run.ts';
import { type ExperimentConfig, isLv, parseShape } from './experiment.ts';

/** The two ensembles of the simulate stage. */
export type Part = 'train' | 'heldout';

/** An experiment's model, resolved from its config. */
export interface ExperimentModel {
  /** The model file the simulate stage runs. */
  path: string;
  /** The model file as the settings change it, per part (the held-out part draws its own initial conditions). */
  adjust: (part: Part) => (file: LatticeModelFile) => LatticeModelFile;
  scheme: 'paper' | 'exact';
  /** Pick rule override (the LV presets' `--selection`; undefined: the file's). */
  selection?: 'uniform' | 'row-biased';
  shape: number[];
  boundary: 'periodic' | 'closed';
  species: string[];
  /** Snapshots T and the time between them. */
  T: number;
  dt: number;
  /** Initial conditions K and samples M per part; runs = K · M, run r belongs to condition floor(r / M). */
  conditions: Record<Part, number>;
  samples: Record<Part, number>;
  runs: Record<Part, number>;
  /** Which parts keep their trajectories (the held-out trajectories give each held-out IC its θ(0) and the noise floor). */
  trajectories: Record<Part, 'binary' | 'none'>;
  observables: LatticeObservable[];
  /** Column names of the observables, in order. */
  names: string[];
}

/**
 * Resolves the model of an experiment's config.
 *
 * @example
 * ```ts
 * const model = experimentModel(readExperimentConfig('out/barw'));
 * model.names; // ['A', 'NN_AA', 'NNN_AA']
 * ```
 */
export function experimentModel(config: ExperimentConfig): ExperimentModel {
  if (isLv(config)) {
    const s = config.settings.simulate;
    const counts = Math.round((s.size * s.size) / 16);
    const adjust = (file: LatticeModelFile): LatticeModelFile => ({
      ...file,
      lattice: { ...file.lattice, shape: [s.size, s.size] },
      initial: { type: 'counts', counts: { X: counts, Y: counts } },
      reactions: file.reactions.map((reaction) => {
        if (reaction.type === 'birth') return { ...reaction, rate: s.preyBirth };
        if (reaction.type === 'decay') return { ...reaction, rate: s.predatorDeath };
        if (reaction.type === 'contact') return { ...reaction, probability: s.predationProbability, rate: 2 * (1 / 4) * s.predationProbability };
        return reaction;
      }),
    });
    const observables = defaultObservables(['X', 'Y'], 2);
    return {
      path: bundledLatticeModel('lotka-volterra.lattice'),
      adjust: () => adjust,
      scheme: s.scheme,
      selection: s.selection,
      shape: [s.size, s.size],
      boundary: 'periodic',
      species: ['X', 'Y'],
      T: s.timeSteps,
      dt: 1,
      conditions: { train: 1, heldout: 1 },
      samples: { train: s.trainRuns, heldout: s.heldoutRuns },
      runs: { train: s.trainRuns, heldout: s.heldoutRuns },
      trajectories: { train: 'binary', heldout: 'none' },
      observables,
      names: observableNames(observables),
    };
  }
  const s = config.settings.simulate;
  const file = loadLatticeModel(config.model.path).file;
  const shape = parseShape(s.shape)!;
  const adjust = (part: Part) => (f: LatticeModelFile): LatticeModelFile => {
    const conditions = part === 'train' ? s.conditions : s.heldoutConditions;
    const initial = f.initial.type === 'boltzmann' ? { ...f.initial, conditions } : f.initial;
    return { ...f, lattice: { ...f.lattice, shape: shape.slice() }, initial };
  };
  const observables = file.observables ?? defaultObservables(file.species, shape.length);
  const conditions = { train: s.conditions, heldout: s.heldoutConditions };
  const samples = { train: s.samples, heldout: s.heldoutSamples };
  return {
    path: config.model.path,
    adjust,
    scheme: s.scheme,
    shape,
    boundary: file.lattice.boundary ?? 'periodic',
    species: file.species.slice(),
    T: s.timeSteps,
    dt: file.time.dt,
    conditions,
    samples,
    runs: { train: conditions.train * samples.train, heldout: conditions.heldout * samples.heldout },
    trajectories: { train: 'binary', heldout: 'binary' },
    observables,
    names: observableNames(observables),
  };
}

/** The simulation's time grid t_k = k · dt (k = 0 .. T − 1). */
export function simulationTimes(model: ExperimentModel): Float64Array {
  return Float64Array.from({ length: model.T }, (_, k) => k * model.dt);
}
