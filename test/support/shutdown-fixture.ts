// A process that handles SIGTERM/SIGINT as the service does, with a stop that ends as argv says:
// `node shutdown-fixture.ts <graceMs> <ok|hang|fail>`. It says "ready" once the handlers are on.
import { ConsoleLogger } from '../../src/adapters/logging/console-logger.ts';
import { handleShutdownSignals } from '../../src/app/root/shutdown-signals.ts';

const graceMs = Number(process.argv[2]);
const how = process.argv[3];
const logger = new ConsoleLogger({ level: 'info', format: 'human' });
const keepAlive = setInterval(() => undefined, 1000);
handleShutdownSignals(logger, graceMs, () => {
  if (how === 'hang') return new Promise<void>(() => undefined);
  if (how === 'fail') return Promise.reject(new Error('the sink would not close'));
  clearInterval(keepAlive);
  return Promise.resolve();
});
process.stdout.write('ready\n');
