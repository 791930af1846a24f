import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // limits that only catch a hang: every test and hook takes a small fraction of them, even on
    // a loaded 2-core machine (a verdict never depends on load)
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // concurrent tests (the crash test's kill points: child processes) run two at a time
    maxConcurrency: 2,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // re-exports and type-only modules have no code to run
      exclude: ['src/index.ts', 'src/ports/lock-driver.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 95, branches: 90, statements: 95, functions: 90 },
    },
  },
});
