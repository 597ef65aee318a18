/** Test helper: captures what the CLI writes to stdout and stderr (restore with `vi.restoreAllMocks()`). */
import { vi } from 'vitest';

/**
 * Replaces process.stdout.write and process.stderr.write with recorders.
 *
 * @example
 * ```ts
 * const io = capture();
 * await main(['lattice', 'check', 'model.lattice']);
 * io.text(); // what went to stdout
 * ```
 */
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  return { out, err, text: () => out.join(''), errors: () => err.join('') };
}
