import { either as E } from 'fp-ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { decodeKafkaSinkSettings } from '../../../src/adapters/kafka/kafka-settings.ts';
import { startKafkaRecordPublishers } from '../../../src/adapters/kafka/start-kafka-record-publishers.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { TickJournal } from '../../../src/adapters/tick-journal/tick-journal.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { MinuteBar } from '../../../src/domain/minute-bars.ts';
import { epochMs, rupees } from '../../../src/domain/units.ts';
import { candleRecord } from '../../../src/ports/control-records/candle-record.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const bar = (minute: number): MinuteBar => ({
  token: instrumentToken(2885),
  start: epochMs(Date.parse('2026-11-19T10:00:00+05:30') + minute * 60_000),
  open: rupees(1500),
  high: rupees(1502),
  low: rupees(1499),
  close: rupees(1501),
  volume: 300,
  ticks: 12,
  complete: true,
});

describe('control records carry their schema-version header, journal included', () => {
  it('a journal written before records had a version replays, each record with schema-version 1, beside new ones', async () => {
    const broker = inject('kafkaBroker');
    const topic = `candles-${randomUUID().slice(0, 8)}`;
    const journalDir = mkdtempSync(join(tmpdir(), 'tickflow-control-versions-'));
    dirs.push(journalDir);
    const decoded = decodeKafkaSinkSettings({ KAFKA_BROKER: broker, KAFKA_TOPIC_PARTITIONS: '2' });
    if (E.isLeft(decoded)) throw new Error(decoded.left.map((e) => e.message).join('; '));
    const settings = decoded.right;

    // What an earlier tickflow left in the topic's journal: key and value only, as it wrote them.
    const old = await TickJournal.open({ ...settings.journal, dir: join(journalDir, topic) });
    const placed = old.append(
      Buffer.from(JSON.stringify([0, 1].map((m) => ({ key: '2885', value: candleRecord(bar(m)).value })))),
    );
    if (placed === 'full') throw new Error('journal full');
    await placed.durable;
    await old.close();

    const { candles } = await startKafkaRecordPublishers(
      settings,
      { candles: topic },
      { logger: new MemoryLogger(), metrics: new MemoryMetrics() },
      { journalDir },
    );
    await candles.publish([candleRecord(bar(2))]);
    await candles.close();

    const records = await expectTopicMatchesSchema(broker, topic, 'candles');
    expect(records.map((r) => [r.headers['schema-version'], r.value['start']])).toEqual(
      [0, 1, 2].map((m) => ['1', bar(m).start]),
    );
  });
});
