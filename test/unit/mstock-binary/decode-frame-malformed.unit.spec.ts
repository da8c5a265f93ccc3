import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, type DecodeOptions } from '../../../src/adapters/mstock/binary/decode-frame.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { hex } from './hex.ts';

const OPTIONS: DecodeOptions = { tickTimeZone: 'ist', priceDivisor: 100 };
const RECEIVED = epochMs(1_704_080_700_000);
const decode = (bytes: Uint8Array) => decodeFrame(bytes, RECEIVED, new TickSequencer(), OPTIONS);

const LTP_TCS = '00 08 | 00 00 2d 10 | 00 04 bb 22'; // 10 bytes with its length prefix
const LTP_2885 = '00 08 | 00 00 0b 45 | 00 00 03 e8';

describe('decodeFrame: heartbeats and malformed frames', () => {
  it('takes a 1-byte frame as a heartbeat', () => {
    expect(decode(hex('00'))).toEqual({ ticks: [], malformed: [], heartbeat: true });
  });

  it('takes an empty frame as a heartbeat', () => {
    expect(decode(new Uint8Array(0))).toEqual({ ticks: [], malformed: [], heartbeat: true });
  });

  it('reads a frame of 0 packets as nothing, not as a heartbeat', () => {
    expect(decode(hex('00 00'))).toEqual({ ticks: [], malformed: [], heartbeat: false });
  });

  it('records a packet length prefix cut short by the end of the frame', () => {
    const r = decode(hex('00 01 | 00'));
    expect(r.ticks).toEqual([]);
    expect(r.malformed).toEqual([
      { offset: 2, length: 1, reason: 'frame announces 1 packets but holds only 0' },
    ]);
  });

  it('decodes the packets present when the count is too high, and records the shortfall', () => {
    const r = decode(hex(`00 03 | ${LTP_TCS} | ${LTP_2885}`));
    expect(r.ticks.map((t) => t.token)).toEqual(['11536', '2885']);
    expect(r.malformed).toEqual([
      { offset: 22, length: 0, reason: 'frame announces 3 packets but holds only 2' },
    ]);
  });

  it('records a packet whose length runs past the end and stops there', () => {
    const r = decode(hex(`00 03 | ${LTP_TCS} | 00 2c | 00 00 0b 45 00 00 03 e8 00 00 | ${LTP_2885}`));
    expect(r.ticks.map((t) => t.token)).toEqual(['11536']);
    expect(r.malformed).toEqual([
      { offset: 12, length: 44, reason: 'packet of 44 bytes runs past the end of the frame' },
    ]);
  });

  it('skips a packet of unknown length 50 and decodes the next one', () => {
    const fifty = Array.from({ length: 50 }, () => '7f').join(' ');
    const r = decode(hex(`00 03 | ${LTP_TCS} | 00 32 | ${fifty} | ${LTP_2885}`));
    expect(r.ticks.map((t) => t.token)).toEqual(['11536', '2885']);
    expect(r.malformed).toEqual([{ offset: 12, length: 50, reason: 'unknown packet length 50' }]);
  });

  it('skips a 0-length packet and decodes the next one', () => {
    const r = decode(hex(`00 02 | 00 00 | ${LTP_2885}`));
    expect(r.ticks.map((t) => t.token)).toEqual(['2885']);
    expect(r.malformed).toEqual([{ offset: 2, length: 0, reason: 'unknown packet length 0' }]);
  });

  it('skips a packet whose token is not a positive number', () => {
    const r = decode(hex(`00 02 | 00 08 | 00 00 00 00 | 00 04 bb 22 | ${LTP_2885}`));
    expect(r.ticks.map((t) => t.token)).toEqual(['2885']);
    expect(r.malformed).toEqual([{ offset: 2, length: 8, reason: 'invalid instrument token 0' }]);
  });

  it('decodes the packets and records bytes left after the last one', () => {
    const r = decode(hex(`00 01 | ${LTP_TCS} | 00 00 00`));
    expect(r.ticks.map((t) => t.token)).toEqual(['11536']);
    expect(r.malformed).toEqual([{ offset: 12, length: 3, reason: '3 bytes after the last packet' }]);
  });

  it('never throws on arbitrary bytes, and accounts for at most the announced packets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const r = decode(bytes);
        if (bytes.length < 2) return r.heartbeat && r.ticks.length === 0;
        const count = (bytes[0]! << 8) | bytes[1]!;
        // Trailing bytes add at most one entry beyond the announced packets.
        return !r.heartbeat && r.ticks.length + r.malformed.length <= count + 1;
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes a truncated frame to a prefix of what the whole frame gives', () => {
    const whole = hex(`00 03 | ${LTP_TCS} | ${LTP_2885} | ${LTP_TCS}`);
    const full = decode(whole).ticks;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: whole.length - 1 }), (cut) => {
        const r = decode(whole.subarray(0, cut));
        expect(r.ticks).toEqual(full.slice(0, r.ticks.length));
        expect(r.malformed).toHaveLength(1);
      }),
    );
  });
});
