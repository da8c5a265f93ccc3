import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChunkFiles,
  readCandleFile,
  writeCandleFile,
} from '../../../src/adapters/backfill-stages/chunk-files.ts';
import { CandleFileCorrupted } from '../../../src/ports/backfill-stages/chunk-file-store.ts';
import { planId } from '../../../src/domain/backfill-plan-types.ts';
import { planChunks } from '../../../src/domain/backfill-plan-chunks.ts';
import { FIVE_DAYS, RELIANCE, candlesFor } from './backfill-fixtures.ts';

const temp = (): string => mkdtempSync(join(tmpdir(), 'tickflow-chunk-files-'));

describe('chunk data files', () => {
  it('reads back exactly the candles written, and leaves no temporary file', async () => {
    const files = new ChunkFiles(temp());
    const chunk = planChunks([RELIANCE], FIVE_DAYS, 'minute')[0]!;
    const file = files.fileOf(planId('p1'), chunk.id);
    const candles = candlesFor([RELIANCE], FIVE_DAYS.slice(0, 2));
    expect(await files.exists(file)).toBe(false);
    await writeCandleFile(file, candles);

    expect(await readCandleFile(file)).toEqual(candles);
    expect(await files.exists(file)).toBe(true);
    expect(readdirSync(files.dirOf(planId('p1')))).toEqual([`${chunk.id.replaceAll(':', '_')}.ndjson`]);
    await files.removePlan(planId('p1'));
    expect(await files.exists(file)).toBe(false);
  });

  it('writes an empty file for a chunk without bars (a holiday the calendar missed)', async () => {
    const file = join(temp(), 'p', 'empty.ndjson');
    await writeCandleFile(file, []);
    expect(await readCandleFile(file)).toEqual([]);
  });

  it('refuses a file with a line that is not a candle', async () => {
    const file = join(temp(), 'bad.ndjson');
    const [good] = candlesFor([RELIANCE], FIVE_DAYS.slice(0, 1));
    writeFileSync(file, `${JSON.stringify(good)}\n{"token":"2885","start":1}\n`);
    await expect(readCandleFile(file)).rejects.toThrow(CandleFileCorrupted);
    writeFileSync(file, `${JSON.stringify(good)}\n{"token":"2885","sta`);
    await expect(readCandleFile(file)).rejects.toThrow(/line 2 is not JSON/);
    writeFileSync(file, `${JSON.stringify({ ...good, close: -1 })}\n`);
    await expect(readCandleFile(file)).rejects.toThrow(/line 1 is not a candle/);
  });
});
