import type { InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import { addTick, flushBar, type MinuteBar, type TokenBars } from '../../domain/minute-bars.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { FeedMessage } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import type { RecordPublisher } from '../../ports/record-publisher.ts';
import { candleRecord } from '../../ports/control-records/candle-record.ts';

/**
 * 1-minute bars from the ticks that passed the screen, published to the candle topic as each
 * completes (at the token's next minute, or `graceMs` after its minute when the token went quiet),
 * and kept for the day so the reconciliation can compare them with the broker's after the close.
 */
export class BarBuilder {
  private readonly deps: {
    readonly publisher: RecordPublisher;
    readonly session: MarketSession;
    readonly clock: Clock;
    readonly logger: Logger;
  };
  private readonly graceMs: number;
  private readonly states = new Map<string, TokenBars>();
  private readonly bars = new Map<string, MinuteBar[]>();
  private day: number | undefined;
  private readonly built: Counter;

  constructor(
    deps: {
      readonly publisher: RecordPublisher;
      readonly session: MarketSession;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly metrics: Metrics;
    },
    settings: { readonly graceMs: number },
  ) {
    this.deps = deps;
    this.graceMs = settings.graceMs;
    this.built = deps.metrics.counter('candles_built_total', '1-minute bars built from live ticks');
  }

  observe(message: FeedMessage): void {
    if (message.kind !== 'ticks') return;
    for (const tick of message.ticks) {
      const r = addTick(this.states.get(tick.token), tick, this.deps.session);
      this.states.set(tick.token, r.state);
      if (r.done !== undefined) this.emit(r.done, r.state.day);
    }
  }

  /** A removed instrument's open bar is completed now and its state dropped; an added one starts with its first tick. */
  forget(removed: readonly InstrumentToken[]): void {
    for (const token of removed) {
      const state = this.states.get(token);
      if (state === undefined) continue;
      // Past its grace at once: the bar ends with the last tick it got.
      const r = flushBar(state, token, Number.MAX_SAFE_INTEGER as EpochMs, this.graceMs);
      if (r.done !== undefined) this.emit(r.done, r.state.day);
      this.states.delete(token);
    }
  }

  /** Completes bars whose minute is over; the service calls it every second. */
  flush(): void {
    const now = this.deps.clock.now();
    for (const [token, state] of this.states) {
      const r = flushBar(state, token as InstrumentToken, now, this.graceMs);
      if (r.done === undefined) continue;
      this.states.set(token, r.state);
      this.emit(r.done, r.state.day);
    }
  }

  /** The bars built today, per token, oldest first. */
  barsByToken(): ReadonlyMap<string, readonly MinuteBar[]> {
    return this.bars;
  }

  private emit(bar: MinuteBar, day: number): void {
    // A new day starts the kept bars afresh: the reconciliation of the last one has run by then.
    if (this.day !== day) {
      this.bars.clear();
      this.day = day;
    }
    const list = this.bars.get(bar.token) ?? [];
    list.push(bar);
    this.bars.set(bar.token, list);
    this.built.inc();
    this.deps.publisher.publish([candleRecord(bar)]).catch((e: unknown) =>
      this.deps.logger.error('Candle not delivered to the candle topic', {
        token: bar.token,
        error: e instanceof Error ? e.message : String(e),
      }),
    );
  }
}
