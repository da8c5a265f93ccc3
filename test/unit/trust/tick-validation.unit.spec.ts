import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTick, rememberTick, type ValidationRules } from '../../../src/domain/tick-validation.ts';
import { epochMs, rupees } from '../../../src/domain/units.ts';
import { TRADING, NIGHT, ist, tick } from './trust-fixtures.ts';

const rules: ValidationRules = { bandPercent: 20, maxExchangeLeadMs: 5000, maxExchangeLagMs: 60_000 };
const open = { subscribed: true, marketOpen: true };

describe('checkTick', () => {
  it('passes a plausible tick', () => {
    expect(checkTick(tick(TRADING), undefined, rules, open)).toBeUndefined();
  });

  it('refuses a token nobody subscribed, before anything else', () => {
    expect(
      checkTick(tick(TRADING, { ltp: rupees(-1) }), undefined, rules, { ...open, subscribed: false }),
    ).toBe('unsubscribed-token');
  });

  it('refuses a price of zero or below', () => {
    expect(checkTick(tick(TRADING, { ltp: rupees(0) }), undefined, rules, open)).toBe('price-not-positive');
    expect(checkTick(tick(TRADING, { ltp: rupees(Number.NaN) }), undefined, rules, open)).toBe(
      'price-not-positive',
    );
  });

  it('uses the circuit limits when the tick carries them, and the band only when it does not', () => {
    const limits = { upperCircuit: rupees(1600), lowerCircuit: rupees(1400) };
    expect(checkTick(tick(TRADING, { ltp: rupees(1601), ...limits }), undefined, rules, open)).toBe(
      'price-outside-circuit',
    );
    expect(checkTick(tick(TRADING, { ltp: rupees(1399.95), ...limits }), undefined, rules, open)).toBe(
      'price-outside-circuit',
    );
    expect(
      checkTick(tick(TRADING, { ltp: rupees(1600), ...limits }), undefined, rules, open),
    ).toBeUndefined();
    // Wide limits win over the band: a stock without a band may move past 20%.
    const wide = { upperCircuit: rupees(2000), lowerCircuit: rupees(1000) };
    expect(checkTick(tick(TRADING, { ltp: rupees(1900), ...wide }), undefined, rules, open)).toBeUndefined();
  });

  it('refuses a price beyond the band around the previous close, the tick’s or the remembered one', () => {
    // 1480 * 1.2 = 1776: the edge passes, a paisa beyond it does not.
    expect(checkTick(tick(TRADING, { ltp: rupees(1776) }), undefined, rules, open)).toBeUndefined();
    expect(checkTick(tick(TRADING, { ltp: rupees(1776.05) }), undefined, rules, open)).toBe(
      'price-outside-band',
    );
    expect(checkTick(tick(TRADING, { ltp: rupees(1183.95) }), undefined, rules, open)).toBe(
      'price-outside-band',
    );
    const remembered = rememberTick(tick(TRADING), undefined);
    const noClose = tick(TRADING, { ltp: rupees(2000) });
    const { close: _close, ...withoutClose } = noClose;
    expect(checkTick(withoutClose, remembered, rules, open)).toBe('price-outside-band');
    // No reference at all: nothing to compare with.
    expect(checkTick(withoutClose, undefined, rules, open)).toBeUndefined();
  });

  it('refuses an exchange time ahead of the receive time beyond the tolerance, at any hour', () => {
    const ahead = (at: number, ms: number) => tick(epochMs(at), { exchangeTime: epochMs(at + ms) });
    expect(checkTick(ahead(TRADING, 5000), undefined, rules, open)).toBeUndefined();
    expect(checkTick(ahead(TRADING, 5001), undefined, rules, open)).toBe('exchange-time-ahead');
    expect(checkTick(ahead(NIGHT, 5001), undefined, rules, { ...open, marketOpen: false })).toBe(
      'exchange-time-ahead',
    );
  });

  it('refuses an exchange time far behind only in the session: snapshots at night are old by nature', () => {
    const behind = tick(TRADING, { exchangeTime: epochMs(TRADING - 60_001) });
    expect(checkTick(behind, undefined, rules, open)).toBe('exchange-time-behind');
    expect(checkTick(behind, undefined, rules, { ...open, marketOpen: false })).toBeUndefined();
    expect(
      checkTick(tick(TRADING, { exchangeTime: epochMs(TRADING - 60_000) }), undefined, rules, open),
    ).toBeUndefined();
  });

  it('refuses cumulative volume going backwards within a session, not across sessions', () => {
    const memory = rememberTick(tick(TRADING, { volume: 5000 }), undefined);
    expect(checkTick(tick(epochMs(TRADING + 1000), { volume: 4999 }), memory, rules, open)).toBe(
      'volume-backwards',
    );
    expect(checkTick(tick(epochMs(TRADING + 1000), { volume: 5000 }), memory, rules, open)).toBeUndefined();
    const nextDay = ist('2026-11-20 09:15:01');
    expect(checkTick(tick(nextDay, { volume: 10 }), memory, rules, open)).toBeUndefined();
  });

  it('remembers the last accepted volume and close, and returns the same memory when nothing changed', () => {
    const m1 = rememberTick(tick(TRADING, { volume: 10 }), undefined);
    expect(m1).toMatchObject({ volume: 10, close: 1480 });
    expect(rememberTick(tick(epochMs(TRADING + 5), { volume: 10 }), m1)).toBe(m1);
    const { close: _c, ...noClose } = tick(TRADING, { volume: 20 });
    expect(rememberTick(noClose, m1)).toMatchObject({ volume: 20, close: 1480 });
  });

  it('property: a rising volume within the band and the time tolerances always passes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dv: fc.nat(1000), move: fc.double({ min: -0.19, max: 0.19, noNaN: true }) }), {
          minLength: 1,
          maxLength: 50,
        }),
        (steps) => {
          let memory = undefined;
          let volume = 0;
          for (const [i, s] of steps.entries()) {
            volume += s.dv;
            const t = tick(epochMs(TRADING + i * 100), { volume, ltp: rupees(1480 * (1 + s.move)) });
            expect(checkTick(t, memory, rules, open)).toBeUndefined();
            memory = rememberTick(t, memory);
          }
        },
      ),
    );
  });
});
