import { describe, expect, it } from 'vitest';
import { ConsoleLogger } from '../../../src/adapters/logging/console-logger.ts';

const capture = () => {
  const lines: string[] = [];
  return { lines, out: { write: (l: string) => lines.push(l) } };
};

describe('console logger', () => {
  it('prints the seed lines exactly in the human format', () => {
    const { lines, out } = capture();
    const log = new ConsoleLogger({ level: 'debug', format: 'human', out });
    log.info('Connected to MStock WebSocket');
    log.info('Kafka Producer Ready');
    log.debug('Tick received for 26000');
    expect(lines).toEqual([
      '[INFO] Connected to MStock WebSocket\n',
      '[INFO] Kafka Producer Ready\n',
      '[DEBUG] Tick received for 26000\n',
    ]);
  });

  it('honours the level', () => {
    const { lines, out } = capture();
    const log = new ConsoleLogger({ level: 'warn', format: 'human', out });
    log.info('hidden');
    log.debug('hidden');
    log.warn('shown', { n: 1 });
    expect(lines).toEqual(['[WARN] shown n=1\n']);
    expect(log.isEnabled('debug')).toBe(false);
    expect(log.child({ c: 'x' }).isEnabled('info')).toBe(false);
  });

  it('writes one JSON object per line, with child fields', () => {
    const { lines, out } = capture();
    const log = new ConsoleLogger({ level: 'info', format: 'json', out, now: () => 0 }).child({
      component: 'feed',
    });
    log.info('Connected to MStock WebSocket', { attempt: 2 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'Connected to MStock WebSocket',
      component: 'feed',
      attempt: 2,
    });
  });
});
