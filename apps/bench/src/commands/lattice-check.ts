/**
 * `srn-bench lattice check MODEL`: validates a lattice model file and prints what it understood.
 */
import { dirname, resolve } from 'node:path';
import {
  defaultObservables,
  estimateLatticeMemory,
  formatLatticeInitial,
  formatLatticeModel,
  formatLatticeReaction,
  LatticeSchemeError,
  latticeConfigFromFile,
  observableNames,
} from '@srn/gillespie/lattice';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import { loadLatticeModel, readSnapshotFile } from './lattice-run.ts';

/** Declaration of the `lattice check` command. */
export const latticeCheckSpec: CommandSpec = {
  name: 'lattice check',
  summary:
    'Validate a lattice model file and print what it understood. Species, lattice, reactions by kind, the schemes it has ' +
    'numbers for, pick rule, time grid, initial condition, observable columns and the memory of one run; exit code 1 with ' +
    'the line and column of the first problem otherwise.',
  positionals: [{ name: 'MODEL', description: 'lattice model file (.lattice text form, or JSON)' }],
  options: {
    'scheme': { type: 'choice', description: 'also fail if the file cannot run on this scheme', choices: ['paper', 'exact'] },
    'format': { type: 'boolean', description: 'print the model in the text form (normalised; JSON files too)' },
  },
  examples: ['srn-bench lattice check packages/gillespie/examples/lattice/rossler-3d.lattice', 'srn-bench lattice check model.json --format'],
};

const KIND: Record<string, string> = {
  decay: 'decay',
  conversion: 'conversion',
  immigration: 'immigration (per free site)',
  splitting: 'splitting (second product onto a free neighbour)',
  contact: 'contact (nearest neighbours)',
};

/** Runs the `lattice check` command. */
export async function runLatticeCheck(options: ParsedOptions, positionals: string[]): Promise<void> {
  const [model] = positionals;
  if (model === undefined) throw new UsageError('expected MODEL');
  const parsed = loadLatticeModel(model);
  const file = parsed.file;
  if (options.format === true) {
    process.stdout.write(formatLatticeModel(file));
    return;
  }
  // A snapshot initial condition is read and checked against the lattice too.
  const snapshot = file.initial.type === 'snapshot' ? readSnapshotFile(parsed, resolve(dirname(resolve(model)), file.initial.file)) : undefined;
  const schemes: string[] = [];
  for (const scheme of ['paper', 'exact'] as const) {
    try {
      latticeConfigFromFile(parsed, { scheme, snapshot });
      schemes.push(`${scheme}: yes`);
    } catch (error) {
      if (!(error instanceof LatticeSchemeError)) throw error;
      if (options.scheme === scheme) throw error;
      schemes.push(`${scheme}: no (${error.detail.split(':')[0]})`);
    }
  }
  const sites = file.lattice.shape.reduce((a, b) => a * b, 1);
  const steps = file.time.steps ?? Math.round(file.time.tEnd! / file.time.dt) + 1;
  const observables = file.observables ?? defaultObservables(file.species, file.lattice.shape.length);
  const memory = estimateLatticeMemory({ shape: file.lattice.shape, speciesCount: file.species.length, steps, trajectoriesHeld: 1, concurrent: 1, observables: observables.length, runs: 1 });
  const lines = [
    `${parsed.source}: valid (${parsed.format} form)`,
    file.description ? `  description: ${file.description}` : null,
    `  species: ${file.species.join(', ')}`,
    `  lattice: ${file.lattice.shape.join(' x ')} = ${sites} sites, ${file.lattice.boundary ?? 'periodic'} boundary, ${file.lattice.shape.length}D`,
    `  hop rates: ${file.species.map((s) => `${s} ${file.hop?.[s] ?? 0}`).join(', ')} (exact scheme: per unit time; paper scheme: a rate > 0 means one hop attempt per step dt)`,
    `  reactions (${file.reactions.length}):`,
    ...file.reactions.map((r, i) => {
      const kind = r.type === 'birth' ? `birth (offspring ${r.placement === 'anywhere' ? 'on a free site anywhere' : 'onto a free neighbour'})` : KIND[r.type];
      return `    ${i + 1}. ${formatLatticeReaction(r).padEnd(36)} ${kind}`;
    }),
    `  scheme: ${file.scheme.name} by default; ${schemes.join('; ')}`,
    `  pick rule (paper scheme): ${file.scheme.selection ?? 'uniform'}`,
    `  time: dt = ${file.time.dt}, ${steps} snapshots (t = 0 .. ${(steps - 1) * file.time.dt})`,
    `  initial: ${formatLatticeInitial(file.initial)}`,
    `  observables (${observables.length}${file.observables ? '' : ', defaults'}): ${observableNames(observables).join(', ')}`,
    `  memory of one run with its trajectory: about ${(memory / 2 ** 20).toFixed(1)} MiB`,
  ];
  process.stdout.write(`${lines.filter((l) => l !== null).join('\n')}\n`);
}
