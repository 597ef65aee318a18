// Runs the TypeScript examples of a package README inside that package's test suite, so every example in the docs
// is complete and runs. Used by packages/*/test/readme.test.ts; see scripts/readme-examples.d.mts for the types.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The ```ts fenced blocks of a Markdown file, with the line each starts on (1-based). */
export function readmeExamples(readmePath) {
  const lines = readFileSync(readmePath, 'utf8').split('\n');
  const examples = [];
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (start < 0 && /^```ts\s*$/.test(lines[i])) start = i;
    else if (start >= 0 && /^```\s*$/.test(lines[i])) {
      examples.push({ line: start + 1, code: lines.slice(start + 1, i).join('\n') });
      start = -1;
    }
  }
  return examples;
}

/**
 * Writes an example into `<packageDir>/test/.readme-examples/` and imports it (vitest transforms the TypeScript).
 * Imports of the package's own name are pointed at its sources (the `@srn/source` entry of each export), since a
 * workspace package is not installed into its own node_modules.
 */
export async function runReadmeExample(example, packageDir) {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const dir = join(packageDir, 'test', '.readme-examples');
  mkdirSync(dir, { recursive: true });
  const code = example.code.replace(/(from\s+)(['"])([^'"]+)\2/g, (whole, from, quote, specifier) => {
    if (specifier !== pkg.name && !specifier.startsWith(`${pkg.name}/`)) return whole;
    const entry = pkg.exports?.[`.${specifier.slice(pkg.name.length)}`]?.['@srn/source'];
    if (!entry) return whole;
    const target = relative(dir, join(packageDir, entry)).replaceAll('\\', '/');
    return `${from}${quote}${target.startsWith('.') ? target : `./${target}`}${quote}`;
  });
  const file = join(dir, `readme-line-${example.line}.ts`);
  writeFileSync(file, `${code}\nexport {};\n`);
  try {
    return await import(file);
  } finally {
    rmSync(file, { force: true });
    try {
      rmSync(dirname(file), { recursive: false });
    } catch {
      // other examples still running
    }
  }
}

/**
 * Declares one vitest test per TypeScript example of the README of the package at `packageDirUrl` (a file: URL of
 * the package directory, e.g. `new URL('..', import.meta.url)` from its test folder).
 */
export function describeReadmeExamples(packageDirUrl) {
  const packageDir = fileURLToPath(packageDirUrl);
  const examples = readmeExamples(join(packageDir, 'README.md'));
  describe('README examples', () => {
    it('has examples', () => {
      expect(examples.length).toBeGreaterThan(0);
    });
    for (const example of examples) {
      it(`the example at README.md line ${example.line} runs`, async () => {
        await runReadmeExample(example, packageDir);
      });
    }
  });
}
