import type { InstrumentToken } from '../../domain/instrument.ts';
import type { Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { BrokerFeed, FeedMessage, Subscription } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import { realSleep, type Sleep } from '../mstock/abortable.ts';
import type { DecodeOptions } from '../mstock/binary/decode-frame.ts';
import { fileByteSource } from '../recording/byte-source.ts';
import { readNdjsonTicks } from './ndjson-tick-reader.ts';
import { ReplayPacer, type ReplaySpeed } from './replay-pacer.ts';
import { ReplayReport, isDamage, type SourceEnding, type SourceProgress } from './replay-report.ts';
import type { ReplaySource } from './replay-source.ts';
import { SessionDecoder } from './session-decoder.ts';

export interface ReplayOptions {
  /** Opened sources (replay-source.ts), played in this order. */
  readonly sources: readonly ReplaySource[];
  /** Default 'max'. */
  readonly speed?: ReplaySpeed;
  /** Only messages stamped in [from, to] are yielded; replay stops at the first one after `to`. */
  readonly from?: EpochMs;
  readonly to?: EpochMs;
  /**
   * Give live ticks `source: 'replay'` (their ids do not change). Off by default, so a replay's
   * values are byte for byte those the live run published from the same frames.
   */
  readonly markReplay?: boolean;
  /**
   * Decode with these instead of the settings the recording names (e.g. the other tick time zone).
   * `exchangeOf` stamps each decoded tick with its token's exchange; without it, none is stamped
   * (NDJSON ticks keep the exchange they were published with, if any).
   */
  readonly decode?: Partial<DecodeOptions>;
  /** The wall clock, for pacing only: every time in the stream comes from the recording. */
  readonly clock: Clock;
  readonly sleep?: Sleep;
}

const timeOf = (m: FeedMessage): EpochMs => {
  switch (m.kind) {
    case 'ticks':
      return m.receivedAt;
    case 'connected':
    case 'disconnected':
      return m.at;
    case 'gap':
      return m.gap.to;
  }
};

const asReplay = (ticks: readonly Tick[]): readonly Tick[] =>
  ticks.map((t) => (t.source === 'live' ? { ...t, source: 'replay' } : t));

/**
 * A `BrokerFeed` that plays recorded files back: session files (raw frames, decoded again with
 * the same `decodeFrame`, a fresh `TickSequencer` per recorded stream, the recorded receive times
 * and the recorded decode settings) and NDJSON tick files (ticks as they were published). The
 * same files through the same version give the same messages, whatever the speed.
 *
 * The subscription's tokens filter ticks as live does (an empty list: every token recorded); its
 * mode is ignored, the recording's was fixed when it was made. The stream begins with a
 * `connected` message (the recorded one, or one at the first record's time), carries the recorded
 * disconnects and gaps, and ends at the end of the files. A damaged file is played up to the
 * damage, then a `disconnected` message says where and why, and the next file follows; `report`
 * has every count, and each file's ending, for the caller to print.
 */
export class ReplayBrokerFeed implements BrokerFeed {
  private readonly options: ReplayOptions;
  private current: ReplayReport;

  constructor(options: ReplayOptions) {
    this.options = options;
    this.current = new ReplayReport(options.sources);
  }

  /** The report of the latest `messages()` call (read it for progress, and for the summary at the end). */
  get report(): ReplayReport {
    return this.current;
  }

  messages(subscription: Subscription, signal: AbortSignal): AsyncIterable<FeedMessage> {
    this.current = new ReplayReport(this.options.sources);
    return this.run(subscription, this.current, signal);
  }

  private async *run(
    subscription: Subscription,
    report: ReplayReport,
    signal: AbortSignal,
  ): AsyncGenerator<FeedMessage> {
    const { sources, from, to, markReplay = false } = this.options;
    const pacer = new ReplayPacer(
      this.options.speed ?? 'max',
      this.options.clock,
      this.options.sleep ?? realSleep,
    );
    const wanted: ReadonlySet<InstrumentToken> | undefined =
      subscription.tokens.length > 0 ? new Set(subscription.tokens) : undefined;
    const decoder = new SessionDecoder(report, wanted, this.options.decode ?? {});
    // A function, not the property: TypeScript would keep `signal.aborted` narrowed across awaits.
    const stopped = (): boolean => signal.aborted;
    let connected = false;
    for (const [i, source] of sources.entries()) {
      const progress = report.sources[i];
      if (progress === undefined || stopped()) return;
      const stream =
        source.kind === 'session'
          ? decoder.messages(source, progress)
          : this.ndjsonMessages(source.path, progress, wanted);
      try {
        for await (const message of stream) {
          const at = timeOf(message);
          if (to !== undefined && at > to) return;
          if (from !== undefined && at < from) continue;
          if (!(await pacer.wait(at, signal)) || stopped()) return;
          if (!connected && message.kind !== 'connected') {
            yield { kind: 'connected', at, attempt: 1 };
            if (stopped()) return;
          }
          connected = message.kind !== 'disconnected';
          report.messages += 1;
          report.firstAt ??= at;
          report.lastAt = at;
          if (message.kind === 'ticks') {
            report.ticks += message.ticks.length;
            yield markReplay ? { ...message, ticks: asReplay(message.ticks) } : message;
          } else {
            yield message;
          }
          if (stopped()) return;
        }
      } finally {
        // Left before the file's end: the window closed, the signal aborted, or the consumer stopped.
        progress.ending ??= { kind: 'stopped' };
      }
      const ending: SourceEnding = progress.ending;
      if (isDamage(ending) && connected) {
        connected = false;
        const where = 'message' in ending ? ending.message : ending.kind;
        yield {
          kind: 'disconnected',
          at: report.lastAt ?? (0 as EpochMs),
          reason: `recording damaged: ${where}`,
        };
      }
    }
  }

  /** Ticks of an NDJSON file, one message per run of ticks received at the same time, as a frame gave them. */
  private async *ndjsonMessages(
    path: string,
    progress: SourceProgress,
    wanted: ReadonlySet<InstrumentToken> | undefined,
  ): AsyncGenerator<FeedMessage> {
    let bytes;
    try {
      bytes = await fileByteSource(path);
    } catch (e) {
      progress.ending = { kind: 'unreadable', offset: 0, message: (e as Error).message };
      return;
    }
    try {
      for await (const chunk of readNdjsonTicks(bytes)) {
        if (chunk.kind === 'ending') {
          progress.ending = chunk.ending;
          if (chunk.ending.kind === 'complete') progress.bytesRead = progress.size;
          return;
        }
        let run: Tick[] = [];
        for (const tick of chunk.ticks) {
          if (wanted !== undefined && !wanted.has(tick.token)) continue;
          const last = run[run.length - 1];
          if (last !== undefined && last.receivedAt !== tick.receivedAt) {
            yield { kind: 'ticks', ticks: run, receivedAt: last.receivedAt };
            run = [];
          }
          run.push(tick);
        }
        const last = run[run.length - 1];
        if (last !== undefined) yield { kind: 'ticks', ticks: run, receivedAt: last.receivedAt };
        progress.bytesRead = chunk.next;
      }
    } catch (e) {
      progress.ending = { kind: 'unreadable', offset: progress.bytesRead, message: (e as Error).message };
    } finally {
      await bytes.close();
    }
  }
}
