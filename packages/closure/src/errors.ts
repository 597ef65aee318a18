/**
 * Named errors of `@srn/closure`.
 *
 * @packageDocumentation
 */

/**
 * A checkpoint or serialised model that cannot be used: wrong magic bytes or version, truncated, a checksum that
 * does not match, an unreadable header, a missing section, or a mismatch with the data or configuration it is
 * restored against. Nothing is restored when it is thrown (restores build fresh objects and swap nothing in place).
 *
 * @example
 * ```ts
 * try {
 *   restoreDbdTrainer(bytes, data);
 * } catch (e) {
 *   if (e instanceof CheckpointError) console.error(`cannot resume: ${e.message}`);
 * }
 * ```
 */
export class CheckpointError extends Error {
  /** Machine-readable reason: `'format'`, `'version'`, `'truncated'`, `'checksum'`, `'header'`, `'mismatch'`. */
  readonly reason: 'format' | 'version' | 'truncated' | 'checksum' | 'header' | 'mismatch';

  constructor(reason: CheckpointError['reason'], message: string) {
    super(message);
    this.name = 'CheckpointError';
    this.reason = reason;
  }
}

/**
 * The parameter trajectory θ(t) left the finite numbers during a forward solve (typically a learning rate that is too
 * large for the data). The trainer state is left as it was before the failing step.
 *
 * @example
 * ```ts
 * try { trainer.step(); } catch (e) { if (e instanceof DbdDivergenceError) console.error(e.time); }
 * ```
 */
export class DbdDivergenceError extends Error {
  /** Time at which θ became non-finite. */
  readonly time: number;

  constructor(time: number, message: string) {
    super(message);
    this.name = 'DbdDivergenceError';
    this.time = time;
  }
}

/**
 * A model form that the machines cannot express (e.g. a closed boundary: `@srn/boltzmann` lattices are periodic).
 * `option` names the offending field of the form or geometry.
 *
 * @example
 * ```ts
 * try {
 *   buildMachineSpec({ kind: 'visible' }, { shape: [10], species: ['A'], boundary: 'closed' });
 * } catch (e) {
 *   if (e instanceof ModelFormError) console.error(e.option); // 'geometry.boundary'
 * }
 * ```
 */
export class ModelFormError extends RangeError {
  /** The offending field, e.g. `'geometry.boundary'`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.name = 'ModelFormError';
    this.option = option;
  }
}
