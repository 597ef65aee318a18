/**
 * `@srn/closure`: dynamic Boltzmann distributions (DBD). A deep Boltzmann machine whose parameters follow a learned
 * ODE dθ/dt = F(x(θ)) with finite-element F, trained by the centered adjoint method on lattice trajectories inside a
 * sliding-window curriculum, with resumable checkpoints, forward integration, learned moment closure (predicted
 * moments and closure channels), ODE integrators, a low-pass filter and classical closure baselines.
 *
 * @packageDocumentation
 */

export { CONTAINER_VERSION, crc32 } from './container.ts';
export type { DataFingerprint, TrainingData } from './data.ts';
export { CheckpointError, DbdDivergenceError, ModelFormError } from './errors.ts';
export {
  buildMachineSpec,
  crossMachineSpec,
  defaultFeDomain,
  type FeDomainOptions,
  fitTheta0,
  type HiddenForm,
  initialOffsetsFromData,
  type LatticeGeometry,
  lateralMachineSpec,
  type ModelForm,
  type PairCouplings,
  type Theta0FitOptions,
  type VisibleForm,
} from './forms.ts';
export { type IntegrateOptions, integrateParameters, type ParameterTrajectory } from './integrate.ts';
export { type TrainedCoverage, trainedCoverage } from './coverage.ts';
export {
  createDbd,
  type DbdOptions,
  defaultDomain,
  type DeserializeOptions,
  deserializeLearnedDbd,
  evaluateRhs,
  type LearnedDbd,
  MODEL_FORMAT_VERSION,
  paperMachineSpec,
  paperTheta0,
  type PsiDerivScale,
  serializeLearnedDbd,
  serializeLearnedDbdChunks,
} from './model.ts';
export {
  type ClosureChannels,
  type ClosureOptions,
  closureChannels,
  defaultObservables,
  type MomentPrediction,
  type ObservableSpec,
  type PredictOptions,
  predictMoments,
} from './moments.ts';
export {
  CHECKPOINT_VERSION,
  type CreateTrainerOptions,
  createDbdTrainer,
  type DbdStepInfo,
  type DbdTrainer,
  type DbdTrainerConfig,
  type ResolvedDbdConfig,
  type RestoreTrainerOptions,
  resolveDbdConfig,
  restoreDbdTrainer,
  type Theta0FitConfig,
} from './trainer.ts';
export * from './ode.ts';
export * from './filter.ts';
export * from './baselines/index.ts';
