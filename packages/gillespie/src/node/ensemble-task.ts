// Worker-side handler of an ensemble batch: imports only the mathjs-free run module.
export { runEnsembleBatch as ensembleBatchTask } from '../run.ts';
