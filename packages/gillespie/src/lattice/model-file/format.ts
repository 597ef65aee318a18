/**
 * Writes lattice model-file data back as the text form (the inverse of `parseLatticeModel` on text: parsing the
 * output gives the same data). Used by `srn-bench lattice check` to print what a file was understood as.
 */
import type { LatticeObservable } from '../observables.ts';
import type { LatticeReaction } from '../model.ts';
import type { LatticeFileInitialCondition, LatticeModelFile } from './schema.ts';

const num = (x: number): string => String(x);

/**
 * One reaction in the text form, e.g. `X + Y -> Y + Y @ p = 0.4, k = 0.2`.
 *
 * @example
 * ```ts
 * formatLatticeReaction({ type: 'birth', parent: 'A', offspring: 'A', rate: 2, placement: 'anywhere' }); // 'A -> A + A anywhere @ 2'
 * ```
 */
export function formatLatticeReaction(reaction: LatticeReaction): string {
  switch (reaction.type) {
    case 'decay':
      return `${reaction.reactant} -> 0 @ ${num(reaction.rate)}`;
    case 'conversion':
      return `${reaction.reactant} -> ${reaction.product} @ ${num(reaction.rate)}`;
    case 'immigration':
      return `0 -> ${reaction.product} @ ${num(reaction.rate)}`;
    case 'splitting':
      return `${reaction.reactant} -> ${reaction.products[0]} + ${reaction.products[1]} @ ${num(reaction.rate)}`;
    case 'birth': {
      const placement = reaction.placement ? ` ${reaction.placement}` : '';
      const numbers = reaction.floor !== undefined ? `k = ${num(reaction.rate)}, floor = ${num(reaction.floor)}` : num(reaction.rate);
      return `${reaction.parent} -> ${reaction.parent} + ${reaction.offspring ?? reaction.parent}${placement} @ ${numbers}`;
    }
    case 'contact': {
      const [c, d] = reaction.products;
      const products = c === null && d === null ? '0' : d === null ? String(c) : `${c ?? '0'} + ${d}`;
      const numbers: string[] = [];
      if (reaction.probability !== undefined) numbers.push(`p = ${num(reaction.probability)}`);
      if (reaction.rate !== undefined) numbers.push(`k = ${num(reaction.rate)}`);
      return `${reaction.reactants[0]} + ${reaction.reactants[1]} -> ${products} @ ${numbers.join(', ')}`;
    }
  }
}

const range = (v: number | { min: number; max: number }): string => (typeof v === 'number' ? num(v) : `[${num(v.min)}, ${num(v.max)}]`);

/**
 * An initial condition in the text form (the part after `initial:`).
 *
 * @example
 * ```ts
 * formatLatticeInitial({ type: 'boltzmann', h: { A: { min: -1, max: 1 } }, sweeps: 100 }); // 'boltzmann h A = [-1, 1], sweeps = 100'
 * ```
 */
export function formatLatticeInitial(ic: LatticeFileInitialCondition): string {
  switch (ic.type) {
    case 'counts':
      return `counts ${Object.entries(ic.counts).map(([k, v]) => `${k} = ${num(v)}`).join(', ')}`;
    case 'densities':
      return `densities ${Object.entries(ic.densities).map(([k, v]) => `${k} = ${num(v)}`).join(', ')}`;
    case 'snapshot':
      return `snapshot ${ic.file}`;
    case 'boltzmann': {
      const items: string[] = [];
      for (const key of ['h', 'J', 'K'] as const) for (const [name, v] of Object.entries(ic[key] ?? {})) items.push(`${key} ${name} = ${range(v)}`);
      items.push(`sweeps = ${num(ic.sweeps)}`);
      if (ic.conditions !== undefined) items.push(`conditions = ${num(ic.conditions)}`);
      return `boltzmann ${items.join(', ')}`;
    }
  }
}

/**
 * An observable in the text form (the part after `observable:`).
 *
 * @example
 * ```ts
 * formatLatticeObservable({ type: 'pair', species: ['A', 'B'], displacements: [[1, 0]], name: 'right' }); // 'pair A B at (1, 0) as right'
 * ```
 */
export function formatLatticeObservable(o: LatticeObservable): string {
  const name = o.name !== undefined ? ` as ${o.name}` : '';
  switch (o.type) {
    case 'count':
      return `count ${o.species}${name}`;
    case 'pair': {
      const d = typeof o.displacements === 'string' ? o.displacements : `at ${o.displacements.map((v) => `(${v.join(', ')})`).join(' ')}`;
      return `pair ${o.species[0]} ${o.species[1]} ${d}${name}`;
    }
    case 'run':
      return `run ${o.species} ${num(o.length)}${o.axis !== undefined ? ` axis ${num(o.axis)}` : ''}${name}`;
  }
}

/**
 * The whole file in the text form.
 *
 * @example
 * ```ts
 * const text = formatLatticeModel(parseLatticeModel(json, { format: 'json' }).file);
 * parseLatticeModel(text).file; // the same data
 * ```
 */
export function formatLatticeModel(file: LatticeModelFile): string {
  const lines: string[] = [];
  if (file.description !== undefined) lines.push(`description: ${file.description}`);
  lines.push(`species: ${file.species.join(', ')}`);
  lines.push(`lattice: ${file.lattice.shape.join(' x ')}${file.lattice.boundary ? `, ${file.lattice.boundary}` : ''}`);
  const hop = Object.entries(file.hop ?? {});
  if (hop.length > 0) lines.push(`hop: ${hop.map(([k, v]) => `${k} = ${num(v)}`).join(', ')}`);
  for (const reaction of file.reactions) lines.push(formatLatticeReaction(reaction));
  lines.push(`scheme: ${file.scheme.name}${file.scheme.selection ? `, selection = ${file.scheme.selection}` : ''}`);
  const time = [`dt = ${num(file.time.dt)}`];
  if (file.time.steps !== undefined) time.push(`steps = ${num(file.time.steps)}`);
  if (file.time.tEnd !== undefined) time.push(`t_end = ${num(file.time.tEnd)}`);
  lines.push(`time: ${time.join(', ')}`);
  lines.push(`initial: ${formatLatticeInitial(file.initial)}`);
  for (const o of file.observables ?? []) lines.push(`observable: ${formatLatticeObservable(o)}`);
  return `${lines.join('\n')}\n`;
}
