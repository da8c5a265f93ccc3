import type { ChildMessage, ParentMessage } from '../../ports/backfill-stages/stage-messages.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { IpcMetrics } from './ipc-metrics.ts';
import { receiveParentMessage } from './parent-message.ts';
import {
  STAGE_EXIT,
  type StageChildContext,
  type StageWorker,
} from '../../ports/backfill-stages/stage-worker.ts';
import type { StageName } from '../../ports/backfill-stages/stage-names.ts';
import type { StageExit, StageLauncher, StageProcess } from '../../ports/backfill-stages/stage-process.ts';

/** Builds a stage's worker, as a stage process's entry point does. */
export type StageBuilder = (stage: StageName, context: StageChildContext) => Promise<StageWorker>;

/** JSON there and back, as the IPC channel does: what does not survive it does not arrive. */
const overTheWire = (message: unknown): unknown => JSON.parse(JSON.stringify(message)) as unknown;

/**
 * Stage "processes" inside this process: the same workers, messages (JSON-copied and decoded on
 * both sides) and heartbeats as forked stages, without the fork. For tests, and for the demo,
 * which has nothing to isolate. `kill` drops the stage on the spot, as SIGKILL would.
 */
export const inProcessStageLauncher =
  (build: StageBuilder, logger: Logger): StageLauncher =>
  (stage, heartbeatMs) => {
    const messageListeners: ((raw: unknown) => void)[] = [];
    const exitListeners: ((exit: StageExit) => void)[] = [];
    let exited: StageExit | undefined;
    let worker: StageWorker | undefined;
    const early: ParentMessage[] = [];

    const toParent = (message: ChildMessage): void => {
      if (exited !== undefined) return;
      const copy = overTheWire(message);
      setImmediate(() => {
        if (exited === undefined) for (const l of messageListeners) l(copy);
      });
    };
    const metrics = new IpcMetrics({ send: toParent, flushMs: 0 });
    const heartbeat = setInterval(() => toParent({ type: 'heartbeat' }), heartbeatMs);
    const end = (exit: StageExit): void => {
      if (exited !== undefined) return;
      metrics.close();
      exited = exit;
      clearInterval(heartbeat);
      for (const l of exitListeners) l(exit);
    };
    const close = (code: number): void => {
      const closing = worker?.close() ?? Promise.resolve();
      closing.then(
        () => setImmediate(() => end({ code, signal: null })),
        () => setImmediate(() => end({ code: STAGE_EXIT.crashed, signal: null })),
      );
    };
    const stageLogger = logger.child({ stage, inProcess: true });
    const context: StageChildContext = {
      metrics,
      logger: stageLogger,
      send: toParent,
      fatal: () => close(STAGE_EXIT.fatal),
      crash: (e) => {
        stageLogger.error('Stage failed', { error: e instanceof Error ? e.message : String(e) });
        close(STAGE_EXIT.crashed);
      },
    };
    build(stage, context).then(
      (w) => {
        worker = w;
        if (exited !== undefined) {
          void w.close();
          return;
        }
        toParent({ type: 'ready' });
        for (const m of early.splice(0)) if (m.type !== 'stop') w.handle(m);
      },
      (e: unknown) => context.crash(e),
    );
    return {
      pid: undefined,
      send: (message) => {
        if (exited !== undefined) return false;
        // As a forked stage does: a message that does not decode is delivered, and refused.
        const m = receiveParentMessage(overTheWire(message), {
          logger: stageLogger,
          fields: {},
          send: toParent,
        });
        if (m === undefined) return true;
        setImmediate(() => {
          if (exited !== undefined) return;
          if (m.type === 'stop') close(STAGE_EXIT.ok);
          else if (worker === undefined) early.push(m);
          else worker.handle(m);
        });
        return true;
      },
      onMessage: (listener) => {
        messageListeners.push(listener);
      },
      onExit: (listener) => {
        if (exited !== undefined) listener(exited);
        else exitListeners.push(listener);
      },
      kill: () => {
        // The work in hand is abandoned, not finished: its messages stop here.
        void worker?.close().catch(() => undefined);
        end({ code: null, signal: 'SIGKILL' });
      },
    } satisfies StageProcess;
  };
