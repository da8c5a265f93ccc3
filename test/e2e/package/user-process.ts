import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';

/** A command a user started in a terminal, with everything it printed (stdout and stderr, in order). */
export interface UserProcess {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  /** What it printed on stdout alone (a command's data, as a pipe would get it). */
  stdout(): string;
  /** Resolves with the first output line matching `pattern`; rejects on timeout or exit, with the output. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The exit code (null when a signal ended it), or a rejection with the output after `timeoutMs`. */
  exitCode(timeoutMs: number): Promise<number | null>;
  /** Signals the whole process group (npx and the command it runs, and their children). */
  signal(signal: NodeJS.Signals): void;
  readonly running: () => boolean;
}

/** Node 24 (the one running the tests) first on PATH, so `npm`, `npx` and the bin's `env node` use it. */
export const pathWithThisNode = (): string => `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;

const tail = (text: string): string => text.slice(-4000);

/** Every process started here, so a failing test can still stop them all. */
const started = new Set<UserProcess>();

export const startUserProcess = (
  name: string,
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): UserProcess => {
  // A group of its own: `npx` runs the bin as a grandchild, which a kill of npx alone would orphan.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  let stdoutText = '';
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  child.once('error', (e) => {
    text += `\n[test] could not start ${command}: ${e.message}\n`;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    const piece = chunk.toString('utf8');
    text += piece;
    stdoutText += piece;
  });
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const failure = (why: string): Error => new Error(`${name}: ${why}; its output:\n${tail(text)}`);
  const findLine = (pattern: RegExp): string | undefined => text.split('\n').find((l) => pattern.test(l));

  const process_: UserProcess = {
    name,
    child,
    output: () => text,
    stdout: () => stdoutText,
    running: () => !exited,
    // The group, not only the leader: what the leader left behind in it goes too.
    signal: (signal) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    },
    waitForLine: async (pattern, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = findLine(pattern);
        if (line !== undefined) return line;
        if (exited) {
          // Output may still be in the pipes when the exit event comes.
          await new Promise((r) => setTimeout(r, 100));
          const late = findLine(pattern);
          if (late !== undefined) return late;
          throw failure(
            `exited (code ${String(child.exitCode)}) before printing a line matching ${String(pattern)}`,
          );
        }
        if (Date.now() > deadline)
          throw failure(`no line matching ${String(pattern)} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    exitCode: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure(`still running after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const code = await Promise.race([exit, timeout]);
        // Let the pipes drain so the output is complete.
        await new Promise((r) => setTimeout(r, 100));
        return code;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  started.add(process_);
  return process_;
};

/**
 * Stops every process started here that still runs: SIGTERM to its group (so a command can stop
 * what it started itself), then, after `graceMs`, SIGKILL to every group, to leave no orphan.
 */
export const stopAllUserProcesses = async (graceMs = 15_000): Promise<void> => {
  const running = [...started].filter((p) => p.running());
  for (const p of running) p.signal('SIGTERM');
  await Promise.allSettled(running.map((p) => p.exitCode(graceMs)));
  for (const p of started) p.signal('SIGKILL');
  started.clear();
};
