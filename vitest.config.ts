import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Password hashing (scrypt, 32 MiB a try) takes seconds on a shared, busy machine.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A poll that names no timeout waits for a real engine on a shared, busy machine, not 1 s.
          expect: { poll: { timeout: 20_000 } },
          // Tests share one Docker engine; files run one at a time so they never race on it.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          expect: { poll: { timeout: 20_000 } },
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'image',
          include: ['test/image/**/*.test.ts'],
          // Builds a base image and the Dockerfile: minutes, not seconds.
          testTimeout: 300_000,
          hookTimeout: 2_700_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
