import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KafkaLink, OUTAGE_NOTICE_EVERY_MS } from '../../../src/adapters/kafka/kafka-link.ts';
import { KafkaSinkStartError } from '../../../src/adapters/kafka/kafka-start-error.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { epochMs } from '../../../src/domain/units.ts';

const T0 = Date.UTC(2026, 11, 3, 4, 0, 0);

describe('KafkaLink', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const clock = { now: () => epochMs(Date.now()) };

  it('is unreachable from its start until Kafka answers, in its status and gauges', () => {
    const metrics = new MemoryMetrics();
    const link = new KafkaLink({ clock, logger: new MemoryLogger(), metrics });
    expect(link.status()).toEqual({ connected: false, unreachableSince: T0 });
    expect(metrics.value('kafka_connected')).toBe(0);
    expect(metrics.value('kafka_unreachable_since_seconds')).toBe(T0 / 1000);
    vi.advanceTimersByTime(5000);
    link.answered();
    expect(link.status()).toEqual({ connected: true, unreachableSince: undefined });
    expect(metrics.value('kafka_connected')).toBe(1);
    expect(metrics.value('kafka_unreachable_since_seconds')).toBe(0);
    vi.advanceTimersByTime(1000);
    link.unreachable();
    expect(link.status().unreachableSince).toBe(T0 + 6000);
    link.close();
  });

  it('says every 30 s how long Kafka has been gone and what waits in the journal', () => {
    const logger = new MemoryLogger();
    const link = new KafkaLink({ clock, logger });
    link.describeBacklogWith(() => ({ journalRecords: 12, journalBytes: 3400, oldestAgeMs: 61_000 }));
    vi.advanceTimersByTime(OUTAGE_NOTICE_EVERY_MS * 2);
    const notices = logger.records.filter((r) => r.message.startsWith('Kafka unreachable for'));
    expect(notices.map((r) => r.message)).toEqual([
      'Kafka unreachable for 30 s; ticks wait in the journal',
      'Kafka unreachable for 60 s; ticks wait in the journal',
    ]);
    expect(notices[1]?.fields).toMatchObject({
      since: new Date(T0).toISOString(),
      journalRecords: 12,
      journalBytes: 3400,
      oldestTickAgeSeconds: 61,
    });
    link.answered();
    vi.advanceTimersByTime(OUTAGE_NOTICE_EVERY_MS);
    expect(logger.records.filter((r) => r.message.startsWith('Kafka unreachable for'))).toHaveLength(2);
    link.close();
  });

  it('fails once, with the refusal, which `fatal` rejects with', async () => {
    const link = new KafkaLink({ clock, logger: new MemoryLogger(), connected: true });
    const refusal = new KafkaSinkStartError(
      'TopicNotCreated',
      'KAFKA_REPLICATION_FACTOR',
      'cannot create topic',
    );
    link.fail(refusal);
    link.fail(new KafkaSinkStartError('TopicNotDescribable', 'TICK_TOPIC', 'other'));
    await expect(link.fatal).rejects.toBe(refusal);
    expect(link.failed).toBe(refusal);
    link.close();
  });
});
