import type { InstrumentToken } from '../../domain/instrument.ts';
import { TickSequencer } from '../../domain/tick-sequencer.ts';
import type { Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { decodeFrame, type DecodeOptions } from './binary/decode-frame.ts';
import type { FeedMetrics } from './feed-metrics.ts';
import { RateLimitedKeys } from './rate-limited-keys.ts';

export interface FrameReaderSettings {
  readonly debugTickLogIntervalMs: number;
  readonly debugTickLogPerSecond: number;
  readonly malformedLogIntervalMs: number;
}

/**
 * Turns binary feed frames into ticks of the subscribed tokens, stamped with their exchange when
 * `decodeOptions.exchangeOf` is given (the packets carry only the token), counting frames, bytes,
 * packets and malformed packets, and writing the rate-limited log lines. One per `messages()`
 * call: its sequencer numbers ticks across reconnects, so tick ids stay unique.
 */
export class FeedFrameReader {
  private readonly wanted: ReadonlySet<InstrumentToken>;
  private readonly decodeOptions: DecodeOptions;
  private readonly metrics: FeedMetrics;
  private readonly logger: Logger;
  private readonly sequencer = new TickSequencer();
  private readonly tickLog: RateLimitedKeys<InstrumentToken>;
  private readonly malformedLog: RateLimitedKeys<number>;

  constructor(
    wanted: ReadonlySet<InstrumentToken>,
    decodeOptions: DecodeOptions,
    settings: FrameReaderSettings,
    metrics: FeedMetrics,
    logger: Logger,
  ) {
    this.wanted = wanted;
    this.decodeOptions = decodeOptions;
    this.metrics = metrics;
    this.logger = logger;
    this.tickLog = new RateLimitedKeys(settings.debugTickLogIntervalMs, settings.debugTickLogPerSecond);
    // Malformed packets are rare and worth seeing: one line per length per interval, no global cap.
    this.malformedLog = new RateLimitedKeys(settings.malformedLogIntervalMs, Number.POSITIVE_INFINITY);
  }

  /**
   * The instruments behind `decodeOptions.exchangeOf` changed (a refreshed selection): each
   * token's exchange is asked again at its next tick, in case a token now names another exchange.
   */
  exchangesChanged(): void {
    this.sequencer.forgetExchanges();
  }

  /** The frame's ticks for subscribed tokens (possibly none), and whether it was a heartbeat. */
  read(
    frame: Uint8Array,
    receivedAt: EpochMs,
  ): { readonly ticks: readonly Tick[]; readonly heartbeat: boolean } {
    const { metrics } = this;
    const result = decodeFrame(frame, receivedAt, this.sequencer, this.decodeOptions);
    metrics.dataBytes.inc(frame.byteLength);
    if (result.heartbeat) {
      metrics.heartbeatFrames.inc();
      return { ticks: [], heartbeat: true };
    }
    metrics.dataFrames.inc();
    if (result.ticks.length > 0) metrics.packets.inc(result.ticks.length);
    if (result.malformed.length > 0) {
      metrics.malformedPackets.inc(result.malformed.length);
      for (const bad of result.malformed) {
        const dropped = this.malformedLog.allow(bad.length, receivedAt);
        if (dropped !== undefined) {
          this.logger.warn('Skipped a malformed m.Stock packet', {
            length: bad.length,
            offset: bad.offset,
            reason: bad.reason,
            frameBytes: frame.byteLength,
            sameLengthSkippedSinceLastLine: dropped,
          });
        }
      }
    }
    const ticks = this.subscribedOnly(result.ticks);
    if (ticks.length > 0 && this.logger.isEnabled('debug')) {
      for (const tick of ticks) {
        if (this.tickLog.allow(tick.token, receivedAt) !== undefined) {
          this.logger.debug(`Tick received for ${tick.token}`);
        }
      }
    }
    return { ticks, heartbeat: false };
  }

  /** Allocates a new array only in the rare frame that carries an unsubscribed token. */
  private subscribedOnly(ticks: Tick[]): readonly Tick[] {
    if (ticks.every((t) => this.wanted.has(t.token))) return ticks;
    const kept = ticks.filter((t) => this.wanted.has(t.token));
    this.metrics.unsubscribedTicks.inc(ticks.length - kept.length);
    return kept;
  }
}
