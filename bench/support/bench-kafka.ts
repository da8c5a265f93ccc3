import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalKafka, type LocalKafka } from '../../src/dev/infra/local-kafka.ts';

export interface BenchKafka {
  readonly broker: string;
  /** The broker process when the benchmark started it (an outage needs it); undefined for KAFKA_BROKER. */
  readonly local: LocalKafka | undefined;
  readonly origin: 'env' | 'local';
  stop(): Promise<void>;
}

/**
 * The Kafka the benchmarks publish to: KAFKA_BROKER when set, else a real single-node broker
 * started here (the test bed's local Kafka, from the Maven jars) and stopped by `stop`.
 * `own: true` always starts one, for a benchmark that must stop and restart the broker.
 */
export const benchKafka = async (options: { readonly own?: boolean } = {}): Promise<BenchKafka> => {
  const given = process.env['KAFKA_BROKER'];
  if (options.own !== true && given !== undefined && given !== '')
    return { broker: given, local: undefined, origin: 'env', stop: () => Promise.resolve() };
  const dir = mkdtempSync(join(tmpdir(), 'tickflow-bench-kafka-'));
  const local = await startLocalKafka({ dir });
  return {
    broker: local.broker,
    local,
    origin: 'local',
    stop: async () => {
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
