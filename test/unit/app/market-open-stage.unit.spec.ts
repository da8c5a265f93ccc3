import { describe, expect, it } from 'vitest';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { marketOpenStage } from '../../../src/app/live/market-open-stage.ts';
import { runStage } from '../../../src/app/live/stage-chain.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { epochMs } from '../../../src/domain/units.ts';

const ist = (s: string) => epochMs(Date.parse(`${s.replace(' ', 'T')}+05:30`));

describe('market_open', () => {
  it("follows NSE's calendar on each beat: open in a session, 0 at night and on an exchange holiday that is a weekday", async () => {
    const metrics = new MemoryMetrics();
    const stage = marketOpenStage({
      session: makeMarketSession(),
      metrics,
      now: ist('2026-11-23 08:00:00'),
    });
    const value = () => metrics.value('market_open');
    expect(value()).toBe(0);
    const beats = [
      ['2026-11-23 10:30:00', 1], // Monday, in session
      ['2026-11-23 15:31:00', 0], // after the close
      ['2026-11-24 10:30:00', 0], // Tuesday, Guru Nanak's birthday: no session
      ['2026-11-28 10:30:00', 0], // Saturday
    ] as const;
    for (const [at, open] of beats) {
      const out = await runStage(stage, [{ kind: 'beat', at: ist(at) }]);
      expect(out, at).toHaveLength(1);
      expect(value(), at).toBe(open);
    }
  });
});
