/**
 * The plain-data (structured-cloneable) extension that SBML adds to a compiled plan: events, reported assignment
 * rules and time thresholds. The kernel in `kernel.ts` runs it; `load.ts` builds it.
 *
 * @packageDocumentation
 */

/** One event assignment: `target[index] = value` (a concentration species: value × compartment size). */
export interface EventAssignmentSpec {
  readonly variable: string;
  readonly target: 'x' | 'p';
  readonly index: number;
  /** JS source over (x, p, t). */
  readonly source: string;
  /** Source over (x, p, t) of the compartment size to multiply by (a concentration species), or null. */
  readonly scale: string | null;
}

/** One SBML event without delay. */
export interface EventSpec {
  readonly id: string;
  /** Trigger value at t and its right limit at t+, JS sources over (x, p, t). */
  readonly triggerExact: string;
  readonly triggerRight: string;
  readonly initialValue: boolean;
  readonly persistent: boolean;
  readonly useValuesFromTriggerTime: boolean;
  /** JS source of the priority, or null. */
  readonly priority: string | null;
  readonly assignments: readonly EventAssignmentSpec[];
}

/** What an SBML model adds to a `CompiledModel` when it needs more than the plain SSA. */
export interface SbmlExtension {
  readonly version: 1;
  /** Per reaction: propensity source over (x, p, t), right-continuous in t. */
  readonly propensity: readonly string[];
  /** Sources over (x, p) of the times where a propensity or trigger may jump. */
  readonly thresholds: readonly string[];
  /** Whether some threshold reads a species (then it is re-evaluated after every reaction). */
  readonly thresholdsReadSpecies: boolean;
  readonly events: readonly EventSpec[];
  /** CSR: events whose trigger reads a species that reaction r changes. */
  readonly triggerStart: Int32Array;
  readonly triggers: Int32Array;
  /** Reported values computed at recording time (assignment-rule species, concentrations): column and source. */
  readonly record: readonly { readonly column: number; readonly source: string }[];
}
