// End-to-end benchmark: simulator → WebSocket → decode → normalize → Kafka (real broker, acks=all),
// with kafkajs and with @platformatic/kafka behind the same TickSink. Usage:
//   node bench/end-to-end.ts [--seconds 30] [--rates 1000,20000] [--find-max 1] [--probe-seconds 15]
//                            [--sustain-seconds 60] [--max-rate 300000] [--clients kafkajs,platformatic]
import '../src/adapters/kafka/kafkajs/quiet-kafkajs-timeout-warning.ts';
import { KAFKA_CLIENTS, type KafkaClientKind } from '../src/adapters/kafka/kafka-settings.ts';
import { runAtRate, sustained, type RateRun } from './e2e/run-at-rate.ts';
import { parseOptions } from './support/bench-args.ts';
import { benchKafka } from './support/bench-kafka.ts';
import { against, emit, machineLoad, note, round } from './support/bench-output.ts';

const USAGE =
  'node bench/end-to-end.ts [--seconds 30] [--rates 1000,20000] [--find-max 1] [--probe-seconds 15] ' +
  '[--sustain-seconds 60] [--max-rate 300000] [--clients kafkajs,platformatic]';
/** Issue 8: p99 ≤ 20 ms at 20,000 ticks/s; ≥ 100,000 ticks/s sustained with acks=all. */
const P99_TARGET_MS = 20;
const SUSTAINED_TARGET = 100_000;
const LADDER = [20_000, 40_000, 60_000, 80_000, 100_000, 120_000, 150_000, 200_000, 250_000, 300_000];
const WARMUP_SECONDS = 5;

const emitRun = (r: RateRun): void => {
  emit({
    bench: 'e2e',
    case: `${r.client}-${r.rate}`,
    client: r.client,
    offeredRate: r.rate,
    seconds: r.seconds,
    offeredPerSecond: Math.round(r.offeredPerSecond),
    acceptedPerSecond: Math.round(r.acceptedPerSecond),
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
    backlogEnd: r.backlogEnd,
    spilled: r.spilled,
    // One Kafka send (a batch of up to KAFKA_BATCH_MAX_TICKS) from send to acknowledgement.
    batches: r.batches,
    sendP50Ms: r.sendP50Ms,
    sendP99Ms: r.sendP99Ms,
    ...machineLoad(),
    ...(r.rate === 20_000 ? against(r.p99Ms, P99_TARGET_MS, 'atMost') : {}),
  });
};

interface MaxSustained {
  readonly rate: number;
  readonly run: RateRun | undefined;
  /** What stopped the climb: the first failed probe's reason. */
  readonly limit: string;
}

/** Climbs the ladder with short probes until one fails, then holds the best for the full time. */
const findMaxSustained = async (
  client: KafkaClientKind,
  broker: string,
  probeSeconds: number,
  sustainSeconds: number,
  maxRate: number,
): Promise<MaxSustained> => {
  const ladder = LADDER.filter((r) => r <= maxRate);
  let best = 0;
  let limit = `reached --max-rate ${maxRate}`;
  for (const rate of ladder) {
    const probe = await runAtRate({
      client,
      broker,
      rate,
      warmupSeconds: WARMUP_SECONDS,
      seconds: probeSeconds,
    });
    const verdict = sustained(probe);
    if (!verdict.ok) {
      limit = `${verdict.limit} at ${rate}/s`;
      break;
    }
    best = rate;
  }
  // Hold the best probe's rate for the full time; step down the ladder while it does not hold.
  for (let i = ladder.indexOf(best); i >= 0; i--) {
    const rate = ladder[i] ?? 0;
    const run = await runAtRate({
      client,
      broker,
      rate,
      warmupSeconds: WARMUP_SECONDS,
      seconds: sustainSeconds,
    });
    const verdict = sustained(run);
    if (verdict.ok) return { rate, run, limit };
    limit = `${verdict.limit} at ${rate}/s over ${sustainSeconds} s`;
  }
  return { rate: 0, run: undefined, limit };
};

const clientsOf = (list: string): KafkaClientKind[] =>
  list.split(',').map((c) => {
    const found = KAFKA_CLIENTS.find((k) => k === c.trim());
    if (found === undefined) throw new Error(`--clients: unknown client ${c}`);
    return found;
  });

export const runEndToEndBench = async (argv: readonly string[]): Promise<void> => {
  const opts = parseOptions(
    argv,
    {
      seconds: 30,
      rates: '1000,20000',
      'find-max': 1,
      'probe-seconds': 15,
      'sustain-seconds': 60,
      'max-rate': 300_000,
      clients: KAFKA_CLIENTS.join(','),
    },
    USAGE,
  );
  const clients = clientsOf(opts.clients);
  const rates = opts.rates === '' ? [] : opts.rates.split(',').map(Number);
  if (rates.some((r) => !Number.isInteger(r) || r <= 0)) throw new Error(`--rates: ${opts.rates}`);
  const kafka = await benchKafka();
  note(`e2e: Kafka ${kafka.broker} (${kafka.origin}); clients ${clients.join(', ')}`);
  const fixed = new Map<string, RateRun>();
  const max = new Map<KafkaClientKind, MaxSustained>();
  try {
    for (const client of clients)
      for (const rate of rates) {
        const run = await runAtRate({
          client,
          broker: kafka.broker,
          rate,
          warmupSeconds: WARMUP_SECONDS,
          seconds: opts.seconds,
        });
        fixed.set(`${client}-${rate}`, run);
        emitRun(run);
      }
    for (const client of opts['find-max'] > 0 ? clients : []) {
      const m = await findMaxSustained(
        client,
        kafka.broker,
        opts['probe-seconds'],
        opts['sustain-seconds'],
        opts['max-rate'],
      );
      max.set(client, m);
      if (m.run !== undefined) emitRun(m.run);
      emit({
        bench: 'e2e',
        case: `${client}-max-sustained`,
        client,
        ticksPerSecond: Math.round(m.run?.acceptedPerSecond ?? 0),
        offeredRate: m.rate,
        seconds: opts['sustain-seconds'],
        limit: m.limit,
        ...machineLoad(),
        ...against(m.run?.acceptedPerSecond ?? 0, SUSTAINED_TARGET, 'atLeast'),
      });
    }
    const k = max.get('kafkajs');
    const p = max.get('platformatic');
    if (k !== undefined && p !== undefined) {
      const k20 = fixed.get('kafkajs-20000');
      const p20 = fixed.get('platformatic-20000');
      emit({
        bench: 'e2e',
        case: 'platformatic-vs-kafkajs',
        figure: 'ratio',
        maxSustainedRatio: k.rate > 0 ? round(p.rate / k.rate) : null,
        p99At20kRatio:
          k20 !== undefined && p20 !== undefined && k20.p99Ms > 0 ? round(p20.p99Ms / k20.p99Ms) : null,
        faster: p.rate > k.rate ? 'platformatic' : p.rate < k.rate ? 'kafkajs' : 'tie on throughput',
      });
    }
  } finally {
    await kafka.stop();
  }
};

if (import.meta.main) await runEndToEndBench(process.argv.slice(2));
