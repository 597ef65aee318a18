/**
 * Start-up of the lattice commands (issue #21): `lv ...`, `closure ...` and `lattice simulate` must not load mathjs
 * (about a second of CPU to import; only the reaction DSL and SBML need it) or the queue client (bullmq, only with
 * --queue). Counted, not timed: a child process imports the command module with the module-resolution hook of
 * scripts/loaded-modules.mjs, which lists every module resolved.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '..', '..', '..', 'scripts', 'loaded-modules.mjs');

function packagesLoadedBy(module: string): string[] {
  const out = execFileSync(process.execPath, ['--conditions=@srn/source', '--import', 'tsx', script, module], { cwd: join(here, '..'), encoding: 'utf8' });
  return (JSON.parse(out) as { packages: string[] }).packages;
}

describe('start-up cost of the commands', () => {
  it('the detector sees mathjs when the reaction-DSL command is imported (the control)', () => {
    expect(packagesLoadedBy('./src/commands/simulate.ts')).toContain('mathjs');
  });

  for (const command of ['closure', 'lv-all', 'lv-simulate', 'lv-train', 'lv-predict', 'lattice-simulate']) {
    it(`${command} loads neither mathjs nor the queue client`, () => {
      const loaded = packagesLoadedBy(`./src/commands/${command}.ts`);
      expect(loaded.filter((p) => ['mathjs', 'bullmq'].includes(p))).toEqual([]);
    });
  }

  // The report renders its figures in a worker thread (src/closure/figure-thread.ts, issue #21 item 6): the thread
  // that runs the pipeline must not load the renderers (tens of MB it would keep to the end of the process).
  for (const command of ['lv-all', 'lv-report', 'closure']) {
    it(`${command} does not load vega, vega-lite or resvg in the command's own thread`, () => {
      const loaded = packagesLoadedBy(`./src/commands/${command}.ts`);
      expect(loaded.filter((p) => ['vega', 'vega-lite', '@resvg/resvg-js'].includes(p))).toEqual([]);
    });
  }

  it('the detector names the renderers as the test above filters them (the control)', () => {
    expect(packagesLoadedBy('vega-lite')).toContain('vega-lite');
    expect(packagesLoadedBy('@resvg/resvg-js')).toContain('@resvg/resvg-js');
  });
});
