import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryByteSource } from '../../../src/adapters/recording/byte-source.ts';
import { SESSION_MAGIC } from '../../../src/adapters/recording/session-framing.ts';
import { describeHeaderProblem, readSessionHeader } from '../../../src/adapters/recording/session-reader.ts';
import type { SessionRecord } from '../../../src/adapters/recording/session-record.ts';
import type { GapCause } from '../../../src/domain/feed-events.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { buildSession, HEADER, plain, readBack } from './session-bytes.ts';

const START = 1_763_613_000_000;

/** Records of every kind, at times that mostly move forward and sometimes step back (a wall clock can). */
const recordsArb: fc.Arbitrary<SessionRecord[]> = fc
  .array(
    fc.tuple(
      fc.integer({ min: -5_000, max: 90_000_000 }),
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes) => ({ kind: 'binary' as const, bytes })),
        fc.string({ maxLength: 40 }).map((text) => ({ kind: 'text' as const, text })),
        fc.integer({ min: 1, max: 1_000_000 }).map((attempt) => ({ kind: 'connected' as const, attempt })),
        fc.string({ maxLength: 40 }).map((reason) => ({ kind: 'disconnected' as const, reason })),
        fc
          .tuple(
            fc.integer({ min: -10, max: 86_400_000 }),
            fc.constantFrom<GapCause>('disconnect', 'mute-socket', 'silent-instrument'),
          )
          .map(([back, cause]) => ({ kind: 'gap' as const, back, cause })),
        fc.integer({ min: 1, max: 1_000_000 }).map((frames) => ({ kind: 'lost' as const, frames })),
      ),
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((items) => {
    let at = START;
    return items.map(([delta, r]): SessionRecord => {
      at += delta;
      const t = epochMs(at);
      return r.kind === 'gap'
        ? { kind: 'gap', at: t, from: epochMs(at - r.back), cause: r.cause }
        : { ...r, at: t };
    });
  });

/** The records cut into blocks at the given points. */
const split = (records: readonly SessionRecord[], cuts: readonly number[]): SessionRecord[][] => {
  const points = [...new Set(cuts.map((c) => c % records.length))].sort((a, b) => a - b).filter((c) => c > 0);
  const groups: SessionRecord[][] = [];
  let from = 0;
  for (const p of [...points, records.length]) {
    groups.push(records.slice(from, p));
    from = p;
  }
  return groups;
};

const sessionArb = fc.record({
  records: recordsArb,
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
  gzip: fc.boolean(),
});

const withEnd = (groups: SessionRecord[][]): SessionRecord[][] => {
  const last = groups[groups.length - 1] ?? [];
  const at = last[last.length - 1]?.at ?? epochMs(START);
  return [...groups.slice(0, -1), [...last, { kind: 'end', at }]];
};

describe('session file framing', () => {
  it('reads back every record it wrote, whatever the blocks and the compression', async () => {
    await fc.assert(
      fc.asyncProperty(sessionArb, async ({ records, cuts, gzip }) => {
        const groups = withEnd(split(records, cuts));
        const { bytes } = buildSession(groups, gzip);
        const back = await readBack(bytes);
        expect(back.header).toEqual({ ...HEADER, compression: gzip ? 'gzip' : 'none' });
        expect(back.records.map(plain)).toEqual(groups.flat().map(plain));
        expect(back.ending).toEqual({ kind: 'complete' });
      }),
      { numRuns: 150 },
    );
  });

  it('says a file without its closing record is unterminated, after reading every block', async () => {
    const records: SessionRecord[] = [
      { kind: 'connected', at: epochMs(START), attempt: 1 },
      { kind: 'binary', at: epochMs(START + 5), bytes: Uint8Array.of(0, 1, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8) },
    ];
    const { bytes, blockStarts } = buildSession([records.slice(0, 1), records.slice(1)], true);
    const back = await readBack(bytes);
    expect(back.records.map(plain)).toEqual(records.map(plain));
    expect(back.ending).toEqual({ kind: 'unterminated', offset: blockStarts[2], block: 2 });
  });

  it('never throws on a file cut at any byte: it stops after the last whole block and says where', async () => {
    await fc.assert(
      fc.asyncProperty(sessionArb, fc.double({ min: 0, max: 1, noNaN: true }), async (session, share) => {
        const groups = withEnd(split(session.records, session.cuts));
        const { bytes, blockStarts } = buildSession(groups, session.gzip);
        const cut = Math.floor(share * bytes.length);
        const back = await readBack(bytes.subarray(0, cut));
        const headerEnd = blockStarts[0] ?? 0;
        if (cut < headerEnd) {
          expect(back.headerProblem).toBe('SessionHeaderDamaged');
          return;
        }
        // Whole blocks before the cut are read; none of the torn one.
        const whole = blockStarts.filter((s, i) => i > 0 && s <= cut).length;
        expect(back.records.map(plain)).toEqual(groups.slice(0, whole).flat().map(plain));
        const boundary = blockStarts[whole] ?? cut;
        if (whole === groups.length) {
          expect(back.ending).toEqual({ kind: 'complete' });
        } else if (cut === boundary) {
          expect(back.ending).toEqual({ kind: 'unterminated', offset: cut, block: whole });
        } else {
          expect(back.ending).toMatchObject({ kind: 'truncated', offset: boundary, block: whole });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stops before a block whose bytes changed, and names the block', async () => {
    await fc.assert(
      fc.asyncProperty(
        sessionArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (session, pick, flip) => {
          const groups = withEnd(split(session.records, session.cuts));
          const { bytes, blockStarts } = buildSession(groups, session.gzip);
          const headerEnd = blockStarts[0] ?? 0;
          const at = headerEnd + (pick % (bytes.length - headerEnd));
          const damaged = Uint8Array.from(bytes);
          damaged[at] = (damaged[at] ?? 0) ^ flip;
          const back = await readBack(damaged);
          const block = blockStarts.filter((s, i) => i > 0 && s <= at).length;
          expect(back.records.map(plain)).toEqual(groups.slice(0, block).flat().map(plain));
          // A changed length field may make the block look longer than the file: then it reads as cut short.
          expect(back.ending?.kind === 'corrupt' || back.ending?.kind === 'truncated').toBe(true);
          expect(back.ending).toMatchObject({ offset: blockStarts[block], block });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('says which check failed: CRC, marker', async () => {
    const records: SessionRecord[] = [{ kind: 'connected', at: epochMs(START), attempt: 1 }];
    const { bytes, blockStarts } = buildSession([records, records], false);
    const second = blockStarts[1] ?? 0;
    const payloadByte = Uint8Array.from(bytes);
    payloadByte[second + 25] = (payloadByte[second + 25] ?? 0) ^ 0x40;
    expect((await readBack(payloadByte)).ending).toEqual({
      kind: 'corrupt',
      offset: second,
      block: 1,
      reason: 'block CRC mismatch',
    });
    const marker = Uint8Array.from(bytes);
    marker[second] = 0;
    expect((await readBack(marker)).ending).toMatchObject({ kind: 'corrupt', reason: 'no block marker' });
  });

  it('refuses a file from a newer format version by name, before reading anything else', async () => {
    const { bytes } = buildSession([[{ kind: 'end', at: epochMs(START) }]], true);
    const future = Uint8Array.from(bytes);
    future[8] = 0;
    future[9] = 2;
    const header = await readSessionHeader(memoryByteSource(future));
    expect(header).toEqual({
      _tag: 'Left',
      left: { kind: 'UnsupportedSessionVersion', version: 2, supported: 1 },
    });
    if (header._tag === 'Left') {
      expect(describeHeaderProblem(header.left)).toBe(
        'session format version 2 was written by a newer tickflow; this one reads version 1 and older: upgrade tickflow to replay it',
      );
    }
  });

  it('tells a file that is not a session, and a header that is damaged', async () => {
    expect(await readBack(Buffer.from('{"token":"26000"}\n'))).toMatchObject({
      headerProblem: 'NotASessionFile',
    });
    expect(await readBack(SESSION_MAGIC.subarray(0, 5))).toMatchObject({
      headerProblem: 'SessionHeaderDamaged',
    });
    const { bytes } = buildSession([], false);
    const bad = Uint8Array.from(bytes);
    bad[20] = (bad[20] ?? 0) ^ 1; // inside the header JSON
    const header = await readSessionHeader(memoryByteSource(bad));
    expect(header).toEqual({
      _tag: 'Left',
      left: { kind: 'SessionHeaderDamaged', reason: 'header CRC mismatch' },
    });
  });
});
