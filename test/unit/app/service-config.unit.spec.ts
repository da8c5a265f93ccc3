import { either as E } from 'fp-ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KAFKA_SINK_ENV } from '../../../src/adapters/kafka/kafka-settings.ts';
import { describeServiceConfig } from '../../../src/app/root/config/describe-service-config.ts';
import { decodeServiceConfig } from '../../../src/app/root/config/service-config.ts';

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

  it('puts the journal and the event log under an absolute DATA_DIR, from a relative one', () => {
    const r = decodeServiceConfig({ ...live, DATA_DIR: 'data', SINK_JOURNAL_DIR: 'j' }, 'live', '/home/op');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(r.right.app.dataDir).toBe('/home/op/data');
    expect(r.right.eventLog.dir).toBe('/home/op/data/events');
    expect(r.right.kafka.journal.dir).toBe('/home/op/j');
    const byDefault = decodeServiceConfig(live, 'live', '/home/op');
    expect(E.isRight(byDefault) && byDefault.right.kafka.journal.dir).toBe('/home/op/.tickflow/tick-journal');
  });

  it('says what is wrong in one form in both decoders: expected ... (got "...")', () => {
    const r = decodeServiceConfig({ ...live, LOG_LEVEL: 'loud', KAFKA_BATCH_MAX_TICKS: 'many' }, 'live');
    expect(E.isLeft(r) && [...r.left].sort()).toEqual([
      'KAFKA_BATCH_MAX_TICKS: expected an integer from 1 to 100000 (got "many")',
      'LOG_LEVEL: expected one of debug|info|warn|error (got "loud")',
    ]);
  });
});

describe('tickflow live --check-config', () => {
  const printed = (env: Record<string, string>): string => {
    const r = decodeServiceConfig({ ...live, ...env }, 'live', '/home/op');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    return describeServiceConfig(r.right).join('\n');
  };

  it('masks the Redis URL password and the SASL password', () => {
    const text = printed({
      REDIS_URL: 'redis://ops:R3dis-pw@redis:6379',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'K4fka-pw',
    });
    expect(text).toContain('REDIS_URL=redis://ops:****@redis:6379');
    expect(text).toContain('KAFKA_SASL_USERNAME=svc');
    expect(text).toContain('KAFKA_SASL_PASSWORD=****');
    expect(text).not.toMatch(/R3dis-pw|K4fka-pw/);
  });

  it('lists every KAFKA_* and SINK_* variable the sink reads, once each', () => {
    const names = printed({})
      .split('\n')
      .map((line) => line.slice(0, line.indexOf('=')));
    for (const name of Object.keys(KAFKA_SINK_ENV)) expect(names.filter((n) => n === name)).toEqual([name]);
    expect(names.length).toBe(new Set(names).size);
  });

  it('shows the folders as derived from DATA_DIR', () => {
    const lines = printed({ DATA_DIR: '/var/lib/tf' }).split('\n');
    expect(lines).toContain('DATA_DIR=/var/lib/tf');
    expect(lines).toContain('EVENT_LOG_DIR=/var/lib/tf/events');
    expect(lines).toContain('SINK_JOURNAL_DIR=/var/lib/tf/tick-journal');
  });
});
