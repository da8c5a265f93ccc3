import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { decodeFrame, type DecodeOptions } from '../../../src/adapters/mstock/binary/decode-frame.ts';
import { candleToTick } from '../../../src/domain/candle.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import { gapIdOf, type GapLedgerEvent } from '../../../src/domain/gap-ledger.ts';
import type { MinuteBar } from '../../../src/domain/minute-bars.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import { epochMs, rupees } from '../../../src/domain/units.ts';
import { candleRecord } from '../../../src/ports/control-records/candle-record.ts';
import { gapRecords } from '../../../src/ports/control-records/gap-record.ts';
import { quarantineRecord } from '../../../src/ports/control-records/quarantine-record.ts';
import { encodeTick } from '../../../src/ports/tick-sink/tick-wire.ts';
import { readWireSchema, schemaErrors, WIRE_SCHEMAS, type RecordKind } from '../../support/wire-schemas.ts';
import { RELIANCE, TCS, TRADING, tick } from '../trust/trust-fixtures.ts';

/**
 * The fixture frame holding every packet kind (full packets with depth among them), decoded; with
 * `exchangeOf`, stamped with an exchange as the live feed does.
 */
const fixtureTicks = (exchangeOf?: DecodeOptions['exchangeOf']) => {
  const dir = new URL('../../fixtures/mstock/', import.meta.url);
  const golden = JSON.parse(readFileSync(new URL('frame-every-kind.golden.json', dir), 'utf8')) as {
    receivedAt: number;
    options: { tickTimeZone: 'ist' | 'utc'; priceDivisor: number };
  };
  const bytes = new Uint8Array(readFileSync(new URL('frame-every-kind.bin', dir)));
  const options = { ...golden.options, exchangeOf };
  return decodeFrame(bytes, epochMs(golden.receivedAt), new TickSequencer(), options).ticks;
};

const gap: FeedGap = {
  tokens: [RELIANCE, TCS],
  from: TRADING,
  to: epochMs(TRADING + 5000),
  cause: 'disconnect',
};
const gapId = gapIdOf(gap);
const at = epochMs(TRADING + 60_000);
const gapEvents: readonly GapLedgerEvent[] = [
  { type: 'FeedGapOpened', data: { gapId, ...gap, at } },
  {
    type: 'GapFillShort',
    data: { gapId, at, attempt: 1, expected: 10, received: 8, tokens: [TCS] },
  },
  { type: 'GapFilled', data: { gapId, at, how: 'backfilled', expected: 10, received: 10 } },
  { type: 'GapFilled', data: { gapId, at, how: 'nothing-to-fill' } },
];
const bar: MinuteBar = {
  token: RELIANCE,
  start: epochMs(TRADING),
  open: rupees(1500),
  high: rupees(1503.5),
  low: rupees(1499.05),
  close: rupees(1501),
  volume: 1200,
  ticks: 37,
  complete: true,
};

/** A tick whose feed sent no exchange time: filed under its receive time. */
const withoutExchangeTime = ({ exchangeTime: _dropped, ...rest }: Tick): Tick => rest;

/** The value with one change made to it, as a drifted producer might write it. */
const drift = (json: string, change: (v: Record<string, unknown>) => void): string => {
  const v = JSON.parse(json) as Record<string, unknown>;
  change(v);
  return JSON.stringify(v);
};

const liveTick = encodeTick(tick(TRADING));
const quarantined = quarantineRecord('price-outside-band', tick(TRADING, { ltp: rupees(3000) })).value;
const opened = gapRecords(gapEvents[0]!, gap)[0]!.value;
const filled = gapRecords(gapEvents[2]!, gap)[0]!.value;
const candle = candleRecord(bar).value;

describe('the published schemas of the Kafka topics (docs/schemas)', () => {
  it('are valid JSON Schema 2020-12, and name the version the code puts in the schema-version header', () => {
    const ajv = new Ajv2020({ strict: true });
    for (const kind of Object.keys(WIRE_SCHEMAS) as RecordKind[]) {
      const schema = readWireSchema(kind);
      expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(ajv.validateSchema(schema), `${kind}: ${ajv.errorsText()}`).toBe(true);
      expect(String(schema['$id'])).toMatch(new RegExp(`:v${WIRE_SCHEMAS[kind].version}$`));
      // Unknown fields pass on purpose: a newer producer's optional additions keep the version.
      expect(schema['additionalProperties']).toBe(true);
    }
  });

  it("accept every kind of record as tickflow's own encoders write it, documenting every field", () => {
    const ticks = fixtureTicks();
    const onBse = fixtureTicks(() => 'BSE');
    expect(ticks.some((t) => t.depth !== undefined && t.depth.bids.length === 5)).toBe(true);
    // Both forms are in the list below: ticks without an exchange, and every kind with one.
    expect(ticks.map(encodeTick).filter((j) => j.includes('"exchange"'))).toEqual([]);
    expect(onBse.map((t) => (JSON.parse(encodeTick(t)) as { exchange?: unknown }).exchange)).toEqual(
      ticks.map(() => 'BSE'),
    );
    const accepted: [RecordKind, string][] = [
      ...ticks.map((t): [RecordKind, string] => ['ticks', encodeTick(t)]),
      ...onBse.map((t): [RecordKind, string] => ['ticks', encodeTick(t)]),
      ['ticks', encodeTick(candleToTick(bar, epochMs(TRADING + 86_400_000), 'NSE'))],
      ['quarantine', quarantineRecord('volume-backwards', tick(TRADING, { exchange: 'NFO' })).value],
      ['ticks', liveTick],
      ['ticks', encodeTick(withoutExchangeTime(tick(TRADING, { source: 'replay', seq: 3 })))],
      ['ticks', encodeTick(candleToTick(bar, epochMs(TRADING + 86_400_000)))],
      ['quarantine', quarantined],
      ...ticks.map((t): [RecordKind, string] => [
        'quarantine',
        quarantineRecord('volume-backwards', t).value,
      ]),
      ['quarantine', quarantineRecord('price-not-positive', tick(TRADING, { ltp: rupees(0) })).value],
      ...gapEvents.flatMap((e) => gapRecords(e, gap).map((r): [RecordKind, string] => ['gaps', r.value])),
      ['candles', candle],
      ['candles', candleRecord({ ...bar, complete: false, volume: 0, ticks: 1 }).value],
    ];
    for (const [kind, json] of accepted) expect(schemaErrors(kind, json), `${kind}: ${json}`).toEqual([]);
    expect(
      new Set(
        accepted.filter(([k]) => k === 'gaps').map(([, j]) => (JSON.parse(j) as { event: string }).event),
      ),
    ).toEqual(new Set(['FeedGapOpened', 'GapFillShort', 'GapFilled']));
  });

  it('reject drifted records: a missing or mistyped field, an unknown enum value, a malformed token', () => {
    const rejected: [RecordKind, string][] = [
      ['ticks', drift(liveTick, (v) => delete v['ltp'])],
      ['ticks', drift(liveTick, (v) => (v['volume'] = '1000'))],
      ['ticks', drift(liveTick, (v) => (v['volume'] = 10.5))],
      ['ticks', drift(liveTick, (v) => (v['volume'] = -1))],
      ['ticks', drift(liveTick, (v) => (v['source'] = 'historical'))],
      ['ticks', drift(liveTick, (v) => (v['token'] = '02885'))],
      ['ticks', drift(liveTick, (v) => (v['token'] = 2885))],
      ['ticks', drift(liveTick, (v) => (v['timestamp'] = TRADING / 1000 + 0.5))],
      ['ticks', drift(liveTick, (v) => (v['id'] = 'abc'))],
      ['ticks', drift(liveTick, (v) => (v['depth'] = { bids: [{ quantity: 1, price: 1 }], asks: [] }))],
      ['ticks', drift(liveTick, (v) => (v['exchangeTime'] = String(TRADING)))],
      ['ticks', drift(liveTick, (v) => (v['exchange'] = 'MCX'))],
      ['ticks', drift(liveTick, (v) => (v['exchange'] = 'nse'))],
      ['ticks', drift(liveTick, (v) => (v['exchange'] = null))],
      ['ticks', '{"token":"2885",'],
      ['quarantine', drift(quarantined, (v) => (v['reason'] = 'too-expensive'))],
      ['quarantine', drift(quarantined, (v) => delete (v['tick'] as Record<string, unknown>)['ltp'])],
      ['quarantine', drift(quarantined, (v) => delete v['tick'])],
      ['gaps', drift(opened, (v) => (v['cause'] = 'solar-flare'))],
      ['gaps', drift(opened, (v) => delete v['tokens'])],
      ['gaps', drift(opened, (v) => (v['event'] = 'GapClosed'))],
      ['gaps', drift(filled, (v) => delete v['how'])],
      ['gaps', drift(filled, (v) => (v['how'] = 'magic'))],
      ['gaps', drift(filled, (v) => (v['from'] = 1.5))],
      ['candles', drift(candle, (v) => (v['complete'] = 'yes'))],
      ['candles', drift(candle, (v) => (v['source'] = 'backfill'))],
      ['candles', drift(candle, (v) => (v['start'] = TRADING + 1))],
      ['candles', drift(candle, (v) => delete v['close'])],
    ];
    for (const [kind, json] of rejected) {
      const errors = schemaErrors(kind, json);
      // Refused by the published schema itself, as a consumer's validator would refuse it.
      expect(
        errors.filter((e) => !e.startsWith('undocumented')),
        `${kind}: ${json}`,
      ).not.toEqual([]);
    }
  });

  it('let a field they do not know through, but the check of tickflow itself names it', () => {
    const added = drift(liveTick, (v) => (v['venue'] = 'NSE'));
    const errors = schemaErrors('ticks', added);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/undocumented field .*venue/);
  });
});
