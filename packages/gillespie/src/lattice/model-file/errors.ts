/**
 * Errors of lattice model files: every message names the file, the line and column (text form) or the field path
 * (JSON form), what was expected and the value found.
 */
import { ModelError } from '../../errors.ts';

/** Where something is in a text model file (1-based). */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * A lattice model file that cannot be read: a syntax error, a value out of range, an undeclared species. `line` and
 * `column` are 1-based (0 when the file is JSON, whose errors name the field `path`, e.g. `reactions[2].rate`).
 *
 * @example
 * ```ts
 * try { parseLatticeModel('species: A\nA -> 0 @ -1', { source: 'm.lattice' }); }
 * catch (e) { if (e instanceof LatticeModelFileError) console.log(e.line, e.column, e.path); } // 2 10 'reactions[0].rate'
 * ```
 */
export class LatticeModelFileError extends ModelError {
  override name = 'LatticeModelFileError';
  /** File name (or `model`). */
  readonly source: string;
  /** 1-based line, 0 if unknown. */
  readonly line: number;
  /** 1-based column, 0 if unknown. */
  readonly column: number;
  /** Field path of the problem in the file's data (`''` for a syntax error). */
  readonly path: string;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(detail: string, options: { source: string; position?: SourcePosition | null; path?: string }) {
    const at = options.position ? `${options.source}:${options.position.line}:${options.position.column}` : options.source;
    super(`${at}: ${detail}`);
    this.source = options.source;
    this.line = options.position?.line ?? 0;
    this.column = options.position?.column ?? 0;
    this.path = options.path ?? '';
    this.detail = detail;
  }
}

/**
 * A model file run on a scheme it gives no numbers for (a contact reaction without `p` on the paper scheme, or
 * without `k` on the exact scheme). Never converted silently.
 *
 * @example
 * ```ts
 * try { latticeConfigFromFile(parsed, { scheme: 'exact' }); }
 * catch (e) { if (e instanceof LatticeSchemeError) console.log(e.reaction, e.scheme); }
 * ```
 */
export class LatticeSchemeError extends LatticeModelFileError {
  override name = 'LatticeSchemeError';
  /** Index of the reaction in the file's reaction list. */
  readonly reaction: number;
  /** The scheme that was asked for. */
  readonly scheme: 'paper' | 'exact';

  constructor(detail: string, options: { source: string; position?: SourcePosition | null; path?: string; reaction: number; scheme: 'paper' | 'exact' }) {
    super(detail, options);
    this.reaction = options.reaction;
    this.scheme = options.scheme;
  }
}

/**
 * A field path as written in messages.
 *
 * @example
 * ```ts
 * formatFieldPath(['reactions', 2, 'rate']); // 'reactions[2].rate'
 * ```
 */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
