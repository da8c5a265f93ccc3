import { either as E } from 'fp-ts';
import { join, resolve } from 'node:path';
import { decodeKafkaSinkSettings, type KafkaSinkSettings } from '../../../adapters/kafka/kafka-settings.ts';
import type { ClusterSettings } from '../../../adapters/cluster/cluster-settings.ts';
import type { RedisCommandBusSettings } from '../../../adapters/redis/redis-settings.ts';
import type { EventLogSettings } from '../../../adapters/event-log/event-log-settings.ts';
import { decodeConfig, type AppConfig, type Mode } from './app-config.ts';
import { rawValue, type Env } from './setting.ts';

/** Everything a run needs, decoded once from the environment, then passed down and never re-read. */
export interface ServiceConfig {
  readonly app: AppConfig;
  readonly kafka: KafkaSinkSettings;
  readonly redis: RedisCommandBusSettings;
  readonly eventLog: EventLogSettings;
  /** Set with CLUSTER_GROUP: this instance follows only the shards its group assigns it (issue 16). */
  readonly cluster: ClusterSettings | undefined;
}

/** Keeps the first complaint about each variable, so one bad value gives one line. */
const oneLinePerVariable = (lines: readonly string[]): string[] => {
  const seen = new Set<string>();
  return lines.filter((line) => {
    const name = line.split(':')[0] ?? line;
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
};

/**
 * The application settings (src/app/root/config/settings.ts) and the Kafka sink's own
 * (src/adapters/kafka/kafka-settings.ts), decoded together; every bad variable is reported.
 * `KAFKA_BROKER` and `TICK_TOPIC` are read once, by the application settings, so their defaults
 * (`kafka:9092`, `market_ticks`) hold for the sink too; the journal lives under DATA_DIR. Relative
 * folders are taken against `cwd` here, once (the call sites pass process.cwd()).
 */
export const decodeServiceConfig = (
  env: Env,
  mode: Mode,
  cwd: string = process.cwd(),
): E.Either<readonly string[], ServiceConfig> => {
  const app = decodeConfig(env, mode, cwd);
  const dataDir = E.isRight(app) ? app.right.dataDir : resolve(cwd, '.tickflow');
  const journalDir = env['SINK_JOURNAL_DIR'];
  // The SASL password may come from a file too (Docker and Kubernetes secrets), like every secret.
  const saslPassword = rawValue(env, 'KAFKA_SASL_PASSWORD');
  const kafkaEnv: Env = {
    ...env,
    KAFKA_SASL_PASSWORD: E.isRight(saslPassword) ? saslPassword.right : undefined,
    KAFKA_BROKER: E.isRight(app) ? app.right.kafkaBroker.join(',') : env['KAFKA_BROKER'],
    TICK_TOPIC: E.isRight(app) ? app.right.tickTopic : env['TICK_TOPIC'],
    SINK_JOURNAL_DIR:
      journalDir === undefined || journalDir.trim() === ''
        ? join(dataDir, 'tick-journal')
        : resolve(cwd, journalDir.trim()),
  };
  const kafka = decodeKafkaSinkSettings(kafkaEnv);
  const errors = [
    ...(E.isLeft(app) ? app.left : []),
    ...(E.isLeft(kafka) ? kafka.left.map((e) => e.message) : []),
  ];
  if (E.isLeft(app) || E.isLeft(kafka) || errors.length > 0) return E.left(oneLinePerVariable(errors));
  const a = app.right;
  return E.right(
    Object.freeze({
      app: a,
      kafka: kafka.right,
      redis: Object.freeze({
        url: a.redisUrl,
        channel: a.commandChannel,
        heartbeatMs: a.redisHeartbeatMs,
        timeoutMs: a.redisTimeoutMs,
        ...(a.redisUsername === undefined ? {} : { username: a.redisUsername }),
        ...(a.redisPassword === undefined ? {} : { password: a.redisPassword }),
        ...(a.redisTlsCaFile === undefined ? {} : { tlsCaFile: a.redisTlsCaFile }),
      }),
      eventLog: Object.freeze({
        kind: a.eventLog,
        dir: a.eventLogDir ?? join(a.dataDir, 'events'),
        topic: a.eventLogTopic,
      }),
      cluster:
        a.clusterGroup === undefined
          ? undefined
          : Object.freeze({
              group: a.clusterGroup,
              topic: a.clusterTopic,
              shards: a.clusterShards,
              sessionTimeoutMs: a.clusterSessionTimeoutMs,
            }),
    }),
  );
};
