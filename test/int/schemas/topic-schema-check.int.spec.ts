import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { tickId, type Tick } from '../../../src/domain/tick.ts';
import { epochMs, rupees } from '../../../src/domain/units.ts';
import { encodeTick } from '../../../src/ports/tick-sink/tick-wire.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';

const tick: Tick = {
  token: instrumentToken(2885),
  ltp: rupees(1500),
  volume: 1000,
  exchangeTime: epochMs(Date.parse('2026-11-19T10:00:00+05:30')),
  receivedAt: epochMs(Date.parse('2026-11-19T10:00:00.050+05:30')),
  source: 'live',
  seq: 0,
};

/** One record produced by kcat, not tickflow: the check must judge what any producer wrote. */
const produce = (topic: string, value: string, headers: Readonly<Record<string, string>>): Promise<void> =>
  new Promise((resolve, reject) => {
    const args = ['-b', inject('kafkaBroker'), '-t', topic, '-P', '-k', '2885'];
    for (const [name, v] of Object.entries(headers)) args.push('-H', `${name}=${v}`);
    const child = execFile('kcat', args, { timeout: 30_000 }, (e) =>
      e === null ? resolve() : reject(new Error(`kcat -P: ${e.message}`)),
    );
    child.stdin?.end(`${value}\n`);
  });

const headersOf = (t: Tick) => ({ 'schema-version': '1', source: t.source, 'tick-id': tickId(t) });

describe('expectTopicMatchesSchema, the check the end-to-end tests run on what tickflow writes', () => {
  it('passes a record that matches, and fails one without its schema-version header, a drifted value, or no record', async () => {
    const topic = (): string => `schema-check-${randomUUID().slice(0, 8)}`;
    const good = topic();
    await produce(good, encodeTick(tick), headersOf(tick));
    expect(await expectTopicMatchesSchema(inject('kafkaBroker'), good, 'ticks')).toHaveLength(1);

    const unversioned = topic();
    await produce(unversioned, encodeTick(tick), { source: 'live', 'tick-id': tickId(tick) });
    await expect(expectTopicMatchesSchema(inject('kafkaBroker'), unversioned, 'ticks')).rejects.toThrow(
      /schema-version header/,
    );

    const drifted = topic();
    await produce(drifted, encodeTick(tick).replace('"volume":1000', '"volume":"1000"'), headersOf(tick));
    await expect(expectTopicMatchesSchema(inject('kafkaBroker'), drifted, 'ticks')).rejects.toThrow(
      /\/volume must be integer/,
    );

    await expect(expectTopicMatchesSchema(inject('kafkaBroker'), topic(), 'ticks')).rejects.toThrow();
  });
});
