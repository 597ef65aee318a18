/**
 * Internal argument checks shared by the public API (not exported from the package entry).
 *
 * @packageDocumentation
 */

/**
 * Short printable form of a bad value for error messages.
 *
 * @example
 * ```ts
 * show([1, 2]); // '[1, 2]'
 * ```
 */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as unknown as { length: number }).length})`;
  if (Array.isArray(value)) return value.length <= 8 ? `[${value.map(show).join(', ')}]` : `array(length ${value.length})`;
  if (typeof value === 'function') return 'function';
  return 'object';
}

/**
 * An integer ≥ min (and ≤ max when given).
 *
 * @example
 * ```ts
 * checkInt(3, 'options.chains', 1); // 3
 * ```
 */
export function checkInt(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${name} must be an integer ${range}; got ${show(value)}`);
  }
  return value;
}

/**
 * A finite number in [min, max].
 *
 * @example
 * ```ts
 * checkNum(0.5, 'config.lambda', 0, 1); // 0.5
 * ```
 */
export function checkNum(value: unknown, name: string, min = -Number.MAX_VALUE, max = Number.MAX_VALUE): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new RangeError(`${name} must be a finite number in [${min}, ${max}]; got ${show(value)}`);
  }
  return value;
}

/**
 * A finite number > 0.
 *
 * @example
 * ```ts
 * checkPositive(0.1, 'config.spacing'); // 0.1
 * ```
 */
export function checkPositive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw new RangeError(`${name} must be a finite number > 0; got ${show(value)}`);
  }
  return value;
}

/**
 * One of the allowed string values.
 *
 * @example
 * ```ts
 * checkEnum('sgd', 'config.optimizer', ['sgd', 'adam']); // 'sgd'
 * ```
 */
export function checkEnum<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${show(value)}`);
  }
  return value as T;
}

/**
 * A plain object (or undefined → {}).
 *
 * @example
 * ```ts
 * checkObject(undefined, 'options'); // {}
 * ```
 */
export function checkObject<T extends object>(value: T | undefined, name: string): T | Record<string, never> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object; got ${show(value)}`);
  }
  return value;
}

/**
 * Checks an Rng-like object.
 *
 * @example
 * ```ts
 * checkRngLike(createRng(1), 'rng');
 * ```
 */
export function checkRngLike(rng: unknown, name: string): void {
  if (
    rng === null ||
    typeof rng !== 'object' ||
    typeof (rng as { nextUint32?: unknown }).nextUint32 !== 'function' ||
    typeof (rng as { nextFloat64?: unknown }).nextFloat64 !== 'function'
  ) {
    throw new TypeError(`${name} must be an Rng (e.g. createRng(seed) from @srn/gillespie); got ${show(rng)}`);
  }
}
