import { randomUUID } from 'node:crypto';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { startServiceUnderTest, type ServiceUnderTest } from '../memory/service-under-test.ts';
import { machineLoad, note } from '../support/bench-output.ts';
import { MB, residentBytes } from '../support/process-memory.ts';
import { startSimulatorProcess, type SimulatorProcess } from '../support/simulator-process.ts';
import { percentile } from '../support/stats.ts';
import { createAppendTimeTopic, readAppendLatencies } from './append-latency.ts';
import { bucketQuantile, observations, readBuckets, type Buckets } from './histogram-buckets.ts';

export interface MarketRunOptions {
  readonly broker: string;
  readonly redisUrl: string;
  readonly client: string;
  readonly query: string;
  /** Instruments the query selects (checked beforehand with `tickflow instruments`). */
  readonly selected: number;
  /** Ticks per second the simulator offers, shared among the subscribed instruments. */
  readonly rate: number;
  readonly perSocket: number;
  readonly sockets: number;
  readonly partitions: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The part of `/sim/stats` this benchmark reads: the feed connections and what each follows. */
const ConnectionsCodec = t.type({
  connections: t.array(t.type({ open: t.boolean, tokens: t.array(t.number) })),
  clients: t.array(t.type({ framesDroppedForBackpressure: t.number })),
  totals: t.type({ packetsSent: t.number }),
});
type Connections = t.TypeOf<typeof ConnectionsCodec>;

const connectionsOf = async (sim: SimulatorProcess): Promise<Connections> => {
  const body: unknown = await (await fetch(`${sim.url}/sim/stats`)).json();
  const decoded = ConnectionsCodec.decode(body);
  if (E.isLeft(decoded)) throw new Error('the simulator answered /sim/stats in an unknown shape');
  return decoded.right;
};

const openSockets = (c: Connections): number => c.connections.filter((x) => x.open).length;
const followedTokens = (c: Connections): number =>
  new Set(c.connections.filter((x) => x.open).flatMap((x) => x.tokens)).size;
const droppedFrames = (c: Connections): number =>
  c.clients.reduce((n, x) => n + x.framesDroppedForBackpressure, 0);

/** An unlabelled counter or gauge from a /metrics page; 0 when absent. */
const valueOf = (page: string, name: string): number => {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(page);
  return m?.[1] === undefined ? 0 : Number(m[1]);
};

interface Reading {
  readonly wallMs: number;
  readonly at: number;
  readonly packetsSent: number;
  readonly received: number;
  readonly accepted: number;
  readonly published: number;
  readonly sends: Buckets;
}

const read = async (sim: SimulatorProcess, service: ServiceUnderTest): Promise<Reading> => {
  const [stats, page] = await Promise.all([connectionsOf(sim), service.metricsText()]);
  return {
    wallMs: Date.now(),
    at: performance.now(),
    packetsSent: stats.totals.packetsSent,
    received: valueOf(page, 'ticks_received_total'),
    accepted: valueOf(page, 'ticks_accepted_total'),
    published: valueOf(page, 'ticks_published_total'),
    sends: readBuckets(page, 'kafka_publish_latency_seconds'),
  };
};

/** Waits until the service has every socket open and the simulator sees every instrument followed. */
const waitFollowing = async (
  run: { readonly sim: SimulatorProcess; readonly service: ServiceUnderTest; readonly o: MarketRunOptions },
  limitMs: number,
): Promise<void> => {
  const { sim, service, o } = run;
  const deadline = performance.now() + limitMs;
  for (;;) {
    const page = await service.metricsText();
    const stats = await connectionsOf(sim);
    if (valueOf(page, 'feed_sockets_open') >= o.sockets && followedTokens(stats) >= o.selected) return;
    if (performance.now() > deadline)
      throw new Error(
        `after ${limitMs / 1000} s: ${valueOf(page, 'feed_sockets_open')} sockets open, ` +
          `${followedTokens(stats)} instruments followed of ${o.selected}\n${service.output().slice(-3000)}`,
      );
    await sleep(500);
  }
};

const ms = (seconds: number): number | null =>
  Number.isFinite(seconds) ? Math.round(seconds * 1000 * 10) / 10 : null;

/**
 * One run: the simulator (`--universe large`, its own process) → `tickflow live` with the query,
 * over `sockets` sockets → a real broker. After a warm-up, a sustained window: what the simulator
 * offered, what Kafka acknowledged, whether the sink spilled, receive → append latency, memory.
 */
export const runMarket = async (
  o: MarketRunOptions,
): Promise<Record<string, number | string | boolean | null>> => {
  const sim = await startSimulatorProcess(o.rate, ['--universe', 'large']);
  const topic = `bench-market-${o.client}-${randomUUID().slice(0, 8)}`;
  let service: ServiceUnderTest | undefined;
  let simRunning = true;
  try {
    await createAppendTimeTopic(o.broker, topic, o.partitions);
    const spawned = performance.now();
    service = await startServiceUnderTest({
      apiUrl: sim.url,
      wsUrl: sim.wsUrl,
      broker: o.broker,
      redisUrl: o.redisUrl,
      topic,
      client: o.client,
      env: {
        INSTRUMENTS_QUERY: o.query,
        MSTOCK_MAX_INSTRUMENTS_PER_SOCKET: String(o.perSocket),
        MSTOCK_MAX_SOCKETS: String(o.sockets),
        KAFKA_TOPIC_PARTITIONS: String(o.partitions),
      },
    });
    await waitFollowing({ sim, service, o }, 120_000);
    const followingAfterS = (performance.now() - spawned) / 1000;
    note(
      `market ${o.client}: ${o.selected} instruments over ${o.sockets} sockets in ${followingAfterS.toFixed(1)} s`,
    );
    await sleep(o.warmupSeconds * 1000);

    const first = await read(sim, service);
    let spilled = false;
    let maxOldestUnackedS = 0;
    let minSocketsOpen = Number.POSITIVE_INFINITY;
    const t0 = performance.now();
    for (let s = 1; s <= o.seconds; s++) {
      await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
      const page = await service.metricsText();
      spilled ||= valueOf(page, 'sink_spilling') > 0;
      maxOldestUnackedS = Math.max(maxOldestUnackedS, valueOf(page, 'sink_oldest_unacked_age_seconds'));
      minSocketsOpen = Math.min(minSocketsOpen, valueOf(page, 'feed_sockets_open'));
      if (s % 15 === 0) note(`market ${o.client}: ${s} s of ${o.seconds}`);
    }
    const last = await read(sim, service);
    const rssMb = (await residentBytes(service.pid)) / MB;
    const page = await service.metricsText();
    const stats = await connectionsOf(sim);
    const elapsed = (last.at - first.at) / 1000;
    const perSecond = (n: number): number => Math.round(n / elapsed);
    const offered = perSecond(last.packetsSent - first.packetsSent);
    const acked = perSecond(last.published - first.published);
    const summary = {
      instrumentsSelected: valueOf(page, 'instruments_selected'),
      instrumentsFollowed: followedTokens(stats),
      socketsOpen: openSockets(stats),
      socketsOpenGauge: valueOf(page, 'feed_sockets_open'),
      minSocketsOpenInWindow: minSocketsOpen,
      followingAfterSeconds: Math.round(followingAfterS * 10) / 10,
      offeredPerSecond: offered,
      offeredPerInstrumentPerSecond: Math.round((offered / Math.max(1, o.selected)) * 100) / 100,
      receivedPerSecond: perSecond(last.received - first.received),
      acceptedPerSecond: perSecond(last.accepted - first.accepted),
      ackedPerSecond: acked,
      ackedOverOffered: Math.round((acked / Math.max(1, offered)) * 1000) / 1000,
      // Ticks sent by the simulator and not yet in Kafka at the end of the window.
      backlogAtEnd: last.packetsSent - last.published,
      framesDroppedBySimulator: droppedFrames(stats),
      spilled,
      journalBytesAtEnd: valueOf(page, 'sink_journal_bytes'),
      maxOldestUnackedMs: Math.round(maxOldestUnackedS * 1000),
      kafkaSends: observations(first.sends, last.sends),
      sendP50MsAtMost: ms(bucketQuantile(first.sends, last.sends, 0.5)),
      sendP99MsAtMost: ms(bucketQuantile(first.sends, last.sends, 0.99)),
      rssEndMb: Math.round(rssMb * 10) / 10,
      heapUsedMb: Math.round((valueOf(page, 'nodejs_heap_size_used_bytes') / MB) * 10) / 10,
      // At the end of the window, before the topic is read back.
      ...machineLoad(),
    };
    // Stopped before reading the topic back, so the reading costs the measured run nothing.
    await service.stop();
    service = undefined;
    await sim.stop();
    simRunning = false;
    note(`market ${o.client}: reading ${topic} back for latencies`);
    const lat = await readAppendLatencies(o.broker, topic, first.wallMs, last.wallMs, 300_000);
    return {
      ...summary,
      latency: 'tick receivedAt to broker LogAppendTime',
      latencyRecords: lat.latenciesMs.length,
      tokensInKafkaInWindow: lat.tokensInWindow,
      receiveToAppendP50Ms: percentile(lat.latenciesMs, 50),
      receiveToAppendP99Ms: percentile(lat.latenciesMs, 99),
      receiveToAppendMaxMs: lat.latenciesMs.reduce((a, b) => Math.max(a, b), 0),
    };
  } finally {
    await service?.stop();
    if (simRunning) await sim.stop();
  }
};
