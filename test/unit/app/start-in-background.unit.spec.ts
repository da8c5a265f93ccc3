import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { startInBackground } from '../../../src/app/command-listener.ts';

const until = async (check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('startInBackground', () => {
  it('retries a failed start until it works, logging each failure, and stops what it started', async () => {
    const logger = new MemoryLogger();
    let tries = 0;
    const stoppedWith: string[] = [];
    const bg = startInBackground(
      'Coordinator',
      () => {
        tries += 1;
        return tries < 3 ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(`started-${tries}`);
      },
      logger,
      10,
    );
    expect(bg.current()).toBeUndefined();
    await until(() => bg.current() !== undefined);
    expect(bg.current()).toBe('started-3');
    expect(logger.records.filter((r) => r.message === 'Coordinator could not start; retrying')).toHaveLength(
      2,
    );
    expect(logger.records.some((r) => r.message === 'Coordinator started')).toBe(true);
    await bg.stop((t) => {
      stoppedWith.push(t);
      return Promise.resolve();
    });
    expect(stoppedWith).toEqual(['started-3']);
  });

  it('stopped while waiting to retry, it tries no more and stops nothing', async () => {
    const logger = new MemoryLogger();
    let tries = 0;
    const bg = startInBackground(
      'Coordinator',
      () => {
        tries += 1;
        return Promise.reject(new Error('down'));
      },
      logger,
      50,
    );
    await until(() => tries === 1 && logger.records.length === 1);
    let stopped = false;
    await bg.stop(() => {
      stopped = true;
      return Promise.resolve();
    });
    await new Promise((r) => setTimeout(r, 120));
    expect(tries).toBe(1);
    expect(stopped).toBe(false);
  });

  it('a start that succeeds after the stop began is stopped too', async () => {
    let finish: (v: string) => void = () => undefined;
    const bg = startInBackground(
      'Coordinator',
      () => new Promise<string>((resolve) => (finish = resolve)),
      new MemoryLogger(),
      10,
    );
    const stoppedWith: string[] = [];
    const stopping = bg.stop((t) => {
      stoppedWith.push(t);
      return Promise.resolve();
    });
    finish('late');
    await stopping;
    expect(stoppedWith).toEqual(['late']);
  });
});
