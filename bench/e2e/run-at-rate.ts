import { randomUUID } from 'node:crypto';
import type { KafkaClientKind } from '../../src/adapters/kafka/kafka-settings.ts';
import { note } from '../support/bench-output.ts';
import { startSimulatorProcess, type SimStats } from '../support/simulator-process.ts';
import { percentile, slope } from '../support/stats.ts';
import { startBenchPipeline } from './bench-pipeline.ts';

export interface RateRunOptions {
  readonly client: KafkaClientKind;
  readonly broker: string;
  /** Ticks per second the simulator offers. */
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

export interface RateRun {
  readonly client: KafkaClientKind;
  readonly rate: number;
  readonly seconds: number;
  /** Packets per second the simulator actually sent during the measured window. */
  readonly offeredPerSecond: number;
  /** Ticks per second the sink acknowledged (in Kafka) during the window. */
  readonly acceptedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Ticks sent by the simulator and not yet acknowledged: at the end, and its trend (ticks/s per s). */
  readonly backlogEnd: number;
  readonly backlogSlope: number;
  readonly framesDroppedBySimulator: number;
  /** Whether the sink went to its journal (Kafka slower than the feed) at any time in the window. */
  readonly spilled: boolean;
  readonly refused: number;
  /** Kafka sends (batches) in the window and their own duration, send to acknowledgement (ms). */
  readonly batches: number;
  readonly sendP50Ms: number;
  readonly sendP99Ms: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const dropped = (s: SimStats): number => s.clients.reduce((n, c) => n + c.framesDroppedForBackpressure, 0);

/**
 * One fixed-rate run: the simulator (its own process) at `rate` → the pipeline in this process →
 * real Kafka. After a warm-up, samples once a second what the simulator has sent and what the sink
 * has acknowledged; reports rates, the receipt-to-acknowledgement latency and the backlog's trend.
 */
export const runAtRate = async (o: RateRunOptions): Promise<RateRun> => {
  const sim = await startSimulatorProcess(o.rate);
  const pipeline = await startBenchPipeline({
    apiUrl: sim.url,
    wsUrl: sim.wsUrl,
    broker: o.broker,
    client: o.client,
    topic: `bench-e2e-${o.client}-${o.rate}-${randomUUID().slice(0, 8)}`,
  });
  try {
    await sleep(o.warmupSeconds * 1000);
    const accepted = (): number => pipeline.ingestion.snapshot().ticksAccepted;
    const spilling = (): boolean => (pipeline.metrics.value('sink_spilling') ?? 0) > 0;
    pipeline.sink.latency.reset();
    const sendsBefore = pipeline.metrics.observed('kafka_publish_latency_seconds').length;
    const start = await sim.stats();
    const acceptedStart = accepted();
    const t0 = performance.now();
    const times: number[] = [];
    const backlog: number[] = [];
    let spilled = spilling();
    let last = start;
    for (let s = 1; s <= o.seconds; s++) {
      await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
      last = await sim.stats();
      times.push((performance.now() - t0) / 1000);
      backlog.push(last.totals.packetsSent - accepted());
      spilled ||= spilling();
    }
    const elapsed = (performance.now() - t0) / 1000;
    const h = pipeline.sink.latency;
    const sends = pipeline.metrics.observed('kafka_publish_latency_seconds').slice(sendsBefore);
    const run: RateRun = {
      client: o.client,
      rate: o.rate,
      seconds: o.seconds,
      offeredPerSecond: (last.totals.packetsSent - start.totals.packetsSent) / elapsed,
      acceptedPerSecond: (accepted() - acceptedStart) / elapsed,
      p50Ms: h.percentile(50),
      p99Ms: h.percentile(99),
      maxMs: h.max,
      backlogEnd: backlog.at(-1) ?? 0,
      backlogSlope: slope(times, backlog),
      framesDroppedBySimulator: dropped(last) - dropped(start),
      spilled,
      refused: pipeline.sink.refused,
      batches: sends.length,
      sendP50Ms: Math.round(percentile(sends, 50) * 1000),
      sendP99Ms: Math.round(percentile(sends, 99) * 1000),
    };
    note(
      `e2e ${o.client} @${o.rate}/s: offered ${Math.round(run.offeredPerSecond)}/s, acked ${Math.round(run.acceptedPerSecond)}/s, ` +
        `p50 ${run.p50Ms} p99 ${run.p99Ms} max ${run.maxMs} ms, send p50 ${run.sendP50Ms} p99 ${run.sendP99Ms} ms, backlog ${run.backlogEnd} (slope ${Math.round(run.backlogSlope)}/s)` +
        `${run.spilled ? ', SPILLED' : ''}${run.framesDroppedBySimulator > 0 ? `, ${run.framesDroppedBySimulator} frames dropped` : ''}`,
    );
    return run;
  } finally {
    await pipeline.stop();
    await sim.stop();
  }
};

/**
 * Whether a run kept up: the simulator delivered what was asked, the sink acknowledged what was
 * offered, nothing spilled or was dropped, and the backlog did not grow: under one second's worth
 * at the end, and its trend under 2% of the rate per second (the simulator sends a pump's worth,
 * a tenth of a second of ticks, at once, so single samples jump by that much).
 */
export const sustained = (r: RateRun): { readonly ok: boolean; readonly limit: string } => {
  if (r.offeredPerSecond < 0.95 * r.rate) return { ok: false, limit: 'simulator could not offer the rate' };
  if (r.framesDroppedBySimulator > 0) return { ok: false, limit: 'feed reader fell behind (frames dropped)' };
  if (r.spilled) return { ok: false, limit: 'Kafka acknowledgements fell behind (sink spilled to journal)' };
  if (r.refused > 0) return { ok: false, limit: 'sink refused ticks' };
  if (r.acceptedPerSecond < 0.98 * r.offeredPerSecond)
    return { ok: false, limit: 'pipeline acknowledged less than offered' };
  if (r.backlogSlope > 0.02 * r.rate || r.backlogEnd > r.rate) return { ok: false, limit: 'backlog grew' };
  return { ok: true, limit: '' };
};
