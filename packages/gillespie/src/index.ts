/**
 * `@srn/gillespie`: exact stochastic simulation of reaction networks.
 *
 * Platform-neutral: no Node built-ins here. Worker-thread ensembles live in `@srn/gillespie/node`.
 *
 * @packageDocumentation
 */
export * from './compile.ts';
export * from './dsl.ts';
export * from './errors.ts';
export { type EvaluatedExpression, evaluateExpression } from './evaluate.ts';
export { type ExpressionScope, type SourcePosition, type TranslatedExpression, translateExpression } from './expression.ts';
export * from './model.ts';
export * from './rng.ts';
export * from './simulate.ts';
