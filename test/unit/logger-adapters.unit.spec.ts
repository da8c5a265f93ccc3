import { ConsoleLogger } from '../../src/adapters/logging/console-logger.ts';
import { MemoryLogger } from '../../src/adapters/memory/memory-logger.ts';
import { loggerContract } from '../contract/logger.contract.ts';

loggerContract('memory', (level) => {
  const logger = new MemoryLogger(level);
  return { logger, lines: () => logger.lines() };
});

loggerContract('console (human format)', (level) => {
  const written: string[] = [];
  const logger = new ConsoleLogger({ level, format: 'human', out: { write: (l) => void written.push(l) } });
  // The human format appends key=value fields; the contract reads the tag and the message.
  return { logger, lines: () => written.map((l) => l.replace(/\n$/, '').replace(/ component=\S+$/, '')) };
});
