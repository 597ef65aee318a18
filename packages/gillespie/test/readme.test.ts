import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeExamples, runReadmeExample } from '../../../scripts/readme-examples.mjs';

// Every TypeScript example of the README runs as written (each sized to take seconds).
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const examples = readmeExamples(`${packageDir}README.md`);

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
