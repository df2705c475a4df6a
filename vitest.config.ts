import { defineConfig } from 'vitest/config';

// Three projects, one per kind of test (README "Tests"):
// - unit: pure code, no processes and no sockets (npm run test:unit, under 20 s);
// - integration: real HTTP to the simulated cluster through client-node, real git and kubectl;
// - e2e: the built binary (npm run build first), as a user runs it.
// `npm test` builds, type-checks and runs all three.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'], pool: 'threads', isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], pool: 'forks' } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], pool: 'forks' } },
    ],
  },
});
