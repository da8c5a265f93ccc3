import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CONSUMER = fileURLToPath(new URL('../../../examples/dedupe-consumer/consumer.ts', import.meta.url));

/** The example consumer as its user runs it: `node consumer.ts`, stdout and stderr kept apart. */
export interface ConsumerProcess {
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  kill(): void;
}

export const startDedupeConsumer = (env: Readonly<Record<string, string>>): ConsumerProcess => {
  const child = spawn(process.execPath, [CONSUMER], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
};
