import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/ports/logger/logger.ts';

/** An adapter under test at a given level, and the lines it produced, as `[LEVEL] message`. */
export interface LoggerHarness {
  readonly logger: Logger;
  readonly lines: () => readonly string[];
}

/** What every Logger promises (src/ports/logger.ts): levels honoured, the seed's lines exact, children. */
export const loggerContract = (
  name: string,
  make: (level: 'debug' | 'info' | 'warn') => LoggerHarness,
): void => {
  describe(`Logger contract: ${name}`, () => {
    it('writes the lines operators grep for, exactly', () => {
      const h = make('debug');
      h.logger.info('Connected to MStock WebSocket');
      h.logger.debug('Tick received for 26000');
      expect(h.lines()).toEqual(['[INFO] Connected to MStock WebSocket', '[DEBUG] Tick received for 26000']);
    });

    it('drops what is below its level, and says so through isEnabled', () => {
      const h = make('warn');
      h.logger.debug('no');
      h.logger.info('no');
      h.logger.warn('yes');
      h.logger.error('yes too');
      expect(h.lines()).toEqual(['[WARN] yes', '[ERROR] yes too']);
      expect([h.logger.isEnabled('info'), h.logger.isEnabled('warn')]).toEqual([false, true]);
    });

    it('gives children the same level and destination', () => {
      const h = make('info');
      const child = h.logger.child({ component: 'feed' });
      child.debug('no');
      child.info('Kafka Producer Ready');
      expect(h.lines()).toEqual(['[INFO] Kafka Producer Ready']);
    });
  });
};
