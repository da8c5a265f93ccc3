import { defineConfig } from 'vitest/config';

/**
 * Test levels by file name (see the README): *.unit.spec.ts are pure and fast; *.int.spec.ts and
 * *.e2e.spec.ts use real Kafka, Redis and WebSockets on loopback, which the global setup starts.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.unit.spec.ts'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/**/*.int.spec.ts', 'test/**/*.e2e.spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // Tests use kafkajs directly too; keep its known Node 24 timer warning out of the output.
          setupFiles: ['src/adapters/kafka/kafkajs/quiet-kafkajs-timeout-warning.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Two cores: integration files share one broker; run them one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
