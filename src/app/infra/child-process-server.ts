import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

/** A server process started by tickflow's test bed, with its output going to a log file. */
export interface ServerProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Resolves once the process has exited. SIGKILL follows SIGTERM after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  exited(): boolean;
}

export const startServerProcess = (
  command: string,
  args: readonly string[],
  options: { cwd: string; logFile: string; detached?: boolean },
): ServerProcess => {
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', log, log],
    detached: options.detached ?? false,
  });
  closeSync(log);
  let hasExited = false;
  // A missing binary is reported through 'error'; without a listener it would crash the process.
  child.on('error', () => {
    hasExited = true;
  });
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      hasExited = true;
      resolve();
    });
  });
  if (options.detached === true) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}: see ${options.logFile}`);
  return {
    pid,
    logFile: options.logFile,
    exited: () => hasExited,
    stop: async (graceMs = 10_000) => {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
};
