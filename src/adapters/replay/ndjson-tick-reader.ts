import { either as E } from 'fp-ts';
import { decodeTick } from '../../ports/tick-sink/tick-wire.ts';
import type { Tick } from '../../domain/tick.ts';
import type { ByteSource } from '../recording/byte-source.ts';
import type { SourceEnding } from './replay-report.ts';

const READ_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

export type NdjsonChunk =
  | { readonly kind: 'ticks'; readonly ticks: readonly Tick[]; readonly next: number }
  | { readonly kind: 'ending'; readonly ending: SourceEnding };

const isBlank = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0d);

/**
 * Reads a file of ticks in their wire form, one per line (what `--sink ndjson` and the NDJSON
 * fallback sink write, and what `market_ticks` holds), decoding each at this file boundary. Stops
 * at the first line that is not a tick: a last line without its newline is a torn write
 * (`truncated`), any other bad line is `corrupt`. Blank lines are skipped.
 */
export async function* readNdjsonTicks(source: ByteSource): AsyncGenerator<NdjsonChunk> {
  const decoder = new TextDecoder();
  let carry: Uint8Array = new Uint8Array(0);
  let carryStart = 0;
  let offset = 0;
  let line = 0;
  while (offset < source.size) {
    const read = await source.read(offset, READ_CHUNK_BYTES);
    if (read.length === 0) break;
    offset += read.length;
    const bytes = carry.length === 0 ? read : Buffer.concat([carry, read]);
    const ticks: Tick[] = [];
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      if (end === -1) break;
      line += 1;
      const text = bytes.subarray(start, end);
      if (!isBlank(text)) {
        const tick = decodeTick(decoder.decode(text));
        if (E.isLeft(tick)) {
          if (ticks.length > 0) yield { kind: 'ticks', ticks, next: carryStart + start };
          const at = carryStart + start;
          yield {
            kind: 'ending',
            ending: {
              kind: 'corrupt',
              offset: at,
              message: `line ${line} (byte ${at}): ${tick.left.message}`,
            },
          };
          return;
        }
        ticks.push(tick.right);
      }
      start = end + 1;
    }
    carry = bytes.subarray(start);
    carryStart += start;
    if (ticks.length > 0) yield { kind: 'ticks', ticks, next: carryStart };
  }
  if (carry.length > 0 && !isBlank(carry)) {
    const tick = decodeTick(decoder.decode(carry));
    if (E.isLeft(tick)) {
      yield {
        kind: 'ending',
        ending: {
          kind: 'truncated',
          offset: carryStart,
          message: `the last line (${line + 1}, byte ${carryStart}) is cut short: ${tick.left.message}`,
        },
      };
      return;
    }
    yield { kind: 'ticks', ticks: [tick.right], next: carryStart + carry.length };
  }
  yield { kind: 'ending', ending: { kind: 'complete' } };
}
