import type { RecordedTick } from './feed-recorder.ts';

/** One `tickflow live` process of the campaign, as the simulator and the test saw it. */
export interface CampaignRun {
  readonly run: number;
  /** Index in the recorder's sequence of the first packet this run's connection was sent. */
  readonly firstPacket: number;
  /** Packets the simulator sent to this run's connection, until it closed. */
  readonly packets: number;
  /** Wall-clock ms of the SIGKILL; undefined for the run stopped cleanly at the end. */
  readonly killedAt: number | undefined;
}

/** A message of the tick topic, decoded. */
export interface PublishedTick {
  readonly key: string;
  readonly tickId: string;
  readonly token: string;
  readonly volume: number;
  readonly exchangeTime: number;
  readonly receivedAt: number;
}

/** A record of the gap topic, decoded. */
export interface GapRecord {
  readonly event: string;
  readonly gapId: string;
  readonly token: string;
  readonly cause: string;
  readonly from: number;
  readonly to: number;
  /** GapFilled: how; GapFillShort and GapFilled: bars expected and received. */
  readonly how?: string;
  readonly expected?: number;
  readonly received?: number;
}

export interface RunOutcome {
  readonly run: number;
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  /** Ticks of the run sent within the fsync window before its SIGKILL, or after it: what may be lost. */
  readonly mayLose: number;
}

export interface CampaignVerdict {
  readonly runs: readonly RunOutcome[];
  /** Ticks sent while no run was connected: the process-down stretches, not losses. */
  readonly notReceived: number;
  readonly messages: number;
  readonly repeats: number;
  /** Each list is empty when its clause of the oracle holds; otherwise it says where it broke. */
  readonly lossBeyondBound: readonly string[];
  readonly unknownTicks: readonly string[];
  readonly reordered: readonly string[];
  readonly repeatsWithOtherId: readonly string[];
  readonly crashGaps: readonly string[];
}

const keyOf = (t: { token: string; exchangeTime: number; volume: number }): string =>
  `${t.token}:${t.exchangeTime}:${t.volume}`;

const first = (list: readonly string[], n = 5): string => list.slice(0, n).join('; ');

interface Located {
  readonly index: number;
  readonly run: number | undefined;
}

/**
 * Checks what reached Kafka against what the simulator sent. A tick is known by token, exchange
 * time and cumulative volume: the simulator trades at least one share per equity tick, so an
 * equity's volume never repeats within a day and the key is unique (the recorder checks it).
 *
 * - every tick sent to a run is in Kafka, except, for a killed run, a tail of ticks sent no earlier
 *   than `windowMs` before the SIGKILL (what was read but not yet fsync'd, or still on the wire);
 *   a run stopped cleanly loses nothing;
 * - Kafka holds no tick the simulator did not send to a run;
 * - per token, first copies come in the order the simulator sent them;
 * - a repeat carries the tick-id of its first copy, and no tick-id names two ticks;
 * - each crash is one `process-down` gap per token, from no later than the token's last tick of
 *   the killed run that reached Kafka to no earlier than its first tick of the next run.
 */
export const judgeCampaign = (
  recorded: readonly RecordedTick[],
  runs: readonly CampaignRun[],
  published: readonly PublishedTick[],
  gaps: readonly GapRecord[],
  windowMs: number,
): CampaignVerdict => {
  const runOf = (index: number): number | undefined =>
    runs.find((r) => index >= r.firstPacket && index < r.firstPacket + r.packets)?.run;
  const where = new Map<string, Located>();
  const unknownTicks: string[] = [];
  recorded.forEach((t, index) => {
    const key = keyOf(t);
    if (where.has(key)) unknownTicks.push(`the simulator sent ${key} twice: the key cannot tell ticks apart`);
    where.set(key, { index, run: runOf(index) });
  });

  const delivered = new Set<number>();
  const idOfKey = new Map<string, string>();
  const keyOfId = new Map<string, string>();
  const lastIndex = new Map<string, number>();
  const reordered: string[] = [];
  const repeatsWithOtherId: string[] = [];
  let repeats = 0;
  for (const m of published) {
    const key = keyOf(m);
    const at = where.get(key);
    if (m.key !== m.token) unknownTicks.push(`${key} published under the Kafka key ${m.key}`);
    if (at === undefined) {
      unknownTicks.push(`${key} (${m.tickId}) is in Kafka but the simulator never sent it`);
      continue;
    }
    if (at.run === undefined)
      unknownTicks.push(`${key} (${m.tickId}) is in Kafka but was sent while no run was connected`);
    const knownId = idOfKey.get(key);
    const knownKey = keyOfId.get(m.tickId);
    if (knownKey !== undefined && knownKey !== key)
      repeatsWithOtherId.push(`tick-id ${m.tickId} names both ${knownKey} and ${key}`);
    keyOfId.set(m.tickId, key);
    if (knownId !== undefined) {
      repeats += 1;
      if (knownId !== m.tickId) repeatsWithOtherId.push(`${key} sent as ${knownId} and again as ${m.tickId}`);
      continue;
    }
    idOfKey.set(key, m.tickId);
    delivered.add(at.index);
    const previous = lastIndex.get(m.token);
    if (previous !== undefined && at.index < previous)
      reordered.push(`${m.tickId} (sent #${at.index}) after #${previous} of the same token`);
    lastIndex.set(m.token, Math.max(previous ?? -1, at.index));
  }

  const lossBeyondBound: string[] = [];
  const outcomes = runs.map((r): RunOutcome => {
    const end = r.firstPacket + r.packets;
    const missing: number[] = [];
    let lastDelivered = -1;
    for (let i = r.firstPacket; i < end; i++) {
      if (delivered.has(i)) lastDelivered = i;
      else missing.push(i);
    }
    const cutoff = r.killedAt === undefined ? Number.POSITIVE_INFINITY : r.killedAt - windowMs;
    let mayLose = 0;
    for (let i = r.firstPacket; i < end; i++) if ((recorded[i]?.receivedAt ?? 0) >= cutoff) mayLose += 1;
    const early = missing.filter((i) => (recorded[i]?.receivedAt ?? 0) < cutoff);
    const notTail = missing.filter((i) => i < lastDelivered);
    const describe = (i: number): string => {
      const t = recorded[i];
      return t === undefined ? `#${i}` : `#${i} ${keyOf(t)}`;
    };
    if (r.killedAt === undefined && missing.length > 0)
      lossBeyondBound.push(
        `run ${r.run} (stopped cleanly) lost ${missing.length} ticks: ${first(missing.map(describe))}`,
      );
    else if (early.length > 0)
      lossBeyondBound.push(
        `run ${r.run} lost ${early.length} ticks sent more than ${windowMs} ms before its SIGKILL: ` +
          first(early.map(describe)),
      );
    if (notTail.length > 0)
      lossBeyondBound.push(
        `run ${r.run} lost ${notTail.length} ticks sent before its last tick in Kafka (#${lastDelivered}): ` +
          first(notTail.map(describe)),
      );
    return {
      run: r.run,
      sent: r.packets,
      delivered: r.packets - missing.length,
      lost: missing.length,
      mayLose,
    };
  });

  const received = runs.reduce((n, r) => n + r.packets, 0);
  return {
    runs: outcomes,
    notReceived: recorded.length - received,
    messages: published.length,
    repeats,
    lossBeyondBound,
    unknownTicks: unknownTicks.slice(0, 20),
    reordered: reordered.slice(0, 20),
    repeatsWithOtherId: repeatsWithOtherId.slice(0, 20),
    crashGaps: checkCrashGaps(recorded, runs, published, where, gaps),
  };
};

interface TickTimes {
  readonly exchangeTime: number;
  readonly receivedAt: number;
}

/** Every process-down gap, once per gap id and token (a restart announces open gaps again). */
const processDownGaps = (gaps: readonly GapRecord[]): Map<string, GapRecord[]> => {
  const byToken = new Map<string, GapRecord[]>();
  const seen = new Set<string>();
  for (const g of gaps) {
    if (g.event !== 'FeedGapOpened' || g.cause !== 'process-down') continue;
    if (seen.has(`${g.gapId}/${g.token}`)) continue;
    seen.add(`${g.gapId}/${g.token}`);
    byToken.set(g.token, [...(byToken.get(g.token) ?? []), g]);
  }
  return byToken;
};

const checkCrashGaps = (
  recorded: readonly RecordedTick[],
  runs: readonly CampaignRun[],
  published: readonly PublishedTick[],
  where: ReadonlyMap<string, Located>,
  gaps: readonly GapRecord[],
): string[] => {
  // Per run and token, the first and last of its ticks that reached Kafka, with Kafka's times.
  const span = new Map<
    string,
    { first: TickTimes & { index: number }; last: TickTimes & { index: number } }
  >();
  for (const m of published) {
    const at = where.get(keyOf(m));
    if (at?.run === undefined) continue;
    const id = `${at.run}/${m.token}`;
    const times = { exchangeTime: m.exchangeTime, receivedAt: m.receivedAt, index: at.index };
    const s = span.get(id);
    if (s === undefined) span.set(id, { first: times, last: times });
    else {
      if (at.index < s.first.index) s.first = times;
      if (at.index > s.last.index) s.last = times;
    }
  }
  const tokens = [...new Set(recorded.map((t) => t.token))].sort();
  const byToken = processDownGaps(gaps);
  const problems: string[] = [];
  const crashes = runs.filter((r) => r.killedAt !== undefined);
  for (const token of tokens) {
    const found = byToken.get(token) ?? [];
    if (found.length !== crashes.length)
      problems.push(`token ${token}: ${found.length} process-down gaps for ${crashes.length} crashes`);
  }
  for (const crash of crashes) {
    const next = runs.find((r) => r.run === crash.run + 1);
    if (next === undefined) continue;
    const uncovered: string[] = [];
    for (const token of tokens) {
      const before = span.get(`${crash.run}/${token}`);
      const after = span.get(`${next.run}/${token}`);
      if (before === undefined || after === undefined) continue;
      // Either clock may bound the gap: accept the looser reading of each end.
      const lastSeen = Math.max(before.last.exchangeTime, before.last.receivedAt);
      const nextSeen = Math.min(after.first.exchangeTime, after.first.receivedAt);
      const runStart = Math.min(before.first.exchangeTime, before.first.receivedAt);
      const nextEnd = Math.max(after.last.exchangeTime, after.last.receivedAt);
      const covering = (byToken.get(token) ?? []).filter(
        (g) => g.from <= lastSeen && g.to >= nextSeen && g.from >= runStart && g.to <= nextEnd,
      );
      if (covering.length !== 1)
        uncovered.push(`${token} (${covering.length} gaps cover ${lastSeen}..${nextSeen})`);
    }
    if (uncovered.length > 0)
      problems.push(
        `crash of run ${crash.run}: ${uncovered.length} of ${tokens.length} tokens without exactly one ` +
          `process-down gap covering the downtime: ${first(uncovered, 3)}`,
      );
  }
  return problems;
};
