import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A server process started by tickflow's test bed, with its output going to a log file. */
export interface ServerProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Resolves once the process has exited. SIGKILL follows SIGTERM after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  exited(): boolean;
}

/** Servers this process started and still owns; none may outlive it. */
const owned = new Set<ChildProcess>();

// Whatever way this process ends (an error, process.exit), its servers end with it; an orderly
// stop has already removed them from `owned`.
process.on('exit', () => {
  for (const child of owned) child.kill('SIGKILL');
});

const onPath = (name: string): string | undefined => {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
};

let setpriv: string | null | undefined;

/**
 * On Linux, `setpriv --pdeathsig` has the kernel send the server SIGTERM when this process dies,
 * even by SIGKILL, which no handler here can see. Elsewhere the server is started as it is.
 */
const withParentDeathSignal = (command: string, args: readonly string[]): [string, string[]] => {
  setpriv ??= process.platform === 'linux' ? (onPath('setpriv') ?? null) : null;
  if (setpriv === null) return [command, [...args]];
  // Spawned directly, a missing binary fails the spawn; through setpriv it would only exit 127.
  if (!command.includes('/') && onPath(command) === undefined)
    throw new Error(`${command}: not found on PATH`);
  return [setpriv, ['--pdeathsig', 'TERM', '--', command, ...args]];
};

export const startServerProcess = (
  command: string,
  args: readonly string[],
  options: { cwd: string; logFile: string; detached?: boolean },
): ServerProcess => {
  const detached = options.detached ?? false;
  // A detached server is meant to outlive us (scripts/infra.ts); any other is ours to end.
  const [file, argv] = detached ? [command, [...args]] : withParentDeathSignal(command, args);
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(file, argv, {
    cwd: options.cwd,
    stdio: ['ignore', log, log],
    detached,
  });
  closeSync(log);
  let hasExited = false;
  // A missing binary is reported through 'error'; without a listener it would crash the process.
  child.on('error', () => {
    hasExited = true;
    owned.delete(child);
  });
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      hasExited = true;
      owned.delete(child);
      resolve();
    });
  });
  if (detached) child.unref();
  else owned.add(child);
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
