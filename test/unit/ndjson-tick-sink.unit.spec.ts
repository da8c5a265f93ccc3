import { either as E } from 'fp-ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NdjsonTickSink } from '../../src/adapters/ndjson/ndjson-tick-sink.ts';
import { decodeTick } from '../../src/ports/tick-sink/tick-wire.ts';
import { contractTick, tickSinkContract } from '../contract/tick-sink.contract.ts';
import { epochMs, rupees } from '../../src/domain/units.ts';
import type { Tick } from '../../src/domain/tick.ts';

const readTicks = (path: string): Tick[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = decodeTick(l);
      if (E.isLeft(r)) throw new Error(r.left.message);
      return r.right;
    });

tickSinkContract('ndjson file', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ndjson-sink-')), 'ticks.ndjson');
  const sink = await NdjsonTickSink.open(path);
  return { sink, readBack: () => Promise.resolve(readTicks(path)), dispose: () => sink.close() };
});

describe('ndjson tick sink', () => {
  it('writes the market_ticks JSON form, one tick a line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ndjson-sink-')), 'ticks.ndjson');
    const sink = await NdjsonTickSink.open(path);
    await sink.publish([
      {
        ...contractTick('26000', 0),
        ltp: rupees(21500.5),
        volume: 1500,
        exchangeTime: epochMs(1705560000000),
      },
    ]);
    await sink.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      token: '26000',
      ltp: 21500.5,
      volume: 1500,
      timestamp: 1705560000,
    });
  });
});
