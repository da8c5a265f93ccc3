import type { InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { Tick } from '../../domain/tick.ts';
import {
  QUARANTINE_REASONS,
  checkTick,
  rememberTick,
  type QuarantineReason,
  type TokenMemory,
  type ValidationRules,
} from '../../domain/tick-validation.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import type { ControlRecord, RecordPublisher } from '../../ports/record-publisher.ts';
import { quarantineRecord } from '../../ports/control-records/quarantine-record.ts';

/**
 * The validating stage in front of the tick sink: every tick is checked (tick-validation.ts); the
 * ones that fail go to the quarantine publisher with their reason and are counted by it, and only
 * the rest travel on. The quarantine publisher's own failures are counted and logged by it; here a
 * refused publish is logged once more with the reason, never thrown into the feed loop.
 */
export class TickScreen {
  /** Undefined: every token counts as subscribed (a replay's source already kept only those). */
  private readonly wanted: Set<string> | undefined;
  private readonly rules: ValidationRules;
  private readonly session: MarketSession;
  private readonly quarantine: RecordPublisher;
  private readonly logger: Logger;
  private readonly counters: Readonly<Record<QuarantineReason, Counter>>;
  private readonly memory = new Map<string, TokenMemory>();
  private readonly logged = new Map<QuarantineReason, number>();
  private quarantined = 0;

  constructor(
    deps: {
      readonly quarantine: RecordPublisher;
      readonly session: MarketSession;
      readonly logger: Logger;
      readonly metrics: Metrics;
    },
    settings: { readonly tokens: readonly InstrumentToken[] | 'any'; readonly rules: ValidationRules },
  ) {
    this.wanted = settings.tokens === 'any' ? undefined : new Set(settings.tokens);
    this.rules = settings.rules;
    this.session = deps.session;
    this.quarantine = deps.quarantine;
    this.logger = deps.logger;
    const counter = (reason: QuarantineReason): Counter =>
      deps.metrics.counter('ticks_quarantined_total', 'Ticks held back from market_ticks, by reason', {
        reason,
      });
    this.counters = Object.fromEntries(QUARANTINE_REASONS.map((r) => [r, counter(r)])) as Record<
      QuarantineReason,
      Counter
    >;
  }

  /** Ticks quarantined since start. */
  get quarantinedCount(): number {
    return this.quarantined;
  }

  /** Instruments added to or removed from the running path: a removed one's ticks are unsubscribed ones. */
  follow(added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): void {
    if (this.wanted === undefined) return;
    for (const t of added) this.wanted.add(t);
    for (const t of removed) {
      this.wanted.delete(t);
      this.memory.delete(t);
    }
  }

  /** The ticks that pass, in order (the same array when all pass); the others go to quarantine. */
  screen(ticks: readonly Tick[], receivedAt: EpochMs): readonly Tick[] {
    // One calendar look-up per frame: its ticks share a receive time.
    const marketOpen = this.session.isOpen(receivedAt);
    let passed: Tick[] | undefined;
    let records: ControlRecord[] | undefined;
    for (let i = 0; i < ticks.length; i++) {
      const tick = ticks[i] as Tick;
      const memory = this.memory.get(tick.token);
      const reason = checkTick(tick, memory, this.rules, {
        subscribed: this.wanted?.has(tick.token) ?? true,
        marketOpen,
      });
      if (reason === undefined) {
        const next = rememberTick(tick, memory);
        if (next !== memory) this.memory.set(tick.token, next);
        passed?.push(tick);
        continue;
      }
      passed ??= ticks.slice(0, i);
      records ??= [];
      records.push(quarantineRecord(reason, tick));
      this.counters[reason].inc();
      this.quarantined += 1;
      // The first few of each reason, then one in a thousand: a misconfigured clock must not flood the log.
      const seen = (this.logged.get(reason) ?? 0) + 1;
      this.logged.set(reason, seen);
      if (seen <= 10 || seen % 1000 === 0)
        this.logger.warn('Tick quarantined', { token: tick.token, reason, ltp: tick.ltp, seen });
    }
    if (records !== undefined) {
      const n = records.length;
      this.quarantine.publish(records).catch((e: unknown) => {
        this.logger.error('Quarantined ticks not delivered to the quarantine topic', {
          ticks: n,
          error: e instanceof Error ? e.message : String(e),
        });
      });
    }
    return passed ?? ticks;
  }
}
