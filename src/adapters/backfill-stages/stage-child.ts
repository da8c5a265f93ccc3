import type { ChildMessage, ParentMessage } from '../../ports/backfill-stages/stage-messages.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { IpcMetrics } from './ipc-metrics.ts';
import { receiveParentMessage } from './parent-message.ts';
import type { StageName } from '../../ports/backfill-stages/stage-names.ts';
import {
  STAGE_EXIT,
  StageFatal,
  type StageChildContext,
  type StageWorker,
} from '../../ports/backfill-stages/stage-worker.ts';

export interface StageChildOptions {
  readonly stage: StageName;
  readonly logger: Logger;
  readonly build: (context: StageChildContext) => Promise<StageWorker>;
  /** Process arguments: `--heartbeat-ms=<n>`, as the parent passes it. */
  readonly argv: readonly string[];
}

const METRICS_FLUSH_MS = 250;
const DEFAULT_HEARTBEAT_MS = 1000;
/** Longer than any close should take (the sink's flush is bounded by SINK_CLOSE_TIMEOUT_MS). */
const EXIT_DEADLINE_MS = 60_000;

const heartbeatMsOf = (argv: readonly string[]): number => {
  const arg = argv.find((a) => a.startsWith('--heartbeat-ms='));
  const n = Number(arg?.slice('--heartbeat-ms='.length));
  return Number.isSafeInteger(n) && n >= 10 ? n : DEFAULT_HEARTBEAT_MS;
};

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The life of a stage process, forked by the backfill parent: heartbeats and metric batches to the
 * parent, work messages from it (decoded: they come from another process), an orderly exit on
 * `stop`, and an exit as soon as the parent goes away (`disconnect`), so an orphan never works on.
 */
export const runStageChild = async (options: StageChildOptions): Promise<void> => {
  const { stage, logger } = options;
  const channel = process.send?.bind(process);
  if (channel === undefined) {
    logger.error('This is a backfill stage; it runs only as a child of the backfill job', { stage });
    process.exitCode = STAGE_EXIT.usage;
    return;
  }
  let connected = true;
  const send = (message: ChildMessage): void => {
    if (!connected) return;
    try {
      channel(message, undefined, undefined, (e: Error | null) => {
        if (e !== null) connected = false;
      });
    } catch {
      connected = false;
    }
  };
  const metrics = new IpcMetrics({ send, flushMs: METRICS_FLUSH_MS });
  const heartbeat = setInterval(() => send({ type: 'heartbeat' }), heartbeatMsOf(options.argv));
  let worker: StageWorker | undefined;
  const life = { ending: false };

  /** Flushes metrics, waits for the channel to take the last message, and exits. */
  const exit = (code: number): void => {
    if (life.ending) return;
    life.ending = true;
    clearInterval(heartbeat);
    // An orphan must not linger: whatever close is waiting for, the process ends.
    setTimeout(() => process.exit(code), EXIT_DEADLINE_MS).unref();
    const finish = (): void => {
      metrics.close();
      if (!connected) process.exit(code);
      try {
        // The callback runs once the last message (final metrics) is handed to the channel.
        channel({ type: 'heartbeat' }, undefined, undefined, () => process.exit(code));
      } catch {
        process.exit(code);
      }
    };
    const closing = worker?.close() ?? Promise.resolve();
    closing.then(finish, (e: unknown) => {
      logger.error('Stage did not close cleanly', { stage, error: messageOf(e) });
      finish();
    });
  };
  const context: StageChildContext = {
    metrics,
    logger,
    send,
    fatal: (reason) => {
      logger.error('Stage cannot work; stopping', { stage, reason });
      exit(STAGE_EXIT.fatal);
    },
    crash: (error) => {
      logger.error('Stage failed', { stage, error: messageOf(error) });
      exit(STAGE_EXIT.crashed);
    },
  };

  // Listen before building: a `stop` or a disconnect may come while the stage starts.
  const early: ParentMessage[] = [];
  process.on('message', (raw: unknown) => {
    const message = receiveParentMessage(raw, { logger, fields: { stage }, send });
    if (message === undefined) return;
    if (message.type === 'stop') exit(STAGE_EXIT.ok);
    else if (worker === undefined) early.push(message);
    else worker.handle(message);
  });
  // Ctrl-C reaches the whole process group: the parent decides when its stages stop.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => {
    logger.warn('Stage asked to terminate; stopping', { stage });
    exit(STAGE_EXIT.ok);
  });
  process.on('disconnect', () => {
    connected = false;
    logger.warn('Backfill parent went away; stopping', { stage });
    exit(STAGE_EXIT.ok);
  });
  send({ type: 'heartbeat' });

  try {
    worker = await options.build(context);
  } catch (e) {
    if (e instanceof StageFatal) {
      send({ type: 'fatal', reason: e.message });
      context.fatal(e.message);
    } else {
      context.crash(e);
    }
    return;
  }
  if (life.ending) {
    // Stopped while starting: close what was just built.
    await worker.close().catch(() => undefined);
    return;
  }
  send({ type: 'ready' });
  for (const message of early.splice(0)) if (message.type !== 'stop') worker.handle(message);
};
