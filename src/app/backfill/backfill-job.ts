import type { ChunkId } from '../../domain/backfill-plan-chunks.ts';
import { decide, evolve, isRefused } from '../../domain/backfill-plan.ts';
import { planProgress, type PlanProgress } from '../../domain/backfill-plan-queries.ts';
import type { PlanCommand, PlanEvent, PlanId, PlanState } from '../../domain/backfill-plan-types.ts';
import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { ChunkFileStore } from '../../ports/backfill-stages/chunk-file-store.ts';
import { JobMetrics } from './job-metrics.ts';
import type { ResolvedRequest } from './plan-request.ts';
import type { PlanStore } from './plan-store.ts';
import type { StageName } from '../../ports/backfill-stages/stage-names.ts';
import type { StageLauncher } from '../../ports/backfill-stages/stage-process.ts';
import { StageSupervisor, type ProgressMessage, type SupervisorSettings } from './stage-supervisor.ts';
import { StageWork } from './stage-work.ts';

export interface BackfillJobDeps {
  readonly store: PlanStore;
  readonly launch: StageLauncher;
  readonly files: ChunkFileStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The exchange of a token, for the historical request. */
  readonly exchangeOf: (token: InstrumentToken) => Exchange;
}

export interface BackfillJobSettings extends SupervisorSettings {
  /** Failed tries after which a chunk is given up. */
  readonly maxAttempts: number;
}

/** A new plan for a resolved request, or a stored plan to finish. */
export type JobTarget =
  | { readonly kind: 'new'; readonly request: ResolvedRequest }
  | { readonly kind: 'resume'; readonly planId: PlanId };

export type JobOutcome =
  | { readonly status: 'succeeded'; readonly planId: PlanId; readonly progress: PlanProgress }
  | {
      readonly status: 'failed';
      readonly planId: PlanId;
      readonly reason: string;
      readonly progress: PlanProgress;
    }
  | { readonly status: 'cancelled'; readonly planId: PlanId; readonly progress: PlanProgress };

export interface JobRunOptions {
  /** Aborting stops the stages; the plan stays unfinished in the log, to be resumed. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (planId: PlanId, progress: PlanProgress) => void;
}

const planIdOf = (t: JobTarget): PlanId => (t.kind === 'new' ? t.request.planId : t.planId);

/**
 * One backfill plan, run to its end by two stage processes as a pipeline: the fetch stage
 * downloads chunks into data files while the publish stage sends finished files to the sink.
 *
 * This process is the plan's single writer: every stage report becomes a decider command, and the
 * resulting events are appended (one at a time, with the expected version) before anything acts
 * on them. A resumed plan publishes nothing already published, and fetches nothing whose complete
 * data file is on disk. When a stage process is lost, the chunk it had in hand is recorded as
 * failed (so a chunk that keeps killing its process is given up after `maxAttempts`) and the
 * supervisor restarts the stage with what is left.
 */
export class BackfillJob {
  private readonly deps: BackfillJobDeps;
  private readonly settings: BackfillJobSettings;
  private readonly target: JobTarget;
  private readonly planId: PlanId;
  private readonly logger: Logger;
  private readonly jobMetrics: JobMetrics;
  private state: PlanState = { status: 'idle' };
  private version = 0;
  /** Set once the plan is loaded: which stage has which chunk to do. */
  private work: StageWork | undefined;
  private supervisors: Record<StageName, StageSupervisor> | undefined;
  private serial: Promise<void> = Promise.resolve();
  private outcome: JobOutcome | undefined;
  /** Set once the stages are stopped and every report recorded: nothing is appended after. */
  private closed = false;
  private onDone: (outcome: JobOutcome) => void = () => undefined;
  private onProgress: JobRunOptions['onProgress'];

  constructor(deps: BackfillJobDeps, settings: BackfillJobSettings, target: JobTarget) {
    this.deps = deps;
    this.settings = settings;
    this.target = target;
    this.planId = planIdOf(target);
    this.logger = deps.logger.child({ plan: this.planId });
    this.jobMetrics = new JobMetrics(deps.metrics);
  }

  async run(options: JobRunOptions = {}): Promise<JobOutcome> {
    this.onProgress = options.onProgress;
    const done = new Promise<JobOutcome>((resolve) => {
      this.onDone = resolve;
    });
    this.jobMetrics.setStatus('running');
    try {
      const early = await this.open();
      if (early !== undefined) return await this.settle(early);
    } catch (e) {
      return this.settle({
        status: 'failed',
        planId: this.planId,
        reason: messageOf(e),
        progress: this.progress(),
      });
    }
    const { signal } = options;
    const onAbort = (): void =>
      this.finish({ status: 'cancelled', planId: this.planId, progress: this.progress() });
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.startStages();
    const outcome = await done;
    signal?.removeEventListener('abort', onAbort);
    // Stopping stages still report what they finish (a publish in hand completes): recorded, so a
    // resumed plan does not publish it again.
    await Promise.all(Object.values(this.supervisors ?? {}).map((s) => s.stop()));
    await this.serial;
    this.closed = true;
    return this.settle(outcome);
  }

  /** Loads or creates the plan; an outcome when there is nothing to run. */
  private async open(): Promise<JobOutcome | undefined> {
    const { store, clock } = this.deps;
    const loaded = await store.load(this.planId);
    this.state = loaded.state;
    this.version = loaded.version;
    if (this.state.status === 'idle') {
      if (this.target.kind === 'resume') throw new Error(`plan ${this.planId} is not in the event log`);
      const { request } = this.target;
      const events = await this.apply({
        type: 'RequestBackfill',
        data: {
          planId: this.planId,
          tokens: request.tokens,
          days: request.windows,
          interval: request.interval,
          maxAttempts: this.settings.maxAttempts,
          now: clock.now(),
        },
      });
      if (events === undefined) throw new Error(`plan ${this.planId} was refused (see the log)`);
      this.logger.info('Backfill plan started', {
        tokens: request.tokens.length,
        days: request.windows.length,
        interval: request.interval,
        chunks: this.progress().total,
      });
    } else if (this.state.status === 'running') {
      this.logger.info('Resuming backfill plan', { ...this.progress() });
    }
    switch (this.state.status) {
      case 'idle':
        throw new Error(`plan ${this.planId} has no events`);
      case 'completed':
        return this.completedOutcome();
      case 'cancelled':
        return {
          status: 'failed',
          planId: this.planId,
          reason: 'the plan was cancelled',
          progress: this.progress(),
        };
      case 'running':
        break;
    }
    await store.markLatest(this.planId, clock.now());
    await this.sortChunks(this.state);
    this.report();
    return undefined;
  }

  /** Splits the unsettled chunks between the stages; a fetched chunk without its file is fetched again. */
  private async sortChunks(state: Extract<PlanState, { status: 'running' }>): Promise<void> {
    const work = new StageWork({
      planId: this.planId,
      chunks: state.plan.chunks,
      files: this.deps.files,
      exchangeOf: this.deps.exchangeOf,
    });
    for (const [i, p] of state.progress.entries()) {
      const chunk = state.plan.chunks[i];
      if (chunk === undefined) continue;
      if (p.status === 'pending' || p.status === 'failed') work.assign('fetch', chunk.id);
      else if (p.status === 'fetched')
        work.assign((await this.deps.files.exists(work.fileOf(chunk.id))) ? 'publish' : 'fetch', chunk.id);
    }
    this.work = work;
  }

  private startStages(): void {
    const make = (stage: StageName): StageSupervisor =>
      new StageSupervisor({
        stage,
        launch: this.deps.launch,
        settings: this.settings,
        logger: this.logger,
        metrics: this.deps.metrics,
        handlers: {
          onProgress: (m) => void this.enqueue(() => this.handleProgress(stage, m)),
          onLost: (reason, wasReady) => this.enqueue(() => this.handleLost(stage, reason, wasReady)),
          initialWork: () => this.work?.initialWork(stage) ?? [],
          onFailed: (reason) =>
            this.finish({ status: 'failed', planId: this.planId, reason, progress: this.progress() }),
          holdsWork: () => (this.work?.count(stage) ?? 0) > 0,
        },
      });
    this.supervisors = { fetch: make('fetch'), publish: make('publish') };
    if (this.outcome !== undefined) return;
    for (const stage of ['fetch', 'publish'] as const)
      if ((this.work?.count(stage) ?? 0) > 0) this.supervisors[stage].ensureStarted();
  }

  /** Runs `step` after every earlier one: appends happen one at a time, in arrival order. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.serial = this.serial
      .then(() => (this.closed ? undefined : step()))
      .catch((e: unknown) => {
        this.logger.error('Backfill job cannot record its progress', { error: messageOf(e) });
        this.finish({
          status: 'failed',
          planId: this.planId,
          reason: `recording progress failed: ${messageOf(e)}`,
          progress: this.progress(),
        });
      });
    return this.serial;
  }

  private async handleProgress(stage: StageName, m: ProgressMessage): Promise<void> {
    const work = this.work;
    const id = m.chunkId;
    if (work === undefined) return;
    work.reported(stage, id);
    if (!work.has(stage, id)) {
      this.logger.debug('Ignored a report about a chunk the stage was not working on', {
        stage,
        chunk: id,
        type: m.type,
      });
      return;
    }
    const now = this.deps.clock.now();
    switch (m.type) {
      case 'chunk-fetched': {
        if (stage !== 'fetch') return;
        const events = await this.apply({
          type: 'RecordChunkFetched',
          data: { planId: this.planId, chunkId: id, bars: m.bars, now },
        });
        if (events === undefined) return;
        work.assign('publish', id);
        this.dispatch('publish', id);
        return;
      }
      case 'chunk-published': {
        if (stage !== 'publish') return;
        const events = await this.apply({
          type: 'RecordChunkPublished',
          data: { planId: this.planId, chunkId: id, now },
        });
        if (events !== undefined) work.drop(id);
        return;
      }
      case 'chunk-failed':
        await this.recordFailure(stage, id, m.reason, m.retryable);
        return;
    }
  }

  /**
   * The lost process's chunk in hand failed (so a chunk that keeps killing its process is given
   * up); a process that died while starting had none. The restarted process gets the rest.
   */
  private async handleLost(stage: StageName, reason: string, wasReady: boolean): Promise<void> {
    const inHand = this.work?.lost(stage);
    if (wasReady && inHand !== undefined && this.work?.has(stage, inHand) === true)
      await this.recordFailure(stage, inHand, reason, true);
  }

  private async recordFailure(
    stage: StageName,
    id: ChunkId,
    reason: string,
    retryable: boolean,
  ): Promise<void> {
    const events = await this.apply({
      type: 'RecordChunkFailed',
      data: {
        planId: this.planId,
        chunkId: id,
        reason: `${stage}: ${reason}`,
        retryable,
        now: this.deps.clock.now(),
      },
    });
    const failed = events?.find((e) => e.type === 'ChunkFailed');
    if (failed === undefined) return;
    if (failed.data.givenUp) {
      this.work?.drop(id);
      this.logger.error('Chunk given up', { chunk: id, attempts: failed.data.attempt, reason });
      return;
    }
    // Failed chunks go back through the fetch stage, which reuses a complete data file if one is there.
    this.work?.assign('fetch', id);
    this.dispatch('fetch', id);
  }

  /** Hands one chunk to a stage: to its process if it runs, else through `initialWork` when it starts. */
  private dispatch(stage: StageName, id: ChunkId): void {
    const supervisor = this.supervisors?.[stage];
    const work = this.work;
    if (supervisor === undefined || work === undefined || this.outcome !== undefined) return;
    if (!supervisor.running) supervisor.ensureStarted();
    else if (supervisor.send(work.messageFor(stage, [id]))) work.held(stage, id);
  }

  /** Decides, appends, then folds: nothing acts on an event before it is stored. */
  private async apply(command: PlanCommand): Promise<readonly PlanEvent[] | undefined> {
    const result = decide(command, this.state);
    if (isRefused(result)) {
      this.logger.warn('Backfill plan refused a step', {
        command: command.type,
        reason: result.reason,
        detail: result.detail,
      });
      return undefined;
    }
    if (result.length === 0) return result;
    this.version = await this.deps.store.append(this.planId, result, this.version);
    for (const e of result) {
      this.state = evolve(this.state, e);
      if (e.type === 'ChunkPublished') this.jobMetrics.barsPublished.inc(e.data.bars);
    }
    this.report();
    if (this.state.status === 'completed') this.finish(this.completedOutcome());
    return result;
  }

  private completedOutcome(): JobOutcome {
    const progress = this.progress();
    return progress.givenUp > 0
      ? { status: 'failed', planId: this.planId, reason: `${progress.givenUp} chunk(s) given up`, progress }
      : { status: 'succeeded', planId: this.planId, progress };
  }

  private progress(): PlanProgress {
    return planProgress(this.state);
  }

  private report(): void {
    const progress = this.progress();
    this.jobMetrics.setProgress(progress);
    this.onProgress?.(this.planId, progress);
  }

  private finish(outcome: JobOutcome): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    this.onDone(outcome);
  }

  /** Sets the job's status metric, drops a completed plan's data files, and logs the end. */
  private async settle(ended: JobOutcome): Promise<JobOutcome> {
    // Reports recorded while stopping may have completed the plan.
    const outcome = this.state.status === 'completed' ? this.completedOutcome() : ended;
    this.outcome ??= outcome;
    this.jobMetrics.setStatus(outcome.status === 'cancelled' ? 'idle' : outcome.status);
    if (this.state.status === 'completed') {
      await this.deps.files
        .removePlan(this.planId)
        .catch((e: unknown) =>
          this.logger.warn('Could not delete the plan data files', { error: messageOf(e) }),
        );
    }
    const fields = { status: outcome.status, ...outcome.progress };
    if (outcome.status === 'failed')
      this.logger.error('Backfill job failed', { ...fields, reason: outcome.reason });
    else
      this.logger.info(
        outcome.status === 'succeeded' ? 'Backfill job finished' : 'Backfill job stopped',
        fields,
      );
    return outcome;
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
