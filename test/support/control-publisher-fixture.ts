// Publishes `count` control records through a journaled KafkaRecordPublisher and says "published",
// then waits to be killed: `node control-publisher-fixture.ts <broker> <topic> <journalDir> <count>`.
import { either as E } from 'fp-ts';
import { decodeKafkaSinkSettings } from '../../src/adapters/kafka/kafka-settings.ts';
import { startKafkaRecordPublishers } from '../../src/adapters/kafka/start-kafka-record-publishers.ts';
import { MemoryLogger } from '../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../src/adapters/memory/memory-metrics.ts';

const [broker = '', topic = '', journalDir = '', count = '0'] = process.argv.slice(2);
const settings = decodeKafkaSinkSettings({
  KAFKA_BROKER: broker,
  KAFKA_TOPIC_PARTITIONS: '2',
  KAFKA_REQUEST_TIMEOUT_MS: '2000',
  KAFKA_CONNECTION_TIMEOUT_MS: '500',
});
if (E.isLeft(settings)) throw new Error('bad settings');
const { q } = await startKafkaRecordPublishers(
  settings.right,
  { q: topic },
  { logger: new MemoryLogger(), metrics: new MemoryMetrics() },
  { journalDir },
);
process.stdout.write('started\n');
// Wait for the test to stop the broker, then publish into the outage.
process.stdin.once('data', () => {
  for (let i = 0; i < Number(count); i++)
    void q.publish([{ key: String(i % 3), value: `{"n":${i}}`, schemaVersion: 1 }]).catch(() => undefined);
  // Past the journal's group fsync (SINK_JOURNAL_FSYNC_MS, 10 ms by default).
  setTimeout(() => process.stdout.write('published\n'), 200);
});
setInterval(() => undefined, 1000);
