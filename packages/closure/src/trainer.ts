/**
 * The DBD trainer (spec 6). The implementation is split by concern under `src/train/`: `config.ts` (options,
 * defaults, {@link resolveDbdConfig}), `initial.ts` (θ(0) and offsets from the data), `form.ts` (parameter roles and
 * centering), `estimator.ts` (wake/sleep or exact moments), `adjoint.ts` (forward solve and centered adjoint),
 * `optimizer.ts` (SGD and sparse Adam of the FE coefficients, with the Adam kernel of `@srn/boltzmann`),
 * `curriculum.ts` (sliding window, passes, iterate averaging), `checkpoint.ts` (persistence) and `trainer.ts`
 * (the step and {@link createDbdTrainer} / {@link restoreDbdTrainer}). This module re-exports the public API.
 *
 * @packageDocumentation
 */

export { CHECKPOINT_VERSION, type RestoreTrainerOptions } from './train/checkpoint.ts';
export { type DbdTrainerConfig, type ResolvedDbdConfig, resolveDbdConfig, type Theta0FitConfig } from './train/config.ts';
export {
  type CreateTrainerOptions,
  createDbdTrainer,
  type DbdStepInfo,
  type DbdTrainer,
  restoreDbdTrainer,
} from './train/trainer.ts';
