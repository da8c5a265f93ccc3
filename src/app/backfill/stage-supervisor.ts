import { either as E } from 'fp-ts';
import { MetricsFolder } from './metrics-folder.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import {
  decodeChildMessage,
  type ChildMessage,
  type ParentMessage,
} from '../../ports/backfill-stages/stage-messages.ts';
import type { StageName } from '../../ports/backfill-stages/stage-names.ts';
import {
  describeExit,
  type StageExit,
  type StageLauncher,
  type StageProcess,
} from '../../ports/backfill-stages/stage-process.ts';

export type ProgressMessage = Extract<
  ChildMessage,
  { type: 'chunk-fetched' | 'chunk-failed' | 'chunk-published' }
>;

export interface SupervisorSettings {
  /** A process that sends nothing (not even a heartbeat) for this long is killed as hung. */
  readonly hangMs: number;
  /** Restarts after a crash or hang; one more loss fails the stage. */
  readonly maxRestarts: number;
  readonly heartbeatMs: number;
  /** How long a process may take to stop when asked, before it is killed. */
  readonly stopTimeoutMs: number;
  /**
   * A stage that holds work and reports no chunk done or failed for this long fails the job: it is
   * alive (it heartbeats) but stuck, and the job would otherwise wait forever.
   */
  readonly stallMs: number;
}

export interface SupervisorHandlers {
  onProgress(message: ProgressMessage): void;
  /**
   * The process is gone before its work was done; resolves when the loss is recorded. `wasReady`
   * is false when it died while starting: then no chunk was in its hands.
   */
  onLost(reason: string, wasReady: boolean): Promise<void>;
  /** The messages that give a new process its work (everything the stage still has to do). */
  initialWork(): readonly ParentMessage[];
  /** The stage gave up: restarts spent, it reported that it cannot work, or refused its work. */
  onFailed(reason: string): void;
  /** True while the stage has chunks to do: only then is its silence about chunks a stall. */
  holdsWork(): boolean;
}

interface Running {
  readonly proc: StageProcess;
  lastHeardAt: number;
  ready: boolean;
  /** Why the supervisor killed it, if it did. */
  killedFor: string | undefined;
  fatal: string | undefined;
  stopping: boolean;
  readonly exited: Promise<StageExit>;
}

const now = (): number => performance.now();

/**
 * Keeps one stage process alive while its stage has work. It decodes what the process sends,
 * folds its metrics into the parent's registry, and watches it: a process that exits without being
 * asked to, or sends nothing for `hangMs`, is killed, reported (`onLost`), and started again with
 * the remaining work, at most `maxRestarts` times. The watchdog runs on the wall clock, whatever
 * clock the job uses.
 */
export class StageSupervisor {
  readonly stage: StageName;
  private readonly launch: StageLauncher;
  private readonly settings: SupervisorSettings;
  private readonly handlers: SupervisorHandlers;
  private readonly logger: Logger;
  private readonly folder: MetricsFolder;
  private readonly restartCounter: Counter;
  private readonly rejectedCounter: Counter;
  private readonly reportedFoldErrors = new Set<string>();
  private current: Running | undefined;
  /** When the stage last reported a chunk, or last had nothing to do. */
  private lastProgressAt = now();
  private restarts = 0;
  private state: 'idle' | 'running' | 'restarting' | 'failed' | 'stopped' = 'idle';
  private readonly watchdog: NodeJS.Timeout;

  constructor(deps: {
    readonly stage: StageName;
    readonly launch: StageLauncher;
    readonly settings: SupervisorSettings;
    readonly handlers: SupervisorHandlers;
    readonly logger: Logger;
    readonly metrics: Metrics;
  }) {
    this.stage = deps.stage;
    this.launch = deps.launch;
    this.settings = deps.settings;
    this.handlers = deps.handlers;
    this.logger = deps.logger.child({ stage: deps.stage });
    this.folder = new MetricsFolder(deps.metrics);
    this.restartCounter = deps.metrics.counter(
      'backfill_child_restarts_total',
      'Backfill stage processes started again after a crash or a hang',
      { stage: deps.stage },
    );
    this.rejectedCounter = deps.metrics.counter(
      'backfill_ipc_rejected_total',
      'Messages from backfill stage processes that did not decode (ignored)',
      { stage: deps.stage },
    );
    // Shown at 0 from the start, so a dashboard can tell "none" from "not measured".
    this.restartCounter.inc(0);
    this.rejectedCounter.inc(0);
    this.watchdog = setInterval(
      () => this.checkHang(),
      Math.max(10, Math.min(1000, deps.settings.hangMs / 4)),
    );
    this.watchdog.unref();
  }

  /** True while a process is up and taking messages. */
  get running(): boolean {
    return this.state === 'running';
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** Starts the process if none runs; it gets its work from `initialWork`. No-op while restarting. */
  ensureStarted(): void {
    if (this.state === 'idle') this.start();
  }

  /** Sends to the running process; false if there is none (its work then comes from `initialWork`). */
  send(message: ParentMessage): boolean {
    return this.state === 'running' && this.current !== undefined && this.current.proc.send(message);
  }

  /** Asks the process to finish and waits for it; kills it after `stopTimeoutMs`. */
  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    const running = this.current;
    this.state = this.state === 'failed' ? 'failed' : 'stopped';
    if (running === undefined) return;
    running.stopping = true;
    const askedAt = now();
    if (!running.proc.send({ type: 'stop' })) running.proc.kill();
    let timer: NodeJS.Timeout | undefined;
    const killLater = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn('Stage did not stop in time; killing it', {
          timeoutMs: this.settings.stopTimeoutMs,
        });
        running.proc.kill();
        resolve();
      }, this.settings.stopTimeoutMs);
    });
    await Promise.race([running.exited, killLater]);
    clearTimeout(timer);
    const exit = await running.exited;
    // Said at every stop: a job that seems to end slowly shows which stage took the time.
    this.logger.info('Backfill stage stopped', {
      pid: running.proc.pid ?? null,
      exit: describeExit(exit),
      ms: Math.round(now() - askedAt),
    });
  }

  private start(): void {
    const proc = this.launch(this.stage, this.settings.heartbeatMs);
    const exited = new Promise<StageExit>((resolve) => proc.onExit(resolve));
    const running: Running = {
      proc,
      lastHeardAt: now(),
      ready: false,
      killedFor: undefined,
      fatal: undefined,
      stopping: false,
      exited,
    };
    this.current = running;
    this.state = 'running';
    this.lastProgressAt = now();
    this.logger.info('Backfill stage started', { pid: proc.pid ?? null, restarts: this.restarts });
    proc.onMessage((raw) => {
      if (this.current === running) this.receive(running, raw);
    });
    void exited.then((exit) => this.exited(running, exit));
    for (const message of this.handlers.initialWork()) proc.send(message);
  }

  private receive(running: Running, raw: unknown): void {
    running.lastHeardAt = now();
    const decoded = decodeChildMessage(raw);
    if (E.isLeft(decoded)) {
      this.rejectedCounter.inc();
      this.logger.warn('Ignored a malformed message from a backfill stage', { reason: decoded.left });
      return;
    }
    const message = decoded.right;
    switch (message.type) {
      case 'heartbeat':
        return;
      case 'ready':
        running.ready = true;
        return;
      case 'metrics':
        for (const error of this.folder.apply(message)) {
          if (this.reportedFoldErrors.has(error.name)) continue;
          this.reportedFoldErrors.add(error.name);
          this.logger.warn('A stage metric could not be folded into the registry', { ...error });
        }
        return;
      case 'fatal':
        running.fatal = message.reason;
        return;
      case 'refused':
        // A restart would be sent the same work and refuse it again.
        this.logger.error('Backfill stage refused its work', { reason: message.reason });
        this.fail(`the ${this.stage} stage refused its work: ${message.reason}`);
        return;
      case 'chunk-fetched':
      case 'chunk-failed':
      case 'chunk-published':
        this.lastProgressAt = now();
        // Also while stopping: what a stopping process finished is still true.
        this.handlers.onProgress(message);
        return;
    }
  }

  private checkHang(): void {
    const running = this.current;
    if (running === undefined || running.killedFor !== undefined || this.state !== 'running') return;
    if (!this.handlers.holdsWork()) this.lastProgressAt = now();
    const stalledMs = now() - this.lastProgressAt;
    if (stalledMs >= this.settings.stallMs) {
      this.logger.error('Backfill stage made no progress; failing the job', {
        pid: running.proc.pid ?? null,
        stalledMs: Math.round(stalledMs),
      });
      this.fail(
        `the ${this.stage} stage reported no chunk for ${Math.round(stalledMs / 1000)} s while it had work (stalled)`,
      );
      return;
    }
    const silentMs = now() - running.lastHeardAt;
    if (silentMs < this.settings.hangMs) return;
    running.killedFor = `sent nothing for ${Math.round(silentMs)} ms (hung)`;
    this.logger.error('Backfill stage is hung; killing it', {
      pid: running.proc.pid ?? null,
      silentMs: Math.round(silentMs),
    });
    running.proc.kill();
  }

  private exited(running: Running, exit: StageExit): void {
    if (this.current !== running) return;
    this.current = undefined;
    if (running.stopping) return;
    if (running.fatal !== undefined) {
      this.fail(`the ${this.stage} stage cannot work: ${running.fatal}`);
      return;
    }
    const reason = running.killedFor ?? describeExit(exit);
    this.logger.error('Backfill stage process lost', { reason, restarts: this.restarts });
    this.state = 'restarting';
    const canRestart = this.restarts < this.settings.maxRestarts;
    this.handlers
      .onLost(`${this.stage} process ${reason}`, running.ready)
      .then(() => {
        if (this.state !== 'restarting') return;
        if (!canRestart) {
          this.fail(`the ${this.stage} process ${reason}, after ${this.restarts} restart(s)`);
          return;
        }
        this.restarts += 1;
        this.restartCounter.inc();
        this.start();
      })
      .catch((e: unknown) =>
        this.fail(`recording the loss of the ${this.stage} process failed: ${String(e)}`),
      );
  }

  private fail(reason: string): void {
    if (this.state === 'failed' || this.state === 'stopped') return;
    this.state = 'failed';
    clearInterval(this.watchdog);
    this.handlers.onFailed(reason);
  }
}
