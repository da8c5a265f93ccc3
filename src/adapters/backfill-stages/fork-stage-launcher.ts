import { fork } from 'node:child_process';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParentMessage } from '../../ports/backfill-stages/stage-messages.ts';
import type { StageName } from '../../ports/backfill-stages/stage-names.ts';
import type { StageExit, StageLauncher, StageProcess } from '../../ports/backfill-stages/stage-process.ts';
import { packageRoot } from '../system/package-root.ts';

const SCRIPT: Readonly<Record<StageName, string>> = { fetch: 'batch_nifty50', publish: 'feed_kafka' };

/**
 * The stage scripts of this package: `scripts/<name>.ts` in a source checkout (Node 24 runs
 * TypeScript), `dist/scripts/<name>.js` in the built package. The extension of this very file
 * tells which one is running.
 */
export const stageScriptPath = (stage: StageName): string => {
  const extension = extname(fileURLToPath(import.meta.url));
  const scripts =
    extension === '.ts' ? join(packageRoot(), 'scripts') : join(packageRoot(), 'dist', 'scripts');
  return join(scripts, `${SCRIPT[stage]}${extension}`);
};

export interface ForkLauncherOptions {
  /** The environment of the stage processes: where they read their settings. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where each stage's script is; default `stageScriptPath`. */
  readonly scriptPath?: (stage: StageName) => string;
}

/**
 * Forks stage processes. Their stdout and stderr are the parent's (their logs carry a `stage`
 * field); the IPC channel carries JSON messages. `execArgv` is empty so the child does not inherit
 * the parent's flags (a test runner's loader, an inspector port).
 */
export const forkStageLauncher =
  (options: ForkLauncherOptions): StageLauncher =>
  (stage, heartbeatMs) => {
    const script = (options.scriptPath ?? stageScriptPath)(stage);
    const child = fork(script, [`--heartbeat-ms=${heartbeatMs}`], {
      env: { ...options.env },
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const exitListeners: ((exit: StageExit) => void)[] = [];
    let exited: StageExit | undefined;
    const onEnd = (exit: StageExit): void => {
      if (exited !== undefined) return;
      exited = exit;
      for (const l of exitListeners) l(exit);
    };
    child.on('exit', (code, signal) => onEnd({ code, signal }));
    // A process that could not be spawned emits 'error' and no 'exit'.
    child.on('error', () => {
      if (child.pid === undefined) onEnd({ code: null, signal: 'spawn-failed' });
    });
    return {
      pid: child.pid,
      send: (message: ParentMessage) => {
        if (!child.connected) return false;
        try {
          // With a callback a failed send is not an 'error' event; the child's death shows as 'exit'.
          return child.send(message, () => undefined);
        } catch {
          return false;
        }
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => {
        if (exited !== undefined) listener(exited);
        else exitListeners.push(listener);
      },
      kill: () => {
        if (exited === undefined) child.kill('SIGKILL');
      },
    } satisfies StageProcess;
  };
