import type { InstrumentToken } from '../../domain/instrument.ts';
import { TickSequencer } from '../../domain/tick-sequencer.ts';
import type { FeedMessage } from '../../ports/broker-feed.ts';
import { decodeFrame, type DecodeOptions } from '../mstock/binary/decode-frame.ts';
import { fileByteSource } from '../recording/byte-source.ts';
import type { SessionHeader } from '../recording/session-header.ts';
import { describeEnding, readSessionBlocks, type SessionEnding } from '../recording/session-reader.ts';
import type { SessionRecord } from '../recording/session-record.ts';
import type { ReplayReport, SourceEnding, SourceProgress } from './replay-report.ts';
import type { ReplaySource } from './replay-source.ts';

const endingOf = (e: SessionEnding): SourceEnding => {
  switch (e.kind) {
    case 'complete':
      return { kind: 'complete' };
    case 'unterminated':
      return { kind: 'unterminated', message: describeEnding(e) };
    case 'truncated':
    case 'corrupt':
      return { kind: e.kind, offset: e.offset, message: describeEnding(e) };
  }
};

/** The next file of the same feed stream (its next IST day): its ticks are numbered on from this one's. */
const continues = (previous: SessionHeader | undefined, next: SessionHeader): boolean =>
  previous !== undefined &&
  previous.streamStartedAt === next.streamStartedAt &&
  previous.part + 1 === next.part;

/**
 * Turns session files back into the messages the live feed yielded from them, as the live feed
 * did: every frame through `decodeFrame` with the recorded receive time and one sequencer per
 * recorded stream (kept across the day files of one stream), ticks of the stream's subscribed
 * tokens only, the recorded connection changes as they were.
 */
export class SessionDecoder {
  private readonly report: ReplayReport;
  private readonly wanted: ReadonlySet<InstrumentToken> | undefined;
  private readonly decode: Partial<DecodeOptions>;
  private sequencer = new TickSequencer();
  private previous: { readonly header: SessionHeader; readonly whole: boolean } | undefined;

  constructor(
    report: ReplayReport,
    wanted: ReadonlySet<InstrumentToken> | undefined,
    decode: Partial<DecodeOptions>,
  ) {
    this.report = report;
    this.wanted = wanted;
    this.decode = decode;
  }

  async *messages(
    source: Extract<ReplaySource, { kind: 'session' }>,
    progress: SourceProgress,
  ): AsyncGenerator<FeedMessage> {
    const { header } = source;
    const previous = this.previous;
    if (!(previous?.whole === true && continues(previous.header, header)))
      this.sequencer = new TickSequencer();
    this.previous = { header, whole: false };
    const tokens = header.instruments.filter((t) => this.wanted === undefined || this.wanted.has(t));
    const keep: ReadonlySet<InstrumentToken> = new Set(tokens);
    // The packets carry no exchange: the caller's `exchangeOf`, else the one live stamped (in the
    // header since ticks carry an exchange; older recordings replay without one).
    const recorded = header.exchanges;
    const options: DecodeOptions = {
      tickTimeZone: this.decode.tickTimeZone ?? header.tickTimeZone,
      priceDivisor: this.decode.priceDivisor ?? header.priceDivisor,
      exchangeOf:
        this.decode.exchangeOf ??
        (recorded === undefined
          ? undefined
          : (token) => (Object.hasOwn(recorded, token) ? recorded[token] : undefined)),
    };
    let bytes;
    try {
      bytes = await fileByteSource(source.path);
    } catch (e) {
      progress.ending = { kind: 'unreadable', offset: 0, message: (e as Error).message };
      return;
    }
    progress.bytesRead = source.bodyStart;
    try {
      for await (const chunk of readSessionBlocks(bytes, source.bodyStart)) {
        if (chunk.kind === 'ending') {
          progress.ending = endingOf(chunk.ending);
          this.previous = { header, whole: chunk.ending.kind === 'complete' };
          return;
        }
        for (const record of chunk.records) {
          const message = this.messageOf(record, options, keep, tokens);
          if (message !== undefined) yield message;
        }
        progress.bytesRead = chunk.next;
      }
    } catch (e) {
      progress.ending = { kind: 'unreadable', offset: progress.bytesRead, message: (e as Error).message };
    } finally {
      await bytes.close();
    }
  }

  private messageOf(
    record: SessionRecord,
    options: DecodeOptions,
    keep: ReadonlySet<InstrumentToken>,
    tokens: readonly InstrumentToken[],
  ): FeedMessage | undefined {
    const report = this.report;
    switch (record.kind) {
      case 'binary': {
        report.frames += 1;
        const result = decodeFrame(record.bytes, record.at, this.sequencer, options);
        if (result.heartbeat) {
          report.heartbeats += 1;
          return undefined;
        }
        report.malformedPackets += result.malformed.length;
        // As the live reader does: the same array when every tick is wanted, else a filtered copy.
        const ticks = result.ticks.every((t) => keep.has(t.token))
          ? result.ticks
          : result.ticks.filter((t) => keep.has(t.token));
        return ticks.length > 0 ? { kind: 'ticks', ticks, receivedAt: record.at } : undefined;
      }
      case 'text':
        report.textFrames += 1;
        return undefined;
      case 'connected':
        return { kind: 'connected', at: record.at, attempt: record.attempt };
      case 'disconnected':
        return { kind: 'disconnected', at: record.at, reason: record.reason };
      case 'gap':
        return { kind: 'gap', gap: { tokens, from: record.from, to: record.at, cause: record.cause } };
      case 'lost':
        report.lostFrames += record.frames;
        return undefined;
      case 'end':
        return undefined;
    }
  }
}
