import type { GapCause } from '../../domain/feed-events.ts';
import type { EpochMs } from '../../domain/units.ts';
import { readVarint, unzigzag, varintLength, writeVarint, zigzag, type VarintRead } from './varint.ts';

/**
 * One thing the feed read or did, with the time it happened. Frames are kept as they arrived;
 * connection changes as the feed yielded them (a gap's tokens are the stream's, from the header).
 */
export type SessionRecord =
  | { readonly kind: 'binary'; readonly at: EpochMs; readonly bytes: Uint8Array }
  | { readonly kind: 'text'; readonly at: EpochMs; readonly text: string }
  | { readonly kind: 'connected'; readonly at: EpochMs; readonly attempt: number }
  | { readonly kind: 'disconnected'; readonly at: EpochMs; readonly reason: string }
  /** A gap that ended at `at` (the reconnect) and began at `from`. */
  | { readonly kind: 'gap'; readonly at: EpochMs; readonly from: EpochMs; readonly cause: GapCause }
  /** The recorder dropped `frames` frames just before `at` (the disk fell behind): not in the file. */
  | { readonly kind: 'lost'; readonly at: EpochMs; readonly frames: number }
  /** The file was closed in order (at the end of the recording, or at the IST day's end). */
  | { readonly kind: 'end'; readonly at: EpochMs };

const KIND_CODE = {
  binary: 1,
  text: 2,
  connected: 3,
  disconnected: 4,
  gap: 5,
  lost: 6,
  end: 7,
} as const satisfies Record<SessionRecord['kind'], number>;

// Codes are appended, never renumbered: older recordings keep their meaning.
const CAUSE_CODE = {
  disconnect: 0,
  'mute-socket': 1,
  'silent-instrument': 2,
  'process-down': 3,
  stopped: 4,
  failover: 5,
} as const satisfies Record<GapCause, number>;
const CAUSES: readonly GapCause[] = [
  'disconnect',
  'mute-socket',
  'silent-instrument',
  'process-down',
  'stopped',
  'failover',
];

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The record's payload; binary frames are not copied. */
const payloadOf = (r: SessionRecord): Uint8Array => {
  switch (r.kind) {
    case 'binary':
      return r.bytes;
    case 'text':
      return utf8.encode(r.text);
    case 'disconnected':
      return utf8.encode(r.reason);
    case 'connected':
    case 'lost': {
      const n = r.kind === 'connected' ? r.attempt : r.frames;
      const out = new Uint8Array(varintLength(n));
      writeVarint(out, 0, n);
      return out;
    }
    case 'gap': {
      const back = zigzag(r.at - r.from);
      const out = new Uint8Array(varintLength(back) + 1);
      out[writeVarint(out, 0, back)] = CAUSE_CODE[r.cause];
      return out;
    }
    case 'end':
      return new Uint8Array(0);
  }
};

/**
 * Collects records into one block's payload: per record a zigzag varint of the time since the
 * previous record (the first: since the block's `firstAt`), a kind byte, a varint length and the
 * payload. The buffer grows by doubling and is reused from block to block.
 */
export class RecordBuffer {
  private buffer = new Uint8Array(64 * 1024);
  private used = 0;
  private last = 0;
  count = 0;
  firstAt = 0 as EpochMs;

  get byteLength(): number {
    return this.used;
  }

  add(record: SessionRecord): void {
    const payload = payloadOf(record);
    if (this.count === 0) {
      this.firstAt = record.at;
      this.last = record.at;
    }
    const delta = zigzag(record.at - this.last);
    this.ensure(varintLength(delta) + 1 + varintLength(payload.length) + payload.length);
    let at = writeVarint(this.buffer, this.used, delta);
    this.buffer[at++] = KIND_CODE[record.kind];
    at = writeVarint(this.buffer, at, payload.length);
    this.buffer.set(payload, at);
    this.used = at + payload.length;
    this.last = record.at;
    this.count += 1;
  }

  /** A copy of the payload so far, and empties the buffer for the next block. */
  take(): { readonly payload: Uint8Array; readonly count: number; readonly firstAt: EpochMs } {
    const taken = { payload: this.buffer.slice(0, this.used), count: this.count, firstAt: this.firstAt };
    this.used = 0;
    this.count = 0;
    return taken;
  }

  private ensure(extra: number): void {
    if (this.used + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.used + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
  }
}

export type RecordsRead =
  | { readonly kind: 'records'; readonly records: SessionRecord[] }
  | { readonly kind: 'corrupt'; readonly reason: string; readonly index: number };

/**
 * The `count` records of a block payload. Binary frames are views into `payload`, not copies. Any
 * inconsistency (a record running past the end, an unknown kind, bytes left over) is corruption.
 */
export const decodeRecords = (payload: Uint8Array, count: number, firstAt: EpochMs): RecordsRead => {
  const records: SessionRecord[] = [];
  const v: VarintRead = { value: 0, next: 0 };
  let offset = 0;
  let at: number = firstAt;
  for (let i = 0; i < count; i++) {
    const bad = (reason: string): RecordsRead => ({
      kind: 'corrupt',
      reason: `record ${i}: ${reason}`,
      index: i,
    });
    if (!readVarint(payload, offset, v)) return bad('bad time delta');
    at += unzigzag(v.value);
    if (!Number.isSafeInteger(at)) return bad('time out of range');
    const code = payload[v.next];
    if (code === undefined) return bad('cut short');
    if (!readVarint(payload, v.next + 1, v)) return bad('bad length');
    const start = v.next;
    const end = start + v.value;
    if (end > payload.length) return bad(`length ${v.value} runs past the block`);
    const body = payload.subarray(start, end);
    const record = recordOf(code, at as EpochMs, body, v);
    if (typeof record === 'string') return bad(record);
    records.push(record);
    offset = end;
  }
  if (offset !== payload.length) {
    return {
      kind: 'corrupt',
      reason: `${payload.length - offset} bytes after the last record`,
      index: count,
    };
  }
  return { kind: 'records', records };
};

/** One record from its kind code and payload, or why it cannot be one. */
const recordOf = (code: number, at: EpochMs, body: Uint8Array, v: VarintRead): SessionRecord | string => {
  const whole = (): number | undefined =>
    readVarint(body, 0, v) && v.next === body.length ? v.value : undefined;
  switch (code) {
    case KIND_CODE.binary:
      return { kind: 'binary', at, bytes: body };
    case KIND_CODE.text:
      return { kind: 'text', at, text: utf8Decoder.decode(body) };
    case KIND_CODE.connected: {
      const attempt = whole();
      return attempt === undefined ? 'bad connected record' : { kind: 'connected', at, attempt };
    }
    case KIND_CODE.disconnected:
      return { kind: 'disconnected', at, reason: utf8Decoder.decode(body) };
    case KIND_CODE.gap: {
      if (!readVarint(body, 0, v) || v.next !== body.length - 1) return 'bad gap record';
      const cause = CAUSES[body[v.next] ?? -1];
      if (cause === undefined) return 'unknown gap cause';
      return { kind: 'gap', at, from: (at - unzigzag(v.value)) as EpochMs, cause };
    }
    case KIND_CODE.lost: {
      const frames = whole();
      return frames === undefined ? 'bad lost record' : { kind: 'lost', at, frames };
    }
    case KIND_CODE.end:
      return body.length === 0 ? { kind: 'end', at } : 'bad end record';
    default:
      return `unknown record kind ${code}`;
  }
};
