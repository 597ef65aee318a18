/**
 * Named errors of `@srn/gillespie`. Each message names the offending argument, element or line.
 *
 * @packageDocumentation
 */

/**
 * A model that is structurally or semantically invalid (unknown species, negative rate, duplicate name, ...).
 *
 * @example
 * ```ts
 * try { new ModelBuilder().reaction({ reactants: { Z: 1 }, products: {}, rate: 1 }).build(); }
 * catch (e) { if (e instanceof ModelError) console.error(e.message); }
 * ```
 */
export class ModelError extends Error {
  override name = 'ModelError';
}

/**
 * A syntax or semantic error in reaction-DSL text or in an expression, with its 1-based line and column.
 *
 * @example
 * ```ts
 * try { parseModel('X -> 2 X @'); } catch (e) { if (e instanceof ModelSyntaxError) console.log(e.line, e.column); }
 * ```
 */
export class ModelSyntaxError extends ModelError {
  override name = 'ModelSyntaxError';
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem. */
  readonly column: number;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(detail: string, line: number, column: number, source = 'model') {
    super(`${source}:${line}:${column}: ${detail}`);
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

/**
 * A failure while simulating: a rate law that evaluates to NaN, infinity or a negative propensity.
 *
 * @example
 * ```ts
 * try { simulate(model, { tEnd: 1, steps: 10, rng }); } catch (e) { if (e instanceof SimulationError) console.error(e.message); }
 * ```
 */
export class SimulationError extends Error {
  override name = 'SimulationError';
}

/**
 * An argument or option of a public function with a value outside its range (a non-positive step count, an unknown
 * method or species, ...). It extends `RangeError`, so `instanceof RangeError` keeps working; `argument` names the
 * offending argument (e.g. `steps`, `options.concentrations`).
 *
 * @example
 * ```ts
 * try { simulate(model, { tEnd: 1, steps: 0, rng }); } catch (e) { if (e instanceof ArgumentError) console.error(e.argument); }
 * ```
 */
export class ArgumentError extends RangeError {
  override name = 'ArgumentError';
  /** The name of the offending argument or option. */
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(message);
    this.argument = argument;
  }
}

/**
 * An argument of the wrong type (a model text that is not a string, an options value that is not an object, an
 * `rng` without `nextFloat64`, ...). It extends `TypeError`, so `instanceof TypeError` keeps working.
 *
 * @example
 * ```ts
 * try { parseModel(42 as never); } catch (e) { if (e instanceof ArgumentTypeError) console.error(e.argument); }
 * ```
 */
export class ArgumentTypeError extends TypeError {
  override name = 'ArgumentTypeError';
  /** The name of the offending argument or option. */
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(message);
    this.argument = argument;
  }
}
