/**
 * Comments of the line-based text formats (the reaction DSL and lattice model files): `#` or `//` to the end of the
 * line. A module of its own so the lattice model-file parser shares it without loading the DSL (and mathjs).
 */

/**
 * The part of `line` before its comment.
 *
 * @example
 * ```ts
 * stripComment('X -> 0 @ 1  # decay'); // 'X -> 0 @ 1  '
 * ```
 */
export function stripComment(line: string): string {
  let end = line.length;
  const hash = line.indexOf('#');
  if (hash >= 0) end = hash;
  const slashes = line.indexOf('//');
  if (slashes >= 0 && slashes < end) end = slashes;
  return line.slice(0, end);
}
