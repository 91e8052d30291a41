import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // soak tests run only under `npm run soak`
    exclude: process.env.MMSIM_SOAK === '1' ? ['node_modules/**'] : ['test/soak/**', 'node_modules/**'],
    testTimeout: 60000,
    pool: 'forks',
  },
});
