import type { FeedGap } from '../../domain/feed-events.ts';
import { gapBackfill } from '../../domain/gap-backfill.ts';
import { planCoverage, type BarCoverage } from '../../domain/gap-coverage.ts';
import type { CandleInterval } from '../../domain/candle.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { StartBackfill } from '../../domain/system-command.ts';
import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Shard } from '../../domain/shard.ts';
import type { Clock } from '../../ports/clock.ts';
import type { CommandBus, CommandSubscription, Inbound } from '../../ports/command-bus/command-bus.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import { CommandBusClosed } from '../../ports/command-bus/command-bus-errors.ts';
import type { JobOutcome, JobTarget } from './backfill-job.ts';
import { ClockAlarms, type Schedule } from './clock-alarms.ts';
import { JobMetrics } from './job-metrics.ts';
import { GapFillBatches, mergeGapFills, type GapFillGroup, type GapWaiter } from './gap-fill-batches.ts';
import { splitByShard, type OwnedInstruments, type ShardRequest } from './owned-instruments.ts';
import { choosePlan, resolveRequest, type BackfillRequest } from './plan-request.ts';
import type { PlanStore } from './plan-store.ts';
import { handedRequestOf, ShardIndexWriter } from './shard-index-writer.ts';
import { DEFAULT_HANDOFF, takeOverPlans, type HandoffSettings, type PlanLeft } from './shard-handoff.ts';

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
   * In a cluster (CLUSTER_GROUP): the shards this member owns. The start-up backfill waits for the
   * first assignment, and it and START_BACKFILL cover only the instruments owned when planned, one
   * plan per shard. Absent: every instrument, as a lone instance.
   */
  readonly owned?: OwnedInstruments;
  /** In a cluster: how long a gained shard's running plan is waited for before it is resumed here. */
  readonly handoff?: HandoffSettings;
  /**
   * The bus carries more than backfills: REFRESH_INSTRUMENTS goes here (the live path's selection).
   * Absent (no INSTRUMENTS_QUERY, or a backfill alone): the command is refused with a warning.
   */
  readonly refreshInstruments?: () => void;
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

/** A request waiting for its turn: to plan, or (a shard taken over) to resume a plan by id. */
type Pending =
  | {
      readonly kind: 'request';
      readonly request: BackfillRequest;
      readonly origin: RequestOrigin;
      readonly gaps?: GapFills;
      /** In a cluster: the shard whose plan this is (start-up and command requests). */
      readonly shard?: Shard;
    }
  | { readonly kind: 'resume'; readonly planId: PlanId; readonly shard: Shard };

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
 *
 * In a cluster, a start-up or command request becomes one plan per owned shard, run one after the
 * other. A shard lost stops its plan's job (its next owner resumes the plan from the shared event
 * log) and hands on its queued requests, through the shard's index; a shard gained has what its
 * previous owner left resumed here, once that owner let go of it (`shard-handoff.ts`). The group's
 * assignment, and the release, keep two members from writing one plan.
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
    | {
        readonly planId: PlanId;
        readonly done: Promise<void>;
        readonly abort: AbortController;
        readonly shard: Shard | undefined;
      }
    | undefined;
  /** Start-up and gap requests wait here while a job runs; operator commands do not (but their other shards' parts do). */
  private readonly queued: Pending[] = [];
  /** In a cluster: shards lost since they were last gained; their requests are handed on, not run. */
  private readonly lost = new Set<Shard>();
  /** In a cluster: shards gained whose previous owner's work was (or is being) looked for. */
  private readonly adopted = new Set<Shard>();
  /** In a cluster: what this member says in its shards' indexes. */
  private readonly index: ShardIndexWriter;
  /** The looks for gained shards' plans under way. */
  private readonly takeOvers = new Set<Promise<void>>();
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
    this.index = new ShardIndexWriter(deps.store, deps.clock, this.logger);
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
    // Whatever the start-up trigger says, a shard's unfinished plan is its new owner's to finish.
    const source = this.deps.owned;
    if (source !== undefined) {
      const adoptAtStart = Promise.race([source.ownedShards(), this.stopping.promise]).then((owned) => {
        if (owned !== undefined) this.adoptShards(owned.map((o) => o.shard));
      });
      this.takeOvers.add(adoptAtStart);
      void adoptAtStart.finally(() => this.takeOvers.delete(adoptAtStart));
    }
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
    // In a cluster the plan-wide index is not kept: each shard's unfinished plan is adopted instead.
    const latest = this.deps.owned === undefined ? await this.deps.store.latest() : undefined;
    if (latest !== undefined && (await this.deps.store.load(latest)).state.status === 'running') {
      this.logger.info('Resuming the backfill plan left unfinished', { plan: latest });
      this.launch({ kind: 'resume', planId: latest });
    }
    const now = this.deps.clock.now();
    const closed = !this.deps.session.isOpen(now);
    if (this.settings.onStart === 'always' || closed) {
      this.logger.info('Backfill at start', { onStart: this.settings.onStart, marketOpen: !closed });
      const parts = await this.ownedParts(this.defaultRequest({ type: 'StartBackfill' }), 'start');
      for (const part of parts ?? []) await this.submit(this.pendingOf(part, 'start'), false);
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
    // In a cluster the shards go to other members: so do the backfills not begun.
    const queuedShards = new Set(this.queued.flatMap((p) => (p.shard === undefined ? [] : [p.shard])));
    for (const p of this.queued) this.hand(p);
    this.queued.length = 0;
    await this.subscription
      ?.close()
      .catch((e: unknown) =>
        this.logger.warn('Closing the command subscription failed', { error: messageOf(e) }),
      );
    const running = this.running;
    running?.abort.abort();
    await running?.done;
    for (const shard of new Set([...queuedShards, ...this.index.handingOver()]))
      await this.index.release(shard);
  }

  /** Keeps a queued part of a shard's backfill (start-up, command) for the shard's release to hand on. */
  private hand(p: Pending): void {
    const handed = p.kind === 'request' ? handedRequestOf(p.request, p.origin) : undefined;
    if (handed !== undefined && p.shard !== undefined) this.index.hand(p.shard, handed);
  }

  /** The plan being worked on, if any. */
  get current(): PlanId | undefined {
    return this.running?.planId;
  }

  /** Resolves when no job runs, none is about to start, none is queued, and no gained shard is looked at. */
  async idle(): Promise<void> {
    await this.atStart;
    for (;;) {
      if (this.running !== undefined) await this.running.done;
      else if (this.resolving.size > 0) await Promise.allSettled(this.resolving);
      else if (this.takeOvers.size > 0) await Promise.allSettled(this.takeOvers);
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

  /**
   * Starts a backfill for a command (defaults filled from the settings). In a cluster, one plan per
   * owned shard: the first runs now (or the command is refused as busy), the others queue behind it.
   */
  async requestCommand(command: StartBackfill): Promise<RequestOutcome> {
    const parts = await this.ownedParts(this.defaultRequest(command), 'command');
    const [first, ...others] = parts ?? [];
    // No warning when nothing is owned (ownedParts logs it): usual for a member without shards.
    const outcome: RequestOutcome =
      first === undefined
        ? { kind: 'refused', reason: 'this cluster member owns none of the instruments asked for' }
        : await this.submit(this.pendingOf(first, 'command'), false);
    if (outcome.kind === 'started' || outcome.kind === 'resumed' || outcome.kind === 'finished')
      for (const part of others) await this.submit(this.pendingOf(part, 'command'), true);
    const label: CommandOutcome = outcome.kind === 'queued' ? 'started' : outcome.kind;
    this.commandCounters[label].inc();
    return outcome;
  }

  /**
   * Runs a request now, or queues it behind the running job (start and gap requests), or refuses
   * it (operator commands while a job runs).
   */
  request(request: BackfillRequest, origin: RequestOrigin, gaps?: GapFills): Promise<RequestOutcome> {
    return this.submit({ kind: 'request', request, origin, ...(gaps === undefined ? {} : { gaps }) }, false);
  }

  /**
   * A cluster member lost these shards: a running job of one of their plans is stopped (what its
   * stages have in hand is recorded; the plan stays `running` for the shard's next owner) and
   * awaited; their queued requests are dropped, those not begun handed on; each shard's index says
   * it let go. Resolves once nothing here works on them: call it before the group hands them on.
   */
  async releaseShards(shards: readonly Shard[]): Promise<void> {
    if (shards.length === 0) return;
    for (const shard of shards) {
      this.lost.add(shard);
      this.adopted.delete(shard);
    }
    const dropped = this.queued.filter((p) => p.shard !== undefined && this.lost.has(p.shard));
    for (const p of dropped) {
      this.queued.splice(this.queued.indexOf(p), 1);
      this.hand(p);
    }
    if (dropped.length > 0)
      this.logger.info('Shards lost: their backfills not begun are handed to their next owner', {
        requests: dropped.length,
      });
    const running = this.running;
    if (running?.shard !== undefined && this.lost.has(running.shard)) {
      this.logger.info(
        'Shard moved to another member: stopping its backfill here, for its new owner to resume',
        {
          shard: running.shard,
          plan: running.planId,
        },
      );
      running.abort.abort();
      await running.done; // its end writes the shard's release, with what is handed on
    }
    // Each lost shard's index ends in a release (written already when there is nothing to add).
    for (const shard of shards) await this.index.release(shard);
  }

  /**
   * A cluster member gained these shards: the plan each one's previous owner left unfinished is
   * resumed here (queued like a start-up request), once that owner let go of it. Returns at once.
   */
  adoptShards(shards: readonly Shard[]): void {
    for (const shard of shards) this.lost.delete(shard);
    // Once per gain: at the first assignment both the start and the assignment ask.
    const fresh = shards.filter((s) => !this.adopted.has(s));
    if (this.deps.owned === undefined || this.stopped || fresh.length === 0) return;
    for (const shard of fresh) this.adopted.add(shard);
    const deps = {
      store: this.deps.store,
      abandoned: (shard: Shard) => this.stopped || this.lost.has(shard),
      here: (planId: PlanId) =>
        this.running?.planId === planId ||
        this.queued.some((p) => p.kind === 'resume' && p.planId === planId),
      sleep: (ms: number) =>
        Promise.race([
          new Promise<void>((r) => setTimeout(r, ms)),
          this.stopping.promise.then(() => undefined),
        ]),
    };
    const takeOver = takeOverPlans(deps, fresh, this.deps.handoff ?? DEFAULT_HANDOFF, (left) =>
      this.resumeTakenOver(left),
    )
      .catch((e: unknown) =>
        this.logger.error('Could not look for the unfinished backfills of the shards gained', {
          shards: fresh.join(','),
          error: messageOf(e),
        }),
      )
      .finally(() => this.takeOvers.delete(takeOver));
    this.takeOvers.add(takeOver);
  }

  private resumeTakenOver(left: PlanLeft): void {
    if (this.stopped || this.lost.has(left.shard)) return;
    const { shard, planId } = left;
    const fail = (e: unknown): void =>
      this.logger.error('A backfill taken over failed to start', { shard, error: messageOf(e) });
    if (planId !== undefined) {
      this.logger.info('Resuming the backfill plan of a shard taken over from another member', {
        shard,
        plan: planId,
        released: left.released,
      });
      this.submit({ kind: 'resume', planId, shard }, true).catch(fail);
    }
    if (left.pending.length > 0)
      this.logger.info('Taking over the backfills of a shard its previous owner had not begun', {
        shard,
        requests: left.pending.length,
      });
    for (const handed of left.pending)
      this.submit(
        {
          kind: 'request',
          request: {
            ...(handed.id === null ? {} : { id: handed.id }),
            tokens: handed.tokens,
            interval: handed.interval,
            span: { kind: 'days', days: handed.days },
          },
          origin: handed.origin,
          shard,
        },
        true,
      ).catch(fail);
  }

  /**
   * Runs a pending request now, or queues it behind the running job (start, gap and resume
   * requests, and a command's parts after its first when `queueCommand`), or refuses it (operator
   * commands while a job runs).
   */
  private async submit(pending: Pending, queueCommand: boolean): Promise<RequestOutcome> {
    if (this.stopped) return { kind: 'refused', reason: 'the backfill coordinator is stopping' };
    if (pending.shard !== undefined && this.lost.has(pending.shard))
      return this.movedAway(pending, pending.shard);
    if (this.running !== undefined) {
      if (pending.kind === 'request' && pending.origin === 'command' && !queueCommand) {
        this.logger.warn('A backfill is already running; request ignored', { running: this.running.planId });
        return { kind: 'busy', running: this.running.planId };
      }
      this.queued.push(pending);
      // Until its release hands this on, the shard's next owner must wait for this member.
      if (pending.shard !== undefined && this.deps.owned !== undefined) this.index.queued(pending.shard);
      return { kind: 'queued' };
    }
    const resolving =
      pending.kind === 'resume' ? this.resumeNow(pending) : this.resolveAndLaunch(pending, queueCommand);
    this.resolving.add(resolving);
    try {
      return await resolving;
    } finally {
      this.resolving.delete(resolving);
    }
  }

  /** Resumes a shard's plan taken over, unless it finished meanwhile. */
  private async resumeNow(pending: Extract<Pending, { kind: 'resume' }>): Promise<RequestOutcome> {
    const { state } = await this.deps.store.load(pending.planId);
    if (this.stopped) return { kind: 'refused', reason: 'the backfill coordinator is stopping' };
    if (this.lost.has(pending.shard)) return this.movedAway(pending, pending.shard);
    if (this.running !== undefined) return this.submit(pending, true);
    if (state.status !== 'running') return { kind: 'finished', planId: pending.planId };
    this.launch({ kind: 'resume', planId: pending.planId }, undefined, pending.shard);
    return { kind: 'resumed', planId: pending.planId };
  }

  private async resolveAndLaunch(
    pending: Extract<Pending, { kind: 'request' }>,
    queueCommand: boolean,
  ): Promise<RequestOutcome> {
    const { request, origin, gaps, shard } = pending;
    const fetchAgain = gaps?.fetchAgain === true;
    const resolved = resolveRequest(request, this.deps.session, this.deps.clock.now());
    if (resolved.tokens.length === 0 || resolved.windows.length === 0) {
      for (const w of gaps?.waiters ?? []) w.onSettled({ kind: 'refused', reason: 'nothing to backfill' });
      return this.refuse('nothing to backfill (no tokens or no trading days)');
    }
    // The start-up trigger must not redo a finished backfill on every restart; an operator may,
    // and so may a gap whose last backfill came back short.
    const choice = await choosePlan(this.deps.store, resolved, origin === 'command' || fetchAgain);
    // A job may have started, a stop begun, or the shard moved, while the store was read.
    if (this.stopped) return { kind: 'refused', reason: 'the backfill coordinator is stopping' };
    if (shard !== undefined && this.lost.has(shard)) return this.movedAway(pending, shard);
    if (this.running !== undefined) return this.submit(pending, queueCommand);
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
        this.launch({ kind: 'resume', planId: choice.planId }, gaps, shard);
        return { kind: 'resumed', planId: choice.planId };
      case 'new':
        this.launch({ kind: 'new', request: { ...resolved, planId: choice.planId } }, gaps, shard);
        return { kind: 'started', planId: choice.planId };
    }
  }

  /** A request for a shard lost meanwhile: handed on (if not begun) with one more release of the shard. */
  private movedAway(pending: Pending, shard: Shard): RequestOutcome {
    this.hand(pending);
    void this.index.release(shard);
    return { kind: 'refused', reason: `shard ${shard} moved to another member` };
  }

  private refuse(reason: string): RequestOutcome {
    this.logger.warn('Backfill request refused', { reason });
    return { kind: 'refused', reason };
  }

  /**
   * The parts of a request this member backfills: all of it, as one, outside a cluster; in a
   * cluster, one per owned shard with its instruments (after the first assignment): none when it
   * owns none of them, undefined when it stops while waiting. Gap fills are not split: a gap is
   * recorded by the member that followed the instrument, and that member fills it.
   */
  private async ownedParts(
    request: BackfillRequest,
    origin: RequestOrigin,
  ): Promise<readonly { readonly shard?: Shard; readonly request: BackfillRequest }[] | undefined> {
    const source = this.deps.owned;
    if (source === undefined) return [{ request }];
    const owned = await Promise.race([source.ownedShards(), this.stopping.promise]);
    if (owned === undefined) return undefined;
    const parts: readonly ShardRequest[] = splitByShard(request, owned);
    const instruments = parts.reduce((n, p) => n + p.request.tokens.length, 0);
    if (parts.length === 0)
      this.logger.info('This cluster member owns none of the instruments to backfill: nothing planned', {
        origin,
        owned: owned.reduce((n, o) => n + o.tokens.length, 0),
        asked: request.tokens.length,
      });
    else
      this.logger.info('Backfill of the instruments this cluster member owns', {
        origin,
        instruments,
        of: request.tokens.length,
        shards: parts.map((p) => p.shard).join(','),
      });
    return parts;
  }

  private pendingOf(
    part: { readonly shard?: Shard; readonly request: BackfillRequest },
    origin: RequestOrigin,
  ): Pending {
    return {
      kind: 'request',
      request: part.request,
      origin,
      ...(part.shard === undefined ? {} : { shard: part.shard }),
    };
  }

  private defaultRequest(command: StartBackfill): BackfillRequest {
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
    const command = message.command;
    if (command.type === 'RefreshInstruments') {
      this.logger.info('Command received', { type: command.type });
      if (this.deps.refreshInstruments !== undefined) this.deps.refreshInstruments();
      else {
        this.commandCounters.refused.inc();
        this.logger.warn(
          'REFRESH_INSTRUMENTS ignored: this service follows a fixed list (no INSTRUMENTS_QUERY)',
        );
      }
      return;
    }
    this.logger.info('Command received', { type: command.type, id: command.id });
    this.requestCommand(command).catch((e: unknown) => {
      this.commandCounters.refused.inc();
      this.logger.error('Backfill command failed', { error: messageOf(e) });
    });
  }

  private launch(target: JobTarget, gaps?: GapFills, shard?: Shard): void {
    const planId = target.kind === 'new' ? target.request.planId : target.planId;
    const abort = new AbortController();
    const done = (shard === undefined ? Promise.resolve() : this.index.started(shard, planId))
      .then(() => this.deps.runJob(target, abort.signal))
      .then(async (outcome) => {
        this.outcomes.push(outcome);
        if (gaps === undefined) return;
        // Each gap hears the coverage of its own instruments, not of the whole backfill.
        const state = (await this.deps.store.load(planId)).state;
        for (const w of gaps.waiters)
          w.onSettled({ kind: 'job', outcome, coverage: planCoverage(state, w.tokens) });
      })
      .catch((e: unknown) => this.logger.error('Backfill job crashed', { plan: planId, error: messageOf(e) }))
      // Whatever became of the job, the shard's next owner need not wait for this member.
      .then(() => (shard === undefined ? undefined : this.index.release(shard)))
      .finally(() => {
        this.running = undefined;
        this.next();
      });
    this.running = { planId, done, abort, shard };
  }

  /** Runs the next queued request, if any. */
  private next(): void {
    const item = this.queued.shift();
    if (item === undefined || this.stopped) return;
    const gaps =
      item.kind === 'request' && item.gaps !== undefined ? this.withQueuedAlike(item.gaps) : undefined;
    const pending: Pending =
      item.kind === 'request' && gaps !== undefined ? { ...item, request: gaps.request, gaps } : item;
    this.submit(pending, true).catch((e: unknown) =>
      this.logger.error('Queued backfill request failed', { error: messageOf(e) }),
    );
  }

  /** Gap fills queued behind a job, merged with the later ones that ask for the same bars. */
  private withQueuedAlike(first: GapFills): GapFills {
    const alike = [first];
    for (let i = this.queued.length - 1; i >= 0; i -= 1) {
      const item = this.queued[i];
      const gaps = item?.kind === 'request' ? item.gaps : undefined;
      if (gaps?.key !== first.key) continue;
      alike.push(gaps);
      this.queued.splice(i, 1);
    }
    return mergeGapFills(alike) ?? first;
  }
}
