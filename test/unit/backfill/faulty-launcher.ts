import type { StageName } from '../../../src/ports/backfill-stages/stage-names.ts';
import type { StageLauncher, StageProcess } from '../../../src/ports/backfill-stages/stage-process.ts';

const isProgress = (raw: unknown): boolean =>
  typeof raw === 'object' &&
  raw !== null &&
  'type' in raw &&
  typeof raw.type === 'string' &&
  raw.type.startsWith('chunk-');

/**
 * Wraps a launcher so that the `nth` processes of `stage` (1 = the first) misbehave after
 * forwarding `after` progress reports: `kill` dies on the spot (as SIGKILL), `hang` goes silent
 * (no heartbeat either) until the supervisor kills it, `stall` keeps sending heartbeats but
 * reports no chunk any more (stuck, yet alive).
 */
export const faulty =
  (options: {
    readonly stage: StageName;
    readonly fault: 'kill' | 'hang' | 'stall';
    readonly after: number;
    readonly which: (nth: number) => boolean;
  }) =>
  (launch: StageLauncher): StageLauncher => {
    let started = 0;
    return (stage, heartbeatMs) => {
      const proc = launch(stage, heartbeatMs);
      if (stage !== options.stage || !options.which((started += 1))) return proc;
      let seen = 0;
      let silent = false;
      return {
        ...proc,
        onMessage: (listener) =>
          proc.onMessage((raw) => {
            if (silent) return;
            if (isProgress(raw) && seen >= options.after) {
              if (options.fault === 'kill') proc.kill();
              else if (options.fault === 'hang') silent = true;
              return;
            }
            if (isProgress(raw)) seen += 1;
            listener(raw);
          }),
      } satisfies StageProcess;
    };
  };
