import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/app/root/cli/main.ts', import.meta.url));

/** `tickflow <args>` as a child process, as an operator runs it, with its output collected. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `pattern`, or rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  exited(): Promise<number | null>;
}

export const startTickflow = (
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): ServiceProcess => startScript(MAIN, args, env);

/** A TypeScript file of this checkout run by Node as a child process (a test fixture), output collected. */
export const startScript = (
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): ServiceProcess => {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const w of [...waiters]) {
      const line = text.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited: () => exit,
    waitForLine: (pattern, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const line = text.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) {
          resolve(line);
          return;
        }
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no line matching ${String(pattern)} within ${timeoutMs} ms; output:\n${text.slice(-3000)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      }),
  };
};
