import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@srn/source'] },
  ssr: { resolve: { conditions: ['@srn/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
