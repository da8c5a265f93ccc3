/**
 * What the consumer is told through its environment, checked before it connects anywhere;
 * `windowPerToken` is how many tick ids it remembers per token (see RecentTickIds).
 */
export interface ConsumerSettings {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly windowPerToken: number;
}

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

const text = (env: NodeJS.ProcessEnv, name: string, fallback: string): string => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? fallback : value;
};

/** The settings, or one line per problem found. */
export const readSettings = (
  env: NodeJS.ProcessEnv,
): { readonly settings: ConsumerSettings } | { readonly problems: readonly string[] } => {
  const problems: string[] = [];
  const brokers = text(env, 'KAFKA_BROKER', 'localhost:9092')
    .split(',')
    .map((b) => b.trim());
  if (!brokers.every((b) => HOST_PORT.test(b)))
    problems.push(`KAFKA_BROKER: expected host:port[,host:port...], got "${brokers.join(',')}"`);
  const topic = text(env, 'TICK_TOPIC', 'market_ticks');
  if (!TOPIC.test(topic)) problems.push(`TICK_TOPIC: not a Kafka topic name: "${topic}"`);
  const groupId = text(env, 'GROUP_ID', 'tick-dedupe-example');
  const windowText = text(env, 'DEDUPE_WINDOW', '4096');
  const windowPerToken = Number(windowText);
  if (!/^\d+$/.test(windowText) || windowPerToken < 1 || windowPerToken > 1_000_000)
    problems.push(`DEDUPE_WINDOW: expected an integer from 1 to 1000000, got "${windowText}"`);
  return problems.length > 0 ? { problems } : { settings: { brokers, topic, groupId, windowPerToken } };
};
