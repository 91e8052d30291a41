import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // soak tests run only under `npm run soak`
    exclude: process.env.MMSIM_SOAK === '1' ? ['node_modules/**'] : ['test/soak/**', 'node_modules/**'],
    testTimeout: 60000,
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Test files share a worker's module cache: importing the simulator once per worker instead
    // of once per file saved a fifth of the suite's CPU (164 s -> 117 s user). No test mocks
    // modules; the two that spy on performance.now restore it after each test.
    isolate: false,
    // One worker: each worker loads and compiles the whole simulator, and the budget is CPU
    // (README: npm test under about 2 minutes of it). The full suite measured 117 s of CPU
    // with two workers and 106.5 s with one; the mmsim processes the CLI tests start run on
    // the other core meanwhile.
    maxWorkers: 1,
  },
});
