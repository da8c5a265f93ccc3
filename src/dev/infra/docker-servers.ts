import { GenericContainer, Wait } from 'testcontainers';
import { freePort } from './free-port.ts';

/** Images used when a Docker engine is available (same as docker-compose.yml). */
export const KAFKA_IMAGE = 'apache/kafka:4.1.1';
export const REDIS_IMAGE = 'redis:7.4-alpine';

/**
 * Kafka in a container. The host port is chosen first and mapped 1:1 in the advertised listener,
 * so clients outside the container reach the address the broker advertises.
 */
export const startDockerKafka = async (): Promise<{ broker: string; stop(): Promise<void> }> => {
  const port = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    broker: `127.0.0.1:${port}`,
    stop: async () => {
      await container.stop();
    },
  };
};

export const startDockerRedis = async (): Promise<{ url: string; stop(): Promise<void> }> => {
  const container = await new GenericContainer(REDIS_IMAGE)
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    stop: async () => {
      await container.stop();
    },
  };
};
