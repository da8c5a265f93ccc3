import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { MemoryTickSink } from '../../../src/adapters/memory/memory-tick-sink.ts';
import { ScriptedBrokerFeed } from '../../../src/adapters/memory/scripted-broker-feed.ts';
import { gapConsumerStage } from '../../../src/app/live/gap-report-stage.ts';
import { startLiveService } from '../../../src/app/live/live-service.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import type { Instrument, InstrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { NIFTY, RELIANCE, TCS, TRADING, nse, tick } from '../trust/trust-fixtures.ts';

const instrument = (token: InstrumentToken, symbol: string): Instrument =>
  ({ token, symbol, exchange: 'NSE' }) as Instrument;

/** Lets the feed's generator and the stages run until `done` holds (bounded: a failing test ends). */
const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setImmediate(r));
  expect(done()).toBe(true);
};

const setup = () => {
  const clock = new ManualClock(TRADING);
  const feed = new ScriptedBrokerFeed(clock);
  const sink = new MemoryTickSink();
  const gaps: FeedGap[] = [];
  const service = startLiveService(
    {
      feed,
      sink,
      logger: new MemoryLogger(),
      metrics: new MemoryMetrics(),
      clock,
      session: nse,
      instruments: [instrument(RELIANCE, 'RELIANCE'), instrument(TCS, 'TCS')],
      serveReadiness: () => undefined,
      gapConsumers: [gapConsumerStage('gaps', (g) => gaps.push(g))],
      trust: {
        quarantine: new MemoryRecordPublisher(),
        validation: { bandPercent: 20, maxExchangeLeadMs: 5000, maxExchangeLagMs: 60_000 },
        freshness: { factor: 5, floorMs: 5000, minSamples: 5, alpha: 0.1 },
        muteAfterMs: 60_000,
        subscriptionConfirmMs: 60_000,
      },
    },
    { mode: 'full', maxInFlight: 64 },
  );
  let volume = 0;
  /** One second passes: one frame with a tick of each of `tokens` (the feed sends the followed ones), then the beat. */
  const second = async (tokens: readonly InstrumentToken[]): Promise<void> => {
    clock.advance(1000);
    volume += 1;
    const followed = new Set(service.ingestion.tokens());
    const expected =
      service.ingestion.snapshot().ticksReceived + tokens.filter((t) => followed.has(t)).length;
    feed.emit(tokens.map((token) => tick(clock.now(), { token, volume })));
    await until(() => service.ingestion.snapshot().ticksReceived === expected);
    service.ingestion.beat();
  };
  return { clock, feed, sink, gaps, service, second };
};

const tokensIn = (sink: MemoryTickSink): Set<string> => new Set(sink.ticks().map((t) => t.token));

describe('instruments added to and removed from a running live path', () => {
  it('an added token ticks through to the sink; a removed one stops, and no gap is reported for it', async () => {
    const { feed, sink, gaps, service, second, clock } = setup();
    await until(() => service.ingestion.snapshot().connected);

    // NIFTY is not followed yet: the feed does not send it.
    for (let s = 0; s < 20; s++) await second([RELIANCE, TCS, NIFTY]);
    await until(() => service.ingestion.snapshot().ticksAccepted === 40);
    expect(tokensIn(sink)).toEqual(new Set([RELIANCE, TCS]));

    expect(service.add([NIFTY])).toBe(true);
    expect(feed.changes).toEqual([{ kind: 'subscribe', tokens: [NIFTY] }]);
    await second([RELIANCE, TCS, NIFTY]);
    await until(() => service.ingestion.snapshot().ticksAccepted === 43);
    expect(
      sink
        .ticks()
        .slice(-3)
        .map((t) => t.token),
    ).toEqual([RELIANCE, TCS, NIFTY]);

    // TCS removed: its ticks stop, and its silence from here on is no gap.
    expect(service.remove([TCS])).toBe(true);
    expect(feed.changes.at(-1)).toEqual({ kind: 'unsubscribe', tokens: [TCS] });
    const accepted = service.ingestion.snapshot().ticksAccepted;
    for (let s = 0; s < 30; s++) await second([RELIANCE, TCS, NIFTY]);
    await until(() => service.ingestion.snapshot().ticksAccepted === accepted + 60);
    expect(
      sink
        .ticks()
        .slice(accepted)
        .every((t) => t.token !== TCS),
    ).toBe(true);
    expect(service.ingestion.tokens().sort()).toEqual([RELIANCE, NIFTY].sort());

    // A dropped connection: its gap names the tokens followed now, not the removed one.
    feed.disconnect('test');
    clock.advance(5000);
    feed.reconnect();
    await until(() => gaps.some((g) => g.cause === 'disconnect'));
    expect(gaps.flatMap((g) => g.tokens)).not.toContain(TCS);
    expect(gaps.find((g) => g.cause === 'disconnect')?.tokens).toEqual([RELIANCE, NIFTY]);
    expect(service.trust?.freshness.silentTokens()).toEqual([]);
    expect(epochMs(clock.now())).toBeGreaterThan(TRADING);
    await service.stop();
  });

  it('a removed token that was silent is no gap either, while a followed silent token is one', async () => {
    const { gaps, service, second } = setup();
    await until(() => service.ingestion.snapshot().connected);
    for (let s = 0; s < 20; s++) await second([RELIANCE, TCS]);
    service.remove([TCS]);
    // Both now silent but RELIANCE: TCS is no longer followed, NIFTY never was.
    for (let s = 0; s < 30; s++) await second([RELIANCE]);
    expect(gaps).toEqual([]);
    service.add([TCS]);
    for (let s = 0; s < 20; s++) await second([RELIANCE, TCS]);
    for (let s = 0; s < 30; s++) await second([RELIANCE]);
    expect(gaps.map((g) => [g.tokens, g.cause])).toEqual([[[TCS], 'silent-instrument']]);
    await service.stop();
  });
});
