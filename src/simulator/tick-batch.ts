import { writePacket } from './encode-frame.ts';
import type { TickTimeZone } from '../protocol/mstock/feed-time.ts';
import { FRAME_HEADER_BYTES, PACKET_LENGTH, PACKET_LENGTH_BYTES } from '../protocol/mstock/packet-layout.ts';
import type { SubscriptionMode } from '../ports/broker-feed.ts';
import type { LiveQuote } from './market-model.ts';
import { packetKindFor, quoteFields, type PacketChoice } from './quote-packets.ts';

/** The longest packet of each mode: the stride of that mode's buffer. */
const STRIDE: Readonly<Record<SubscriptionMode, number>> = { ltp: 8, quote: 44, full: 200 };

/** One mode's packets of a batch: packet i sits at i × stride, `lengths[i]` bytes long. */
export interface ModePackets {
  readonly bytes: Uint8Array;
  readonly lengths: Uint8Array;
  readonly stride: number;
}

/**
 * The ticks of one pump, encoded once per mode in use: every client then copies the packets of its
 * tokens in its modes into its frames. Packets are written when the tick happens, so several ticks
 * of one token in a pump each keep their own values.
 */
export class TickBatch {
  readonly tokens: Int32Array;
  readonly packets = new Map<SubscriptionMode, ModePackets>();
  count = 0;
  readonly #views = new Map<SubscriptionMode, DataView>();
  readonly #choice: PacketChoice;
  readonly #zone: TickTimeZone;

  constructor(
    capacity: number,
    modes: ReadonlySet<SubscriptionMode>,
    choice: PacketChoice,
    zone: TickTimeZone,
  ) {
    this.tokens = new Int32Array(capacity);
    this.#choice = choice;
    this.#zone = zone;
    for (const mode of modes) {
      const stride = STRIDE[mode];
      const bytes = new Uint8Array(capacity * stride);
      this.packets.set(mode, { bytes, lengths: new Uint8Array(capacity), stride });
      this.#views.set(mode, new DataView(bytes.buffer));
    }
  }

  /** Encodes the quote as it is now; `ltp` overrides its price (out-of-band fault). */
  add(q: LiveQuote, ltp: number = q.ltp): void {
    const i = this.count;
    this.tokens[i] = q.instrument.token;
    this.count += 1;
    if (this.packets.size === 0) return;
    const fields = quoteFields(q, this.#zone, this.packets.has('full'), ltp);
    for (const [mode, p] of this.packets) {
      const kind = packetKindFor(mode, q.instrument.kind, this.#choice);
      const view = this.#views.get(mode);
      if (view === undefined) continue;
      writePacket(view, i * p.stride, fields, kind);
      p.lengths[i] = PACKET_LENGTH[kind];
    }
  }
}

/**
 * Frames holding the chosen packets (`picks`: indexes into the batch, each with its mode), at most
 * `maxPerFrame` packets a frame.
 */
export const buildFrames = (
  batch: TickBatch,
  picks: readonly number[],
  pickModes: readonly SubscriptionMode[],
  maxPerFrame: number,
): Buffer[] => {
  const frames: Buffer[] = [];
  for (let from = 0; from < picks.length; from += maxPerFrame) {
    const to = Math.min(picks.length, from + maxPerFrame);
    let size = FRAME_HEADER_BYTES;
    for (let k = from; k < to; k++) {
      const p = batch.packets.get(pickModes[k] ?? 'ltp');
      size += PACKET_LENGTH_BYTES + (p?.lengths[picks[k] ?? 0] ?? 0);
    }
    const frame = Buffer.allocUnsafe(size);
    frame.writeUInt16BE(to - from, 0);
    let at = FRAME_HEADER_BYTES;
    for (let k = from; k < to; k++) {
      const p = batch.packets.get(pickModes[k] ?? 'ltp');
      const i = picks[k] ?? 0;
      const length = p?.lengths[i] ?? 0;
      frame.writeUInt16BE(length, at);
      if (p !== undefined)
        frame.set(p.bytes.subarray(i * p.stride, i * p.stride + length), at + PACKET_LENGTH_BYTES);
      at += PACKET_LENGTH_BYTES + length;
    }
    frames.push(frame);
  }
  return frames;
};
