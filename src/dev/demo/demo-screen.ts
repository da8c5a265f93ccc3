import type { Instrument } from '../../domain/instrument.ts';
import type { IngestStatus } from '../../app/live/ingest-feed.ts';

export interface DemoScreenInput {
  readonly status: IngestStatus;
  readonly instruments: readonly Instrument[];
  /** Ticks accepted in the last second (the caller keeps the previous count). */
  readonly ticksPerSecond: number;
  readonly elapsedSeconds: number;
  readonly metricsUrl: string;
  readonly kafka: string;
  readonly topic: string;
  /** Terminal width; the instrument table wraps into as many columns as fit. */
  readonly width: number;
}

const pad = (s: string, n: number): string => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number): string =>
  s.length >= n ? s.slice(0, n) : ' '.repeat(n - s.length) + s;

/**
 * What the demo shows each second: throughput, Kafka acknowledgements, where /metrics is, and the
 * last price of every instrument. Pure: the caller writes the lines to the terminal.
 */
export const renderDemoScreen = (input: DemoScreenInput): string[] => {
  const s = input.status;
  const lines = [
    `tickflow demo — simulator → tickflow → Kafka ${input.kafka} (topic ${input.topic})   ${Math.floor(input.elapsedSeconds)} s`,
    `feed ${s.connected ? 'connected' : 'DISCONNECTED'}   ticks/s ${input.ticksPerSecond.toFixed(0)}   received ${s.ticksReceived}   acknowledged by Kafka ${s.ticksAccepted}   refused ${s.ticksRejected}   reconnects ${s.reconnects}   gaps ${s.gaps.length}`,
    `metrics ${input.metricsUrl}/metrics   health ${input.metricsUrl}/readyz`,
    '',
  ];
  const cell = 28;
  const columns = Math.max(1, Math.floor(input.width / cell));
  let row = '';
  input.instruments.forEach((inst, i) => {
    const last = s.latest.get(inst.token);
    const price = last === undefined ? '—' : last.ltp.toFixed(2);
    row += pad(`${pad(inst.symbol, 12)} ${padLeft(price, 10)}`, cell);
    if ((i + 1) % columns === 0) {
      lines.push(row.trimEnd());
      row = '';
    }
  });
  if (row !== '') lines.push(row.trimEnd());
  return lines;
};
