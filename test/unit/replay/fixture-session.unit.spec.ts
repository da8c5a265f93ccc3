import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { FIXTURE, FIXTURE_EXPECTED, replay, sha256, ticksOf, wire } from './replay-harness.ts';

/** Written by scripts/record-fixture.ts from what the live feed yielded while it recorded. */
const expected = JSON.parse(readFileSync(FIXTURE_EXPECTED, 'utf8')) as {
  readonly frames: number;
  readonly ticks: number;
  readonly messages: Readonly<Record<string, number>>;
  readonly tokens: readonly string[];
  readonly ticksSha256: string;
};

describe('the shipped recorded session (test/fixtures/sessions)', () => {
  it('replays to its 279 ticks, byte for byte what the live feed yielded from the same frames', async () => {
    const { messages, feed } = await replay([FIXTURE]);
    const ticks = ticksOf(messages);
    expect(ticks).toHaveLength(279);
    expect(expected.ticks).toBe(279);
    expect(sha256(wire(ticks))).toBe(expected.ticksSha256);
    const kinds: Record<string, number> = {};
    for (const m of messages) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
    expect(kinds).toEqual(expected.messages);
    expect([...new Set(ticks.map((t) => t.token))].sort()).toEqual(expected.tokens);
    // The recording's own story: frames, the refused token's error text, one malformed packet, a reconnect.
    const r = feed.report;
    expect(r.frames + r.textFrames).toBe(expected.frames);
    expect(r.textFrames).toBe(2);
    expect(r.malformedPackets).toBe(1);
    expect(r.sources[0]?.ending).toEqual({ kind: 'complete' });
    expect(messages.map((m) => m.kind).filter((k) => k !== 'ticks')).toEqual([
      'connected',
      'disconnected',
      'connected',
      'gap',
    ]);
    // Frames that share an exchange second number their ticks on.
    expect(ticks.some((t) => t.seq > 0)).toBe(true);
    expect(ticks.every((t) => t.source === 'live')).toBe(true);
  });

  it('gives the same bytes every time', async () => {
    const first = wire(ticksOf((await replay([FIXTURE])).messages));
    const second = wire(ticksOf((await replay([FIXTURE])).messages));
    expect(second).toBe(first);
  });

  it('with markReplay, changes only the source: same ticks, same ids', async () => {
    const live = ticksOf((await replay([FIXTURE])).messages);
    const marked = ticksOf((await replay([FIXTURE], { markReplay: true })).messages);
    expect(marked.every((t) => t.source === 'replay')).toBe(true);
    expect(marked.map((t) => ({ ...t, source: 'live' }))).toEqual(live);
    const ids = (s: string): unknown[] =>
      s
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids(wire(marked))).toEqual(ids(wire(live)));
  });

  it('filters by token and by time window without changing what it lets through', async () => {
    const all = ticksOf((await replay([FIXTURE])).messages);
    const tcs = instrumentToken(11536);
    const only = ticksOf((await replay([FIXTURE], {}, [tcs])).messages);
    expect(only.length).toBeGreaterThan(0);
    expect(only).toEqual(all.filter((t) => t.token === tcs));

    const times = [...new Set(all.map((t) => t.receivedAt))];
    const from = times[10] ?? 0;
    const to = times[40] ?? 0;
    const windowed = ticksOf((await replay([FIXTURE], { from: epochMs(from), to: epochMs(to) })).messages);
    // Ticks before the window were still numbered, so those inside keep their live seq.
    expect(windowed).toEqual(all.filter((t) => t.receivedAt >= from && t.receivedAt <= to));
  });

  it('decodes with another tick time zone when asked: exchange times move by 5 h 30 min', async () => {
    const ist = ticksOf((await replay([FIXTURE])).messages);
    const utc = ticksOf((await replay([FIXTURE], { decode: { tickTimeZone: 'utc' } })).messages);
    const a = ist.find((t) => t.exchangeTime !== undefined);
    const b = utc.find((t) => t.exchangeTime !== undefined);
    expect((b?.exchangeTime ?? 0) - (a?.exchangeTime ?? 0)).toBe(19_800_000);
  });

  it('paces messages at N times the recorded pace, from the recorded receive times', async () => {
    let now = 0;
    const waits: number[] = [];
    const clock = { now: () => epochMs(now) };
    const sleep = (ms: number): Promise<void> => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    };
    const { messages } = await replay([FIXTURE], { speed: 2, clock, sleep });
    const times = messages.map((m) =>
      m.kind === 'ticks' ? m.receivedAt : m.kind === 'gap' ? m.gap.to : m.at,
    );
    const span = (times[times.length - 1] ?? 0) - (times[0] ?? 0);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(span / 2);
    expect(waits).toContain(125); // frames were recorded 250 ms apart
  });
});
