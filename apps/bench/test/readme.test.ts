import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CommandSpec, parseCommandLine } from '../src/args.ts';
import { main } from '../src/cli.ts';
import { closureAllSpec } from '../src/commands/closure.ts';
import { lvAllSpec } from '../src/commands/lv-all.ts';
import { lvPredictSpec } from '../src/commands/lv-predict.ts';
import { lvReportSpec } from '../src/commands/lv-report.ts';
import { lvSimulateSpec } from '../src/commands/lv-simulate.ts';
import { lvTrainSpec } from '../src/commands/lv-train.ts';
import { simulateSpec } from '../src/commands/simulate.ts';

// The command lines of the README (```sh blocks, `npm run srn-bench -- ...`). Every one must parse against its
// command's declared options; the `simulate` ones run as written (seconds) with --out pointed at a scratch folder.
// The `lv` ones take minutes (the quick preset is 2-4 minutes) and are only parsed here; lv-pipeline.test.ts runs the
// same stages at test size.
const specs: CommandSpec[] = [simulateSpec, closureAllSpec, lvAllSpec, lvSimulateSpec, lvTrainSpec, lvPredictSpec, lvReportSpec];
const repoRoot = new URL('../../../', import.meta.url).pathname;
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const lines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split('\n'))
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line.startsWith('npm run srn-bench -- '))
  .map((line) => line.slice('npm run srn-bench -- '.length).split(/\s+/));

function specOf(argv: string[]): { spec: CommandSpec; rest: string[] } | undefined {
  const matches = specs.filter((spec) => spec.name.split(' ').every((word, i) => argv[i] === word));
  const spec = matches.sort((a, b) => b.name.length - a.name.length)[0];
  return spec && { spec, rest: argv.slice(spec.name.split(' ').length) };
}

describe('README command lines', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('has simulate and lv examples', () => {
    expect(lines.some((argv) => argv[0] === 'simulate')).toBe(true);
    expect(lines.some((argv) => argv[0] === 'lv')).toBe(true);
  });

  for (const argv of lines) {
    it(`parses: srn-bench ${argv.join(' ')}`, () => {
      if (argv[0] === '--help') return;
      const found = specOf(argv);
      expect(found, argv.join(' ')).toBeDefined();
      expect(() => parseCommandLine(found!.rest, found!.spec)).not.toThrow();
    });
  }

  for (const argv of lines.filter((a) => a[0] === 'simulate')) {
    it(`runs: srn-bench ${argv.join(' ')}`, async () => {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const out = mkdtempSync(join(tmpdir(), 'srn-readme-'));
      const args = argv.map((a, i) => (argv[i - 1] === '--out' ? out : i === 1 ? join(repoRoot, a) : a));
      expect(await main(args)).toBe(0);
      expect(readdirSync(out)).toContain('moments.csv');
    });
  }
});
