import { describeKafkaSinkSettings } from '../../../adapters/kafka/kafka-settings.ts';
import { describeConfig } from './app-config.ts';
import type { ServiceConfig } from './service-config.ts';

const nameOf = (line: string): string => line.slice(0, line.indexOf('='));

/**
 * What `--check-config` prints: every variable tickflow reads, one `NAME=value` line each, as the
 * run will use it: secrets and URL credentials masked, folders derived from DATA_DIR as derived
 * (EVENT_LOG_DIR), the Kafka sink's settings (KAFKA_*, SINK_*) after the application's.
 */
export const describeServiceConfig = (config: ServiceConfig): string[] => {
  const derived = new Map([['EVENT_LOG_DIR', config.eventLog.dir]]);
  const app = describeConfig(config.app).map((line) => {
    const value = derived.get(nameOf(line));
    return value === undefined ? line : `${nameOf(line)}=${value}`;
  });
  const named = new Set(app.map(nameOf));
  // KAFKA_BROKER and TICK_TOPIC are application settings, handed to the sink: listed once.
  return [...app, ...describeKafkaSinkSettings(config.kafka).filter((line) => !named.has(nameOf(line)))];
};
