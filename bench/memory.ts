// Memory benchmark: resident memory of `tickflow live` after N minutes at 20,000 ticks/s, then
// during a 60-second Kafka outage at that rate (the journal must keep it bounded), then the drain.
// Usage: node bench/memory.ts [--minutes 10] [--rate 20000] [--outage-seconds 60] [--drain-seconds 300]
//                             [--client kafkajs]
import '../src/adapters/kafka/kafkajs/quiet-kafkajs-timeout-warning.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startLocalRedis } from '../src/dev/infra/local-redis.ts';
import { startServiceUnderTest, type ServiceUnderTest } from './memory/service-under-test.ts';
import { parseOptions } from './support/bench-args.ts';
import { benchKafka } from './support/bench-kafka.ts';
import { against, emit, machineLoad, note, round } from './support/bench-output.ts';
import { MB, residentBytes } from './support/process-memory.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';
import { slope } from './support/stats.ts';

const USAGE =
  'node bench/memory.ts [--minutes 10] [--rate 20000] [--outage-seconds 60] [--drain-seconds 300] [--client kafkajs]';
/** Issue 8: resident memory ≤ 250 MB at 20k ticks/s, and bounded during the outage. */
const RSS_TARGET_MB = 250;
const SAMPLE_MS = 5000;
const OUTAGE_SAMPLE_MS = 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Sample {
  readonly atS: number;
  readonly rssMb: number;
}

/** Samples the service's resident memory every `everyMs` for `ms`, reporting progress now and then. */
const sampleFor = async (
  service: ServiceUnderTest,
  ms: number,
  everyMs: number,
  label: string,
): Promise<Sample[]> => {
  const t0 = performance.now();
  const samples: Sample[] = [];
  for (let i = 1; i * everyMs <= ms; i++) {
    await sleep(Math.max(0, t0 + i * everyMs - performance.now()));
    samples.push({ atS: (performance.now() - t0) / 1000, rssMb: (await residentBytes(service.pid)) / MB });
    if (i % Math.max(1, Math.round(60_000 / everyMs)) === 0)
      note(
        `memory ${label}: ${Math.round(samples.at(-1)?.rssMb ?? 0)} MB at ${Math.round(samples.at(-1)?.atS ?? 0)} s`,
      );
  }
  return samples;
};

const maxOf = (s: readonly Sample[]): number => Math.max(...s.map((x) => x.rssMb));

/** What the resident memory is made of: V8's heap (used and reserved) and memory outside it (Buffers). */
const heapOf = async (
  service: ServiceUnderTest,
): Promise<{ heapUsedMb: number; heapTotalMb: number; externalMb: number }> => ({
  heapUsedMb: round(((await service.metric('nodejs_heap_size_used_bytes')) ?? 0) / MB, 1),
  heapTotalMb: round(((await service.metric('nodejs_heap_size_total_bytes')) ?? 0) / MB, 1),
  externalMb: round(((await service.metric('nodejs_external_memory_bytes')) ?? 0) / MB, 1),
});

/** Waits until the sink stops spilling (its journal sent), at most `limitMs`, sampling memory. */
const sampleUntil = async (
  service: ServiceUnderTest,
  limitMs: number,
): Promise<{ readonly drained: boolean; readonly maxRssMb: number }> => {
  const t0 = performance.now();
  let maxRssMb = 0;
  for (;;) {
    maxRssMb = Math.max(maxRssMb, (await residentBytes(service.pid)) / MB);
    if (((await service.metric('sink_spilling')) ?? 0) === 0) return { drained: true, maxRssMb };
    if (performance.now() - t0 > limitMs) return { drained: false, maxRssMb };
    await sleep(1000);
  }
};

export const runMemoryBench = async (argv: readonly string[]): Promise<void> => {
  const opts = parseOptions(
    argv,
    { minutes: 10, rate: 20_000, 'outage-seconds': 60, 'drain-seconds': 300, client: 'kafkajs' },
    USAGE,
  );
  // The outage stops the broker: always one of our own, whatever KAFKA_BROKER says.
  const kafka = await benchKafka({ own: true });
  const redisDir = mkdtempSync(join(tmpdir(), 'tickflow-bench-redis-'));
  const givenRedis = process.env['REDIS_URL'];
  const redis =
    givenRedis !== undefined && givenRedis !== '' ? undefined : await startLocalRedis({ dir: redisDir });
  const sim = await startSimulatorProcess(opts.rate);
  let service: ServiceUnderTest | undefined;
  try {
    service = await startServiceUnderTest({
      apiUrl: sim.url,
      wsUrl: sim.wsUrl,
      broker: kafka.broker,
      redisUrl: redis?.url ?? givenRedis ?? '',
      topic: `bench-memory-${randomUUID().slice(0, 8)}`,
      client: opts.client,
    });
    note(`memory: tickflow live (pid ${service.pid}) at ${opts.rate} ticks/s for ${opts.minutes} min`);
    const accepted0 = (await service.metric('ticks_accepted_total')) ?? 0;
    const steady = await sampleFor(service, opts.minutes * 60_000, SAMPLE_MS, 'steady');
    const accepted1 = (await service.metric('ticks_accepted_total')) ?? 0;
    const heap = await heapOf(service);
    // A sink that spilled during the steady run is still draining: its journal is part of the story.
    const steadyJournal = (await service.metric('sink_journal_bytes')) ?? 0;
    const steadySpilling = ((await service.metric('sink_spilling')) ?? 0) > 0;
    const end = steady.at(-1)?.rssMb ?? 0;
    const lateHalf = steady.slice(Math.floor(steady.length / 2));
    emit({
      bench: 'memory',
      case: `steady-${opts.rate}`,
      client: opts.client,
      minutes: opts.minutes,
      acceptedPerSecond: Math.round((accepted1 - accepted0) / (opts.minutes * 60)),
      rssEndMb: round(end, 1),
      rssMaxMb: round(maxOf(steady), 1),
      // MB per minute over the second half: near 0 when memory has levelled off.
      rssTrendMbPerMin: round(
        slope(
          lateHalf.map((s) => s.atS / 60),
          lateHalf.map((s) => s.rssMb),
        ),
        2,
      ),
      ...heap,
      spillingAtEnd: steadySpilling,
      journalBytesAtEnd: steadyJournal,
      ...machineLoad(),
      ...against(end, RSS_TARGET_MB, 'atMost'),
    });

    note(`memory: stopping Kafka for ${opts['outage-seconds']} s`);
    await kafka.local?.stop();
    const outage = await sampleFor(service, opts['outage-seconds'] * 1000, OUTAGE_SAMPLE_MS, 'outage');
    const journalBytes = (await service.metric('sink_journal_bytes')) ?? 0;
    const spilling = (await service.metric('sink_spilling')) ?? 0;
    const outageHeap = await heapOf(service);
    await kafka.local?.start();
    // Drain: back to straight publishing once the journal is sent, while the feed keeps its rate.
    const restarted = performance.now();
    const drain = await sampleUntil(service, opts['drain-seconds'] * 1000);
    const drainSeconds = (performance.now() - restarted) / 1000;
    const journalAfter = (await service.metric('sink_journal_bytes')) ?? 0;
    const first = outage.slice(0, Math.ceil(outage.length / 2));
    const second = outage.slice(Math.floor(outage.length / 2));
    emit({
      bench: 'memory',
      case: `outage-${opts['outage-seconds']}s`,
      client: opts.client,
      rssBeforeMb: round(end, 1),
      rssMaxMb: round(maxOf(outage), 1),
      rssEndMb: round(outage.at(-1)?.rssMb ?? 0, 1),
      // Bounded: the second half of the outage holds no more than the first half did, give or take.
      rssFirstHalfMaxMb: round(maxOf(first), 1),
      rssSecondHalfMaxMb: round(maxOf(second), 1),
      ...outageHeap,
      journalBytesAtEnd: journalBytes,
      spilledToJournal: spilling > 0,
      drained: drain.drained,
      drainSeconds: round(drainSeconds, 1),
      journalBytesAfterDrain: journalAfter,
      rssMaxDuringDrainMb: round(drain.maxRssMb, 1),
      ...machineLoad(),
      ...against(maxOf(outage), RSS_TARGET_MB, 'atMost'),
    });
  } finally {
    await service?.stop();
    await sim.stop();
    await redis?.stop();
    rmSync(redisDir, { recursive: true, force: true });
    await kafka.stop();
  }
};

if (import.meta.main) await runMemoryBench(process.argv.slice(2));
