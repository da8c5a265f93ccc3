import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { encodeFrame, encodePacket, HEARTBEAT_FRAME } from '../../../src/simulator/encode-frame.ts';
import { FeedFrameReader } from '../../../src/adapters/mstock/feed-frame-reader.ts';
import { FeedMetrics } from '../../../src/adapters/mstock/feed-metrics.ts';
import { instrumentToken, type Exchange, type InstrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs } from '../../../src/domain/units.ts';

const frame = (...tokens: number[]) =>
  encodeFrame(tokens.map((token) => encodePacket({ token, ltp: 100 }, 'ltp8')));

const setup = (
  level: 'debug' | 'info' = 'debug',
  perSecond = 50,
  exchangeOf?: (token: InstrumentToken) => Exchange | undefined,
) => {
  const logger = new MemoryLogger(level);
  const metrics = new MemoryMetrics();
  const reader = new FeedFrameReader(
    new Set(['1', '2', '3'].map(instrumentToken)),
    { tickTimeZone: 'ist', priceDivisor: 100, exchangeOf },
    { debugTickLogIntervalMs: 1000, debugTickLogPerSecond: perSecond, malformedLogIntervalMs: 60_000 },
    new FeedMetrics(metrics),
    logger,
  );
  return { logger, metrics, reader };
};

describe('FeedFrameReader', () => {
  it('logs "Tick received for <token>" at most once a second per token', () => {
    const { logger, reader } = setup();
    for (const at of [0, 400, 999, 1000, 1500, 2100]) reader.read(frame(1, 2), epochMs(at));
    expect(logger.lines()).toEqual([
      '[DEBUG] Tick received for 1',
      '[DEBUG] Tick received for 2',
      '[DEBUG] Tick received for 1',
      '[DEBUG] Tick received for 2',
      '[DEBUG] Tick received for 1',
      '[DEBUG] Tick received for 2',
    ]);
  });

  it('caps those lines per second over all tokens, and writes none above debug level', () => {
    const capped = setup('debug', 2);
    capped.reader.read(frame(1, 2, 3), epochMs(0));
    expect(capped.logger.lines()).toHaveLength(2);
    const quiet = setup('info');
    quiet.reader.read(frame(1, 2, 3), epochMs(0));
    expect(quiet.logger.lines()).toEqual([]);
  });

  it('stamps ticks with the exchange its options name, asked again after exchangesChanged', () => {
    const selection = new Map<string, Exchange>([
      ['1', 'NSE'],
      ['2', 'BSE'],
    ]);
    const { reader } = setup('info', 50, (t) => selection.get(t));
    const exchanges = (at: number) => reader.read(frame(1, 2, 3), epochMs(at)).ticks.map((t) => t.exchange);
    expect(exchanges(0)).toEqual(['NSE', 'BSE', undefined]);
    selection.set('1', 'NFO');
    expect(exchanges(1)).toEqual(['NSE', 'BSE', undefined]);
    reader.exchangesChanged();
    expect(exchanges(2)).toEqual(['NFO', 'BSE', undefined]);
    expect(setup('info').reader.read(frame(1), epochMs(0)).ticks[0]?.exchange).toBeUndefined();
  });

  it('counts heartbeats, data frames, bytes and packets, and numbers ticks of one time apart', () => {
    const { metrics, reader } = setup('info');
    expect(reader.read(HEARTBEAT_FRAME, epochMs(5))).toEqual({ ticks: [], heartbeat: true });
    const { ticks } = reader.read(frame(1, 1, 4), epochMs(5));
    expect(ticks.map((t) => [t.token, t.seq])).toEqual([
      ['1', 0],
      ['1', 1],
    ]);
    expect(metrics.value('websocket_frames_total', { type: 'heartbeat' })).toBe(1);
    expect(metrics.value('websocket_frames_total', { type: 'data' })).toBe(1);
    expect(metrics.value('websocket_data_bytes_total')).toBe(1 + 2 + 3 * 10);
    expect(metrics.value('websocket_packets_total')).toBe(3);
    expect(metrics.value('websocket_unsubscribed_ticks_total')).toBe(1);
  });
});
