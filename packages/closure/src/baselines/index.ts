/**
 * Classical moment-closure baselines for the lattice Lotka–Volterra model: mean-field rate equations and the pair
 * approximation, predicting the same observables as the learned closure (counts, NN and "NNN" pair counts).
 */
export {
  meanFieldFixedPoint,
  meanFieldLotkaVolterra,
  meanFieldRhs,
  type MeanFieldFixedPoint,
} from './mean-field.ts';
export {
  PAIR_STATE_NAMES,
  type PairApproximationOptions,
  pairApproximationLotkaVolterra,
  pairApproximationRhs,
  type PairDensities,
  pairInitialState,
} from './pair-approximation.ts';
export {
  BASELINE_COLUMNS,
  type BaselineColumn,
  type BaselineOptions,
  type BaselinePrediction,
  type BirthPlacement,
  COORDINATION,
  type LotkaVolterraRates,
  type ResolvedLotkaVolterraRates,
  resolveLotkaVolterraRates,
} from './params.ts';
export {
  type BaselineInitial,
  type BaselineNotApplicable,
  type GeneratedBaseline,
  type GeneratedBaselineInput,
  type GeneratedPrediction,
  generateMeanField,
  generatePairApproximation,
  kirkwoodTriplets,
  type PairApproximationHooks,
  type TripletClosure,
} from './generated.ts';
export { type BoltzmannFit, type BoltzmannFitOptions, fitBoltzmannLattice } from './theta0.ts';
export {
  accumulateLatticeStatisticsUnchecked,
  type LatticeStatistics,
  measureLatticeStatistics,
  type TrajectoryStatistics,
  trajectoryStatistics,
} from './triplets.ts';
export {
  type ClosureSamples,
  type FeedForwardClosure,
  type FeedForwardClosureOptions,
  sinkhornTriplets,
  trainFeedForwardClosure,
} from './feed-forward.ts';
export {
  ensembleMean,
  findSimulatedPeaks,
  noiseFloor,
  type PredictionScore,
  scorePrediction,
  scorePredictions,
} from './score.ts';
export { fitMaxEntLattice, type MaxEntFit, type MaxEntOptions, maxEntDiagnostic } from './maxent.ts';
