import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { GapReportStage } from '../../../src/app/live/gap-report-stage.ts';
import type { LiveMessage, Stage } from '../../../src/app/live/live-message.ts';
import { ScreenStage } from '../../../src/app/live/screen-stage.ts';
import { chainStages, runStage } from '../../../src/app/live/stage-chain.ts';
import { FreshnessStage } from '../../../src/app/live/watch-stages.ts';
import { FreshnessMonitor } from '../../../src/app/trust/freshness-monitor.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { NIFTY, RELIANCE, TCS, TRADING, nse, tick } from '../trust/trust-fixtures.ts';

/** A stage that notes each message's kind under its name, then passes it on. */
const noting = (name: string, seen: string[]): Stage => ({
  name,
  connect: (next) => (message) => {
    seen.push(`${name}:${message.kind}`);
    return next(message);
  },
});

const gap: FeedGap = { tokens: [TCS], from: epochMs(1), to: epochMs(2), cause: 'disconnect' };

describe('the stage chain', () => {
  it('passes each message through the stages in order, and what passes the last one ends there', async () => {
    const seen: string[] = [];
    const entry = chainStages([noting('a', seen), noting('b', seen)], (m) => {
      seen.push(`end:${m.kind}`);
    });
    await entry({ kind: 'connected', at: epochMs(1), attempt: 1 });
    await entry({ kind: 'gap', gap });
    expect(seen).toEqual(['a:connected', 'b:connected', 'end:connected', 'a:gap', 'b:gap', 'end:gap']);
  });

  it('a stage left out is simply not on the path; one that drops a message stops it there', async () => {
    const seen: string[] = [];
    const dropGaps: Stage = {
      name: 'drop-gaps',
      connect: (next) => (m) => (m.kind === 'gap' ? undefined : next(m)),
    };
    const entry = chainStages([noting('a', seen), dropGaps, noting('c', seen)]);
    await entry({ kind: 'gap', gap });
    await entry({ kind: 'beat', at: epochMs(5) });
    expect(seen).toEqual(['a:gap', 'a:beat', 'c:beat']);
  });

  it('hands the sink stage back-pressure to the caller: the entry returns the promise the end returned', async () => {
    let release = (): void => undefined;
    const waiting = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entry = chainStages([noting('a', [])], (m) => (m.kind === 'ticks' ? waiting : undefined));
    expect(entry({ kind: 'beat', at: epochMs(1) })).toBeUndefined();
    const ticks = entry({ kind: 'ticks', ticks: [tick(TRADING)], receivedAt: TRADING });
    expect(ticks).toBe(waiting);
    release();
    await ticks;
  });
});

describe('a stage alone', () => {
  it('the screen passes only what its check lets through, the same message when all passed', async () => {
    const all = { kind: 'ticks', ticks: [tick(TRADING)], receivedAt: TRADING } as const;
    const mixed = {
      kind: 'ticks',
      ticks: [tick(TRADING), tick(TRADING, { token: TCS })],
      receivedAt: TRADING,
    } as const;
    const stage = new ScreenStage({ screen: (ticks) => (ticks.length === 1 ? ticks : ticks.slice(0, 1)) });
    const out = await runStage(stage, [all, mixed, { kind: 'beat', at: TRADING }]);
    expect(out[0]).toBe(all);
    expect(out[1]).toEqual({ ...mixed, ticks: [mixed.ticks[0]] });
    expect(out[2]).toEqual({ kind: 'beat', at: TRADING });
    expect(stage.quarantined).toBe(1);
  });

  it('freshness turns a silence found on a beat into a gap message, passed on ahead of the beat', async () => {
    const clock = new ManualClock(TRADING);
    const stage = new FreshnessStage(
      (onGap) =>
        new FreshnessMonitor(
          { session: nse, clock, metrics: new MemoryMetrics(), onGap },
          {
            tokens: [RELIANCE, TCS],
            rules: { factor: 5, floorMs: 5000, minSamples: 5, alpha: 0.1 },
            muteAfterMs: 60_000,
          },
        ),
      {
        logger: new MemoryLogger(),
        muteReplacements: new MemoryMetrics().counter('x', 'x'),
        replaceQuiet: () => false,
      },
      { muteAfterMs: 60_000 },
    );
    const messages: LiveMessage[] = [{ kind: 'connected', at: clock.now(), attempt: 1 }];
    for (let s = 1; s <= 40; s++) {
      const at = epochMs(TRADING + s * 1000);
      // TCS falls silent after 20 s; RELIANCE goes on.
      const ticks = [tick(at, { volume: s }), ...(s <= 20 ? [tick(at, { token: TCS, volume: s })] : [])];
      messages.push({ kind: 'ticks', ticks, receivedAt: at }, { kind: 'beat', at });
    }
    // The monitor reads the clock on each beat: play the messages one second at a time.
    const out: LiveMessage[] = [];
    const entry = stage.connect((m) => {
      out.push(m);
    });
    for (const m of messages) {
      if (m.kind === 'ticks') clock.set(m.receivedAt);
      await entry(m);
    }
    const gaps = out.filter((m) => m.kind === 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ kind: 'gap', gap: { tokens: [TCS], cause: 'silent-instrument' } });
    const index = out.indexOf(gaps[0] as LiveMessage);
    expect(out[index + 1]?.kind).toBe('beat');
    expect(out.filter((m) => m.kind !== 'gap')).toEqual(messages);
  });

  it('the gap report counts and logs each gap, keeps it, and passes it on', async () => {
    const logger = new MemoryLogger();
    const metrics = new MemoryMetrics();
    const stage = new GapReportStage({ logger, metrics });
    const one: FeedGap = {
      tokens: [NIFTY],
      from: epochMs(TRADING),
      to: epochMs(TRADING + 5000),
      cause: 'disconnect',
    };
    const out = await runStage(stage, [
      { kind: 'gap', gap: one },
      { kind: 'beat', at: TRADING },
    ]);
    expect(out).toHaveLength(2);
    expect(stage.gaps()).toEqual([one]);
    expect(metrics.value('feed_gaps_total')).toBe(1);
    expect(logger.lines().some((l) => l.includes('Feed gap'))).toBe(true);
  });
});
