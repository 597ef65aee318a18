/**
 * `@srn/gillespie/sbml`: SBML Level 2 (v1-v5) and Level 3 (v1-v2) import for the exact SSA, conformant with the
 * SBML test suite's discrete stochastic cases, and SBML Level 3 export of reaction models ({@link modelToSbml}). {@link loadSbml} returns a plan for the package's `simulate`,
 * `simulateEnsemble`, `planEnsemble`/`runEnsembleBatch` and `simulateEnsembleParallel`.
 *
 * Platform-neutral: no Node built-ins here.
 *
 * @packageDocumentation
 */
export { SbmlError, SbmlUnsupportedError } from './sbml/errors.ts';
export type { EventAssignmentSpec, EventSpec, SbmlExtension } from './sbml/kernel-types.ts';
export { type LoadSbmlOptions, loadSbml, looksLikeSbml, type SbmlModel, type SbmlPlan, type SbmlSpeciesInfo } from './sbml/load.ts';
export {
  parseResultsCsv,
  parseSettingsFile,
  runOptionsFromSettings,
  type SbmlScore,
  type SbmlTestResults,
  type SbmlTestSettings,
  type ScoredPoint,
  scoreEnsemble,
} from './sbml/suite.ts';
export { modelToSbml, reactionModelFromSbml, type SbmlExportOptions, SRN_SBML_NAMESPACE } from './sbml/export.ts';
