import { describe, expect, it } from 'vitest';
import { progressPrinter } from '../../../src/app/backfill/progress-printer.ts';
import { planId } from '../../../src/domain/backfill-plan-types.ts';

const P = planId('p');
const progress = (published: number, extra: Partial<{ failed: number; givenUp: number }> = {}) => ({
  total: 4,
  pending: 4 - published,
  failed: extra.failed ?? 0,
  fetched: 0,
  published,
  givenUp: extra.givenUp ?? 0,
  publishedBars: published * 750,
});

describe('progressPrinter', () => {
  it('redraws one bar on a terminal and ends its line when done', () => {
    const written: string[] = [];
    const printer = progressPrinter({ write: (s: string) => written.push(s), isTTY: true });
    printer.update(P, progress(1));
    printer.update(P, progress(4));
    printer.done();
    expect(written).toEqual([
      `\r\x1b[2K[${'#'.repeat(8)}${'.'.repeat(22)}] 1/4 chunks, 750 bars`,
      `\r\x1b[2K[${'#'.repeat(30)}] 4/4 chunks, 3000 bars`,
      '\n',
    ]);
  });

  it('prints plain lines at most once a second, on a new failure, and at the end', () => {
    let now = 0;
    const written: string[] = [];
    const printer = progressPrinter({ write: (s: string) => written.push(s) }, () => now);
    printer.update(P, progress(0));
    printer.update(P, progress(1));
    now = 500;
    printer.update(P, progress(1, { failed: 1 }));
    printer.update(P, progress(2, { failed: 1 }));
    now = 1600;
    printer.update(P, progress(3, { failed: 1 }));
    printer.update(P, progress(4));
    printer.done();
    expect(written).toEqual([
      'Backfill p: 0/4 chunks, 0 bars\n',
      'Backfill p: 1/4 chunks, 750 bars, 1 failed\n',
      'Backfill p: 3/4 chunks, 2250 bars, 1 failed\n',
      'Backfill p: 4/4 chunks, 3000 bars\n',
    ]);
  });
});
