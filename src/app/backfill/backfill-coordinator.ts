import type { FeedGap } from '../../domain/feed-events.ts';
import { gapBackfill } from '../../domain/gap-backfill.ts';
import { planCoverage, type BarCoverage } from '../../domain/gap-coverage.ts';
import type { CandleInterval } from '../../domain/candle.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { SystemCommand } from '../../domain/system-command.ts';
import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Clock } from '../../ports/clock.ts';
import type { CommandBus, CommandSubscription, Inbound } from '../../ports/command-bus/command-bus.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import { CommandBusClosed } from '../../ports/command-bus/command-bus-errors.ts';
import type { JobOutcome, JobTarget } from './backfill-job.ts';
import { ClockAlarms, type Schedule } from './clock-alarms.ts';
import { JobMetrics } from './job-metrics.ts';
import { GapFillBatches, mergeGapFills, type GapFillGroup, type GapWaiter } from './gap-fill-batches.ts';
import { narrowToOwned, type OwnedInstruments } from './owned-instruments.ts';
import { choosePlan, resolveRequest, type BackfillRequest } from './plan-request.ts';
import type { PlanStore } from './plan-store.ts';

export type BackfillOnStart = 'auto' | 'always' | 'never';

export interface CoordinatorSettings {
  /** auto: backfill at start when the market is not open; always; never (an unfinished plan is still resumed unless never). */
  readonly onStart: BackfillOnStart;
  readonly defaultDays: number;
  readonly defaultTokens: readonly InstrumentToken[];
  readonly defaultInterval: CandleInterval;
}

export type { Schedule } from './clock-alarms.ts';

/** Runs one job to its end; the coordinator never runs two at once. */
export type RunJob = (target: JobTarget, signal: AbortSignal) => Promise<JobOutcome>;

export interface CoordinatorDeps {
  readonly bus: CommandBus;
  readonly store: PlanStore;
  readonly runJob: RunJob;
  readonly session: MarketSession;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly schedule?: Schedule;
  /** How often a gap waiting for final bars looks at the clock again (the clock may jump: replay, tests, a suspended host). */
  readonly recheckMs?: number;
  /** Wait between tries to subscribe to the bus while it cannot be reached (default 1 s; each try waits for the bus's own timeout first). */
  readonly listenRetryMs?: number;
  /**
   * In a cluster (CLUSTER_GROUP): the instruments this member owns. The start-up backfill waits for
   * the first assignment, and it and START_BACKFILL cover only the instruments owned when planned.
   * Absent: every instrument, as a lone instance.
   */
  readonly owned?: OwnedInstruments;
}

/** Options of one gap fill. */
export interface GapFillOptions {
  /** Ask the broker again even when a plan for the same bars has finished (a short answer's retry). */
  readonly fetchAgain?: boolean;
}

/** Where a request came from: an operator's command, the start-up trigger, or a feed gap. */
export type RequestOrigin = 'command' | 'start' | 'gap';

/** What became of a request. */
export type RequestOutcome =
  | { readonly kind: 'started' | 'resumed'; readonly planId: PlanId }
  | { readonly kind: 'queued' }
  | { readonly kind: 'busy'; readonly running: PlanId }
  | { readonly kind: 'finished'; readonly planId: PlanId }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * What became of a gap's backfill, for the gap ledger (`fillGap`'s `onSettled`): the job's outcome
 * or the plan already finished, each with what its chunks brought back against the calendar.
 */
export type GapFillResult =
  | { readonly kind: 'nothing-to-fill' }
  | { readonly kind: 'job'; readonly outcome: JobOutcome; readonly coverage: BarCoverage }
  | { readonly kind: 'finished'; readonly planId: PlanId; readonly coverage: BarCoverage }
  | { readonly kind: 'refused'; readonly reason: string };

type OnJob = (result: GapFillResult) => void;

/** The gaps a request fills (empty for a start-up or command request), grouped by what they ask. */
type GapFills = GapFillGroup<GapFillResult>;

type CommandOutcome = 'started' | 'resumed' | 'busy' | 'rejected' | 'refused' | 'finished';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Decides when a backfill runs, and runs one at a time:
 * - at start, it resumes the plan the last run left unfinished (unless BACKFILL_ON_START=never),
 *   then backfills the last days when `onStart` says so (`auto`: the market is not open now);
 *   none of this waits for the command bus, which may be down (Redis unreachable);
 * - `StartBackfill` commands from the bus start a job; one arriving while a job runs is refused
 *   (logged, counted as `busy`), and a malformed message is logged and counted (here only: the
 *   bus hands it on without a word), never fatal. The subscription is tried again until the bus
 *   takes it; after that, the bus keeps it across reconnects;
 * - feed gaps become targeted backfills once their bars are final, queued behind a running job.
 * Every command is counted in `system_commands_total{outcome}`.
 */
export class BackfillCoordinator {
  private readonly deps: CoordinatorDeps;
  private readonly settings: CoordinatorSettings;
  private readonly logger: Logger;
  private readonly alarms: ClockAlarms;
  private readonly commandCounters: Readonly<Record<CommandOutcome, Counter>>;
  private subscription: CommandSubscription | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private lastListenError: string | undefined;
  private running:
    { readonly planId: PlanId; readonly done: Promise<void>; readonly abort: AbortController } | undefined;
  /** Start-up and gap requests wait here while a job runs; operator commands do not wait. */
  private readonly queued: {
    readonly request: BackfillRequest;
    readonly origin: RequestOrigin;
    readonly gaps?: GapFills;
  }[] = [];
  /** Gap fills waiting for their bars to be final, grouped by the moment they are. */
  private readonly gapBatches = new GapFillBatches<GapFillResult>();
  /** Requests being resolved against the store (before their job starts). */
  private readonly resolving = new Set<Promise<RequestOutcome>>();
  private stopped = false;
  /** Settles on stop: ends a wait for the cluster's first assignment. */
  private readonly stopping = Promise.withResolvers<undefined>();
  /** The start-up backfill while it waits for the cluster's first assignment. */
  private atStart: Promise<void> | undefined;
  /** Outcomes of the jobs run so far, newest last: for status pages and tests. */
  readonly outcomes: JobOutcome[] = [];

  constructor(deps: CoordinatorDeps, settings: CoordinatorSettings) {
    this.deps = deps;
    this.settings = settings;
    this.logger = deps.logger.child({ component: 'backfill' });
    this.alarms = new ClockAlarms(deps.clock, deps.schedule, deps.recheckMs);
    const help = 'Operator commands received, by what became of them';
    const counter = (outcome: CommandOutcome): Counter =>
      deps.metrics.counter('system_commands_total', help, { outcome });
    this.commandCounters = {
      started: counter('started'),
      resumed: counter('resumed'),
      busy: counter('busy'),
      rejected: counter('rejected'),
      refused: counter('refused'),
      finished: counter('finished'),
    };
    // The job sets it; created here so /metrics shows `idle` before the first job.
    new JobMetrics(deps.metrics).setStatus('idle');
  }

  /**
   * Resumes or starts a backfill as the settings say, and meanwhile subscribes to commands. Neither
   * throws: a failure at start is logged (the service runs on without it), and a bus that cannot be
   * reached is tried again in the background. Resolves when the start-up backfill is under way.
   */
  async start(): Promise<void> {
    void this.listen();
    if (this.settings.onStart === 'never') return;
    const atStart = this.backfillAtStart().catch((e: unknown) => {
      this.logger.error('Backfill at start failed', { error: messageOf(e) });
    });
    // A cluster member's start-up backfill waits for its first assignment: not the service's start.
    if (this.deps.owned === undefined) await atStart;
    else this.atStart = atStart;
  }

  /** One try to subscribe; on failure the next is scheduled. */
  private async listen(): Promise<void> {
    let subscription: CommandSubscription;
    try {
      subscription = await this.deps.bus.subscribe((m) => this.onInbound(m));
    } catch (e) {
      if (this.stopped || e instanceof CommandBusClosed) return;
      const retryMs = this.deps.listenRetryMs ?? 1000;
      // Once per distinct error: an outage of hours is not a line every few seconds.
      if (this.lastListenError !== messageOf(e))
        this.logger.warn('Not listening for commands (START_BACKFILL) yet; retrying', {
          error: messageOf(e),
          retryMs,
        });
      this.lastListenError = messageOf(e);
      this.listenRetry = setTimeout(() => void this.listen(), retryMs);
      return;
    }
    if (this.stopped) {
      await subscription.close().catch(() => undefined);
      return;
    }
    this.subscription = subscription;
    if (this.lastListenError !== undefined) this.logger.info('Listening for commands (START_BACKFILL) now');
    this.lastListenError = undefined;
  }

  private async backfillAtStart(): Promise<void> {
    const latest = await this.deps.store.latest();
    if (latest !== undefined && (await this.deps.store.load(latest)).state.status === 'running') {
      if (this.deps.owned === undefined) {
        this.logger.info('Resuming the backfill plan left unfinished', { plan: latest });
        this.launch({ kind: 'resume', planId: latest });
      } else {
        // The plan index may be shared by the members (EVENT_LOG=kafka): resuming "the latest" could
        // run another member's plan. The start-up request below resumes it when it is this member's
        // plan for the instruments it owns now (same instruments, same days: the same plan id).
        this.logger.info(
          'A backfill plan was left unfinished; in a cluster it is resumed only if it is this member’s for the instruments it owns now',
          {
            plan: latest,
          },
        );
      }
    }
    const now = this.deps.clock.now();
    const closed = !this.deps.session.isOpen(now);
    if (this.settings.onStart === 'always' || closed) {
      this.logger.info('Backfill at start', { onStart: this.settings.onStart, marketOpen: !closed });
      const request = await this.ownedPart(this.defaultRequest({ type: 'StartBackfill' }), 'start');
      if (request !== undefined) await this.request(request, 'start');
    } else {
      this.logger.info('Market is open: no backfill at start', { onStart: this.settings.onStart });
    }
  }

  /** Stops listening, cancels pending gap fills, and stops a running job (its plan stays resumable). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.resolve(undefined);
    clearTimeout(this.listenRetry);
    this.alarms.cancelAll();
    this.gapBatches.clear();
    this.queued.length = 0;
    await this.subscription
      ?.close()
      .catch((e: unknown) =>
        this.logger.warn('Closing the command subscription failed', { error: messageOf(e) }),
      );
    const running = this.running;
    running?.abort.abort();
    await running?.done;
  }

  /** The plan being worked on, if any. */
  get current(): PlanId | undefined {
    return this.running?.planId;
  }

  /** Resolves when no job runs, none is about to start, and none is queued. */
  async idle(): Promise<void> {
    await this.atStart;
    for (;;) {
      if (this.running !== undefined) await this.running.done;
      else if (this.resolving.size > 0) await Promise.allSettled(this.resolving);
      else return;
    }
  }

  /**
   * Backfills the bars a feed gap left missing, once they are final at the broker. The request is
   * kept in memory only: a gap pending at shutdown is logged, not persisted (the gap ledger keeps
   * it open and hands it back on restart). `onSettled` hears what became of it: nothing to fill, the
   * job's outcome, a plan already finished, or a refusal; never, if the coordinator stops first.
   */
  fillGap(gap: FeedGap, onSettled?: OnJob, options: GapFillOptions = {}): void {
    const fill = gapBackfill(gap, this.deps.session);
    if (fill === undefined) {
      this.logger.debug('Feed gap outside market hours: nothing to backfill', { from: gap.from, to: gap.to });
      onSettled?.({ kind: 'nothing-to-fill' });
      return;
    }
    const request: BackfillRequest = {
      tokens: fill.tokens,
      interval: fill.interval,
      span: { kind: 'windows', windows: fill.windows },
    };
    this.logger.info('Feed gap will be backfilled when its bars are final', {
      tokens: fill.tokens.length,
      windows: fill.windows.length,
      inMs: Math.max(0, fill.readyAt - this.deps.clock.now()),
    });
    const waiter: GapWaiter<GapFillResult> = {
      tokens: fill.tokens,
      onSettled: onSettled ?? (() => undefined),
    };
    // Gaps due at the same moment with the same windows become one backfill of their instruments.
    if (!this.gapBatches.add(fill.readyAt, request, options.fetchAgain === true, waiter)) return;
    const ring = (): void => {
      for (const gaps of this.gapBatches.take(fill.readyAt))
        void this.request(gaps.request, 'gap', gaps).catch((e: unknown) =>
          this.logger.error('Gap backfill request failed', { error: messageOf(e) }),
        );
    };
    // Rung after the current task, so gaps recorded together after their bars are final (a
    // restart at night) join the batch too.
    this.alarms.at(fill.readyAt, () => void Promise.resolve().then(ring));
  }

  /** Starts a backfill for a command (defaults filled from the settings). */
  async requestCommand(command: SystemCommand): Promise<RequestOutcome> {
    const request = await this.ownedPart(this.defaultRequest(command), 'command');
    // No warning when nothing is owned (ownedPart logs it): usual for a member without shards.
    const outcome: RequestOutcome =
      request === undefined
        ? { kind: 'refused', reason: 'this cluster member owns none of the instruments asked for' }
        : await this.request(request, 'command');
    const label: CommandOutcome = outcome.kind === 'queued' ? 'started' : outcome.kind;
    this.commandCounters[label].inc();
    return outcome;
  }

  /**
   * Runs a request now, or queues it behind the running job (start and gap requests), or refuses
   * it (operator commands while a job runs).
   */
  async request(request: BackfillRequest, origin: RequestOrigin, gaps?: GapFills): Promise<RequestOutcome> {
    if (this.stopped) return { kind: 'refused', reason: 'the backfill coordinator is stopping' };
    if (this.running !== undefined) {
      if (origin === 'command') {
        this.logger.warn('A backfill is already running; request ignored', { running: this.running.planId });
        return { kind: 'busy', running: this.running.planId };
      }
      this.queued.push({ request, origin, ...(gaps === undefined ? {} : { gaps }) });
      return { kind: 'queued' };
    }
    const resolving = this.resolveAndLaunch(request, origin, gaps);
    this.resolving.add(resolving);
    try {
      return await resolving;
    } finally {
      this.resolving.delete(resolving);
    }
  }

  private async resolveAndLaunch(
    request: BackfillRequest,
    origin: RequestOrigin,
    gaps: GapFills | undefined,
  ): Promise<RequestOutcome> {
    const fetchAgain = gaps?.fetchAgain === true;
    const resolved = resolveRequest(request, this.deps.session, this.deps.clock.now());
    if (resolved.tokens.length === 0 || resolved.windows.length === 0) {
      for (const w of gaps?.waiters ?? []) w.onSettled({ kind: 'refused', reason: 'nothing to backfill' });
      return this.refuse('nothing to backfill (no tokens or no trading days)');
    }
    // The start-up trigger must not redo a finished backfill on every restart; an operator may,
    // and so may a gap whose last backfill came back short.
    const choice = await choosePlan(this.deps.store, resolved, origin === 'command' || fetchAgain);
    // A job may have started, or a stop begun, while the store was read.
    if (this.stopped) return { kind: 'refused', reason: 'the backfill coordinator is stopping' };
    if (this.running !== undefined) return this.request(request, origin, gaps);
    switch (choice.kind) {
      case 'finished':
        this.logger.info('Backfill plan already finished; nothing to do', { plan: choice.planId, origin });
        if (gaps !== undefined) {
          const state = (await this.deps.store.load(choice.planId)).state;
          for (const w of gaps.waiters)
            w.onSettled({ kind: 'finished', planId: choice.planId, coverage: planCoverage(state, w.tokens) });
        }
        return { kind: 'finished', planId: choice.planId };
      case 'resume':
        this.launch({ kind: 'resume', planId: choice.planId }, gaps);
        return { kind: 'resumed', planId: choice.planId };
      case 'new':
        this.launch({ kind: 'new', request: { ...resolved, planId: choice.planId } }, gaps);
        return { kind: 'started', planId: choice.planId };
    }
  }

  private refuse(reason: string): RequestOutcome {
    this.logger.warn('Backfill request refused', { reason });
    return { kind: 'refused', reason };
  }

  /**
   * The part of a request this member backfills: all of it outside a cluster; in a cluster, its
   * instruments owned now (after the first assignment), or undefined when it owns none of them or
   * stops while waiting. Gap fills are not narrowed: a gap is recorded by the member that followed
   * the instrument, and that member fills it.
   */
  private async ownedPart(
    request: BackfillRequest,
    origin: RequestOrigin,
  ): Promise<BackfillRequest | undefined> {
    const source = this.deps.owned;
    if (source === undefined) return request;
    const owned = await Promise.race([source.owned(), this.stopping.promise]);
    if (owned === undefined) return undefined;
    const narrowed = narrowToOwned(request, owned);
    if (narrowed === undefined)
      this.logger.info('This cluster member owns none of the instruments to backfill: nothing planned', {
        origin,
        owned: owned.length,
        asked: request.tokens.length,
      });
    else
      this.logger.info('Backfill of the instruments this cluster member owns', {
        origin,
        instruments: narrowed.tokens.length,
        of: request.tokens.length,
      });
    return narrowed;
  }

  private defaultRequest(command: SystemCommand): BackfillRequest {
    return {
      ...(command.id === undefined ? {} : { id: command.id }),
      tokens: command.tokens ?? this.settings.defaultTokens,
      interval: command.interval ?? this.settings.defaultInterval,
      span: { kind: 'days', days: command.days ?? this.settings.defaultDays },
    };
  }

  private onInbound(message: Inbound): void {
    if (message.kind === 'rejected') {
      this.commandCounters.rejected.inc();
      this.logger.warn('Ignored a malformed command', { reason: message.reason, raw: message.raw });
      return;
    }
    this.logger.info('Command received', { type: message.command.type, id: message.command.id });
    this.requestCommand(message.command).catch((e: unknown) => {
      this.commandCounters.refused.inc();
      this.logger.error('Backfill command failed', { error: messageOf(e) });
    });
  }

  private launch(target: JobTarget, gaps?: GapFills): void {
    const planId = target.kind === 'new' ? target.request.planId : target.planId;
    const abort = new AbortController();
    const done = this.deps
      .runJob(target, abort.signal)
      .then(async (outcome) => {
        this.outcomes.push(outcome);
        if (gaps === undefined) return;
        // Each gap hears the coverage of its own instruments, not of the whole backfill.
        const state = (await this.deps.store.load(planId)).state;
        for (const w of gaps.waiters)
          w.onSettled({ kind: 'job', outcome, coverage: planCoverage(state, w.tokens) });
      })
      .catch((e: unknown) => this.logger.error('Backfill job crashed', { plan: planId, error: messageOf(e) }))
      .finally(() => {
        this.running = undefined;
        this.next();
      });
    this.running = { planId, done, abort };
  }

  /** Runs the next queued request, if any. */
  private next(): void {
    const item = this.queued.shift();
    if (item === undefined || this.stopped) return;
    const gaps = item.gaps === undefined ? undefined : this.withQueuedAlike(item.gaps);
    this.request(gaps?.request ?? item.request, item.origin, gaps).catch((e: unknown) =>
      this.logger.error('Queued backfill request failed', { error: messageOf(e) }),
    );
  }

  /** Gap fills queued behind a job, merged with the later ones that ask for the same bars. */
  private withQueuedAlike(first: GapFills): GapFills {
    const alike = [first];
    for (let i = this.queued.length - 1; i >= 0; i -= 1) {
      const gaps = this.queued[i]?.gaps;
      if (gaps?.key !== first.key) continue;
      alike.push(gaps);
      this.queued.splice(i, 1);
    }
    return mergeGapFills(alike) ?? first;
  }
}
