import { tmpdir } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests keep their repositories in the temp folder; the app's default allowed root is home.
    env: { AGENT_AGENCY_ALLOWED_ROOTS: tmpdir() },
  },
});
