import type { FeedData } from '@mstock-mirae-asset/nodetradingapi-typea';
import type { Tick } from '../../src/domain/tick.ts';
import type { ConsoleCounts } from './sdk-parser.ts';

/** What the SDK made of one frame, set against tickflow's decode of the same frame. */
export interface SdkReading {
  readonly packets: number;
  /** Ticks the SDK emitted: fewer than `packets` means packets it could not read. */
  readonly ticksRead: number;
  /** Ticks whose last price differs from tickflow's (the token & 0xFF divisor rule, unsigned reads). */
  readonly priceMismatches: number;
  /** Index ticks whose change differs (the SDK reads the signed change field as unsigned). */
  readonly changeMismatches: number;
  readonly console: ConsoleCounts;
}

const differs = (a: number | undefined, b: number | undefined): boolean =>
  a !== undefined && b !== undefined && Math.abs(a - b) > 1e-6;

/** Pairs the SDK's ticks with tickflow's by token, in frame order, and counts the differences. */
export const compareWithSdk = (
  ours: readonly Tick[],
  sdk: readonly FeedData[],
  packets: number,
  counts: ConsoleCounts,
): SdkReading => {
  const pending = new Map<string, Tick[]>();
  for (const t of ours) {
    const list = pending.get(t.token) ?? [];
    list.push(t);
    pending.set(t.token, list);
  }
  let priceMismatches = 0;
  let changeMismatches = 0;
  for (const s of sdk) {
    const t = pending.get(String(s.InstrumentToken))?.shift();
    if (t === undefined) continue;
    if (differs(s.LastPrice, t.ltp)) priceMismatches += 1;
    if (differs(s.Change, t.change)) changeMismatches += 1;
  }
  return { packets, ticksRead: sdk.length, priceMismatches, changeMismatches, console: counts };
};

/** One sentence on what the SDK could not read in a frame, or undefined when it read it all alike. */
export const sdkNote = (r: SdkReading): string | undefined => {
  const parts: string[] = [];
  if (r.ticksRead < r.packets) parts.push(`read ${r.ticksRead} of ${r.packets} packets a frame`);
  if (r.priceMismatches > 0) parts.push(`${r.priceMismatches} last prices differ`);
  if (r.changeMismatches > 0) parts.push(`${r.changeMismatches} index changes differ (read unsigned)`);
  const logged = r.console.warnings + r.console.errors;
  if (logged > 0) parts.push(`logged ${logged}× per frame: ${r.console.messages.join(' | ')}`);
  return parts.length === 0 ? undefined : parts.join('; ');
};
