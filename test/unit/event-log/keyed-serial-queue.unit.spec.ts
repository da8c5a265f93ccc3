import { describe, expect, it } from 'vitest';
import { KeyedSerialQueue } from '../../../src/adapters/event-log/keyed-serial-queue.ts';

const later = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyedSerialQueue', () => {
  it('runs the tasks of one key one at a time, in call order', async () => {
    const q = new KeyedSerialQueue();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await later();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([q.run('k', task('a')), q.run('k', task('b')), q.run('k', task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs tasks of different keys side by side', async () => {
    const q = new KeyedSerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const blocked = q.run('x', async () => {
      log.push('x start');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('x end');
    });
    await q.run('y', () => {
      log.push('y');
      return Promise.resolve();
    });
    release();
    await blocked;
    expect(log).toEqual(['x start', 'y', 'x end']);
  });

  it('goes on after a failed task, passing its error to its caller only', async () => {
    const q = new KeyedSerialQueue();
    const failed = q.run('k', () => Promise.reject(new Error('boom')));
    const next = q.run('k', () => Promise.resolve('fine'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('fine');
  });

  it('idle waits for everything queued', async () => {
    const q = new KeyedSerialQueue();
    let done = false;
    void q.run('k', async () => {
      await later();
      done = true;
    });
    await q.idle();
    expect(done).toBe(true);
  });
});
