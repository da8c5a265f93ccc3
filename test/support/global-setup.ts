import type { TestProject } from 'vitest/node';
import '../../src/adapters/kafka/kafkajs/quiet-kafkajs-timeout-warning.ts';
import { startTestBed, type TestBed } from '../../src/dev/infra/test-bed.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBroker: string;
    redisUrl: string;
  }
}

let bed: TestBed | undefined;

/** Starts real Kafka and Redis once for the integration project; a failure here fails the run. */
export async function setup(project: TestProject): Promise<void> {
  bed = await startTestBed();
  project.provide('kafkaBroker', bed.kafkaBroker);
  project.provide('redisUrl', bed.redisUrl);
  console.log(
    `[test-bed] Kafka ${bed.kafkaBroker} (${bed.origin.kafka}), Redis ${bed.redisUrl} (${bed.origin.redis})`,
  );
}

export async function teardown(): Promise<void> {
  await bed?.stop();
}
