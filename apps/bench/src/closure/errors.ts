/**
 * Errors of the experiment's stages. The CLI prints their message and exits non-zero; none of them deletes files.
 */

/** A missing, corrupt, stale or inconsistent input file; the message names the file and what to rerun. */
export class LvInputError extends Error {
  override name = 'LvInputError';
}

/** A stage stopped by Ctrl-C (or an abort signal) after leaving a resumable state; the message says how to resume. */
export class LvInterruptedError extends Error {
  override name = 'LvInterruptedError';
}

/** A part of `@srn/closure` the stage needs does not exist (yet); the message names it. */
export class LvMissingCapabilityError extends Error {
  override name = 'LvMissingCapabilityError';
}
