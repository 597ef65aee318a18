import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every workspace package uses: resolve sibling packages to their TypeScript sources (the
 * `@srn/source` export condition, also in Vite's SSR environment), and write a JSON report that
 * `scripts/test.mjs` sums into the final `N passed, N failed` line.
 */
export default defineConfig({
  resolve: { conditions: ['@srn/source'] },
  ssr: { resolve: { conditions: ['@srn/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
