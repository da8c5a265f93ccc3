import { describe, expect, it } from 'vitest';
import type { RecordedTick } from '../support/feed-recorder.ts';
import {
  judgeCampaign,
  type CampaignRun,
  type GapRecord,
  type PublishedTick,
} from '../support/fault-campaign-oracle.ts';

// Two tokens ticking alternately, one tick every 10 ms from t = 0: #i is token A for even i.
const recorded: RecordedTick[] = Array.from({ length: 40 }, (_, i) => ({
  token: i % 2 === 0 ? 'A' : 'B',
  volume: i + 1,
  exchangeTime: Math.floor(i / 10) * 1000,
  receivedAt: i * 10,
}));

// Run 1 got #0-#9 and was killed at t = 100; run 2 got #20-#39 and stopped cleanly.
const runs: CampaignRun[] = [
  { run: 1, firstPacket: 0, packets: 10, killedAt: 100 },
  { run: 2, firstPacket: 20, packets: 20, killedAt: undefined },
];

const published = (i: number, tickId = `id-${i}`): PublishedTick => {
  const t = recorded[i];
  if (t === undefined) throw new RangeError(`no tick #${i}`);
  return {
    key: t.token,
    tickId,
    token: t.token,
    volume: t.volume,
    exchangeTime: t.exchangeTime,
    receivedAt: t.receivedAt,
  };
};

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

const gap = (token: string, from: number, to: number): GapRecord => ({
  event: 'FeedGapOpened',
  gapId: `process-down-${from}-${to}`,
  token,
  cause: 'process-down',
  from,
  to,
});

// Run 1's last ticks in Kafka are #6 (A, t 60) and #7 (B, t 70); run 2's first are #20 and #21.
const crashGaps = [gap('A', 60, 2000), gap('B', 70, 2000)];
const WINDOW_MS = 40;

describe('the fault campaign oracle', () => {
  it('passes a campaign that lost only the tail within the window before the SIGKILL', () => {
    const kafka = [...range(0, 8), ...range(20, 40)].map((i) => published(i));
    const verdict = judgeCampaign(recorded, runs, [...kafka, published(3)], crashGaps, WINDOW_MS);
    expect(verdict).toMatchObject({
      notReceived: 10,
      repeats: 1,
      lossBeyondBound: [],
      unknownTicks: [],
      reordered: [],
      repeatsWithOtherId: [],
      crashGaps: [],
    });
    expect(verdict.runs).toEqual([
      { run: 1, sent: 10, delivered: 8, lost: 2, mayLose: 4 },
      { run: 2, sent: 20, delivered: 20, lost: 0, mayLose: 0 },
    ]);
  });

  it('finds a loss older than the window, a hole before the tail, and any loss of a clean stop', () => {
    const kafka = [...range(0, 3), ...range(4, 9), ...range(20, 39)].map((i) => published(i));
    expect(judgeCampaign(recorded, runs, kafka, crashGaps, WINDOW_MS).lossBeyondBound).toEqual([
      'run 1 lost 1 ticks sent more than 40 ms before its SIGKILL: #3 B:0:4',
      'run 1 lost 1 ticks sent before its last tick in Kafka (#8): #3 B:0:4',
      'run 2 (stopped cleanly) lost 1 ticks: #39 B:3000:40',
    ]);
  });

  it('finds a token reordered, a repeat under another id, and a tick sent while no run was connected', () => {
    const kafka = [...range(0, 10), ...range(20, 40)].map((i) => published(i));
    const swapped = [published(2), published(0), ...kafka.slice(1).filter((m) => m.volume !== 3)];
    expect(judgeCampaign(recorded, runs, swapped, crashGaps, WINDOW_MS).reordered).toEqual([
      'id-0 (sent #0) after #2 of the same token',
    ]);
    const renamed = judgeCampaign(recorded, runs, [...kafka, published(5, 'other')], crashGaps, WINDOW_MS);
    expect(renamed.repeatsWithOtherId).toEqual(['B:0:6 sent as id-5 and again as other']);
    const stray = judgeCampaign(recorded, runs, [...kafka, published(12)], crashGaps, WINDOW_MS);
    expect(stray.unknownTicks).toEqual([
      'A:1000:13 (id-12) is in Kafka but was sent while no run was connected',
    ]);
  });

  it('wants one process-down gap per crash and token that covers the downtime', () => {
    const kafka = [...range(0, 8), ...range(20, 40)].map((i) => published(i));
    expect(judgeCampaign(recorded, runs, kafka, [gap('A', 60, 2000)], WINDOW_MS).crashGaps).toEqual([
      'token B: 0 process-down gaps for 1 crashes',
      'crash of run 1: 1 of 2 tokens without exactly one process-down gap covering the downtime: B (0 gaps cover 70..210)',
    ]);
    // Starts after run 1's last tick of B in Kafka (#7, t 70): it leaves part of the downtime out.
    const late = [gap('A', 60, 2000), gap('B', 100, 2000)];
    expect(judgeCampaign(recorded, runs, kafka, late, WINDOW_MS).crashGaps).toHaveLength(1);
    // Announced twice with the same id (a restart): still one gap.
    const again = [...crashGaps, ...crashGaps];
    expect(judgeCampaign(recorded, runs, kafka, again, WINDOW_MS).crashGaps).toEqual([]);
  });
});
