/**
 * Light imports (issue #19 item 6): the lattice simulator, the Boltzmann machines and the closure must not load
 * mathjs (about a second to import) or the SBML parser. Counted, not timed: a child process imports the entry with
 * a module-resolution hook (scripts/loaded-modules.mjs) that lists every module resolved, sources included.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const script = join(root, 'scripts', 'loaded-modules.mjs');

interface Loaded {
  modules: number;
  packages: string[];
  urls: string[];
}

function loadedBy(specifier: string): Loaded {
  const out = execFileSync(process.execPath, ['--conditions=@srn/source', '--import', 'tsx', script, specifier], {
    cwd: join(here, '..'),
    encoding: 'utf8',
  });
  return JSON.parse(out) as Loaded;
}

const HEAVY = ['mathjs', 'fast-xml-parser'];
const LIGHT = ['zod', 'papaparse'];

describe('import cost', () => {
  it('the detector sees mathjs and the expression module when the full @srn/gillespie entry is imported', () => {
    // Without this control, a hook that saw nothing would pass every check below.
    const full = loadedBy('@srn/gillespie');
    expect(full.packages).toContain('mathjs');
    expect(full.urls.some((u) => u.endsWith('/gillespie/src/expression.ts'))).toBe(true);
  });

  for (const specifier of ['@srn/gillespie/rng', '@srn/gillespie/lattice', '@srn/boltzmann', '@srn/closure']) {
    it(`${specifier} loads neither mathjs nor the SBML parser`, () => {
      const loaded = loadedBy(specifier);
      expect(loaded.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
      expect(loaded.urls.filter((u) => /\/gillespie\/src\/(expression|dsl|compile|sbml)/.test(u))).toEqual([]);
      // Besides our own sources, only the two small libraries of the lattice entry: zod (the model-file schema, about
      // 0.08 s of CPU to import) and papaparse (the one CSV library, about 0.05 s). Nothing else, whatever it weighs.
      expect(loaded.packages.filter((p) => !LIGHT.includes(p))).toEqual([]);
      if (specifier === '@srn/gillespie/rng' || specifier === '@srn/boltzmann') expect(loaded.packages).toEqual([]);
      expect(loaded.modules).toBeGreaterThan(0);
    });
  }

  it('@srn/boltzmann loads nothing of the other srn packages and declares no run-time dependency on them', () => {
    const loaded = loadedBy('@srn/boltzmann');
    expect(loaded.urls.filter((u) => /\/packages\/(?!boltzmann\/)/.test(u))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'packages', 'boltzmann', 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => d.startsWith('@srn/'))).toEqual([]);
  });
});
