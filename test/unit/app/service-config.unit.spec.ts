import { either as E } from 'fp-ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeServiceConfig } from '../../../src/app/config/service-config.ts';

const live = { MSTOCK_USER: 'u', MSTOCK_PASS: 'p', MSTOCK_API_KEY: 'k' };

describe('service configuration', () => {
  it('gives the Kafka sink the seed defaults and keeps local state under DATA_DIR', () => {
    const r = decodeServiceConfig({ ...live, DATA_DIR: '/var/lib/tickflow' }, 'live');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(r.right.kafka.brokers).toEqual(['kafka:9092']);
    expect(r.right.kafka.topic).toBe('market_ticks');
    expect(r.right.kafka.journal.dir).toBe('/var/lib/tickflow/tick-journal');
    expect(r.right.eventLog.dir).toBe('/var/lib/tickflow/events');
    expect(r.right.redis).toMatchObject({ url: 'redis://127.0.0.1:6379', channel: 'system:commands' });
  });

  it('passes KAFKA_BROKER and TICK_TOPIC through to the sink', () => {
    const r = decodeServiceConfig({ ...live, KAFKA_BROKER: 'a:1,b:2', TICK_TOPIC: 'ticks_x' }, 'live');
    expect(E.isRight(r) && [r.right.kafka.brokers, r.right.kafka.topic]).toEqual([['a:1', 'b:2'], 'ticks_x']);
  });

  it('reads the SASL password from KAFKA_SASL_PASSWORD_FILE', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sasl-')), 'pw');
    writeFileSync(file, 'hunter2\n');
    const r = decodeServiceConfig(
      {
        ...live,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD_FILE: file,
      },
      'live',
    );
    expect(E.isRight(r) && r.right.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'svc',
      password: 'hunter2',
    });
  });

  it('reports one line per bad variable, from both decoders', () => {
    const r = decodeServiceConfig(
      { ...live, KAFKA_BROKER: 'nope', KAFKA_BATCH_MAX_TICKS: 'many', LOG_LEVEL: 'x' },
      'live',
    );
    expect(E.isLeft(r) && [...r.left].sort()).toEqual([
      expect.stringMatching(/^KAFKA_BATCH_MAX_TICKS: /),
      expect.stringMatching(/^KAFKA_BROKER: /),
      expect.stringMatching(/^LOG_LEVEL: /),
    ]);
  });
});
