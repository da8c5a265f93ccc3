import { either as E } from 'fp-ts';
import { Container } from 'inversify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEventLog } from '../../../src/adapters/event-log/file-event-log.ts';
import { KafkaEventLog } from '../../../src/adapters/event-log/kafka-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { decodeServiceConfig } from '../../../src/app/root/config/service-config.ts';
import {
  bindBackfillLog,
  bindGapLedgerLog,
  bindReconciliationLog,
} from '../../../src/app/root/container/event-log-bindings.ts';
import {
  BackfillLogId,
  GapLedgerLogId,
  ReconciliationLogId,
} from '../../../src/app/root/container/tokens.ts';
import { LoggerId } from '../../../src/ports/logger/logger.ts';
import { MetricsId } from '../../../src/ports/metrics.ts';

const live = { MSTOCK_USER: 'u', MSTOCK_PASS: 'p', MSTOCK_API_KEY: 'k', EVENT_LOG: 'kafka' };

/** The three event logs as the live container binds them (nothing connects until first used). */
const logsFor = async (env: Readonly<Record<string, string>>) => {
  const config = decodeServiceConfig(
    { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-scope-')) },
    'live',
  );
  if (E.isLeft(config)) throw new Error(config.left.join('; '));
  const c = new Container();
  c.bind(LoggerId).toConstantValue(new MemoryLogger('warn'));
  c.bind(MetricsId).toConstantValue(new MemoryMetrics());
  bindBackfillLog(c, config.right);
  bindGapLedgerLog(c, config.right);
  bindReconciliationLog(c, config.right);
  return {
    plans: await c.getAsync(BackfillLogId),
    gaps: await c.getAsync(GapLedgerLogId),
    reconciliations: await c.getAsync(ReconciliationLogId),
  };
};

describe('EVENT_LOG=kafka: which streams are shared', () => {
  it('a lone instance keeps all three logs in Kafka', async () => {
    const logs = await logsFor(live);
    expect(logs.plans).toBeInstanceOf(KafkaEventLog);
    expect(logs.gaps).toBeInstanceOf(KafkaEventLog);
    expect(logs.reconciliations).toBeInstanceOf(KafkaEventLog);
  });

  it('a cluster member shares the plans only: its gap ledger and reconciliations stay in its own folder, so members never append to one stream', async () => {
    const logs = await logsFor({ ...live, CLUSTER_GROUP: 'g' });
    expect(logs.plans).toBeInstanceOf(KafkaEventLog);
    expect(logs.gaps).toBeInstanceOf(FileEventLog);
    expect(logs.reconciliations).toBeInstanceOf(FileEventLog);
  });
});
