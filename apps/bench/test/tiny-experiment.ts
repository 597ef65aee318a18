/**
 * Shared by the issue #20 tests: the smallest experiment the pipeline accepts (8 x 8 lattice, 12 time points, a few
 * runs, chains and steps: about two seconds end to end) and an in-process CLI call that captures exit code and output.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../src/cli.ts';

/** `lv all` options of the tiny experiment. */
export const TINY_ARGS = [
  '--size', '8', '--time-steps', '12', '--train-runs', '2', '--heldout-runs', '4', '--window', '3', '--horizon-start', '3',
  '--asleep-chains', '2', '--awake-sweeps', '1', '--asleep-sweeps', '1', '--train-steps', '4', '--passes', '1',
  '--checkpoint-every', '2', '--chains', '4', '--sweeps', '1', '--taps', '3', '--workers', '1', '--seed', '5',
];

/** Runs the CLI in this process; returns the exit code and what it printed. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path, `${prefix}${name}/`) : [`${prefix}${name}`];
    })
    .sort();
}

/**
 * True when a failed command's output is one of the CLI's own typed errors: a usage error (exit 2) or a failure
 * printed as `srn-bench CMD: error: ...` (exit 1). An untyped exception prints its class (`TypeError: ...`) instead.
 */
export function isTypedFailure(result: { code: number; stderr: string }): boolean {
  if (result.code === 2) return /^srn-bench [a-z ]+: /.test(result.stderr) && !/\b(TypeError|RangeError|SyntaxError|ReferenceError)\b/.test(result.stderr);
  if (result.code === 1) return /^srn-bench [a-z ]+: error: /.test(result.stderr);
  return false;
}
