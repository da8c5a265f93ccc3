import { describe, expect, it } from 'vitest';
import { DEFAULT_MSTOCK_SETTINGS, mstockSettings } from '../../../src/adapters/mstock/mstock-settings.ts';

describe('mstockSettings', () => {
  it('fills every default, from the protocol doc where it says', () => {
    const s = mstockSettings();
    expect(s).toEqual(DEFAULT_MSTOCK_SETTINGS);
    expect(s.apiUrl).toBe('https://api.mstock.trade');
    expect(s.feed.wsUrl).toBe('wss://ws.mstock.trade');
    expect(s.feed.maxInstrumentsPerSocket).toBe(1000);
    expect(s.feed.maxSockets).toBe(3);
    expect(s.historical.maxBarsPerRequest).toBe(1000);
    expect(s.historical.rateLimit).toEqual({ perSecond: 1, burst: 1 });
    expect(s.session.otpChecksum).toBe('L');
  });

  it('overrides single nested fields and keeps their neighbours, frozen', () => {
    const s = mstockSettings({
      feed: { reconnectBackoff: { maxMs: 5000 } },
      historical: { rateLimit: { perSecond: 0 } },
    });
    expect(s.feed.reconnectBackoff).toEqual({ initialMs: 500, maxMs: 5000, multiplier: 2 });
    expect(s.historical.rateLimit).toEqual({ perSecond: 0, burst: 1 });
    expect(s.feed.staleAfterMs).toBe(DEFAULT_MSTOCK_SETTINGS.feed.staleAfterMs);
    expect(Object.isFrozen(s) && Object.isFrozen(s.feed) && Object.isFrozen(s.feed.reconnectBackoff)).toBe(
      true,
    );
  });
});
