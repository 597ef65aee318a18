/**
 * The part of `@srn/closure` the experiment uses, loaded at run time and checked export by export, so that a
 * missing piece stops only the stage that needs it, with an error naming it.
 */
import { LvMissingCapabilityError } from './errors.ts';

import type * as Closure from '@srn/closure';

/** `@srn/closure` as the experiment uses it (its real types; the module is loaded at run time). */
export type ClosureApi = typeof Closure;
export type DbdTrainerLike = Closure.DbdTrainer;
export type PredictedMomentsLike = Closure.MomentPrediction;
export type LearnedDbd = Closure.LearnedDbd;

let cached: Record<string, unknown> | undefined;

/**
 * Loads `@srn/closure` and checks that it exports `needed`; throws an {@link LvMissingCapabilityError} naming what is
 * missing and the stage that needs it.
 *
 * @example
 * ```ts
 * const closure = await loadClosure('train', ['createDbdTrainer', 'restoreDbdTrainer']);
 * ```
 */
export async function loadClosure(stage: string, needed: readonly string[]): Promise<ClosureApi> {
  if (!cached) {
    const specifier = '@srn/closure';
    try {
      cached = (await import(specifier)) as Record<string, unknown>;
    } catch (error) {
      throw new LvMissingCapabilityError(
        `the ${stage} stage needs @srn/closure, which cannot be loaded (${(error as Error).message.split('\n')[0]})`,
      );
    }
  }
  const missing = needed.filter((name) => typeof cached![name] !== 'function');
  if (missing.length > 0) {
    throw new LvMissingCapabilityError(`the ${stage} stage needs ${missing.map((m) => `${m}()`).join(', ')} from @srn/closure, which does not export ${missing.length === 1 ? 'it' : 'them'} (yet)`);
  }
  return cached as unknown as ClosureApi;
}

/** True when @srn/closure exports a function `name` (loads the package if needed; false when it cannot load). */
export async function closureHas(name: string): Promise<boolean> {
  try {
    await loadClosure('probe', []);
  } catch {
    return false;
  }
  return typeof cached![name] === 'function';
}
