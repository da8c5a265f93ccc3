import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayBrokerFeed } from '../../../src/adapters/replay/replay-broker-feed.ts';
import { encodeFrame, encodePacket } from '../../../src/simulator/encode-frame.ts';
import { epochMsToFeedSeconds } from '../../../src/protocol/mstock/feed-time.ts';
import type { SessionRecord } from '../../../src/adapters/recording/session-record.ts';
import { instrumentToken, type Exchange } from '../../../src/domain/instrument.ts';
import { encodeTick } from '../../../src/ports/tick-sink/tick-wire.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { buildSession, HEADER } from '../recording/session-bytes.ts';
import { FIXTURE, open, replay, ticksOf } from './replay-harness.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const file = (name: string, bytes: Uint8Array | string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tickflow-replay-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

const T0 = HEADER.startedAt;
const EXCHANGE = epochMsToFeedSeconds(T0, 'ist');
/** A full-mode frame: one 184-byte packet per token, all stamped with the same exchange second. */
const frame = (tokens: readonly number[], ltp: number): Uint8Array =>
  encodeFrame(
    tokens.map((token) => encodePacket({ token, ltp, volume: 10, exchangeTime: EXCHANGE }, 'full184')),
  );
const binary = (at: number, bytes: Uint8Array): SessionRecord => ({ kind: 'binary', at: epochMs(at), bytes });
const end = (at: number): SessionRecord => ({ kind: 'end', at: epochMs(at) });

describe('ReplayBrokerFeed', () => {
  it('begins with a connected message when the file holds none, and yields only the recorded tokens', async () => {
    // 11536 was not subscribed when this was recorded: live dropped its ticks, so replay does too.
    const path = file(
      'a.tfrec',
      buildSession([[binary(T0 + 10, frame([26000, 11536, 2885], 10000)), end(T0 + 10)]], true).bytes,
    );
    const { messages } = await replay([path]);
    expect(messages.map((m) => m.kind)).toEqual(['connected', 'ticks']);
    expect(messages[0]).toEqual({ kind: 'connected', at: T0 + 10, attempt: 1 });
    expect(ticksOf(messages).map((t) => [t.token, t.seq, t.receivedAt, t.ltp])).toEqual([
      ['26000', 0, T0 + 10, 100],
      ['2885', 0, T0 + 10, 100],
    ]);
  });

  it('stamps replayed ticks with their exchange when given an exchangeOf, and with none otherwise', async () => {
    const path = file(
      'x.tfrec',
      buildSession([[binary(T0 + 10, frame([26000, 2885], 10000)), end(T0 + 10)]], true).bytes,
    );
    const exchangeOf = (token: string): Exchange => (token === '2885' ? 'BSE' : 'NSE');
    const stamped = ticksOf((await replay([path], { decode: { exchangeOf } })).messages);
    const plain = ticksOf((await replay([path])).messages);
    expect(stamped.map((t) => [t.token, t.exchange])).toEqual([
      ['26000', 'NSE'],
      ['2885', 'BSE'],
    ]);
    expect(plain.map((t) => t.exchange)).toEqual([undefined, undefined]);
    // Only the exchange differs: values, seqs and ids are those of the plain replay.
    expect(stamped.map((t) => ({ ...t, exchange: undefined }))).toEqual(plain);
  });

  it('numbers ticks on across the day files of one stream, and afresh for another stream', async () => {
    const part1 = file('p1.tfrec', buildSession([[binary(T0, frame([2885], 100)), end(T0)]], false).bytes);
    const part2Header = { ...HEADER, part: 2, startedAt: epochMs(T0 + 1) };
    const part2 = file(
      'p2.tfrec',
      buildSession([[binary(T0 + 1, frame([2885], 101)), end(T0 + 1)]], false, part2Header).bytes,
    );
    const other = file(
      'o.tfrec',
      buildSession([[binary(T0 + 1, frame([2885], 101)), end(T0 + 1)]], false, { ...part2Header, part: 1 })
        .bytes,
    );
    const seqs = async (paths: string[]): Promise<number[]> =>
      ticksOf((await replay(paths)).messages).map((t) => t.seq);
    expect(await seqs([part1, part2])).toEqual([0, 1]); // one stream: live numbered them 0, 1
    expect(await seqs([part1, other])).toEqual([0, 0]);
  });

  it('plays a damaged file up to the damage, says where and why, then goes on with the next file', async () => {
    const { bytes, blockStarts } = buildSession(
      [[binary(T0, frame([2885], 100))], [binary(T0 + 1, frame([2885], 101))], [end(T0 + 1)]],
      true,
    );
    const second = blockStarts[1] ?? 0;
    const damaged = Uint8Array.from(bytes);
    damaged[second + 30] = (damaged[second + 30] ?? 0) ^ 0xff;
    const bad = file('bad.tfrec', damaged);
    const cut = file('cut.tfrec', bytes.subarray(0, second + 7));
    const good = file(
      'good.tfrec',
      buildSession([[binary(T0 + 5, frame([26000], 5)), end(T0 + 5)]], true).bytes,
    );
    const { messages, feed } = await replay([bad, cut, good]);
    expect(messages.map((m) => (m.kind === 'ticks' ? `ticks ${m.ticks[0]?.token ?? ''}` : m.kind))).toEqual([
      'connected',
      'ticks 2885',
      'disconnected',
      'connected',
      'ticks 2885',
      'disconnected',
      'connected',
      'ticks 26000',
    ]);
    expect(messages[2]).toEqual({
      kind: 'disconnected',
      at: T0,
      reason: `recording damaged: corrupt: block 1 at byte ${second}: block CRC mismatch; replayed up to there`,
    });
    expect(feed.report.sources.map((s) => s.ending)).toEqual([
      { kind: 'corrupt', offset: second, message: expect.stringContaining('block CRC mismatch') as unknown },
      {
        kind: 'truncated',
        offset: second,
        message: expect.stringContaining(`block 1 at byte ${second} is incomplete`) as unknown,
      },
      { kind: 'complete' },
    ]);
    expect(feed.report.damaged().map((s) => s.path)).toEqual([bad, cut]);
  });

  it('replays an NDJSON tick file as it is: one message per receive time, up to a torn last line', async () => {
    const fixture = ticksOf((await replay([FIXTURE])).messages).slice(0, 20);
    const text = fixture.map((t) => `${encodeTick(t)}\n`).join('');
    const whole = file('ticks.ndjson', text);
    const again = ticksOf((await replay([whole])).messages);
    expect(again).toEqual(fixture);
    const grouped = (await replay([whole])).messages.filter((m) => m.kind === 'ticks');
    expect(grouped).toHaveLength(new Set(fixture.map((t) => t.receivedAt)).size);

    const torn = file('torn.ndjson', text + encodeTick(fixture[0] ?? fixture[1]!).slice(0, 30));
    const { messages, feed } = await replay([torn]);
    expect(ticksOf(messages)).toEqual(fixture);
    expect(feed.report.sources[0]?.ending).toMatchObject({ kind: 'truncated', offset: text.length });

    const bad = file('bad.ndjson', `${text.split('\n').slice(0, 3).join('\n')}\n{"token":"x"}\n${text}`);
    const stopped = await replay([bad]);
    expect(ticksOf(stopped.messages)).toEqual(fixture.slice(0, 3));
    expect(stopped.feed.report.sources[0]?.ending).toMatchObject({
      kind: 'corrupt',
      message: expect.stringMatching(/^line 4 /) as unknown,
    });
  });

  it('stops at once, yielding nothing more, when the signal aborts', async () => {
    const feed = new ReplayBrokerFeed({ sources: [await open(FIXTURE)], clock: { now: () => epochMs(0) } });
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const m of feed.messages({ tokens: [instrumentToken(2885)], mode: 'full' }, abort.signal)) {
      seen.push(m.kind);
      if (m.kind === 'ticks') abort.abort();
    }
    expect(seen).toEqual(['connected', 'ticks']);
    expect(feed.report.sources[0]?.ending).toEqual({ kind: 'stopped' });
  });
});
