import { describe, expect, it } from 'vitest';
import { SessionTakeoverRule, type TakeoverVerdict } from '../../../src/adapters/mstock/session-takeover.ts';
import { epochMs } from '../../../src/domain/units.ts';

const SETTINGS = {
  windowMs: 5 * 60_000,
  endsBeforeReport: 2,
  loginBackoff: { initialMs: 5000, maxMs: 60_000, multiplier: 2 },
};
const T0 = 1_700_000_000_000;

/** Each session logged in at `at` and ended `livedMs` later; the wait drawn at its top (random 0.999…). */
const endAll = (
  rule: SessionTakeoverRule,
  livedMs: readonly number[],
  random = () => 0.9999,
): TakeoverVerdict[] => {
  let at = T0;
  return livedMs.map((lived) => {
    const verdict = rule.sessionEnded(epochMs(at), epochMs(at + lived), random);
    at += lived + 1000;
    return verdict;
  });
};

describe('SessionTakeoverRule', () => {
  it('calls one young session ended by the broker a plain relogin, not a takeover', () => {
    expect(endAll(new SessionTakeoverRule(SETTINGS), [2000])).toEqual([{ kind: 'early', endedInARow: 1 }]);
  });

  it('calls a session ended after it lived past the window late: an expiry or a one-off', () => {
    expect(endAll(new SessionTakeoverRule(SETTINGS), [6 * 60_000, 7 * 60_000])).toEqual([
      { kind: 'late' },
      { kind: 'late' },
    ]);
  });

  it('reports a takeover once when young sessions keep being ended, and waits longer before each login up to the cap', () => {
    const verdicts = endAll(
      new SessionTakeoverRule(SETTINGS),
      [1000, 3000, 4000, 9000, 20_000, 40_000, 70_000],
    );
    expect(verdicts.map((v) => v.kind)).toEqual([
      'early',
      'takeover',
      'takeover',
      'takeover',
      'takeover',
      'takeover',
      'takeover',
    ]);
    const takeovers = verdicts.filter((v) => v.kind === 'takeover');
    expect(takeovers.map((v) => v.firstInEpisode)).toEqual([true, false, false, false, false, false]);
    expect(takeovers.map((v) => v.endedInARow)).toEqual([2, 3, 4, 5, 6, 7]);
    // Ceilings 5, 10, 20, 40, 60 (cap), 60 s; with the draw at the top, the wait is just under each.
    expect(takeovers.map((v) => Math.round(v.loginDelayMs / 1000))).toEqual([5, 10, 20, 40, 60, 60]);
  });

  it('waits at least half the ceiling, so a takeover never logs in at once', () => {
    const [, second] = endAll(new SessionTakeoverRule(SETTINGS), [1000, 1000], () => 0);
    expect(second).toMatchObject({ kind: 'takeover', loginDelayMs: 2500 });
  });

  it('ends the episode when a session lives past the window, and reports the next episode again', () => {
    const verdicts = endAll(new SessionTakeoverRule(SETTINGS), [1000, 1000, 1000, 10 * 60_000, 1000, 1000]);
    expect(
      verdicts.map((v) => (v.kind === 'takeover' ? `takeover:${String(v.firstInEpisode)}` : v.kind)),
    ).toEqual(['early', 'takeover:true', 'takeover:false', 'late', 'early', 'takeover:true']);
    // The new episode starts its backoff from the beginning.
    expect(verdicts[5]).toMatchObject({ endedInARow: 2 });
  });
});
