/**
 * `npm run infra -- up|down|status`: real Kafka and Redis for the demo, benchmarks and manual
 * runs, as local processes that outlive this command. State is kept in .tickflow/infra.json.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { kafkaAnswers, startLocalKafka } from '../src/dev/infra/local-kafka.ts';
import { startLocalRedis } from '../src/dev/infra/local-redis.ts';
import { portOpen } from '../src/dev/infra/free-port.ts';
import { isProcessAlive } from '../src/adapters/system/process-alive.ts';

const stateDir = join(process.cwd(), '.tickflow', 'infra');
const stateFile = join(stateDir, 'infra.json');

const StateC = t.type({
  kafka: t.type({ broker: t.string, pid: t.number }),
  redis: t.type({ url: t.string, pid: t.number }),
});
type State = t.TypeOf<typeof StateC>;

/** The state file, decoded; a file that is not one (hand-edited, truncated) counts as none. */
const readState = (): State | undefined => {
  if (!existsSync(stateFile)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
  const decoded = StateC.decode(json);
  return E.isRight(decoded) ? decoded.right : undefined;
};

const preferredPort = async (port: number): Promise<number | undefined> =>
  (await portOpen('127.0.0.1', port)) ? undefined : port;

const up = async (): Promise<void> => {
  const existing = readState();
  if (existing && isProcessAlive(existing.kafka.pid) && isProcessAlive(existing.redis.pid)) {
    console.log(`already up: KAFKA_BROKER=${existing.kafka.broker} REDIS_URL=${existing.redis.url}`);
    return;
  }
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const kafkaPort = await preferredPort(9092);
  const redisPort = await preferredPort(6379);
  const [kafka, redis] = await Promise.all([
    startLocalKafka({
      dir: join(stateDir, 'kafka'),
      detached: true,
      ...(kafkaPort ? { port: kafkaPort } : {}),
    }),
    startLocalRedis({
      dir: join(stateDir, 'redis'),
      detached: true,
      ...(redisPort ? { port: redisPort } : {}),
    }),
  ]);
  const state: State = {
    kafka: { broker: kafka.broker, pid: kafka.pid() ?? 0 },
    redis: { url: redis.url, pid: redis.pid() ?? 0 },
  };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  console.log(`up: KAFKA_BROKER=${state.kafka.broker} REDIS_URL=${state.redis.url}`);
};

const down = (): void => {
  const state = readState();
  if (!state) {
    console.log('nothing started by tickflow is running');
    return;
  }
  for (const pid of [state.kafka.pid, state.redis.pid]) if (isProcessAlive(pid)) process.kill(pid, 'SIGTERM');
  rmSync(stateDir, { recursive: true, force: true });
  console.log('down');
};

const status = async (): Promise<void> => {
  const state = readState();
  if (!state) {
    console.log('down');
    process.exitCode = 1;
    return;
  }
  const kafkaOk = isProcessAlive(state.kafka.pid) && (await kafkaAnswers(state.kafka.broker));
  const redisOk = isProcessAlive(state.redis.pid);
  console.log(
    `kafka ${state.kafka.broker}: ${kafkaOk ? 'up' : 'down'}; redis ${state.redis.url}: ${redisOk ? 'up' : 'down'}`,
  );
  if (!kafkaOk || !redisOk) process.exitCode = 1;
};

const command = process.argv[2];
switch (command) {
  case 'up':
    await up();
    break;
  case 'down':
    down();
    break;
  case 'status':
    await status();
    break;
  default:
    console.error('usage: npm run infra -- up|down|status');
    process.exitCode = 2;
}
