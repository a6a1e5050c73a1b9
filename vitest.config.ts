import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The commune list (35,000 entries) is built once per worker; 2 cores, 2 workers.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
